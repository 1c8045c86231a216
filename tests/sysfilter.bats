#!/usr/bin/env bats
# sysfilter: a seccomp filter on a command (--deny, --errno, Docker's
# profile, OCI profiles), what -v and --show print, and every bad input.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

# profile NAME JSON: writes JSON to $SCRATCH/NAME.
profile() {
	printf '%s\n' "$2" >"$SCRATCH/$1"
}

# ---- --deny and --errno ----

@test "--deny=mkdir,mkdirat: mkdir fails with EPERM and makes nothing" {
	run sysfilter --deny=mkdir,mkdirat -- mkdir "$SCRATCH/x"
	assert_failure 1
	assert_output "mkdir: cannot create directory ‘$SCRATCH/x’: Operation not permitted"
	[ ! -e "$SCRATCH/x" ]
	# the same command without the filter
	run mkdir "$SCRATCH/x"
	assert_success
	[ -d "$SCRATCH/x" ]
}

@test "--errno picks what the denied call returns: ENOSYS, or 13" {
	run sysfilter --errno=ENOSYS --deny=mkdir,mkdirat -- mkdir "$SCRATCH/x"
	assert_failure 1
	assert_output "mkdir: cannot create directory ‘$SCRATCH/x’: Function not implemented"
	run sysfilter --errno=13 --deny=mkdir,mkdirat -- mkdir "$SCRATCH/x"
	assert_output "mkdir: cannot create directory ‘$SCRATCH/x’: Permission denied"
	[ ! -e "$SCRATCH/x" ]
}

@test "the filter passes to children and across execve: a grandchild is denied too" {
	run sysfilter --deny=mkdir,mkdirat -- sh -c "sh -c 'mkdir $SCRATCH/x' 2>&1; echo status \$?"
	assert_output --partial "Operation not permitted"
	assert_line "status 1"
	[ ! -e "$SCRATCH/x" ]
}

@test "the command runs with no_new_privs set and seccomp in filter mode" {
	run sysfilter --deny=mkdir -- grep -E '^(NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status
	assert_success
	assert_output "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1')"
}

# ---- what -v and --show print ----

# Lines of -v that name no call: a rule left out, and why. And the
# seccomp call: the program is in libseccomp's memory, whose address
# sysfilter never sees, so "0x..." stands for it (checked apart).
sysfilter_notes=(': "[a-z0-9_]+" is not a system call on this architecture: skipped$'
	': libseccomp knows no system call "[^"]*": skipped, as runc does$'
	': "[a-z0-9_]+": the default action already: no rule needed$'
	'^seccomp\(SECCOMP_SET_MODE_FILTER, [A-Z_|0]+, \{len=[0-9]+, filter=0x\.\.\.\}\) = 0$')

@test "-v: every call it prints is one strace -f sees: --deny, --profile=docker with --log, --profile=FILE" {
	command -v strace >/dev/null || skip "no strace"
	strace_v deny sysfilter -v --deny=mkdir -- true
	[ "$v_status" -eq 0 ]
	mapfile -t v <"$SCRATCH/deny.v"
	[ "${#v[@]}" -eq 3 ]
	[[ ${v[1]} == 'sysfilter: seccomp(SECCOMP_SET_MODE_FILTER, 0, {len='[1-9]*', filter=0x...}) = 0' ]]
	strace_v docker sysfilter -v --profile=docker --log -- true
	[ "$v_status" -eq 0 ]
	cat >"$SCRATCH/profile.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		 "syscalls": [{"names": ["mkdir", "nosuchcall"], "action": "SCMP_ACT_ERRNO"},
			      {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}
	EOF
	strace_v file sysfilter -v --profile="$SCRATCH/profile.json" -- true
	[ "$v_status" -eq 0 ]
	local run want
	for run in deny docker file; do
		run not_seen sysfilter "$run" "${sysfilter_notes[@]}"
		assert_output ""
		# the seccomp call as strace shows it, the program's address aside
		want=$(sed -n 's/^\(seccomp(SECCOMP_SET_MODE_FILTER, .*{len=.*\)filter=0x[0-9a-f]*}/\1filter=0x...}/p' \
			"$SCRATCH/$run.seen")
		run grep '^sysfilter: seccomp(' "$SCRATCH/$run.v"
		assert_output "sysfilter: $want"
	done
	grep -q '^sysfilter: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, {len=' "$SCRATCH/docker.v"
	grep -q '^sysfilter: openat(AT_FDCWD, "'"$SCRATCH"'/profile.json", O_RDONLY|O_CLOEXEC) = [0-9]*$' "$SCRATCH/file.v"
}

@test "--log: the seccomp call carries SECCOMP_FILTER_FLAG_LOG, and the kernel logs the denied call" {
	need_root
	if pgrep -x auditd >/dev/null; then
		skip "auditd takes the records, not the kernel log"
	fi
	strace -f -qq -e trace=seccomp -o "$SCRATCH/trace" sysfilter -v --log --deny=mkdir -- true 2>"$SCRATCH/v"
	run grep -c 'seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, {len=' "$SCRATCH/trace"
	assert_output 1
	run grep -c 'seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, {len=[0-9]*, filter=0x...}) = 0' "$SCRATCH/v"
	assert_output 1
	# Not logged without --log; then logged, as audit record 1326 with
	# the pid (the shell's, which exec keeps) and mkdir's number, 83.
	quiet=$(sysfilter --deny=mkdir -- sh -c "echo \$\$; exec mkdir $SCRATCH/x 2>/dev/null" || true)
	logged=$(sysfilter --log --deny=mkdir -- sh -c "echo \$\$; exec mkdir $SCRATCH/x 2>/dev/null" || true)
	wait_until sh -c "dmesg | grep -q 'type=1326 .* pid=$logged comm=\"mkdir\" .* syscall=83 '"
	run sh -c "dmesg | grep 'type=1326 .* pid=$quiet '"
	assert_output ""
}

@test "--show prints the filter in pseudo filter code, with the denied calls, and runs nothing" {
	run --separate-stderr sysfilter --deny=mkdir,mkdirat --show -- touch "$SCRATCH/marker"
	assert_success
	assert_line --index 1 '# pseudo filter code start'
	assert_line '  # filter for syscall "mkdir" (83) [priority: 65535]'
	assert_line '  # filter for syscall "mkdirat" (258) [priority: 65535]'
	assert_line '    action ERRNO(1);'
	assert_line '  action ALLOW;'
	[ ! -e "$SCRATCH/marker" ]
	run sysfilter --profile=docker --show
	assert_line '  # filter for syscall "unshare" (272) [priority: 65535]'
	assert_line '    action ERRNO(38);'
}

# ---- --profile=docker ----

@test "--profile=docker: unshare -U fails with EPERM; without the filter it works" {
	need_root
	run unshare -U true
	assert_success
	run sysfilter --profile=docker -- unshare -U true
	assert_failure 1
	assert_output "unshare: unshare failed: Operation not permitted"
}

@test "--profile=docker: a shell, ls and fork run; mount, setns, pivot_root do not" {
	need_root
	run sysfilter --profile=docker -- sh -c 'ls / >/dev/null && (echo forked) && echo ok'
	assert_success
	assert_output "$(printf '%s\n' forked ok)"
	mkdir "$SCRATCH/m"
	run sysfilter --profile=docker -- nsunshare -m mount -t tmpfs none "$SCRATCH/m"
	assert_failure 1
	assert_output --partial "Operation not permitted"
	run sysfilter --profile=docker -- mount -t tmpfs none "$SCRATCH/m"
	assert_failure
	assert_output --partial "permission denied"
	run sysfilter --profile=docker -- nsenter -t $$ -m true
	assert_failure
	assert_output --partial "Operation not permitted"
	run grep -c " $SCRATCH/m " /proc/self/mountinfo
	assert_output 0
}

@test "--profile=docker: clone with a CLONE_NEW* flag is denied, plain clone is not, clone3 says ENOSYS" {
	need_root
	cat >"$SCRATCH/clone.c" <<-'EOF'
		#define _GNU_SOURCE
		#include <errno.h>
		#include <sched.h>
		#include <signal.h>
		#include <stdio.h>
		#include <string.h>
		#include <sys/syscall.h>
		#include <sys/wait.h>
		#include <unistd.h>
		static void try(const char *what, long flags)
		{
			long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
			if (pid == 0)
				_exit(0);
			if (pid > 0)
				waitpid((pid_t)pid, NULL, 0);
			printf("%s: %s\n", what, pid > 0 ? "ok" : strerror(errno));
		}
		int main(void)
		{
			char args[88] = { 0 };
			try("clone", 0);
			try("clone CLONE_NEWUTS", CLONE_NEWUTS);
			try("clone CLONE_NEWUSER", CLONE_NEWUSER);
			long r = syscall(SYS_clone3, args, sizeof(args));
			if (r == 0)
				_exit(0);
			printf("clone3: %s\n", r > 0 ? "ok" : strerror(errno));
			return 0;
		}
	EOF
	gcc -O2 -o "$SCRATCH/clone" "$SCRATCH/clone.c"
	run "$SCRATCH/clone"
	assert_output "$(printf '%s\n' 'clone: ok' 'clone CLONE_NEWUTS: ok' 'clone CLONE_NEWUSER: ok' 'clone3: ok')"
	run sysfilter --profile=docker -- "$SCRATCH/clone"
	assert_output "$(printf '%s\n' 'clone: ok' 'clone CLONE_NEWUTS: Operation not permitted' \
		'clone CLONE_NEWUSER: Operation not permitted' 'clone3: Function not implemented')"
}

@test "in a busybox container, sysfilter from a volume: unshare -U and mount fail under Docker's profile" {
	need_root
	if ldd "$CTRKIT_BIN/sysfilter" >/dev/null 2>&1; then
		skip "this sysfilter is linked dynamically (the sanitizer build): a busybox rootfs has no libraries"
	fi
	busybox_rootfs "$SCRATCH/root"
	run nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		sh -c 'unshare -U true && echo unshared'
	assert_success
	assert_output unshared
	run nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		/.ctrkit/sysfilter --profile=docker -- sh -c 'unshare -U true; mount -t tmpfs none /tmp; ls / | wc -l; echo ok'
	assert_success
	assert_output "$(printf '%s\n' 'unshare: unshare(0x10000000): Operation not permitted' \
		'mount: permission denied (are you root?)' 12 ok)"
}

# ---- --profile=FILE: the OCI runtime-spec's linux.seccomp ----

@test "an OCI profile: errnoRet 13 on mkdir and mkdirat gives Permission denied" {
	profile p.json '{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [ { "names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ]
	}'
	run sysfilter --profile="$SCRATCH/p.json" -- mkdir "$SCRATCH/x"
	assert_failure 1
	assert_output "mkdir: cannot create directory ‘$SCRATCH/x’: Permission denied"
	[ ! -e "$SCRATCH/x" ]
}

@test "an OCI profile in a whole config.json: its linux.seccomp, an allowlist with an argument test" {
	# An allowlist as Docker's is: everything else fails with EPERM. It
	# must allow what sysfilter itself does once the filter is on: write
	# (the -v lines) and execve. personality is allowed for 0xffffffff
	# (a query) only.
	profile config.json '{ "ociVersion": "1.0.2", "process": {}, "linux": { "seccomp": {
		"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [ { "names": ["no_such_call_anywhere", "mkdir", "mkdirat", "unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 },
			{ "names": ["personality"], "action": "SCMP_ACT_ALLOW",
			  "args": [ { "index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ" } ] },
			{ "names": ["execve", "brk", "mmap", "munmap", "mprotect", "arch_prctl", "set_tid_address",
				"set_robust_list", "rseq", "prlimit64", "getrandom", "access", "openat", "newfstatat",
				"fstat", "read", "pread64", "close", "write", "exit_group", "uname", "readlink",
				"getuid", "geteuid", "getgid", "getegid", "getppid", "getpid", "rt_sigaction",
				"rt_sigprocmask", "rt_sigreturn", "ioctl", "fcntl", "dup2", "getcwd", "wait4",
				"clone", "vfork", "fork", "exit", "statx", "lseek", "dup", "sysinfo"],
			  "action": "SCMP_ACT_ALLOW", "comment": "enough for busybox sh" },
			{ "names": ["sigaltstack"], "action": "SCMP_ACT_ALLOW",
			  "comment": "the sanitizer build of sysfilter calls it before execve" } ] } } }'
	run sysfilter -v --profile="$SCRATCH/config.json" -- busybox sh -c "mkdir $SCRATCH/x; busybox linux32 true; echo done"
	assert_success
	assert_line "mkdir: can't create directory '$SCRATCH/x': Function not implemented"
	assert_line --partial "Operation not permitted"
	assert_line "done"
	assert_line 'sysfilter: linux.seccomp.syscalls[0]: libseccomp knows no system call "no_such_call_anywhere": skipped, as runc does'
	[ ! -e "$SCRATCH/x" ]
}

@test "SCMP_ACT_KILL_PROCESS kills the command with SIGSYS: status 159" {
	profile kill.json '{ "defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS" } ] }'
	ulimit -c 0 # no core file in the test's directory
	run sysfilter --profile="$SCRATCH/kill.json" -- mkdir "$SCRATCH/x"
	assert_failure 159
	[ ! -e "$SCRATCH/x" ]
	# a shell sees its child end so
	run sysfilter --profile="$SCRATCH/kill.json" -- sh -c "mkdir $SCRATCH/x; echo status \$?"
	assert_success
	assert_line "status 159"
}

# ---- rootless ----

@test "rootless: as nobody, and as root of a user namespace, thanks to no_new_privs" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	run as_nobody sysfilter --deny=mkdir,mkdirat -- mkdir "$SCRATCH/x"
	assert_failure 1
	assert_output "mkdir: cannot create directory ‘$SCRATCH/x’: Operation not permitted"
	run as_nobody unshare -Ur sysfilter --deny=mkdir,mkdirat -- sh -c "id -u; mkdir $SCRATCH/x"
	assert_failure 1
	assert_output "$(printf '%s\n' 0 "mkdir: cannot create directory ‘$SCRATCH/x’: Operation not permitted")"
	[ ! -e "$SCRATCH/x" ]
	run as_nobody sysfilter --profile=docker -- unshare -Ur true
	assert_failure 1
	assert_output "unshare: unshare failed: Operation not permitted"
	# the same, without the filter
	run as_nobody unshare -Ur mkdir "$SCRATCH/x"
	assert_success
}

# ---- bad input: one line, nothing runs ----

@test "bad options and bad profiles: one line on stderr, and the command never runs" {
	S=$SCRATCH M=$SCRATCH/marker
	profile syntax.json $'{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO" }, ]\n}'
	profile cut.json '{ "defaultAction": "SCMP_ACT_ALLOW"'
	profile action.json '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_DENY" } ] }'
	profile listener.json '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock" }'
	profile notify.json '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOTIFY" } ] }'
	profile flags.json '{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC"] }'
	profile type.json '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": "mkdir", "action": "SCMP_ACT_ERRNO" } ] }'
	profile docker.json '{ "defaultAction": "SCMP_ACT_ERRNO", "archMap": [] }'
	profile field.json '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errno": 2 } ] }'
	profile empty.json ''
	expect_errors sysfilter \
		"2|--deny=mkdri -- touch $M|--deny: no system call named 'mkdri' (see sysfilter --help)" \
		"2|--deny=mkdir,,rmdir -- touch $M|--deny: 'mkdir,,rmdir' is not a list of system call names (see sysfilter --help)" \
		"2|--errno=EBOGUS --deny=mkdir -- touch $M|--errno: 'EBOGUS' is not an errno name (EPERM, ENOSYS...) or a number up to 4095 (see sysfilter --help)" \
		"2|--errno=4096 --deny=mkdir -- touch $M|--errno: '4096' is not an errno name (EPERM, ENOSYS...) or a number up to 4095 (see sysfilter --help)" \
		"2|--deny=mkdir|give the command to run (or --show to print the filter) (see sysfilter --help)" \
		"2|touch $M|nothing to filter: give --profile or --deny (see sysfilter --help)" \
		"2|--profile=docker --profile=$S/p.json touch $M|--profile: give one profile (see sysfilter --help)" \
		"1|--profile=$S/none.json -- touch $M|cannot read the profile $S/none.json: No such file or directory" \
		"1|--profile=$S -- touch $M|cannot read the profile $S: Is a directory" \
		"1|--profile=$S/syntax.json -- touch $M|$S/syntax.json: invalid JSON at line 3, column 69: unexpected character" \
		"1|--profile=$S/cut.json -- touch $M|$S/cut.json: invalid JSON at line 2, column 1: unexpected end of data" \
		"1|--profile=$S/empty.json -- touch $M|$S/empty.json: invalid JSON at line 2, column 1: unexpected end of data" \
		"1|--profile=$S/action.json -- touch $M|$S/action.json: seccomp.syscalls[0]: unknown action 'SCMP_ACT_DENY'" \
		"1|--profile=$S/listener.json -- touch $M|$S/listener.json: seccomp: 'listenerPath' is not supported: it sends SCMP_ACT_NOTIFY's fd to an agent, and sysfilter has none" \
		"1|--profile=$S/notify.json -- touch $M|$S/notify.json: seccomp.syscalls[0]: SCMP_ACT_NOTIFY is not supported: it waits for an agent listening on the filter's notify fd, and sysfilter has none" \
		"1|--profile=$S/flags.json -- touch $M|$S/flags.json: seccomp.flags[0]: flag 'SECCOMP_FILTER_FLAG_TSYNC' is not supported (SECCOMP_FILTER_FLAG_LOG and SECCOMP_FILTER_FLAG_SPEC_ALLOW are)" \
		"1|--profile=$S/type.json -- touch $M|$S/type.json: seccomp.syscalls[0]: 'names' is a JSON string, not an array" \
		"1|--profile=$S/docker.json -- touch $M|$S/docker.json: seccomp: 'archMap' is Docker's own profile format, not the OCI runtime-spec's (Docker converts it before runc reads it)" \
		"1|--profile=$S/field.json -- touch $M|$S/field.json: seccomp.syscalls[0]: unknown field 'errno' (not in the OCI runtime-spec's linux.seccomp)"
	[ ! -e "$M" ]
}

@test "a command that is not there gives 127, one the filter forbids to execute 126" {
	run -127 --separate-stderr sysfilter --deny=mkdir -- no-such-command-ctrkit
	[ "$stderr" = "sysfilter: failed to execute no-such-command-ctrkit: command not found" ]
	run -126 --separate-stderr sysfilter --deny=execve -- true
	[ "$stderr" = "sysfilter: failed to execute true: Operation not permitted" ]
}
