# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# The "exits" guest makes 2000 each of CPUID, VMMCALL and port-I/O exits, times them
# with RDTSC and reports the cycles per exit on its console; the monitor counts them.
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
mt_run p0 exits 1 "n=2000"
mt_wait p0 '^(stopped|faulted)$' 1200 || fail "exits still $(mt_state p0) after 120 s"
con=$(cat $D/p0/console)
printf '%s\n' "$con"
check "exits exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
for k in cpuid vmmcall pio; do
	check "$k figure reported" has "$con" "^exits: $k [0-9]+ cycles\$"
done
check "2000 CPUID exits counted" [ "$(mt_field p0 exits_cpuid)" -ge 2000 ]
check "2000 hypercalls counted" [ "$(mt_field p0 exits_hypercall)" -ge 2000 ]
check "2000 port exits counted" [ "$(mt_field p0 exits_io)" -ge 2000 ]
mt_ctl p0 stop
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
