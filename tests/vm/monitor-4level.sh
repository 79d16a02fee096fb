# SPDX-License-Identifier: GPL-2.0
# vmtest: cpu=max,la57=off timeout=240
# The monitor on a host with 4-level paging (-cpu max,la57=off): nested page tables
# have 4 levels, hello exits 0, escapes fault with their address, a triple fault
# ends faulted, and a spinning guest can be paused and stopped.

mt_load
check "the host runs 4-level paging" sh -c '! grep -qw la57 /proc/cpuinfo'
mt_run p0 hello 1
mt_wait p0 '^(stopped|faulted)$' 300 || fail "hello still $(mt_state p0) after 30 s"
check "4-level nested page tables" [ "$(mt_field p0 npt_levels)" = 4 ]
check "hello exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
check "hello's checks passed" has "$(cat $D/p0/console)" '^hello: all checks passed$'
mt_ctl p0 stop
mt_ctl p0 destroy

host=$(cat $D/hostpage)
for t in "above 0x1000000 r" "addr $host w" "exec 0x1000000 x"; do
	# shellcheck disable=SC2086 # split into target, address, access
	set -- $t
	mt_run p0 escape 1 "target=$1 addr=$host"
	mt_wait p0 '^(stopped|faulted)$' 300 ||
		{ mt_dump p0; fail "escape $1: still $(mt_state p0)"; }
	check "escape $1: faulted at $2 ($3)" [ "$(mt_state p0) $(($(mt_field p0 fault_gpa))) $(mt_field p0 fault_access)" = "faulted $(($2)) $3" ]
	mt_ctl p0 stop
	mt_ctl p0 destroy
done
check "the host page is intact" [ "$(cat $D/hostcheck)" = intact ]

mt_run p0 tfault 1
mt_wait p0 '^(stopped|faulted)$' 300 || fail "tfault still $(mt_state p0)"
check "tfault: triple-fault" [ "$(mt_field p0 fault)" = triple-fault ]
mt_ctl p0 stop
mt_ctl p0 destroy

mt_run p0 spin 1
sleep 1
mt_ctl p0 pause
check "spin paused" [ "$(mt_state p0)" = paused ]
mt_ctl p0 resume
mt_ctl p0 stop
check "spin stopped" [ "$(mt_state p0)" = stopped ]
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
