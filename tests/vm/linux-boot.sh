# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=400
# The stock Debian vmlinuz (the package the emulated host runs, unmodified) boots in a
# 2-vCPU, 256 MiB partition created through ultra-commandd (--processors 2: one vCPU on
# each CPU of the emulated host, the MADT lists two x2APICs): `partition create --kernel
# --initrd --cmdline` sends the bzImage, its initramfs (tests/guests/linux) and the
# command line through the partition's Boot channel (the daemon's Linux loader: 32-bit
# boot protocol, e820 map, ACPI tables). Started, the guest's console shows the kernel
# log and then the first line of the initramfs's /init; Linux started its second CPU
# with INIT and STARTUP IPIs (real-mode trampoline), /init counts 2 processors, both
# online, sees kvm-clock, and ends with `poweroff -f`: the kernel powers off through ACPI S5 (the
# DSDT's \_S5, the FADT's sleep control register), which stops the partition with exit
# code 0, shown as a power-off by `partition status`/`show` and the event. The guest's log
# has no WARNING/BUG/Oops/panic/Call Trace/unchecked MSR line; the host is fine (the
# harness checks its log), the partition is destroyed and the database checks clean.
# Prints the time from start to /init's first line.
J=/tmp/commandd.journal
lcleanup() {
	ultractl partition stop linux >/dev/null 2>&1
	ultractl partition destroy linux >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
pool_mib() { ultractl --json pool show | sed -n 's/.*"pool_bytes": \([0-9]*\).*/\1/p' | awk '{print $1 / 1048576}'; }
trap lcleanup EXIT

CMDLINE="console=ttyS0 earlycon=uart8250,io,0x3f8 pci=off 8250.nr_uarts=1"
load
cmdd_start
out=$(ultractl partition create linux --mem 256M --processors 2 --kernel /guests/linux/vmlinuz \
	--initrd /guests/linux/initramfs.cpio.gz --cmdline "$CMDLINE") || fail "create failed: $out"
echo "$out"
check "created with the kernel loaded through a Boot channel" \
	has "$out" 'image /guests/linux/vmlinuz loaded through Boot channel'
check "the daemon served it as Linux with its initramfs" \
	grep -q "served Boot channel .* of 'linux' .*/guests/linux/vmlinuz, [0-9]* bytes, Linux + initramfs /guests/linux/initramfs.cpio.gz" /tmp/commandd.log
grep "served Boot channel" /tmp/commandd.log

ultractl events --timeout 120 >/tmp/linux-boot.ev 2>&1 &
ev_pid=$!
t0=$(now_ms)
out=$(ultractl partition start linux) || fail "start failed: $out"
first=
_i=0
while [ $_i -lt 3000 ]; do
	con=$(ultractl console linux | tr -d "\r")
	if [ -z "$first" ] && has "$con" '^uv-linux-guest: /init started'; then
		first=$(($(now_ms) - t0))
	fi
	st=$(part_state linux)
	case $st in stopped|faulted) break ;; esac
	sleep 0.1
	_i=$((_i + 1))
done
ultractl partition status linux
con=$(ultractl console linux | tr -d "\r")
printf '%s\n' "$con"
[ -n "$first" ] || fail "no line from /init after $((_i / 10)) s: partition $(part_state linux)" \
	"(fault $(part_field linux fault_reason) at rip $(part_field linux fault_rip))"
echo "linux-boot: start to /init's first line: $first ms"
check "the kernel booted: its banner is on the console" has "$con" '^\[ *[0-9.]*\] Linux version 6\.1\.'
check "the x2APIC came from the platform" has "$con" 'x2apic: enabled by BIOS, switching to x2apic ops'
check "the TSC frequency came from kvmclock, not a calibration" has "$con" 'kvm-clock: Using msrs 4b564d01 and 4b564d00'
check "the deadline timer is in use" has "$con" 'TSC deadline timer available'
check "/init's first line on the console" has "$con" '^uv-linux-guest: /init started$'
check "/proc/cpuinfo counts 2 processors" has "$con" '^uv-linux-guest: processors 2$'
check "both CPUs online" has "$con" '^uv-linux-guest: online 0-1$'
check "the kernel brought the AP up" has "$con" 'smp: Brought up 1 node, 2 CPUs'
check "the partition has 2 vCPUs, both started" \
	[ "$(part_field linux vcpus)/$(part_field linux vcpus_started)" = 2/2 ]
check "/init ran to its end" has "$con" '^uv-linux-guest: done$'
check "stopped by the guest itself" [ "$(part_state linux)" = stopped ]
check "exit code 0" [ "$(part_field linux exit_code)" = 0 ]
check "ended by ACPI S5, not the exit port" [ "$(part_field linux exited_by)" = poweroff ]
check "the kernel powered off" has "$con" 'reboot: Power down'
check "no power-management write was ignored" [ "$(part_field linux pm_ignored)" = 0 ]
show=$(ultractl partition show linux)
printf '%s\n' "$show"
check "partition show says how it stopped" has "$show" 'stopped itself: poweroff, exit code 0'
kill "$ev_pid" 2>/dev/null
wait "$ev_pid" 2>/dev/null
grep -i "stopped" /tmp/linux-boot.ev
check "the state event says power-off" grep -q "exit code 0 (ACPI S5 power-off)" /tmp/linux-boot.ev
bad=$(printf '%s\n' "$con" | grep -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace:|unchecked MSR|general protection|RIP: 00')
check "no warning, bug, oops or panic in the guest's log" [ -z "$bad" ]
[ -z "$bad" ] || printf '%s\n' "$bad"

out=$(ultractl partition stop linux) || fail "stop failed: $out"
out=$(ultractl partition destroy linux) || fail "destroy failed: $out"
check "destroy gave the pool back" [ "$(pool_mib)" = 0 ]
check "db verify after destroy" ultractl db verify
check "db check after destroy" ultractl db check
