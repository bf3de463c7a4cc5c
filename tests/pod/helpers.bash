# shellcheck disable=SC2034  # its variables are for the .bats files that load it
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
	export POD_DATA_DIR=$BATS_TEST_TMPDIR/data
	cgroup_parent_setup
}

# records left in the data directory (a network some pod still holds)
records() {
	local f n=0
	for f in "$POD_DATA_DIR"/cni/*.json; do
		[[ -e $f ]] && n=$((n + 1))
	done
	echo "$n"
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
	local dir
	[[ -d $POD_ROOT ]] || { cgroup_parent_teardown; return; }
	for dir in "$POD_ROOT"/*; do
		[[ -e $dir ]] && { "$POD" rm -f "${dir##*/}" || true; }
	done
	wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
	[[ $(mounts_under_root) == 0 ]]
	[[ -z $(ls -A "$POD_ROOT") ]]
	[[ $(records) == 0 ]]
	cgroup_parent_teardown
}

# listening_in NAME PORT: true once a TCP socket listens on PORT in the
# pod's network namespace (read through its pin, as any tool would).
listening_in() {
	tcp_listening "$POD_ROOT/$1/ns/net" "$2"
}

# ---- CNI: each test its own conflist, bridge, subnet and host port ----

# net_setup PREFIX OCTET: network and bridge PREFIX<test number>, subnet
# 10.OCTET.<test number>.0/24, a conflist in CONF (bridge, host-local,
# portmap), a random HOSTPORT.
net_setup() {
	NET=$1$BATS_TEST_NUMBER
	BRIDGE=$NET
	SUBNET=10.$2.$BATS_TEST_NUMBER
	CONF=$BATS_TEST_TMPDIR/net.d
	LEASES=/var/lib/cni/networks/$NET
	HOSTPORT=$((20000 + RANDOM % 20000))
	mkdir -p "$CONF"
	write_conflist "$NET" '{ "type": "portmap", "capabilities": { "portMappings": true } }'
}

# Fails if a veth on the test's bridge, a lease or a rule for its port is
# left; then removes the bridge and the lease directory.
net_teardown() {
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ $(leases) == 0 ]]
	! iptables-save | grep -qE -- "--dport $HOSTPORT\b" || false
	ip link del "$BRIDGE" 2>/dev/null || true
	rm -rf "$LEASES"
}

# write_conflist NAME [PLUGIN...]: bridge + host-local, then PLUGINs
write_conflist() {
	local name=$1 extra='' plugin
	shift
	for plugin in "$@"; do extra+=", $plugin"; done
	cat >"$CONF/50-$name.conflist" <<-EOF
		{ "cniVersion": "1.0.0", "name": "$name", "plugins": [
		  { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true,
		    "hairpinMode": true,
		    "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$SUBNET.0/24" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }] } }$extra ] }
	EOF
}

veths_on() { ip -o link show master "$1" 2>/dev/null | grep -c . || true; }
# host-local's lease files are named by address
leases() {
	local f n=0
	for f in "$LEASES"/[0-9]*; do
		[[ -e $f ]] && n=$((n + 1))
	done
	echo "$n"
}

# table_options FILE: the long names in FILE's option tables (struct opt
# arrays), one per line, in table order.
table_options() {
	awk '/^static const struct opt [a-z_]+\[\] = \{/ { on = 1 }
	on {
		line = $0
		while (match(line, /\{ "[a-z][a-z-]*", /)) {
			print substr(line, RSTART + 3, RLENGTH - 6)
			line = substr(line, RSTART + RLENGTH)
		}
		if (index($0, "CLI_CNI_TIMEOUT("))	# cli.h'"'"'s shared row
			print "cni-timeout"
	}
	on && /\};/ { on = 0 }' "$1"
}

# options_without_help FILE HELP: every option in FILE's tables that the
# help text HELP does not show as --NAME, one per line.
options_without_help() {
	local opt
	while read -r opt; do
		grep -qE -- "(^|[ ,])--$opt( |\$)" <<<"$2" || echo "--$opt"
	done < <(table_options "$1")
}

# The directories of this shell's own cgroups, one per hierarchy (v1
# controllers, named v1 hierarchies, the v2 one), from /proc/self/cgroup
# and mountinfo.
own_cgroup_dirs() {
	local id ctrls path want mnt
	while IFS=: read -r id ctrls path; do
		want=${ctrls%%,*}
		mnt=$(awk -v want="$want" '{
			split($0, half, " - "); split(half[2], f, " ")
			if (want == "" && f[1] == "cgroup2") { print $5; exit }
			if (want != "" && f[1] == "cgroup" && ("," f[3] ",") ~ ("," want ",")) { print $5; exit }
		}' /proc/self/mountinfo)
		[[ -n $mnt ]] && echo "$mnt${path%/}"
	done </proc/self/cgroup
}

# A cgroup parent for this test's pods inside the test's own cgroup, never
# at the machine's root: POD_CGROUP_PARENT, a relative path, which pod
# resolves from its own cgroup (the test's) in each hierarchy.
cgroup_parent_setup() {
	local dir
	export POD_CGROUP_PARENT=pod-test-$$-${BATS_TEST_NUMBER:-0}
	for dir in $(own_cgroup_dirs); do
		mkdir -p "$dir/$POD_CGROUP_PARENT"
	done
}

# Fails if a pod's cgroup is left under the test's parent; removes it.
cgroup_parent_teardown() {
	local dir rc=0
	[[ -n ${POD_CGROUP_PARENT:-} ]] || return 0
	for dir in $(own_cgroup_dirs); do
		[[ -d $dir/$POD_CGROUP_PARENT ]] || continue
		if compgen -G "$dir/$POD_CGROUP_PARENT/pod-*" >/dev/null; then
			echo "cgroups left: $(echo "$dir/$POD_CGROUP_PARENT"/pod-*)" >&2
			rc=1
			rmdir "$dir/$POD_CGROUP_PARENT"/pod-*/* "$dir/$POD_CGROUP_PARENT"/pod-* 2>/dev/null
		fi
		rmdir "$dir/$POD_CGROUP_PARENT" || rc=1
	done
	return "$rc"
}
