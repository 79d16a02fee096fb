# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=120
# Pool growth on a NUMA node (ABI 1.6, UV_POOL_F_NODE). The emulated host has one
# node, so what can be shown here is: a grow from node 0 takes all its pages there
# (node_bytes = the grow), also with --strict; a node that is not online is refused
# with EINVAL and a message, strict or not, and nothing changes; a grow without a
# node still works. The fallback to other nodes needs a second node: not shown here.
load
ls -d /sys/devices/system/node/node* 2>/dev/null
[ -d /sys/devices/system/node/node1 ] && fail "this test expects a one-node host"
out=$(ultractl pool grow 16M --node 0) || fail "grow 16M from node 0 failed: $out"
echo "$out"
check "node 0 gave the whole grow" has "$out" '^node 0: +16 MiB of the grow$'
out=$(ultractl --json pool grow 8M --node 0 --strict) || fail "strict grow from node 0 failed: $out"
echo "$out"
check "strict: node 0 gave all 8 MiB (node_bytes)" has "$out" '"node_bytes": 8388608'
h0=$(ultractl --json db check | sed -n 's/.*"image_hash": "\([0-9a-f]*\)".*/\1/p')
for args in "--node 1" "--node 1 --strict" "--node 4096"; do
	# shellcheck disable=SC2086 # the words are the options
	out=$(ultractl pool grow 8M $args 2>&1) && fail "grow with $args succeeded: $out"
	echo "$args: $out"
	check "$args: refused, the node is not online" has "$out" 'NUMA node [0-9]+ is not online: nothing changed'
done
out=$(ultractl pool grow 8M --strict 2>&1) && fail "--strict without --node succeeded"
check "--strict needs --node" has "$out" 'go with grow only'
h1=$(ultractl --json db check | sed -n 's/.*"image_hash": "\([0-9a-f]*\)".*/\1/p')
check "the refusals changed nothing" [ "$h0" = "$h1" ]
check "the pool holds 24 MiB" has "$(ultractl pool show)" '^pool: +24 MiB'
out=$(ultractl pool grow 4M) || fail "grow without a node failed: $out"
check "a grow without a node still works" has "$out" '^pool: +28 MiB'
check "db check passes" ultractl db check
out=$(ultractl pool set 0) || fail "pool set 0 failed: $out"
check "the pool is empty again" has "$out" '^pool: +0 MiB'
