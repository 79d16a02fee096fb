# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=500
# /dev/hvc0 of the stock Debian kernel is a virtio console on a Console channel served
# by ultra-consoled (docs/guest-platform.md, docs/channel-bus.md). The Linux partition
# (256 MiB, 1 vCPU) is created through ultra-commandd, whose loader marks the channel
# area (the top 4 MiB) reserved in the e820 map; the daemon gives a Linux partition a
# Console channel there, which ultra-consoled serves (as the I/O partition console-io). The initramfs
# (uvguest=console) loads virtio, virtio_ring, virtio_console and uv_chanbus.ko and runs
# a shell on /dev/hvc0. A command written into consoled's PTY runs in the guest and its
# output comes back through the PTY. The guest's log has no WARNING/BUG/Oops; killing
# consoled (the server gone) leaves the guest running; destroy and db check clean.
lcleanup() {
	[ -n "$catpid" ] && kill "$catpid" 2>/dev/null
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	ultractl partition stop linux >/dev/null 2>&1
	ultractl partition destroy linux >/dev/null 2>&1
	ultractl partition destroy console-io >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap lcleanup EXIT
# PTYs need devpts, which the emulated host does not mount by itself
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"

CMDLINE="console=ttyS0 earlycon=uart8250,io,0x3f8 pci=off 8250.nr_uarts=1 uvguest=console"
load
cmdd_start
# the console server's identity: an I/O partition, as in the product (docs/operations.md)
out=$(ultractl partition create console-io --role io --mem 4M) || fail "create console-io failed: $out"
out=$(ultractl partition create linux --mem 256M --kernel /guests/linux/vmlinuz \
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
check "uv_chanbus found the console channel" has "$con" 'uv_chanbus: channel [0-9]* \(console\) at'
check "/dev/hvc0 appeared and the shell runs on it" has "$con" '^uv-linux-guest: shell on hvc0$'

pty=$(cat /tmp/crun/linux.pty) || fail "no pty for linux"
cat "$pty" >/tmp/pty.out &
catpid=$!
sleep 0.5
# shellcheck disable=SC2016 # the guest's shell expands it
printf 'echo $((6*7)) marker\n' >"$pty"
i=0
while ! grep -q '^42 marker' /tmp/pty.out; do
	i=$((i + 1)); [ $i -lt 300 ] || break
	sleep 0.1
done
echo "--- pty output"
tr -d '\r' </tmp/pty.out
echo "--- console log"
cat /tmp/clog/linux.log
check "the command typed into the PTY ran in the guest and its output came back" \
	grep -q '^42 marker' /tmp/pty.out

# the server gone: the guest must survive it
kill "$cpid"
wait "$cpid"
cpid=
sleep 3
con=$(ultractl console linux | tr -d "\r")
check "the guest runs on after consoled is gone" [ "$(part_state linux)" = running ]
bad=$(printf '%s\n' "$con" | grep -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace:|unchecked MSR|general protection|RIP: 00')
check "no warning, bug, oops or panic in the guest's log" [ -z "$bad" ]
[ -z "$bad" ] || printf '%s\n' "$bad"
kill "$catpid" 2>/dev/null
catpid=

out=$(ultractl partition stop linux) || fail "stop failed: $out"
out=$(ultractl partition destroy linux) || fail "destroy failed: $out"
ultractl channel list
check "the console channel went with the partition" sh -c "! ultractl channel list | grep -q ' console '"
out=$(ultractl partition destroy console-io) || fail "destroy console-io failed: $out"
check "db verify after destroy" ultractl db verify
check "db check after destroy" ultractl db check
