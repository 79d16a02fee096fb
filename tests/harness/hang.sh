# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=5
# Never ends: the runner must kill it after 5 s and report a timeout.
sleep 3600
