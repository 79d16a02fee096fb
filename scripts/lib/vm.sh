# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scripts/lib/vm.sh: boot the emulated host (QEMU TCG, -cpu max: AMD SVM with nested
# paging) on the Debian test kernel with a busybox initramfs. Sourced by scripts/vmtest,
# scripts/demo and scripts/check-harness. See docs/testing.md.
#
# Nothing here ever loads a module into the kernel of the machine that runs it: modules
# go into the initramfs and are loaded by the emulated host.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${UV_CACHE:-$TOP/cache}

# Kernel messages that fail a run even when every test said PASS.
# shellcheck disable=SC2034 # used by the scripts that source this file
# (soft lockups print "BUG: soft lockup", lockdep and WARN() print "WARNING:")
OOPS_RE='Oops|kernel BUG at|BUG:|Kernel panic|general protection fault|Call Trace:|WARNING:|UBSAN:|KASAN:|RIP: 00|kmemleak:|INFO: task .* blocked|detected stalls'

vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

now_us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }

# vm_pin: the command prefix that keeps QEMU on one CPU of this machine (the first this
# process may use), or nothing when VM_PIN is set empty. With its emulated CPUs' threads
# on two cores, QEMU 7.2 (Debian 12) now and then hands a guest of the emulated host a
# wrong RIP, or the host's own state, back from VMRUN (docs/testing.md): 7 of 21 runs of
# a test pair against none of 24 on one core. Likely a translation race upstream fixed
# in 8.1 ("accel/tcg: Always lock pages before translation"). VM_PIN=N pins to CPU N.
vm_pin() {
	local cpu=${VM_PIN-auto}
	[ -n "$cpu" ] || return 0
	if [ "$cpu" = auto ]; then
		cpu=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //; s/[,-].*//')
		[ -n "$cpu" ] || return 0
	fi
	echo "taskset -c $cpu"
}

# vm_kernel: set KV, KDIR, VMLINUX, MODDIR from what scripts/setup recorded
vm_kernel() {
	[ -s "$CACHE/KV" ] || vm_die "no test kernel recorded ($CACHE/KV): run 'make setup'"
	KV=$(cat "$CACHE/KV")
	KDIR=$CACHE/kernel/$KV
	VMLINUX=$KDIR/vmlinux
	MODDIR=$KDIR/lib/modules/$KV
	[ -s "$VMLINUX" ] || vm_die "no test kernel image $VMLINUX: run 'make setup'"
}

# vm_kmod_closure NAME...: module files of the test kernel in load order (deps first),
# resolved on the build machine with modinfo (read-only: nothing is loaded here).
vm_kmod_closure() {
	local -A seen=() path=()
	local out=() f n
	while IFS= read -r f; do
		n=${f##*/}; n=${n%%.ko*}; path[${n//-/_}]=$f
	done < <(find "$MODDIR/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst')
	_vm_visit() {
		local m=${1//-/_} d
		[ -n "${seen[$m]:-}" ] && return
		seen[$m]=1
		[ -n "${path[$m]:-}" ] || vm_die "module $m is not in $MODDIR"
		for d in $(modinfo -F depends "${path[$m]}" | tr ',' ' '); do _vm_visit "$d"; done
		out+=("${path[$m]}")
	}
	local m
	for m in "$@"; do _vm_visit "$m"; done
	printf '%s\n' "${out[@]}"
}

# vm_initrd OUT INIT_SCRIPT DIR...: newc cpio of busybox, our module and programs, the
# test kernel's kvm modules (for tests that need another hypervisor present), /init,
# and every DIR copied under /. Guest layout:
#   /lib/modules/*.ko   ultravisor.ko, test modules (build/harness-modules, build/vm-modules,
#                       build/kselftest),
#                       kvm modules (+ /lib/modules/kvm.order)
#   /bin/               busybox, ultractl and the other programs, in-VM test tools
#   /guests/*.elf       freestanding test guests (build/guests)
#   /guests/linux/      the Linux guest: vmlinuz + initramfs.cpio.gz (build/guests/linux)
vm_initrd() {
	local img=$1 init=$2; shift 2
	local r
	r=$(mktemp -d "$BUILD/vm/root.XXXXXX")
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,run,lib/modules}
	cp /bin/busybox "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	local f
	for f in "$BUILD/kmod/$KV/ultravisor.ko" "$BUILD"/harness-modules/*.ko "$BUILD"/vm-modules/*.ko \
		"$BUILD"/kselftest/*.ko; do
		[ -f "$f" ] && cp "$f" "$r/lib/modules/"
	done
	if [ -d "$BUILD/guests" ]; then
		mkdir -p "$r/guests"
		cp "$BUILD"/guests/*.elf "$r/guests/" 2>/dev/null || true
		# the Linux guest: Debian vmlinuz and its initramfs (tests/guests/linux)
		[ -d "$BUILD/guests/linux" ] && cp -a "$BUILD/guests/linux" "$r/guests/"
	fi
	for f in "$BUILD"/bin/* "$BUILD"/vmtools/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$r/bin/"
	done
	# kvm-amd and its dependencies, decompressed (busybox insmod reads plain .ko only)
	local n
	for f in $(vm_kmod_closure kvm-amd); do
		n=$(basename "$f"); n=${n%%.ko*}
		case $f in
		*.ko.xz) xz -dc "$f" >"$r/lib/modules/$n.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$r/lib/modules/$n.ko" ;;
		*) cp "$f" "$r/lib/modules/$n.ko" ;;
		esac
		echo "$n" >>"$r/lib/modules/kvm.order"
	done
	local d
	for d in "$@"; do cp -a "$d"/. "$r"/; done
	cp "$init" "$r/init"
	chmod +x "$r/init"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$img"
	rm -rf "$r"
}

# vm_run LOG INITRD CPU SMP MEM TIMEOUT APPEND [extra qemu args...]: boot and wait.
# Writes the console to LOG (each line prefixed with host seconds since start, \r
# stripped) and, when VM_TEE=1, also to stdout (without the harness' "@@ " markers).
# VM_KERNEL overrides the kernel image (default: the PVH vmlinux). Sets VM_RC to QEMU's status:
# 33 = guest reported pass, 35 = guest reported fail, 0 = poweroff/panic, 124 = timeout
# (TIMEOUT, or VM_IDLE seconds without a console line).
vm_run() {
	local logf=$1 initrd=$2 cpu=$3 smp=$4 mem=$5 tmo=$6 append=$7
	shift 7
	# shellcheck disable=SC2054 # the commas are inside QEMU option values
	# shellcheck disable=SC2207 # vm_pin prints words
	local cmd=(timeout --kill-after=10 "$tmo" $(vm_pin) qemu-system-x86_64 -nodefaults -no-user-config
		-accel tcg -cpu "$cpu" -smp "$smp" -m "$mem" -display none -serial stdio -no-reboot
		-kernel "${VM_KERNEL:-$VMLINUX}" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 quiet $append"
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@")
	printf '%s\n' "${cmd[*]}" >"$logf.cmd"
	local t0
	t0=$(now_us)
	# VM_IDLE (seconds, optional): a host silent that long is hung; stop it then
	# rather than at TIMEOUT (the reader sends TERM to timeout(1), which passes it on).
	{
		local rc=0 pid
		"${cmd[@]}" </dev/null 2>&1 &
		pid=$!
		echo "$pid" >"$logf.pid"
		wait "$pid" || rc=$?
		echo "@@ QEMU-RC $rc"
	} | {
		local line t st
		while :; do
			st=0
			IFS= read -r ${VM_IDLE:+-t "$VM_IDLE"} line || st=$?
			if [ "$st" -gt 128 ]; then
				echo "@@ VM-SILENT no console output for $VM_IDLE s" >>"$logf"
				kill -TERM "$(cat "$logf.pid")" 2>/dev/null || true
				continue
			fi
			[ "$st" = 0 ] || [ -n "$line" ] || break
			line=${line%$'\r'}
			t=$(($(now_us) - t0))
			printf '%4d.%03d %s\n' $((t / 1000000)) $(((t / 1000) % 1000)) "$line" >>"$logf"
			if [ "${VM_TEE:-0}" = 1 ] && [ "${line#@@ }" = "$line" ]; then printf '%s\n' "$line"; fi
		done
	}
	# shellcheck disable=SC2034 # read by the caller
	VM_RC=$(awk '/@@ QEMU-RC/ {rc=$NF} END {print rc+0}' "$logf")
	# stopped for silence: QEMU exits 0 on TERM, but this is a timeout
	if grep -q '^@@ VM-SILENT' "$logf"; then VM_RC=124; fi
}

# vm_run_tty CONSOLE_LOG SESSION_LOG INITRD CPU SMP MEM APPEND: boot with the user's
# terminal on the emulated host's second serial port (ttyS1: the demo's interactive
# mode) while its kernel console (ttyS0) goes only to CONSOLE_LOG, so the user sees the
# demo and the guest, not the harness' "@@ " lines. QEMU makes the terminal raw and
# passes every key to ttyS1 (signal=off: Ctrl-C goes to the guest) but Ctrl-A, its mux
# escape: Ctrl-A x quits QEMU. SESSION_LOG keeps what ttyS1 printed. No timeout: the
# user is there. Sets VM_RC as vm_run does (33 = the job passed).
vm_run_tty() {
	local logf=$1 slog=$2 initrd=$3 cpu=$4 smp=$5 mem=$6 append=$7
	# shellcheck disable=SC2054 # the commas are inside QEMU option values
	# shellcheck disable=SC2207 # vm_pin prints words
	local cmd=($(vm_pin) qemu-system-x86_64 -nodefaults -no-user-config
		-accel tcg -cpu "$cpu" -smp "$smp" -m "$mem" -display none -no-reboot
		-kernel "${VM_KERNEL:-$VMLINUX}" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 quiet $append"
		-chardev "file,id=con,path=$logf" -serial chardev:con
		-chardev "stdio,id=term,mux=on,signal=off,logfile=$slog" -serial chardev:term
		-device isa-debug-exit,iobase=0xf4,iosize=0x04)
	printf '%s\n' "${cmd[*]}" >"$logf.cmd"
	VM_RC=0
	# shellcheck disable=SC2034 # read by the caller
	"${cmd[@]}" || VM_RC=$?
}
