# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# The monitor runs the "hello" guest on CPU 1 (uv_montest.ko drives the monitor API):
# it prints through the emulated serial port and through the console hypercall, sees
# the CPUID signature and ABI version, and stops itself with exit code 0 via port 0xf4.
D=/sys/kernel/debug/uv_montest
mt_load() {
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	insmod /lib/modules/uv_montest.ko || fail "insmod uv_montest.ko failed"
	[ -d $D ] || fail "no $D"
}
mt_ctl() { echo "$2" >"$D/$1/ctl" || fail "$1: '$2' refused"; }
mt_run() { # SLOT GUEST CPU [CMDLINE]: 16 MiB partition, load, start
	mt_ctl "$1" "create 16 $3"
	cat "/guests/$2.elf" >"$D/$1/image" || fail "$1: cannot write the image"
	mt_ctl "$1" "load $4"
	mt_ctl "$1" start
}
mt_state() { cat "$D/$1/state"; }
mt_field() { sed -n "s/^$2=//p" "$D/$1/status"; }
mt_wait() { # SLOT STATE-ERE TENTHS-OF-SECONDS
	_i=0
	while [ $_i -lt "$3" ]; do
		has "$(mt_state "$1")" "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
trap 'rmmod uv_montest 2>/dev/null' EXIT

mt_load
mt_run p0 hello 1
mt_wait p0 '^(stopped|faulted)$' 300 || fail "hello still $(mt_state p0) after 30 s"
cat $D/p0/status
con=$(cat $D/p0/console)
printf '%s\n' "$con"
check "hello stopped by itself" [ "$(mt_field p0 exited)" = 1 ]
check "exit code 0" [ "$(mt_field p0 exit_code)" = 0 ]
check "serial output in the console" has "$con" '^hello: serial port works$'
check "hypercall output in the console" has "$con" '^hello: hypercall console works$'
check "the guest's own checks passed" has "$con" '^hello: all checks passed$'
check "CPUID and port exits were counted" [ "$(mt_field p0 exits_cpuid)" -ge 3 ]
# nested paging walks as many levels as the host pages with: 5 on an LA57 host (a
# bzImage boot under -cpu max), 4 otherwise (the PVH vmlinux boot never enables LA57)
if grep -qw la57 /proc/cpuinfo; then lv=5; else lv=4; fi
check "nested page tables with $lv levels, as the host" [ "$(mt_field p0 npt_levels)" = $lv ]
mt_ctl p0 stop
mt_ctl p0 destroy
check "state none after destroy" [ "$(mt_state p0)" = none ]
rmmod uv_montest || fail "rmmod uv_montest failed"
check "the partition's stop was logged" has "$(dmesg)" 'partition p0 stopped: exit code 0'
