#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# Robustness: pod killed at every step of create, many pods at once, and
# pause under a storm of 100,000 orphans.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	pod_setup
	net_setup podr 124
}

teardown() {
	pod_teardown
	net_teardown
}

@test "pod killed (SIGKILL) at each step of create: pod gc restores a clean machine" {
	steps=$(POD_FAULT=list "$FAULTS" create --pause "$PAUSE" --network "cni:$NET" \
		--cni-conf-dir "$CONF" -p "$HOSTPORT:80" --sysctl net.core.somaxconn=100 \
		probe 2>&1 >/dev/null | sed -n 's/^fault: //p')
	"$FAULTS" rm -f probe
	[[ $(wc -w <<<"$steps") -ge 16 ]]
	before=$(grep -c . /proc/self/mountinfo)
	for step in $steps; do
		run env POD_FAULT="kill:$step" "$FAULTS" create --pause "$PAUSE" \
			--network "cni:$NET" --cni-conf-dir "$CONF" -p "$HOSTPORT:80" \
			--sysctl net.core.somaxconn=100 k1
		echo "step $step: $status $output"
		# killed itself (137), or its child was killed and it rolled back (1)
		[ "$status" -eq 137 ] || [ "$status" -eq 1 ]
		run "$POD" gc
		[ "$status" -eq 0 ]
		[ ! -e "$POD_ROOT/k1" ]
		[[ $(grep -c . /proc/self/mountinfo) == "$before" ]]
		wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
		[[ $(veths_on "$BRIDGE") == 0 ]]
		[[ $(leases) == 0 ]]
		! iptables-save | grep -qE -- "--dport $HOSTPORT\b" || false
		# and the name is free again
		pod create --network "cni:$NET" --cni-conf-dir "$CONF" k1
		pod rm -f k1
	done
}

@test "50 pods created and removed concurrently leave nothing behind" {
	before=$(grep -c . /proc/self/mountinfo)
	for i in $(seq 50); do
		pod create --network "cni:$NET" --cni-conf-dir "$CONF" "c$i" 3>&- &
	done
	wait
	pods=("$POD_ROOT"/*)
	[[ ${#pods[@]} == 50 ]]
	[[ $(pauses_of_root) == 50 ]]
	[[ $(veths_on "$BRIDGE") == 50 ]]
	[[ $(leases) == 50 ]]
	[[ $(pod ls | awk 'NR > 1 && $2 == "running" { print $4 }' | sort -u | wc -l) == 50 ]]
	for i in $(seq 50); do
		pod rm -f "c$i" 3>&- &
	done
	wait
	[ -z "$(ls -A "$POD_ROOT")" ]
	[[ $(grep -c . /proc/self/mountinfo) == "$before" ]]
	wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ $(leases) == 0 ]]
}

@test "pause reaps a storm of 100,000 orphans made in the pod: 0 zombies" {
	pod create p1
	pid=$(state_field p1 pid)
	# waves of 10,000 (kernel.pid_max bounds how many exist at once)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pod run p1 -- "$ORPHAN" -n 10000
		wait_for 120 no_children_of "$pid"
		[[ $(zombies_of "$pid") == 0 ]]
	done
	read -r _ _ _ _ _ _ _ _ _ _ _ utime stime _ < <(sed 's/^.*) //' "/proc/$pid/stat")
	ticks=$(getconf CLK_TCK)
	echo "# pause's CPU time for 100,000 orphans: $(( (utime + stime) * 1000 / ticks )) ms" >&3
	alive "$pid"
}
