#!/usr/bin/env bats
# nspid: one pid per nested pid namespace, outermost first (E9).

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

@test "a process on the host has one level: its pid in our namespace" {
	run nspid $$
	assert_success
	assert_line --index 0 --regexp '^LEVEL +NS +PID$'
	assert_line --index 1 --regexp "^0 +$(ns_of $$ pid) +$$$"
	[ "${#lines[@]}" -eq 2 ]
}

@test "two nested pid namespaces: three levels, each with its inode, 1 innermost" {
	need_root
	start_container -p -f --mount-proc -- nsunshare -p -f --mount-proc ctrkit-test-sleep
	inner=$CTR outer=$(pgrep -P "$NSUNSHARE")
	read -r _ level0 level1 level2 < <(grep NSpid "/proc/$inner/status")
	[ "$level2" = 1 ]
	run nspid -n "$inner"
	assert_success
	assert_line --index 0 --regexp "^0 +$(ns_of $$ pid) +$level0$"
	assert_line --index 1 --regexp "^1 +$(ns_of "$outer" pid) +$level1$"
	assert_line --index 2 --regexp "^2 +$(ns_of "$inner" pid) +1$"
	# From inside the first container, only its own two levels exist.
	# (Its /proc is in the first nsunshare's mount namespace: the inner
	# nsunshare made one of its own.)
	run nsenter-lite -t "$outer" -p --mount="/proc/$NSUNSHARE/ns/mnt" nspid -n "$level1"
	assert_success
	assert_line --index 0 --regexp "^0 +$(ns_of "$outer" pid) +$level1$"
	assert_line --index 1 --regexp "^1 +$(ns_of "$inner" pid) +1$"
	[ "${#lines[@]}" -eq 2 ]
}

@test "-v shows the NS_GET_PARENT walk" {
	need_root
	start_container -p -f
	run --separate-stderr nspid -v "$CTR"
	assert_success
	# after the reads of /proc/PID/status (its NSpid line), up to the
	# read of 0 at its end: the open of the pid namespace, then the
	# first step up
	[[ ${stderr_lines[0]} == "nspid: openat(AT_FDCWD, \"/proc/$CTR/status\", O_RDONLY|O_CLOEXEC) = "[0-9]* ]]
	i=1
	while [[ ${stderr_lines[i]} == "nspid: read("* ]]; do
		i=$((i + 1))
	done
	[[ ${stderr_lines[i - 1]} == "nspid: read("*', "", '*') = 0' ]]
	[[ ${stderr_lines[i]} == "nspid: openat(AT_FDCWD, \"/proc/$CTR/ns/pid\", O_RDONLY|O_CLOEXEC) = "[0-9]* ]]
	[[ ${stderr_lines[i + 1]} == "nspid: ioctl("[0-9]*", NS_GET_PARENT) = "[0-9]* ]]
}

@test "bad input: dead pid 1, bad pid 2, no pid 2" {
	dead=$(sh -c 'echo $$')
	run --separate-stderr nspid "$dead"
	assert_failure 1
	[ "$stderr" = "nspid: no process with pid $dead" ]
	run --separate-stderr nspid x
	assert_failure 2
	[ "$stderr" = "nspid: 'x' is not a pid (see nspid --help)" ]
	run --separate-stderr nspid
	assert_failure 2
	[ "$stderr" = "nspid: give one pid (see nspid --help)" ]
}

@test "-v: every call it prints is one strace -f sees (the status read, the NS_GET_PARENT walk)" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	start_container -p -f --mount-proc -- nsunshare -p -f --mount-proc ctrkit-test-sleep
	strace_v nested nspid -v "$CTR"
	[ "$v_status" -eq 0 ]
	run not_seen nspid nested
	assert_output ""
	strace_v host nspid -v $$
	[ "$v_status" -eq 0 ]
	run not_seen nspid host
	assert_output ""
}
