#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# pod: a pod made from scratch. Each test asserts on what the kernel shows
# (/proc, mountinfo, namespace inodes) and waits on conditions, not times.

load helpers
bats_require_minimum_version 1.5.0

setup() { pod_setup; }
teardown() { pod_teardown; }

# ---- usage ----

@test "pod --help lists every command; each command's --help shows its options" {
	run "$POD" --help
	[ "$status" -eq 0 ]
	for cmd in create run ps ls inspect stats stop rm gc; do
		grep -qE "^  $cmd " <<<"$output"
	done
	declare -A want=(
		[create]="--share --hostname --sysctl --network --publish --cni-conf-dir --pause --root --help"
		[run]="--detach --rootfs --workdir --env --user --root --help"
		[ps]="--root --help" [ls]="--root --help" [inspect]="--root --help"
		[stop]="--timeout --root --help" [rm]="--force --root --help"
		[gc]="--root --help"
	)
	for cmd in "${!want[@]}"; do
		run "$POD" "$cmd" --help
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "Usage: pod $cmd"* ]]
		for opt in ${want[$cmd]}; do
			grep -qF -- "$opt" <<<"$output" || { echo "pod $cmd --help lacks $opt"; false; }
		done
	done
}

@test "help is generated from the option tables: no option without a help line" {
	# the check reads the tables themselves, so it sees create and run too
	run table_options "$ROOT/src/pod/create.c"
	for opt in share hostname sysctl network publish cni-conf-dir pause; do
		grep -qx -- "$opt" <<<"$output"
	done
	run table_options "$ROOT/src/pod/run.c"
	for opt in detach rootfs workdir env user; do
		grep -qx -- "$opt" <<<"$output"
	done
	run table_options "$ROOT/src/pod/cli.c"
	[ "${lines[*]}" = "root data-dir help" ]
	for cmd in create run ps ls inspect stats stop rm gc; do
		[ -f "$ROOT/src/pod/$cmd.c" ]
		help=$("$POD" "$cmd" --help)
		run options_without_help "$ROOT/src/pod/$cmd.c" "$help"
		[ -z "$output" ] || { echo "pod $cmd --help lacks $output"; false; }
		run options_without_help "$ROOT/src/pod/cli.c" "$help"
		[ -z "$output" ] || { echo "pod $cmd --help lacks $output"; false; }
	done
	# and the check fails when a table has an option the help lacks
	sed 's/^\(\t{ "share",\)/\t{ "no-such-option", OPT_LONG + 99, NULL, "x" },\n\1/' \
		"$ROOT/src/pod/create.c" >"$BATS_TEST_TMPDIR/create.c"
	run options_without_help "$BATS_TEST_TMPDIR/create.c" "$("$POD" create --help)"
	[ "$output" = "--no-such-option" ]
}

@test "options go before or after NAME (GNU style); a second operand is refused; run keeps CMD's" {
	run pod create web --hostname h --share net,uts,pid
	[ "$status" -eq 0 ]
	[ "$(state_field web hostname)" = h ]
	[ "$(jq -r '.share | join(",")' <<<"$(pod inspect web)")" = net,uts,pid ]
	run pod create web2 extra
	[ "$status" -eq 2 ]
	[ "$output" = "pod: cannot parse arguments: unexpected operand 'extra': pod create takes one NAME (see 'pod create --help')" ]
	[ ! -e "$POD_ROOT/web2" ] && [ ! -e "$POD_ROOT/extra" ]
	run pod ps web -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(state_field web pid)" ]
	run pod ls extra
	[ "$status" -eq 2 ]
	[[ $output == *"unexpected operand 'extra': pod ls takes none"* ]]
	# pod run: options before NAME; everything after NAME is CMD's
	run pod run web echo -d --root x
	[ "$status" -eq 0 ]
	[ "$output" = "-d --root x" ]
	pod stop web -t 1
	wait_for 10 status_is web exited
	pod rm web -f
	[ ! -e "$POD_ROOT/web" ]
}

@test "ls -q and ps -q print names and host pids; --format json prints arrays; inspect takes several" {
	pod create --share net,pid a
	pod create b
	run pod ls -q
	[ "$output" = "$(printf 'a\nb')" ]
	run pod ls --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r 'map(.name) | join(",")' <<<"$output")" = a,b ]
	[ "$(jq -r '.[0].status' <<<"$output")" = running ]
	[ "$(jq -r '.[0].pid' <<<"$output")" = "$(state_field a pid)" ]
	[ "$(jq -r '.[0].shared | join(",")' <<<"$output")" = net,pid ]
	[ "$(jq -r '.[0].ip' <<<"$output")" = null ]
	[[ $(jq -r '.[1].created' <<<"$output") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	run pod ls --format yaml
	[ "$status" -eq 2 ]
	pod run -d b -- sleep 1003
	wait_for 10 eval '[[ $(pod ps -q b | wc -l) == 2 ]]'
	run pod ps -q b
	[ "${lines[0]}" = "$(state_field b pid)" ]
	[ "${lines[1]}" = "$(pgrep -f '^sleep 1003$')" ]
	run pod ps --format json b
	[ "$(jq -r '.[1].command' <<<"$output")" = "sleep 1003" ]
	[ "$(jq -r '.[0].pid, .[0].host_pid' <<<"$output" | paste -sd' ')" = "1 $(state_field b pid)" ]
	run pod inspect a b
	[ "$status" -eq 0 ]
	[ "$(jq -r 'map(.name) | join(",")' <<<"$output")" = a,b ]
	run --separate-stderr pod inspect a nope b
	[ "$status" -eq 3 ]
	[ "$stderr" = "pod: cannot inspect pod nope: no such pod" ]
	[ "$(jq -r 'map(.name) | join(",")' <<<"$output")" = a,b ]
}

@test "pod --version prints the version; no command, or a bad one, is a usage error" {
	run "$POD" --version
	[ "$status" -eq 0 ]
	[[ $output == "pod "?* ]]
	run "$POD"
	[ "$status" -eq 2 ]
	run "$POD" frobnicate
	[ "$status" -eq 2 ]
	[ "$output" = "pod: cannot run command frobnicate: no such command (see 'pod --help')" ]
	run "$POD" create --bogus x
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "pod: cannot parse arguments: unknown option --bogus"* ]]
	run "$POD" --root relative ls
	[ "$status" -eq 2 ]
	POD_ROOT=relative run "$POD" ls
	[ "$status" -eq 2 ]
}

@test "docs/pod.1 documents every command and option and renders cleanly" {
	run groff -man -Tutf8 -ww -z "$ROOT/docs/pod.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for word in create run ps ls inspect stats stop rm gc --share --hostname --sysctl \
		--pause --root --detach --rootfs --workdir --env --user --timeout --force \
		--network --publish --cni-conf-dir --memory --cpus --pids-limit --cgroup-parent \
		--format --userns POD_ROOT POD_CGROUP_PARENT CNI_PATH XDG_RUNTIME_DIR "EXIT STATUS" \
		"CNI NETWORKING" RESOURCES ROOTLESS pasta slirp4netns; do
		grep -qF -- "$word" <(groff -man -Tutf8 -rLL=300n -rHY=0 -P-cbou "$ROOT/docs/pod.1") ||
			{ echo "docs/pod.1 lacks $word"; false; }
	done
}

# ---- create ----

@test "create: pause is PID 1 of new namespaces, pinned and verified, detached" {
	run pod create p1
	[ "$status" -eq 0 ]
	pid=$(state_field p1 pid)
	[[ $(awk '$1 == "NSpid:" { print $NF }' "/proc/$pid/status") == 1 ]]
	[[ $(readlink "/proc/$pid/exe") == "$PAUSE" ]]
	wait_for 10 parked "$pid"
	for ns in net ipc uts pid; do
		# a new namespace, and the pin is that very namespace (same inode)
		[[ $(readlink "/proc/$pid/ns/$ns") != "$(readlink "/proc/self/ns/$ns")" ]]
		[[ $(stat -L -c %i "/proc/$pid/ns/$ns") == "$(stat -c %i "$POD_ROOT/p1/ns/$ns")" ]]
		grep -qE " $POD_ROOT/p1/ns/$ns .* - nsfs " /proc/self/mountinfo
	done
	[[ ! -e $POD_ROOT/p1/ns/cgroup ]]
	# detached: its own session, not our child, stdin on /dev/null
	[[ $(ps -o sid= -p "$pid") -eq $pid ]]
	[[ $(ps -o ppid= -p "$pid") -ne $$ ]]
	[[ $(readlink "/proc/$pid/fd/0") == /dev/null ]]
	# pause holds nothing of the caller's but stdio: create again with a
	# pipe on fd 7 and a file on fd 9, and look at the second pause's fds
	exec 7< <(true) 9>"$BATS_TEST_TMPDIR/held"
	pod create p2
	exec 7<&- 9>&-
	[[ $(find "/proc/$(state_field p2 pid)/fd" -mindepth 1 -printf '%f\n' | sort -n | tr '\n' ' ') == "0 1 2 " ]]
	# state: pid plus start time plus boot id, never a bare pid
	start=$(awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$pid/stat")
	[[ $(jq -r .starttime "$POD_ROOT/p1/state.json") == "$start" ]]
	[[ $(jq -r .boot_id "$POD_ROOT/p1/state.json") == "$(cat /proc/sys/kernel/random/boot_id)" ]]
	[[ $(state_field p1 status) == running ]]
}

@test "create: lo is up, the hostname is set, and --share picks what is pinned" {
	pod create --hostname web-1 p1
	[[ $(pod run p1 -- hostname) == web-1 ]]
	[[ $(hostname) != web-1 ]]
	run pod run p1 -- cat /sys/class/net/lo/operstate /sys/class/net/lo/flags
	[[ $(( lines[1] & 1 )) == 1 ]]	# IFF_UP
	# only net shared: one pin, the hostname is the host's
	pod create --share net p2
	[[ $(ls "$POD_ROOT/p2/ns") == net ]]
	[[ $(pod run p2 -- hostname) == "$(hostname)" ]]
	[[ $(state_field p2 'share | join(",")') == net ]]
	pod create --share net,ipc,uts,pid,cgroup p3
	pins=("$POD_ROOT"/p3/ns/*)
	[[ ${pins[*]##*/} == "cgroup ipc net pid uts" ]]
	pid=$(state_field p3 pid)
	[[ $(readlink "/proc/$pid/ns/cgroup") != "$(readlink /proc/self/ns/cgroup)" ]]
	run pod create --share net,bogus p4
	[ "$status" -eq 2 ]
	run pod create --share net --hostname h p4
	[ "$status" -eq 2 ]
	[ ! -e "$POD_ROOT/p4" ]
}

@test "create: pause is found next to pod when --pause is not given" {
	[[ -x $(dirname "$POD")/pause ]]	# bin/pause, bin/asan/pause, installed: always a pair
	run "$POD" create p1
	[ "$status" -eq 0 ]
	[[ $(readlink "/proc/$(state_field p1 pid)/exe") == "$(readlink -f "$(dirname "$POD")/pause")" ]]
	run "$POD" create --pause /nonexistent/pause p2
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot find pause /nonexistent/pause: No such file or directory" ]]
	[ ! -e "$POD_ROOT/p2" ]
}

@test "create: sysctls are set per flag inside the pod only; others are refused" {
	host_somaxconn=$(cat /proc/sys/net/core/somaxconn)
	host_shmmni=$(cat /proc/sys/kernel/shmmni)
	pod create --sysctl net.core.somaxconn=1234 --sysctl kernel.shmmni=999 \
		--sysctl "net.ipv4.ping_group_range=0	0" p1
	[[ $(pod run p1 -- cat /proc/sys/net/core/somaxconn) == 1234 ]]
	[[ $(pod run p1 -- cat /proc/sys/kernel/shmmni) == 999 ]]
	[[ $(pod run p1 -- cat /proc/sys/net/ipv4/ping_group_range) == "0	0" ]]
	[[ $(cat /proc/sys/net/core/somaxconn) == "$host_somaxconn" ]]
	[[ $(cat /proc/sys/kernel/shmmni) == "$host_shmmni" ]]
	[[ $(state_field p1 'sysctls["net.core.somaxconn"]') == 1234 ]]

	core=$(cat /proc/sys/kernel/core_pattern)
	for bad in kernel.panic=1 kernel.core_pattern=x kernel.hostname=x \
		"net.ipv4.ip_forward=1
kernel.core_pattern=|/tmp/x" net..x=1 .net=1 noequals "net/core/somaxconn=1"; do
		run pod create --sysctl "$bad" p2
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == "pod: cannot "* ]]
		[ ! -e "$POD_ROOT/p2" ]
	done
	# not shared, not settable
	run pod create --share ipc --sysctl net.core.somaxconn=1 p2
	[ "$status" -eq 2 ]
	[[ $output == *"the pod does not share net" ]]
	# CVE-2022-0811's smuggling: the whole value goes to the one key
	run pod create --sysctl "net.ipv4.ip_forward=1+kernel.core_pattern=|/tmp/x" p2
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot set sysctl net.ipv4.ip_forward of pod p2: Invalid argument" ]]
	[[ $(cat /proc/sys/kernel/core_pattern) == "$core" ]]
	[ ! -e "$POD_ROOT/p2" ]
	[[ $(mounts_under_root) == 4 ]]		# p1's pins only
}

@test "create: bad names are refused before anything is made" {
	long=$(printf 'a%.0s' {1..64})
	for name in "" .. . a/b ../x -x .hidden "a b" "$long" "x/" "é"; do
		run pod create -- "$name"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == "pod: cannot use pod name '"*"': it must match [A-Za-z0-9][A-Za-z0-9_.-]{0,62}" ]]
	done
	[ ! -e "$POD_ROOT" ]
	for cmd in run ps inspect stop rm; do
		run "$POD" "$cmd" ../etc
		[ "$status" -eq 2 ] || [ "$status" -eq 125 ]
	done
	# 63 characters is the longest name
	run pod create "${long:1}"
	[ "$status" -eq 0 ]
}

@test "create: a name that exists is refused, and nothing of the first is touched" {
	pod create p1
	pid=$(state_field p1 pid)
	run pod create p1
	[ "$status" -eq 4 ]
	[ "$output" = "pod: cannot create pod p1: it exists" ]
	[[ $(state_field p1 pid) == "$pid" ]]
	[[ $(mounts_under_root) == 4 ]]
}

@test "create: of 8 concurrent creates of one name exactly one wins" {
	mkdir -p "$BATS_TEST_TMPDIR/out"
	for i in 1 2 3 4 5 6 7 8; do
		( rc=0; pod create same >"$BATS_TEST_TMPDIR/out/$i" 2>&1 || rc=$?
		  echo "$rc" >>"$BATS_TEST_TMPDIR/out/$i" ) 3>&- &
	done
	wait
	head "$BATS_TEST_TMPDIR"/out/*
	[[ $(tail -qn1 "$BATS_TEST_TMPDIR"/out/* | grep -cx 0) == 1 ]]
	[[ $(tail -qn1 "$BATS_TEST_TMPDIR"/out/* | grep -cx 4) == 7 ]]
	[[ $(grep -l "it exists" "$BATS_TEST_TMPDIR"/out/* | wc -l) == 7 ]]
	[[ $(pauses_of_root) == 1 ]]
	[[ $(mounts_under_root) == 4 ]]		# no pin bound twice
}

@test "create: a failure at any step rolls back every step before it" {
	before_mounts=$(grep -c . /proc/self/mountinfo)
	steps=$(POD_FAULT=list "$FAULTS" create --pause "$PAUSE" --sysctl net.core.somaxconn=100 \
		--share net,ipc,uts,pid,cgroup probe 2>&1 >/dev/null | sed -n 's/^fault: //p')
	"$POD" rm -f probe
	# every step, including the child's: lo, hostname, sysctl, exec
	[[ $(wc -w <<<"$steps") -ge 16 ]]
	for want in root lock reserve spawn state pin-net pin-cgroup lo hostname sysctl exec; do
		grep -qx "$want" <<<"$steps"
	done
	for step in $steps; do
		run env POD_FAULT="$step" "$FAULTS" create --pause "$PAUSE" \
			--sysctl net.core.somaxconn=100 --share net,ipc,uts,pid,cgroup f1
		echo "step $step: $status $output"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == "pod: cannot "*": Operation canceled" ]]
		[ ! -e "$POD_ROOT/f1" ]
		[ -z "$(ls -A "$POD_ROOT" 2>/dev/null)" ]
		[[ $(grep -c . /proc/self/mountinfo) == "$before_mounts" ]]
		[[ $(pauses_of_root) == 0 ]]
	done
}

# ---- run ----

@test "run: a member's ps shows pause as PID 1 and itself in the pod's view" {
	pod create p1
	run pod run p1 -- ps -eo pid=,args=
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^\ *1\ pause$ ]]
	[[ ${lines[1]} =~ ^\ *[0-9]+\ ps\ -eo ]]
	[ "${#lines[@]}" -eq 2 ]
	# its own mount namespace, without any pod's pins
	[[ $(grep -c " $POD_ROOT/.* - nsfs " /proc/self/mountinfo) == 4 ]]	# the host has them
	run pod run p1 -- sh -c "readlink /proc/self/ns/mnt; grep -c ' $POD_ROOT/' /proc/self/mountinfo"
	[[ ${lines[0]} != "$(readlink /proc/self/ns/mnt)" ]]
	[[ ${lines[1]} == 0 ]]
}

@test "run: two members talk over 127.0.0.1; the host cannot reach them" {
	pod create p1
	port=$((20000 + RANDOM % 20000))
	pod run -d p1 -- python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen()
while True:
    c, _ = s.accept(); c.sendall(b'hello from the pod\n'); c.close()"
	wait_for 10 listening_in p1 "$port"
	run pod run p1 -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && cat <&3"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the pod" ]
	run bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
	[ "$status" -ne 0 ]
}

@test "run: the hostname is shared between members" {
	pod create p1
	pod run p1 -- hostname changed-by-a
	[[ $(pod run p1 -- hostname) == changed-by-a ]]
	[[ $(hostname) != changed-by-a ]]
}

@test "run: 2,000 orphans made in the pod are adopted by pause and leave 0 zombies" {
	pod create p1
	pid=$(state_field p1 pid)
	coproc ORPH { pod run p1 -- "$ORPHAN" -n 2000 -w 2>&1; }
	read -r ready n <&"${ORPH[0]}"
	[ "$ready" = ready ] && [ "$n" = 2000 ]
	[[ $(count_children "$pid") == 2000 ]]	# pause adopted every one
	release=${ORPH[1]}
	exec {release}>&-			# release them
	wait "$ORPH_PID"
	wait_for 30 no_children_of "$pid"
	[[ $(zombies_of "$pid") == 0 ]]
}

@test "run: CMD's status, 126, 127, 128+signal, and signals forwarded" {
	pod create p1
	run pod run p1 -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run -127 pod run p1 -- /nonexistent
	[ "$output" = "pod: cannot run /nonexistent in pod p1: No such file or directory" ]
	echo 'echo never' >"$BATS_TEST_TMPDIR/noexec"
	chmod 0644 "$BATS_TEST_TMPDIR/noexec"
	run -126 pod run p1 -- "$BATS_TEST_TMPDIR/noexec"
	[ "$output" = "pod: cannot run $BATS_TEST_TMPDIR/noexec in pod p1: Permission denied" ]
	run pod run p1 -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	# SIGTERM to pod run reaches CMD, which reports it
	"$POD" run p1 -- "$ROOT/bin/test/sigcatch" >"$BATS_TEST_TMPDIR/out" 3>&- &
	runner=$!
	wait_for 10 grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$runner"
	wait "$runner"		# sigcatch exits 0 once it has SIGTERM
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/out") == 15 ]]
}

@test "run -d: pause adopts the member; output goes to the pod's log" {
	pod create p1
	pid=$(state_field p1 pid)
	run pod run -d p1 -- sh -c 'echo detached-output; exec sleep 1000'
	[ "$status" -eq 0 ]
	wait_for 10 grep -q detached-output "$POD_ROOT/p1/log"
	wait_for 10 pgrep -P "$pid" -x sleep	# pause's child: adopted
	member=$(pgrep -P "$pid" -x sleep)
	[[ $(awk '$1 == "NSpid:" { print NF - 1 }' "/proc/$member/status") == 2 ]]
	[[ $(readlink "/proc/$member/fd/0") == /dev/null ]]
}

@test "run: --env, --workdir, --user" {
	pod create p1
	run pod run --env A=1 --env B=two --workdir /tmp --user 1234:5678 p1 -- \
		sh -c 'echo $A $B; pwd; id -u; id -g; id -G'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 two" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1234 ]
	[ "${lines[3]}" = 5678 ]
	[ "${lines[4]}" = 5678 ]
	run pod run --user 1234 p1 -- id -g
	[ "$output" = 1234 ]
	run pod run --user x p1 -- true
	[ "$status" -eq 125 ]
	run pod run --env =x p1 -- true
	[ "$status" -eq 125 ]
	run pod run --workdir /nonexistent p1 -- true
	[ "$status" -eq 125 ]
	[ "$output" = "pod: cannot enter workdir /nonexistent: No such file or directory" ]
}

@test "run --rootfs: the member sees only the rootfs, with the pod's /proc" {
	pod create p1
	rootfs=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$rootfs"/{bin,proc,dev,tmp}
	cp /bin/busybox "$rootfs/bin/busybox"
	for tool in sh ls ps cat hostname; do ln -s busybox "$rootfs/bin/$tool"; done
	echo inside >"$rootfs/marker"
	run pod run --rootfs "$rootfs" p1 -- /bin/sh -c 'cat /marker; ls /; ps -o pid,args'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = inside ]
	[[ $output != *etc* ]]
	grep -qE '^ *1 .*pause' <<<"$output"
	run pod run --rootfs "$rootfs" p1 -- /bin/hostname
	[ "$output" = p1 ]
	run pod run --rootfs "$rootfs" p1 -- /bin/sh -c 'test -c /dev/null'
	[ "$status" -eq 0 ]
	run pod run --rootfs relative p1 -- /bin/sh
	[ "$status" -eq 125 ]
}

@test "run --rootfs: a minimal tree without proc, sys or dev gets them made, as runc does" {
	pod create p1
	rootfs=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$rootfs/bin"
	cp /bin/busybox "$rootfs/bin/busybox"
	for tool in sh ls ps cat; do ln -s busybox "$rootfs/bin/$tool"; done
	run pod run --rootfs "$rootfs" p1 -- /bin/sh -c 'ls -d /proc/1 /sys/class /dev/null; ps -o pid,args'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /dev/null ]
	grep -qE '^ *1 .*pause' <<<"$output"
	[ -d "$rootfs/proc" ] && [ -d "$rootfs/sys" ] && [ -d "$rootfs/dev" ]
	# a mount point that is not a directory is named, nothing is mounted
	rm -r "$rootfs/sys"
	ln -s /sys "$rootfs/sys"
	before=$(wc -l </proc/self/mountinfo)
	run pod run --rootfs "$rootfs" p1 -- /bin/true
	[ "$status" -eq 125 ]
	[ "$output" = "pod: cannot use mount point $rootfs/sys: Not a directory" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
}



@test "run: into a pod that is missing or not running is refused with 125" {
	run pod run nope -- true
	[ "$status" -eq 125 ]
	[ "$output" = "pod: cannot find pod nope: no such pod" ]
	pod create p1
	kill -KILL "$(state_field p1 pid)"
	wait_for 10 status_is p1 exited
	run pod run p1 -- true
	[ "$status" -eq 125 ]
	[ "$output" = "pod: cannot run in pod p1: it is not running" ]
}

# ---- ps, ls, inspect ----

@test "ps lists the pod's processes by namespace, with both pids" {
	pod create p1
	pid=$(state_field p1 pid)
	pod run -d p1 -- sh -c 'setsid sleep 1001 & exec sleep 1002'
	wait_for 10 eval '[[ $(pod ps p1 | grep -c "sleep 100[12]") == 2 ]]'
	run pod ps p1
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^PID\ +HOST-PID\ +COMMAND$ ]]
	[[ ${lines[1]} =~ ^1\ +$pid\ +pause$ ]]
	host=$(pgrep -f '^sleep 1001$')
	inside=$(awk '$1 == "NSpid:" { print $NF }' "/proc/$host/status")
	grep -qE "^$inside +$host +sleep 1001$" <<<"$output"
	run pod ps nope
	[ "$status" -eq 3 ]
}

@test "ls shows each pod's status, pid, IP, namespaces and age" {
	run pod ls
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	pod create --share net,pid a
	pod create b
	run pod ls
	[[ ${lines[0]} =~ ^NAME\ +STATUS\ +PID\ +IP\ +SHARED\ +AGE$ ]]
	[[ ${lines[1]} =~ ^a\ +running\ +$(state_field a pid)\ +-\ +net,pid\ +[0-9]+s$ ]]
	[[ ${lines[2]} =~ ^b\ +running\ +[0-9]+\ +-\ +net,ipc,uts,pid\ + ]]
}

@test "inspect: JSON with the namespace paths for OCI, ctr, podman and nsenter" {
	pod create --hostname inspected p1
	run pod inspect p1
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
	[[ $(jq -r .name <<<"$output") == p1 ]]
	[[ $(jq -r '.oci.linux.namespaces | map(.type) | join(",")' <<<"$output") == network,ipc,uts,pid ]]
	[[ $(jq -r '.namespaces[] | select(.type == "net") | .path' <<<"$output") == "$POD_ROOT/p1/ns/net" ]]
	[[ $(jq -r '.ctr | join(" ")' <<<"$output") == "--with-ns network:$POD_ROOT/p1/ns/net --with-ns ipc:$POD_ROOT/p1/ns/ipc --with-ns uts:$POD_ROOT/p1/ns/uts --with-ns pid:$POD_ROOT/p1/ns/pid" ]]
	[[ $(jq -r '.podman | join(" ")' <<<"$output") == "--network ns:$POD_ROOT/p1/ns/net --ipc ns:$POD_ROOT/p1/ns/ipc --uts ns:$POD_ROOT/p1/ns/uts --pid ns:$POD_ROOT/p1/ns/pid" ]]
	# the nsenter form works as given
	mapfile -t cmd < <(jq -r '.nsenter[]' <<<"$output")
	[[ $("${cmd[@]}" hostname) == inspected ]]
	pid=$(jq -r .pid <<<"$output")
	joined=$("${cmd[@]}" readlink /proc/self/ns/net)
	echo "nsenter: $joined, pause: $(readlink "/proc/$pid/ns/net")"
	[[ $joined == "$(readlink "/proc/$pid/ns/net")" ]]
	run pod inspect nope
	[ "$status" -eq 3 ]
	[ "$output" = "pod: cannot inspect pod nope: no such pod" ]
}

# ---- stop, rm, gc ----

@test "stop: SIGTERM, then SIGKILL for a member that ignores it, then pause" {
	pod create p1
	pid=$(state_field p1 pid)
	pod run -d p1 -- sh -c 'trap "" TERM; echo ignoring; while :; do sleep 1; done'
	pod run -d p1 -- sleep 1000
	wait_for 10 grep -q ignoring "$POD_ROOT/p1/log"
	stubborn=$(pgrep -P "$pid" -x sh)
	has_sig "$(sigmask "$stubborn" SigIgn)" 15
	run pod stop -t 1 p1
	[ "$status" -eq 0 ]
	! alive "$stubborn" || false
	! alive "$pid" || false
	[[ $(state_field p1 status) == exited ]]
	[[ $(pod ls | awk '$1 == "p1" { print $2 }') == exited ]]
	# the pins outlive pause until rm
	[[ $(mounts_under_root) == 4 ]]
	run pod stop p1		# already stopped: nothing to do
	[ "$status" -eq 0 ]
	run pod stop -t x p1
	[ "$status" -eq 2 ]
}

@test "stop: a member that forked and called setsid is stopped too" {
	pod create --share net,ipc,uts,pid p1
	pod run -d p1 -- sh -c '(setsid sh -c "trap \"\" TERM; exec sleep 1003" &) ; exec sleep 1004'
	wait_for 10 pgrep -f '^sleep 1003$'
	away=$(pgrep -f '^sleep 1003$')
	[[ $(ps -o sid= -p "$away") -eq $away ]]
	run pod stop -t 1 p1
	[ "$status" -eq 0 ]
	! alive "$away" || false
}

@test "stop: members of a pod that does not share pid are found by namespace" {
	pod create --share net,uts p1
	pod run -d p1 -- sleep 1005
	wait_for 10 pgrep -f '^sleep 1005$'
	member=$(pgrep -f '^sleep 1005$')
	grep -qE "^ +$member +$member +sleep 1005$|^$member +$member +sleep 1005$" <(pod ps p1)
	pod stop p1
	! alive "$member" || false
}

@test "rm: refuses a running pod without -f; -f kills it; missing pod is 3, or 0 with -f" {
	pod create p1
	pid=$(state_field p1 pid)
	run pod rm p1
	[ "$status" -eq 4 ]
	[ "$output" = "pod: cannot remove pod p1: it is running (stop it first, or use rm -f)" ]
	alive "$pid"
	run pod rm -f p1
	[ "$status" -eq 0 ]
	! alive "$pid" || false
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(mounts_under_root) == 0 ]]
	run pod rm p1
	[ "$status" -eq 3 ]
	[ "$output" = "pod: cannot remove pod p1: no such pod" ]
	run pod rm -f p1
	[ "$status" -eq 0 ]
}

@test "rm: reruns after a crash at any point of a removal" {
	pod create p1
	pod stop p1
	# a removal that died after unmounting two pins and deleting the state
	umount "$POD_ROOT/p1/ns/net" "$POD_ROOT/p1/ns/ipc"
	rm "$POD_ROOT/p1/state.json"
	run pod ls
	[[ ${lines[1]} =~ ^p1\ +exited\ +- ]]
	run pod rm p1
	[ "$status" -eq 0 ]
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(mounts_under_root) == 0 ]]
}

@test "rm: never unmounts what is not a namespace pin of its type" {
	pod create --share net p1
	pod stop p1
	pid_pin=$POD_ROOT/p1/ns/net
	umount "$pid_pin"
	# something else mounted where the pin was: an ipc namespace
	mount --bind /proc/self/ns/ipc "$pid_pin"
	run pod rm p1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot unpin net namespace of pod p1: not a namespace of that type" ]
	grep -qF " $pid_pin " /proc/self/mountinfo
	umount "$pid_pin"
}

@test "SIGKILLed pause: ls shows exited, rm cleans completely" {
	pod create p1
	pid=$(state_field p1 pid)
	pod run -d p1 -- sleep 1006
	kill -KILL "$pid"
	wait_for 10 status_is p1 exited
	[[ $(pod ls | awk '$1 == "p1" { print $2 }') == exited ]]
	! pgrep -f '^sleep 1006$' || false	# the kernel killed the PID namespace
	run pod rm p1
	[ "$status" -eq 0 ]
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(mounts_under_root) == 0 ]]
}

@test "gc: removes the pods whose pause is gone, and only those" {
	pod create dead
	pod create alive
	pod create reused
	kill -KILL "$(state_field dead pid)"
	wait_for 10 status_is dead exited
	# a recorded pid now taken by another process: not the pod's pause
	pod stop reused
	sleep 1000 3>&- &
	other=$!
	jq --argjson pid "$other" '.pid = $pid' "$POD_ROOT/reused/state.json" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$POD_ROOT/reused/state.json"
	[[ $(state_field reused status) == exited ]]
	run pod gc
	[ "$status" -eq 0 ]
	[[ $(sort <<<"$output" | tr '\n' ' ') == "dead reused " ]]
	alive "$other"		# never signalled on a bare pid
	kill "$other"
	[[ $(ls "$POD_ROOT") == alive ]]
	[[ $(state_field alive status) == running ]]
	[[ $(mounts_under_root) == 4 ]]
	run pod gc
	[ -z "$output" ]
}

@test "gc: state from before a reboot (other boot id, pins gone) is removed" {
	pod create p1
	pod stop p1
	for pin in "$POD_ROOT"/p1/ns/*; do umount "$pin"; done
	jq '.boot_id = "00000000-0000-0000-0000-000000000000"' "$POD_ROOT/p1/state.json" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$POD_ROOT/p1/state.json"
	run pod gc
	[ "$status" -eq 0 ]
	[ "$output" = p1 ]
	[ ! -e "$POD_ROOT/p1" ]
}

@test "gc: a half-made pod (no state, or a broken one) is removed" {
	pod create p1
	pod stop p1
	echo '{"name": "p1", "pid": "x"}' >"$POD_ROOT/p1/state.json"
	mkdir -p "$POD_ROOT/p2/ns"
	run pod ls
	[[ ${lines[1]} =~ ^p1\ +exited ]]
	[[ ${lines[2]} =~ ^p2\ +exited ]]
	run pod gc
	[ "$status" -eq 0 ]
	[[ $(tr '\n' ' ' <<<"$output") == "p1 p2 " ]]
	[[ $(mounts_under_root) == 0 ]]
}
