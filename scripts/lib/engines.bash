# shellcheck shell=bash
# Private podman and containerd instances for the image tests and the
# benchmarks: every bit
# of their state lives under one temporary directory, nothing is written
# to /etc or /var, and stop_engines leaves no mount or process behind.

# podman as this kind of host needs it: runc (crun fails on its hybrid
# cgroups), cgroupfs, and rlimit defaults lower than podman's own, which
# the host's limits refuse.
setup_podman() {
	PODMAN_DIR=$1
	mkdir -p "$PODMAN_DIR"
	cat >"$PODMAN_DIR/containers.conf" <<-EOF
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		[containers]
		default_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]
	EOF
	export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
}

pm() {
	podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" \
		--storage-driver vfs --tmpdir "$PODMAN_DIR/tmp" "$@"
}

teardown_podman() {
	[[ -n ${PODMAN_DIR:-} && -d $PODMAN_DIR ]] || return 0
	pm pod rm -a -f >/dev/null 2>&1 || true
	pm rm -a -f >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	unmount_under "$PODMAN_DIR"
	rm -rf "$PODMAN_DIR"
}

# A busybox image from Debian's busybox-static, plus our static orphan.
make_busybox_tar() {
	local rootfs=$1/rootfs applet
	mkdir -p "$rootfs/bin" "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
	done
	install -m 0755 "$ROOT/bin/orphan" "$rootfs/orphan"
	tar -C "$rootfs" -cf "$1/busybox.tar" .
}

# containerd with its own root, state and socket.
start_containerd() {
	CTD_DIR=$1
	mkdir -p "$CTD_DIR"
	cat >"$CTD_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTD_DIR/root"
		state = "$CTD_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTD_DIR/containerd.sock"
		[ttrpc]
		  address = "$CTD_DIR/containerd.sock.ttrpc"
	EOF
	containerd --config "$CTD_DIR/config.toml" >"$CTD_DIR/log" 2>&1 3>&- &
	CTD_PID=$!
	wait_for 30 ctr_ok
}

ctr_ok() { ctr --address "$CTD_DIR/containerd.sock" version >/dev/null 2>&1; }

c() { ctr --address "$CTD_DIR/containerd.sock" -n pausetest "$@"; }

stop_containerd() {
	[[ -n ${CTD_DIR:-} && -d $CTD_DIR ]] || return 0
	containerd_down "$CTD_DIR/containerd.sock" pausetest "$CTD_DIR" "${CTD_PID:-}"
	rm -rf "$CTD_DIR"
}

# containerd_down SOCK NAMESPACE DIR PID: every task and container of
# NAMESPACE deleted, containerd (PID) stopped, the shims it started for
# DIR's instance killed (they outlive containerd by design; ours must
# not outlive the test), and everything mounted under DIR unmounted.
containerd_down() {
	local sock=$1 ns=$2 dir=$3 pid=$4 id
	if ctr --address "$sock" version >/dev/null 2>&1; then
		for id in $(ctr --address "$sock" -n "$ns" container ls -q 2>/dev/null); do
			ctr --address "$sock" -n "$ns" task delete --force "$id" >/dev/null 2>&1 || true
			ctr --address "$sock" -n "$ns" container rm "$id" >/dev/null 2>&1 || true
		done
	fi
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	pkill -KILL -f "containerd-shim-runc-v2 -namespace $ns .*-address $dir/" 2>/dev/null || true
	unmount_under "$dir"
}

# Unmount everything mounted at or below DIR, deepest first.
unmount_under() {
	local mnt
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r mnt; do
			umount -l "$mnt" 2>/dev/null || true
		done
}

# containerd with its CRI plugin, as a Kubernetes node runs it, but
# private: its own root, state, socket, CNI conflist, leases and netns
# pins, all under DIR. IMAGE is its sandbox_image. Root here lacks
# CAP_SYS_RESOURCE, so the sandbox's oom_score_adj of -998 must be
# clamped (restrict_oom_score_adj) or runc fails. The bridge is BRIDGE,
# on SUBNET. Sets CRI_DIR, CRI_SOCK, CRI_PID.
start_cri_containerd() {
	CRI_DIR=$1
	local image=$2
	CRI_BRIDGE=${3:-cri0} CRI_SUBNET=${4:-10.89.7.0/24}
	CRI_SOCK=$CRI_DIR/containerd.sock
	mkdir -p "$CRI_DIR/cni" "$CRI_DIR/leases"
	# what the shim and runc keep under /run/containerd whatever the root
	# is: stop_cri_containerd removes only what appeared after this
	find /run/containerd -mindepth 1 2>/dev/null | sort >"$CRI_DIR/run-before"
	cat >"$CRI_DIR/cni/10-cri.conflist" <<-EOF
		{
		  "cniVersion": "1.0.0",
		  "name": "cri-test",
		  "plugins": [{
		    "type": "bridge", "bridge": "$CRI_BRIDGE", "isGateway": true,
		    "ipam": { "type": "host-local", "dataDir": "$CRI_DIR/leases",
		              "ranges": [[{ "subnet": "$CRI_SUBNET" }]] }
		  }]
		}
	EOF
	cat >"$CRI_DIR/config.toml" <<-EOF
		version = 2
		root = "$CRI_DIR/root"
		state = "$CRI_DIR/state"
		[grpc]
		  address = "$CRI_SOCK"
		[ttrpc]
		  address = "$CRI_SOCK.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$image"
		  restrict_oom_score_adj = true
		  netns_mounts_under_state_dir = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CRI_DIR/cni"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "native"
	EOF
	containerd --config "$CRI_DIR/config.toml" >"$CRI_DIR/log" 2>&1 3>&- &
	CRI_PID=$!
	wait_for 30 cri_ok
}

# archive_ref ARCHIVE: the name an OCI archive gives its image (the
# version it was built at, whatever make would say now)
archive_ref() {
	tar -xOf "$1" index.json | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]'
}

cri_ok() { ctr --address "$CRI_SOCK" version >/dev/null 2>&1; }

# ctr in the CRI plugin's namespace
cri_ctr() { ctr --address "$CRI_SOCK" -n k8s.io "$@"; }

stop_cri_containerd() {
	[[ -n ${CRI_DIR:-} && -d $CRI_DIR ]] || return 0
	containerd_down "$CRI_SOCK" k8s.io "$CRI_DIR" "${CRI_PID:-}"
	ip link del "$CRI_BRIDGE" 2>/dev/null || true
	# what appeared under /run/containerd since the start, deepest first
	find /run/containerd -mindepth 1 2>/dev/null | sort |
		comm -13 "$CRI_DIR/run-before" - | sort -r | while read -r path; do
			rmdir "$path" 2>/dev/null || rm -f "$path" 2>/dev/null || true
		done
	rm -rf "$CRI_DIR"
}
