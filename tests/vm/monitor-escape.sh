# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# Containment: the "escape" guest touches memory outside its 16 MiB partition (just
# above its top, the local APIC and I/O APIC pages, the PCI hole, the firmware area,
# a page the host module owns, and a jump above its top). Each attempt must end the
# partition "faulted" with the address and the kind of access (the I/O APIC's page too:
# its emulation takes only 64-bit MOVs, the log says why and ioapic_refused counts it),
# while a "hello" started at the same time on the other CPU runs to exit code 0, and the
# host page keeps its contents. Images the loader must refuse are refused.

mt_load
host=$(cat $D/hostpage)
echo "host page at $host"
# target  expected-gpa  expected-access
for t in "above 0x1000000 r" "above-write 0x1000000 w" "lapic 0xfee00000 r" \
	"ioapic 0xfec00000 w" "pcihole 0xe0000000 r" "bios 0xfffff000 r" \
	"addr $host w" "exec 0x1000000 x"; do
	# shellcheck disable=SC2086 # split into target, address, access
	set -- $t
	mt_run p0 escape 1 "target=$1 addr=$host"
	mt_run p1 hello 0
	mt_wait p0 '^(stopped|faulted)$' 300 || fail "escape $1: still $(mt_state p0) after 30 s"
	mt_wait p1 '^(stopped|faulted)$' 300 || fail "hello beside escape $1: still $(mt_state p1)"
	grep -E '^(fault|exit)' $D/p0/status | tr '\n' ' '
	echo
	check "escape $1: faulted" [ "$(mt_state p0)" = faulted ]
	check "escape $1: reason nested-page-fault" [ "$(mt_field p0 fault)" = nested-page-fault ]
	check "escape $1: address $2" [ $(($(mt_field p0 fault_gpa))) = $(($2)) ]
	check "escape $1: access $3" [ "$(mt_field p0 fault_access)" = "$3" ]
	check "escape $1: hello beside it exited 0" [ "$(mt_field p1 exited) $(mt_field p1 exit_code)" = "1 0" ]
	check "escape $1: the host page is intact" [ "$(cat $D/hostcheck)" = intact ]
	# the I/O APIC counts the access it refused (and no write it did not emulate)
	want=0
	[ "$1" = ioapic ] && want=1
	check "escape $1: I/O APIC accesses refused $want, writes 0" \
		[ "$(mt_field p0 ioapic_refused)/$(mt_field p0 ioapic_writes)" = "$want/0" ]
	mt_ctl p0 stop
	mt_ctl p0 destroy
	mt_ctl p1 stop
	mt_ctl p1 destroy
done
has "$(dmesg)" 'partition p0 faulted: nested-page-fault: write access to gpa 0xfec00000' ||
	fail "the I/O APIC fault was not logged"
# the I/O APIC page is emulated for 64-bit MOVs only (docs/guest-platform.md section 12)
check "the refused I/O APIC access says why" \
	has "$(dmesg)" 'partition p0: I/O APIC access at gpa 0xfec00000, rip 0x[0-9a-f]* refused: not in 64-bit mode'

# the loader refuses what it cannot place or read
mt_ctl p0 "create 16 1"
head -c 100 /guests/hello.elf >$D/p0/image
! echo load >$D/p0/ctl 2>/dev/null || fail "a truncated ELF was loaded"
dd if=/dev/urandom of=$D/p0/image bs=4096 count=4 2>/dev/null
! echo load >$D/p0/ctl 2>/dev/null || fail "random bytes were loaded"
mt_ctl p0 destroy
# the smallest partition (2 MiB) holds hello (linked at 1 MiB) and its boot information
mt_ctl p0 "create 2 1"
cat /guests/hello.elf >$D/p0/image
mt_ctl p0 load
check "hello loads into 2 MiB" [ "$(mt_state p0)" = loaded ]
long=$(head -c 1050 /dev/zero | tr '\0' x)
! echo "load $long" >$D/p0/ctl 2>/dev/null || fail "a 1050-byte command line was accepted"
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
