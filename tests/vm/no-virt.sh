# SPDX-License-Identifier: GPL-2.0
# vmtest: cpu=qemu64,-svm smp=1
# On a CPU without SVM or VMX the module refuses to load with ENODEV and one clear line.
grep -qwE 'svm|vmx' /proc/cpuinfo && fail "this emulated CPU should have neither svm nor vmx"
dmesg -c >/dev/null
out=$(insmod /lib/modules/ultravisor.ko 2>&1) && fail "insmod succeeded without SVM/VMX"
echo "insmod: $out"
check "insmod reports ENODEV" has "$out" 'No such device'
msgs=$(refusal_lines)
echo "kernel: $msgs"
check "one kernel error line explains it" [ "$(printf '%s\n' "$msgs" | grep -c .)" = 1 ]
check "the line names SVM and VMX" has "$msgs" 'no AMD SVM or Intel VMX'
check "no /dev/ultravisor" [ ! -e /dev/ultravisor ]
