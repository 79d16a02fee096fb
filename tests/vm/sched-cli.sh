# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=180
# A guest spinning with interrupts disabled cannot keep the CPU past its slot: spin
# (cli; endless loop) with duty 1 and spinc with duty 15 share the CPU (-icount: the
# host timer is exact in virtual time). The longest a guest stayed in past a boundary is under
# one host timer tick (4 ms at HZ=250), and spin's time per slot is at most the slot
# length plus one tick.
load
ultractl pool grow 32M >/dev/null || fail "pool grow failed"
part_cpus
sched_create S 0 1 0
sched_create T 0 15 1
ultractl partition load S /guests/spin.elf >/dev/null || fail "load S"
ultractl partition load T /guests/spinc.elf >/dev/null || fail "load T"
ultractl partition start S >/dev/null || fail "start S"
ultractl partition start T >/dev/null || fail "start T"
sleep 4
ultractl stats S T
over=$(cpu_stat 0 overrun_max_ns)
tick=4000000	# the Debian kernel's CONFIG_HZ=250
echo "longest overrun: $over ns; one tick: $tick ns"
check "no guest stayed a tick past its slot" [ "$over" -lt "$tick" ]
ns=$(sched_stat S run_ns) n=$(sched_stat S slots_run)
check "spin ran in its slots" [ "$n" -gt 50 ]
echo "spin: $((ns / n)) ns per slot"
check "spin's time per slot <= slot + one tick" [ $((ns / n)) -le $((1000000 + tick)) ]
for p in S T; do
	ultractl partition stop $p >/dev/null || fail "stop $p"
	part_destroy $p
done
check "db check" ultractl db check
unload
