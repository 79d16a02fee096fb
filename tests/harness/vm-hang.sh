# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=0 vm_timeout=30
# No per-test limit: the whole emulated host hangs, and the outer QEMU timeout must end
# it and fail the test and the boot.
sleep 3600
