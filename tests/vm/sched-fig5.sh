# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=240
# Figure 5 of the seed: three partitions share one CPU by duty cycles, A 8/16 at
# offset 0, B 4/16 at offset 8, C 4/16 at offset 12. Each runs spinc (interrupts off,
# one I/O exit per fixed amount of work). Over 5 s of (deterministic, -icount) time
# each one's share, by its own progress and by the module's accounting, is within 2
# points of 50/25/25 %; `ultractl cpu show` prints the schedule; the executor runs
# one cycle every 16 ms and takes no more than one timer interrupt per owner change.
load
ultractl pool grow 64M >/dev/null || fail "pool grow failed"
part_cpus
sched_create A 0 8 0
sched_create B 0 4 8
sched_create C 0 4 12
ultractl cpu show
row=$(ultractl cpu show | grep '^0 ')
check "cpu show: CPU 0 is A x8, B x4, C x4" has "$(echo "$row" | tr -s ' ')" \
	'^0 [a-z]+ 1ms A A A A A A A A B B B B C C C C ?$'
for p in A B C; do
	ultractl partition load $p /guests/spinc.elf >/dev/null || fail "load $p"
done
for p in A B C; do
	ultractl partition start $p >/dev/null || fail "start $p"
done
sleep 1
ultractl stats A B C
check "the executor runs CPU 0's schedule" [ "$(cpu_stat 0 active)" = 1 ]
for p in A B C; do
	eval "io0_$p=\$(sched_stat $p io) ns0_$p=\$(sched_stat $p run_ns)"
done
c0=$(cpu_stat 0 cycles)
f0=$(cpu_stat 0 timer_fires)
t0=$(awk '{ print $1 }' /proc/uptime)
sleep 5
for p in A B C; do
	eval "io1_$p=\$(sched_stat $p io) ns1_$p=\$(sched_stat $p run_ns)"
done
c1=$(cpu_stat 0 cycles)
f1=$(cpu_stat 0 timer_fires)
t1=$(awk '{ print $1 }' /proc/uptime)
ultractl stats A B C
echo "cycles $c0 -> $c1, timer interrupts $f0 -> $f1, uptime $t0 -> $t1"
# shares: WHAT dA dB dC
share() {
	awk -v w="$1" -v a="$2" -v b="$3" -v c="$4" 'BEGIN {
		t = a + b + c; if (t <= 0) { print "no progress"; exit 1 }
		sa = 100 * a / t; sb = 100 * b / t; sc = 100 * c / t
		printf "%s: A %.2f%% B %.2f%% C %.2f%%\n", w, sa, sb, sc
		d = sa - 50; if (d < 0) d = -d; if (d > 2) exit 1
		d = sb - 25; if (d < 0) d = -d; if (d > 2) exit 1
		d = sc - 25; if (d < 0) d = -d; if (d > 2) exit 1
	}'
}
share "progress (I/O reports)" $((io1_A - io0_A)) $((io1_B - io0_B)) $((io1_C - io0_C)) ||
	fail "progress shares not within 2 points of 50/25/25"
share "module accounting (run_ns)" $((ns1_A - ns0_A)) $((ns1_B - ns0_B)) $((ns1_C - ns0_C)) ||
	fail "accounted shares not within 2 points of 50/25/25"
check "the guests had the CPU most of the time (>= 85 % of the window)" awk -v t="$t0" -v u="$t1" \
	-v n=$((ns1_A - ns0_A + ns1_B - ns0_B + ns1_C - ns0_C)) 'BEGIN { exit !(n / 1e9 >= 0.85 * (u - t)) }'
check "5 s is about 312 cycles of 16 ms" in_range $((c1 - c0)) 300 330
check "three timer interrupts per cycle (A, B, C runs), no more" \
	[ $((f1 - f0)) -le $((3 * (c1 - c0) + 3)) ]
for p in A B C; do
	ultractl partition stop $p >/dev/null || fail "stop $p"
done
check "no slot missed while running" [ "$(sched_stat A slots_missed)" -le 16 ]
for p in A B C; do
	part_destroy $p
done
check "db check" ultractl db check
sleep 0.1
check "executor idle once nothing is loaded" [ "$(cpu_stat 0 active)" = 0 ]
unload
