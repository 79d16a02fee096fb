# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=600
# /dev/hvc0 of the stock Debian kernel is a virtio console on a Console channel served
# by ultra-consoled (docs/guest-platform.md, docs/channel-bus.md). The Linux partition
# (256 MiB, 2 vCPUs) is created through ultra-commandd, whose loader marks the channel
# area (the top 4 MiB) reserved in the e820 map; the daemon gives a Linux partition a
# Console channel there, which ultra-consoled serves (as the I/O partition console-io). The initramfs
# (uvguest=console) loads virtio, virtio_ring, virtio_console and uv_chanbus.ko and runs
# a shell on /dev/hvc0. A command written into consoled's PTY runs in the guest and its
# output comes back through the PTY. The channel's interrupt is a GSI of the partition's
# I/O APIC (docs/guest-platform.md section 12): uv_chanbus says it does not poll, the
# guest's /proc/interrupts counts interrupts on its uv_chanbus line, and once the guest
# moves that interrupt to its second vCPU, that vCPU takes it; the partition's I/O APIC
# counters (ABI 1.8) show the guest's reads and writes and the delivered edges. Hot
# removal: killing consoled (the server gone) removes the guest's virtio device, which the guest logs and
# survives; a consoled started again gets a new hvc0 whose shell answers and powers the
# guest off (ACPI S5, exit code 0). The guest's log has no WARNING/BUG/Oops; destroy and
# db check clean.
trap 'linux_cleanup linux' EXIT
# PTYs need devpts, which the emulated host does not mount by itself
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"

CMDLINE="console=ttyS0 earlycon=uart8250,io,0x3f8 pci=off 8250.nr_uarts=1 uvguest=console"
load
cmdd_start
# the console server's identity: an I/O partition, as in the product (docs/operations.md)
out=$(ultractl partition create console-io --role io --mem 4M) || fail "create console-io failed: $out"
out=$(ultractl partition create linux --mem 256M --processors 2 --kernel /guests/linux/vmlinuz \
	--initrd /guests/linux/initramfs.cpio.gz --cmdline "$CMDLINE") || fail "create failed: $out"
echo "$out"
grep "served Boot channel" /tmp/commandd.log
ultractl channel list
gpa=$(ultractl channel list | sed -n 's/.* console client linux .* gpa \(0x[0-9a-f]*\) .*/\1/p')
echo "console channel at guest-physical $gpa"
check "the console channel is in the channel area (the top 4 MiB)" \
	[ -n "$gpa" ] && [ $((gpa)) -ge $((252 << 20)) ] && [ $((gpa)) -lt $((256 << 20)) ]

: >/tmp/consoled.out
ultra-consoled -l /tmp/clog -r /tmp/crun >/tmp/consoled.out 2>&1 &
cpid=$!
i=0
while ! grep -q 'attached' /tmp/consoled.out; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat /tmp/consoled.out; fail "consoled did not attach"; }
	sleep 0.1
done
cat /tmp/consoled.out

out=$(ultractl partition start linux) || fail "start failed: $out"
i=0
while [ $i -lt 3000 ]; do
	con=$(ultractl console linux | tr -d "\r")
	has "$con" '^uv-linux-guest: (shell on hvc0|no /dev/hvc0)' && break
	case $(part_state linux) in stopped|faulted) break ;; esac
	sleep 0.1
	i=$((i + 1))
done
con=$(ultractl console linux | tr -d "\r")
printf '%s\n' "$con"
case $(part_state linux) in stopped|faulted) ultractl partition status linux; dmesg | grep -a ultravisor | tail -5 ;; esac
check "uv_chanbus found the console channel" has "$con" 'uv_chanbus: channel [0-9]* \(console\) at'
check "/dev/hvc0 appeared and the shell runs on it" has "$con" '^uv-linux-guest: shell on hvc0$'

pty=$(cat /tmp/crun/linux.pty) || fail "no pty for linux"
# shellcheck disable=SC2016 # the guest's shell expands it
pty_cmd linux 'echo $((6*7)) marker' '^42 marker' 300 >/tmp/pty.out
echo "--- pty output"
cat /tmp/pty.out
echo "--- console log"
cat /tmp/clog/linux.log
check "the command typed into the PTY ran in the guest and its output came back" \
	grep -q '^42 marker' /tmp/pty.out

# the channel's interrupt, not the poller, brought that answer
check "uv_chanbus took the channel's GSI and does not poll" \
	has "$con" '[a-z_]* virtio[0-9]*: interrupts on GSI [0-9]* \(irq [0-9]*\), no polling'
# irq_line: the guest's /proc/interrupts line of uv_chanbus ("N: CPU0 CPU1 IO-APIC ...")
irq_line() {
	pty_cmd linux 'grep uv_chanbus /proc/interrupts' '^ *[0-9]*: .*uv_chanbus' 300 |
		grep '^ *[0-9]*: .*uv_chanbus'
}
line=$(irq_line)
echo "guest /proc/interrupts: $line"
count=$(printf '%s\n' "$line" | awk '{ print $2 + $3 }')
check "the guest's uv_chanbus interrupt counted the server's notifications ($count)" \
	[ -n "$count" ] && [ "$count" -gt 0 ]
# the guest moves the interrupt to its second vCPU: Linux rewrites the pin's
# destination and the I/O APIC delivers there
irq=$(printf '%s\n' "$line" | awk '{ sub(":", "", $1); print $1 }')
cpu1=$(printf '%s\n' "$line" | awk '{ print $3 }')
# shellcheck disable=SC2016 # the guest's shell expands it
pty_cmd linux "echo 2 >/proc/irq/$irq/smp_affinity; echo \$((5*5)) moved" '^25 moved' 300 >/dev/null
for k in 1 2 3; do
	# shellcheck disable=SC2016 # the guest's shell expands it
	printf 'echo $((%s*11)) on cpu1\n' "$k" >"$pty"
	sleep 0.5
done
line=$(irq_line)
echo "guest /proc/interrupts after the move: $line"
cpu1b=$(printf '%s\n' "$line" | awk '{ print $3 }')
check "the guest's second vCPU now takes the channel's interrupt ($cpu1 -> $cpu1b)" \
	[ -n "$cpu1b" ] && [ "$cpu1b" -gt "${cpu1:-0}" ]
ultractl channel list | tee /tmp/chlist
irqs=$(sed -n 's/.* console client linux .* server_irqs=\([0-9]*\).*/\1/p' /tmp/chlist)
check "the module raised the channel's GSI ($irqs times)" [ -n "$irqs" ] && [ "$irqs" -gt 0 ]
# the partition's I/O APIC counters (ABI 1.8) tell the same story: Linux read and
# programmed it (uv_chanbus registered the GSI), the module raised the pin at least as
# often as the channel says, and the edges were delivered, none refused
ultractl partition status linux | grep -E '^(ipi|ioapic):'
io_rd=$(part_field linux ioapic_reads); io_wr=$(part_field linux ioapic_writes)
io_ra=$(part_field linux ioapic_raised); io_de=$(part_field linux ioapic_delivered)
io_rf=$(part_field linux ioapic_refused)
ioapic_programmed() { [ "${io_rd:-0}" -gt 0 ] && [ "${io_wr:-0}" -gt 0 ]; }
ioapic_delivered() { [ "${io_ra:-0}" -ge "${irqs:-x}" ] && [ "${io_de:-0}" -gt 0 ] &&
	[ "$io_de" -le "$io_ra" ]; }
check "the guest read ($io_rd) and wrote ($io_wr) its I/O APIC" ioapic_programmed
check "the pin was raised ($io_ra >= $irqs) and its interrupts delivered ($io_de)" ioapic_delivered
check "no I/O APIC access was refused" [ "$io_rf" = 0 ]
check "ultractl stats shows the I/O APIC counters" \
	has "$(ultractl stats linux)" " ioapic_reads=[1-9][0-9]* ioapic_writes=[1-9][0-9]* ioapic_raised=[1-9]"

# hot removal: the server gone, the guest removes the device and runs on
kill "$cpid"
wait "$cpid"
cpid=
i=0
while ! ultractl console linux | grep -q '[a-z_]* virtio[0-9]*: the server is gone'; do
	i=$((i + 1)); [ $i -lt 100 ] || break
	sleep 0.1
done
sleep 2
con=$(ultractl console linux | tr -d "\r")
printf '%s\n' "$con" | grep 'uv_chanbus' | tail -5
check "the guest logged the removal of the device" \
	has "$con" '[a-z_]* virtio[0-9]*: the server is gone \(none\): removing the device'
check "the guest runs on after consoled is gone" [ "$(part_state linux)" = running ]

# the server back: a new device, a new hvc0, a shell that answers and powers off
: >/tmp/consoled.out
ultra-consoled -l /tmp/clog -r /tmp/crun >/tmp/consoled.out 2>&1 &
cpid=$!
i=0
while [ "$(ultractl console linux | grep -c '[a-z_]* virtio[0-9]*: channel [0-9]* (console), server')" -lt 2 ]; do
	i=$((i + 1)); [ $i -lt 300 ] || break
	sleep 0.1
done
pty=$(cat /tmp/crun/linux.pty) || fail "no pty for linux after the restart"
# the shell restarts within a second of hvc0 coming back: ask every 5 s until it answers
i=0
# shellcheck disable=SC2016 # the guest's shell expands it
until pty_cmd linux 'echo $((7*6)) again' '^42 again' 45 >/tmp/pty.out; do
	i=$((i + 1)); [ $i -lt 6 ] || break
done
tail -3 /tmp/pty.out
check "a consoled started again serves a new hvc0 whose shell answers" grep -q '^42 again' /tmp/pty.out
printf 'poweroff -f\n' >"$pty"
part_wait linux '^(stopped|faulted)$' 300 || true
check "the guest powered itself off cleanly (stopped, exit code 0)" \
	[ "$(part_state linux)" = stopped ] && [ "$(part_field linux exit_code)" = 0 ]
con=$(ultractl console linux | tr -d "\r")
bad=$(printf '%s\n' "$con" | grep -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace:|unchecked MSR|general protection|RIP: 00|nobody cared')
check "no warning, bug, oops or panic in the guest's log" [ -z "$bad" ]
[ -z "$bad" ] || printf '%s\n' "$bad"

out=$(ultractl partition destroy linux) || fail "destroy failed: $out"
ultractl channel list
check "the console channel went with the partition" sh -c "! ultractl channel list | grep -q ' console '"
out=$(ultractl partition destroy console-io) || fail "destroy console-io failed: $out"
check "db verify after destroy" ultractl db verify
check "db check after destroy" ultractl db check
