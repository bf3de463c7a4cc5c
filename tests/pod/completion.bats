#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031,SC2034,SC2154  # bats: @test bodies are subshells; COMP_* are bash's
# completions/pod: bash completion, driven the way bash drives it
# (COMP_WORDS, COMP_CWORD, then COMPREPLY), against the pod under test.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	pod_setup
	# shellcheck source=../../completions/pod
	source "$ROOT/completions/pod"
}
teardown() { pod_teardown; }

# complete WORD...: COMPREPLY for the command line WORD..., the cursor
# on the last word, one candidate per line
complete_line() {
	COMP_WORDS=("$POD" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_pod 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "completion: every command, and every option of every command, from the option tables" {
	run complete_line ""
	[ "$(paste -sd' ' <<<"$output")" = "create run ps ls inspect stats stop rm gc" ]
	local cmd opt n=0
	for cmd in create run ps ls inspect stats stop rm gc; do
		while read -r opt; do
			run complete_line "$cmd" "--$opt"
			grep -qx -- "--$opt" <<<"$output" || { echo "pod $cmd --$opt does not complete"; false; }
			n=$((n + 1))
		done < <(table_options "$ROOT/src/pod/$cmd.c"; table_options "$ROOT/src/pod/cli.c")
		# a bare dash offers them all at once, short ones too
		run complete_line "$cmd" -
		grep -qx -- --help <<<"$output"
		grep -qx -- -h <<<"$output"
	done
	# 9 commands' --root, --data-dir and --help, and their own 27 options
	[ "$n" -eq 54 ]
	run complete_line run -
	grep -qx -- -d <<<"$output"
}

@test "completion: pod names from pod ls -q, with the --root on the line" {
	pod create alpha
	pod create beta
	run complete_line ps ""
	[ "$(paste -sd' ' <<<"$output")" = "alpha beta" ]
	run complete_line inspect alpha b
	[ "$output" = beta ]
	run complete_line stop -t 5 a
	[ "$output" = alpha ]
	# a root given on the line is the one listed
	other=$BATS_TEST_TMPDIR/other
	POD_ROOT=$other pod create gamma
	run complete_line --root "$other" rm ""
	[ "$output" = gamma ]
	run complete_line rm --root "$other" g
	[ "$output" = gamma ]
	POD_ROOT=$other pod rm -f gamma
	# create takes a new name; run's words after NAME are CMD's
	run complete_line create ""
	[ -z "$output" ]
	run complete_line run alpha ""
	[[ $output != *beta* ]]
}

@test "completion: option values (--network, --share lists, --format)" {
	run complete_line create --network ""
	[ "$(paste -sd' ' <<<"$output")" = "none host cni pasta slirp4netns" ]
	run complete_line create --share net,u
	[ "$output" = net,uts ]
	run complete_line ls --format j
	[ "$output" = json ]
	run complete_line create --cni-conf-dir /et
	[ "$output" = /etc ]
	run complete_line create --share net --hostname ""
	[ -z "$output" ]
}
