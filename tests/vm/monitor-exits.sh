# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# The "exits" guest makes 2000 each of CPUID, VMMCALL and port-I/O exits, times them
# with RDTSC and reports the cycles per exit on its console; the monitor counts them.

mt_load
mt_run p0 exits 1 "n=2000"
mt_wait p0 '^(stopped|faulted)$' 1200 || fail "exits still $(mt_state p0) after 120 s"
con=$(cat $D/p0/console)
printf '%s\n' "$con"
check "exits exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
for k in cpuid vmmcall pio; do
	check "$k figure reported" has "$con" "^exits: $k [0-9]+ cycles\$"
done
check "2000 CPUID exits counted" [ "$(mt_field p0 exits_cpuid)" -ge 2000 ]
check "2000 hypercalls counted" [ "$(mt_field p0 exits_hypercall)" -ge 2000 ]
check "2000 port exits counted" [ "$(mt_field p0 exits_io)" -ge 2000 ]
mt_ctl p0 stop
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
