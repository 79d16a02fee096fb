# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# Channel lifecycle by transaction ([0132], [0182]): a console channel inside a
# client partition's memory gets its header page when Initialize Channel commits;
# a server attaches through /dev/ultravisor (a Change Server transaction), maps the
# client's memory and only that; destroying the client while the server is attached
# reclaims the client's other pages at once and leaves the channel's pending until
# the server detaches; then db check passes and every page is back in available.
load
ultractl db snapshot /tmp/s0 >/dev/null || fail "snapshot failed"
ultractl db dump >/tmp/dump || fail "db dump failed"
set -- $(sed -n 's/^UVIndex\[\([0-9]*\),\([0-9]*\),23\].*/\1 \2/p' /tmp/dump)
G=$1 M=$2
K=$(sed -n "s/^Map\[$G,$M,18\] PKM: .* \([0-9]*\)-1023:\[$G,$M,20\]\$/\1/p" /tmp/dump)
[ -n "$K" ] || fail "no free page found in the boot region's PKM"
R="$G,$M"
C=$K			# client descriptor; its memory: K+1..K+16, the channel K+5..K+12
IO=$((K + 17))		# the I/O partition the server plays
CH=$((K + 18))		# the channel descriptor
cat >/tmp/create.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($C), from [$R,20], to [$R,24]
Initialize Partition[$R,$C] ("client", UserC)
Change Owner Map[$R,18], Index($C), from [$R,24], to [$R,$C]
Change Owner Map[$R,18], IndexRange($((K + 1)),$((K + 16))), from [$R,20], to [$R,$C]
Change Owner Map[$R,18], Index($IO), from [$R,20], to [$R,24]
Initialize Partition[$R,$IO] ("console-io", IoC, type=io)
Change Owner Map[$R,18], Index($IO), from [$R,24], to [$R,$IO]
Change Owner Map[$R,18], Index($CH), from [$R,20], to [$R,24]
Initialize Channel[$R,$CH] (type=4, client [$R,$C], pages Mem[$R,$((K + 5))]+8)
Commit Transaction
TXT
out=$(ultractl txn apply /tmp/create.txt) || fail "create failed: $out"
echo "$out"
chan_tool list | tee /tmp/list0
check "the channel is registered at gpa 0x4000 of the client" \
	grep -q "channel \[$R,$CH\] type=4 client=\[$R,$C\] pages=8 gpa=0x4000 servers=none" /tmp/list0

rm -f /tmp/detach
chan_tool serve "$R,$CH" "$R,$IO" /tmp/detach >/tmp/serve.out 2>&1 &
spid=$!
i=0
while ! grep -q '^serving' /tmp/serve.out; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat /tmp/serve.out; fail "server did not attach"; }
	sleep 0.1
done
cat /tmp/serve.out
check "server checks passed" sh -c "! grep -q FAIL /tmp/serve.out"
chan_tool list | tee /tmp/list1
check "attach is in the database: slot 0 holds the I/O partition" \
	grep -q "servers=\[$R,$IO\],none,none,none open=1 .* epoch=1" /tmp/list1
# chan_tool serve: 2 polled (queue, config), 1 config vector for an unloaded client,
# 2 refused vectors (30, 256); the EINVAL calls are not counted
check "the server's notifications counted by outcome" \
	grep -q "notifies=5 irqs=0 used_only=2 bad_vector=2 epoch=1" /tmp/list1
check "db check passes with the server attached" ultractl db check

# destroy the client while the server is attached
out=$(chan_tool reclaim "$R,$C" --partition) || fail "reclaim failed: $out"
echo "$out"
check "the channel waits; the client's 8 other pages and nothing else went now" \
	has "$out" 'destroyed 0 pending 1 pages_now 8 pages_pending 8'
ultractl db dump >/tmp/dump1 || fail "dump failed"
grep "^Partition \[$R,$C\]" /tmp/dump1
check "the client keeps only its descriptor and the channel's 8 pages" \
	grep -q "^Partition \[$R,$C\] *client *UserC *user *9 pages" /tmp/dump1
chan_tool list | tee /tmp/list2
check "the channel is pending reclamation" grep -q 'pending-reclamation' /tmp/list2
check "db check passes while pending" ultractl db check
out=$(chan_tool serve "$R,$CH" "$R,$IO" 2>&1) && fail "a new server attached to a pending channel"
check "no new server for a pending channel" has "$out" 'pending reclamation'
touch /tmp/detach

wait $spid || { cat /tmp/serve.out; fail "server failed"; }
cat /tmp/serve.out
check "the server saw the hangup" grep -q '^hangup' /tmp/serve.out
i=0
while chan_tool list | grep -q "channel \[$R,$CH\]"; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "channel not reclaimed after the detach"
	sleep 0.1
done
ultractl db dump >/tmp/dump2 || fail "dump failed"
check "the client partition is gone" sh -c "! grep -q '^Partition \[$R,$C\]' /tmp/dump2"
check "db check passes after reclamation" ultractl db check

# the I/O partition goes too; then the database is as at load
cat >/tmp/destroy-io.txt <<TXT
Begin Transaction
Change Owner Map[$R,18], Index($IO), from [$R,$IO], to [$R,24]
Destroy Partition[$R,$IO]
Change Owner Map[$R,18], Index($IO), from [$R,24], to [$R,20]
Commit Transaction
TXT
out=$(ultractl txn apply /tmp/destroy-io.txt) || fail "destroying the I/O partition failed: $out"
ultractl db snapshot /tmp/s3 >/dev/null
tail -c +65 /tmp/s0 >/tmp/p0
tail -c +65 /tmp/s3 >/tmp/p3
check "every page is back where it was at load" cmp /tmp/p0 /tmp/p3
check "no kernel warnings" sh -c "! dmesg | grep -q 'WARNING\\|BUG'"
