# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# Power-off and reset ports (kmod/monitor/acpi_pm.c) from the freestanding "pm" guest,
# once per path: ACPI S5 through the sleep control register ends the partition as
# exited by power-off with code 0; the ACPI reset register, the i8042 reset pulse and
# 0xcf9 with RST_CPU end it as exited by reset with UV_EXIT_CODE_RESET (256). Before
# that the guest writes five values that ask for nothing (wrong sleep type, no SLP_EN,
# wrong reset value, another i8042 command, 0xcf9 without RST_CPU): each is ignored and
# counted, and the WAK_STS clear is accepted without being counted.

mt_load
path=0
# exit_how: UV_PEXITED_POWEROFF 3, UV_PEXITED_RESET 4
for want in "3 0" "4 256" "4 256" "4 256"; do
	mt_run p0 pm 1 "path=$path"
	mt_wait p0 '^(stopped|faulted)$' 300 || fail "pm path $path still $(mt_state p0) after 30 s"
	con=$(cat $D/p0/console)
	printf '%s\n' "$con"
	got="$(mt_field p0 exit_how) $(mt_field p0 exit_code)"
	echo "pm path $path: state $(mt_state p0), exit_how and code $got, ignored $(mt_field p0 pm_ignored)"
	check "path $path: the guest saw the registers read 0" has "$con" '^pm: ignored writes done$'
	check "path $path: stopped, not faulted" [ "$(mt_state p0)" = stopped ]
	check "path $path: exit_how and code $want" [ "$got" = "$want" ]
	check "path $path: five ignored writes counted" [ "$(mt_field p0 pm_ignored)" = 5 ]
	mt_ctl p0 stop
	mt_ctl p0 destroy
	path=$((path + 1))
done
check "the power-off was logged" has "$(dmesg)" 'partition p0 stopped: exit code 0 \(ACPI S5 power-off\)'
check "a reset was logged" has "$(dmesg)" 'partition p0 stopped: exit code 256 \(reset\)'
rmmod uv_montest || fail "rmmod uv_montest failed"
