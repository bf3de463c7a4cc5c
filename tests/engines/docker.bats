#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# Docker as the seed uses it: Debian's dockerd (20.10), private to this
# file, running our image as the pod's pause container and our pause as
# `docker run --init`'s docker-init. No registry: the member image is
# Debian's busybox-static, imported. The last test stops dockerd and
# proves nothing of it is left.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"

PTY_INTERRUPT=$ROOT/tests/helpers/pty-interrupt
JOIN=(--net=container:pause --ipc=container:pause --pid=container:pause)

setup_file() {
	export DK_DIR DK_PID DK_CTD_PID DK_RUN_DOCKER_EXISTED REF BUSYBOX=localhost/pod-test-busybox:1
	export ETC_KEY_EXISTED=0
	[[ -e /etc/docker/key.json ]] && ETC_KEY_EXISTED=1
	iptables_rules >"$BATS_FILE_TMPDIR/iptables.before"
	REF=$(tar -xOf "$ROOT/bin/pause-docker.tar" manifest.json | jq -r '.[0].RepoTags[0]')
	# a short path: containerd's sockets live under the exec root
	start_dockerd "$(mktemp -d /tmp/pod-docker.XXXXXX)"
	dk_busybox_image "$BUSYBOX"
}

teardown() {
	dk_rm_all
}

teardown_file() {
	stop_dockerd
}

# host_pid CONTAINER: the host's pid of the container's first process
host_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }

ns_of() { stat -L -c %i "/proc/$1/ns/$2"; }

@test "docker load names the image; the seed's pause and two members share its namespaces; docker stop exits 0" {
	run dk load -i "$ROOT/bin/pause-docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $REF" ]
	# a donor of its IPC namespace must be shareable (private by default)
	dk run -d --name pause --ipc=shareable "$REF"
	local pause web ns
	pause=$(host_pid pause)
	dk run -d --name web "${JOIN[@]}" "$BUSYBOX" sh -c \
		'mkdir /www && echo hello-from-web >/www/index.html && exec httpd -f -p 127.0.0.1:8000 -h /www'
	wait_for 20 tcp_listening "/proc/$pause/ns/net" 8000
	web=$(host_pid web)
	for ns in net ipc pid uts; do
		echo "$ns: pause $(ns_of "$pause" "$ns") web $(ns_of "$web" "$ns")"
	done
	[ "$(ns_of "$web" net)" = "$(ns_of "$pause" net)" ]
	[ "$(ns_of "$web" ipc)" = "$(ns_of "$pause" ipc)" ]
	[ "$(ns_of "$web" pid)" = "$(ns_of "$pause" pid)" ]
	# a second member: PID 1 is /pause as uid 65535, web is beside it,
	# and web's 127.0.0.1 is its own
	run dk run --rm "${JOIN[@]}" "$BUSYBOX" sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; grep ^Uid: /proc/1/status; ps -o pid,args; wget -qO- http://127.0.0.1:8000/'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/pause " ]
	[[ ${lines[1]} =~ ^Uid:[[:space:]]+65535[[:space:]]+65535[[:space:]]+65535[[:space:]]+65535$ ]]
	grep -qE '^ +1 /pause$' <<<"$output"
	grep -q 'httpd -f -p 127.0.0.1:8000' <<<"$output"
	[ "${lines[-1]}" = hello-from-web ]
	# on the host: pause is PID 1 of that namespace, uid 65535
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pause/status")" = 1 ]
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pause/status")" = 65535 ]
	# the seed's stop
	run dk stop pause
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.ExitCode}}' pause)" = 0 ]
	run dk logs pause
	[ "$output" = "Shutting down, got signal: Terminated" ]
	# pause was PID 1 of the namespace: web went with it
	[ "$(dk inspect -f '{{.State.Running}}' web)" = false ]
}

@test "docker info names our pause as the init; docker run --init runs it as /sbin/docker-init, CMD its child" {
	# dockerd reads `docker-init --version` as tini's "tini version V -
	# git.C" and shows C, the commit the binary was built from
	local commit
	commit=$(make -s -C "$ROOT" print-COMMIT)
	[ "$("$ROOT/bin/pause" --version)" = "tini version $(make -s -C "$ROOT" print-VERSION) - git.$commit" ]
	[ "$(dk info -f '{{.InitBinary}}')" = "$ROOT/bin/pause" ]
	[ "$(dk info -f '{{.InitCommit.ID}}')" = "$commit" ]
	dk info | grep -qx " init version: $commit"
	run dk run --rm --init "$BUSYBOX" sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; echo "ppid $PPID"; sha256sum /sbin/docker-init'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "/sbin/docker-init -- sh -c tr "* ]]
	[ "${lines[1]}" = "ppid 1" ]
	[ "${lines[2]%% *}" = "$(sha256sum "$ROOT/bin/pause" | cut -d' ' -f1)" ]
}

@test "docker run --init: docker stop reaches CMD, which exits with its own code" {
	dk run -d --init --name term "$BUSYBOX" sh -c \
		'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	wait_for 20 eval '[[ $(dk logs term 2>&1) == *ready* ]]'
	# 10 s before docker sends SIGKILL: 137 would mean CMD never saw TERM
	run dk stop -t 10 term
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.ExitCode}}' term)" = 7 ]
	[[ $(dk logs term) == *"got TERM"* ]]
}

@test "docker run --init: an orphan storm of 1,000 in the container leaves 0 zombies" {
	dk run -d --init --name storm "$BUSYBOX" sh -c '/orphan -n 1000 && echo made && exec sleep 600'
	local init
	init=$(host_pid storm)
	[ "$(tr '\0' ' ' <"/proc/$init/cmdline")" = "/sbin/docker-init -- sh -c /orphan -n 1000 && echo made && exec sleep 600 " ]
	wait_for 120 eval '[[ $(dk logs storm 2>&1) == *made* ]]'
	# every orphan adopted by docker-init and reaped: its one child is CMD
	wait_for 60 eval '[[ $(count_children "$init") == 1 ]]'
	[ "$(zombies_of "$init")" = 0 ]
	[ "$(dk inspect -f '{{.State.Running}}' storm)" = true ]
}

@test "docker run -t --init: Ctrl-C reaches CMD in the terminal's foreground, and docker run exits 130" {
	# ready when the container's sleep leads the foreground of its terminal
	# (stat: field 5 its group, field 8 the terminal's foreground group)
	local ready='pid=$(pgrep -xf "sleep 4242") && awk "{ exit !(\$5 == \$8) }" /proc/$pid/stat'
	run "$PTY_INTERRUPT" --ready "$ready" \
		"$DOCKER" -H "unix://$DK_DIR/docker.sock" run --rm -t --init "$BUSYBOX" sleep 4242
	[ "$status" -eq 130 ]
	! pgrep -xf "sleep 4242" || false
}

@test "after dockerd stops: no process, mount, iptables rule or file of it is left" {
	local dir=$DK_DIR
	stop_dockerd
	[ ! -e "$dir" ]
	! pgrep -f "$dir" || false
	[ "$(grep -c " $dir" /proc/self/mountinfo)" = 0 ]
	[ ! -e /var/lib/docker ]
	[ ! -e /run/docker.sock ] && [ ! -e /var/run/docker.sock ]
	[[ $DK_RUN_DOCKER_EXISTED == 1 || ! -e /run/docker ]]
	[[ $ETC_KEY_EXISTED == 1 || ! -e /etc/docker/key.json ]]
	iptables_rules | diff "$BATS_FILE_TMPDIR/iptables.before" -
}
