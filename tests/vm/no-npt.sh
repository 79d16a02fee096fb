# SPDX-License-Identifier: GPL-2.0
# vmtest: cpu=qemu64 smp=1
# QEMU's qemu64 model has SVM but no nested paging: containment needs NPT, so the
# module refuses to load with ENODEV and one clear line.
grep -qw svm /proc/cpuinfo || fail "qemu64 should offer svm"
grep -qw npt /proc/cpuinfo && fail "qemu64 should not offer npt"
dmesg -c >/dev/null
out=$(insmod /lib/modules/ultravisor.ko 2>&1) && fail "insmod succeeded without NPT"
echo "insmod: $out"
check "insmod reports ENODEV" has "$out" 'No such device'
msgs=$(refusal_lines)
echo "kernel: $msgs"
check "one kernel error line explains it" [ "$(printf '%s\n' "$msgs" | grep -c .)" = 1 ]
check "the line says nested paging is missing" has "$msgs" 'without nested paging'
