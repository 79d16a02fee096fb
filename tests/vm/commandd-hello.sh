# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# ultra-commandd on the real module: the pool starts empty and grows for a create
# (64 MiB for `partition create hello --mem 64M --duty 4 --image /guests/hello.elf`);
# the image goes through a Boot channel (¶[0126]): between create and start hello
# has a one-page Boot channel the daemon served (module's channel list, daemon log),
# the module built hello without an image and took the entry from the daemon, and
# its own Multiboot loader never ran; the channel is gone once hello starts;
# start runs the guest and its console shows hello, show reports the monitor's
# state, destroy shrinks the pool back to empty; the replica equals the module (db
# verify) and the module's checker passes; a second daemon refuses to start with
# the module's EBUSY and says why; systemd readiness arrives on $NOTIFY_SOCKET.
J=/tmp/commandd.journal
cmdd_cleanup() {
	for p in $(ultractl --json partition list 2>/dev/null | sed -n 's/.*"name": "\(hello\|spin[0-9]*\)".*/\1/p'); do
		ultractl partition stop "$p" >/dev/null 2>&1
		ultractl partition destroy "$p" >/dev/null 2>&1
	done
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
pool_mib() { ultractl --json pool show | sed -n 's/.*"pool_bytes": \([0-9]*\).*/\1/p' | awk '{print $1 / 1048576}'; }
pstate() { ultractl --json partition show "$1" | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
lacks() { ! has "$1" "$2"; }
trap cmdd_cleanup EXIT

load
check "the pool is empty at load" [ "$(pool_mib)" = 0 ]
cmdd_start
out=$(ultractl partition create hello --mem 64M --duty 4 --image /guests/hello.elf) ||
	fail "create failed: $out"
echo "$out"
check "created with its image loaded through a Boot channel" \
	has "$out" 'image /guests/hello.elf loaded through Boot channel \[[0-9]+,[0-9]+,[0-9]+\]$'
check "the pool grew by what the create needed: 64 MiB" [ "$(pool_mib)" = 64 ]
check "state loaded" [ "$(pstate hello)" = loaded ]

# the image went through a Boot channel (¶[0126]), not through the module's loader
chans=$(ultractl channel list) || fail "channel list failed"
printf '%s\n' "$chans"
bootch=$(printf '%s\n' "$chans" | sed -n 's/^channel \(\[[0-9,]*\]\) boot client hello .*/\1/p')
check "between create and start hello has a Boot channel" [ -n "$bootch" ]
check "it is the one the create named" has "$out" "Boot channel \\$bootch\$"
check "one page at the top of its 64 MiB, served once (epoch 1), detached since" \
	has "$chans" "^channel \\$bootch boot client hello .* pages 1 gpa 0x3fff000 servers none open 0 .* epoch=1$"
check "the daemon says it served it" \
	grep -q "served Boot channel \\$bootch of 'hello' (gpa 0x3fff000): /guests/hello.elf, [0-9]* bytes, Multiboot" /tmp/commandd.log
k=$(kmsgs)
check "the module built hello without an image" has "$k" '"hello" built without an image \(zeroed\)'
check "and took its entry from the Boot channel's server" has "$k" '"hello": entry at 0x[0-9a-f]+ set by the Boot channel'
check "the module's own Multiboot loader was not used" lacks "$k" '"hello" loaded:'

check "duty 4 of 16 slots" has "$(ultractl partition show hello)" 'slots [0-9]+-[0-9]+$'
ultractl --json partition show hello | grep -q '"duty": 4' || fail "show: duty is not 4"
out=$(ultractl partition start hello) || fail "start failed: $out"
echo "$out"
chans=$(ultractl channel list) || fail "channel list failed"
check "the Boot channel is gone once hello started" lacks "$chans" ' boot client '
check "the daemon destroyed it" grep -q "Boot channel \\$bootch destroyed" /tmp/commandd.log
_i=0
while [ "$(pstate hello)" != stopped ]; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "hello still $(pstate hello) after 30 s"
	sleep 0.1
done
con=$(ultractl console hello) || fail "console failed"
printf '%s\n' "$con"
check "its console shows hello" has "$con" '^hello: serial port works$'
check "the guest's own checks passed" has "$con" '^hello: all checks passed$'
ultractl --json partition show hello | grep -q '"exited": true' || fail "hello did not stop itself"
check "db verify: replica = module" ultractl db verify
check "the module's db check passes" ultractl db check

# a second daemon: the module says EBUSY, the daemon says what that means
out=$(ultra-commandd --socket /tmp/second.sock --journal /tmp/second.journal 2>&1) &&
	fail "a second daemon started"
echo "$out"
check "the second daemon names EBUSY" has "$out" 'EBUSY'
check "and says who holds the channel" has "$out" 'held by another command daemon'
check "the first daemon still serves" ultractl partition list

out=$(ultractl partition stop hello) || fail "stop failed: $out"
out=$(ultractl partition destroy hello) || fail "destroy failed: $out"
check "destroy gave the pool back to Linux" [ "$(pool_mib)" = 0 ]
check "db verify after destroy" ultractl db verify
check "db check after destroy" ultractl db check

# readiness: a datagram socket plays systemd
kill $cmdd_pid && wait $cmdd_pid
cmdd_pid=
commandd_client notify-listen /tmp/notify.sock /tmp/notify.out &
lpid=$!
sleep 0.3
NOTIFY_SOCKET=/tmp/notify.sock ultra-commandd --journal $J >>/tmp/commandd.log 2>&1 &
cmdd_pid=$!
wait $lpid
check "READY=1 arrived on NOTIFY_SOCKET" grep -qx 'READY=1' /tmp/notify.out
check "the daemon answers once ready" ultractl partition list
