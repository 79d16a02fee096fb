# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=180
# The "hello" guest through the real module path: the partition is created by a
# transaction (`ultractl txn apply`: descriptor, 16 MiB of pool memory, a processor
# slot on CPU 1), loaded and started with the partition ioctls, prints through the
# serial port and the console hypercall, and stops itself with exit code 0. The
# events show each state; destroying it (a transaction) unloads the instance, the
# database checks clean and is the same image as before, and the pool is unchanged.
load
ultractl pool grow 16M >/dev/null || fail "pool grow failed"
part_cpus
h0=$(db_hash)
p0=$(ultractl pool show)
ultractl events --timeout 60 >/tmp/ev.out 2>/tmp/ev.err &
evpid=$!
sleep 1

part_create hello 16 1
cat /tmp/create-hello.txt
check "no instance before load" [ "$(part_state hello)" = none ]
out=$(ultractl partition load hello /guests/hello.elf) || fail "load failed: $out"
echo "$out"
check "loaded on CPU 1 with 16 MiB" has "$out" 'loaded .*16384 KiB in [0-9]+ extent\(s\), CPU 1$'
check "state loaded" [ "$(part_state hello)" = loaded ]
out=$(ultractl partition start hello) || fail "start failed: $out"
part_wait hello '^(stopped|faulted)$' 300 || fail "hello still $(part_state hello) after 30 s"
ultractl partition status hello
con=$(ultractl console hello)
printf '%s\n' "$con"
check "stopped by itself" [ "$(part_state hello)" = stopped ]
check "exit code 0" [ "$(part_field hello exit_code)" = 0 ]
check "serial output in the console" has "$con" '^hello: serial port works$'
check "hypercall output in the console" has "$con" '^hello: hypercall console works$'
check "the guest's own checks passed" has "$con" '^hello: all checks passed$'
check "CPUID exits counted" [ "$(part_field hello cpuid)" -ge 3 ]
if grep -qw la57 /proc/cpuinfo; then lv=5; else lv=4; fi
check "nested page tables with $lv levels, as the host" [ "$(part_field hello npt_levels)" = $lv ]
con2=$(ultractl console -f --until-stop hello)
check "a second reader gets the same console" [ "$con" = "$con2" ]
out=$(ultractl partition start hello 2>&1) && fail "start of a stopped partition accepted"
check "start when stopped is EINVAL and says so" has "$out" 'is stopped: cannot start it.*\[EINVAL\]'
out=$(ultractl partition stop hello) || fail "stop (reap) failed: $out"

part_destroy hello
check "instance gone with the partition" sh -c "! ultractl partition status hello 2>/dev/null"
check "db check after destroy" ultractl db check
check "database image as before the partition" [ "$(db_hash)" = "$h0" ]
check "pool unchanged" [ "$(ultractl pool show)" = "$p0" ]
sleep 1
kill $evpid 2>/dev/null
wait $evpid
cat /tmp/ev.out
ev=$(cat /tmp/ev.out)
check "event: loaded" has "$ev" 'partition-state .*state=none->loaded message="loaded"'
check "event: running" has "$ev" 'partition-state .*state=loaded->running message="started"'
check "event: stopped with the exit code" has "$ev" 'partition-state .*state=running->stopped message="exit code 0 \(exit port\)"'
check "event: unloaded when destroyed" has "$ev" 'partition-state .*state=stopped->none message="partition destroyed"'
check "no error events" sh -c "! grep -q ' error ' /tmp/ev.out"
check "the load was logged" has "$(kmsgs)" 'partition \[[0-9,]+\] "hello" loaded: 16384 KiB'
unload
