# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=240
# Placement requests through the command daemon (docs/command-api.md, `cpu`/`offset`):
# `ultractl partition create A --cpu 0 --duty 8 --offset 0`, B 4 at 8, C 4 at 12 is
# Figure 5, `cpu show` prints it, and the three spinc guests get 50/25/25 % of the CPU
# (module accounting, within 2 points); a fourth asking for slots 6-9 is refused with
# EBUSY naming A and the transaction's own reason (EFROM), and changes nothing.
cmdd_cleanup() {
	for p in A B C; do
		ultractl partition stop $p >/dev/null 2>&1
		ultractl partition destroy $p >/dev/null 2>&1
	done
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap cmdd_cleanup EXIT
load
cmdd_start
for x in "A 8 0" "B 4 8" "C 4 12"; do
	set -- $x
	out=$(ultractl partition create "$1" --mem 16M --cpu 0 --duty "$2" --offset "$3" \
		--image /guests/spinc.elf 2>&1) || fail "create $1: $out"
done
ultractl cpu show
check "cpu show: CPU 0 is A x8, B x4, C x4" \
	has "$(ultractl cpu show | grep '^0 ' | tr -s ' ')" '^0 [a-z]+ 1ms A A A A A A A A B B B B C C C C ?$'
h0=$(db_hash)
out=$(ultractl partition create D --mem 16M --cpu 0 --duty 4 --offset 6 2>&1) &&
	fail "slots 6-9 given to D over A"
echo "refused: $out"
check "the collision is EBUSY, names A and the transaction's reason" \
	has "$out" 'collide with A \(slot 6\).*EFROM.*EBUSY|EBUSY.*collide with A \(slot 6\).*EFROM'
check "the refused create changed nothing" [ "$(db_hash)" = "$h0" ]
for p in A B C; do ultractl partition start $p >/dev/null || fail "start $p"; done
sleep 0.5
a0=$(sched_stat A run_ns) b0=$(sched_stat B run_ns) c0=$(sched_stat C run_ns)
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 3
a1=$(sched_stat A run_ns) b1=$(sched_stat B run_ns) c1=$(sched_stat C run_ns)
t1=$(cut -d' ' -f1 /proc/uptime)
share() { awk -v n="$1" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", 1000 * n / 1e9 / (b - a) }'; }
sa=$(share $((a1 - a0))) sb=$(share $((b1 - b0))) sc=$(share $((c1 - c0)))
echo "shares (per mille): A $sa B $sb C $sc"
check "A gets 50 % (+-2)" in_range "$sa" 480 520
check "B gets 25 % (+-2)" in_range "$sb" 230 270
check "C gets 25 % (+-2)" in_range "$sc" 230 270
for p in A B C; do
	ultractl partition stop $p >/dev/null || fail "stop $p"
	ultractl partition destroy $p >/dev/null || fail "destroy $p"
done
check "db check" ultractl db check
