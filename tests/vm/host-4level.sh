# SPDX-License-Identifier: GPL-2.0
# The default boot (PVH vmlinux) runs 4-level paging even on a CPU with la57: say so,
# so a change in how the emulated host boots cannot silently drop 4-level coverage.
check "the host runs 4-level paging" [ "$(paging_levels)" = 4 ]
