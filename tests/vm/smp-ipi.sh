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
# says 2 vCPUs, both started; the host log stays clean (the harness checks it).
J=/tmp/commandd.journal
scleanup() {
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
out=$(ultractl partition stop smp) || fail "stop failed: $out"
out=$(ultractl partition destroy smp) || fail "destroy failed: $out"
check "db check after destroy" ultractl db check
