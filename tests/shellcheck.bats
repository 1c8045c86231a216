#!/usr/bin/env bats
# Every shell file in the tree passes shellcheck -x (with .shellcheckrc
# for bats), and no test holds a line that can never fail it.

load helpers

setup() {
	command -v shellcheck >/dev/null || skip "shellcheck is missing: scripts/deps"
	git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: no list of files"
}

# The shell files, as a reader finds them: what git knows (new files
# too, not the ignored ones), by name (.bats, .bash, .sh) or by a first
# line that runs sh, bash or bats.
shell_files() {
	local f
	git -C "$TOP" ls-files --cached --others --exclude-standard | sort -u | while read -r f; do
		[ -f "$TOP/$f" ] || continue # deleted, not yet committed
		case $f in
		*.bats | *.bash | *.sh) echo "$f" ;;
		*)
			if head -n 1 "$TOP/$f" | grep -qE '^#!.*[/ ](sh|bash|bats)$'; then
				echo "$f"
			fi
			;;
		esac
	done
}

# Bats runs a test under set -e, and bash never stops on a command
# negated with !: a line "! kill -0 $pid" passes whatever kill says. Nor
# on the first half of "[ a ] && [ b ]": only the last command of an &&
# list stops it. As the last line of a test either counts (it is the
# test's status); anywhere else it is a check that cannot fail (write
# "run ! kill -0 $pid", and "[ a ]" and "[ b ]" on lines of their own).
# Prints FILE:LINE: TEXT for each such line.
negations_that_cannot_fail() {
	awk '
		FNR == 1 { in_test = 0 }
		/^@test / { in_test = 1; n = 0; next }
		in_test && /^}/ {
			for (i = 1; i <= n; i++)
				if (line[i] != last) print FILENAME ":" line[i] ": " text[i]
			in_test = 0
			next
		}
		in_test && !/^[ \t]*(#|$)/ { last = FNR }
		in_test && (/^[ \t]*! / || /^[ \t]*\[\[? .* \]\]? && \[/) { line[++n] = FNR; text[n] = $0; sub(/^[ \t]*/, "", text[n]) }
	' "$@"
}

@test "the list of shell files has the scripts, the bats files and their helpers" {
	run shell_files
	assert_success
	assert_line scripts/vm
	assert_line scripts/test
	assert_line tests/helpers.bash
	assert_line tests/shellcheck.bats
	assert_line tests/bin/ctrkit-test-sleep
	refute_line Makefile
	refute_line README.md
}

@test "shellcheck -x passes on every shell script and bats file" {
	cd "$TOP"
	mapfile -t files < <(shell_files)
	run shellcheck -x "${files[@]}"
	assert_output ""
	assert_success
}

@test "no test holds a '! command' or '[ a ] && [ b ]' line other than its last: bats never fails on it" {
	cd "$TOP"
	mapfile -t files < <(shell_files | grep '\.bats$')
	run negations_that_cannot_fail "${files[@]}"
	assert_output ""
}

@test "the check finds a '! kill -0' line that is not the last, and says where" {
	# (printf, not a here-document: bats would take its @test for one of ours)
	# shellcheck disable=SC2016 # $sleeper is the sample's text
	printf '%s\n' '@test "a sleeper is gone" {' \
		'	! kill -0 "$sleeper" 2>/dev/null' \
		'	run ! kill -0 "$sleeper"' \
		'	# the last line counts: it is the status of the test' \
		'	! kill -0 "$sleeper"' \
		'}' >"$BATS_TEST_TMPDIR/sample.bats"
	run negations_that_cannot_fail "$BATS_TEST_TMPDIR/sample.bats"
	assert_output "$BATS_TEST_TMPDIR/sample.bats:2: ! kill -0 \"\$sleeper\" 2>/dev/null"
}

@test "the check finds a '[ a ] && [ b ]' line that is not the last" {
	# shellcheck disable=SC2016 # $pid is the sample's text
	printf '%s\n' '@test "a pid in range" {' \
		'	[ "$pid" -gt 1 ] && [ "$pid" -lt 100 ]' \
		'	[ "$pid" -gt 1 ]' \
		'	[[ $pid == 1* ]] && [[ $pid == *0 ]]' \
		'}' >"$BATS_TEST_TMPDIR/sample.bats"
	run negations_that_cannot_fail "$BATS_TEST_TMPDIR/sample.bats"
	assert_output "$BATS_TEST_TMPDIR/sample.bats:2: [ \"\$pid\" -gt 1 ] && [ \"\$pid\" -lt 100 ]"
}
