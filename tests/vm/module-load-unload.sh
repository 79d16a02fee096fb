# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# ultravisor.ko loads and unloads 50 times in a row without leaking: unreclaimable
# slab, vmalloc and per-cpu memory are compared before and after.
cycle() {
	insmod /lib/modules/ultravisor.ko || fail "insmod failed in cycle $1"
	[ -c /dev/ultravisor ] || fail "/dev/ultravisor missing in cycle $1"
	rmmod ultravisor || fail "rmmod failed in cycle $1"
	[ ! -e /dev/ultravisor ] || fail "/dev/ultravisor still there after rmmod in cycle $1"
}
snapshot() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	echo "$(meminfo SUnreclaim) $(meminfo VmallocUsed) $(meminfo Percpu) $(wc -l </proc/vmallocinfo)"
}
for i in 1 2 3; do cycle "warm-up $i"; done
set -- $(snapshot)
s0=$1 v0=$2 p0=$3 n0=$4
i=1
while [ $i -le 50 ]; do
	cycle $i
	i=$((i + 1))
done
set -- $(snapshot)
s1=$1 v1=$2 p1=$3 n1=$4
echo "SUnreclaim ${s0} -> ${s1} kB, VmallocUsed ${v0} -> ${v1} kB, Percpu ${p0} -> ${p1} kB, vmalloc areas ${n0} -> ${n1}"
# A leak of one small allocation per cycle (>= 4 kB x 50) shows in these.
check "unreclaimable slab grew less than 128 kB" [ $((s1 - s0)) -lt 128 ]
check "vmalloc use grew less than 64 kB" [ $((v1 - v0)) -lt 64 ]
check "per-cpu memory did not grow" [ "$p1" -le "$p0" ]
# (one area may come and go with the kernel's own lazy allocations; a per-cycle leak
# would leave 50)
check "fewer than 5 new vmalloc areas" [ $((n1 - n0)) -lt 5 ]
check "the load report was printed 53 times" [ "$(dmesg | grep -c 'ultravisor: loaded')" -ge 53 ]
