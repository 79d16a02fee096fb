# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# The monitor runs the "hello" guest on CPU 1 (uv_montest.ko drives the monitor API):
# it prints through the emulated serial port and through the console hypercall, sees
# the CPUID signature and ABI version, and stops itself with exit code 0 via port 0xf4.

mt_load
mt_run p0 hello 1
mt_wait p0 '^(stopped|faulted)$' 300 || fail "hello still $(mt_state p0) after 30 s"
cat $D/p0/status
con=$(cat $D/p0/console)
printf '%s\n' "$con"
check "hello stopped by itself" [ "$(mt_field p0 exited)" = 1 ]
check "exit code 0" [ "$(mt_field p0 exit_code)" = 0 ]
check "serial output in the console" has "$con" '^hello: serial port works$'
check "hypercall output in the console" has "$con" '^hello: hypercall console works$'
check "the guest's own checks passed" has "$con" '^hello: all checks passed$'
check "CPUID and port exits were counted" [ "$(mt_field p0 exits_cpuid)" -ge 3 ]
# nested paging walks as many levels as the host pages with: 5 on an LA57 host (a
# bzImage boot under -cpu max), 4 otherwise (the PVH vmlinux boot never enables LA57)
if grep -qw la57 /proc/cpuinfo; then lv=5; else lv=4; fi
check "nested page tables with $lv levels, as the host" [ "$(mt_field p0 npt_levels)" = $lv ]
mt_ctl p0 stop
mt_ctl p0 destroy
check "state none after destroy" [ "$(mt_state p0)" = none ]
rmmod uv_montest || fail "rmmod uv_montest failed"
check "the partition's stop was logged" has "$(dmesg)" 'partition p0 stopped: exit code 0'
