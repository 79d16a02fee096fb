# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# A triple fault in a partition ("tfault": empty IDT, then #UD) ends that partition
# "faulted" with reason triple-fault; the host goes on and can run another guest.
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
mt_run p0 tfault 1
mt_wait p0 '^(stopped|faulted)$' 300 || fail "tfault still $(mt_state p0) after 30 s"
cat $D/p0/status
check "tfault faulted" [ "$(mt_state p0)" = faulted ]
check "reason triple-fault" [ "$(mt_field p0 fault)" = triple-fault ]
check "it printed before going down" has "$(cat $D/p0/console)" '^tfault: loading an empty IDT'
mt_ctl p0 stop
# the same partition can be loaded again and runs a good guest
cat /guests/hello.elf >$D/p0/image
mt_ctl p0 load
mt_ctl p0 start
mt_wait p0 '^(stopped|faulted)$' 300 || fail "hello after tfault: still $(mt_state p0)"
check "hello after tfault exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
mt_ctl p0 stop
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
