# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# A guest that spins with interrupts off ("spin") cannot take the CPU from the host:
# host interrupts force it out, so pause, resume and stop each take effect within a
# second (normally milliseconds), a shell command pinned to its CPU answers within a
# second, another partition on the same CPU still runs to its end, and with both CPUs
# spinning the host still answers. No RCU stall or soft lockup may be reported.
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# timed DESCRIPTION LIMIT_MS CMD...: run CMD, fail if it fails or takes LIMIT_MS or more
timed() {
	_what=$1 _lim=$2
	shift 2
	_t0=$(now_ms)
	"$@" || fail "$_what: failed"
	_dt=$(($(now_ms) - _t0))
	echo "$_what: $_dt ms"
	[ $_dt -lt "$_lim" ] || fail "$_what took $_dt ms (limit $_lim)"
}

mt_load
mt_run p0 spin 1
sleep 1
check "spin is running" [ "$(mt_state p0)" = running ]
check "spin printed" has "$(cat $D/p0/console)" '^spin: spinning'
h0=$(mt_field p0 exits_host)
timed "a shell command on the spinning CPU" 1000 taskset -c 1 sh -c 'cat /proc/loadavg'
sleep 1
h1=$(mt_field p0 exits_host)
echo "host-interrupt exits: $h0 -> $h1"
check "host interrupts keep taking the CPU back" [ "$h1" -gt "$h0" ]

timed "pause" 1000 mt_ctl p0 pause
check "paused" [ "$(mt_state p0)" = paused ]
h0=$(mt_field p0 exits_host)
sleep 1
check "no guest entries while paused" [ "$(mt_field p0 exits_host)" = "$h0" ]
timed "resume" 1000 mt_ctl p0 resume
check "running again" [ "$(mt_state p0)" = running ]
sleep 1
check "guest entries again after resume" [ "$(mt_field p0 exits_host)" -gt "$h0" ]

# another partition on the same CPU gets its share
mt_run p1 hello 1
mt_wait p1 '^(stopped|faulted)$' 300 || fail "hello beside spin on CPU 1: still $(mt_state p1)"
check "hello on the spinning CPU exited 0" [ "$(mt_field p1 exited) $(mt_field p1 exit_code)" = "1 0" ]
mt_ctl p1 stop
mt_ctl p1 destroy

# both CPUs spinning
mt_run p2 spin 0
sleep 1
timed "a shell command with both CPUs spinning" 1000 sh -c 'ls /proc >/dev/null; cat /proc/uptime'
timed "a command pinned to CPU 0" 1000 taskset -c 0 cat /proc/loadavg
timed "stop on CPU 0" 1000 mt_ctl p2 stop
check "CPU 0 spin stopped, not by itself" [ "$(mt_state p2) $(mt_field p2 exited)" = "stopped 0" ]
mt_ctl p2 destroy

# pause then stop, and stop while running
timed "pause again" 1000 mt_ctl p0 pause
timed "stop while paused" 1000 mt_ctl p0 stop
check "stopped" [ "$(mt_state p0)" = stopped ]
! echo start >$D/p0/ctl 2>/dev/null || fail "a stopped partition started without a new load"
cat /guests/spin.elf >$D/p0/image
mt_ctl p0 load
mt_ctl p0 start
sleep 0.5
timed "stop while running" 1000 mt_ctl p0 stop
mt_ctl p0 destroy
timed "destroy with a running partition" 2000 sh -c "echo 'create 16 1' >$D/p3/ctl && cat /guests/spin.elf >$D/p3/image && echo load >$D/p3/ctl && echo start >$D/p3/ctl && sleep 0.3 && echo destroy >$D/p3/ctl"
timed "rmmod" 2000 rmmod uv_montest
