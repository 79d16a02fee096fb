# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# A hostile guest (conhostile) puts one bad entry into its transmit queue per
# run: out-of-range, overlapping, wrapping, oversized buffers, a bad head, a
# runaway available index, a loop, a writable buffer. ultra-consoled refuses each
# with the library's reason, logs it, marks the channel BROKEN (the guest reads the
# reason back) and goes on: a second partition's console (conecho, on the other
# CPU) keeps echoing, the daemon stays up, no Oops or WARN.
# PTYs need devpts, which the emulated host does not mount by itself
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"
load
ultractl pool grow 32M >/dev/null || fail "pool grow failed"
part_cpus
for p in good bad; do
	if [ $p = good ]; then cpu=0; else cpu=1; fi
	part_create $p 16 $cpu
	con_channel $p
done
consoled_start /tmp/consoled.out 2
ultractl partition load good /guests/conecho.elf timeout=200 >/dev/null || fail "load conecho failed"
ultractl partition start good >/dev/null || fail "start good failed"
i=0
while ! grep -q 'conecho: ready' /tmp/clog/good.log 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "conecho never said ready"
	sleep 0.1
done
pty=$(cat /tmp/crun/good.pty)
# kind:expected reason (enum uv_channel_error); a loop is caught by consoled's bound
# of 16 segments per chain (SEGMENTS, 15) before the queue-size bound (LOOP)
for k in addr:8 overlap:11 wrap:9 len:10 head:5 idx:4 loop:15 dir:12; do
	kind=${k%%:*} want=${k##*:}
	ultractl partition load bad /guests/conhostile.elf kind=$kind >/dev/null || fail "load conhostile failed"
	ultractl partition start bad >/dev/null || fail "start bad failed"
	part_wait bad '^(stopped|faulted)$' 400 || fail "conhostile ($kind) still $(part_state bad)"
	con=$(ultractl console bad)
	printf '%s\n' "$con" | tail -2
	[ "$(part_field bad exit_code)" = 0 ] || fail "$kind: the channel was not marked broken: $con"
	has "$con" "broken reason=$want queue=1\$" || fail "$kind: reason is not $want: $con"
	grep "console bad: channel .* broken" /tmp/consoled.out | tail -1 | grep -q "(" ||
		fail "$kind: consoled did not log the refusal"
	ultractl partition stop bad >/dev/null || fail "stop bad failed"
	ultractl partition unload bad >/dev/null 2>&1
	kill -0 $cpid || fail "consoled died after $kind"
	printf 'still there after %s\n' "$kind" >"$pty"
	i=0
	while ! grep -q "echo: still there after $kind" /tmp/clog/good.log; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "the good console stopped echoing after $kind"
		sleep 0.1
	done
	echo "ok - $kind refused (reason $want), the other console still echoes"
done
grep 'broken' /tmp/consoled.out
check "each refusal logged with its reason" [ "$(grep -c 'console bad: channel .* broken: queue 1:' /tmp/consoled.out)" -eq 8 ]
check "the refusal is in the partition's console log too" grep -q '^\[ultra-consoled: channel broken: queue 1:' /tmp/clog/bad.log
printf 'quit\n' >"$pty"
part_wait good '^(stopped|faulted)$' 300 || fail "conecho still $(part_state good)"
check "conecho exited 0" [ "$(part_field good exit_code)" = 0 ]
con_teardown good bad
