# SPDX-License-Identifier: GPL-2.0
# vmtest: kernel=bzimage timeout=300
# The partition ioctls on a 5-level host (bzImage boot under -cpu max: LA57 on):
# hello through the real path with 5-level nested page tables, an escape above its
# memory and a triple fault beside it end faulted, spin pauses, resumes and stops,
# a running partition cannot be destroyed, and the database checks clean at the end.
check "the host pages with 5 levels" [ "$(paging_levels)" = 5 ]
load
ultractl pool grow 32M >/dev/null || fail "pool grow failed"
part_cpus
h0=$(db_hash)
part_create a 16 1
part_create b 16 0
ultractl partition load a /guests/hello.elf >/dev/null || fail "load hello failed"
ultractl partition start a >/dev/null || fail "start hello failed"
part_wait a '^(stopped|faulted)$' 300 || fail "hello still $(part_state a)"
check "hello exit code 0" [ "$(part_state a) $(part_field a exit_code)" = "stopped 0" ]
check "hello's console" has "$(ultractl console a)" '^hello: all checks passed$'
check "5-level nested page tables" [ "$(part_field a npt_levels)" = 5 ]
ultractl partition load a /guests/escape.elf target=above >/dev/null || fail "load escape failed"
ultractl partition load b /guests/tfault.elf >/dev/null || fail "load tfault failed"
ultractl partition start a >/dev/null || fail "start escape failed"
ultractl partition start b >/dev/null || fail "start tfault failed"
part_wait a '^(stopped|faulted)$' 300 || fail "escape still $(part_state a)"
part_wait b '^(stopped|faulted)$' 300 || fail "tfault still $(part_state b)"
check "escape faulted above its memory" has "$(ultractl partition status a)" '^fault: nested-page-fault: read at gpa 0x1000000 '
check "tfault faulted with a triple fault" [ "$(part_field b fault)" = triple-fault ]
ultractl partition load a /guests/spin.elf >/dev/null || fail "load spin failed"
ultractl partition start a >/dev/null || fail "start spin failed"
sleep 1
ultractl partition pause a >/dev/null || fail "pause failed"
check "paused" [ "$(part_state a)" = paused ]
uv_mkpart destroy a >/tmp/d.txt || fail "uv_mkpart destroy"
out=$(ultractl txn apply /tmp/d.txt 2>&1) && fail "destroy of a paused partition accepted"
check "destroy refused while paused" has "$out" '"a" is paused.*\[EBUSY\]'
ultractl partition resume a >/dev/null || fail "resume failed"
check "running" [ "$(part_state a)" = running ]
ultractl partition stop a >/dev/null || fail "stop failed"
check "stopped" [ "$(part_state a)" = stopped ]
part_destroy a
part_destroy b
check "db check" ultractl db check
check "database image as before" [ "$(db_hash)" = "$h0" ]
unload
