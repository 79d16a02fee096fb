# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# pause, resume and stop of "spin" (interrupts off, endless loop) through the
# partition ioctls, each within a second, with events; and the rules for running
# partitions: a transaction that destroys it, takes its memory or its processor slot
# is refused with EBUSY naming it while it is loaded, running or paused, and changes
# nothing; once stopped, the same destroy succeeds, and the database checks clean.
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
timed() {
	_what=$1 _lim=$2
	shift 2
	_t0=$(now_ms)
	"$@" >/dev/null || fail "$_what: failed"
	_dt=$(($(now_ms) - _t0))
	echo "$_what: $_dt ms"
	[ $_dt -lt "$_lim" ] || fail "$_what took $_dt ms (limit $_lim)"
}
refused() { # WHAT TXN-FILE
	_h=$(db_hash)
	_out=$(ultractl txn apply "$2" 2>&1) && fail "$1 accepted while $(part_state spin)"
	echo "$_out"
	has "$_out" "partition \[[0-9,]+\] \"spin\" is $(part_state spin): stop it before.*\[EBUSY\]" ||
		fail "$1: not refused with EBUSY naming spin: $_out"
	[ "$(db_hash)" = "$_h" ] || fail "$1: the refused transaction changed the database"
	echo "ok - $1 refused while $(part_state spin)"
}
load
ultractl pool grow 16M >/dev/null || fail "pool grow failed"
part_cpus
h0=$(db_hash)
ultractl events --timeout 100 >/tmp/ev.out 2>/tmp/ev.err &
evpid=$!
sleep 1
part_create spin 16 1
uv_mkpart destroy spin >/tmp/d.txt || fail "uv_mkpart destroy"
uv_mkpart take spin >/tmp/take.txt || fail "uv_mkpart take"
uv_mkpart unslot spin >/tmp/unslot.txt || fail "uv_mkpart unslot"
ultractl partition load spin /guests/spin.elf >/dev/null || fail "load failed"
refused "destroy while loaded" /tmp/d.txt
timed "start" 2000 ultractl partition start spin
sleep 1
check "spin is running" [ "$(part_state spin)" = running ]
refused "destroy while running" /tmp/d.txt
refused "taking its memory while running" /tmp/take.txt
refused "taking its processor slot while running" /tmp/unslot.txt
timed "pause" 1000 ultractl partition pause spin
check "paused" [ "$(part_state spin)" = paused ]
refused "destroy while paused" /tmp/d.txt
c1=$(part_field spin host)
sleep 1
check "no guest entries while paused" [ "$(part_field spin host)" = "$c1" ]
timed "resume" 1000 ultractl partition resume spin
check "running again" [ "$(part_state spin)" = running ]
sleep 1
check "it runs after resume (host exits grow)" [ "$(part_field spin host)" -gt "$c1" ]
out=$(ultractl partition unload spin 2>&1) && fail "unload of a running partition accepted"
check "unload while running is EBUSY" has "$out" '\[EBUSY\]'
timed "stop" 1000 ultractl partition stop spin
check "stopped" [ "$(part_state spin)" = stopped ]
out=$(ultractl txn apply /tmp/d.txt) || fail "destroy after stop refused: $out"
check "instance gone with the partition" sh -c "! ultractl partition status spin 2>/dev/null"
check "db check after destroy" ultractl db check
check "database image as before" [ "$(db_hash)" = "$h0" ]
sleep 1
kill $evpid 2>/dev/null
wait $evpid
ev=$(cat /tmp/ev.out)
grep partition-state /tmp/ev.out
check "event: paused" has "$ev" 'state=running->paused message="paused"'
check "event: resumed" has "$ev" 'state=paused->running message="resumed"'
check "event: stopped" has "$ev" 'state=running->stopped message="stopped"'
check "refusals raised error events naming spin" has "$ev" 'error .*errno=EBUSY .*"spin" is running'
unload
