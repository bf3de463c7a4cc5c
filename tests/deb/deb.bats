#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# make deb: the Debian packages pause, pod and pause-image. What they
# hold, lintian, two builds byte for byte, then the real thing: installed
# with apt on a Debian 12 root made by mmdebstrap, used, and purged with
# nothing left; and pause-image installed on this machine, its archive
# imported by ctr as docs/kubernetes.md says, and purged.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=../../scripts/lib/proc.bash
source "$ROOT/scripts/lib/proc.bash"
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"
# shellcheck source=../../scripts/lib/arch.bash
source "$ROOT/scripts/lib/arch.bash"

DEB=$ROOT/bin/deb
PACKAGES=(pause pod pause-image)

setup_file() {
	export VERSION UPSTREAM DEBARCH SDE
	VERSION=$(make -s -C "$ROOT" print-VERSION)
	UPSTREAM=${VERSION#v}
	DEBARCH=$(dpkg --print-architecture)
	SDE=$(make -s -C "$ROOT" print-SOURCE_DATE_EPOCH)
	# what the packages are compared with (make check has built them)
	make -s -C "$ROOT" bin/pause bin/pause-oci.tar >"$BATS_FILE_TMPDIR/make.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/make.log"; return 1; }
	if ! make -s -C "$ROOT" deb >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1; then
		tail -n 30 "$BATS_FILE_TMPDIR/make-deb.log"
		return 1
	fi
}

teardown() {
	chroot_down
	if [[ -n ${CTD_DIR:-} ]]; then
		containerd_down "$CTD_DIR/containerd.sock" k8s.io "$CTD_DIR" "${CTD_PID:-}"
		rm -rf "$CTD_DIR"
	fi
	if [[ -n ${HOST_INSTALL:-} ]]; then
		dpkg --purge pause-image >/dev/null 2>&1 || true
	fi
}

# deb PACKAGE: the path of PACKAGE's .deb in bin/deb
deb() {
	local arch=$DEBARCH
	[[ $1 == pause-image ]] && arch=all
	echo "$DEB/${1}_$UPSTREAM-1_$arch.deb"
}

# files_of PACKAGE: "path mode" of every file and link it holds, sorted
files_of() {
	dpkg-deb --fsys-tarfile "$(deb "$1")" | tar -tv --numeric-owner |
		awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6, $1, $2 }' | LC_ALL=C sort
}

# copy_tree DST: what scripts/deb copies for a build, without git
copy_tree() {
	mkdir -p "$1"
	cp -r "$ROOT"/Makefile "$ROOT"/README.md "$ROOT"/src "$ROOT"/image "$ROOT"/scripts \
		"$ROOT"/docs "$ROOT"/completions "$ROOT"/systemd "$ROOT"/debian "$1"/
}

# extract PACKAGE PATH: one file of PACKAGE on stdout
extract() { dpkg-deb --fsys-tarfile "$(deb "$1")" | tar -xO "./$2"; }

@test "make deb: pause, pod, pause-image and pod's debug symbols in bin/deb, at make's version" {
	local pkg want
	want="pause-image_$UPSTREAM-1_all.deb pause_$UPSTREAM-1_$DEBARCH.buildinfo"
	want+=" pause_$UPSTREAM-1_$DEBARCH.changes pause_$UPSTREAM-1_$DEBARCH.deb"
	want+=" pod-dbgsym_$UPSTREAM-1_$DEBARCH.deb pod_$UPSTREAM-1_$DEBARCH.deb"
	[ "$(find "$DEB" -mindepth 1 -printf '%P\n' | LC_ALL=C sort | paste -sd' ')" = "$want" ]
	for pkg in "${PACKAGES[@]}"; do
		[ "$(dpkg-deb -f "$(deb "$pkg")" Package)" = "$pkg" ]
		[ "$(dpkg-deb -f "$(deb "$pkg")" Version)" = "$UPSTREAM-1" ]
	done
	[ "$(dpkg-deb -f "$(deb pause)" Architecture)" = "$DEBARCH" ]
	[ "$(dpkg-deb -f "$(deb pause-image)" Architecture)" = all ]
	# one version everywhere: pause -v of the package's binary, the image's
	# tag, and the changelog, dated by SOURCE_DATE_EPOCH
	extract pause usr/bin/pause >"$BATS_TEST_TMPDIR/pause"
	chmod +x "$BATS_TEST_TMPDIR/pause"
	[ "$("$BATS_TEST_TMPDIR/pause" -v)" = "pause.c $VERSION" ]
	[ "$(extract pause-image usr/share/pause/pause-oci.tar | tar -xO index.json |
		jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]')" = "localhost/pause:$VERSION" ]
	mapfile -t lines < <(extract pod usr/share/doc/pod/changelog.Debian.gz | gzip -dc)
	[ "${lines[0]}" = "pause ($UPSTREAM-1) unstable; urgency=medium" ]
	[[ ${lines[-1]} == " -- "*"  $(date -u -R -d "@$SDE")" ]]
}

@test "each package holds its files: the binaries of make, man pages, completion, unit, docs, archive" {
	run files_of pause
	[ "$output" = "usr/bin/pause -rwxr-xr-x 0/0
usr/share/doc/pause/README.md.gz -rw-r--r-- 0/0
usr/share/doc/pause/changelog.Debian.gz -rw-r--r-- 0/0
usr/share/doc/pause/copyright -rw-r--r-- 0/0
usr/share/lintian/overrides/pause -rw-r--r-- 0/0
usr/share/man/man1/pause.1.gz -rw-r--r-- 0/0" ]
	run files_of pod
	[ "$output" = "lib/systemd/system/pod-gc.service -rw-r--r-- 0/0
usr/bin/pod -rwxr-xr-x 0/0
usr/share/bash-completion/completions/pod -rw-r--r-- 0/0
usr/share/doc/pod/README.Debian -rw-r--r-- 0/0
usr/share/doc/pod/changelog.Debian.gz -rw-r--r-- 0/0
usr/share/doc/pod/copyright -rw-r--r-- 0/0
usr/share/lintian/overrides/pod -rw-r--r-- 0/0
usr/share/man/man1/pod.1.gz -rw-r--r-- 0/0" ]
	run files_of pause-image
	[ "$output" = "usr/share/doc/pause-image/changelog.Debian.gz -rw-r--r-- 0/0
usr/share/doc/pause-image/copyright -rw-r--r-- 0/0
usr/share/doc/pause-image/kubernetes.md.gz -rw-r--r-- 0/0
usr/share/lintian/overrides/pause-image -rw-r--r-- 0/0
usr/share/pause/pause-oci.tar -rw-r--r-- 0/0" ]
	# the no-libc pause and the image are make's, byte for byte
	extract pause usr/bin/pause | cmp - "$ROOT/bin/pause"
	extract pause-image usr/share/pause/pause-oci.tar | cmp - "$ROOT/bin/pause-oci.tar"
	extract pause usr/share/man/man1/pause.1.gz | gzip -dc | cmp - "$ROOT/docs/pause.1"
	extract pod usr/share/man/man1/pod.1.gz | gzip -dc | cmp - "$ROOT/docs/pod.1"
	extract pod usr/share/bash-completion/completions/pod | cmp - "$ROOT/completions/pod"
	extract pause-image usr/share/doc/pause-image/kubernetes.md.gz | gzip -dc | cmp - "$ROOT/docs/kubernetes.md"
	extract pod lib/systemd/system/pod-gc.service | grep -qx 'ExecStart=/usr/bin/pod gc'
	# pod was built with Debian's hardening flags: bind-now and PIE
	extract pod usr/bin/pod >"$BATS_TEST_TMPDIR/pod"
	readelf -d "$BATS_TEST_TMPDIR/pod" | grep -q 'FLAGS.*BIND_NOW'
	readelf -h "$BATS_TEST_TMPDIR/pod" | grep -q 'Type: *DYN'
	# README.Debian names where the state is
	run extract pod usr/share/doc/pod/README.Debian
	for path in /run/pod/NAME/ /var/lib/pod/ '$XDG_RUNTIME_DIR/pod/' '$XDG_DATA_HOME/pod/' \
		/etc/cni/net.d/10-pod.conflist; do
		[[ $output == *"$path"* ]]
	done
	# what pod needs, and what a user's pods want
	run dpkg-deb -f "$(deb pod)" Depends
	[[ $output == *"libjansson4"* && $output == *"containernetworking-plugins"* ]]
	[[ $output == *"pause (= $UPSTREAM-1)"* ]]
	[ "$(dpkg-deb -f "$(deb pod)" Recommends)" = "passt | slirp4netns, uidmap" ]
	[ -z "$(dpkg-deb -f "$(deb pause)" Depends)" ]	# static: nothing at all
}

@test "lintian passes at error and warning level; every override says why" {
	local file
	run lintian --fail-on error,warning "$DEB/pause_$UPSTREAM-1_$DEBARCH.changes"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(grep -E '^[EW]: ' <<<"$output" || true)" ]
	# lintian looks: without the overrides it fails on the static pause
	run lintian --no-override --fail-on error,warning "$DEB/pause_$UPSTREAM-1_$DEBARCH.changes"
	[ "$status" -ne 0 ]
	[[ $output == *"E: pause: statically-linked-binary"* ]]
	# each override comes right after a comment (its reason)
	for file in "$ROOT"/debian/*.lintian-overrides; do
		run awk '!/^#/ && !/^$/ && prev !~ /^#/ { print FILENAME ": " $0 } { prev = $0 }' "$file"
		[ -z "$output" ]
		grep -qv '^#\|^$' "$file"
	done
}

@test "two builds in different directories, same SOURCE_DATE_EPOCH: byte-identical packages" {
	local tree=$BATS_TEST_TMPDIR/elsewhere/tree var vars=() f n=0 newest
	copy_tree "$tree"
	# the copy has no git: give it what git told the original
	for var in VERSION COMMIT REVISION SOURCE_DATE_EPOCH IMAGE_SOURCE; do
		vars+=("$var=$(make -s -C "$ROOT" "print-$var")")
	done
	make -s -C "$tree" deb "${vars[@]}" >"$BATS_TEST_TMPDIR/build.log" 2>&1 ||
		{ tail -n 30 "$BATS_TEST_TMPDIR/build.log"; false; }
	for f in "$DEB"/*.deb; do
		cmp "$f" "$tree/bin/deb/${f##*/}"
		n=$((n + 1))
	done
	[ "$n" -eq 4 ]
	# no file in them is newer than SOURCE_DATE_EPOCH
	for f in "$DEB"/*.deb; do
		newest=$(dpkg-deb --fsys-tarfile "$f" | tar -tv --full-time --utc |
			awk '{ print $4 " " $5 }' | sort | tail -n 1)
		[[ ! $newest > $(date -u -d "@$SDE" '+%F %T') ]]
	done
}

@test "debian/control: the architectures and cross compilers of the Makefile's table" {
	local arch triplet debian archs=()
	run sed -n '/^Build-Depends-Indep:/,/^$/p' "$ROOT/debian/control"
	while read -r arch triplet debian _; do
		archs+=("$debian")
		[[ $output == *"gcc-${triplet//_/-} [!$debian]"* ]]
		[[ $output == *"libc6-dev-$debian-cross [!$debian]"* ]]
	done < <(arch_table)
	[ "${#archs[@]}" -eq 6 ]
	[ "$(grep -c "^Architecture: ${archs[*]}$" "$ROOT/debian/control")" -eq 2 ]
	grep -qx 'Architecture: all' "$ROOT/debian/control"
}

@test "make deb refuses a version Debian cannot carry, and a failed build leaves nothing" {
	local tree=$BATS_TEST_TMPDIR/tree
	copy_tree "$tree"
	# no git: the version is HEAD
	run env -u VERSION make -s -C "$tree" deb
	[ "$status" -ne 0 ]
	[[ $output == *"make deb: cannot build packages: version 'HEAD' is not v<digit>"* ]]
	[ ! -e "$tree/bin/deb" ]
	run make -s -C "$tree" deb VERSION=v1.0_rc1 COMMIT=c REVISION=r SOURCE_DATE_EPOCH=0
	[ "$status" -ne 0 ]
	[[ $output == *"version 'v1.0_rc1' is not"* ]]
	[ ! -e "$tree/bin/deb" ]
	# a build that breaks half-way (pod does not compile) leaves no bin/deb
	echo 'this is not C' >>"$tree/src/pod/main.c"
	run make -s -C "$tree" deb VERSION=v1.0.0 COMMIT=c REVISION=r SOURCE_DATE_EPOCH=0
	[ "$status" -ne 0 ]
	[[ $output == *"dpkg-buildpackage"*"error"* ]]
	[ ! -e "$tree/bin/deb" ]
}

# The Debian 12 root: mmdebstrap, its package lists kept for apt.
CHROOT='' NETNS=''

# inroot CMD...: CMD in the root, with a clean environment; innet: the
# same in the test's network namespace, where the CNI bridge and its
# iptables rules stay
ROOT_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
	DEBIAN_FRONTEND=noninteractive)
inroot() { chroot "$CHROOT" "${ROOT_ENV[@]}" "$@"; }
innet() { nsenter --net="$NETNS" chroot "$CHROOT" "${ROOT_ENV[@]}" "$@"; }

# Every file of the root but what apt, dpkg and the kernel keep, with its
# type, mode and owner. /var/lib/cni holds host-local's leases: data of
# containernetworking-plugins (a dependency), which its purge keeps.
snapshot() {
	(cd "$CHROOT" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o \
		-path ./tmp -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log -o \
		-path ./var/lib/dpkg -o -path ./var/lib/cni \) -prune -o -printf '%p %y %m %u:%g\n' |
		LC_ALL=C sort)
}

chroot_down() {
	[[ -n $CHROOT && -d $CHROOT ]] || return 0
	local proc
	# anything still running in the root (a pause a failed test left)
	for proc in /proc/[0-9]*; do
		[[ $(readlink "$proc/root" 2>/dev/null) == "$CHROOT"* ]] &&
			kill -KILL "${proc#/proc/}" 2>/dev/null
	done
	unmount_under "$CHROOT"
	[[ -n $NETNS ]] && umount "$NETNS" 2>/dev/null
	# nothing is mounted there any more: only then remove it
	if awk -v d="$CHROOT" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		echo "chroot_down: $CHROOT still has mounts; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$CHROOT"
}

@test "installed with apt on a Debian 12 root: pause -v, man, pod create/run/rm; purge leaves nothing" {
	local pid pkg
	CHROOT=$BATS_TEST_TMPDIR/root NETNS=$BATS_TEST_TMPDIR/netns
	# man-db for man; netbase because iptables depends on it and perl
	# recommends it, so apt's autoremove keeps it: it belongs to the base
	mmdebstrap --variant=apt --include=man-db,netbase --skip=cleanup/apt/lists \
		bookworm "$CHROOT" >"$BATS_TEST_TMPDIR/mmdebstrap.log" 2>&1 ||
		{ tail -n 20 "$BATS_TEST_TMPDIR/mmdebstrap.log"; false; }
	[ ! -e "$CHROOT/etc/cni" ] && [ ! -e "$CHROOT/usr/bin/pause" ]
	snapshot >"$BATS_TEST_TMPDIR/before"
	mkdir "$CHROOT/tmp/debs"
	cp "$(deb pause)" "$(deb pod)" "$(deb pause-image)" "$CHROOT/tmp/debs/"
	# pod needs / to be a mount point (it makes mounts private), /proc,
	# /sys (cgroups) and /dev; slaves, so nothing unmounts the host's
	mount --bind "$CHROOT" "$CHROOT"
	mount -t proc proc "$CHROOT/proc"
	mount --rbind /sys "$CHROOT/sys" && mount --make-rslave "$CHROOT/sys"
	mount --rbind /dev "$CHROOT/dev" && mount --make-rslave "$CHROOT/dev"
	touch "$NETNS" && unshare --net="$NETNS" true

	# apt resolves the Depends and Recommends from Debian's archive
	run inroot sh -c 'apt-get install -y /tmp/debs/*.deb'
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	run inroot dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\n' "${PACKAGES[@]}"
	[ "$output" = "pause $UPSTREAM-1 installed
pause-image $UPSTREAM-1 installed
pod $UPSTREAM-1 installed" ]

	run inroot pause -v
	[ "$output" = "pause.c $VERSION" ]
	run inroot pod --version
	[ "$output" = "pod $VERSION" ]
	run inroot man -P cat pause
	[[ ${lines[2]} == *"pause - hold a pod's namespaces"* ]]
	run inroot man -P cat pod
	[ "$status" -eq 0 ]
	run inroot bash -c '. /usr/share/bash-completion/completions/pod && complete -p pod'
	[[ $output == "complete -F "*" pod" ]]
	# pod-gc.service is enabled for boot
	[ "$(readlink "$CHROOT/etc/systemd/system/multi-user.target.wants/pod-gc.service")" = \
		/lib/systemd/system/pod-gc.service ]

	# a pod on CNI with the installed binaries and plugins: the default
	# conflist is written where no /etc/cni was
	run innet pod create --network cni web
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$CHROOT/etc/cni/net.d/10-pod.conflist" ]
	pid=$(jq -r .pid "$CHROOT/run/pod/web/state.json")
	[ "$(readlink "/proc/$pid/exe")" = "$CHROOT/usr/bin/pause" ]
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" = 1 ]
	run innet pod run web -- cat /proc/1/comm
	[ "$output" = pause ]
	run innet pod run web -- readlink /proc/self/ns/net
	[ "$output" = "$(readlink "/proc/$pid/ns/net")" ]
	run innet pod run web -- cat /proc/net/fib_trie
	[[ $output == *"10.87."* ]]
	[ -d "$CHROOT/var/lib/pod/cni" ]
	run innet pod rm -f web
	[ "$status" -eq 0 ]
	wait_for 10 eval '! alive "$pid"'
	[ ! -e "$CHROOT/run/pod/web" ]

	run inroot apt-get purge -y --autoremove "${PACKAGES[@]}"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	for pkg in "${PACKAGES[@]}"; do
		run inroot dpkg-query -W "$pkg"	# dpkg has forgotten it
		[[ $status == 1 && $output == *"no packages found matching $pkg"* ]]
	done
	unmount_under "$CHROOT"
	rm -r "$CHROOT/tmp/debs"
	snapshot >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "pause-image on this machine: ctr -n k8s.io images import /usr/share/pause/pause-oci.tar; purged" {
	local pkg state
	# the test installs and purges pause-image here: it must not be ours
	for pkg in "${PACKAGES[@]}"; do
		state=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
		if [[ -n $state && $state != not-installed ]]; then
			echo "package $pkg is installed on this machine: this test would purge it"
			false
		fi
	done
	[ ! -e /usr/share/pause ] && [ ! -e /usr/share/doc/pause-image ]
	HOST_INSTALL=1
	dpkg -i "$(deb pause-image)"
	start_containerd "$BATS_TEST_TMPDIR/ctd"
	# the command docs/kubernetes.md gives, as it is written there
	grep -qF 'ctr -n k8s.io images import /usr/share/pause/pause-oci.tar' "$ROOT/docs/kubernetes.md"
	export CONTAINERD_ADDRESS=$CTD_DIR/containerd.sock
	run ctr -n k8s.io images import /usr/share/pause/pause-oci.tar
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"localhost/pause:$VERSION"* ]]
	run ctr -n k8s.io images ls -q
	[[ $output == *"localhost/pause:$VERSION"* ]]
	run ctr -n k8s.io run --rm "localhost/pause:$VERSION" deb-check /pause -v
	[ "$output" = "pause.c $VERSION" ]

	dpkg --purge pause-image
	HOST_INSTALL=
	[ ! -e /usr/share/pause ] && [ ! -e /usr/share/doc/pause-image ]
	[ ! -e /usr/share/lintian/overrides/pause-image ]
	state=$(dpkg-query -W -f '${db:Status-Status}' pause-image 2>/dev/null || true)
	[[ -z $state || $state == not-installed ]]
}
