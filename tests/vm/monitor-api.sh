# SPDX-License-Identifier: GPL-2.0
# The monitor's lifecycle calls refuse what the state does not allow, with an error
# and no change: start before load, load or start while running, pause or resume when
# not running, stop when nothing runs, a CPU that does not exist, a bad memory size.
refused() { # SLOT COMMAND: the command must fail
	! echo "$2" >"$D/$1/ctl" 2>/dev/null || fail "$1: '$2' was accepted in state $(mt_state "$1")"
	echo "ok - $1: '$2' refused in state $(mt_state "$1")"
}

mt_load
refused p0 start
refused p0 "create 16 99"
refused p0 "create 3 1"
refused p0 "create 0 1"
mt_ctl p0 "create 16 1"
refused p0 "create 16 1"
refused p0 start
refused p0 pause
refused p0 stop
cat /guests/spin.elf >$D/p0/image
mt_ctl p0 load
check "loaded" [ "$(mt_state p0)" = loaded ]
refused p0 resume
refused p0 pause
mt_ctl p0 start
refused p0 start
refused p0 load
mt_ctl p0 pause
mt_ctl p0 pause
refused p0 load
mt_ctl p0 resume
mt_ctl p0 resume
check "running" [ "$(mt_state p0)" = running ]
mt_ctl p0 stop
refused p0 stop
refused p0 pause
refused p0 start
check "stopped, not by itself" [ "$(mt_state p0) $(mt_field p0 exited)" = "stopped 0" ]
mt_ctl p0 destroy
grep -qx 'partitions=0' $D/counters || fail "a partition is left: $(cat $D/counters)"
rmmod uv_montest || fail "rmmod uv_montest failed"
