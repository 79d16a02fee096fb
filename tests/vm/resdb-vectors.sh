# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=300
# The resource database's test vectors (tests/vectors/) run in kernel context by
# uv_resdb_selftest.ko: plainly, and cut at every step and image with recovery from
# the log's before-images. insmod fails if any run fails.
dmesg -c >/dev/null
insmod /lib/modules/uv_resdb_selftest.ko || fail "a vector failed in kernel context: $(dmesg | grep -m1 FAILED)"
dmesg | grep uv_resdb_selftest
check "every vector ran plainly" [ "$(dmesg | grep -c 'vector [a-z0-9_]*: ok')" = 4 ]
check "every vector ran with faults" [ "$(dmesg | grep -c 'with faults: ok: .* [1-9][0-9]* cuts recovered')" = 4 ]
check "all runs passed" has "$(dmesg)" 'all 8 vector runs passed'
rmmod uv_resdb_selftest
