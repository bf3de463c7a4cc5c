#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# Rootless pods, as users these tests create and remove: podr1 with a
# subuid/subgid range, podr2 without one. And root's pods with --userns.
#
# Each user's pods live in /run/user/UID/pod; teardown removes them and
# fails if a pod, a pause or a helper of that user is left.

load helpers

USERS=(podr1 podr2)
SUBIDS=1300000		# podr1's range: 65536 ids from here

# as USER CMD...: CMD as USER, with a login's environment and nothing of
# ours (no POD_ROOT, POD_DATA_DIR or POD_CGROUP_PARENT).
as() {
	local user=$1 uid
	shift
	uid=$(id -u "$user")
	setpriv --reuid="$uid" --regid="$uid" --init-groups \
		env -C / -u POD_ROOT -u POD_DATA_DIR -u POD_CGROUP_PARENT HOME="/home/$user" \
		USER="$user" XDG_RUNTIME_DIR="/run/user/$uid" "$@"
}

# upod USER ARGS...: pod as USER; create takes our pause.
upod() {
	local user=$1
	shift
	if [[ $1 == create ]]; then
		shift
		as "$user" "$POD" create --pause "$PAUSE" "$@"
	else
		as "$user" "$POD" "$@"
	fi
}

user_root() { echo "/run/user/$(id -u "$1")/pod"; }

# processes of USER (pause, members, helpers)
procs_of() { pgrep -u "$1" -c || true; }

setup_file() {
	local user
	# LeakSanitizer checks at exit from a tracer task that ptraces the
	# process; one that has joined a user namespace (pod run here) cannot
	# be traced by it, and LSan then spins for ever. Leaks stay checked by
	# the other tests of the ASan tier, which run the same code as root.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for user in "${USERS[@]}"; do
		# left by an earlier run that was cut short
		if id "$user" >/dev/null 2>&1; then
			pkill -KILL -u "$user" || true
			wait_for 10 eval "[[ \$(procs_of $user) == 0 ]]"
			userdel -r "$user" 2>/dev/null || true
		fi
		useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
		rm -rf "/run/user/$(id -u "$user")"
		install -d -o "$user" -g "$user" -m 0700 "/run/user/$(id -u "$user")"
	done
	usermod --add-subuids "$SUBIDS-$((SUBIDS + 65535))" \
		--add-subgids "$SUBIDS-$((SUBIDS + 65535))" podr1
	# pasta and slirp4netns open /dev/net/tun as the user; this machine
	# kind has it 0600 (Debian's default is 0666): 0666 until teardown
	stat -c %a /dev/net/tun >"$BATS_FILE_TMPDIR/tun-mode"
	chmod 0666 /dev/net/tun
	# a directory every user can read, for the members' web server
	WWW=$(mktemp -d /tmp/pod-rootless.XXXXXX)
	chmod 0755 "$WWW"
	echo served-from-the-pod >"$WWW/index.html"
	chmod 0644 "$WWW/index.html"
	echo "$WWW" >"$BATS_FILE_TMPDIR/www"
}

teardown_file() {
	local user
	for user in "${USERS[@]}"; do
		pkill -KILL -u "$user" 2>/dev/null || true
		wait_for 10 eval "[[ \$(procs_of $user) == 0 ]]" || true
		userdel -r "$user" 2>/dev/null || true
		rm -rf "/run/user/$(id -u "$user" 2>/dev/null || echo none)"
	done
	if [[ -s $BATS_FILE_TMPDIR/tun-mode ]]; then
		chmod "$(cat "$BATS_FILE_TMPDIR/tun-mode")" /dev/net/tun
	fi
	if [[ -s $BATS_FILE_TMPDIR/www ]]; then
		rm -rf "$(cat "$BATS_FILE_TMPDIR/www")"
	fi
}

setup() {
	pod_setup
	WWW=$(cat "$BATS_FILE_TMPDIR/www")
}

teardown() {
	local user dir
	pod_range_restore
	for user in "${USERS[@]}"; do
		for dir in "$(user_root "$user")"/*; do
			[[ -e $dir ]] && { upod "$user" rm -f "${dir##*/}" || true; }
		done
	done
	for user in "${USERS[@]}"; do
		wait_for 10 eval "[[ \$(procs_of $user) == 0 ]]"
		[[ -z $(ls -A "$(user_root "$user")" 2>/dev/null) ]]
	done
	pod_teardown
}

# ---- state ----

@test "rootless: state in \$XDG_RUNTIME_DIR/pod (0700, the user's), never /run/pod" {
	upod podr1 create p1
	root=$(user_root podr1)
	[[ $(stat -c '%U %a' "$root") == "podr1 700" ]]
	[[ $(stat -c '%U %a' "$root/p1") == "podr1 700" ]]
	[ -f "$root/p1/state.json" ]
	[ ! -e /run/pod/p1 ]
	[[ $(jq -r .rootless "$root/p1/state.json") == true ]]
	# no pins: pause holds the namespaces
	[[ $(grep -cF " $root/" /proc/self/mountinfo) == 0 ]]
	run upod podr1 ls -q
	[ "$output" = p1 ]
}

@test "rootless: refused without XDG_RUNTIME_DIR, or with one that is not the user's" {
	uid=$(id -u podr1)
	run setpriv --reuid="$uid" --regid="$uid" --init-groups env -C / -u XDG_RUNTIME_DIR \
		-u POD_ROOT "$POD" create --pause "$PAUSE" p1
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot find a state root: XDG_RUNTIME_DIR is unset (a user's pods live in \$XDG_RUNTIME_DIR/pod; or give --root)" ]
	run setpriv --reuid="$uid" --regid="$uid" --init-groups env -C / -u POD_ROOT \
		XDG_RUNTIME_DIR=/tmp "$POD" ls
	echo "$status $output"
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot use XDG_RUNTIME_DIR /tmp: it is not your own directory (owned by uid 0, mode 1777)" ]]
	run setpriv --reuid="$uid" --regid="$uid" --init-groups env -C / -u POD_ROOT \
		XDG_RUNTIME_DIR="/run/user/$(id -u podr2)" "$POD" ls
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot use XDG_RUNTIME_DIR /run/user/"*": it is not your own directory"* ]]
	[ ! -e "$(user_root podr1)/p1" ] && [ ! -e /tmp/pod ]
}

# ---- the pod, for a user with a subuid range and for one without ----

# The map pause's user namespace has, as one line per range.
uid_map_of() { awk '{ print $1, $2, $3 }' "/proc/$1/uid_map" | paste -sd, -; }

# basic USER: create; pause PID 1 of its namespaces, as the mapped root;
# run joins them; two members share 127.0.0.1; 1,000 orphans, 0 zombies.
basic() {
	local user=$1 uid pid ns
	uid=$(id -u "$user")
	upod "$user" create p1
	pid=$(upod "$user" inspect p1 | jq -r .pid)
	[[ $(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status") == 1 ]]
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status") == "$uid" ]]
	for ns in user net ipc uts pid; do
		[[ $(readlink "/proc/$pid/ns/$ns") != "$(readlink "/proc/self/ns/$ns")" ]]
	done
	# a member: the pod's namespaces, uid 0 inside, pause as PID 1
	run upod "$user" run p1 -- sh -c 'id -u; for n in user net ipc uts pid; do
		readlink /proc/self/ns/$n; done; ps -o pid=,args= | head -1'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	i=1
	for ns in user net ipc uts pid; do
		[ "${lines[$i]}" = "$(readlink "/proc/$pid/ns/$ns")" ]
		i=$((i + 1))
	done
	[[ ${lines[6]} =~ ^\ *1\ pause$ ]]
	# 127.0.0.1 is the pod's: one member serves, another fetches
	upod "$user" run -d p1 -- busybox httpd -f -p 127.0.0.1:8000 -h "$WWW"
	wait_for 10 tcp_listening "/proc/$pid/ns/net" 8000
	run upod "$user" run p1 -- busybox wget -qO- http://127.0.0.1:8000/
	[ "$status" -eq 0 ]
	[ "$output" = served-from-the-pod ]
	! curl -s -m 2 http://127.0.0.1:8000/ || false	# not the host's
	# orphans: pause adopts and reaps them all
	coproc ORPH { upod "$user" run p1 -- "$ORPHAN" -n 1000 -w 2>&1; }
	read -r ready n <&"${ORPH[0]}"
	[ "$ready" = ready ] && [ "$n" = 1000 ]
	[[ $(count_children "$pid") -ge 1000 ]]
	release=${ORPH[1]}
	exec {release}>&-
	wait "$ORPH_PID"
	wait_for 30 eval "[[ \$(count_children $pid) == 1 ]]"	# httpd alone
	[[ $(zombies_of "$pid") == 0 ]]
	MAP=$(uid_map_of "$pid")
}

@test "rootless, subuid range: newuidmap maps 0 to the user and 1.. to the range" {
	basic podr1
	[ "$MAP" = "0 $(id -u podr1) 1,1 $SUBIDS 65536" ]
	# --user: an id of the range, with setgroups allowed
	run upod podr1 run --user 1000:1000 p1 -- sh -c 'id -u; id -G'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ] && [ "${lines[1]}" = 1000 ]
	upod podr1 run -d --user 1000 p1 -- sleep 1001
	wait_for 10 pgrep -u $((SUBIDS + 999)) -f '^sleep 1001$'
}

@test "rootless, no subuid range: the user's own ids alone, setgroups denied" {
	basic podr2
	[ "$MAP" = "0 $(id -u podr2) 1" ]
	pid=$(upod podr2 inspect p1 | jq -r .pid)
	[ "$(cat "/proc/$pid/setgroups")" = deny ]
	# no other id exists in the namespace
	run upod podr2 run --user 1 p1 -- true
	[ "$status" -eq 125 ]
	[ "$output" = "pod: cannot become user 1:1: Invalid argument" ]
}

# ---- networking ----

# published NET: a member's server on port 8000 is the host's 18080.
published() {
	local net=$1 pid helper
	upod podr1 create --network "$net" -p 18080:8000 w1
	pid=$(upod podr1 inspect w1 | jq -r .pid)
	helper=$(upod podr1 inspect w1 | jq -r .helper.pid)
	[[ $(ps -o user= -p "$helper") == podr1 ]]
	upod podr1 run -d w1 -- busybox httpd -f -p 0.0.0.0:8000 -h "$WWW"
	wait_for 10 tcp_listening "/proc/$pid/ns/net" 8000
	[ "$(curl -s -m 5 http://127.0.0.1:18080/)" = served-from-the-pod ]
	upod podr1 rm -f w1
	! kill -0 "$helper" 2>/dev/null || [[ $(ps -o stat= -p "$helper") == Z* ]]
	! ss -Hltn 'sport = :18080' | grep -q . || false
	! curl -s -m 2 http://127.0.0.1:18080/ || false
	[[ $(procs_of podr1) == 0 ]] || wait_for 10 eval '[[ $(procs_of podr1) == 0 ]]'
}

@test "rootless --network pasta -p 18080:8000: the host's curl reaches a member" {
	published pasta
}

@test "rootless --network slirp4netns -p 18080:8000: the host's curl reaches a member" {
	published slirp4netns
}

@test "rootless: CNI, low ports, --userns and limits on cgroup v1 are refused, nothing made" {
	run upod podr1 create --network cni c1
	[ "$status" -eq 2 ]
	[ "$output" = "pod: cannot create pod c1: CNI networking needs root (a user's pod can use --network pasta or slirp4netns)" ]
	low=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	if ((low > 80)); then
		run upod podr1 create --network pasta -p 80:80 c1
		[ "$status" -eq 2 ]
		[[ $output == "pod: cannot publish port 80 of pod c1: a user may bind ports from $low up"* ]]
	fi
	run upod podr1 create --userns auto c1
	[ "$status" -eq 2 ]
	[[ $output == "pod: cannot parse arguments: --userns is root's"* ]]
	if ! grep -q ' - cgroup2 ' /proc/self/mountinfo || grep -q ' - cgroup ' /proc/self/mountinfo; then
		run upod podr1 create --memory 64M c1
		[ "$status" -eq 2 ]
		[[ $output == "pod: cannot give pod c1 a cgroup for its limits: a user's pod needs a delegated cgroup v2 subtree"* ]]
	fi
	[ -z "$(ls -A "$(user_root podr1)" 2>/dev/null)" ]
	[[ $(procs_of podr1) == 0 ]]
}

# ---- isolation ----

@test "rootless: another user cannot join, stop, remove or read the pod" {
	upod podr1 create p1
	pid=$(upod podr1 inspect p1 | jq -r .pid)
	for cmd in "run p1 true" "stop p1" "rm p1" "inspect p1"; do
		read -ra args <<<"$cmd"
		# by name: podr2 has no such pod
		run upod podr2 "${args[@]}"
		[[ $status == 3 || $status == 125 ]]
		[[ $output == *"no such pod"* ]]
		# by podr1's root: the system says no
		run upod podr2 --root "$(user_root podr1)" "${args[@]}"
		[[ $status == 1 || $status == 125 || $status == 3 ]]
		[[ $output == *"Permission denied"* || $output == *"no such pod"* ]]
	done
	# rm -f of a pod that is not there succeeds, and touches nothing
	upod podr2 rm -f p1
	run as podr2 cat "$(user_root podr1)/p1/state.json"
	[ "$status" -ne 0 ]
	run as podr2 nsenter --user="/proc/$pid/ns/user" --net="/proc/$pid/ns/net" true
	[ "$status" -ne 0 ]
	# root's pod, with its default paths, never reads a user's state
	run env -u POD_ROOT "$POD" ls -q
	[[ $output != *p1* ]]
	[[ $(upod podr1 inspect p1 | jq -r .status) == running ]]
}

# ---- failures ----

@test "rootless: a failure at any create step leaves nothing" {
	uid=$(id -u podr1)
	steps=$(POD_FAULT=list as podr1 "$FAULTS" create --pause "$PAUSE" --network slirp4netns \
		-p 18082:8000 probe 2>&1 >/dev/null | sed -n 's/^fault: //p')
	upod podr1 rm -f probe
	# the user namespace, its helper and the child's steps among them
	for want in userns become-root usernet publish helper-state exec; do
		grep -qx "$want" <<<"$steps"
	done
	for step in $steps; do
		run env POD_FAULT="$step" setpriv --reuid="$uid" --regid="$uid" --init-groups \
			env -C / -u POD_ROOT -u POD_DATA_DIR -u POD_CGROUP_PARENT \
			XDG_RUNTIME_DIR="/run/user/$uid" "$FAULTS" create --pause "$PAUSE" \
			--network slirp4netns -p 18082:8000 f1
		echo "step $step: $status $output"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == "pod: cannot "*": Operation canceled" ]]
		[ ! -e "$(user_root podr1)/f1" ]
		wait_for 10 eval '[[ $(procs_of podr1) == 0 ]]'
	done
}

@test "rootless: gc after a SIGKILLed pause removes the pod and stops its helper" {
	upod podr1 create --network pasta g1
	pid=$(upod podr1 inspect g1 | jq -r .pid)
	helper=$(upod podr1 inspect g1 | jq -r .helper.pid)
	kill -KILL "$pid"
	wait_for 10 eval "[[ \$(upod podr1 inspect g1 | jq -r .status) == exited ]]"
	upod podr1 gc
	[ ! -e "$(user_root podr1)/g1" ]
	wait_for 10 eval '[[ $(procs_of podr1) == 0 ]]'
	! kill -0 "$helper" 2>/dev/null || [[ $(ps -o stat= -p "$helper") == Z* ]]
}

# ---- root, with --userns ----

# a range for root's pods in /etc/subuid and /etc/subgid, until teardown
pod_range() {
	cp /etc/subuid "$BATS_TEST_TMPDIR/subuid"
	cp /etc/subgid "$BATS_TEST_TMPDIR/subgid"
	echo "pod:2000000:196608" >>/etc/subuid
	echo "pod:2000000:196608" >>/etc/subgid
}

pod_range_restore() {
	[[ -f $BATS_TEST_TMPDIR/subuid ]] || return 0
	cp "$BATS_TEST_TMPDIR/subuid" /etc/subuid
	cp "$BATS_TEST_TMPDIR/subgid" /etc/subgid
	rm "$BATS_TEST_TMPDIR/subuid" "$BATS_TEST_TMPDIR/subgid"
}

@test "root --userns auto: uid 0 inside is a free range outside, files included" {
	pod_range
	pod create --userns auto u1
	pod create --userns auto u2
	[[ $(state_field u1 userns.uid[0].outside) == 2000000 ]]
	[[ $(state_field u2 userns.uid[0].outside) == 2065536 ]]
	[[ $(state_field u2 userns.gid[0].outside) == 2065536 ]]
	pid=$(state_field u2 pid)
	[[ $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status") == 2065536 ]]
	# a member: 0 inside, the mapped id on the host
	pod run -d u2 -- sleep 1007
	wait_for 10 pgrep -f '^sleep 1007$'
	[[ $(ps -o uid= -p "$(pgrep -f '^sleep 1007$')" | tr -d ' ') == 2065536 ]]
	rootfs=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$rootfs"/{bin,proc,dev,tmp}
	chmod 1777 "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for tool in sh id touch; do ln -s busybox "$rootfs/bin/$tool"; done
	run pod run --rootfs "$rootfs" u2 -- /bin/sh -c 'id -u; touch /tmp/made'
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[[ $(stat -c %u:%g "$rootfs/tmp/made") == 2065536:2065536 ]]
	# a given range that overlaps another pod's is refused
	run pod create --userns 0:2000100:10 u3
	[ "$status" -eq 4 ]
	[ "$output" = "pod: cannot map ids of pod u3: another pod maps some of them" ]
	[ ! -e "$POD_ROOT/u3" ]
	pod create --userns 0:2200000:10 u3
}

@test "root --userns auto without a range for \"pod\": a clear error, nothing made" {
	! grep -q '^pod:' /etc/subuid || false	# this machine has none
	run pod create --userns auto u1
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot choose ids for pod u1: /etc/subuid and /etc/subgid have no range for \"pod\""* ]]
	[ ! -e "$POD_ROOT/u1" ]
	run pod create --userns 0:0:10 u1
	[ "$status" -eq 2 ]
}
