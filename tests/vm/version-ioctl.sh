# SPDX-License-Identifier: GPL-2.0
# /dev/ultravisor answers the version ioctl (good and bad calls), and ultractl version
# reports the module in text and JSON, and says so when the module is gone.
load
check "the device is root-only (0600)" has "$(ls -l /dev/ultravisor)" '^crw-------'
uv_ioctl_probe || fail "uv_ioctl_probe found a wrong answer"

out=$(ultractl version) || fail "ultractl version failed: $out"
echo "$out"
check "text names the tool version" has "$out" '^ultractl: [0-9]+\.[0-9]+\.[0-9]+ \(ABI 1\.[0-9]+\)'
check "text names the module version and SVM" has "$out" '^module: .*[0-9]+\.[0-9]+\.[0-9]+.*SVM'

json=$(ultractl --json version) || fail "ultractl --json version failed"
echo "$json"
check "JSON has the module's version" has "$json" '"module": \{'
check "JSON has the ABI" has "$json" '"abi": "1\.[0-9]+"'
has "$json" '"error"' && fail "JSON reports an error with the module loaded"

unload
out=$(ultractl version 2>&1) && fail "ultractl version succeeded without the module"
echo "$out"
check "says the module is not loaded" has "$out" 'module not loaded'
json=$(ultractl version --json 2>/dev/null)
check "JSON says module null" has "$json" '"module": null'
check "JSON names ENOENT" has "$json" '"errno_name": "ENOENT"'
