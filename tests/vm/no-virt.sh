# SPDX-License-Identifier: GPL-2.0
# vmtest: cpu=qemu64 smp=1
# On a CPU without SVM or VMX the module refuses to load with ENODEV and one clear line.
grep -qwE 'svm|vmx' /proc/cpuinfo && fail "this emulated CPU should have neither svm nor vmx"
dmesg -c >/dev/null
out=$(insmod /lib/modules/ultravisor.ko 2>&1) && fail "insmod succeeded without SVM/VMX"
echo "insmod: $out"
check "insmod reports ENODEV" sh -c "echo '$out' | grep -q 'No such device'"
msgs=$(dmesg | grep 'ultravisor' | grep -v 'module verification failed\|taints kernel')
echo "kernel: $msgs"
check "exactly one kernel line explains it" [ "$(echo "$msgs" | grep -c .)" = 1 ]
check "the line names SVM and VMX" sh -c "echo '$msgs' | grep -q 'SVM' && echo '$msgs' | grep -q 'VMX'"
check "no /dev/ultravisor" [ ! -e /dev/ultravisor ]
