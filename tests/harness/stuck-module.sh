# SPDX-License-Identifier: GPL-2.0
# Claims success but leaves ultravisor loaded and pinned (a background process keeps
# /dev/ultravisor open): the runner must fail this test, not the ones after it.
insmod /lib/modules/ultravisor.ko || exit 1
sleep 600 </dev/ultravisor &
exit 0
