#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# make demo-docker as a user runs it: the seed's pod with Docker's own
# commands, and a machine as it was before.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"

@test "make demo-docker: nginx and the app behind the pause container's port, /pause as PID 1, and a clean machine after" {
	iptables_rules >"$BATS_TEST_TMPDIR/iptables.before"
	ip -o link show | awk -F': ' '{ print $2 }' | sort >"$BATS_TEST_TMPDIR/links.before"
	mounts=$(grep -c . /proc/self/mountinfo)
	run make -s -C "$ROOT" demo-docker
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'Hello from the app in the Docker pod' <<<"$output"
	# the seed's commands, as typed
	grep -qE '^\$ docker run -d --name pause --ipc=shareable -p 8080:80 localhost/pause:' <<<"$output"
	grep -qx '$ docker run -d --name nginx --net=container:pause --ipc=container:pause --pid=container:pause localhost/demo-nginx:1' <<<"$output"
	# docker exec ps, in the nginx container: /pause is PID 1, the app beside nginx
	grep -qE '^ +1 65535 +/pause$' <<<"$output"
	grep -qE '^ +[0-9]+ root +nginx: master process' <<<"$output"
	grep -qE '^ +[0-9]+ root +httpd -f -p 127.0.0.1:2368' <<<"$output"
	grep -qx 'Shutting down, got signal: Terminated' <<<"$output"
	# nothing left: mounts, processes, links, iptables, images' state
	[[ $(grep -c . /proc/self/mountinfo) == "$mounts" ]]
	! pgrep -f '/tmp/demo-docker\.' || false
	! pgrep -x dockerd || false
	diff "$BATS_TEST_TMPDIR/iptables.before" <(iptables_rules)
	diff "$BATS_TEST_TMPDIR/links.before" <(ip -o link show | awk -F': ' '{ print $2 }' | sort)
	[ -z "$(find /tmp -maxdepth 1 -name 'demo-docker.*')" ]
}

@test "make demo-docker fails loudly, and leaves nothing, when its port is taken" {
	# something else holds the host's 8080: docker run -p must fail, and
	# the demo must say so and undo what it made
	python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(); print("bound", flush=True); time.sleep(120)' \
		>"$BATS_TEST_TMPDIR/holder" 3>&- &
	holder=$!
	wait_for 10 grep -q bound "$BATS_TEST_TMPDIR/holder"
	run "$ROOT/scripts/demo-docker"
	kill "$holder"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q '^demo-docker: FAILED: the pause container did not start (is port 8080 taken' <<<"$output"
	! ip link show pdemo0 2>/dev/null || false
	! pgrep -x dockerd || false
	[ -z "$(find /tmp -maxdepth 1 -name 'demo-docker.*')" ]
}
