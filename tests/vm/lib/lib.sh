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
