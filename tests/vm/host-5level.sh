# SPDX-License-Identifier: GPL-2.0
# vmtest: kernel=bzimage
# The compressed kernel's own decompressor enables 5-level paging when the CPU has
# la57 (the PVH entry the other boots use stays 4-level): the module loads and its
# version ioctl works on a 5-level host too.
grep -qw la57 /proc/cpuinfo || fail "the emulated CPU should offer la57"
check "the host runs 5-level paging" [ "$(paging_levels)" = 5 ]
load
uv_ioctl_probe >/dev/null || fail "version ioctl misbehaves on a 5-level host"
unload
