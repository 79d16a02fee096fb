# SPDX-License-Identifier: GPL-2.0
# The generic netlink family: status answers, a listener joins the events group and
# times out cleanly when nothing happens, unloading with a listener attached is safe,
# and without the module both commands say it is not loaded.
load
st=$(ultractl status) || fail "ultractl status failed: $st"
echo "$st"
check "status names the module release" has "$st" '^module: +[0-9]+\.[0-9]+\.[0-9]+ \(ABI 1\.[0-9]+\)'
check "no events dropped" has "$st" '^events dropped: 0$'
json=$(ultractl --json status) || fail "ultractl --json status failed"
check "JSON status has the ABI" has "$json" '"abi_major": 1'

out=$(ultractl events --count 1 --timeout 1 2>&1) && fail "events returned an event from nowhere: $out"
echo "$out"
check "listener subscribed" has "$out" 'listening for events'
check "listener timed out with a clear message" has "$out" 'timed out after 1 s with 0 of 1 events'

ultractl events --timeout 5 >/tmp/ev.out 2>&1 &
pid=$!
sleep 1
unload
wait $pid
echo "listener across rmmod: $(cat /tmp/ev.out)"

out=$(ultractl status 2>&1) && fail "status succeeded without the module"
check "status says the module is not loaded" has "$out" 'module not loaded'
out=$(ultractl events --timeout 1 2>&1) && fail "events succeeded without the module"
check "events says the module is not loaded" has "$out" 'module not loaded'
