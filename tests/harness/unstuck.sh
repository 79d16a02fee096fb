# SPDX-License-Identifier: GPL-2.0
# Runs after stuck-module and stuck-partition: passes only if the runner cleaned up
# after them (the module unloads, no partition is left).
load
check "no partition was left behind" sh -c "! ultractl --json db dump | grep -q '\"name\": \"leftover\"'"
unload
