# SPDX-License-Identifier: GPL-2.0
# After insmod the database describes the host's memory: db check passes (in the
# module, and on its snapshot in userspace), and the dump's ownership matches
# /proc/iomem: every page of System RAM is owned by host, ultravisor (the boot
# region) or available; every other page below the top of RAM by missing.
load
out=$(ultractl db check) || fail "db check failed: $out"
echo "$out"
check "db check reports the module and the snapshot ok" has "$out" '^snapshot: ok'
ultractl db dump >/tmp/dump || fail "db dump failed"
grep -E '^(UVIndex|Partition)' /tmp/dump
for p in host missing available ultravisor; do
	check "dump names partition $p" grep -q "^Partition .* $p " /tmp/dump
done

# System RAM, rounded inward to whole pages: "start end" in decimal
grep ': System RAM$' /proc/iomem | while IFS='- ' read -r s e _; do
	a=$(( (0x$s + 4095) / 4096 * 4096 )); b=$(( (0x$e + 1) / 4096 * 4096 - 1 ))
	[ $a -lt $b ] && echo "$a $b"
done >/tmp/ram
# The dump's extents not owned by missing, neighbours merged. The one page the
# missing partition owns in the boot region is its own descriptor page ([0215]).
set -- $(sed -n 's/^Partition \[\([0-9]*\),\([0-9]*\),\([0-9]*\)\] *missing .*/\1 \2 \3/p' /tmp/dump)
mdesc=$(printf '%08x-%08x' $(( ($1 << 32) | ($2 << 22) | ($3 << 12) )) $(( ($1 << 32) | ($2 << 22) | ($3 << 12) + 4095 )))
echo "missing's descriptor page: $mdesc"
awk -v m="$mdesc" '$1 == "Extent" && ($2 == m || $NF != "missing")' /tmp/dump | while read -r _ r _; do
	echo "$((0x${r%-*})) $((0x${r#*-}))"
done | awk 'NR == 1 {s = $1; e = $2; next}
	$1 == e + 1 {e = $2; next}
	{print s, e; s = $1; e = $2}
	END {print s, e}' >/tmp/owned
echo "System RAM (pages):"; cat /tmp/ram
echo "owned by host/ultravisor/available/...:"; cat /tmp/owned
check "non-missing extents are exactly System RAM" cmp /tmp/ram /tmp/owned

# spot checks through the owner query
first=$(head -1 /tmp/ram | cut -d' ' -f1)
out=$(ultractl db owner "$first") || fail "db owner $first failed: $out"
check "first RAM page is host's ($out)" has "$out" ' host '
last=$(tail -1 /tmp/ram | cut -d' ' -f2)
out=$(ultractl db owner $((last + 1))) || fail "db owner after RAM failed: $out"
check "the page after RAM is missing ($out)" has "$out" ' missing '
region=$(ultractl --json db check | sed -n 's/.*"region": \([0-9]*\).*/\1/p')
out=$(ultractl db owner "$region") || fail "db owner region failed"
check "the boot region's first page is ultravisor control memory ($out)" has "$out" '\[S,.* ultravisor '
json=$(ultractl --json db dump) || fail "db dump --json failed"
check "JSON dump lists extents" has "$json" '"extents"'
