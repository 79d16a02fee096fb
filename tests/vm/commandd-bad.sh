# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# Bad requests to ultra-commandd on the real module each get a clear error (the
# right errno and a message naming the problem) and change nothing: the module's
# image hash and log position are the same before and after all of them. Covered:
# malformed JSON, unknown fields, wrong types, negative and huge sizes, a size
# the host cannot give, a duplicate name, a built-in name, non-existent
# partitions, destroy of a running partition, a bad image, and a peer that is
# neither root nor in group ultravisor (the client drops to uid 1000).
S=/run/ultravisor/commandd.sock
J=/tmp/commandd.journal
cmdd_cleanup() {
	for p in $(ultractl --json partition list 2>/dev/null | sed -n 's/.*"name": "\(good\|x\|other\)".*/\1/p'); do
		ultractl partition stop "$p" >/dev/null 2>&1
		ultractl partition destroy "$p" >/dev/null 2>&1
	done
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap cmdd_cleanup EXIT
db_state() { ultractl --json db check | sed -n 's/.*"\(image_hash\|next_seq\)": "*\([0-9a-fx]*\)"*.*/\2/p' | tr '\n' ' '; }
n=0
# refused ERRNO WHAT LINE [--uid N]: the request is refused with ERRNO and a message
refused() {
	_want=$1 _what=$2 _line=$3
	shift 3
	n=$((n + 1))
	_out=$(commandd_client "$@" raw $S "$_line")
	_rc=$?
	[ $_rc = 1 ] || fail "$_what: no error answer (status $_rc): $_out"
	has "$_out" "\"errno_name\":\"$_want\"" || fail "$_what: not $_want: $_out"
	_msg=$(printf '%s' "$_out" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p')
	[ -n "$_msg" ] || fail "$_what: no message: $_out"
	echo "ok - $_what: $_want: $_msg"
}

load
cmdd_start
ultractl partition create good --mem 16M --duty 2 --image /guests/spin.elf --id good-1 >/dev/null ||
	fail "create good failed"
ultractl partition start good >/dev/null || fail "start good failed"
before=$(db_state)
echo "module before: $before"

refused EINVAL "not JSON" 'this is not json'
refused EINVAL "trailing bytes" '{"id":"b1","op":"list"} x'
refused EINVAL "no id" '{"op":"list"}'
refused EOPNOTSUPP "unknown op" '{"id":"b2","op":"format_disk"}'
refused EPROTONOSUPPORT "protocol version 2" '{"v":2,"id":"b3","op":"list"}'
refused EINVAL "unknown top-level field" '{"id":"b4","op":"list","sudo":true}'
refused EINVAL "unknown argument" '{"id":"b5","op":"create","args":{"name":"x","memory":16777216,"colour":"red"}}'
refused EINVAL "memory as a string" '{"id":"b6","op":"create","args":{"name":"x","memory":"16M"}}'
refused ERANGE "negative memory" '{"id":"b7","op":"create","args":{"name":"x","memory":-16777216}}'
refused ERANGE "huge memory" '{"id":"b8","op":"create","args":{"name":"x","memory":99999999999999999999}}'
refused ERANGE "memory past 64 TiB" '{"id":"b9","op":"create","args":{"name":"x","memory":140737488355328}}'
refused EINVAL "memory not in 4 MiB units" '{"id":"b10","op":"create","args":{"name":"x","memory":16777217}}'
refused ERANGE "negative duty" '{"id":"b11","op":"create","args":{"name":"x","memory":16777216,"duty":-1}}'
refused ERANGE "duty 17" '{"id":"b12","op":"create","args":{"name":"x","memory":16777216,"duty":17}}'
refused ENOMEM "more memory than Linux can give" '{"id":"b13","op":"create","args":{"name":"x","memory":1099511627776}}'
refused EEXIST "duplicate name" '{"id":"b14","op":"create","args":{"name":"good","memory":16777216}}'
refused EEXIST "a built-in's name" '{"id":"b15","op":"create","args":{"name":"available","memory":16777216}}'
refused EINVAL "a bad name" '{"id":"b16","op":"create","args":{"name":"../x","memory":16777216}}'
refused ENOENT "destroy a non-existent partition" '{"id":"b17","op":"destroy","args":{"name":"ghost"}}'
refused ENOENT "start a non-existent partition" '{"id":"b18","op":"start","args":{"name":"ghost"}}'
refused ENOENT "show a non-existent partition" '{"id":"b19","op":"show","args":{"name":"ghost"}}'
refused EPERM "destroy a built-in partition" '{"id":"b20","op":"destroy","args":{"name":"idle"}}'
refused EBUSY "destroy a running partition" '{"id":"b21","op":"destroy","args":{"name":"good"}}'
refused ENOENT "an image that does not exist" '{"id":"b22","op":"create","args":{"name":"x","memory":16777216,"image":"/guests/nope.elf"}}'
refused ENOEXEC "an image that is no ELF file" '{"id":"b23","op":"create","args":{"name":"x","memory":16777216,"image":"/init"}}'
refused EINVAL "a relative image path" '{"id":"b24","op":"create","args":{"name":"x","memory":16777216,"image":"guests/hello.elf"}}'
refused EEXIST "a request id reused for another request" '{"id":"good-1","op":"create","args":{"name":"other","memory":16777216}}'
# an unauthorised peer: the socket's mode keeps it out (0600 here: no group
# ultravisor in this host's /etc/group) ...
out=$(commandd_client --uid 1000 raw $S '{"id":"b25","op":"list"}' 2>&1)
check "uid 1000 cannot connect to the socket ($out)" [ $? = 2 ]
check "and is told why" has "$out" 'Permission denied'
# ... and with the socket opened to everyone, the daemon's SO_PEERCRED check does
chmod 0666 $S
refused EACCES "a peer that is neither root nor in group ultravisor" '{"id":"b26","op":"create","args":{"name":"x","memory":16777216}}' --uid 1000
refused EACCES "the unauthorised peer cannot even list" '{"id":"b27","op":"list"}' --uid 1000
chmod 0600 $S
after=$(db_state)
echo "module after $n bad requests: $after"
check "the module's image hash and log position are unchanged" [ "$before" = "$after" ]
check "no partition x appeared" sh -c '! ultractl partition show x 2>/dev/null'
check "good still runs" has "$(ultractl partition show good)" 'running'
check "db verify: replica = module" ultractl db verify
check "db check" ultractl db check
