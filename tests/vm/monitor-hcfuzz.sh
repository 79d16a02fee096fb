# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# Random hypercalls ("hcfuzz": random function numbers and arguments, console writes
# from random guest addresses) on both CPUs at once: the 1 000 000 calls on CPU 1
# and 60 000 beside it on CPU 0 (~30-60 us per exit under TCG: about a minute). Every
# answer must be what the ABI defines, both guests exit 0, and the host logs no oops or
# warning.

N_p0=1000000
N_p1=60000
mt_load
mt_run p0 hcfuzz 1 "n=$N_p0 seed=12345"
mt_run p1 hcfuzz 0 "n=$N_p1 seed=987654321"
for p in p0 p1; do
	eval "N=\$N_$p"
	mt_wait $p '^(stopped|faulted)$' 2400 || fail "$p: hcfuzz still $(mt_state $p) after 240 s"
	con=$(cat $D/$p/console)
	printf '%s\n' "$con" | grep '^hcfuzz:'
	# how it ended, should it not be a clean exit (state, exit code, fault and its rip)
	[ "$(mt_field $p exited) $(mt_field $p exit_code)" = "1 0" ] || mt_dump $p
	check "$p: hcfuzz exited 0" [ "$(mt_field $p exited) $(mt_field $p exit_code)" = "1 0" ]
	check "$p: no wrong answers" has "$con" 'wrong answers 0$'
	check "$p: $N hypercalls made" [ "$(mt_field $p exits_hypercall)" -ge $N ]
	mt_ctl $p stop
	mt_ctl $p destroy
done
rmmod uv_montest || fail "rmmod uv_montest failed"
