# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=500
# 100 cycles of create (transaction) / load / start / stop / destroy (transaction) of a
# 16 MiB partition running hello leave nothing behind: the database image (its hash)
# and the pool are exactly as before, db check passes, and unreclaimable slab and
# vmalloc use come back to where they were (a leaked instance, nested page table,
# console ring or VMCB per cycle would show).
snapshot() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	echo "$(meminfo SUnreclaim) $(meminfo VmallocUsed)"
}
cycle() {
	part_create c 16 1
	ultractl partition load c /guests/hello.elf >/dev/null || fail "cycle $1: load failed"
	ultractl partition start c >/dev/null || fail "cycle $1: start failed"
	part_wait c '^(stopped|faulted)$' 300 || fail "cycle $1: hello still $(part_state c)"
	[ "$(part_field c exit_code)" = 0 ] || fail "cycle $1: hello did not exit 0"
	ultractl partition stop c >/dev/null || fail "cycle $1: stop failed"
	part_destroy c
}
load
ultractl pool grow 16M >/dev/null || fail "pool grow failed"
part_cpus
i=1
while [ $i -le 10 ]; do cycle "warm-up $i"; i=$((i + 1)); done
h0=$(db_hash)
p0=$(ultractl pool show)
# shellcheck disable=SC2046 # two numbers
set -- $(snapshot)
s0=$1 v0=$2
i=1
while [ $i -le 100 ]; do
	cycle $i
	i=$((i + 1))
done
# shellcheck disable=SC2046
set -- $(snapshot)
echo "SUnreclaim ${s0} -> $1 kB, VmallocUsed ${v0} -> $2 kB"
check "database image exactly as before" [ "$(db_hash)" = "$h0" ]
check "pool exactly as before" [ "$(ultractl pool show)" = "$p0" ]
check "db check after 100 cycles" ultractl db check
check "unreclaimable slab flat (within 256 kB)" [ $(($1 - s0)) -lt 256 ]
check "vmalloc use flat (within 256 kB)" [ $(($2 - v0)) -lt 256 ]
unload
