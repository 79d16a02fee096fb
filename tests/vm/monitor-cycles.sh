# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=400
# 100 create/load/start/stop/destroy cycles of a 16 MiB partition running hello leave
# nothing behind: the monitor's live-object counters return to zero, and unreclaimable
# slab, vmalloc and free memory come back to where they were (a leaked partition
# memory, nested page table or VMCB page per cycle would show).
snapshot() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	echo "$(meminfo SUnreclaim) $(meminfo VmallocUsed) $(meminfo MemFree) $(grep -vc unpurged /proc/vmallocinfo)"
}
cycle() {
	mt_run p0 hello 1
	mt_wait p0 '^(stopped|faulted)$' 300 || fail "cycle $1: hello still $(mt_state p0)"
	[ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ] || fail "cycle $1: hello did not exit 0"
	mt_ctl p0 stop
	mt_ctl p0 destroy
}

mt_load
for i in 1 2 3; do cycle "warm-up $i"; done
# shellcheck disable=SC2046 # four numbers
set -- $(snapshot)
s0=$1 v0=$2 f0=$3 n0=$4
i=1
while [ $i -le 100 ]; do
	cycle $i
	i=$((i + 1))
done
cat $D/counters
check "no partition left" grep -qx 'partitions=0' $D/counters
check "no vCPU thread left" grep -qx 'threads=0' $D/counters
check "no nested page table page left" grep -qx 'npt_pages=0' $D/counters
check "SVM off on every CPU" grep -qx 'cpus_enabled=0' $D/counters
# shellcheck disable=SC2046 # four numbers
set -- $(snapshot)
s1=$1 v1=$2 f1=$3 n1=$4
echo "SUnreclaim ${s0} -> ${s1} kB, VmallocUsed ${v0} -> ${v1} kB, MemFree ${f0} -> ${f1} kB, vmalloc areas ${n0} -> ${n1}"
check "unreclaimable slab grew less than 256 kB" [ $((s1 - s0)) -lt 256 ]
check "vmalloc use grew less than 64 kB" [ $((v1 - v0)) -lt 64 ]
check "free memory shrank less than 32 MiB (two partitions)" [ $((f0 - f1)) -lt 32768 ]
check "fewer than 5 new vmalloc areas" [ $((n1 - n0)) -lt 5 ]
rmmod uv_montest || fail "rmmod uv_montest failed"
