#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# The sandbox image as the kubelet uses it: a private containerd with its
# CRI plugin (runtime.v1 over gRPC), driven by scripts/cri-check. Each test
# starts its own containerd and proves that nothing of it is left.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"

CHECK=$ROOT/scripts/cri-check
OCIIMAGE=$ROOT/scripts/cri/ociimage.py

setup_file() {
	export REF
	REF=$(archive_ref "$ROOT/bin/pause-oci.tar")
}

# cri SANDBOX_IMAGE: a private CRI containerd holding our image
cri() {
	start_cri_containerd "$BATS_TEST_TMPDIR/cri" "$1"
	cri_ctr images import --snapshotter native "$ROOT/bin/pause-oci.tar" >/dev/null
}

# an image named REF whose sandbox process is busybox ENTRYPOINT..., with
# /pause a copy of busybox: it is not this project's pause
foreign_image() {
	local ref=$1 entrypoint=$2
	/usr/bin/python3 "$OCIIMAGE" "$BATS_TEST_TMPDIR/foreign.tar" "$ref" bin/ \
		pause=/bin/busybox bin/sleep@/pause --entrypoint "$entrypoint" --user 65535:65535
	cri_ctr images import --snapshotter native "$BATS_TEST_TMPDIR/foreign.tar" >/dev/null
}

# nothing of the CRI run is left: no container, shim, pause, bridge lease
nothing_left() {
	[ -z "$(cri_ctr containers ls -q)" ]
	[ -z "$(cri_ctr images ls -q | grep cri-check-busybox || true)" ]
	! pgrep -f "containerd-shim-runc-v2 -namespace k8s.io .*-address $CRI_DIR/" || false
	[ -z "$(find "$CRI_DIR/leases" -name '10.*' 2>/dev/null)" ]
	[ "$(grep -c " $CRI_DIR/state/" /proc/self/mountinfo)" -eq 0 ]
}

teardown() {
	stop_cri_containerd
}

@test "cri-check: our image passes every check through the CRI (network POD), and nothing is left" {
	cri "$REF"
	run "$CHECK" --socket "$CRI_SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 6 ]
	[ "${lines[-1]}" = 1..6 ]
	grep -q "^ok 3 - .*READY.*ip 10\.89\.7\." <<<"$output"
	grep -q "^ok 4 - .*uid 65535, PID 1" <<<"$output"
	grep -q "^ok 5 - .*1000 orphans left 0 zombies" <<<"$output"
	nothing_left
	# and --image naming the image the runtime uses
	run "$CHECK" --socket "$CRI_SOCK" --image "$REF"
	[ "$status" -eq 0 ]
}

@test "cri-check: a host-network sandbox (network NODE) passes too" {
	cri "$REF"
	run "$CHECK" --socket "$CRI_SOCK" --network node
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^ok 3 - RunPodSandbox (pid POD, network NODE) is READY" <<<"$output"
	nothing_left
}

@test "cri-check: a sandbox image that is not ours fails checks 4 and 5, and everything is removed" {
	cri localhost/not-ours:1
	foreign_image localhost/not-ours:1 '["/bin/sleep", "1000000"]'
	run "$CHECK" --socket "$CRI_SOCK"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL 4 - the sandbox process is this project's pause: the image's /pause is not this project's pause" <<<"$output"
	grep -q "^FAIL 5 - members share the sandbox: a member sees '/bin/sleep' as PID 1, not /pause" <<<"$output"
	grep -q "^ok 6 - " <<<"$output"
	nothing_left
}

@test "cri-check: a sandbox that cannot start fails check 3; a missing image fails check 2" {
	cri localhost/broken:1
	foreign_image localhost/broken:1 '["/no/such/binary"]'
	run "$CHECK" --socket "$CRI_SOCK"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL 3 - RunPodSandbox" <<<"$output"
	[ "${lines[-1]}" = 1..3 ]
	nothing_left
	stop_cri_containerd
	cri localhost/pause:no-such-version
	run "$CHECK" --socket "$CRI_SOCK"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL 2 - .*image localhost/pause:no-such-version is not in the runtime's store" <<<"$output"
	nothing_left
}

@test "cri-check: a socket that does not answer, or is missing, and --image the runtime does not use: one line, exit 1" {
	local sock=$BATS_TEST_TMPDIR/silent.sock
	/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(60)' "$sock" &
	local listener=$!
	wait_for 10 test -S "$sock"
	run "$CHECK" --socket "$sock"
	kill "$listener"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "FAIL 1 - the runtime answers Version and Status, ready: no answer on $sock in 10 s (DEADLINE_EXCEEDED: Deadline Exceeded)" ]
	run --separate-stderr "$CHECK" --socket "$BATS_TEST_TMPDIR/none.sock"
	[ "$status" -eq 1 ]
	[ "$stderr" = "cri-check: cannot reach CRI socket $BATS_TEST_TMPDIR/none.sock: no such file" ]
	cri "$REF"
	run "$CHECK" --socket "$CRI_SOCK" --image localhost/pause:other
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "FAIL 1 - the runtime answers Version and Status, ready: the runtime's sandbox image is $REF, not localhost/pause:other" ]
	nothing_left
}
