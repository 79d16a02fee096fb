# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# A 2-vCPU partition's IPIs, INIT and STARTUP from a freestanding guest
# (tests/guests/smpipi.c, docs/guest-platform.md section 11), created through
# ultra-commandd with `--processors 2` (one vCPU on each CPU of the emulated host).
# vCPU 1 waits for SIPI until vCPU 0 starts it the way Linux does; it runs real-mode
# code at the STARTUP page, reads x2APIC ID 1 and sends vCPU 0 a fixed IPI. Hostile
# writes around it (IPIs to APIC IDs no vCPU has, NMI, INIT and STARTUP to itself, an
# illegal vector, a storm of STARTUPs to the running AP) change nothing; INIT and
# STARTUP again restart it once. The guest exits with its failed checks' count; status
# says 2 vCPUs, both started, and counts the IPIs (ABI 1.8): the two starts (2 INITs
# taken, 2 STARTUPs that started the AP), the AP's 2 fixed IPIs, and every hostile or
# void write as ignored, in status, stats and sched-stats events; the host log stays
# clean (the harness checks it).
J=/tmp/commandd.journal
scleanup() {
	[ -n "$evpid" ] && kill "$evpid" 2>/dev/null
	ultractl partition stop smp >/dev/null 2>&1
	ultractl partition destroy smp >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap scleanup EXIT

load
cmdd_start
out=$(ultractl partition create smp --mem 16M --processors 2 --image /guests/smpipi.elf) ||
	fail "create failed: $out"
echo "$out"
check "status before start: 2 vCPUs, only vCPU 0 started" \
	[ "$(part_field smp vcpus)/$(part_field smp vcpus_started)" = 2/1 ]
out=$(ultractl partition start smp) || fail "start failed: $out"
part_wait smp '^(stopped|faulted)$' 600 || fail "smpipi still $(part_state smp) after 60 s"
ultractl partition status smp
con=$(ultractl console smp | tr -d "\r")
printf '%s\n' "$con"
check "the hostile writes left the BSP running" has "$con" '^smpipi: hostile writes survived$'
check "the AP started and its IPI arrived" has "$con" '^smpipi: AP started, its IPI arrived$'
check "no check failed in the guest" has "$con" '^smpipi: all checks passed$'
check "stopped by itself" [ "$(part_state smp)" = stopped ]
check "exit code 0" [ "$(part_field smp exit_code)" = 0 ]
check "2 vCPUs, both started" [ "$(part_field smp vcpus)/$(part_field smp vcpus_started)" = 2/2 ]
check "status text says so" has "$(ultractl partition status smp)" '^cpu: [0-9]+, vcpus=2 \(2 started\)$'
# what the guest did, as the counters must say it (tests/guests/smpipi.c): two starts
# of the AP (INIT assert each; the de-asserts are void), each start one fixed IPI to
# the BSP; ignored at least: 7 hostile writes before the first start, the 200-STARTUP
# storm at the running AP, both de-asserts and the first start's second STARTUP (210)
ipi="$(part_field smp ipi_init)/$(part_field smp ipi_startup)/$(part_field smp ipi_fixed)"
ign=$(part_field smp ipi_ignored)
echo "IPIs init/startup/fixed: $ipi, ignored: $ign"
check "2 INITs taken, 2 STARTUPs started the AP, its 2 fixed IPIs counted" [ "$ipi" = 2/2/2 ]
check "the hostile and void ICR writes counted as ignored (>= 210)" [ "${ign:-0}" -ge 210 ]
check "status text shows the IPI counters" \
	has "$(ultractl partition status smp)" "^ipi: fixed=2 init=2 startup=2 ignored=$ign\$"
stats=$(ultractl stats smp)
check "ultractl stats shows them" has "$stats" " ipi_fixed=2 ipi_init=2 ipi_startup=2 ipi_ignored=$ign "
check "and in JSON" has "$(ultractl --json stats smp | tr -d ' \n')" "\"ipi_startup\":2,\"ipi_ignored\":$ign,"
check "no I/O APIC traffic from a guest that never touches it" \
	[ "$(part_field smp ioapic_reads)/$(part_field smp ioapic_writes)/$(part_field smp ioapic_raised)" = 0/0/0 ]
# old and new callers of the grown struct (docs/uapi.md, STATUS ABI 1.8)
sizes=$(uv_status_sizes "$(part_field smp number)")
rc=$?
printf '%s\n' "$sizes"
check "PART_STATUS answers 184-byte, 264-byte and larger callers as the rules say" [ "$rc" = 0 ]
check "and the 264-byte answer has the counters" has "$sizes" '^ipi_startup=2 ioapic_writes=0$'
# the same figures as sched-stats events, the command daemon's feed (docs/schedule.md)
ultractl events --timeout 30 >/tmp/ev.out 2>&1 &
evpid=$!
sleep 0.5
ultractl stats --event smp >/dev/null || fail "stats --event"
sleep 0.5
kill "$evpid" 2>/dev/null
wait "$evpid" 2>/dev/null
evpid=
grep 'sched-stats .*message="cpu=[0-9]* i' /tmp/ev.out
check "a sched-stats event carries the IPI counters" \
	has "$(cat /tmp/ev.out)" "sched-stats .*message=\"cpu=[0-9]+ ipi_fixed=2 ipi_init=2 ipi_startup=2 ipi_ignored=$ign\""
check "and one the I/O APIC counters" \
	has "$(cat /tmp/ev.out)" 'sched-stats .*message="cpu=[0-9]+ ioapic_reads=0 ioapic_writes=0 ioapic_raised=0 ioapic_delivered=0 ioapic_dropped=0 ioapic_refused=0"'
out=$(ultractl partition stop smp) || fail "stop failed: $out"
out=$(ultractl partition destroy smp) || fail "destroy failed: $out"
check "db check after destroy" ultractl db check
