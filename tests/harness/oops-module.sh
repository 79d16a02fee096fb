# SPDX-License-Identifier: GPL-2.0
# Lies: a module BUG()s on load and the test still says it passed. Must be FAIL.
insmod /lib/modules/uv_harness_oops.ko
echo "insmod returned $? (claiming success on purpose)"
exit 0
