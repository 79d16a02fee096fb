# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# Server -> guest interrupts (docs/channels.md "Signals", docs/monitor.md
# "Interrupts"): conirq gives its console receive queue vector 64 and waits for
# input in HLT with interrupts on. While idle it makes no polling exits (no
# hypercalls; at most one HLT per run of its schedule slots); a line typed into
# the PTY wakes it and comes back as its echo; a burst of 1000 lines takes far
# fewer interrupts than lines, and the monitor injected exactly the interrupts
# the guest's handler counted. A guest that writes vector 30 (an exception, not a
# GSI) is refused at every notification with a reason (module counter, kernel log,
# ultra-consoled) and gets no interrupt; it polls and its echo still works.
# ultractl stats shows the per-channel notification counts.
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"
load
ultractl pool grow 32M >/dev/null || fail "pool grow failed"
part_cpus
for p in ci cb; do
	part_create $p 16 1
	con_channel $p
done
consoled_start /tmp/consoled.out 2

# wait_log NAME TEXT: the partition's console log has TEXT (30 s at most)
wait_log() {
	_i=0
	while ! grep -q "$2" "/tmp/clog/$1.log" 2>/dev/null; do
		_i=$((_i + 1)); [ $_i -lt 300 ] || { cat "/tmp/clog/$1.log"; fail "$1: no '$2' in the log"; }
		sleep 0.1
	done
}
# exits NAME REASON: exit counter from ultractl stats
exits() {
	sched_stat "$1" "$2"
}

ultractl partition load ci /guests/conirq.elf vector=64 >/dev/null || fail "load conirq failed"
ultractl partition start ci >/dev/null || fail "start ci failed"
wait_log ci 'conirq: ready'
sleep 0.5
hc0=$(exits ci hypercall); hlt0=$(exits ci hlt); cy0=$(exits ci cycles)
sleep 2
hc1=$(exits ci hypercall); hlt1=$(exits ci hlt); cy1=$(exits ci cycles)
echo "idle 2 s: hypercalls $hc0 -> $hc1, hlt $hlt0 -> $hlt1, schedule cycles $cy0 -> $cy1"
check "idle guest makes no polling hypercalls" [ "$hc1" -eq "$hc0" ]
check "idle guest halts at most once per run of its slots" [ $((hlt1 - hlt0)) -le $((cy1 - cy0 + 2)) ]
check "no interrupt while nothing came" [ "$(part_field ci irq_injected)" = 0 ]

pty=$(cat /tmp/crun/ci.pty)
cat "$pty" >/tmp/pty-ci.out &
catpid=$!
sleep 0.3
printf 'hello interrupt\n' >"$pty"
wait_log ci 'echo: hello interrupt'
check "the echo came back through the PTY" sh -c "sleep 0.3; grep -q 'echo: hello interrupt' /tmp/pty-ci.out"
inj=$(part_field ci irq_injected)
echo "after one line: irq_injected=$inj"
check "the line arrived by interrupt" [ "$inj" -ge 1 ]

# a burst: 1000 lines in one write
i=0; : >/tmp/burst
while [ $i -lt 1000 ]; do echo "line $i" >>/tmp/burst; i=$((i + 1)); done
cat /tmp/burst >"$pty"
wait_log ci 'echo: line 999$'
printf 'quit\n' >"$pty"
part_wait ci '^(stopped|faulted)$' 300 || fail "conirq still $(part_state ci)"
kill $catpid 2>/dev/null
con=$(ultractl console ci)
printf '%s\n' "$con" | grep 'conirq: quit'
check "conirq exited 0" [ "$(part_field ci exit_code)" = 0 ]
check "every line echoed in order" sh -c "grep '^echo: line ' /tmp/clog/ci.log | sed 's/^echo: //' | cmp -s - /tmp/burst"
lines=$(printf '%s\n' "$con" | sed -n 's/.* lines=\([0-9]*\).*/\1/p')
girqs=$(printf '%s\n' "$con" | sed -n 's/.* irqs=\([0-9]*\).*/\1/p')
gvec=$(printf '%s\n' "$con" | sed -n 's/.* irqs_on_vector=\([0-9]*\).*/\1/p')
raised=$(part_field ci irq_raised)
inj=$(part_field ci irq_injected)
win=$(exits ci irq_window)
echo "lines=$lines guest_irqs=$girqs on_vector_64=$gvec raised=$raised injected=$inj irq_window_exits=$win"
ultractl stats ci | tee /tmp/stats-ci
ultractl --json stats ci >/tmp/stats-ci.json || fail "stats --json failed"
sirqs=$(sed -n 's/^  channel .* server_irqs=\([0-9]*\) .*/\1/p' /tmp/stats-ci)
notifies=$(sed -n 's/^  channel .* server_notifies=\([0-9]*\) .*/\1/p' /tmp/stats-ci)
echo "notifications: $lines lines, $notifies server notifies, $sirqs interrupts raised by the channel, $inj injected"
check "1002 lines" [ "$lines" = 1002 ]
check "the monitor injected exactly what the guest's handler took" [ "$inj" = "$girqs" ]
check "all of them on the queue's vector 64" [ "$gvec" = "$girqs" ]
check "far fewer interrupts than lines (< 1/4)" [ $((inj * 4)) -lt "$lines" ]
check "the channel raised them (coalesced ones delivered once)" [ "$sirqs" -ge "$inj" ]
check "raised counts the channel's" [ "$raised" = "$sirqs" ]
check "stats shows the channel's notification counters" grep -q ' bad_vector=0$' /tmp/stats-ci
check "stats --json has them" grep -q '"server_irqs"' /tmp/stats-ci.json

# a guest that writes an exception vector
ultractl partition load cb /guests/conirq.elf badvec=30 >/dev/null || fail "load conirq badvec failed"
ultractl partition start cb >/dev/null || fail "start cb failed"
wait_log cb 'conirq: ready'
pty=$(cat /tmp/crun/cb.pty)
printf 'still echoed\n' >"$pty"
wait_log cb 'echo: still echoed'
printf 'quit\n' >"$pty"
part_wait cb '^(stopped|faulted)$' 300 || fail "conirq (badvec) still $(part_state cb)"
con=$(ultractl console cb)
printf '%s\n' "$con" | grep 'conirq: quit'
check "conirq with a bad vector exited 0" [ "$(part_field cb exit_code)" = 0 ]
check "it took no interrupt" has "$con" ' irqs=0 '
check "the monitor injected none" [ "$(part_field cb irq_injected)" = 0 ]
ultractl channel list | tee /tmp/chlist
bad=$(sed -n 's/.*client cb .* bad_vector=\([0-9]*\).*/\1/p' /tmp/chlist)
check "the module refused and counted its notifications ($bad)" [ "$bad" -ge 1 ]
check "the kernel log says why" sh -c "dmesg | grep -q 'queue interrupt 30 is neither a GSI'"
check "ultra-consoled says it once" [ "$(grep -c 'interrupt 30 is refused' /tmp/consoled.out)" = 1 ]
check "the other partition's channel is clean" sh -c "grep 'client ci ' /tmp/chlist | grep -q ' bad_vector=0 '"

con_teardown ci cb
