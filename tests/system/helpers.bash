# shellcheck disable=SC2034  # its variables are for the .bats files that load it
# Shared helpers for the system tests. They read kernel state from /proc
# and wait for conditions, never for fixed times.
#
# PAUSE names the pause binary under test (default: the release build).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PAUSE=${PAUSE:-$ROOT/bin/pause}
ORPHAN=$ROOT/bin/orphan
FAILSYS=$ROOT/bin/test/failsys
ZOMBIE_EXEC=$ROOT/bin/test/zombie-exec
# Wrapper for foreign binaries (qemu-user) or valgrind, empty when native.
PAUSE_RUNNER=${PAUSE_RUNNER:-}
# Under qemu-user emulation, prctl(PR_SET_CHILD_SUBREAPER) fails with
# EINVAL (qemu does not pass it to the kernel): tests expect pause to warn
# and go on, and check that orphans then go to PID 1 instead.
EMULATED=0
[[ $PAUSE_RUNNER == qemu-* ]] && EMULATED=1
# the same as an array: empty, or the runner's one word
read -ra RUNNER <<<"$PAUSE_RUNNER"
SUBREAPER_REFUSED=$EMULATED

# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"

# start_pid1 [ARGS...]: pause as PID 1 of a new PID namespace. Sets
# NS_JOB (the unshare process), PAUSE_PID (host pid of pause), PAUSE_ERR.
start_pid1() {
	PAUSE_ERR=$BATS_TEST_TMPDIR/pause.err
	unshare --pid --fork --mount-proc -- "${RUNNER[@]}" "$PAUSE" "$@" \
		2>"$PAUSE_ERR" 3>&- &
	NS_JOB=$!
	wait_for 10 first_child "$NS_JOB" >/dev/null
	PAUSE_PID=$(first_child "$NS_JOB")
	wait_for 10 parked "$PAUSE_PID"
}

# start_plain [ARGS...]: pause as an ordinary child of the test. Sets
# NS_JOB and PAUSE_PID to its pid, PAUSE_ERR.
start_plain() {
	PAUSE_ERR=$BATS_TEST_TMPDIR/pause.err
	"${RUNNER[@]}" "$PAUSE" "$@" 2>"$PAUSE_ERR" 3>&- &
	NS_JOB=$!
	PAUSE_PID=$!
	wait_for 10 parked "$PAUSE_PID"
}

# exe_is PID NAME: PID runs a program whose file is named NAME.
exe_is() { [[ $(readlink "/proc/$1/exe" 2>/dev/null) == */"$2" ]]; }

# proc_state_is PID STATE: /proc/PID/stat's state letter is STATE.
proc_state_is() { [[ $(proc_state "$1") == "$2" ]]; }

# Per-test setup shared by the suites: the expected version, and with
# PAUSE_VALGRIND=1 every pause under valgrind, one log per process.
pause_setup() {
	PAUSE_VERSION=${PAUSE_VERSION:-$(make -s -C "$ROOT" print-VERSION)}
	if [[ ${PAUSE_VALGRIND:-0} == 1 ]]; then
		PAUSE_RUNNER="valgrind -q --error-exitcode=99 --log-file=$BATS_TEST_TMPDIR/vg.%p.log"
	fi
}

# wait_pause: wait for the job that runs pause; sets STATUS.
wait_pause() {
	STATUS=0
	wait "$NS_JOB" || STATUS=$?
	NS_JOB=
}

# stop_pause SIGNAL: send it, wait for the job; sets STATUS.
stop_pause() {
	kill -s "$1" "$PAUSE_PID"
	wait_pause
}

# hold_orphans TARGET_PID ARGS...: run orphan -w in TARGET_PID's PID
# namespace (or as a plain child when TARGET_PID is "here") and return once
# every orphan is adopted and waiting. release_orphans lets them all exit.
hold_orphans() {
	local target=$1 fifo=$BATS_TEST_TMPDIR/hold
	shift
	rm -f "$fifo" && mkfifo "$fifo"
	if [[ $target == here ]]; then
		"$ORPHAN" -w "$@" <"$fifo" >"$BATS_TEST_TMPDIR/ready" 3>&- &
	else
		nsenter -t "$target" -p -- "$ORPHAN" -w "$@" \
			<"$fifo" >"$BATS_TEST_TMPDIR/ready" 3>&- &
	fi
	ORPHAN_JOB=$!
	exec {HOLD_FD}>"$fifo"
	wait_for 120 grep -q '^ready' "$BATS_TEST_TMPDIR/ready"
}

release_orphans() {
	exec {HOLD_FD}>&-
	wait "$ORPHAN_JOB"
}

# Kill whatever a failed test left behind.
cleanup_pause() {
	if [[ -n ${HOLD_FD:-} ]]; then exec {HOLD_FD}>&-; fi
	local pid
	for pid in ${PAUSE_PID:-} ${NS_JOB:+$(first_child "$NS_JOB")} ${NS_JOB:-}; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [[ -n ${NS_JOB:-} ]]; then wait "$NS_JOB" 2>/dev/null || true; fi
	if [[ -n ${ORPHAN_JOB:-} ]]; then wait "$ORPHAN_JOB" 2>/dev/null || true; fi
}

# Under valgrind, every log must be empty (-q prints only errors).
valgrind_clean() {
	local log
	for log in "$BATS_TEST_TMPDIR"/vg.*.log; do
		[[ -e $log ]] || continue
		if [[ -s $log ]]; then
			echo "valgrind reported errors in $log:"
			cat "$log"
			return 1
		fi
	done
}
