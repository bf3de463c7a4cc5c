#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# The pause system suite. Runs against any build named by PAUSE (release,
# ASan+UBSan, later every architecture under qemu); each test asserts on
# what the kernel shows in /proc.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	pause_setup
}

teardown() {
	cleanup_pause
	valgrind_clean
}

# start_with_child COUNT PREFIX...: run "PREFIX... pause" in a process
# that first forks `orphan -S -w -n COUNT`, so pause (not PID 1) has a
# descendant making orphans. Once pause is parked, lets orphan go and
# returns when every orphan is made and waiting. Sets PAUSE_PID, MAKER.
start_with_child() {
	local count=$1 fifo=$BATS_TEST_TMPDIR/hold
	shift
	rm -f "$fifo" && mkfifo "$fifo"
	PAUSE_ERR=$BATS_TEST_TMPDIR/pause.err
	"$@" bash -c '"$1" -S -w -n "$2" <"$3" >"$4" 3>&- & shift 4; exec "$@"' \
		_ "$ORPHAN" "$count" "$fifo" "$BATS_TEST_TMPDIR/ready" \
		"${RUNNER[@]}" "$PAUSE" 2>"$PAUSE_ERR" 3>&- &
	NS_JOB=$!
	PAUSE_PID=$NS_JOB
	if [[ $1 == nsenter ]]; then
		wait_for 10 first_child "$NS_JOB" >/dev/null
		PAUSE_PID=$(first_child "$NS_JOB")
	fi
	wait_for 10 parked "$PAUSE_PID"
	# the maker opens the fifo before it stops: open our end first
	exec {HOLD_FD}>"$fifo"
	MAKER=$(first_child "$PAUSE_PID")
	wait_for 10 eval '[[ $(proc_state "$MAKER") == T ]]'
	kill -CONT "$MAKER"
	wait_for 60 grep -q '^ready' "$BATS_TEST_TMPDIR/ready"
}

@test "-v prints 'pause.c <version>' on stdout and exits 0" {
	run --separate-stderr "${RUNNER[@]}" "$PAUSE" -v
	[ "$status" -eq 0 ]
	[ "$output" = "pause.c $PAUSE_VERSION" ]
	[ -z "$stderr" ]
}

@test "-V and a -v among other arguments print the version too" {
	run --separate-stderr "${RUNNER[@]}" "$PAUSE" -V
	[ "$status" -eq 0 ]
	[ "$output" = "pause.c $PAUSE_VERSION" ]
	run --separate-stderr "${RUNNER[@]}" "$PAUSE" foo --bar -v baz
	[ "$status" -eq 0 ]
	[ "$output" = "pause.c $PAUSE_VERSION" ]
	[ -z "$stderr" ]
}

@test "arguments like -v but not -v are ignored, not taken as -v" {
	start_plain -vv -version v --v
	alive "$PAUSE_PID"
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
}

@test "--help prints usage on stdout and exits 0" {
	run --separate-stderr "${RUNNER[@]}" "$PAUSE" --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Usage: pause "* ]]
	[[ $output == *"-v, -V"* ]]
	[[ $output == *"Exit status"* ]]
	[ -z "$stderr" ]
}

@test "as PID 1: no warning, parked in rt_sigtimedwait with no timeout" {
	start_pid1
	local nr set timeout
	read -r nr set _ timeout _ <"/proc/$PAUSE_PID/syscall"
	[ "$nr" = "$NR_SIGWAIT" ]
	[ "$timeout" = 0x0 ]
	[ ! -s "$PAUSE_ERR" ]
}

@test "idle: no wake-ups over a one-second window" {
	start_pid1
	local before after
	before=$(grep ctxt_switches "/proc/$PAUSE_PID/status")
	sleep 1	# an observation window, not a wait for readiness
	after=$(grep ctxt_switches "/proc/$PAUSE_PID/status")
	[ "$before" = "$after" ]
}

@test "waits on every signal; INT, TERM, CHLD not ignored" {
	start_pid1
	local nr set _rest got want=0xffffffffffffffff sig ign
	read -r nr set _rest <"/proc/$PAUSE_PID/syscall"
	# the set rt_sigtimedwait was given, read from pause's memory
	got=0x$(dd if="/proc/$PAUSE_PID/mem" iflag=skip_bytes skip=$((set)) \
		bs=8 count=1 status=none | od -An -tx8 | tr -d ' ')
	# (fault signals too: a fault in pause itself is forced through by
	# the kernel; a user-sent SIGSEGV is just another signal)
	if ((EMULATED)); then
		# we read qemu's host-side copy: it keeps the two signals the
		# host libc reserves (32, 33) for itself, and maps the guest's
		# real-time signals past them
		want=$((want & ~(3 << 31)))
	fi
	printf 'wait set %x, want %x\n' "$got" "$want"
	((got == want))
	ign=$(sigmask "$PAUSE_PID" SigIgn)
	for sig in 2 15 17; do
		! has_sig "$ign" "$sig" || false
	done
}

@test "as PID 1: SIGTERM prints 'Shutting down, got signal: Terminated', exit 0" {
	start_pid1
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$PAUSE_ERR")" = "Shutting down, got signal: Terminated" ]
}

@test "as PID 1: SIGINT prints 'Shutting down, got signal: Interrupt', exit 0" {
	start_pid1
	stop_pause INT
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$PAUSE_ERR")" = "Shutting down, got signal: Interrupt" ]
}

@test "not PID 1: warns, keeps running, and SIGTERM/SIGINT still stop it with 0" {
	local sig text
	for sig in TERM INT; do
		start_plain
		alive "$PAUSE_PID"
		stop_pause "$sig"
		[ "$STATUS" -eq 0 ]
		text=Terminated
		[ "$sig" = INT ] && text=Interrupt
		run cat "$PAUSE_ERR"
		[ "${#lines[@]}" -eq $((2 + SUBREAPER_REFUSED)) ]
		[ "${lines[0]}" = "Warning: pause should be the first process" ]
		[ "${lines[-1]}" = "Shutting down, got signal: $text" ]
	done
}

@test "as PID 1: 10,000 orphans released at once leave 0 zombies" {
	start_pid1
	hold_orphans "$PAUSE_PID" -n 10000
	# every orphan was adopted by pause, not by anything else
	[ "$(count_children "$PAUSE_PID")" -eq 10000 ]
	release_orphans
	wait_for 120 no_children_of "$PAUSE_PID" || true
	echo "zombies left: $(zombies_of "$PAUSE_PID")"
	[ "$(zombies_of "$PAUSE_PID")" -eq 0 ]
	no_children_of "$PAUSE_PID"
	wait_for 10 parked "$PAUSE_PID"
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
}

@test "as PID 1: orphans exiting one by one over time are all reaped" {
	start_pid1
	hold_orphans "$PAUSE_PID" -n 200 -d 5
	release_orphans
	wait_for 60 no_children_of "$PAUSE_PID"
	alive "$PAUSE_PID"
}

@test "children that died before pause started are reaped at once" {
	PAUSE_ERR=$BATS_TEST_TMPDIR/pause.err
	"$ZOMBIE_EXEC" 5 "${RUNNER[@]}" "$PAUSE" 2>"$PAUSE_ERR" 3>&- &
	NS_JOB=$!
	PAUSE_PID=$!
	wait_for 10 parked "$PAUSE_PID"
	[ "$(zombies_of "$PAUSE_PID")" -eq 0 ]
	# and the check above can fail: the same zombies under a non-reaper
	"$ZOMBIE_EXEC" 5 sleep 60 3>&- &
	local sleeper=$!
	wait_for 10 eval '[[ $(zombies_of "$sleeper") -eq 5 ]]'
	kill "$sleeper"
}

@test "as PID 1: other signals sent from inside its namespace do not kill it" {
	start_pid1
	local sig
	for sig in HUP QUIT USR1 USR2 ALRM PIPE CONT TSTP TTIN TTOU WINCH URG \
	    VTALRM PROF IO PWR STKFLT SEGV ABRT BUS FPE ILL TRAP SYS 34 39 64; do
		nsenter -t "$PAUSE_PID" -p -- kill -s "$sig" 1
		wait_for 10 nothing_pending "$PAUSE_PID"
		alive "$PAUSE_PID"
		[ "$(proc_state "$PAUSE_PID")" = S ]
	done
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$PAUSE_ERR")" = "Shutting down, got signal: Terminated" ]
}

@test "not PID 1: HUP, QUIT, USR1 and friends do not kill it either" {
	start_plain
	local sig
	for sig in HUP QUIT USR1 USR2 ALRM PIPE TSTP SEGV ABRT 37; do
		kill -s "$sig" "$PAUSE_PID"
		wait_for 10 nothing_pending "$PAUSE_PID"
		alive "$PAUSE_PID"
	done
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
}

@test "not PID 1: a child subreaper that adopts and reaps its descendants' orphans" {
	# inside a namespace whose PID 1 is another pause, so that orphans
	# that do not come to the pause under test still get reaped
	start_pid1
	local outer=$PAUSE_PID outer_job=$NS_JOB
	start_with_child 100 nsenter -t "$outer" -p --
	run cat "$PAUSE_ERR"
	if ((SUBREAPER_REFUSED)); then
		# qemu-user: the kernel is never asked; pause says so and goes on
		[ "${lines[1]}" = "pause: warning: cannot become a child subreaper: Invalid argument" ]
		[ "$(count_children "$PAUSE_PID")" -eq 1 ]	# only the maker
		[ "$(count_children "$outer")" -ge 100 ]
	else
		[ "${#lines[@]}" -eq 1 ]
		# the orphans of pause's child came to pause, not to PID 1
		[ "$(count_children "$PAUSE_PID")" -eq 101 ]	# 100 + maker
		[ "$(count_children "$outer")" -eq 0 ]	# nothing went to PID 1
	fi
	[ "${lines[0]}" = "Warning: pause should be the first process" ]
	exec {HOLD_FD}>&-
	wait_for 60 no_children_of "$PAUSE_PID"
	[ "$(zombies_of "$PAUSE_PID")" -eq 0 ]
	alive "$PAUSE_PID"
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
	PAUSE_PID=$outer NS_JOB=$outer_job
	wait_for 60 no_zombies_of "$outer"
}

@test "not PID 1, subreaper refused: warns once, goes on, orphans go to the real init" {
	# an outer pause is PID 1 of a namespace; inside it the pause under
	# test runs as PID 2 with prctl(PR_SET_CHILD_SUBREAPER) refused
	start_pid1
	local outer=$PAUSE_PID outer_job=$NS_JOB
	start_with_child 20 nsenter -t "$outer" -p -- \
		"$FAILSYS" prctl:36=EINVAL --
	[ "$(count_children "$outer")" -ge 20 ]	# adopted by PID 1
	[ "$(count_children "$PAUSE_PID")" -eq 1 ]	# only the maker
	run cat "$PAUSE_ERR"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "Warning: pause should be the first process" ]
	[ "${lines[1]}" = "pause: warning: cannot become a child subreaper: Invalid argument" ]
	exec {HOLD_FD}>&-
	wait_for 60 no_children_of "$PAUSE_PID"
	alive "$PAUSE_PID"
	stop_pause TERM
	[ "$STATUS" -eq 0 ]
	PAUSE_PID=$outer NS_JOB=$outer_job
	wait_for 60 eval '[[ $(count_children "$outer") -eq 0 ]]'
	stop_pause TERM
}

# A seccomp filter on rt_sigaction or rt_sigprocmask also hits valgrind's
# own start-up, so the valgrind tier leaves these out (tests/run says so).
# bats test_tags=seccomp
@test "exit 1, 2, 3 when handling of INT, TERM, CHLD cannot be installed" {
	local sig name code
	for sig in 2:SIGINT:1 15:SIGTERM:2 17:SIGCHLD:3; do
		IFS=: read -r sig name code <<<"$sig"
		run --separate-stderr timeout 60 "$FAILSYS" "rt_sigaction:$sig=EPERM" -- \
			"${RUNNER[@]}" "$PAUSE"
		echo "$name: status $status, stderr: $stderr"
		[ "$status" -eq "$code" ]
		[[ $stderr == *"pause: cannot install handling for $name: Operation not permitted" ]]
	done
}

# qemu-user keeps the guest's signal mask itself and never asks the
# kernel, so this error path cannot be reached under emulation either.
# bats test_tags=seccomp,seccomp-mask
@test "exit 1 when the signals cannot be blocked" {
	# LeakSanitizer blocks signals at exit too: the filter would fail it
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr \
		timeout 60 "$FAILSYS" rt_sigprocmask:0=EPERM -- \
		"${RUNNER[@]}" "$PAUSE"
	[ "$status" -eq 1 ]
	[[ $stderr == *"pause: cannot block signals: Operation not permitted" ]]
}
