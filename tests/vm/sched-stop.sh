# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=240
# Evicting a partition ([0153]): A (slots 0-7) and B (8-15) run spinc; stopping A
# replaces its slots by idle in the executor at once - when stop returns, the running
# and the pending schedule show them idle, A gets no more slots, and from then on
# Linux has 8 slots per cycle while B keeps exactly its 8. The database still names A
# (the command daemon changes it by transaction); db check passes. A restart puts A
# back at the next wrap.
load
ultractl pool grow 64M >/dev/null || fail "pool grow failed"
part_cpus
sched_create A 0 8 0
sched_create B 0 8 8
for p in A B; do
	ultractl partition load $p /guests/spinc.elf >/dev/null || fail "load $p"
	ultractl partition start $p >/dev/null || fail "start $p"
done
sleep 1
ultractl partition stop A >/dev/null || fail "stop A"
st=$(ultractl stats A)
echo "$st"
slots=$(echo "$st" | sed -n 's/^cpu 0:.* slots=\([^ ]*\).*/\1/p')
a=$(sched_stat A granted)
i0=$(cpu_stat 0 idle_slots) c0=$(cpu_stat 0 cycles) b0=$(sched_stat B granted)
check "A's slots are idle at once" has "$slots" '^(-,){8}\[[0-9,]+\](,\[[0-9,]+\]){7}$'
check "and nothing pending brings them back" [ "$(cpu_stat 0 pending)" = 0 ]
sleep 1
i1=$(cpu_stat 0 idle_slots) c1=$(cpu_stat 0 cycles) b1=$(sched_stat B granted)
echo "after the stop: cycles $c0 -> $c1, idle slots $i0 -> $i1, B granted $b0 -> $b1"
check "A granted nothing since" [ "$(sched_stat A granted)" = "$a" ]
check "Linux had 8 slots per cycle" in_range $((i1 - i0)) $((8 * (c1 - c0) - 8)) $((8 * (c1 - c0) + 8))
check "B kept its 8 per cycle" in_range $((b1 - b0)) $((8 * (c1 - c0) - 8)) $((8 * (c1 - c0) + 8))
check "the database still names A: db check passes" ultractl db check
check "cpu show (database) still has A" has "$(ultractl cpu show | grep '^0 ')" ' A +A '
ultractl partition load A /guests/spinc.elf >/dev/null || fail "reload A"
ultractl partition start A >/dev/null || fail "restart A"
sleep 0.5
g=$(sched_stat A granted)
check "A runs again after a restart" [ "$g" -gt 0 ]
for p in A B; do
	ultractl partition stop $p >/dev/null || fail "stop $p"
	part_destroy $p
done
check "db check" ultractl db check
unload
