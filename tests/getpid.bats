#!/usr/bin/env bats
# getpid: the articles' program.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

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

@test "-v: every call it prints is one strace -f sees (getpid)" {
	command -v strace >/dev/null || skip "no strace"
	strace_v getpid getpid -v
	[ "$v_status" -eq 0 ]
	run not_seen getpid getpid
	assert_output ""
}
