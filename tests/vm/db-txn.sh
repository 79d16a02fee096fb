# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# Transactions in the seed's notation over the command channel: create a partition
# (descriptor page and one page of memory from the boot region), destroy it again;
# a precondition violation is rejected with its reason and changes nothing; one
# event per committed transaction; the module is pinned while the partition exists;
# a replica built from the first snapshot plus the log equals the module's database.
load
ultractl db snapshot /tmp/s0 >/dev/null || fail "snapshot failed"
ultractl db dump >/tmp/dump || fail "db dump failed"
# the boot region: UVIndex[G,M,23]; the first free page: "N-1023:[G,M,20]" in its PKM
set -- $(sed -n 's/^UVIndex\[\([0-9]*\),\([0-9]*\),23\].*/\1 \2/p' /tmp/dump)
G=$1 M=$2
K=$(sed -n "s/^Map\[$G,$M,18\] PKM: .* \([0-9]*\)-1023:\[$G,$M,20\]\$/\1/p" /tmp/dump)
[ -n "$K" ] || fail "no free page found in the boot region's PKM"
P=$((K + 1))
echo "boot region [$G,$M], partition descriptor K=$K, its page K=$P"
R="$G,$M"
cat >/tmp/create.txt <<TXT
# partition X: descriptor page and one 4 KiB page from the boot region
Begin Transaction
Change Owner Map[$R,18], Index($K), from [$R,20], to [$R,24]
Initialize Partition[$R,$K] ("X", UserX, ...)
Change Owner Map[$R,18], Index($K), from [$R,24], to [$R,$K]
Change Owner Map[$R,18], Index($P), from [$R,20], to [$R,$K]
Commit Transaction
TXT
cat >/tmp/destroy.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($P), from [$R,$K], to [$R,20]
Change Owner Map[$R,18], Index($K), from [$R,$K], to [$R,24]
Destroy Partition[$R,$K]
Change Owner Map[$R,18], Index($K), from [$R,24], to [$R,20]
Commit Transaction
TXT
cat >/tmp/bad.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($((P + 1))), from [$R,20], to [$R,24]
Change Owner Map[$R,18], Index($K), from [$R,17], to [$R,24]
Commit Transaction
TXT
printf 'Begin Transaction\nChange Owner Map[%s,18], Index(%s) from [%s,20], to [%s,24]\nCommit Transaction\n' \
	"$R" "$K" "$R" "$R" >/tmp/syntax.txt

ultractl events --count 3 --timeout 30 >/tmp/ev.out 2>/tmp/ev.err &
evpid=$!
sleep 1

out=$(ultractl txn apply /tmp/create.txt) || fail "create failed: $out"
echo "$out"
check "create committed 4 steps" has "$out" 'committed, 4 steps'
ultractl db dump >/tmp/dump1 || fail "dump after create failed"
grep "^Partition" /tmp/dump1
check "partition X exists" grep -q "^Partition \[$R,$K\] *X *UserX *user *2 pages" /tmp/dump1
check "db check passes with X" ultractl db check
out=$(rmmod ultravisor 2>&1) && fail "rmmod succeeded while partition X exists"
echo "rmmod: $out"
check "the module said why it stays" has "$(kmsgs)" 'partition\(s\) defined: the module stays loaded'

ultractl db snapshot /tmp/s1 >/dev/null || fail "snapshot failed"
out=$(ultractl txn apply /tmp/bad.txt 2>&1) && fail "precondition violation accepted: $out"
echo "$out"
check "rejection names errno ESTALE" has "$out" '\[ESTALE\]'
check "rejection gives the failing step and entry" has "$out" "step 1 .*EFROM.*entry $K holds \[$R,$K\], expected \[$R,17\]"
ultractl db snapshot /tmp/s2 >/dev/null || fail "snapshot failed"
tail -c +65 /tmp/s1 >/tmp/p1
tail -c +65 /tmp/s2 >/tmp/p2
check "rejected transaction changed no page of the database" cmp /tmp/p1 /tmp/p2
out=$(ultractl txn apply /tmp/syntax.txt 2>&1) && fail "syntax error accepted"
echo "$out"
check "parse error names line and column" has "$out" 'line 2, column [0-9]+: .*\[EINVAL\]'

out=$(ultractl txn apply /tmp/destroy.txt) || fail "destroy failed: $out"
echo "$out"
ultractl db dump >/tmp/dump2 || fail "dump after destroy failed"
check "partition X is gone" sh -c "! grep -q '^Partition \[$R,$K\]' /tmp/dump2"
tail -c +65 /tmp/s0 >/tmp/p0
ultractl db snapshot /tmp/s3 >/dev/null
tail -c +65 /tmp/s3 >/tmp/p3
check "after destroy the pages are as at load" cmp /tmp/p0 /tmp/p3
check "db check passes after destroy" ultractl db check

wait $evpid
echo "events: $(cat /tmp/ev.out)"
check "one commit event per committed transaction" [ "$(grep -c 'txn-commit' /tmp/ev.out)" = 2 ]
check "one error event for the rejected one" [ "$(grep -c ' error .*errno=ESTALE' /tmp/ev.out)" = 1 ]
check "commit events carry the steps" has "$(cat /tmp/ev.out)" 'txn-commit log_seq=[0-9]+ steps=4'

out=$(ultractl db sync --snapshot /tmp/s0) || fail "replica from the first snapshot + log differs: $out"
echo "$out"
check "replica equals the module" has "$out" 'equal to the module'
ultractl db log --from "$(ultractl --json db check | sed -n 's/.*"next_seq": \([0-9]*\).*/\1/p')" >/dev/null ||
	fail "log from the head failed"
ultractl db log | tail -12
unload
