# SPDX-License-Identifier: GPL-2.0
# vmtest: smp=1 icount timeout=240
# A schedule change while the guests run takes effect at the wrap of the 16-slot cycle,
# with no slot lost or doubled: A 8, B 4, C 4 (Figure 5) run; a transaction moves slots
# 4-7 from A to B. The executor takes it at the start of a cycle (last_swap_cycle), and
# between the two last swaps each partition was granted exactly duty x cycles slots,
# after the swap the new duties (A 4, B 8) per cycle. A slot length change (Change
# SlotLength) is taken at a wrap too. Taking all of a running partition's slots on its
# CPU is still refused.
load
ultractl pool grow 64M >/dev/null || fail "pool grow failed"
part_cpus
sched_create A 0 8 0
sched_create B 0 4 8
sched_create C 0 4 12
for p in A B C; do
	ultractl partition load $p /guests/spinc.elf >/dev/null || fail "load $p"
	ultractl partition start $p >/dev/null || fail "start $p"
done
sleep 1
sw0=$(cpu_stat 0 swaps)
sched_move 0 4 7 "$SCHED_ID_A" "$SCHED_ID_B"
echo "schedule change committed"
ultractl cpu show
sleep 1
ultractl stats A B C
sw1=$(cpu_stat 0 swaps)
last=$(cpu_stat 0 last_swap_cycle)
check "one swap for the change" [ $((sw1 - sw0)) = 1 ]
# exact: GRANTED-DIFF = DUTY x CYCLES between the last two swaps; then the new duty
exact() { # NAME OLD-DUTY NEW-DUTY
	_l=$(ultractl stats "$1" | grep '^partition')
	_v() { echo "$_l" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
	_c0=$(($(_v swap0_cycle) - 1)) _c1=$(($(_v swap1_cycle) - 1))
	_g0=$(_v swap0_granted) _g1=$(_v swap1_granted) _g=$(_v granted) _n=$(_v cycles)
	echo "$1: swaps at cycles $_c0 and $_c1 (granted $_g0, $_g1); now cycle $_n, granted $_g"
	[ "$_c1" = "$last" ] || fail "$1: its last swap ($_c1) is not the CPU's ($last)"
	[ $((_g1 - _g0)) = $(($2 * (_c1 - _c0))) ] ||
		fail "$1: $((_g1 - _g0)) slots in $((_c1 - _c0)) cycles before the change, not $2 each"
	_after=$((_g - _g1)) _min=$(($3 * (_n - _c1)))
	in_range $_after $_min $((_min + $3)) ||
		fail "$1: $_after slots in $((_n - _c1)) cycles after the change, not $3 each"
	echo "ok - $1: $2 per cycle up to the wrap at cycle $_c1, $3 per cycle from it"
}
exact A 8 4
exact B 4 8
exact C 4 4
# the slot length is the processor descriptor's: a transaction changes it, the executor
# takes it at a wrap like a schedule, and cycles then take 16 x 500 us
slot_len() { # FROM TO
	printf 'Begin Transaction\nChange SlotLength Processor%s, from %s, to %s\nCommit Transaction\n' \
		"$SCHED_PROC_0" "$1" "$2" >/tmp/slot-len.txt
	ultractl txn apply /tmp/slot-len.txt 2>&1
}
out=$(slot_len 1000us 50us) && fail "a 50 us slot accepted"
check "a slot below 100 us refused" has "$out" 'EINVAL|Invalid argument'
out=$(slot_len 500us 250us) && fail "a wrong before image accepted"
check "a slot length change with the wrong 'from' refused" has "$out" 'EFROM'
sw0=$(cpu_stat 0 swaps)
out=$(slot_len 1000us 500us) || fail "slot length 500 us: $out"
sleep 0.1
c0=$(cpu_stat 0 cycles)
sleep 1
c1=$(cpu_stat 0 cycles)
check "one swap for the slot length" [ $(($(cpu_stat 0 swaps) - sw0)) = 1 ]
check "the executor runs 500 us slots" [ "$(cpu_stat 0 slot_ns)" = 500000 ]
echo "cycles in 1 s with 500 us slots: $((c1 - c0)) (125 expected)"
check "a cycle takes 8 ms now" in_range $((c1 - c0)) 115 130
check "cpu show: 500us" has "$(ultractl cpu show | grep '^0 ' | tr -s ' ')" '^0 [a-z]+ 500us '
uv_mkpart unslot A >/tmp/unslot.txt || fail "uv_mkpart unslot"
out=$(ultractl txn apply /tmp/unslot.txt 2>&1) && fail "taking all of running A's slots accepted"
check "taking A's last slots refused with EBUSY" has "$out" '"A" is running: stop it before.*\[EBUSY\]'
for p in A B C; do
	ultractl partition stop $p >/dev/null || fail "stop $p"
	part_destroy $p
done
check "db check" ultractl db check
unload
