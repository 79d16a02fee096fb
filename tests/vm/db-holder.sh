# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# The command channel: one holder at a time (EBUSY and a log line naming the holder
# for a second), read-only opens unlimited and refused the changing ioctls (EBADF).
# A holder killed with SIGKILL between two steps of a transaction (test hook) leaves
# the database byte-identical to before it; readers waited meanwhile and never saw
# the half-applied transaction; a new holder's snapshot + log equals the module's
# database.
load
mount -t debugfs none /sys/kernel/debug 2>/dev/null
hook=/sys/kernel/debug/ultravisor/txn_pause_after_step
[ -w $hook ] || fail "test hook $hook missing"

ultractl db dump >/tmp/dump || fail "db dump failed"
set -- $(sed -n 's/^UVIndex\[\([0-9]*\),\([0-9]*\),23\].*/\1 \2/p' /tmp/dump)
R="$1,$2"
K=$(sed -n "s/^Map\[$R,18\] PKM: .* \([0-9]*\)-1023:\[$R,20\]\$/\1/p" /tmp/dump)
[ -n "$K" ] || fail "no free page found in the boot region's PKM"
cat >/tmp/create.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($K), from [$R,20], to [$R,24]
Initialize Partition[$R,$K] ("victim", UserV, ...)
Change Owner Map[$R,18], Index($K), from [$R,24], to [$R,$K]
Change Owner Map[$R,18], Index($((K + 1))), from [$R,20], to [$R,$K]
Commit Transaction
TXT

# --- exclusive holder ---
exec 3<>/dev/ultravisor || fail "first command open failed"
out=$(ultractl txn apply /tmp/create.txt 2>&1) && fail "second holder accepted: $out"
echo "$out"
check "second opener gets EBUSY" has "$out" '\[EBUSY\]'
check "the log names the holder's pid" has "$(kmsgs)" "command channel busy: held by pid $$ "
out=$(ultractl db check) || fail "read-only open refused while held: $out"
check "read-only opens work while the channel is held" has "$out" '^snapshot: ok'
out=$(ultractl pool show) || fail "pool show refused while held"
exec 3>&-
out=$(uv_db_probe) || fail "ioctl argument checks failed: $(echo "$out" | grep FAIL)"
echo "$out"
check "read-only fds are refused the changing ioctls" has "$out" 'ok: submit on a read-only fd: EBADF'


# --- killed between steps ---
ultractl db snapshot /tmp/s0 >/dev/null || fail "snapshot failed"
echo 1 >$hook
ultractl txn apply /tmp/create.txt >/tmp/apply.out 2>&1 &
pid=$!
i=0
until grep -q '^paused 1' $hook; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "transaction never paused: $(cat $hook)"
	sleep 0.1
done
echo "hook: $(cat $hook)"
check "the paused process holds the channel" sh -c "! ultractl txn apply /tmp/create.txt 2>/dev/null"
# readers wait for the writer: a reader started now is still blocked 2 s later
ultractl db check >/tmp/reader.out 2>&1 &
rpid=$!
sleep 2
check "a reader waits while the transaction is half applied" kill -0 $rpid
kill -9 $pid
wait $pid
echo "killed holder: status $?, $(cat /tmp/apply.out)"
wait $rpid || fail "reader failed after the rollback: $(cat /tmp/reader.out)"
check "the reader saw a consistent database" has "$(cat /tmp/reader.out)" '^snapshot: ok'
check "hook is off again" grep -q '^off' $hook
check "the module rolled the transaction back" has "$(kmsgs)" 'killed while paused: rolling the transaction back'
ultractl db snapshot /tmp/s1 >/dev/null || fail "snapshot after kill failed"
tail -c +65 /tmp/s0 >/tmp/p0
tail -c +65 /tmp/s1 >/tmp/p1
check "database byte-identical to before the killed transaction" cmp /tmp/p0 /tmp/p1
check "db check passes after the kill" ultractl db check
ultractl db log | tail -6

# --- a new holder resynchronises and works ---
out=$(ultractl db sync --snapshot /tmp/s0) || fail "snapshot + log differs: $out"
echo "$out"
out=$(ultractl txn apply /tmp/create.txt) || fail "new holder's transaction failed: $out"
check "new holder commits" has "$out" 'committed, 4 steps'
out=$(ultractl db sync --snapshot /tmp/s0) || fail "snapshot + log differs after new holder: $out"
echo "$out"
check "new holder's snapshot + log equals the module's database" has "$out" 'equal to the module'

cat >/tmp/destroy.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($((K + 1))), from [$R,$K], to [$R,20]
Change Owner Map[$R,18], Index($K), from [$R,$K], to [$R,24]
Destroy Partition[$R,$K]
Change Owner Map[$R,18], Index($K), from [$R,24], to [$R,20]
Commit Transaction
TXT
check "destroy the partition again" ultractl txn apply /tmp/destroy.txt
unload
