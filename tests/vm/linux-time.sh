# SPDX-License-Identifier: GPL-2.0
# vmtest: timeout=400
# Guest time against host time. The stock Debian kernel boots (as in linux-boot) with
# uvtest=time: /init prints its monotonic clock (/proc/uptime, 10 ms steps), then runs
# `sleep 1` 25 times, printing its clock before and after each. This side timestamps
# every console line with its own monotonic clock as the line arrives
# (`ultractl console -f`). Checked:
#  - rate: guest clock advance / host clock advance over > 20 s of host time, within
#    0.5 %. A line reaches this side late by a varying amount (the guest's serial
#    driver, the 50 ms follow poll, a loaded host), never early, so the rate is taken
#    between the most punctual line of the first 5 and of the last 5: the one whose
#    host stamp less guest time is smallest (27 lines: at least 18 s apart). Taking plain first and last lines let a
#    single late line cost 0.4 %;
#  - `sleep 1` by the guest's own clock (fork and exec of busybox included): the
#    median of the 25 within 1 s +- 5 % (the shortest and longest are printed);
#  - `sleep 1` from the host's view: the mean period between lines, less the guest's
#    own mean time between one sleep's end and the next's start, 1 s +- 5 %.
# The figures are printed whatever the outcome (the emulated host runs under TCG).
J=/tmp/commandd.journal
lcleanup() {
	[ -n "$con_pid" ] && kill "$con_pid" 2>/dev/null
	ultractl partition stop linux >/dev/null 2>&1
	ultractl partition destroy linux >/dev/null 2>&1
	[ -n "$cmdd_pid" ] && kill "$cmdd_pid" 2>/dev/null && wait "$cmdd_pid" 2>/dev/null
}
trap lcleanup EXIT

CMDLINE="console=ttyS0 earlycon=uart8250,io,0x3f8 pci=off 8250.nr_uarts=1 uvtest=time"
load
cmdd_start
out=$(ultractl partition create linux --mem 256M --kernel /guests/linux/vmlinuz \
	--initrd /guests/linux/initramfs.cpio.gz --cmdline "$CMDLINE") || fail "create failed: $out"
out=$(ultractl partition start linux) || fail "start failed: $out"

# each console line with the host's monotonic clock (s) at its arrival; read and echo
# are shell builtins, so stamping costs no process
T=/tmp/linux-time.lines
ultractl console -f --until-stop linux | tr -d '\r' | while IFS= read -r line; do
	read -r up _ </proc/uptime
	echo "$up $line"
done >"$T" &
con_pid=$!
_i=0
while [ $_i -lt 3000 ]; do
	case $(part_state linux) in stopped|faulted) break ;; esac
	sleep 0.1
	_i=$((_i + 1))
done
sleep 1
kill "$con_pid" 2>/dev/null
wait "$con_pid" 2>/dev/null
con_pid=
ultractl partition status linux
grep 'uv-linux-guest' "$T"
check "the guest ran the time test to its end" grep -q 'uv-linux-guest: time end' "$T"
check "it powered off by itself" [ "$(part_field linux exited_by)" = poweroff ]

# $1 host time, $4 kind, $5... guest times; hs[]/gs[]: host stamp and guest time of
# every timed line in order (a sleep line is printed after its second reading)
fig=$(awk '
	function timed(h, g) { m++; hs[m] = h; gs[m] = g }
	$3 == "time" && $4 == "start" { h0 = $1; g0 = $5; timed($1, $5) }
	$3 == "time" && $4 == "sleep" {
		timed($1, $6)
		n++
		d = $6 - $5
		ds[n] = d
		if (n == 1 || d < dmin) dmin = d
		if (n == 1 || d > dmax) dmax = d
		if (n > 1) { gap += $5 - last_after; hsum += $1 - last_h; gsum += $5 - last_before }
		last_after = $6; last_before = $5; last_h = $1
	}
	$3 == "time" && $4 == "end" { h1 = $1; g1 = $5; timed($1, $5) }
	END {
		if (!n || h1 <= h0 || m < 10) { print "none"; exit }
		for (i = 1; i <= 5; i++)
			if (i == 1 || hs[i] - gs[i] < hs[a] - gs[a]) a = i
		for (i = m - 4; i <= m; i++)
			if (i == m - 4 || hs[i] - gs[i] < hs[b] - gs[b]) b = i
		rate = (gs[b] - gs[a]) / (hs[b] - hs[a])
		# how late the plain first and last lines were against the punctual ones
		late0 = (hs[1] - gs[1]) - (hs[a] - gs[a]); late1 = (hs[m] - gs[m]) - (hs[b] - gs[b])
		hview = hsum / (n - 1) - gap / (n - 1)
		for (i = 1; i <= n; i++)	# insertion sort for the median
			for (j = i; j > 1 && ds[j - 1] > ds[j]; j--) { t = ds[j]; ds[j] = ds[j - 1]; ds[j - 1] = t }
		med = ds[int((n + 1) / 2)]
		printf "host_s %.2f guest_s %.2f rate %.6f sleeps %d guest_min %.3f guest_max %.3f host_view %.4f guest_median %.3f span_s %.2f late_first %.3f late_last %.3f\n",
			h1 - h0, g1 - g0, rate, n, dmin, dmax, hview, med, hs[b] - hs[a], late0, late1
	}' "$T")
echo "linux-time: $fig"
# shellcheck disable=SC2086 # the figures are words
set -- $fig
[ "$1" = host_s ] || fail "no time figures from the guest"
host_s=$2 rate=$6 sleeps=$8 gmin=${10} gmax=${12} hview=${14} gmed=${16} span=${18}
echo "linux-time: over $span s of host time the guest clock ran at $rate of the host's" \
	"(error $(awk -v r="$rate" 'BEGIN { printf "%.3f", (r - 1) * 100 }') %;" \
	"the first and last lines arrived ${20} s and ${22} s later than the punctual ones)"
echo "linux-time: sleep 1 by the guest's clock: median $gmed s, $gmin to $gmax s over $sleeps;" \
	"from the host: $hview s"
check "measured over at least 20 s of host time" awk -v h="$host_s" 'BEGIN { exit !(h >= 20) }'
check "the rate spans at least 15 s" awk -v h="$span" 'BEGIN { exit !(h >= 15) }'
check "25 sleeps measured" [ "$sleeps" = 25 ]
check "guest CLOCK_MONOTONIC within 0.5 % of the host's" \
	awk -v r="$rate" 'BEGIN { exit !(r >= 0.995 && r <= 1.005) }'
check "sleep 1 is 1 s +- 5 % by the guest's clock (median)" \
	awk -v m="$gmed" 'BEGIN { exit !(m >= 0.95 && m <= 1.05) }'
check "sleep 1 is 1 s +- 5 % from the host's view" \
	awk -v s="$hview" 'BEGIN { exit !(s >= 0.95 && s <= 1.05) }'
bad=$(grep -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace:|unchecked MSR' "$T")
check "no warning, bug, oops or panic in the guest's log" [ -z "$bad" ]

out=$(ultractl partition destroy linux) || fail "destroy failed: $out"
check "db check after destroy" ultractl db check
