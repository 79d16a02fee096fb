# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# The Linux guest platform from a freestanding guest (tests/guests/x2apic.c, through
# uv_montest): CPUID (x2APIC, TSC-deadline, ARAT, KVM's signature at 0x40000100 with
# kvmclock only), IA32_APIC_BASE at reset, x2APIC registers, two self-IPIs delivered
# highest first and in service until EOI, TPR holding a vector back, the TSC-deadline
# timer (silent when masked, fires once, reads 0 after), kvmclock's scale against the
# monitor's clock. The guest exits with the number of failed checks.

mt_load
mt_run p0 x2apic 1
mt_wait p0 '^(stopped|faulted)$' 600 || fail "x2apic still $(mt_state p0) after 60 s"
cat $D/p0/status
con=$(cat $D/p0/console)
printf '%s\n' "$con"
check "stopped by itself" [ "$(mt_field p0 exited)" = 1 ]
check "no check failed in the guest" has "$con" '^x2apic: all checks passed$'
check "exit code 0" [ "$(mt_field p0 exit_code)" = 0 ]
mt_ctl p0 stop
mt_ctl p0 destroy
