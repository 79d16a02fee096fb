# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# Faults through the real module path. Each escape attempt of the "escape" guest
# (partition "esc", CPU 1) - above its memory, the local APIC, the I/O APIC, the PCI
# hole, the firmware, executing above its memory, and writing the host-physical
# address of the partition beside it - ends "faulted" with the reason, address and
# access in its status, a partition-state event and an error event carrying them;
# "hello" on CPU 0, started beside each, exits 0 and its memory is untouched; the
# database checks clean after each destroy. tfault (triple fault) ends faulted with
# reason triple-fault, and the partition is loaded and run again afterwards.
load
ultractl pool grow 32M >/dev/null || fail "pool grow failed"
part_cpus
h0=$(db_hash)
ultractl events --timeout 200 >/tmp/ev.out 2>/tmp/ev.err &
evpid=$!
sleep 1
part_create esc 16 1
part_create hello 16 0
# a host-physical address of hello's memory (its last extent: a pool page)
hx=$(ultractl db dump | awk '$1 == "Extent" && $NF == "hello" {x = $2} END {print x}')
hpa=$((0x${hx%-*} + 0x2000))
printf 'hello owns %s; the escape writes %#x\n' "$hx" "$hpa"
for t in "above 0x1000000 read" "above-write 0x1000000 write" "lapic 0xfee00000 read" \
	"ioapic 0xfec00000 write" "pcihole 0xe0000000 read" "bios 0xfffff000 read" \
	"exec 0x1000000 exec" "addr $hpa write"; do
	# shellcheck disable=SC2086 # three words
	set -- $t
	ultractl partition load esc /guests/escape.elf "target=$1" "addr=$hpa" >/dev/null ||
		fail "escape $1: load failed"
	ultractl partition load hello /guests/hello.elf >/dev/null || fail "hello: load failed"
	ultractl partition start esc >/dev/null || fail "escape $1: start failed"
	ultractl partition start hello >/dev/null || fail "hello: start failed"
	part_wait esc '^(stopped|faulted)$' 300 || fail "escape $1: still $(part_state esc)"
	part_wait hello '^(stopped|faulted)$' 300 || fail "hello beside escape $1: still $(part_state hello)"
	st=$(ultractl partition status esc)
	echo "$st" | grep -E '^(fault|exit)'
	check "escape $1: faulted" [ "$(part_state esc)" = faulted ]
	check "escape $1: nested-page-fault, $3 at $2" has "$st" "^fault: nested-page-fault: $3 at gpa $(printf '%#x' "$2") "
	check "escape $1: hello beside it exited 0" [ "$(part_state hello) $(part_field hello exit_code)" = "stopped 0" ]
	ultractl partition stop esc >/dev/null || fail "stop (reap) of the faulted esc failed"
	ultractl partition stop hello >/dev/null || fail "stop (reap) of hello failed"
done
check "the write to hello's memory was logged as a fault" has "$(kmsgs)" "partition esc faulted: nested-page-fault: write access to gpa $(printf '%#x' "$hpa")"
part_destroy esc
check "db check after destroying esc" ultractl db check

part_create tf 16 1
ultractl partition load tf /guests/tfault.elf >/dev/null || fail "tfault: load failed"
ultractl partition start tf >/dev/null || fail "tfault: start failed"
part_wait tf '^(stopped|faulted)$' 300 || fail "tfault still $(part_state tf)"
ultractl partition status tf
check "tfault faulted" [ "$(part_state tf)" = faulted ]
check "reason triple-fault" [ "$(part_field tf fault)" = triple-fault ]
check "it printed before going down" has "$(ultractl console tf)" '^tfault: loading an empty IDT'
ultractl partition load tf /guests/hello.elf >/dev/null || fail "reload after tfault failed"
ultractl partition start tf >/dev/null || fail "start after reload failed"
part_wait tf '^(stopped|faulted)$' 300 || fail "hello after tfault still $(part_state tf)"
check "hello in the same partition after the triple fault exits 0" [ "$(part_state tf) $(part_field tf exit_code)" = "stopped 0" ]
part_destroy tf
part_destroy hello
check "db check at the end" ultractl db check
check "database image as before" [ "$(db_hash)" = "$h0" ]
sleep 1
kill $evpid 2>/dev/null
wait $evpid
ev=$(cat /tmp/ev.out)
grep -E 'state=[a-z]*->faulted|error' /tmp/ev.out | head -20
check "faulted events carry the address" has "$ev" "partition-state .*state=running->faulted message=\"nested-page-fault: read at gpa 0xfee00000 "
check "error events for faults carry address and access" has "$ev" "error .*errno=EFAULT .*faulted: nested-page-fault: write at gpa $(printf '%#x' "$hpa") "
check "a faulted event for the triple fault" has "$ev" 'partition-state .*state=running->faulted message="triple-fault at rip'
unload
