# Shared setup for the pod tests. Every test gets its own state root, and
# teardown proves the test left nothing: no pod, no pin in mountinfo, no
# pause from it still running.
#
# POD names the pod binary under test (default: the release build);
# pause is always bin/pause.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
POD=${POD:-$ROOT/bin/pod}
PAUSE=$ROOT/bin/pause
ORPHAN=$ROOT/bin/orphan
FAULTS=$ROOT/bin/test/pod-faults

# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"

pod_setup() {
	export POD_ROOT=$BATS_TEST_TMPDIR/root
}

# pod ARGS...: the binary under test; create always takes our pause.
pod() {
	if [[ ${1:-} == create ]]; then
		shift
		"$POD" create --pause "$PAUSE" "$@"
	else
		"$POD" "$@"
	fi
}

# Lines of this test's mountinfo entries under its state root.
mounts_under_root() {
	grep -cF " $POD_ROOT/" /proc/self/mountinfo || true
}

# pauses started from this test's root: their stderr is a log under it
pauses_of_root() {
	local pid n=0
	for pid in $(pgrep -x pause); do
		[[ $(readlink "/proc/$pid/fd/2" 2>/dev/null) == "$POD_ROOT"/* ]] && n=$((n + 1))
	done
	echo "$n"
}

# status_is NAME STATUS: pod inspect says STATUS (read anew each call,
# so wait_for can poll it)
status_is() {
	[[ $(state_field "$1" status) == "$2" ]]
}

# state_field NAME FIELD: one field of pod inspect.
state_field() {
	pod inspect "$1" | jq -r ".$2"
}

# The test must leave a clean machine behind: rm -f every pod, then fail
# if a pin, a pod directory or a pause survived.
pod_teardown() {
	local name
	[[ -d $POD_ROOT ]] || return 0
	for name in $(ls "$POD_ROOT"); do
		"$POD" rm -f "$name" || true
	done
	wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
	[[ $(mounts_under_root) == 0 ]]
	[[ -z $(ls -A "$POD_ROOT") ]]
}

# listening_in NAME PORT: true once a TCP socket listens on PORT in the
# pod's network namespace (read through its pin, as any tool would).
listening_in() {
	local hex
	hex=$(printf ':%04X ' "$2")
	nsenter --net="$POD_ROOT/$1/ns/net" cat /proc/net/tcp |
		awk -v p="$hex" 'index($2 " ", p) && $4 == "0A" { f = 1 } END { exit !f }'
}
