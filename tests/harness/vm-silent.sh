# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=1 vm_timeout=900
# The emulated host goes silent without ending (here: the harness's own runner is
# frozen, so not even the per-test limit prints anything): the silence watchdog must
# stop it long before vm_timeout and fail the test as hung.
kill -STOP "$PPID"
sleep 3600
