#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# Robustness at scale: hundreds of pods on pod's own default network
# (bridge pod0, 10.87.0.0/16), made and removed, and nothing left: no
# lease, veth, iptables rule, record, pin, cgroup or pause.

load helpers
bats_require_minimum_version 1.5.0

PODS=${SCALE_PODS:-300}
LEASES=/var/lib/cni/networks/pod

setup() {
	pod_setup
	CONF=$BATS_TEST_TMPDIR/net.d
	had_pod0=0
	ip link show pod0 >/dev/null 2>&1 && had_pod0=1
	had_leases=0
	[[ -d $LEASES ]] && had_leases=1
}

teardown() {
	pod_teardown
	[[ $had_pod0 == 1 ]] || ip link del pod0 2>/dev/null || true
	[[ $had_leases == 1 ]] || rm -rf "$LEASES"
}

# what the default network holds on the host: veths on pod0, leases, and
# the iptables lines and chains the bridge and portmap plugins made for
# a container of network "pod" (their comments name it)
footprint() {
	echo "veths $(veths_on pod0)"
	echo "leases $(leases)"
	echo "rules $(iptables-save | grep -c 'name: \\"pod\\" id: \\"' || true)"
	echo "chains $(iptables-save | grep -cE '^:CNI-[0-9a-f]{24} ' || true)"
}

@test "$PODS pods on the default network: each its own address; all removed, nothing left" {
	before=$(footprint)
	for ((i = 1; i <= PODS; i++)); do
		pod create --network cni --cni-conf-dir "$CONF" "s$i" ||
			{ echo "create s$i failed"; false; }
	done
	[[ $(jq -r .name "$CONF/10-pod.conflist") == pod ]]
	# every pod running, on its own address in 10.87.0.0/16, a veth each
	run pod ls --format json
	[ "$status" -eq 0 ]
	[[ $(jq '[.[] | select(.status == "running")] | length' <<<"$output") == "$PODS" ]]
	[[ $(jq '[.[].ip] | unique | length' <<<"$output") == "$PODS" ]]
	[[ $(jq '[.[].ip | select(startswith("10.87."))] | length' <<<"$output") == "$PODS" ]]
	[[ $(veths_on pod0) == $((PODS + $(sed -n 's/^veths //p' <<<"$before"))) ]]
	[[ $(records) == "$PODS" ]]
	[[ $(pauses_of_root) == "$PODS" ]]
	for ((i = 1; i <= PODS; i++)); do
		pod rm -f "s$i" >/dev/null || { echo "rm s$i failed"; false; }
	done
	# the host is as it was: no veth, lease, rule or chain of these pods
	diff <(echo "$before") <(footprint)
	[[ -z $(ls -A "$POD_ROOT") ]]
	[[ $(records) == 0 ]]
	[[ $(mounts_under_root) == 0 ]]
	wait_for 10 eval '[[ $(pauses_of_root) == 0 ]]'
}
