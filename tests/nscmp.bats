#!/usr/bin/env bats
# nscmp: same or differ, for each kind of namespace (E7, E8).

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

@test "a container differs from the shell in exactly the kinds it unshared (E7)" {
	need_root
	start_container -m -u -i -n -p -f
	run nscmp "$CTR" $$
	assert_failure 1
	assert_line --index 0 --regexp "^TYPE +RESULT +$CTR +$$$"
	for kind in ipc mnt net pid pid_for_children uts; do
		assert_line --regexp "^$kind +differ +$(ns_of "$CTR" "$kind") +$(ns_of $$ "$kind")$"
	done
	for kind in cgroup time time_for_children user; do
		assert_line --regexp "^$kind +same +$(ns_of $$ "$kind") +$(ns_of $$ "$kind")$"
	done
}

@test "two processes of one container: all the same, status 0 (E8)" {
	need_root
	start_container -m -u -i -n -p -f
	nsenter-lite -t "$CTR" -a ctrkit-test-sleep >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	second=$(wait_for_sleeper "$!")
	run nscmp "$CTR" "$second"
	assert_success
	refute_output --partial differ
	[ "${#lines[@]}" -eq 11 ]
}

@test "PID2 defaults to nscmp itself, in the shell's namespaces" {
	run nscmp $$
	assert_success
	run nscmp -q $$
	assert_success
	assert_output ""
}

@test "-q: only the status, 1 when something differs" {
	need_root
	start_container -u
	run nscmp -q "$CTR"
	assert_failure 1
	assert_output ""
}

@test "after unshare -p without fork, only pid_for_children differs" {
	need_root
	start_container -p
	run nscmp "$CTR" $$
	assert_line --regexp '^pid +same '
	assert_line --regexp '^pid_for_children +differ '
}

@test "trouble exits 2 with one line: dead pid, bad pid, no pid, one too many" {
	dead=$(sh -c 'echo $$')
	cases=(
		"2|$dead|no process with pid $dead"
		"2|abc|'abc' is not a pid (see nscmp --help)"
		"2||give one or two pids (see nscmp --help)"
		"2|1 2 3|give one or two pids (see nscmp --help)"
	)
	expect_errors nscmp "${cases[@]}"
}

@test "a process nobody may inspect: trouble, with a hint" {
	need_root
	tools_for_nobody
	start_container -u
	run --separate-stderr as_nobody nscmp "$CTR"
	assert_failure 2
	[ "$stderr" = "nscmp: cannot read /proc/$CTR/ns/cgroup: Permission denied (run as root)" ]
}

@test "root refused all the same (here: without CAP_SYS_PTRACE, facing a process with more capabilities) gets no 'run as root' hint" {
	need_root
	tools_for_nobody
	start_container -u
	run --separate-stderr capdrop --drop=SYS_PTRACE,DAC_READ_SEARCH,DAC_OVERRIDE -- "$(command -v nscmp)" "$CTR"
	assert_failure 2
	[ "$stderr" = "nscmp: cannot read /proc/$CTR/ns/cgroup: Permission denied" ]
}

@test "-v: every call it prints is one strace -f sees (a newfstatat per link, the kill of a kind this kernel lacks)" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	start_container -m -u -i -n -p -f
	strace_v two nscmp -v "$CTR" $$
	[ "$v_status" -eq 1 ]
	run not_seen nscmp two
	assert_output ""
	# glibc's stat(2) is newfstatat, and strace shows the mode and size
	grep -F -x "nscmp: newfstatat(AT_FDCWD, \"/proc/$CTR/ns/net\", {st_mode=S_IFREG|0444, st_size=0, ...}, 0) = 0" "$SCRATCH/two.v"
	strace_v one nscmp -v $$
	[ "$v_status" -eq 0 ]
	run not_seen nscmp one
	assert_output ""
}
