# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# Restart recovery is exact when someone else submits between the daemon's journal
# and its own transaction. ultra-consoled attaching to (or, killed, detaching from)
# a console channel makes the module submit a Change Server transaction of its own;
# a test hook (ULTRA_COMMANDD_TEST_HOLD_JOURNAL / _SUBMIT) holds a create right
# after its in-flight journal entry, or right after its submit, while that happens.
#  1. consoled attaches while a create is held after the journal; the daemon is
#     killed there. The module's log has consoled's BEGIN at the very position the
#     journal entry recorded, and it committed - but it is not the create's (its
#     tag differs): the new daemon drops the entry and the client's retry creates
#     the partition, once.
#  2. consoled is killed (the module detaches it) while a create is held after the
#     journal, attaches again while it is held after its submit; the daemon is
#     killed there. The create is found by its tag between the two and rolled
#     forward; the retry gets its answer, nothing is created twice.
# Then: db check, db verify, one committed create per partition in the audit log.
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"
S=/run/ultravisor/commandd.sock
HJ=/tmp/hold-journal
HS=/tmp/hold-submit
L=/tmp/commandd.log
cmdd_cleanup() {
	rm -f $HJ $HS
	unset ULTRA_COMMANDD_TEST_HOLD_JOURNAL ULTRA_COMMANDD_TEST_HOLD_SUBMIT
	[ -n "$con_pid" ] && kill -9 "$con_pid" 2>/dev/null && wait "$con_pid" 2>/dev/null
	# the partitions go through a daemon, also when the test ended without one
	[ -n "$cmdd_pid" ] || cmdd_start
	for p in v1 v2 cl console-io; do
		ultractl partition destroy "$p" >/dev/null 2>&1
	done
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap cmdd_cleanup EXIT
wait_for() { # FILE PATTERN WHAT
	_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "$3: $(tail -3 "$1")"
		sleep 0.1
	done
}
kill_daemon() {
	kill -9 "$cmdd_pid"
	wait "$cmdd_pid" 2>/dev/null
	cmdd_pid=
}
start_consoled() {
	ultra-consoled -l /tmp/clog -r /tmp/crun >"$1" 2>&1 &
	con_pid=$!
	wait_for "$1" 'attached' "consoled did not attach"
}
journal_field() { # ID FIELD: of the in-flight entry
	tr '{' '\n' <"$J" | sed -n "s/.*\"id\":\"$1\".*\"$2\":\"*\([0-9a-f]*\).*/\1/p"
}
# the audit log's record number seq: its text
log_at() { ultractl db log | awk -v s="$1" '$1 == s { $1 = ""; print; exit }'; }
creates_of() { ultractl db log | grep -c "Initialize Partition.*(\"$1\""; }

load
cmdd_start
ultractl partition create console-io --mem 4M --duty 1 >/dev/null || fail "create console-io failed"
out=$(commandd_client raw $S '{"id":"mk-cl","op":"create","args":{"name":"cl","memory":8388608,"duty":1,"channels":[{"type":4,"pages":8}]}}') ||
	fail "create cl with a console channel failed: $out"
kill "$cmdd_pid"
wait "$cmdd_pid"

# ---- 1. another client commits where the daemon predicted its own BEGIN -------------
touch $HJ
export ULTRA_COMMANDD_TEST_HOLD_JOURNAL=$HJ
cmdd_start
ultractl partition create v1 --mem 16M --duty 1 --id il-1 >/tmp/c1.out 2>&1 &
c1=$!
wait_for $L 'request il-1 holding after JOURNAL' "the create was not held after its journal"
start_consoled /tmp/consoled1.out
kill_daemon
seq=$(journal_field il-1 seq)
tag=$(journal_field il-1 tag)
echo "in flight: il-1, log position $seq, tag $tag"
check "the journal entry carries a tag" [ -n "$tag" ]
check "the log position it recorded holds another transaction's BEGIN" \
	has "$(log_at "$seq")" 'Begin Transaction'
check "... consoled's attach" has "$(log_at $((seq + 1)))" 'Change Server Channel'
check "... which committed" has "$(log_at $((seq + 2)))" 'Commit Transaction'
check "the create never reached the module" [ "$(creates_of v1)" = 0 ]
unset ULTRA_COMMANDD_TEST_HOLD_JOURNAL
rm -f $HJ
cmdd_start
wait $c1 || fail "the retried create failed: $(cat /tmp/c1.out)"
cat /tmp/c1.out
check "the new daemon dropped the entry (consoled's commit was not the create's)" \
	grep -q 'request il-1 (create v1) had not taken effect: dropped' $L
check "the retry created v1, once" [ "$(creates_of v1)" = 1 ]

# ---- 2. others on both sides: killed after the submit ---------------------------------
touch $HJ $HS
export ULTRA_COMMANDD_TEST_HOLD_JOURNAL=$HJ ULTRA_COMMANDD_TEST_HOLD_SUBMIT=$HS
kill "$cmdd_pid"
wait "$cmdd_pid"
cmdd_start
ultractl partition create v2 --mem 16M --duty 1 --id il-2 >/tmp/c2.out 2>&1 &
c2=$!
wait_for $L 'request il-2 holding after JOURNAL' "the create was not held after its journal"
kill -9 $con_pid
wait $con_pid 2>/dev/null
con_pid=
seq=$(journal_field il-2 seq)
tag2=$(journal_field il-2 tag)
_i=0
until has "$(log_at $((seq + 1)))" 'Change Server Channel'; do
	_i=$((_i + 1))
	[ $_i -lt 100 ] || fail "the module did not detach the killed consoled"
	sleep 0.1
done
rm -f $HJ
wait_for $L 'request il-2 holding after SUBMIT' "the create was not held after its submit"
start_consoled /tmp/consoled2.out
kill_daemon
ultractl db log | awk -v s="$seq" '$1 >= s' | grep -e Begin -e Commit -e Abort -e 'Change Server' \
	-e 'Initialize Partition'
check "consoled's detach is at the recorded position" has "$(log_at $((seq + 1)))" 'Change Server Channel'
check "the create committed once" [ "$(creates_of v2)" = 1 ]
unset ULTRA_COMMANDD_TEST_HOLD_JOURNAL ULTRA_COMMANDD_TEST_HOLD_SUBMIT
rm -f $HS
cmdd_start
wait $c2 || fail "the retried create failed: $(cat /tmp/c2.out)"
cat /tmp/c2.out
check "the new daemon rolled the create forward, found by its tag" \
	grep -q 'request il-2 (create v2) had committed: rolled forward' $L
check "nothing was created twice" [ "$(creates_of v2)" = 1 ]
check "the audit log shows the create's BEGIN with the journal's tag ($tag2)" \
	sh -c "ultractl db log | grep -q 'Begin Transaction  (tag $tag2)\$'"
check "... and so does its JSON" sh -c "ultractl --json db log | grep -q '\"tag\": \"$tag2\"'"
check "v1 is still there once" [ "$(creates_of v1)" = 1 ]

check "the module's db check passes" ultractl db check
out=$(ultractl db verify) || fail "db verify: $out"
check "db verify: replica = module" has "$out" '^replica = module'
kill -9 $con_pid
wait $con_pid 2>/dev/null
con_pid=
for p in v1 v2; do
	ultractl partition destroy $p >/dev/null || fail "destroy $p failed"
done
check "the module's db check passes after the destroys" ultractl db check
