# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# Two Linux partitions side by side (issue 10), from the same stock vmlinuz and
# initramfs, made by ultra-commandd with the daemon's own placement: A (duty 8) runs a
# shell on hvc0 (uvguest=console), B (duty 4) prints a counter every second
# (uvtest=count). ultra-consoled serves both Console channels as console-io, an I/O
# partition that takes no processor slot (docs/command-api.md). `poweroff` typed into
# A's PTY stops A (ACPI S5, exit code 0) while B's counter keeps advancing; A started
# again (a reload: its memory and channel headers rebuilt) has a working console again,
# and its console channel's notification counters started again from 0 (they describe
# the new channel instance: docs/channels.md, Lifecycle step 8); both destroyed, the
# pool and the database are as before; no WARNING/BUG/Oops.
trap 'linux_cleanup A B' EXIT
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"

BASE="console=ttyS0 earlycon=uart8250,io,0x3f8 pci=off 8250.nr_uarts=1"
K=/guests/linux/vmlinuz
I=/guests/linux/initramfs.cpio.gz
BAD='WARNING:|BUG:|Oops|Kernel panic|Call Trace:|unchecked MSR|general protection|RIP: 00'
pool_field() { ultractl --json pool show | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
# con_wait P ERE TENTHS: until P's serial console has a line matching ERE
con_wait() {
	_i=0
	while [ $_i -lt "$3" ]; do
		ultractl console "$1" | tr -d '\r' | grep -Eq "$2" && return 0
		case $(part_state "$1") in stopped|faulted) return 1 ;; esac
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}
# chan_ctr P KEY: a counter of P's console channel, from ultractl channel list
chan_ctr() { ultractl channel list | grep " console client $1 " | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
# last_count: B's latest counter
last_count() { ultractl console B | tr -d '\r' | sed -n 's/^uv-linux-guest: count \([0-9]*\) .*/\1/p' | tail -1; }

load
cmdd_start
pool0=$(pool_field pool_bytes)
avail0=$(pool_field available_bytes)
hash0=$(db_hash)
echo "before: pool $pool0 bytes, available $avail0 bytes, db image hash $hash0"

# the console server's identity: an I/O partition played by a host daemon, no slots
out=$(ultractl partition create console-io --role io --mem 4M) || fail "create console-io: $out"
show=$(ultractl --json partition show console-io)
check "console-io has no virtual processor" has "$show" '"processors": 0'
check "and no slot in any CPU's schedule" has "$(printf '%s' "$show" | tr -d ' \n')" '"schedule":\[\]'

out=$(ultractl partition create A --mem 128M --duty 8 --kernel $K --initrd $I \
	--cmdline "$BASE uvguest=console") || fail "create A failed: $out"
echo "$out"
out=$(ultractl partition create B --mem 128M --duty 4 --kernel $K --initrd $I \
	--cmdline "$BASE uvtest=count") || fail "create B failed: $out"
echo "$out"
ultractl partition list
ultractl partition show A
ultractl partition show B
check "A has 8 slots of 16, B 4" sh -c "ultractl --json partition show A | grep -q '\"duty\": 8' &&
	ultractl --json partition show B | grep -q '\"duty\": 4'"
ultractl channel list
check "A and B each have a Console channel" sh -c \
	"ultractl channel list | grep -q ' console client A ' && ultractl channel list | grep -q ' console client B '"

consoled_start /tmp/consoled.out 2
t0=$(date +%s)
out=$(ultractl partition start A) || fail "start A failed: $out"
out=$(ultractl partition start B) || fail "start B failed: $out"
con_wait A '^uv-linux-guest: (shell on hvc0|no /dev/hvc0)' 1500
con_wait B '^uv-linux-guest: count 1 ' 1500
echo "both up after $(($(date +%s) - t0)) s"
conA=$(ultractl console A | tr -d '\r')
conB=$(ultractl console B | tr -d '\r')
# a guest without its /init line (seen once): how it ended, and what its console has of it
for p in A B; do
	eval "con=\$con$p"
	has "$con" '^uv-linux-guest: /init started$' && continue
	echo "$p: $(part_state $p), fault $(part_field $p fault) at rip $(part_field $p fault_rip)," \
		"$(part_field $p console_bytes) console bytes; its /init lines:"
	printf '%s\n' "$con" | grep -a -n 'uv-linux-guest\|/init' | head -8
done
check "A reached /init" has "$conA" '^uv-linux-guest: /init started$'
check "B reached /init" has "$conB" '^uv-linux-guest: /init started$'
check "A's shell runs on hvc0" has "$conA" '^uv-linux-guest: shell on hvc0$'
check "B counts" has "$conB" '^uv-linux-guest: count 1 '
# shellcheck disable=SC2016 # the guest's shell expands it
check "a command typed into A's PTY runs in A" pty_cmd A 'echo $((6*7)) first' '^42 first' 300

# a polite shutdown: poweroff (busybox signals /init, which powers off through ACPI S5)
c0=$(last_count)
pty_cmd A poweroff 'xyzzy-never' 5 >/dev/null
part_wait A '^(stopped|faulted)$' 600 || fail "A did not stop after poweroff: $(part_state A)"
check "A stopped" [ "$(part_state A)" = stopped ]
check "with exit code 0" [ "$(part_field A exit_code)" = 0 ]
check "ended by ACPI S5 (power-off)" [ "$(part_field A exited_by)" = poweroff ]
check "partition show says so" has "$(ultractl partition show A)" 'stopped itself: poweroff, exit code 0'
check "B is still running" [ "$(part_state B)" = running ]
c1=$(last_count)
sleep 3
c2=$(last_count)
echo "B's counter: $c0 before A's poweroff, $c1 after, $c2 three seconds later"
check "B's counter kept advancing after A stopped" [ "$c2" -gt "$c1" ]
check "and never went back" [ "$c1" -ge "$c0" ]

# A again: a reload rebuilds its memory; the module formats its channels anew and
# consoled publishes the console again (docs/guest-platform.md, section 13)
ultractl channel list
k0=$(chan_ctr A guest_kicks); s0=$(chan_ctr A kicks_signalled); n0=$(chan_ctr A server_notifies)
out=$(ultractl partition start A --kernel $K --initrd $I --cmdline "$BASE uvguest=console") ||
	fail "restart of A failed: $out"
ultractl channel list
check "the module formatted A's console channel again (epoch 2: attach, then format)" \
	has "$(ultractl channel list)" ' console client A .* epoch=2$'
# read at once: the new guest is seconds away from its console driver, so the counters
# are back near 0, well under the first guest's boot, shell and two commands
k1=$(chan_ctr A guest_kicks); s1=$(chan_ctr A kicks_signalled); n1=$(chan_ctr A server_notifies)
echo "A's console channel: kicks/signalled/notifies $k0/$s0/$n0 before the reload, $k1/$s1/$n1 after"
first_counted() { [ "${k0:-0}" -gt 0 ] && [ "${s0:-0}" -gt 0 ] && [ "${n0:-0}" -gt 0 ]; }
counters_reset() { [ "${k1:-x}" -lt "$k0" ] && [ "${s1:-x}" -lt "$s0" ] && [ "${n1:-x}" -lt "$n0" ]; }
check "the first guest kicked its console, was signalled and notified" first_counted
check "the reload's format reset the channel's counters" counters_reset
i=0
while ! grep -q 'console A: channel .* formatted again' /tmp/consoled.out; do
	i=$((i + 1)); [ $i -lt 50 ] || break
	sleep 0.1
done
check "consoled saw A's channel formatted again" grep -q 'console A: channel .* formatted again' /tmp/consoled.out
con_wait A '^uv-linux-guest: (shell on hvc0|no /dev/hvc0)' 900 ||
	{ ultractl console A | tr -d '\r' | tail -40; ultractl partition status A; }
check "A booted again to its shell on hvc0" \
	has "$(ultractl console A | tr -d '\r')" '^uv-linux-guest: shell on hvc0$'
# shellcheck disable=SC2016 # the guest's shell expands it
check "A's console works after the restart" pty_cmd A 'echo $((7*8)) second' '^56 second' 300
c3=$(last_count)
check "B kept counting through A's restart" [ "$c3" -gt "$c2" ]

for p in A B; do
	con=$(ultractl console $p | tr -d '\r')
	bad=$(printf '%s\n' "$con" | grep -E "$BAD")
	check "no warning, bug, oops or panic in $p's log" [ -z "$bad" ]
	[ -z "$bad" ] || printf '%s\n' "$bad"
done
check "consoled reported no broken channel" sh -c '! grep -q broken /tmp/consoled.out'
cat /tmp/consoled.out

out=$(ultractl partition stop A) || fail "stop A: $out"
out=$(ultractl partition stop B) || fail "stop B: $out"
out=$(ultractl partition destroy A) || fail "destroy A: $out"
out=$(ultractl partition destroy B) || fail "destroy B: $out"
sleep 1.5	# consoled's next look at its channels
tail -4 /tmp/consoled.out
check "consoled outlived its clients" kill -0 "$cpid"
check "and detached from both" sh -c "grep -Eq 'console A: channel .* (hung up|memory is gone)' /tmp/consoled.out &&
	grep -Eq 'console B: channel .* (hung up|memory is gone)' /tmp/consoled.out"
kill "$cpid"
wait "$cpid"
echo "consoled: exit status $?"
cpid=
out=$(ultractl partition destroy console-io) || fail "destroy console-io: $out"
check "no channel is left" sh -c "[ -z \"\$(ultractl channel list | grep '^channel')\" ]"
pool1=$(pool_field pool_bytes)
avail1=$(pool_field available_bytes)
hash1=$(db_hash)
echo "after: pool $pool1 bytes, available $avail1 bytes, db image hash $hash1"
check "the pool is back to its size before" [ "$pool1" = "$pool0" ]
check "available memory is back to before" [ "$avail1" = "$avail0" ]
check "the database image is the one before the partitions" [ "$hash1" = "$hash0" ]
check "db verify" ultractl db verify
check "db check" ultractl db check
check "no warning, bug or oops in the host's kernel log" sh -c "! dmesg | grep -Eq 'WARNING:|BUG:|Oops'"
