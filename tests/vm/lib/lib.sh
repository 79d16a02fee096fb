# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Helpers for in-VM tests (sourced before each tests/vm/NAME.sh by the runner).

# fail REASON: end the test as failed; REASON becomes the FAIL line's reason.
fail() {
	echo "@@ REASON $*" | tee -a /tmp/reason
	exit 1
}

# check DESCRIPTION CMD...: run CMD; print "ok DESCRIPTION" or fail with DESCRIPTION.
check() {
	_what=$1
	shift
	if "$@"; then echo "ok - $_what"; else fail "$_what"; fi
}

# load [PARAMS...]: insmod ultravisor.ko or fail with the reason
load() {
	insmod /lib/modules/ultravisor.ko "$@" || fail "insmod ultravisor.ko failed"
	[ -c /dev/ultravisor ] || fail "/dev/ultravisor missing after insmod"
}

unload() {
	rmmod ultravisor || fail "rmmod ultravisor failed"
}

# meminfo FIELD: value in kB from /proc/meminfo
meminfo() {
	awk -v f="$1:" '$1 == f {print $2}' /proc/meminfo
}

# kload_kvm: load the test kernel's kvm-amd and its dependencies
kload_kvm() {
	for m in $(cat /lib/modules/kvm.order); do
		insmod /lib/modules/$m.ko || fail "insmod $m failed"
	done
}

# has TEXT ERE: true if TEXT has a line matching the extended regular expression
has() {
	printf '%s\n' "$1" | grep -qE "$2"
}

# kmsgs: ultravisor's kernel lines, without timestamps and the kernel's own taint notices
kmsgs() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | grep 'ultravisor' |
		grep -v 'module verification failed\|taints kernel'
}

# refusal_lines: the distinct error-level (KERN_ERR) lines ultravisor logged. The
# feature report before a refusal is informational. busybox insmod tries
# finit_module() and then init_module(), so a refused init runs twice: hence sort -u.
refusal_lines() {
	dmesg -r | sed -n 's/^<3>\[[ 0-9.]*\] //p' | grep 'ultravisor' | sort -u
}
