# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# Restart safety of the Boot channel. The daemon is killed (SIGKILL) while it serves a
# new partition's Boot channel (a test hook holds it there: image written, entry not
# set). The module detaches the dead server: the channel is left over, served once,
# and the instance is "created" (no entry, not startable). A new daemon destroys the
# leftover before it serves, rolls the committed create forward (the image goes through
# a new Boot channel) and the client's retry with the same request id gets that answer.
# hello then starts and says hello, its Boot channel is gone, the module's db check
# passes and db verify shows replica = module; after destroy the pool is empty and no
# channel is left. Last, a partition destroyed while loaded but never started: its
# instance is unloaded and its Boot channel goes with it.
cmdd_cleanup() {
	ultractl partition stop hello >/dev/null 2>&1
	ultractl partition destroy hello >/dev/null 2>&1
	ultractl partition destroy hello2 >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap cmdd_cleanup EXIT
pstate() { ultractl --json partition show "$1" | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
pool_mib() { ultractl --json pool show | sed -n 's/.*"pool_bytes": \([0-9]*\).*/\1/p' | awk '{print $1 / 1048576}'; }
boot_lines() { ultractl channel list | grep ' boot client '; }

load
mkdir -p /run/ultravisor
ULTRA_COMMANDD_TEST_BOOT_PAUSE_MS=120000 ultra-commandd --journal "$J" >>/tmp/commandd.log 2>&1 &
cmdd_pid=$!
_i=0
until ultractl partition list >/dev/null 2>&1; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "the daemon did not come up: $(tail -3 /tmp/commandd.log)"
	sleep 0.1
done
ultractl partition create hello --mem 64M --duty 4 --image /guests/hello.elf --id boot-kill-1 \
	>/tmp/create.out 2>&1 &
cpid=$!
_i=0
until boot_lines | grep -q 'client hello .* open 1 '; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "no Boot channel being served: $(tail -3 /tmp/commandd.log)"
	sleep 0.1
done
boot_lines
check "the daemon is inside hello's Boot channel" grep -q 'test hook: pausing' /tmp/commandd.log
check "hello's instance has no entry yet (created)" [ "$(pstate hello)" = created ]
kill -9 $cmdd_pid
wait $cmdd_pid 2>/dev/null
cmdd_pid=
left=$(boot_lines)
echo "$left"
check "the module detached the dead server: the channel is left over" \
	has "$left" 'client hello .* servers none open 0 .* epoch=1$'

cmdd_start
wait $cpid || fail "the create's retry failed: $(cat /tmp/create.out)"
cat /tmp/create.out
check "the retried create was answered: loaded through a Boot channel" \
	has "$(cat /tmp/create.out)" 'image /guests/hello.elf loaded through Boot channel'
check "the new daemon destroyed the leftover" \
	grep -q '1 Boot channel(s) left by an earlier daemon destroyed' /tmp/commandd.log
check "and rolled the create forward" grep -q 'request boot-kill-1 (create hello) had committed: rolled forward' /tmp/commandd.log
check "through a new Boot channel" [ "$(grep -c "served Boot channel .* of 'hello'" /tmp/commandd.log)" = 1 ]
now=$(boot_lines)
echo "$now"
check "hello has exactly one Boot channel, served once" [ "$(echo "$now" | grep -c 'client hello .* open 0 .* epoch=1$')" = 1 ]
check "state loaded" [ "$(pstate hello)" = loaded ]
check "db verify: replica = module" ultractl db verify
check "the module's db check passes" ultractl db check

out=$(ultractl partition start hello) || fail "start failed: $out"
_i=0
while [ "$(pstate hello)" != stopped ]; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "hello still $(pstate hello) after 30 s"
	sleep 0.1
done
check "its console shows hello" has "$(ultractl console hello)" '^hello: all checks passed$'
check "no Boot channel is left once hello started" [ -z "$(boot_lines)" ]
ultractl partition destroy hello >/dev/null || fail "destroy failed"
check "destroy gave the pool back to Linux" [ "$(pool_mib)" = 0 ]
check "no channel is left" has "$(ultractl channel list)" '^0 channel\(s\)$'
check "db verify after destroy" ultractl db verify
check "db check after destroy" ultractl db check

# a partition destroyed before it ever ran: instance unloaded, Boot channel released with it
out=$(ultractl partition create hello2 --mem 16M --duty 2 --image /guests/hello.elf) ||
	fail "create hello2 failed: $out"
check "hello2 has a Boot channel" has "$(boot_lines)" 'client hello2 '
out=$(ultractl partition destroy hello2) || fail "destroy of a loaded, never started partition failed: $out"
check "its Boot channel went with it" [ -z "$(boot_lines)" ]
check "the pool is empty again" [ "$(pool_mib)" = 0 ]
check "no channel is left" has "$(ultractl channel list)" '^0 channel\(s\)$'
check "db verify at the end" ultractl db verify
check "db check at the end" ultractl db check
