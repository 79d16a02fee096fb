# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# The pool: grow 64M moves 16 4 MiB pages from host to available in one
# transaction, shrink 64M gives exactly those pages back to Linux (MemFree back
# within noise), db check passes at every step; a grow beyond what Linux has fails
# with ENOMEM and changes nothing; pool_size= at load; rmmod gives a non-empty pool
# back.
free_kb() { sync; echo 3 >/proc/sys/vm/drop_caches; meminfo MemFree; }
load
check "empty pool at load" has "$(ultractl pool show)" '^pool: +0 MiB'
f0=$(free_kb)
h0=$(ultractl --json db check | sed -n 's/.*"image_hash": "\([0-9a-f]*\)".*/\1/p')
out=$(ultractl pool grow 64M) || fail "pool grow 64M failed: $out"
echo "$out"
check "pool holds 64 MiB" has "$out" '^pool: +64 MiB \(64 MiB free'
f1=$(free_kb)
echo "MemFree ${f0} -> ${f1} kB"
check "MemFree fell by at least 64 MiB" [ $((f0 - f1)) -ge 65536 ]
check "db check after grow" ultractl db check
region=$(ultractl --json db check | sed -n 's/.*"region": \([0-9]*\).*/\1/p')
# the pool's 4 MiB pages: available memory outside the boot region
ultractl db dump | awk '$1 == "Extent" && $NF == "available" {print $2}' | while IFS=- read -r s e; do
	a=$(( (0x$s + 4194303) / 4194304 * 4194304 )); b=$((0x$e + 1))
	while [ $((a + 4194304)) -le $b ]; do
		[ $((a / 4194304)) -ne $((region / 4194304)) ] && echo $a
		a=$((a + 4194304))
	done
done >/tmp/chunks
echo "pool pages: $(tr '\n' ' ' </tmp/chunks)"
check "16 whole 4 MiB pages are available outside the boot region" [ "$(wc -l </tmp/chunks)" = 16 ]

out=$(ultractl pool shrink 64M) || fail "pool shrink 64M failed: $out"
echo "$out"
check "pool empty again" has "$out" '^pool: +0 MiB'
f2=$(free_kb)
echo "MemFree ${f0} -> ${f1} -> ${f2} kB"
check "MemFree back within 8 MiB" [ $((f0 - f2)) -lt 8192 ] && [ $((f2 - f0)) -lt 8192 ]
check "db check after shrink" ultractl db check
# exactly the same pages went back to host
while read -r a; do
	out=$(ultractl db owner "$a")
	has "$out" ' host ' || fail "pool page $a is not host's after the shrink: $out"
done </tmp/chunks
echo "ok - all 16 pool pages are host's again"
h=$(ultractl --json db check | sed -n 's/.*"image_hash": "\([0-9a-f]*\)".*/\1/p')
check "database image identical to before the grow" [ "$h" = "$h0" ]

s0=$(ultractl --json db check | sed -n 's/.*"next_seq": \([0-9]*\).*/\1/p')
out=$(ultractl pool grow 64G 2>&1) && fail "pool grow 64G succeeded: $out"
echo "$out"
check "grow beyond Linux fails with ENOMEM" has "$out" '\[ENOMEM\]'
check "and says nothing changed" has "$out" 'nothing changed'
out=$(ultractl pool grow 1800M 2>&1) && fail "pool grow 1800M succeeded on a 2G host: $out"
echo "$out"
check "grow of most of RAM fails with ENOMEM" has "$out" '\[ENOMEM\]'
s1=$(ultractl --json db check | sed -n 's/.*"next_seq": \([0-9]*\).*/\1/p')
check "no transaction was logged for the failed grows" [ "$s0" = "$s1" ]
check "pool still empty" has "$(ultractl pool show)" '^pool: +0 MiB'
check "db check after failed grows" ultractl db check
out=$(ultractl pool grow 5M 2>&1) && fail "pool grow 5M accepted"
check "sizes are multiples of 4M" has "$out" 'multiples of 4 MiB.*\[EINVAL\]'
unload

# pool_size at load, and rmmod with a non-empty pool
f0=$(free_kb)
load pool_size=32M
check "pool_size=32M filled the pool" has "$(ultractl pool show)" '^pool: +32 MiB'
check "db check with the load-time pool" ultractl db check
unload
f1=$(free_kb)
echo "MemFree around load/unload with a 32M pool: ${f0} -> ${f1} kB"
check "rmmod gave the pool back" [ $((f0 - f1)) -lt 8192 ]
check "the module said so" has "$(kmsgs)" "gave the pool's 32 MiB back to Linux"
