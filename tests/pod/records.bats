#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# What outlives the runtime root: the CNI records in the data directory,
# and what pod gc and the first command of a new boot do with them. Also
# the plugin timeout, the default network's subnet, and readiness: pod
# run joins only a pod whose create is done.

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

lease_ips() { find "$LEASES" -name '[0-9]*' -printf '%f\n' | sort; }

pod_ip() { pod inspect "$1" | jq -r '.network.ips[0] | split("/")[0]'; }

# The test's network with host-local limited to ADDRS addresses
# (SUBNET.10 onwards), so that a leak shows as a create that fails.
small_range() {
	write_conflist "$NET" '{ "type": "portmap", "capabilities": { "portMappings": true } }'
	jq --arg s "$SUBNET.10" --arg e "$SUBNET.$((9 + $1))" \
		'.plugins[0].ipam.ranges[0][0] += { rangeStart: $s, rangeEnd: $e }' \
		"$CONF/50-$NET.conflist" >"$CONF/tmp" && mv "$CONF/tmp" "$CONF/50-$NET.conflist"
}

# drop_nat TEXT: what a reboot does to iptables' nat table, for the
# containers whose rules' comments hold TEXT: their chains, and the rules
# that jump to them, are gone.
drop_nat() {
	iptables-save -t nat | TEXT=$1 awk '
		index($0, ENVIRON["TEXT"]) && match($0, /-j CNI-[0-9a-f]+/) { chain[substr($0, RSTART + 3, RLENGTH - 3)] = 1 }
		{ lines[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				drop = 0
				for (c in chain)
					if (index(lines[i], ":" c " ") == 1 || index(lines[i], "-j " c) ||
					    index(lines[i], "-A " c " ") == 1)
						drop = 1
				if (!drop)
					print lines[i]
			}
		}' | iptables-restore -T nat
}

# What a reboot does to pods, done on a machine that keeps running: every
# pause of this root dies, the runtime root (a tmpfs) is wiped with its
# pins, and the bridge, the NAT rules and the cgroups are gone. /var/lib,
# with host-local's leases and pod's records, stays.
simulate_reboot() {
	local pid mnt dir
	for pid in $(pgrep -x pause); do
		[[ $(readlink "/proc/$pid/fd/2" 2>/dev/null) == "$POD_ROOT"/* ]] && kill -KILL "$pid"
	done
	wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
	awk -v r="$POD_ROOT/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo |
		while read -r mnt; do umount "$mnt"; done
	rm -rf "$POD_ROOT"
	ip link del "$BRIDGE"
	drop_nat "name: \\\"$NET\\\""
	for dir in $(own_cgroup_dirs); do
		rmdir "$dir/$POD_CGROUP_PARENT"/pod-*/* "$dir/$POD_CGROUP_PARENT"/pod-* 2>/dev/null || true
	done
}

@test "a simulated reboot: pod gc releases every lease, and the addresses are handed out again" {
	small_range 3
	for n in 1 2 3; do
		pod create --network "cni:$NET" --cni-conf-dir "$CONF" "p$n"
	done
	[[ $(leases) == 3 && $(records) == 3 ]]
	before=$(lease_ips)
	# each record holds what DEL needs, tagged with this boot
	rec=$(jq -s -c 'map(select(.pod == "p1"))[0]' "$POD_DATA_DIR"/cni/*.json)
	[[ $(jq -r .bootID <<<"$rec") == "$(cat /proc/sys/kernel/random/boot_id)" ]]
	[[ $(jq -r .network <<<"$rec") == "$NET" ]]
	[[ $(jq -r .config.name <<<"$rec") == "$NET" ]]
	[[ $(jq -r '.result.ips[0].address' <<<"$rec") == "$(pod_ip p1)/24" ]]
	[[ $(jq -r .containerID <<<"$rec") == "$(jq -r .containerID "$POD_ROOT/p1/cni.json")" ]]

	simulate_reboot
	[[ $(leases) == 3 ]]	# what host-local still holds
	# without gc every address stays taken
	run pod create --network "cni:$NET" --cni-conf-dir "$CONF" p4
	[ "$status" -eq 1 ]
	[[ $output == *"no IP addresses available"* ]]
	# That failed ADD made the bridge anew and left it with no port and
	# a zero MAC, which the bridge plugin (1.1.1) then fails to set on
	# every later ADD. A boot's first pod command sweeps before any ADD,
	# so a real host never gets here; the test takes the bridge away.
	ip link del "$BRIDGE"
	run pod gc
	[ "$status" -eq 0 ]
	[[ $(sort <<<"$output" | tr '\n' ' ') == "p1 p2 p3 " ]]
	[[ $(leases) == 0 && $(records) == 0 ]]
	# the same three addresses, to three new pods
	for n in 5 6 7; do
		pod create --network "cni:$NET" --cni-conf-dir "$CONF" "p$n"
	done
	[[ $(lease_ips) == "$before" ]]
	run pod gc
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $(records) == 3 ]]
}

@test "the first command of a new boot releases the earlier boot's networks" {
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" old
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" live
	old_ip=$(pod_ip old)
	live_ip=$(pod_ip live)
	old_id=$(jq -r .containerID "$POD_ROOT/old/cni.json")
	# pod old is from an earlier boot: its pause and pins went with it,
	# its record says so, and pod last swept in that boot
	kill -KILL "$(state_field old pid)"
	wait_for 10 status_is old exited
	drop_nat "id: \\\"$old_id\\\""
	umount "$POD_ROOT"/old/ns/*
	rm -rf "$POD_ROOT/old"
	jq '.bootID = "00000000-0000-0000-0000-000000000000"' "$POD_DATA_DIR/cni/$old_id.json" \
		>"$BATS_TEST_TMPDIR/rec" && mv "$BATS_TEST_TMPDIR/rec" "$POD_DATA_DIR/cni/$old_id.json"
	echo 00000000-0000-0000-0000-000000000000 >"$POD_DATA_DIR/boot_id"
	[[ -e $LEASES/$old_ip ]]
	run pod ls -q
	[ "$status" -eq 0 ]
	[ "$output" = live ]
	[[ ! -e $LEASES/$old_ip && ! -e $POD_DATA_DIR/cni/$old_id.json ]]
	[[ -e $LEASES/$live_ip && $(records) == 1 ]]
	[[ $(cat "$POD_DATA_DIR/boot_id") == "$(cat /proc/sys/kernel/random/boot_id)" ]]
	# the live pod is untouched: its network works
	[[ $(pod run live -- cat /sys/class/net/eth0/operstate) == up ]]
}

@test "a plugin that hangs is killed after --cni-timeout; create rolls back and frees the lock" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	# sleeps on the command named in $SLEEP_ON; its sleep is a child, in
	# the plugin's process group
	cat >"$BATS_TEST_TMPDIR/bin/sleeper" <<-EOF
		#!/bin/sh
		cat >/dev/null
		if [ "\$CNI_COMMAND" = "\$(cat $BATS_TEST_TMPDIR/sleep-on)" ]; then
			sleep 3131 & wait
		fi
		[ "\$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0"}'
		exit 0
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/sleeper"
	write_conflist "$NET" '{ "type": "sleeper" }'
	export CNI_PATH=$BATS_TEST_TMPDIR/bin:/usr/lib/cni
	echo ADD >"$BATS_TEST_TMPDIR/sleep-on"
	mkdir -p "$POD_ROOT"	# so that the lock can be tried after the rollback
	run pod create --network "cni:$NET" --cni-conf-dir "$CONF" --cni-timeout 2 p1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot add network $NET to pod p1: plugin sleeper timed out after 2 s" ]
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(leases) == 0 && $(records) == 0 && $(veths_on "$BRIDGE") == 0 ]]
	! pgrep -f "sleep 3131" || false
	# the lock is free: another create goes through at once
	flock -n "$POD_ROOT" true
	echo none >"$BATS_TEST_TMPDIR/sleep-on"
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" p1
	[[ $(leases) == 1 && $(records) == 1 ]]

	# DEL is bounded too: rm -f goes on and says so; the record stays
	# for gc, whose DEL is bounded the same way
	echo DEL >"$BATS_TEST_TMPDIR/sleep-on"
	run pod rm -f --cni-timeout 1 p1
	[ "$status" -eq 0 ]
	[[ $output == "pod: cannot remove network $NET of pod p1: plugin sleeper timed out after 1 s" ]]
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(records) == 1 ]]
	run pod gc --cni-timeout 1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot remove network $NET of pod p1: plugin sleeper timed out after 1 s" ]
	[[ $(records) == 1 ]]
	! pgrep -f "sleep 3131" || false
	echo none >"$BATS_TEST_TMPDIR/sleep-on"
	run pod gc
	[ "$status" -eq 0 ]
	[ "$output" = p1 ]
	[[ $(leases) == 0 && $(records) == 0 ]]
}

@test "bad --cni-timeout and --data-dir values are refused before anything is made" {
	for bad in 0 -1 x 86401 1.5; do
		run pod create --network "cni:$NET" --cni-conf-dir "$CONF" --cni-timeout "$bad" p1
		[ "$status" -eq 2 ]
		[[ $output == "pod: cannot parse arguments: --cni-timeout $bad: not a number of seconds from 1 to 86400 (see 'pod create --help')" ]]
	done
	run pod --data-dir rel ls
	[ "$status" -eq 2 ]
	[ "$output" = "pod: cannot use data dir rel: not an absolute path" ]
	run pod rm --data-dir rel p1
	[ "$status" -eq 2 ]
	POD_DATA_DIR=rel run pod ls
	[ "$status" -eq 2 ]
	[ "$output" = "pod: cannot use POD_DATA_DIR rel: not an absolute path" ]
	[ ! -e "$POD_ROOT/p1" ]
	[ ! -e "$POD_DATA_DIR" ]
}

@test "--data-dir after the command is the one used" {
	other=$BATS_TEST_TMPDIR/other
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" --data-dir "$other" p1
	[[ $(records) == 0 ]]
	[[ $(find "$other/cni" -type f | wc -l) == 1 ]]
	[[ $(jq -r .dataDir "$POD_ROOT/p1/cni.json") == "$other" ]]
	# rm finds the record through the pod's pointer, whatever it is given
	pod rm -f p1
	[[ -z $(ls "$other/cni") && $(leases) == 0 ]]
}

@test "the default network is a /16 that does not collide with podman's, or a clear error" {
	empty=$BATS_TEST_TMPDIR/empty.d
	# a host that already routes part of it: nothing is written or made
	run unshare --net sh -c 'ip link add d0 type veth peer name d1 && ip link set d1 up && ip link set d0 up &&
		ip addr add 10.87.5.1/24 dev d0 && exec "$@"' sh "$POD" create --pause "$PAUSE" \
		--network cni --cni-conf-dir "$empty" p1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot write the default CNI network to $empty: its subnet 10.87.0.0/16 overlaps the host's route to 10.87.5.0/24 on d0; write a conflist with another subnet there (see pod(1), CNI NETWORKING)" ]
	[[ ! -e $empty/10-pod.conflist && ! -e $POD_ROOT/p1 ]]
	# a default route alone is no collision
	run unshare --net sh -c 'ip link add d0 type veth peer name d1 && ip link set d1 up && ip link set d0 up &&
		ip addr add 192.0.2.9/24 dev d0 && ip route add default via 192.0.2.1 &&
		exec "$@"' sh "$POD" create --pause "$PAUSE" --network cni \
		--cni-conf-dir "$empty" --data-dir "$BATS_TEST_TMPDIR/unused" p1
	[[ $(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$empty/10-pod.conflist") == 10.87.0.0/16 ]]
	pod rm -f p1 || true
	rm -rf "$BATS_TEST_TMPDIR/unused"
}

# stopped_in PID: PID or a descendant of it that is held by a stop fault:
# stopped (state T), or, as the init of its PID namespace, which cannot
# stop itself, waiting for SIGCONT with a handler (SigCgt bit 18)
stopped_in() {
	local pid kid cgt
	[[ $(proc_state "$1") == T ]] && { echo "$1"; return 0; }
	cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[[ $(cat "/proc/$1/comm" 2>/dev/null) == pod-faults && -n $cgt ]] &&
		(((16#$cgt >> 17) & 1)) && { echo "$1"; return 0; }
	# shellcheck disable=SC2013  # pids, one word each
	for kid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		stopped_in "$kid" && return 0
	done
	return 1
}

# waiting_ready PID: pod run PID waits for readiness (holds an inotify fd)
waiting_ready() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == anon_inode:inotify ]] && return 0
	done
	return 1
}

@test "pod run joins only a ready pod: create held at each of its steps" {
	steps=$(POD_FAULT=list "$FAULTS" create --pause "$PAUSE" probe 2>&1 >/dev/null |
		sed -n 's/^fault: //p' | awk '!seen[$0]++')
	"$FAULTS" rm -f probe
	grep -qx exec <<<"$steps"
	grep -qx ready <<<"$steps"
	for step in $steps; do
		echo "step $step"
		POD_FAULT=stop:$step "$FAULTS" create --pause "$PAUSE" h1 &
		creator=$!
		wait_for 10 stopped_in "$creator" >/dev/null
		held=$(stopped_in "$creator")
		if [[ -d $POD_ROOT/h1 ]]; then
			# being created: run waits, and joins once create is done
			# "$POD" itself, not the function: $! is then pod run
			"$POD" run h1 -- sh -c 'cat /sys/class/net/lo/flags; hostname' \
				>"$BATS_TEST_TMPDIR/out" 2>&1 &
			runner=$!
			wait_for 10 waiting_ready "$runner"
			alive "$runner"
			kill -CONT "$held"
			wait "$creator"
			wait "$runner"
			[[ $(cat "$BATS_TEST_TMPDIR/out") == $'0x9\nh1' ]]
		else
			run pod run h1 -- true
			[ "$status" -eq 125 ]
			[ "$output" = "pod: cannot find pod h1: no such pod" ]
			kill -CONT "$held"
			wait "$creator"
		fi
		[[ $(pod ls --format json | jq -r '.[0].status') == running ]]
		pod rm -f h1
	done
}

@test "pod run gives up on a pod that stays unready: exit 4; ls says creating" {
	POD_FAULT=stop:exec "$FAULTS" create --pause "$PAUSE" h1 &
	creator=$!
	wait_for 10 stopped_in "$creator" >/dev/null
	held=$(stopped_in "$creator")
	[[ $(pod ls --format json | jq -r '.[0].status') == creating ]]
	[[ $(pod inspect h1 | jq -r .status) == creating ]]
	run pod run h1 -- true
	[ "$status" -eq 4 ]
	[ "$output" = "pod: cannot run in pod h1: it is not ready (its create has not finished)" ]
	kill -CONT "$held"
	wait "$creator"
	[[ $(pod run h1 -- hostname) == h1 ]]
}
