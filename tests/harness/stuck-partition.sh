# SPDX-License-Identifier: GPL-2.0
# Fails with its own reason after defining a partition and leaving a process that holds
# /dev/ultravisor: the runner must report that reason first, then clean up (kill the
# process, destroy the partition) so that the test after it (unstuck) passes.
insmod /lib/modules/ultravisor.ko || exit 1
ultractl pool grow 8M >/dev/null || fail "pool grow failed"
part_cpus
part_create leftover 4 0
# shellcheck disable=SC2217 # the redirection is the point: it holds the device open
sleep 600 </dev/ultravisor &
fail "deliberate failure"
