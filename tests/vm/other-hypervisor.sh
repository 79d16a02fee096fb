# SPDX-License-Identifier: GPL-2.0
# While kvm_amd runs a VM (SVM enabled on the CPUs), ultravisor refuses to load with
# EBUSY and one clear line naming the cause; once the VM is gone it loads.
kload_kvm
kvm_hold >/tmp/kvm_hold.out 2>&1 &
pid=$!
i=0
until grep -q 'holding VM' /tmp/kvm_hold.out; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "kvm_hold did not create a VM: $(cat /tmp/kvm_hold.out)"
	sleep 0.1
done
dmesg -c >/dev/null
out=$(insmod /lib/modules/ultravisor.ko 2>&1) && fail "insmod succeeded while kvm_amd owns SVM"
echo "insmod: $out"
check "insmod reports EBUSY" has "$out" 'Device or resource busy'
msgs=$(refusal_lines)
echo "kernel: $msgs"
check "one kernel error line explains it" [ "$(printf '%s\n' "$msgs" | grep -c .)" = 1 ]
check "the line says SVM is already enabled by another hypervisor" \
	has "$msgs" 'SVM is already enabled on CPU [0-9]+ by another hypervisor'
kill $pid
wait $pid 2>/dev/null
load
unload
