#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# A cgroup for every pod: layout, limits enforced by the kernel, stats,
# and a stop that nothing escapes. Each test's pods live under a parent
# inside the test's own cgroup (helpers.bash), which must be empty after.
# On this host the controllers are cgroup v1 (hybrid); `make check-vm`
# runs the same file on cgroup v2.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	pod_setup
	MODE=$(cgroup_mode)
}

teardown() {
	pod_teardown
}

# unified, hybrid or legacy, as pod must see it
cgroup_mode() {
	local v1 v2
	v1=$(awk '{ split($0, h, " - "); split(h[2], f, " ") } f[1] == "cgroup" &&
		f[3] ~ /(^|,)(memory|pids|freezer|cpu|cpuacct)(,|$)/' /proc/self/mountinfo | grep -c . || true)
	v2=$(awk '{ split($0, h, " - "); split(h[2], f, " ") } f[1] == "cgroup2"' /proc/self/mountinfo |
		grep -c . || true)
	if [[ $v1 != 0 ]]; then [[ $v2 != 0 ]] && echo hybrid || echo legacy; else echo unified; fi
}

# cg_dir NAME CTRL: the pod's cgroup directory in CTRL's hierarchy (any on v2)
cg_dir() {
	pod inspect "$1" | jq -r --arg c "$2" --arg m "$MODE" \
		'.cgroup.paths[] | select($m == "unified" or test("/" + $c + "/"))' | head -n 1
}

# cg_file NAME CTRL V1FILE V2FILE: the first line of that file
cg_file() {
	local f=$3
	[[ $MODE == unified ]] && f=$4
	head -n 1 "$(cg_dir "$1" "$2")/$f"
}

# every pid in the pod's cgroup, leaves included
cg_pids() {
	find "$(cg_dir "$1" freezer)" -name cgroup.procs -exec cat {} + 2>/dev/null
}

# cpu_usec NAME: the cgroup's CPU time, from pod stats
cpu_usec() { pod stats --format json "$1" | jq '.[0].cpu.usage_usec'; }

@test "resources: bad sizes, CPUs and pid limits are refused with one line and exit 2; nothing is made" {
	local bad
	for bad in "--memory 0" "--memory -5" "--memory 12X" "--memory 1.5G" "--memory 99999999999999999999" \
		"--memory 17179869184G" "--memory 5Ti" "--cpus 0" "--cpus -1" "--cpus 0.0001" "--cpus abc" \
		"--cpus 1." "--pids-limit 0" "--pids-limit -3" "--pids-limit 99999999" "--cgroup-parent ../x"; do
		# shellcheck disable=SC2086  # the option and its value, split
		run --separate-stderr pod create $bad p1
		echo "$bad: $status $stderr"
		[ "$status" -eq 2 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "pod: cannot parse arguments: --"* ]]
		[ ! -e "$POD_ROOT/p1" ]
	done
	[ -z "$(find "$(own_cgroup_dirs | head -n 1)/$POD_CGROUP_PARENT" -mindepth 1 -type d)" ]
}

@test "resources: a missing or unwritable cgroup parent is refused, and nothing is made" {
	run --separate-stderr pod create --cgroup-parent nowhere p1
	[ "$status" -eq 1 ]
	[[ $stderr =~ ^pod:\ cannot\ use\ cgroup\ parent\ nowhere\ of\ pod\ p1:\ /sys/fs/cgroup(/.*)?/nowhere\ does\ not\ exist$ ]]
	[ ! -e "$POD_ROOT/p1" ]
	# a parent that is a file, not a directory we may write in
	run --separate-stderr pod create --cgroup-parent "$POD_CGROUP_PARENT/cgroup.procs" p1
	[ "$status" -eq 1 ]
	[[ $stderr == "pod: cannot use cgroup parent $POD_CGROUP_PARENT/cgroup.procs of pod p1: "*"/cgroup.procs is not a cgroup directory" ]]
	[ ! -e "$POD_ROOT/p1" ]
}

@test "resources: a limit whose controller the machine lacks is refused with exit 2" {
	local fake
	if [[ $MODE == unified ]]; then
		# a cgroup namespace rooted where no controller is enabled, and
		# its own cgroup2 mount: a machine without memory
		fake=$(own_cgroup_dirs | head -n 1)/$POD_CGROUP_PARENT/fake
		mkdir "$fake"
		cat >"$BATS_TEST_TMPDIR/fake-v2" <<-'EOF'
			# $1: the cgroup the namespace is rooted at; then the command
			echo $$ >"$1/cgroup.procs" || exit 1
			shift
			exec /usr/bin/unshare -C sh -c 'mount -t tmpfs none /sys/fs/cgroup &&
				mkdir /sys/fs/cgroup/unified &&
				mount -t cgroup2 none /sys/fs/cgroup/unified && exec "$@"' sh "$@"
		EOF
		run --separate-stderr unshare -m sh "$BATS_TEST_TMPDIR/fake-v2" "$fake" \
			"$POD" create --pause "$PAUSE" --cgroup-parent / --memory 64M p1
		rmdir "$fake"
	else
		# a machine whose only cgroup hierarchies are freezer and pids: a
		# mount namespace with its own /sys/fs/cgroup
		run --separate-stderr unshare -m sh -c '
			mount -t tmpfs none /sys/fs/cgroup &&
			mkdir /sys/fs/cgroup/freezer /sys/fs/cgroup/pids &&
			mount -t cgroup -o freezer none /sys/fs/cgroup/freezer &&
			mount -t cgroup -o pids none /sys/fs/cgroup/pids &&
			exec "$@"' sh "$POD" create --pause "$PAUSE" --memory 64M p1
	fi
	echo "$stderr"
	[ "$status" -eq 2 ]
	[[ $stderr =~ ^pod:\ cannot\ set\ --memory\ of\ pod\ p1:\ this\ machine\ has\ no\ memory\ controller\ \((legacy|unified)\)$ ]]
	[ ! -e "$POD_ROOT/p1" ]
}

@test "resources: pod-NAME under the parent, pause and each member in a leaf, the kubelet's limits" {
	pod create --memory 64Mi --cpus 0.5 --pids-limit 100 p1
	local pause dir
	pause=$(state_field p1 pid)
	dir=$(cg_dir p1 memory)
	[[ $dir == */$POD_CGROUP_PARENT/pod-p1 ]]
	# pause in pause/, in every hierarchy pod uses
	grep -q ":/.*$POD_CGROUP_PARENT/pod-p1/pause$" "/proc/$pause/cgroup"
	[ "$(cat "$dir/pause/cgroup.procs")" = "$pause" ]
	# a member in a leaf of its own
	run pod run p1 -- cat /proc/self/cgroup
	grep -qE "/pod-p1/run-[0-9a-f]{8}$" <<<"$output"
	# the limits, as the kubelet writes them
	[ "$(cg_file p1 memory memory.limit_in_bytes memory.max)" = 67108864 ]
	if [[ $MODE == unified ]]; then
		[ "$(cg_file p1 cpu - cpu.max)" = "50000 100000" ]
	else
		[ "$(cg_file p1 cpu cpu.cfs_quota_us -)" = 50000 ]
		[ "$(cg_file p1 cpu cpu.cfs_period_us -)" = 100000 ]
	fi
	[ "$(cg_file p1 pids pids.max pids.max)" = 100 ]
	run pod inspect p1
	[ "$(jq -c .cgroup.limits <<<"$output")" = '{"memory":67108864,"cpus":0.5,"pids":100}' ]
	[ "$(jq -r .cgroup.mode <<<"$output")" = "$MODE" ]
	# every pod has a cgroup, limits or not; the forms of SIZE
	pod create --memory 1Gi p2
	pod create --memory 512K p3
	pod create --memory 100000000 p4
	[ "$(cg_file p2 memory memory.limit_in_bytes memory.max)" = 1073741824 ]
	[ "$(cg_file p3 memory memory.limit_in_bytes memory.max)" = 524288 ]
	[ "$(cg_file p4 memory memory.limit_in_bytes memory.max)" = 99999744 ] ||
		[ "$(cg_file p4 memory memory.limit_in_bytes memory.max)" = 100000000 ]
	pod create p5
	[ -d "$(cg_dir p5 pids)/pause" ]
	[ "$(pod inspect p5 | jq -c .cgroup.limits)" = '{"memory":null,"cpus":null,"pids":null}' ]
	# rm takes the cgroup with the pod
	dir=$(cg_dir p1 pids)
	pod rm -f p1
	[ ! -e "$dir" ]
}

@test "resources: a member that allocates past --memory is OOM-killed (137); pause lives, stats count it" {
	pod create --memory 32M p1
	local pause
	pause=$(state_field p1 pid)
	run pod run p1 -- dd if=/dev/zero of=/dev/null bs=64M count=1
	echo "$output"
	[ "$status" -eq 137 ]
	alive "$pause"
	run pod stats --format json p1
	echo "$output"
	[ "$(jq '.[0].memory.oom_kills' <<<"$output")" -ge 1 ]
	[ "$(jq '.[0].memory.max' <<<"$output")" = 33554432 ]
	# within the limit, the same member runs
	pod run p1 -- dd if=/dev/zero of=/dev/null bs=4M count=1
}

@test "resources: a fork loop under --pids-limit 64 gets EAGAIN below 64 processes; the machine stays healthy" {
	pod create --pids-limit 64 p1
	run pod run p1 -- /bin/busybox sh -c 'i=0; while [ $i -lt 200 ]; do sleep 60 >/dev/null 2>&1 & i=$((i + 1)); done'
	echo "$output"
	# the shell's own fork failed with EAGAIN, as the kernel says it
	[[ $output == *"can't fork: Resource temporarily unavailable"* ]]
	[ "$(cg_file p1 pids pids.max pids.max)" = 64 ]
	local current
	current=$(pod stats --format json p1 | jq '.[0].pids.current')
	echo "pids.current $current"
	[ "$current" -le 64 ]
	[ "$current" -ge 60 ]
	# the kernel counted the refusal (v1 in the forking leaf, v2 at the limit)
	find "$(cg_dir p1 pids)" -name pids.events -exec cat {} + |
		awk '$1 == "max" { n += $2 } END { exit !(n > 0) }'
	# the rest of the machine forks as ever, and the pod stops
	[ "$(sh -c 'echo ok')" = ok ]
	pod stop -t 2 p1
	[ -z "$(cg_pids p1)" ]
}

@test "resources: a busy loop under --cpus 0.5 uses 0.5 +- 0.1 CPU, from the cgroup's accounting" {
	pod create --cpus 0.5 p1
	# two busy loops: they would take two CPUs
	pod run -d p1 -- sh -c 'while :; do :; done'
	pod run -d p1 -- sh -c 'while :; do :; done'
	wait_for 10 eval '[[ $(cpu_usec p1) -gt 100000 ]]'
	local u0 t0 u1 t1 used
	u0=$(cpu_usec p1) t0=$EPOCHREALTIME
	sleep 2
	u1=$(cpu_usec p1) t1=$EPOCHREALTIME
	used=$(awk -v u0="$u0" -v u1="$u1" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.3f", (u1 - u0) / 1e6 / (t1 - t0) }')
	echo "CPUs used: $used"
	awk -v u="$used" 'BEGIN { exit !(u >= 0.4 && u <= 0.6) }'
}

@test "resources: a setsid+unshare escaper, a double fork and a fork loop are gone after pod stop" {
	# no shared PID namespace: the escaper is in the host's, only the
	# cgroup holds it
	pod create --share net,ipc,uts p1
	pod run p1 -- sh -c 'setsid unshare -n -i -u sleep 777 >/dev/null 2>&1 &
		(sleep 778 >/dev/null 2>&1 &) & sleep 0.1'
	wait_for 10 pgrep -xf 'sleep 777'
	pgrep -xf 'sleep 778'
	pod create p2
	pod run -d p2 -- sh -c 'while :; do sleep 5 & done'
	wait_for 10 eval '[[ $(cg_pids p2 | wc -l) -gt 20 ]]'
	pod ps p1 | grep -q 'sleep 777'
	pod stop -t 1 p1
	pod stop -t 1 p2
	! pgrep -xf 'sleep 777' || false
	! pgrep -xf 'sleep 778' || false
	[ -z "$(cg_pids p1)" ]
	[ -z "$(cg_pids p2)" ]
	! pod ps p1 | grep -q sleep || false
}

@test "resources: the same escaper and fork loop are gone after rm -f, and so is the cgroup" {
	pod create --share net,ipc,uts p1
	pod run p1 -- sh -c 'setsid unshare -n -i -u sleep 777 >/dev/null 2>&1 & sleep 0.1'
	pod create p2
	pod run -d p2 -- sh -c 'while :; do sleep 5 & done'
	wait_for 10 eval '[[ $(cg_pids p2 | wc -l) -gt 20 ]]'
	local d1 d2
	d1=$(cg_dir p1 pids) d2=$(cg_dir p2 pids)
	pod rm -f p1
	pod rm -f p2
	! pgrep -xf 'sleep 777' || false
	[ ! -e "$d1" ] && [ ! -e "$d2" ]
}

@test "resources: rm of a pod whose pause died kills what is left in its cgroup" {
	pod create --share net,ipc,uts p1
	pod run p1 -- sh -c 'setsid unshare -n sleep 779 >/dev/null 2>&1 & sleep 0.1'
	wait_for 10 pgrep -xf 'sleep 779'
	local dir
	dir=$(cg_dir p1 pids)
	kill -KILL "$(state_field p1 pid)"
	wait_for 10 status_is p1 exited
	pgrep -xf 'sleep 779'
	pod rm p1
	! pgrep -xf 'sleep 779' || false
	[ ! -e "$dir" ]
}

@test "resources: pod stats, table and JSON, for named pods and for all" {
	pod create --memory 64M --pids-limit 50 p1
	pod create p2
	run pod stats
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^NAME\ +MEM\ +MEM-MAX\ +OOM-KILLS\ +CPU-SEC\ +CPU%\ +PIDS\ +PIDS-MAX$ ]]
	[[ ${lines[1]} =~ ^p1\ +[0-9.]+[KMG]?i?B\ +64.0MiB\ +0\ +[0-9.]+\ +[0-9.]+\ +1\ +50$ ]]
	[[ ${lines[2]} =~ ^p2\ +[0-9.]+[KMG]?i?B\ +-\ +0\ +[0-9.]+\ +[0-9.]+\ +1\ +-$ ]]
	run pod stats --format json p2 p1
	jq -e 'length == 2 and .[0].name == "p2" and .[1].name == "p1"' <<<"$output"
	jq -e '.[0] | (.memory.max == null) and (.pids.max == null) and (.pids.current == 1)
		and (.memory.current > 0) and (.cpu.usage_usec >= 0) and (.cpu.percent >= 0)' <<<"$output"
	jq -e '.[1] | .memory.max == 67108864 and .pids.max == 50 and .memory.oom_kills == 0' <<<"$output"
	# a missing pod: reported, the others still shown, exit 3
	run --separate-stderr pod stats --format json p1 nope
	[ "$status" -eq 3 ]
	[ "$stderr" = "pod: cannot find pod nope: no such pod" ]
	jq -e 'length == 1' <<<"$output"
	run --separate-stderr pod stats --format xml
	[ "$status" -eq 2 ]
}

@test "resources: a fault at each new create step leaves no pod and no cgroup" {
	local step steps parent
	parent=$(own_cgroup_dirs | head -n 1)/$POD_CGROUP_PARENT
	steps=$(POD_FAULT=list "$FAULTS" create --pause "$PAUSE" --memory 64M --cpus 1 \
		--pids-limit 10 probe 2>&1 >/dev/null | sed -n 's/^fault: //p')
	"$POD" rm -f probe
	echo "steps: $steps"
	for step in cgroup-list cgroup memory cpu pids; do
		grep -qx "$step" <<<"$steps"
		run env POD_FAULT="$step" "$FAULTS" create --pause "$PAUSE" --memory 64M --cpus 1 \
			--pids-limit 10 f1
		echo "step $step: $status $output"
		[ "$status" -eq 1 ]
		[[ $output == "pod: cannot "*": Operation canceled" ]]
		[ ! -e "$POD_ROOT/f1" ]
		[ -z "$(find /sys/fs/cgroup -path "*/$POD_CGROUP_PARENT/pod-f1" 2>/dev/null)" ]
		[ -z "$(find "$parent" -mindepth 1 -type d)" ]
	done
}
