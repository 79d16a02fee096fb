# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=240
# ultra-consoled survives kill -9: conwrite keeps writing 64-byte messages in
# bursts while the daemon is killed and, 3 s later, started again. The new
# instance reattaches (a new server epoch), resumes transmitq0 at the used index
# found in the ring, and the log holds every byte the guest queued: the pattern
# with one gap, marked where the guest's transmit queue was full, of exactly the
# bytes the guest says it dropped. The guest never stopped: its own progress
# reports (on the serial console, which needs no daemon) advance while the daemon
# is down, it is still writing when the daemon comes back, what it writes after
# that reaches the log, and it finishes with exit code 0.
# PTYs need devpts, which the emulated host does not mount by itself
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } ||
	fail "cannot mount devpts"
load
ultractl pool grow 16M >/dev/null || fail "pool grow failed"
part_cpus
part_create cr 16 1
con_channel cr
consoled_start /tmp/consoled1.out 1
# progress: the guest's offset in its last progress report (serial console)
progress() {
	ultractl console cr | sed -n 's/^conwrite: progress off=\([0-9]*\) .*/\1/p' | tail -n 1
}
# 2 MiB in 64-byte messages, bursts of 64 every 20 ms: at least 10 s of writing,
# whether the queue takes the bytes or they are dropped; progress every 200 ms
ultractl partition load cr /guests/conwrite.elf bytes=2097152 msg=64 burst=64 gap=20000 wait=20 \
	progress=200 >/dev/null || fail "load conwrite failed"
ultractl partition start cr >/dev/null || fail "start failed"
i=0
while [ "$(stat -c %s /tmp/clog/cr.log 2>/dev/null || echo 0)" -lt 65536 ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "the guest's output never reached the log"
	sleep 0.1
done
kill -9 $cpid
wait $cpid 2>/dev/null
at=$(stat -c %s /tmp/clog/cr.log)
p0=$(progress)
echo "killed consoled with $at bytes in the log; the guest is at byte $p0"
chan_tool list
sleep 3
p1=$(progress)
echo "3 s later the guest is at byte $p1"
check "the guest kept running while the daemon was down" [ "$(part_state cr)" = running ]
check "and kept writing: its offset grew while the daemon was down" [ "$p1" -gt "$p0" ]
check "it is still writing when the daemon comes back" [ "$p1" -lt 2097152 ]
ultra-consoled -l /tmp/clog -r /tmp/crun >/tmp/consoled2.out 2>&1 &
cpid=$!
part_wait cr '^(stopped|faulted)$' 1200 || fail "conwrite still $(part_state cr)"
con=$(ultractl console cr)
printf '%s\n' "$con"
cat /tmp/consoled2.out
check "conwrite exited 0" [ "$(part_field cr exit_code)" = 0 ]
check "the new instance resumed the running guest" grep -q 'resuming' /tmp/consoled2.out
dropped=$(printf '%s\n' "$con" | sed -n 's/.* dropped=\([0-9]*\) .*/\1/p')
echo "the guest dropped $dropped bytes"
check "the guest had to drop while the daemon was down" [ "$dropped" -gt 0 ]
out=$(con_check /tmp/clog/cr.log 2097152) || { echo "$out"; fail "the log is not the pattern with marked gaps"; }
echo "$out"
check "every byte the guest queued is in the log, the gap marked with its size" \
	has "$out" "dropped=$dropped drop_markers=[1-9]"
check "the marker says why" grep -q '^\[ultra-consoled: [0-9]* bytes dropped by the guest: its transmit queue was full\]$' /tmp/clog/cr.log
check "the restart is marked in the log" grep -q '^\[ultra-consoled: server restarted' /tmp/clog/cr.log
after=$(sed -n '/^\[ultra-consoled: server restarted/,$p' /tmp/clog/cr.log | grep -vc '^\[ultra-consoled: ')
echo "$after lines of the guest's output after the restart marker"
check "what it wrote after the restart reached the log" [ "$after" -gt 100 ]
con_teardown cr
