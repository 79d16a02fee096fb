# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# A triple fault in a partition ("tfault": empty IDT, then #UD) ends that partition
# "faulted" with reason triple-fault; the host goes on and can run another guest.

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
