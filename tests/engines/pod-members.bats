#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# Containers of other engines as members of a pod made by `pod create`:
# each joins the pod's pinned namespaces by path, as `pod inspect` spells
# them for it (podman's ns:PATH, ctr's --with-ns, an OCI bundle's
# linux.namespaces), and must see pause as PID 1, the pod's hostname, and
# a `pod run` member on the pod's 127.0.0.1.

bats_require_minimum_version 1.5.0

load ../pod/helpers
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"

OCIIMAGE=$ROOT/scripts/cri/ociimage.py
BUSYBOX=localhost/pod-test-busybox:1
# what each member prints: PID 1's command line, the hostname, the page
# the `pod run` member serves on the pod's 127.0.0.1, its own
# namespaces
PROBE='tr "\0" " " </proc/1/cmdline; echo; hostname; wget -qO- http://127.0.0.1:8000/
for ns in net ipc uts pid; do readlink /proc/self/ns/$ns; done'

setup() {
	pod_setup
	pod create --hostname podhost p
	PAUSE_PID=$(state_field p pid)
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo from-pod-run-member >"$BATS_TEST_TMPDIR/www/index.html"
	pod run -d p -- /bin/busybox httpd -f -p 127.0.0.1:8000 -h "$BATS_TEST_TMPDIR/www"
	wait_for 20 listening_in p 8000
}

teardown() {
	teardown_podman
	stop_containerd
	pod_teardown
}

# member_saw: the engine's member printed what a member of pod p sees
member_saw() {
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(tr '\0' ' ' <"/proc/$PAUSE_PID/cmdline")" ]
	[ "${lines[1]}" = podhost ]
	[ "${lines[2]}" = from-pod-run-member ]
	[ "${lines[3]}" = "$(readlink "/proc/$PAUSE_PID/ns/net")" ]
	[ "${lines[4]}" = "$(readlink "/proc/$PAUSE_PID/ns/ipc")" ]
	[ "${lines[5]}" = "$(readlink "/proc/$PAUSE_PID/ns/uts")" ]
	[ "${lines[6]}" = "$(readlink "/proc/$PAUSE_PID/ns/pid")" ]
	# and the engine left the pod as it was
	[ "$(nsenter --uts="$POD_ROOT/p/ns/uts" hostname)" = podhost ]
	alive "$PAUSE_PID"
}

@test "podman run with inspect's podman arguments joins the pod" {
	setup_podman "$BATS_TEST_TMPDIR/podman"
	make_busybox_tar "$BATS_TEST_TMPDIR"
	pm import "$BATS_TEST_TMPDIR/busybox.tar" "$BUSYBOX" >/dev/null
	local args
	mapfile -t args < <(pod inspect p | jq -r '.podman[]')
	[ "${args[*]}" = "--network ns:$POD_ROOT/p/ns/net --ipc ns:$POD_ROOT/p/ns/ipc --uts ns:$POD_ROOT/p/ns/uts --pid ns:$POD_ROOT/p/ns/pid" ]
	run pm run --rm "${args[@]}" "$BUSYBOX" sh -c "$PROBE"
	member_saw
	# it lives in podman's cgroup, not the pod's: pod ps (the pod's
	# cgroup) does not list it, but it dies with pause, its PID 1
	pm run -d --name sleeper "${args[@]}" "$BUSYBOX" sleep 4242 >/dev/null
	wait_for 20 pgrep -xf 'sleep 4242'
	! pod ps p | grep -q 'sleep 4242' || false
	pod stop p
	wait_for 20 eval '! pgrep -xf "sleep 4242"'
	pm rm -f sleeper >/dev/null
}

@test "ctr run with inspect's ctr arguments joins the pod" {
	/usr/bin/python3 "$OCIIMAGE" "$BATS_TEST_TMPDIR/busybox.tar" "$BUSYBOX" bin/ tmp/ \
		bin/busybox=/bin/busybox bin/sh@busybox
	start_containerd "$BATS_TEST_TMPDIR/containerd"
	c images import --snapshotter native "$BATS_TEST_TMPDIR/busybox.tar" >/dev/null
	local args
	mapfile -t args < <(pod inspect p | jq -r '.ctr[]')
	[ "${args[*]}" = "--with-ns network:$POD_ROOT/p/ns/net --with-ns ipc:$POD_ROOT/p/ns/ipc --with-ns uts:$POD_ROOT/p/ns/uts --with-ns pid:$POD_ROOT/p/ns/pid" ]
	run c run --rm --snapshotter native "${args[@]}" "$BUSYBOX" member /bin/sh -c "$PROBE"
	member_saw
}

@test "runc runs a bundle whose config takes inspect's oci namespaces, and joins the pod" {
	local bundle=$BATS_TEST_TMPDIR/bundle
	make_busybox_tar "$BATS_TEST_TMPDIR"
	mkdir -p "$bundle/rootfs"
	tar -C "$bundle/rootfs" -xf "$BATS_TEST_TMPDIR/busybox.tar"
	(cd "$bundle" && runc spec)
	# a mount namespace of its own; every other one the pod's
	pod inspect p | jq --arg probe "$PROBE" --slurpfile spec "$bundle/config.json" '
		. as $pod | $spec[0] | del(.hostname)
		| .process.terminal = false
		| .process.args = ["sh", "-c", $probe]
		| .linux.namespaces = [{ type: "mount" }] + $pod.oci.linux.namespaces
	' >"$bundle/config.new"
	mv "$bundle/config.new" "$bundle/config.json"
	jq -c '.linux.namespaces' "$bundle/config.json"
	run runc --root "$BATS_TEST_TMPDIR/runc" run --bundle "$bundle" pod-member
	member_saw
	runc --root "$BATS_TEST_TMPDIR/runc" delete -f pod-member 2>/dev/null || true
}
