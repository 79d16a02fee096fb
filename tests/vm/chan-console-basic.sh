# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# ultra-consoled serving a console channel (docs/channels.md, "Console server"):
# conwrite sends 1 MiB of a known pattern through the channel and the log has it
# byte for byte (tests/vm/tools/con_check); 10 000 64-byte messages in bursts of
# 100 take far fewer than 10 000 notifications (the guest's count and the module's
# per-channel counters agree); a line written to the PTY reaches conecho, whose echo
# comes back through the log and the PTY, and through `ultractl console --attach`;
# ultractl channel list shows the channel.
# PTYs need devpts, which the emulated host does not mount by itself
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"
load
ultractl pool grow 48M >/dev/null || fail "pool grow failed"
part_cpus
h0=$(db_hash)
for p in cw cn ce; do
	part_create $p 16 1
	con_channel $p
done
consoled_start /tmp/consoled.out 3
cat /tmp/consoled.out
check "a pty path per partition in the run directory" test -c "$(cat /tmp/crun/cw.pty)"

# 1 MiB, 4 KiB messages, bursts of 16
ultractl partition load cw /guests/conwrite.elf bytes=1048576 msg=4096 burst=16 >/dev/null ||
	fail "load conwrite failed"
ultractl partition start cw >/dev/null || fail "start failed"
part_wait cw '^(stopped|faulted)$' 1200 || fail "conwrite still $(part_state cw)"
con=$(ultractl console cw)
printf '%s\n' "$con"
check "conwrite exited 0" [ "$(part_field cw exit_code)" = 0 ]
check "nothing dropped by the guest" has "$con" 'dropped=0 '
out=$(con_check /tmp/clog/cw.log 1048576) || { echo "$out"; fail "the log is not the 1 MiB pattern"; }
echo "$out"
check "1 MiB byte for byte in the log, no gaps" has "$out" 'logged=1048576 dropped=0 drop_markers=0'
gsum=$(printf '%s\n' "$con" | sed -n 's/.* sum=\(0x[0-9a-f]*\).*/\1/p')
check "the log's checksum is the one the guest computed ($gsum)" has "$out" " sum=$gsum\$"

# notifications: 10 000 messages of 64 bytes in bursts of 100, 1 ms apart
ultractl partition load cn /guests/conwrite.elf bytes=640000 msg=64 burst=100 gap=1000 >/dev/null ||
	fail "load conwrite (messages) failed"
ultractl partition start cn >/dev/null || fail "start failed"
part_wait cn '^(stopped|faulted)$' 1200 || fail "conwrite still $(part_state cn)"
con=$(ultractl console cn)
printf '%s\n' "$con"
check "conwrite (messages) exited 0" [ "$(part_field cn exit_code)" = 0 ]
check "10 000 messages" has "$con" 'messages=10000 '
kicks=$(printf '%s\n' "$con" | sed -n 's/.* kicks=\([0-9]*\) .*/\1/p')
echo "notifications: $kicks kicks for 10000 messages"
check "far fewer notifications than messages (< 1000)" [ "$kicks" -lt 1000 ]
out=$(con_check /tmp/clog/cn.log 640000) || { echo "$out"; fail "the message log is not the pattern"; }
ultractl channel list | tee /tmp/chlist
ultractl --json channel list >/tmp/chlist.json || fail "channel list --json failed"
check "--json has the counters" grep -q '"guest_kicks"' /tmp/chlist.json
check "channel list shows the console channels with their server" \
	sh -c "grep -c 'console .*client cn .*servers console-io' /tmp/chlist | grep -q 1"
mk=$(sed -n 's/.*client cn .* guest_kicks=\([0-9]*\).*/\1/p' /tmp/chlist)
echo "module counter for cn: guest_kicks=$mk (guest counted $kicks)"
check "the module counted at least the guest's kicks of transmitq0" [ "$mk" -ge "$kicks" ]
check "and far fewer than 10 000" [ "$mk" -lt 1000 ]

# a line through the PTY to conecho and back
ultractl partition load ce /guests/conecho.elf timeout=100 >/dev/null || fail "load conecho failed"
ultractl partition start ce >/dev/null || fail "start failed"
i=0
while ! grep -q 'conecho: ready' /tmp/clog/ce.log 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "conecho never said ready: $(ultractl console ce)"
	sleep 0.1
done
pty=$(cat /tmp/crun/ce.pty)
cat "$pty" >/tmp/pty.out &
catpid=$!
sleep 0.3
printf 'hello from the host\n' >"$pty"
i=0
while ! grep -q 'echo: hello from the host' /tmp/clog/ce.log; do
	i=$((i + 1)); [ $i -lt 300 ] || { cat /tmp/clog/ce.log; fail "no echo in the log"; }
	sleep 0.1
done
sleep 0.3
kill $catpid
check "the echo came back through the PTY" grep -q 'echo: hello from the host' /tmp/pty.out
# the operator's way in: ultractl finds the daemon's PTY and attaches to it
check "ultractl console --pty names the daemon's PTY" \
	[ "$(ultractl console --run-dir /tmp/crun --pty ce)" = "$pty" ]
out=$(printf 'typed into ultractl\n' | ultractl console --run-dir /tmp/crun --attach --drain-ms 3000 ce)
echo "attach: $out"
check "a line typed into ultractl console --attach comes back as the guest's echo" \
	has "$out" 'echo: typed into ultractl'
out=$(ultractl console --run-dir /tmp/crun --pty nosuch 2>&1) && fail "--pty of a partition without a console server succeeded"
check "--pty without a console server says so" has "$out" 'no console server for partition'
printf 'quit\n' >"$pty"
part_wait ce '^(stopped|faulted)$' 300 || fail "conecho still $(part_state ce)"
check "conecho exited 0 on quit" [ "$(part_field ce exit_code)" = 0 ]
cat /tmp/clog/ce.log

kill $cpid
wait $cpid
cat /tmp/consoled.out
for p in cw cn ce; do
	ultractl partition stop $p >/dev/null || fail "stop $p failed"
	part_destroy $p
done
check "consoled removed the pty files" sh -c "! ls /tmp/crun/*.pty 2>/dev/null"
uv_mkpart destroy console-io >/tmp/d.txt && ultractl txn apply /tmp/d.txt >/dev/null || fail "destroying console-io failed"
check "db check passes" ultractl db check
check "database as before" [ "$(db_hash)" = "$h0" ]
check "no kernel warnings" sh -c "! dmesg | grep -q 'WARNING:\\|BUG:\\|Oops'"
