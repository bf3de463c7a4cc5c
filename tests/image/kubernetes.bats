#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2153,SC2154  # bats: run and @test bodies are subshells; load and run set variables
# docs/kubernetes.md: every configuration snippet marked `<!-- check: NAME -->`
# is read by the tool that reads it, where Debian 12 has that tool.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
DOC=$ROOT/docs/kubernetes.md

# snippet NAME: the fenced block that follows the marker.
snippet() {
	awk -v m="<!-- check: $1 -->" '
		$0 == m { armed = 1; next }
		armed && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$DOC"
}

# toml_get FILE KEY...: the value at that key path, via Python's tomllib.
toml_get() {
	python3 - "$@" <<-'PY'
		import sys, tomllib
		with open(sys.argv[1], "rb") as f:
		    v = tomllib.load(f)
		for k in sys.argv[2:]:
		    v = v[k]
		print(" ".join(v) if isinstance(v, list) else v)
	PY
}

@test "the doc has the three checked snippets" {
	local name
	for name in containerd-1 containerd-2 crio; do
		[ -n "$(snippet "$name")" ]
	done
}

@test "containerd 1.x: containerd itself reads sandbox_image from the snippet" {
	snippet containerd-1 >"$BATS_TEST_TMPDIR/config.toml"
	run containerd --config "$BATS_TEST_TMPDIR/config.toml" config dump
	[ "$status" -eq 0 ]
	grep -qE '^ *sandbox_image = "localhost/pause:v1\.0\.0"$' <<<"$output"
}

@test "containerd 2.x: valid TOML, version 3, pinned_images.sandbox set (no containerd 2 in Debian 12)" {
	snippet containerd-2 >"$BATS_TEST_TMPDIR/config.toml"
	[ "$(toml_get "$BATS_TEST_TMPDIR/config.toml" version)" = 3 ]
	run toml_get "$BATS_TEST_TMPDIR/config.toml" plugins io.containerd.cri.v1.images pinned_images sandbox
	[ "$output" = "localhost/pause:v1.0.0" ]
}

@test "CRI-O: valid TOML with pause_image, pause_command /pause, pinned (no CRI-O in Debian 12)" {
	snippet crio >"$BATS_TEST_TMPDIR/crio.conf"
	run toml_get "$BATS_TEST_TMPDIR/crio.conf" crio image pause_image
	[ "$output" = "localhost/pause:v1.0.0" ]
	run toml_get "$BATS_TEST_TMPDIR/crio.conf" crio image pause_command
	[ "$output" = "/pause" ]
	run toml_get "$BATS_TEST_TMPDIR/crio.conf" crio image pinned_images
	[ "$output" = "localhost/pause:v1.0.0" ]
}
