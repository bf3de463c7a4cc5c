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

# busybox_rootfs DIR: Debian's busybox-static in DIR/bin, every applet
# a link to it (not busybox itself: --list names it too)
busybox_rootfs() {
	local applet
	mkdir -p "$1/bin" "$1/tmp"
	cp /bin/busybox "$1/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ $applet == busybox ]] || ln -sf busybox "$1/bin/$applet"
	done
}

# iptables as it stands, without the packet counters
iptables_rules() { iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }

# A busybox image from Debian's busybox-static, plus our static orphan.
make_busybox_tar() {
	local rootfs=$1/rootfs
	busybox_rootfs "$rootfs"
	install -m 0755 "$ROOT/bin/orphan" "$rootfs/orphan"
	tar -C "$rootfs" -cf "$1/busybox.tar" .
}

# containerd with its own root, state and socket.
start_containerd() {
	CTD_DIR=$1
	launch_containerd "$CTD_DIR"
	CTD_PID=$LAUNCHED_PID
	wait_for 30 ctr_ok
}

# launch_containerd DIR: a containerd whose root, state and sockets are
# under DIR (DIR/containerd.sock), without the CRI plugin; its pid in
# LAUNCHED_PID. The caller waits for it.
launch_containerd() {
	mkdir -p "$1"
	cat >"$1/config.toml" <<-EOF
		version = 2
		root = "$1/root"
		state = "$1/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$1/containerd.sock"
		[ttrpc]
		  address = "$1/containerd.sock.ttrpc"
	EOF
	containerd --config "$1/config.toml" >"$1/log" 2>&1 3>&- &
	LAUNCHED_PID=$!
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
		# not this shell's child (bats's setup_file started it): wait
		wait_for 30 eval '! alive "$pid"' || kill -KILL "$pid" 2>/dev/null || true
	fi
	pkill -KILL -f "containerd-shim-runc-v2 -namespace $ns .*-address $dir/" 2>/dev/null || true
	unmount_under "$dir"
	# runc's state directory for NAMESPACE is outside DIR whatever the
	# root: once empty, it goes too
	rmdir "/run/containerd/runc/$ns" 2>/dev/null || true
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

# Docker: Debian's dockerd (docker.io 20.10) and its client. A newer
# client elsewhere in PATH (say /usr/local/bin) is not the one tested.
DOCKER=${DOCKER:-/usr/bin/docker}

# start_dockerd DIR [DOCKERD_ARGS...]: a private dockerd. Its data root,
# exec root, pidfile, socket, config and trust key all live in DIR, so
# nothing is written to /var/lib/docker, /etc/docker or /run/docker.sock;
# `docker run --init` runs our pause. It gets a containerd of its own in
# DIR too: left to itself, dockerd uses the system's if one listens on
# /run/containerd/containerd.sock.
# DOCKERD_ARGS replace the default network setup, no bridge and no
# iptables; dockerd never turns on IP forwarding. Sets DK_DIR, DK_PID.
start_dockerd() {
	DK_DIR=$1
	shift
	local net=(--iptables=false --bridge=none)
	[[ $# == 0 ]] || net=("$@")
	mkdir -p "$DK_DIR"
	# dockerd's plugin directory is fixed: stop_dockerd removes it only
	# if dockerd made it
	DK_RUN_DOCKER_EXISTED=0
	[[ -e /run/docker ]] && DK_RUN_DOCKER_EXISTED=1
	printf '{ "deprecated-key-path": "%s/key.json" }\n' "$DK_DIR" >"$DK_DIR/daemon.json"
	launch_containerd "$DK_DIR/containerd"
	DK_CTD_PID=$LAUNCHED_PID
	wait_for 30 eval 'ctr --address "$DK_DIR/containerd/containerd.sock" version >/dev/null 2>&1'
	dockerd --containerd "$DK_DIR/containerd/containerd.sock" --config-file "$DK_DIR/daemon.json" --data-root "$DK_DIR/data" \
		--exec-root "$DK_DIR/exec" --pidfile "$DK_DIR/dockerd.pid" \
		-H "unix://$DK_DIR/docker.sock" --init-path "$ROOT/bin/pause" \
		--storage-driver vfs --ip-forward=false "${net[@]}" \
		>"$DK_DIR/log" 2>&1 3>&- &
	DK_PID=$!
	wait_for 60 dk_ok
}

dk_ok() { dk version >/dev/null 2>&1; }

dk() { "$DOCKER" -H "unix://$DK_DIR/docker.sock" "$@"; }

# dk_rm_all: every container, running or not, removed
dk_rm_all() {
	local ids
	mapfile -t ids < <(dk ps -aq 2>/dev/null)
	((${#ids[@]} == 0)) || dk rm -f "${ids[@]}" >/dev/null 2>&1 || true
}

# stop_dockerd: every container removed, dockerd stopped, then its
# containerd and the shims (they can outlive both), its mounts undone,
# DIR removed.
stop_dockerd() {
	[[ -n ${DK_DIR:-} && -d $DK_DIR ]] || return 0
	dk_ok && dk_rm_all
	if [[ -n ${DK_PID:-} ]]; then
		kill "$DK_PID" 2>/dev/null || true
		wait "$DK_PID" 2>/dev/null || true
		# another shell's child (bats's setup_file): wait until it is gone
		wait_for 30 eval '! alive "$DK_PID"' || kill -KILL "$DK_PID" 2>/dev/null || true
	fi
	containerd_down "$DK_DIR/containerd/containerd.sock" moby "$DK_DIR" "${DK_CTD_PID:-}"
	if [[ $DK_RUN_DOCKER_EXISTED == 0 ]]; then
		rmdir /run/docker/plugins /run/docker 2>/dev/null || true
	fi
	rm -rf "$DK_DIR"
}

# dk_busybox_image REF: an image named REF with Debian's busybox-static
# (every applet on PATH) and our static orphan, imported with no registry.
dk_busybox_image() {
	local dir
	dir=$(mktemp -d)
	make_busybox_tar "$dir"
	dk import -c 'ENV PATH=/bin' "$dir/busybox.tar" "$1" >/dev/null
	rm -rf "$dir"
}
