# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=500
# 100 000 random ioctls (command numbers in and around ours, random sizes, NULL,
# unmapped, kernel and PROT_NONE pointers, random bytes, random well-formed-looking
# transactions): only errnos come back (the harness fails the test on any Oops or
# WARN), and the database still checks, in the module and replayed in userspace.
load
ultractl db snapshot /tmp/s0 >/dev/null || fail "snapshot failed"
out=$(uv_ioctl_fuzz 100000) || fail "fuzzer failed: $out"
echo "$out"
check "the fuzzer ran 100000 calls" has "$out" '100000 calls done'
out=$(ultractl db check) || fail "db check after fuzzing failed: $out"
echo "$out"
out=$(ultractl db sync --snapshot /tmp/s0) || fail "replay of the fuzzed log differs: $out"
echo "$out"
check "snapshot + log still equal the module" has "$out" 'equal to the module'
ultractl pool show
ultractl db dump | grep '^Partition'
check "version ioctl still answers" ultractl version
