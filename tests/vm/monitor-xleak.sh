# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# A guest that sets CR4.OSXSAVE behind the hidden XSAVE bit and reads the upper YMM
# halves ("xleak") while a host task on the same CPU keeps a pattern in them
# (ymm_fill) must only ever see zeroes: the monitor puts the extended state in its
# init state before every entry.

mt_load
ymm_fill 1 10 >/tmp/ymm 2>&1 &
filler=$!
sleep 0.5
mt_run p0 xleak 1 "n=300"
mt_wait p0 '^(stopped|faulted)$' 1200 || fail "xleak still $(mt_state p0) after 120 s"
con=$(cat $D/p0/console)
printf '%s\n' "$con"
wait $filler || fail "ymm_fill failed: $(cat /tmp/ymm)"
cat /tmp/ymm
check "xleak exited 0" [ "$(mt_field p0 exited) $(mt_field p0 exit_code)" = "1 0" ]
if has "$con" '^xleak: no AVX in XCR0$'; then
	echo "SKIP: the emulated host has no AVX in XCR0: nothing to leak"
else
	check "the host task filled the registers" has "$(cat /tmp/ymm)" '^ymm_fill: [1-9][0-9]* rounds$'
	check "the guest saw no host upper-YMM state" has "$con" '^xleak: nonzero upper words 0$'
fi
mt_ctl p0 stop
mt_ctl p0 destroy
rmmod uv_montest || fail "rmmod uv_montest failed"
