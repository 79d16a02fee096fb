# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=900
# Restart without disturbance: a "keeper" partition (the spin guest) is started
# through ultra-commandd, then 50 cycles of create/start/stop/destroy (200
# requests, each with its own request id) run while the daemon is killed with
# SIGKILL before 50 randomly chosen requests, at a random moment within about
# the time such a request takes (commandd_client crashloop: seed printed). After
# every kill a new daemon starts and the client retries the same request id until
# it is answered. Every request must succeed (a create done twice would answer
# EEXIST, a lost one ENOENT), each loop partition must be gone after its destroy,
# and the keeper must be running with growing counters after every cycle. At the
# end: the module's checker passes, db verify shows replica = module, the audit
# log has exactly 50 committed creates and 50 destroys of loop partitions, the
# keeper never stopped, and the pool holds only what the keeper uses.
# Takes ~40 s under TCG on 2 cores (the loop itself; ~50 s with the boot).
S=/run/ultravisor/commandd.sock
J=/tmp/commandd.journal
CYCLES=50
KILLS=50
cmdd_cleanup() {
	[ -f $J.pid ] && cmdd_pid=$(cat $J.pid)
	[ -z "$cmdd_pid" ] && return
	for p in $(ultractl --json partition list 2>/dev/null | sed -n 's/.*"name": "\(keeper\|loop[0-9]*\)".*/\1/p'); do
		ultractl partition stop "$p" >/dev/null 2>&1
		ultractl partition destroy "$p" >/dev/null 2>&1
	done
	kill "$cmdd_pid" 2>/dev/null
}
trap cmdd_cleanup EXIT
run_field() { ultractl --json partition show keeper | sed -n "s/.*\"$1\": \([0-9a-z]*\).*/\1/p"; }

load
mkdir -p /run/ultravisor
seed=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
# the keeper goes first, through a daemon the crash loop does not kill
ultra-commandd --journal $J >>$J.log 2>&1 &
cmdd_pid=$!
_i=0
until ultractl partition list >/dev/null 2>&1; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "the daemon did not come up: $(tail -3 $J.log)"
	sleep 0.1
done
ultractl partition create keeper --mem 16M --duty 4 --image /guests/spin.elf ||
	fail "create keeper failed"
ultractl partition start keeper || fail "start keeper failed"
sleep 1
e0=$(run_field exits)
echo "keeper running, $e0 exits"
kill $cmdd_pid
wait $cmdd_pid
cmdd_pid=

t0=$(cut -d. -f1 /proc/uptime)
commandd_client crashloop $S $J /guests/spin.elf $CYCLES $KILLS "$seed" keeper ||
	fail "crash loop failed (seed $seed; replay with CRASH_SEED=$seed): $(tail -5 $J.log)"
echo "crash loop took $(($(cut -d. -f1 /proc/uptime) - t0)) s"
cmdd_pid=$(cat $J.pid)
echo "daemon log: $(grep -c 'ready: serving' $J.log) starts; in-flight requests settled: $(grep -c 'had committed: rolled forward' $J.log) rolled forward, $(grep -c -e 'had not taken effect' -e 'was in flight: dropped' $J.log) dropped (retried)"

check "the module's db check passes" ultractl db check
out=$(ultractl db verify) || fail "db verify: $out"
echo "$out"
check "db verify: replica = module" has "$out" '^replica = module'
ultractl db log >/tmp/audit.txt || fail "db log failed"
creates=$(grep -c 'Initialize Partition.*("loop[0-9]*"' /tmp/audit.txt)
echo "audit log: $creates creates of loop partitions"
check "every loop partition was created exactly once" [ "$creates" = $CYCLES ]
check "no loop partition is left" sh -c '! ultractl partition list | grep -q "^loop"'
check "the keeper still runs" [ "$(ultractl --json partition show keeper | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p')" = running ]
check "the keeper never stopped by itself" [ "$(run_field exited)" = false ]
e1=$(run_field exits)
echo "keeper exits: $e0 -> $e1"
check "the keeper kept running all along (its counters grew)" [ "$e1" -gt "$e0" ]
pool=$(ultractl --json pool show | sed -n 's/.*"pool_bytes": \([0-9]*\).*/\1/p')
check "the pool holds only the keeper's 16 MiB (+ a page for descriptors)" [ "$pool" -le $((20 << 20)) ]
