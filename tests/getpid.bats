#!/usr/bin/env bats
# getpid: the articles' program.

load helpers

@test "getpid prints its own pid, the one its shell had before exec" {
	run sh -c 'echo "pid:$$"; exec getpid'
	assert_success
	assert_line --index 1 "${lines[0]}"
}

@test "-v shows the getpid() call and its result" {
	run --separate-stderr sh -c 'echo $$ >&2; exec getpid -v'
	assert_success
	[ "${stderr_lines[1]}" = "getpid: getpid() = ${stderr_lines[0]}" ]
	assert_output "pid:${stderr_lines[0]}"
}

@test "an argument is a usage error" {
	run --separate-stderr getpid extra
	assert_failure 2
	[ "$stderr" = "getpid: unexpected argument 'extra' (see getpid --help)" ]
}
