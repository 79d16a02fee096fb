# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Helpers for in-VM tests (sourced before each tests/vm/NAME.sh by the runner).

# fail REASON: end the test as failed; REASON becomes the FAIL line's reason.
fail() {
	echo "@@ REASON $*" | tee -a /tmp/reason
	exit 1
}

# check DESCRIPTION CMD...: run CMD; print "ok DESCRIPTION" or fail with DESCRIPTION.
# (CMD runs in this shell: with `sh -c "..."` the helpers below are not defined, and a
# negated check of a missing function could never fail.)
check() {
	_what=$1
	shift
	if "$@"; then echo "ok - $_what"; else fail "$_what"; fi
}

# load [PARAMS...]: insmod ultravisor.ko or fail with the reason
load() {
	insmod /lib/modules/ultravisor.ko "$@" || fail "insmod ultravisor.ko failed"
	[ -c /dev/ultravisor ] || fail "/dev/ultravisor missing after insmod"
}

unload() {
	rmmod ultravisor || fail "rmmod ultravisor failed"
}

# meminfo FIELD: value in kB from /proc/meminfo
meminfo() {
	awk -v f="$1:" '$1 == f {print $2}' /proc/meminfo
}

# kload_kvm: load the test kernel's kvm-amd and its dependencies
kload_kvm() {
	for m in $(cat /lib/modules/kvm.order); do
		insmod /lib/modules/$m.ko || fail "insmod $m failed"
	done
}

# has TEXT ERE: true if TEXT has a line matching the extended regular expression
has() {
	printf '%s\n' "$1" | grep -qE "$2"
}

# kmsgs: ultravisor's kernel lines, without timestamps and the kernel's own taint notices
kmsgs() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | grep 'ultravisor' |
		grep -v 'module verification failed\|taints kernel'
}

# refusal_lines: the distinct error-level (KERN_ERR) lines ultravisor logged. The
# feature report before a refusal is informational. busybox insmod tries
# finit_module() and then init_module(), so a refused init runs twice: hence sort -u.
refusal_lines() {
	dmesg -r | sed -n 's/^<3>\[[ 0-9.]*\] //p' | grep 'ultravisor' | sort -u
}

# ---- running partitions through /dev/ultravisor (tests/vm/part-*.sh) ----
# part_create NAME MB CPU: a user partition by `ultractl txn apply` (tests/vm/tools/uv_mkpart
# writes the transaction: descriptor, MB MiB of pool pages, a processor slot on CPU)
part_create() {
	uv_mkpart create "$1" "$2" "$3" >"/tmp/create-$1.txt" || fail "uv_mkpart create $1 failed"
	_out=$(ultractl txn apply "/tmp/create-$1.txt" 2>&1) || fail "creating $1 failed: $_out"
}
# part_cpus: processor descriptors for every CPU (once after load: they stay, so take
# "before" images of the database after this)
part_cpus() {
	uv_mkpart cpus "$(grep -c ^processor /proc/cpuinfo)" >/tmp/cpus.txt || fail "uv_mkpart cpus failed"
	if grep -q Initialize /tmp/cpus.txt; then
		_out=$(ultractl txn apply /tmp/cpus.txt 2>&1) || fail "processor descriptors: $_out"
	fi
}
# part_destroy NAME: memory back to available, slots to idle, Destroy Partition
part_destroy() {
	uv_mkpart destroy "$1" >"/tmp/destroy-$1.txt" || fail "uv_mkpart destroy $1 failed"
	_out=$(ultractl txn apply "/tmp/destroy-$1.txt" 2>&1) || fail "destroying $1 failed: $_out"
}
# part_state NAME: none, loaded, running, paused, stopped, faulted
part_state() {
	ultractl --json partition status "$1" | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}
# part_field NAME KEY: a number or string from `ultractl --json partition status`
part_field() {
	ultractl --json partition status "$1" | tr -d '\n' | sed -n "s/.*\"$2\": \"*\([^,\"}]*\).*/\1/p"
}
# part_wait NAME STATE-ERE TENTHS: wait until the state matches
part_wait() {
	_i=0
	while [ $_i -lt "$3" ]; do
		has "$(part_state "$1")" "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# db_hash: the database image's hash (ultractl db check)
db_hash() {
	ultractl --json db check | sed -n 's/.*"image_hash": "\([0-9a-f]*\)".*/\1/p'
}

# ---- the processor schedule (docs/schedule.md) ----
# sched_create NAME CPU DUTY OFFSET: part_create NAME (its one slot must land on
# OFFSET: create partitions in slot order), then slots OFFSET..OFFSET+DUTY-1 its own
sched_create() {
	part_create "$1" 16 "$2"
	_l=$(grep 'Change Schedule' "/tmp/create-$1.txt") || fail "$1: no slot in its create transaction"
	_proc=$(echo "$_l" | sed -n 's/.*Processor\(\[[0-9,]*\]\).*/\1/p')
	_slot=$(echo "$_l" | sed -n 's/.*Slot(\([0-9]*\)).*/\1/p')
	_from=$(echo "$_l" | sed -n 's/.*from \([^ ,]*,[^ ,]*,[^ ,]*:[0-9]*\).*/\1/p')
	_to=$(echo "$_l" | sed -n 's/.*to \([^ ,]*,[^ ,]*,[^ ,]*:[0-9]*\).*/\1/p')
	[ "$_slot" = "$4" ] || fail "$1: its first slot is $_slot, not $4"
	eval "SCHED_PROC_$2=\$_proc SCHED_IDLE_$2=\$_from SCHED_ID_$1=\$_to"
	[ "$3" -gt 1 ] && sched_move "$2" $(($4 + 1)) $(($4 + $3 - 1)) "$_from" "$_to"
	return 0
}
# sched_move CPU FIRST LAST FROM TO: one Change Schedule (FROM/TO as "[G,M,K]:v")
sched_move() {
	eval "_proc=\$SCHED_PROC_$1"
	printf 'Begin Transaction\nChange Schedule Processor%s, SlotRange(%s,%s), from %s, to %s\nCommit Transaction\n' \
		"$_proc" "$2" "$3" "$4" "$5" >/tmp/sched-move.txt
	_out=$(ultractl txn apply /tmp/sched-move.txt 2>&1) || fail "schedule change $*: $_out"
}
# in_range V LO HI: LO <= V <= HI
in_range() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}
# sched_stat NAME KEY: a counter of NAME from `ultractl stats NAME`
sched_stat() {
	ultractl stats "$1" | sed -n "s/^partition .* $2=\([0-9]*\).*/\1/p"
}
# cpu_stat CPU KEY: a counter of CPU's executor
cpu_stat() {
	ultractl stats | sed -n "s/^cpu $1:.* $2=\([0-9]*\).*/\1/p"
}

# ---- the monitor's test driver (tests/vm/modules: uv_montest.ko, debugfs) -----------
# mt_load loads it (and unloads it when the test ends); a SLOT is a directory under $D.
D=/sys/kernel/debug/uv_montest
mt_load() {
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	insmod /lib/modules/uv_montest.ko || fail "insmod uv_montest.ko failed"
	[ -d $D ] || fail "no $D"
	trap 'rmmod uv_montest 2>/dev/null' EXIT
}
mt_ctl() { echo "$2" >"$D/$1/ctl" || fail "$1: '$2' refused"; }
mt_run() { # SLOT GUEST CPU [CMDLINE]: 16 MiB partition, load, start
	mt_ctl "$1" "create 16 $3"
	cat "/guests/$2.elf" >"$D/$1/image" || fail "$1: cannot write the image"
	mt_ctl "$1" "load $4"
	mt_ctl "$1" start
}
mt_state() { cat "$D/$1/state"; }
mt_field() { sed -n "s/^$2=//p" "$D/$1/status"; }
# mt_dump SLOT: how a guest stands, for the log of a failure: its status (state, exit,
# fault and its rip, exit counts) and the printable part of its console's last 400 bytes
mt_dump() { cat "$D/$1/status"; tail -c 400 "$D/$1/console" | tr -cd '\11\12\40-\176'; echo; }
mt_wait() { # SLOT STATE-ERE TENTHS-OF-SECONDS
	_i=0
	while [ $_i -lt "$3" ]; do
		has "$(mt_state "$1")" "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ---- the command daemon ---------------------------------------------------------------
# cmdd_start: ultra-commandd in the background with journal $J (log /tmp/commandd.log);
# returns once it answers requests. Its pid is $cmdd_pid.
J=/tmp/commandd.journal
cmdd_start() {
	mkdir -p /run/ultravisor
	ultra-commandd --journal $J >>/tmp/commandd.log 2>&1 &
	cmdd_pid=$!
	_i=0
	until ultractl partition list >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || fail "the daemon did not come up: $(tail -3 /tmp/commandd.log)"
		kill -0 $cmdd_pid 2>/dev/null || fail "the daemon died: $(tail -3 /tmp/commandd.log)"
		sleep 0.1
	done
}

# con_teardown P...: stop ultra-consoled (pid in cpid), stop and destroy the partitions
# P... and console-io; the database checks clean and the kernel logged no warning
con_teardown() {
	kill "$cpid"
	wait "$cpid"
	for _p in "$@"; do
		ultractl partition stop "$_p" >/dev/null 2>&1
		part_destroy "$_p"
	done
	uv_mkpart destroy console-io >/tmp/d.txt && ultractl txn apply /tmp/d.txt >/dev/null ||
		fail "destroying console-io failed"
	check "db check passes" ultractl db check
	check "no kernel warnings" sh -c "! dmesg | grep -q 'WARNING:\\|BUG:\\|Oops'"
}

# con_channel P: give partition P a Console channel served by the console-io partition
con_channel() {
	uv_mkpart console "$1" console-io 8 >"/tmp/con-$1.txt" || fail "uv_mkpart console $1 failed"
	_out=$(ultractl txn apply "/tmp/con-$1.txt" 2>&1) || fail "console channel of $1: $_out"
}

# consoled_start OUT N: start ultra-consoled (logs /tmp/clog, PTYs /tmp/crun), its
# output in OUT, and wait until it attached to N channels (10 s); its pid in cpid
consoled_start() {
	: >"$1"	# exists before the first grep, however late the daemon starts
	ultra-consoled -l /tmp/clog -r /tmp/crun >"$1" 2>&1 &
	cpid=$!
	_i=0
	while [ "$(grep -c 'attached' "$1")" -lt "$2" ]; do
		_i=$((_i + 1)); [ $_i -lt 100 ] || { cat "$1"; fail "consoled did not attach to $2 channels"; }
		sleep 0.1
	done
}

# ---- Linux guests' shells on consoled's PTYs (tests/vm/linux-*.sh) ----
# pty_cmd P CMD MARK TENTHS: write CMD into P's PTY (/tmp/crun/P.pty, from consoled) and
# wait up to TENTHS tenths of a second for a line matching the grep pattern MARK in what
# comes back (kept in /tmp/pty-P.out; the PTY is read only meanwhile, so it may start
# with output left from before). Prints what came back without CRs; true if MARK came.
pty_cmd() {
	_pty=$(cat "/tmp/crun/$1.pty") || fail "no pty for $1"
	: >"/tmp/pty-$1.out"
	cat "$_pty" >>"/tmp/pty-$1.out" &
	catpid=$!
	sleep 0.5
	printf '%s\n' "$2" >"$_pty"
	_i=0
	while ! grep -q "$3" "/tmp/pty-$1.out"; do
		_i=$((_i + 1)); [ $_i -lt "$4" ] || break
		sleep 0.1
	done
	kill "$catpid" 2>/dev/null
	wait "$catpid" 2>/dev/null
	catpid=
	tr -d '\r' <"/tmp/pty-$1.out"
	grep -q "$3" "/tmp/pty-$1.out"
}

# linux_cleanup P...: the EXIT trap of the tests that run Linux partitions P... under
# ultra-commandd with ultra-consoled serving them as console-io: stops a PTY reader left
# running (catpid) and consoled (cpid), stops and destroys P... and console-io, stops the
# daemon (cmdd_pid). Quiet: after a failure, the test's own output is what matters.
linux_cleanup() {
	[ -n "$catpid" ] && kill "$catpid" 2>/dev/null
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	for _p in "$@"; do
		ultractl partition stop "$_p" >/dev/null 2>&1
		ultractl partition destroy "$_p" >/dev/null 2>&1
	done
	ultractl partition destroy console-io >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
