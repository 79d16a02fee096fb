# SPDX-License-Identifier: GPL-2.0
# A module WARN()s on load; the test says it passed. Must be FAIL.
insmod /lib/modules/uv_harness_warn.ko
rmmod uv_harness_warn
exit 0
