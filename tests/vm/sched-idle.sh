# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=240
# Idle slots are Linux's: a partition with duty 4 (slots 0-3) and 12 idle slots on the
# only CPU. A host busy loop on that CPU makes >= 70 % of the progress it makes alone,
# while the guest still gets its slots (up to its 25 %). The accounting also comes as
# sched-stats events, every 250 ms (stats_event_ms=) and on demand (stats --event).
load stats_event_ms=250
ultractl events --timeout 60 >/tmp/ev.out 2>&1 &
evpid=$!
ultractl pool grow 16M >/dev/null || fail "pool grow failed"
part_cpus
alone=$(taskset -c 0 busyloop 2000) || fail "busyloop"
echo "host busy loop alone: $alone rounds in 2 s"
sched_create G 0 4 0
ultractl partition load G /guests/spinc.elf >/dev/null || fail "load"
ultractl partition start G >/dev/null || fail "start"
sleep 0.5
ns0=$(sched_stat G run_ns)
t0=$(awk '{ print $1 }' /proc/uptime)
shared=$(taskset -c 0 busyloop 2000) || fail "busyloop"
t1=$(awk '{ print $1 }' /proc/uptime)
ns1=$(sched_stat G run_ns)
ultractl stats G
echo "host busy loop beside a duty-4 guest: $shared rounds in 2 s"
awk -v a="$alone" -v s="$shared" -v n=$((ns1 - ns0)) -v t="$t0" -v u="$t1" 'BEGIN {
	printf "host: %.1f %% of its alone rate; guest: %.1f %% of the CPU\n", 100 * s / a, 100 * n / 1e9 / (u - t) }'
check "the host keeps >= 70 % of its alone rate" [ $((shared * 100)) -ge $((alone * 70)) ]
check "the guest ran in its slots" [ $((ns1 - ns0)) -gt 100000000 ]
check "the guest got no more than its 25 % (+2)" awk -v n=$((ns1 - ns0)) -v t="$t0" -v u="$t1" \
	'BEGIN { exit !(n / 1e9 <= 0.27 * (u - t)) }'
check "idle slots counted" [ "$(cpu_stat 0 idle_slots)" -gt 0 ]
ultractl stats --event G >/dev/null || fail "stats --event"
sleep 0.5
kill $evpid 2>/dev/null
wait $evpid
grep sched-stats /tmp/ev.out | tail -4
check "periodic and on-demand sched-stats events: CPU 0's executor" \
	[ "$(grep -c 'sched-stats .*message="cpu=0 active=1 cycles=' /tmp/ev.out)" -ge 4 ]
check "and G's share in them" has "$(cat /tmp/ev.out)" 'sched-stats .*partition=.*message="cpu=0 run_ns=[1-9][0-9]* granted=[1-9]'
ultractl partition stop G >/dev/null || fail "stop"
part_destroy G
check "db check" ultractl db check
unload
