# Process state from /proc, shared by the tests and the demo. Sourced,
# not run. Every function reads what the kernel shows, and waiting is
# done for conditions, never for fixed times.

# The system call pause sleeps in: rt_sigtimedwait, as this kernel numbers it.
NR_SIGWAIT=$(printf '#include <asm/unistd.h>\n__NR_rt_sigtimedwait\n' |
	cpp -P - 2>/dev/null | tail -n 1)

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; fail loudly.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if ((SECONDS >= deadline)); then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.01
	done
}

# The first child of PID, or nothing.
first_child() {
	local kids=
	# the file has no trailing newline, so read "fails" at EOF
	read -r kids _ 2>/dev/null <"/proc/$1/task/$1/children"
	[[ -n $kids ]] && echo "$kids"
}

# True once PID sits in its idle wait: blocked in rt_sigtimedwait. (Its
# SigBlk cannot tell: the kernel unblocks the waited-for set while it waits.)
parked() {
	local nr
	read -r nr _ 2>/dev/null <"/proc/$1/syscall" && [[ $nr == "$NR_SIGWAIT" ]]
}

alive() {
	local state
	state=$(proc_state "$1") && [[ $state != Z && $state != X ]]
}

# Field 3 (state) of /proc/PID/stat.
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

# count_children PPID [STATE]: processes whose parent is PPID, optionally
# only those in STATE (Z for zombies), straight from /proc/*/stat.
count_children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" -v s="${2:-}" '
		{ sub(/^.*\) /, "") }
		$2 == p && (s == "" || $1 == s) { n++ }
		END { print n + 0 }'
}

zombies_of() { count_children "$1" Z; }

no_zombies_of() { [[ $(zombies_of "$1") == 0 ]]; }

no_children_of() { [[ $(count_children "$1") == 0 ]]; }

# tcp_listening NETNS PORT: true once a TCP socket listens on PORT in the
# network namespace at NETNS (a pin or /proc/PID/ns/net).
tcp_listening() {
	nsenter --net="$1" cat /proc/net/tcp |
		awk -v p="$(printf ':%04X' "$2")" '$2 ~ p "$" && $4 == "0A" { f = 1 } END { exit !f }'
}

# Bits of a signal mask from /proc/PID/status (SigBlk, SigIgn, ShdPnd...).
sigmask() {
	awk -v f="$2:" '$1 == f { print "0x" $2 }' "/proc/$1/status"
}

has_sig() { (( ($1 >> ($2 - 1)) & 1 )); }

# True when no signal is pending for PID (thread or process queue).
nothing_pending() {
	local pnd shd
	pnd=$(sigmask "$1" SigPnd) && shd=$(sigmask "$1" ShdPnd) &&
		((pnd == 0 && shd == 0))
}

