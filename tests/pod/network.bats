#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# pod networking through Debian's CNI plugins (bridge, host-local,
# portmap). Each test has its own conflist, bridge and subnet, and its
# teardown proves that no veth, lease or iptables rule of it survives.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	pod_setup
	net_setup podn 123
	mkdir -p "$BATS_TEST_TMPDIR/site"
	echo "page from pod" >"$BATS_TEST_TMPDIR/site/index.html"
}

teardown() {
	pod_teardown
	net_teardown
}

pod_ip() { pod inspect "$1" | jq -r '.network.ips[0] | split("/")[0]'; }
get() { curl -s -m 5 "$1"; }

# serve NAME PORT: a web server on PORT in the pod, ready when it listens
serve() {
	pod run -d "$1" -- python3 -m http.server --directory "$BATS_TEST_TMPDIR/site" "$2"
	wait_for 20 listening_in "$1" "$2"
}

@test "a published port answers on the host's 127.0.0.1 and the pod's IP; rm removes it all" {
	run pod create --network "cni:$NET" --cni-conf-dir "$CONF" -p "$HOSTPORT:80" p1
	[ "$status" -eq 0 ]
	ip=$(pod_ip p1)
	[[ $ip == $SUBNET.* ]]
	serve p1 80
	[[ $(get "http://127.0.0.1:$HOSTPORT/") == "page from pod" ]]
	[[ $(get "http://$ip/") == "page from pod" ]]
	# what the kernel and the plugins hold for it
	[[ $(veths_on "$BRIDGE") == 1 ]]
	[[ -f $LEASES/$ip ]]
	iptables-save | grep -qE -- "--dport $HOSTPORT\b"
	[[ $(pod run p1 -- cat /sys/class/net/eth0/operstate) == up ]]
	# inspect and ls show it
	[[ $(pod inspect p1 | jq -c '.network.ports') == "[{\"host\":$HOSTPORT,\"pod\":80,\"protocol\":\"tcp\"}]" ]]
	[[ $(pod inspect p1 | jq -r '.network.result.cniVersion') == 1.0.0 ]]
	pod ls | grep -qE "^p1 +running +[0-9]+ +$ip "
	[[ $(pod ls --format json | jq -r '.[] | select(.name == "p1") | .ip') == "$ip" ]]
	run pod rm -f p1
	[ "$status" -eq 0 ]
	run get "http://127.0.0.1:$HOSTPORT/"
	[ "$status" -ne 0 ]
	! iptables-save | grep -qE -- "--dport $HOSTPORT\b" || false
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ ! -e $LEASES/$ip ]]
}

@test "two pods on the bridge reach each other" {
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" p1
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" p2
	ip1=$(pod_ip p1)
	ip2=$(pod_ip p2)
	[[ $ip1 != "$ip2" ]]
	serve p1 8000
	run pod run p2 -- curl -s -m 5 "http://$ip1:8000/"
	[ "$status" -eq 0 ]
	[ "$output" = "page from pod" ]
	[[ $(veths_on "$BRIDGE") == 2 ]]
	[[ $(leases) == 2 ]]
}

@test "udp ports are published too" {
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" -p "$HOSTPORT:53/udp" p1
	iptables-save | grep -E -- "-p udp .*--dport $HOSTPORT\b"
}

@test "a broken conflist fails create before anything is made" {
	echo '{ "cniVersion": "1.0.0", "name": "broken", "plugins": [' >"$CONF/60-broken.conflist"
	run pod create --network cni:broken --cni-conf-dir "$CONF" p1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "pod: cannot use CNI conflist $CONF/60-broken.conflist: "* ]]
	[ ! -e "$POD_ROOT/p1" ]
	# a broken file is reported whichever network was asked for: it may be it
	run pod create --network cni:nosuch --cni-conf-dir "$CONF" p1
	[[ $output == "pod: cannot use CNI conflist $CONF/60-broken.conflist: "* ]]
	rm "$CONF/60-broken.conflist"
	run pod create --network cni:nosuch --cni-conf-dir "$CONF" p1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot find CNI network nosuch: no conflist in $CONF has that name" ]
	[ ! -e "$POD_ROOT/p1" ]
}

@test "a failing plugin: its message in one line, and the plugins before it undone" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/failer" <<-'EOF'
		#!/bin/sh
		cat >/dev/null
		[ "$CNI_COMMAND" = ADD ] || exit 0
		printf '{"cniVersion":"1.0.0","code":11,"msg":"boom from plugin","details":"two\\nlines"}\n'
		exit 1
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/failer"
	write_conflist "$NET" '{ "type": "portmap", "capabilities": { "portMappings": true } }' \
		'{ "type": "failer" }'
	CNI_PATH=$BATS_TEST_TMPDIR/bin:/usr/lib/cni run pod create --network "cni:$NET" \
		--cni-conf-dir "$CONF" -p "$HOSTPORT:80" p1
	[ "$status" -eq 1 ]
	[ "$output" = "pod: cannot add network $NET to pod p1: plugin failer: boom from plugin: two lines" ]
	# bridge and portmap succeeded first: DEL undid both
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ $(leases) == 0 ]]
	! iptables-save | grep -qE -- "--dport $HOSTPORT\b" || false
	[ ! -e "$POD_ROOT/p1" ]
	[[ $(mounts_under_root) == 0 ]]
	[[ $(pauses_of_root) == 0 ]]
	# a plugin that is not there
	write_conflist "$NET" '{ "type": "nosuch" }'
	run pod create --network "cni:$NET" --cni-conf-dir "$CONF" p1
	[ "$status" -eq 1 ]
	[[ $output == "pod: cannot add network $NET to pod p1: plugin nosuch: not found in CNI_PATH ("* ]]
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ $(leases) == 0 ]]
}

@test "a failure at any create step with CNI leaves no veth, lease, rule or pin" {
	steps=$(POD_FAULT=list "$FAULTS" create --pause "$PAUSE" --network "cni:$NET" \
		--cni-conf-dir "$CONF" -p "$HOSTPORT:80" probe 2>&1 >/dev/null | sed -n 's/^fault: //p')
	"$FAULTS" rm -f probe
	grep -qx cni <<<"$steps"
	for step in $steps; do
		run env POD_FAULT="$step" "$FAULTS" create --pause "$PAUSE" --network "cni:$NET" \
			--cni-conf-dir "$CONF" -p "$HOSTPORT:80" f1
		echo "step $step: $status $output"
		[ "$status" -eq 1 ]
		[[ $output == "pod: cannot "*": Operation canceled" ]]
		[ ! -e "$POD_ROOT/f1" ]
		[[ $(veths_on "$BRIDGE") == 0 ]]
		[[ $(leases) == 0 ]]
		! iptables-save | grep -qE -- "--dport $HOSTPORT\b" || false
		[[ $(mounts_under_root) == 0 ]]
	done
}

@test "gc of a pod whose pause was killed runs DEL while the pin holds the namespace" {
	pod create --network "cni:$NET" --cni-conf-dir "$CONF" -p "$HOSTPORT:80" p1
	ip=$(pod_ip p1)
	kill -KILL "$(state_field p1 pid)"
	wait_for 10 status_is p1 exited
	[[ $(veths_on "$BRIDGE") == 1 ]]	# the pin keeps the netns, and its veth
	run pod gc
	[ "$status" -eq 0 ]
	[ "$output" = p1 ]
	[[ $(veths_on "$BRIDGE") == 0 ]]
	[[ ! -e $LEASES/$ip ]]
}

@test "--network none has only lo; host shares the host's; -p needs cni" {
	pod create p1
	[[ $(pod run p1 -- ls /sys/class/net) == lo ]]
	[[ $(pod inspect p1 | jq -r .network.mode) == none ]]
	pod create --network host p2
	pid=$(state_field p2 pid)
	[[ $(readlink "/proc/$pid/ns/net") == "$(readlink /proc/self/ns/net)" ]]
	[[ ! -e $POD_ROOT/p2/ns/net ]]
	[[ $(pod inspect p2 | jq -r '.share | join(",")') == ipc,uts,pid ]]
	run pod create -p 8080:80 p3
	[ "$status" -eq 2 ]
	run pod create --network host --share net,pid p3
	[ "$status" -eq 2 ]
	run pod create --network cni --share ipc p3
	[ "$status" -eq 2 ]
	run pod create --network bogus p3
	[ "$status" -eq 2 ]
	for bad in 80 0:80 80:0 70000:80 8080:80/sctp a:b; do
		run pod create --network cni -p "$bad" p3
		[ "$status" -eq 2 ]
	done
	[ ! -e "$POD_ROOT/p3" ]
}

@test "with no conflist, the built-in default is written out and used" {
	# as on a fresh Debian: no /etc/cni, let alone /etc/cni/net.d
	empty=$BATS_TEST_TMPDIR/etc/cni/net.d
	had_pod0=0
	ip link show pod0 >/dev/null 2>&1 && had_pod0=1
	run pod create --network cni --cni-conf-dir "$empty" p1
	[ "$status" -eq 0 ]
	[[ $(jq -r '.name, .plugins[].type' "$empty/10-pod.conflist" | tr '\n' ' ') == "pod bridge portmap " ]]
	[[ $(pod_ip p1) == 10.87.* ]]	# the /16, wherever host-local is in it
	ip=$(pod_ip p1)
	pod rm -f p1
	[[ ! -e /var/lib/cni/networks/pod/$ip ]]
	[[ $had_pod0 == 1 ]] || ip link del pod0
}
