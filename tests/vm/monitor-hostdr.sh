# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# A host watchpoint (a CPU-wide perf hardware breakpoint on CPU 1) keeps working after
# a guest that never touches the debug registers ran on that CPU: #VMEXIT leaves the
# host's DR7 disabled, and the monitor must put it back after every exit.

mt_load
hwbp_watch 1 6 >/tmp/hwbp 2>&1 &
watcher=$!
sleep 1
check "the watchpoint counts writes before any guest" has "$(cat "/tmp/hwbp")" '^before 100$'
mt_run p0 exits 1 "n=2000"
mt_wait p0 '^(stopped|faulted)$' 1200 || fail "exits still $(mt_state p0) after 120 s"
check "the guest ran on CPU 1 and exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
check "the guest made host-visible exits" [ "$(mt_field p0 exits_cpuid)" -ge 2000 ]
wait $watcher || fail "hwbp_watch failed: $(cat "/tmp/hwbp")"
cat "/tmp/hwbp"
check "the watchpoint still counts every write after the guest" has "$(cat "/tmp/hwbp")" '^after 100$'
mt_ctl p0 stop
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
