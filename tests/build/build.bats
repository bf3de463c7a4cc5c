#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# The build, install, documentation and test helpers, as users meet them.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# A copy of the source tree with no .git, to build away from bin/.
copy_tree() {
	local dst=$1
	mkdir -p "$dst"
	cp -r "$ROOT"/Makefile "$ROOT"/src "$ROOT"/tests "$ROOT"/docs \
		"$ROOT"/scripts "$ROOT"/completions "$dst"/
}

# shellcheck source=../../scripts/lib/arch.bash
source "$ROOT/scripts/lib/arch.bash"
# shellcheck source=../../scripts/lib/engines.bash
source "$ROOT/scripts/lib/engines.bash"
# cgroup_parent_setup and _teardown: pods made by the demo and the bench
# go under a parent inside the test's own cgroup
# shellcheck source=../pod/helpers.bash
source "$ROOT/tests/pod/helpers.bash"
mapfile -t ARCHES < <(arch_names)

@test "the architecture table: six rows of nine columns, each name a make ARCH=" {
	run arch_table
	[ "${#lines[@]}" -eq 6 ]
	[ "$(awk 'NF != 9' <<<"$output")" = "" ]
	[ "$(make -s -C "$ROOT" print-ARCHES)" = "${ARCHES[*]}" ]
	# the host comes from the compiler, not from dpkg
	[ "$(make -s -C "$ROOT" print-HOST_TRIPLET)" = "$(cc -dumpmachine)" ]
	[ -n "$(host_arch)" ]
}

@test "every architecture's pause is static, stripped, and of the right machine type" {
	local arch class machine abi bin header
	while read -r arch _ _ _ _ _ class machine abi; do
		bin=$ROOT/bin/pause-linux-$arch
		echo "checking $bin"
		header=$(readelf -h "$bin")
		grep -qE "Class: +$class\$" <<<"$header"
		grep -qE "Type: +EXEC" <<<"$header"
		# the ABI: hard-float arm, ELFv2 ppc64le, lp64d riscv
		[[ $abi == - ]] || grep -q "Flags:.*$abi" <<<"$header"
		grep -qE "Machine: +(.* )?$machine\$" <<<"$header"
		readelf -d "$bin" | grep -q "There is no dynamic section"
		! readelf -lW "$bin" | grep -q INTERP || false
		! readelf -SW "$bin" | grep -qE '\.(symtab|comment|note\.gnu\.build-id)' || false
	done < <(arch_table)
	# bin/pause is the host's no-libc build
	cmp "$ROOT/bin/pause" "$ROOT/bin/pause-linux-$(host_arch)"
}

@test "the release build links no C library" {
	local arch
	for arch in "${ARCHES[@]}"; do
		# no libc symbol names: stdio, malloc or libc's start-up
		! grep -aqE '__libc_start_main|GLIBC_|malloc|printf' \
			"$ROOT/bin/pause-linux-$arch" || false
	done
	# a libc build of the same source is two orders of magnitude larger
	[ "$(stat -c %s "$ROOT/bin/pause")" -lt 16384 ]
}

@test "two builds of the same commit, in different directories, are byte-identical" {
	local tree=$BATS_TEST_TMPDIR/elsewhere/tree arch
	copy_tree "$tree"
	make -s -C "$tree" VERSION="$(make -s -C "$ROOT" print-VERSION)" \
		COMMIT="$(make -s -C "$ROOT" print-COMMIT)" all-arch
	for arch in "${ARCHES[@]}"; do
		cmp "$tree/bin/pause-linux-$arch" "$ROOT/bin/pause-linux-$arch"
	done
}

@test "make ARCH=<arch> builds that architecture; a bad ARCH is refused" {
	local tree=$BATS_TEST_TMPDIR/tree
	copy_tree "$tree"
	make -s -C "$tree" ARCH=riscv64
	[ -x "$tree/bin/pause-linux-riscv64" ]
	[ ! -e "$tree/bin/pause-linux-arm64" ]
	run make -s -C "$tree" ARCH=mips
	[ "$status" -ne 0 ]
	[[ $output == *"ARCH=mips: not one of ${ARCHES[*]}"* ]]
}

@test "the version defaults to scripts/version's" {
	run make -s -C "$ROOT" print-VERSION
	[ "$output" = "$("$ROOT/scripts/version")" ]
	[[ $output == v[0-9]* || $output == HEAD ]]
}

@test "scripts/version: v0.0.0-N-gHASH before any tag, git describe after one, -dirty, HEAD outside git" {
	local repo=$BATS_TEST_TMPDIR/repo v
	mkdir -p "$repo/scripts"
	cp "$ROOT/scripts/version" "$repo/scripts/"
	git -C "$repo" init -q
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
	git -C "$repo" add scripts && git -C "$repo" commit -qm one
	[ "$("$repo/scripts/version")" = v0.0.0 ]
	touch "$repo/a" && git -C "$repo" add a && git -C "$repo" commit -qm two
	touch "$repo/b" && git -C "$repo" add b && git -C "$repo" commit -qm three
	v=$("$repo/scripts/version")
	[ "$v" = "v0.0.0-2-g$(git -C "$repo" rev-parse --short HEAD)" ]
	# a Debian upstream version once the v is dropped (make deb adds -1)
	dpkg --validate-version "${v#v}-1"
	echo x >"$repo/a"
	[ "$("$repo/scripts/version")" = "$v-dirty" ]
	dpkg --validate-version "$("$repo/scripts/version" | sed 's/^v//')-1"
	git -C "$repo" commit -qam four
	git -C "$repo" tag v1.2.3
	[ "$("$repo/scripts/version")" = v1.2.3 ]
	touch "$repo/c" && git -C "$repo" add c && git -C "$repo" commit -qm five
	[ "$("$repo/scripts/version")" = "v1.2.3-1-g$(git -C "$repo" rev-parse --short HEAD)" ]
	# a copy of the tree inside the repository is not its commit; nor is
	# a tree with no git at all
	mkdir -p "$repo/sub/scripts" "$BATS_TEST_TMPDIR/nogit/scripts"
	cp "$ROOT/scripts/version" "$repo/sub/scripts/"
	cp "$ROOT/scripts/version" "$BATS_TEST_TMPDIR/nogit/scripts/"
	[ "$("$repo/sub/scripts/version")" = HEAD ]
	[ "$("$BATS_TEST_TMPDIR/nogit/scripts/version")" = HEAD ]
}

@test "make VERSION=... sets the version; without git it is HEAD" {
	local tree=$BATS_TEST_TMPDIR/tree
	copy_tree "$tree"
	make -s -C "$tree" VERSION=v9.9-test bin/pause
	run "$tree/bin/pause" -v
	[ "$output" = "pause.c v9.9-test" ]
	# the version change alone triggers a rebuild
	make -s -C "$tree" bin/pause
	run "$tree/bin/pause" -v
	[ "$output" = "pause.c HEAD" ]
}

@test "make install honours PREFIX and DESTDIR, and installs pause, pod, their man pages, pod's completion and pod-gc.service" {
	local dest=$BATS_TEST_TMPDIR/dest
	make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/usr
	run find "$dest" -type f -printf '%P %m\n'
	[ "${#lines[@]}" -eq 6 ]
	[[ $output == *"usr/lib/systemd/system/pod-gc.service 644"* ]]
	grep -qx 'ExecStart=/usr/bin/pod gc' "$dest/usr/lib/systemd/system/pod-gc.service"
	grep -qx 'Type=oneshot' "$dest/usr/lib/systemd/system/pod-gc.service"
	[[ $output == *"usr/share/bash-completion/completions/pod 644"* ]]
	cmp "$dest/usr/share/bash-completion/completions/pod" "$ROOT/completions/pod"
	[[ $output == *"usr/bin/pause 755"* ]]
	[[ $output == *"usr/bin/pod 755"* ]]
	[[ $output == *"usr/share/man/man1/pause.1 644"* ]]
	[[ $output == *"usr/share/man/man1/pod.1 644"* ]]
	cmp "$dest/usr/bin/pause" "$ROOT/bin/pause"
	cmp "$dest/usr/bin/pod" "$ROOT/bin/pod"
	# installed side by side, pod finds its pause without --pause
	export POD_DATA_DIR=$BATS_TEST_TMPDIR/data
	POD_ROOT=$BATS_TEST_TMPDIR/pods "$dest/usr/bin/pod" create installed
	[[ $(jq -r .pause "$BATS_TEST_TMPDIR/pods/installed/state.json") == "$dest/usr/bin/pause" ]]
	POD_ROOT=$BATS_TEST_TMPDIR/pods "$dest/usr/bin/pod" rm -f installed
	make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX=/usr
	run find "$dest" -type f
	[ -z "$output" ]
}

@test "scripts/funclen: no function in src/ over 60 lines, and it catches one of 61" {
	run "$ROOT/scripts/funclen" 60 "$ROOT"/src/*/*.c "$ROOT"/src/*/*.h
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a function of 61 lines, braces included, with a signature on two lines
	{
		printf 'static int\nlong_one(int a,\n\t int b)\n{\n'
		for i in $(seq 59); do printf '\ta += %d;\n' "$i"; done
		printf '}\n\nint short_one(void)\n{\n\treturn 0;\n}\n'
	} >"$BATS_TEST_TMPDIR/long.c"
	run "$ROOT/scripts/funclen" 60 "$BATS_TEST_TMPDIR/long.c"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/long.c:4: long_one is 61 lines (at most 60)" ]
	run "$ROOT/scripts/funclen" 61 "$BATS_TEST_TMPDIR/long.c"
	[ "$status" -eq 0 ]
}

@test "make clean removes every build output" {
	local tree=$BATS_TEST_TMPDIR/tree
	copy_tree "$tree"
	make -s -C "$tree" bin/pause bin/orphan
	[ -x "$tree/bin/pause" ]
	make -s -C "$tree" clean
	[ ! -e "$tree/bin" ]
}

@test "the man page renders without warnings and has an EXIT STATUS section" {
	run --separate-stderr groff -man -Tutf8 -ww -z "$ROOT/docs/pause.1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	grep -q '^\.SH EXIT STATUS' "$ROOT/docs/pause.1"
	grep -q '^\.SH SIGNALS' "$ROOT/docs/pause.1"
}

@test "every option in pause --help is in the man page" {
	local opt n=0
	for opt in $("$ROOT/bin/pause" --help | grep -oE '^ +-[-a-zA-Z]+(, -[-a-zA-Z]+)*' | tr -d ','); do
		n=$((n + 1))
		echo "checking $opt"
		grep -qF -- "${opt//-/\\-}" "$ROOT/docs/pause.1"
	done
	[ "$n" -ge 3 ]
}

@test "orphan --help, and a one-line error with exit 2 on a bad count" {
	run "$ROOT/bin/orphan" --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Usage: orphan"* ]]
	run --separate-stderr "$ROOT/bin/orphan" -n 12x
	[ "$status" -eq 2 ]
	[ "$stderr" = "orphan: cannot parse count: '12x' is not a count" ]
	run --separate-stderr "$ROOT/bin/orphan" extra
	[ "$status" -eq 2 ]
}

@test "make demo: nginx and the app in a CNI pod, the zombie lesson, and a clean machine after" {
	# the demo's own traffic moves the counters: compare rules, not counts
	iptables_rules >"$BATS_TEST_TMPDIR/iptables.before"
	ip -o link show | awk -F': ' '{ print $2 }' | sort >"$BATS_TEST_TMPDIR/links.before"
	mounts=$(grep -c . /proc/self/mountinfo)
	# its pod's cgroup under a parent inside this test's own cgroup
	cgroup_parent_setup
	run make -s -C "$ROOT" demo
	echo "$output"
	cgroup_parent_teardown
	[ "$status" -eq 0 ]
	grep -q 'Hello from the app in pod demo' <<<"$output"
	grep -qE '^1 +[0-9]+ +pause$' <<<"$output"
	grep -qE '^[0-9]+ +[0-9]+ +nginx: master process' <<<"$output"
	grep -qE '^[0-9]+ +[0-9]+ +.*http.server --bind 127.0.0.1' <<<"$output"
	grep -qE 'pause \(pod demo\) +0$' <<<"$output"
	grep -qE 'python3, the app \(on its own\) +[1-9][0-9]*$' <<<"$output"
	# nothing left: mounts, processes, links, iptables
	[[ $(grep -c . /proc/self/mountinfo) == "$mounts" ]]
	! pgrep -f 'http.server --bind 127.0.0.1' || false
	! pgrep -f 'nginx -p .*/nginx -c ' || false
	diff "$BATS_TEST_TMPDIR/iptables.before" <(iptables_rules)
	diff "$BATS_TEST_TMPDIR/links.before" <(ip -o link show | awk -F': ' '{ print $2 }' | sort)
}

@test "bench/report writes the benchmark report and plot from one (short) run" {
	out=$BATS_TEST_TMPDIR/bench.md
	cgroup_parent_setup
	OUT=$out RUNS=1 STORMS=1 ORPHANS=300 PODMAN_RUNS=1 SANDBOXES=2 PROCS=100 \
		PODS=20 CNI_PODS=10 PODMAN_PODS=10 MEM_PODS=10 MEM_REPS=1 run "$ROOT/bench/report"
	echo "$output"
	cgroup_parent_teardown
	[ "$status" -eq 0 ]
	for heading in "## Environment" "## Commands" "## Stripped binary size" \
		"## Idle memory" "## Reaping" "## Image" "## Pod lifecycle" "## The sandbox through the CRI" \
		"## Stopping a pod of 100 processes" "## One \`pod stats\` call" \
		"## Scale: pods by the thousand on one machine" "## Which figures are noisy"; do
		grep -qF "$heading" "$out" || { echo "missing: $heading"; false; }
	done
	grep -qE '^\| pause \(no libc\) +\| +[0-9]+ \| +[0-9]+ \|' "$out"
	grep -qE '^\| podman 4 .*\| +[0-9.]+x \|$' "$out"
	grep -qE '^\| namespace scan, as before cgroups \| [0-9.]+ \| [0-9.]+x \|$' "$out"
	grep -qE "^\| pause's Pss per sandbox \(kB\) +\| +[0-9]+ \| +[0-9]+ \| +[0-9.]+x \|$" "$out"
	# scale: time per operation at 10 and at the last count, each way
	grep -qE '^\| pod, no network +\| +20 \| +[0-9.]+ \| +[0-9.]+ \|$' "$out"
	grep -qE '^\| pod, default CNI network \(bridge\) +\| +10 \| +[0-9.]+ \| +[0-9.]+ \|$' "$out"
	grep -qE '^\| pod ls \(20 pods\) +\| +[0-9.]+ \|$' "$out"
	grep -qE '^\| pod create +\| +-?[0-9]+ \| +-?[0-9.]+x \|$' "$out"
	for png in "${out%.md}.png" "${out%.md}-scale.png"; do
		[[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
	done
	# and the committed report is one such output, not prose written by hand
	grep -q '^Generated by `make bench` (bench/report)' "$ROOT/docs/benchmarks.md"
	[ -s "$ROOT/docs/benchmarks.png" ] && [ -s "$ROOT/docs/benchmarks-scale.png" ]
}
