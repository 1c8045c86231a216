#!/usr/bin/env bats
# nsenter-lite: joining the namespaces of a running container (E11, E26).

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

# A process, HOLDER, in a network namespace of its own, that holds on its
# fd 3 a UDP socket made in another one: the namespace pinned on
# $PINS/socknet (its inode in SOCKNET), where lo is up (lo is down in
# HOLDER's own). Only -N can reach that namespace through HOLDER.
start_socket_holder() {
	[ -n "${PINS:-}" ] || make_pin_dir
	nsunshare --net="$PINS/socknet" ip link set lo up
	SOCKNET=$(stat -L -c %i "$PINS/socknet")
	nsenter-lite --net="$PINS/socknet" bash -c \
		'exec 3<>/dev/udp/127.0.0.1/9 && exec nsunshare -n ctrkit-test-sleep' >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	HOLDER=$(wait_for_sleeper "$!")
	[[ $(readlink "/proc/$HOLDER/fd/3") == socket:* ]]
}

@test "-t PID -n: ip -o link is the same as util-linux nsenter's (E11)" {
	need_root
	start_container -n
	nsenter -t "$CTR" -n ip link add eth0 type veth peer name peer0
	nsenter -t "$CTR" -n ip addr add 192.168.235.196/32 dev eth0
	run nsenter -t "$CTR" -n ip -o addr
	want=$output
	run nsenter-lite -t "$CTR" -n ip -o addr
	assert_success
	assert_output "$want"
	assert_output --partial "inet 192.168.235.196/32 scope global eth0"
	# and the host has no such address
	run ip -o addr
	refute_output --partial 192.168.235.196
}

@test "-a joins every namespace that differs: the command sees what the container sees" {
	need_root
	start_container -m -u -i -n -p -f --mount-proc --hostname=ctr-a
	run nsenter-lite -t "$CTR" -a sh -c 'hostname; ps -e -o pid=,comm= | head -n 1'
	assert_success
	assert_line --index 0 ctr-a
	assert_line --index 1 --regexp '^ *1 sleep$'
}

@test "a second process joined with -a shares all the container's namespaces (E8)" {
	need_root
	start_container -m -u -i -n -p -f --mount-proc
	nsenter-lite -t "$CTR" -a ctrkit-test-sleep >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	second=$(wait_for_sleeper "$!")
	run nscmp -q "$CTR" "$second"
	assert_success
}

@test "-p: the command runs in a child, inside the pid namespace" {
	need_root
	start_container -p -f --mount-proc
	run nsenter-lite -t "$CTR" -p -m getpid
	assert_success
	assert_output --regexp '^pid:[0-9]+$'
	pid=${output#pid:}
	[ "$pid" -gt 1 ]
	[ "$pid" -lt 100 ]
	# -F: no fork, so the command stays in our pid namespace (only its
	# children would go in): the same process, with its host pid.
	run --separate-stderr nsenter-lite -t "$CTR" -p -m -F sh -c 'echo $$; test -e /proc/$$ || echo "not in this /proc"; exec getpid'
	assert_line --index 1 "not in this /proc"
	assert_line --index 2 "pid:${lines[0]}"
}

@test "-v: one setns on a pidfd joins all the namespaces at once" {
	need_root
	start_container -u -n
	run --separate-stderr nsenter-lite -v -t "$CTR" -u -n true
	assert_success
	[[ ${stderr_lines[0]} == "nsenter-lite: pidfd_open($CTR, 0) = "[0-9]* ]]
	fd=${stderr_lines[0]##* = }
	[ "${stderr_lines[1]}" = "nsenter-lite: setns($fd, CLONE_NEWUTS|CLONE_NEWNET) = 0" ]
	# Every fd above 2 is marked close-on-exec before the command runs.
	[ "${stderr_lines[2]}" = "nsenter-lite: close_range(3, 4294967295, CLOSE_RANGE_CLOEXEC) = 0" ]
	[[ ${stderr_lines[3]} == 'nsenter-lite: execve("'*'/true", ["true"], '* ]]
}

@test "-v: every call it prints is one strace -f sees: -t PID, -a -r -w -c, pinned files, --detach, -N, -W" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	start_container -U --map-users=100000,0,65536 --map-groups=100000,0,65536 -m -u -i -n -p -f --mount-proc
	make_pin_dir
	nsunshare --net="$PINS/net" --uts="$PINS/uts" true
	# Several namespaces of a process: one setns on its pidfd, then the fork.
	strace_v target nsenter-lite -v -t "$CTR" -m -u -i -n -p getpid
	[ "$v_status" -eq 0 ]
	# All that differ (its user namespace first), its root and cwd, its cgroups.
	strace_v all nsenter-lite -v -t "$CTR" -a -r -w -c getpid
	[ "$v_status" -eq 0 ]
	# Pinned files: one openat and one setns each.
	strace_v pinned nsenter-lite -v --net="$PINS/net" --uts="$PINS/uts" true
	[ "$v_status" -eq 0 ]
	# runc exec --detach: the launcher joins user and pid, forks, the child
	# the rest. Joining a pid namespace, it runs from a read-only view of
	# itself first: execveat(2) with our arguments, short ones (strace
	# cuts longer ones after 32 bytes).
	cd "$SCRATCH" || return 1
	strace_v detach nsenter-lite -v -t "$CTR" -a --detach --keep-stdio --pidfile=e.pid true
	[ "$v_status" -eq 0 ]
	cd "$OLDPWD" || return 1
	grep -E -x 'nsenter-lite: execveat\([0-9]+, "", \["nsenter-lite", "-v", "-t", .*, AT_EMPTY_PATH\)' "$SCRATCH/detach.v"
	# -N: the socket taken with pidfd_getfd, its namespace with SIOCGSKNS;
	# -W: chdir after the join.
	start_socket_holder
	strace_v socket nsenter-lite -v -t "$HOLDER" -N 3 -m -W /tmp true
	[ "$v_status" -eq 0 ]
	for name in target all pinned detach socket; do
		run not_seen nsenter-lite "$name"
		assert_output ""
	done
	grep -E -x 'nsenter-lite: setns\([0-9]+, CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWPID\|CLONE_NEWNET\) = 0' \
		"$SCRATCH/target.v"
	grep -E -x 'nsenter-lite: chroot\("\."\) = 0' "$SCRATCH/all.v"
	grep -E -x "nsenter-lite: openat\(AT_FDCWD, \"$PINS/uts\", O_RDONLY\|O_CLOEXEC\) = [0-9]+" "$SCRATCH/pinned.v"
	grep -E -x 'nsenter-lite: setns\([0-9]+, CLONE_NEWUSER\|CLONE_NEWPID\) = 0' "$SCRATCH/detach.v"
	grep -E -x 'nsenter-lite: fork\(\) = [0-9]+' "$SCRATCH/detach.v"
	grep -E -x 'nsenter-lite: pidfd_getfd\([0-9]+, 3, 0\) = [0-9]+' "$SCRATCH/socket.v"
	grep -E -x 'nsenter-lite: ioctl\([0-9]+, SIOCGSKNS, NULL\) = [0-9]+' "$SCRATCH/socket.v"
	grep -E -x 'nsenter-lite: chdir\("/tmp"\) = 0' "$SCRATCH/socket.v"
}

@test "--net=FILE joins a pinned namespace, one setns per file" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/net" ip link set lo up
	run --separate-stderr nsenter-lite -v --net="$PINS/net" ip -o link show lo
	assert_success
	assert_output --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
	[[ ${stderr_lines[0]} == "nsenter-lite: openat(AT_FDCWD, \"$PINS/net\", O_RDONLY|O_CLOEXEC) = "[0-9]* ]]
	[[ ${stderr_lines[1]} == "nsenter-lite: setns("[0-9]*", CLONE_NEWNET) = 0" ]]
	umount "$PINS/net"
}

@test "-N FD: the network namespace of the socket the target holds on FD, not the target's own" {
	need_root
	start_socket_holder
	run nsenter-lite -t "$HOLDER" -N 3 sh -c 'readlink /proc/self/ns/net; ip -o link show lo'
	assert_success
	assert_line --index 0 "net:[$SOCKNET]"
	assert_line --index 1 --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
	# -n is the holder's own namespace, where lo is down
	run nsenter-lite -t "$HOLDER" -n sh -c 'readlink /proc/self/ns/net; ip -o link show lo'
	assert_line --index 0 "net:[$(ns_of "$HOLDER" net)]"
	assert_line --index 1 --regexp '^1: lo: <LOOPBACK>'
	[ "$(ns_of "$HOLDER" net)" != "$SOCKNET" ]
	# --net-socket=FD, and with -a (every other namespace of the holder)
	run nsenter-lite -t "$HOLDER" -a --net-socket=3 readlink /proc/self/ns/net
	assert_success
	assert_output "net:[$SOCKNET]"
}

@test "-W DIR is looked up after the join, in the container's mounts, as with util-linux nsenter" {
	need_root
	mkdir -p "$SCRATCH/inside"
	# A directory only the container's mount namespace has.
	start_container -m -- sh -c "mount -t tmpfs ctrkit-test '$SCRATCH/inside' &&
		mkdir '$SCRATCH/inside/only' && exec ctrkit-test-sleep"
	[ ! -e "$SCRATCH/inside/only" ]
	# relative: from / of the joined mount namespace; --wdns=; -r then -W
	for flags in "-W $SCRATCH/inside/only" "-W$SCRATCH/inside/only" "--wdns=$SCRATCH/inside/only" \
		"-W tmp" "-r -W $SCRATCH/inside/only" "-W /"; do
		# shellcheck disable=SC2086 # the flags are words
		run nsenter -t "$CTR" -m $flags pwd
		want_status=$status want_output=$output
		# shellcheck disable=SC2086
		run nsenter-lite -t "$CTR" -m $flags pwd
		[ "$status" -eq "$want_status" ] || { echo "$flags: status $status, nsenter's $want_status"; return 1; }
		[ "$output" = "$want_output" ] || { echo "$flags: '$output', nsenter's '$want_output'"; return 1; }
	done
	run nsenter-lite -t "$CTR" -m -W "$SCRATCH/inside/only" pwd
	assert_output "$SCRATCH/inside/only"
	# -w looks it up before the join, on the host, where it is not
	run nsenter -t "$CTR" -m -w"$SCRATCH/inside/only" pwd
	assert_failure 1
	run --separate-stderr nsenter-lite -t "$CTR" -m -w"$SCRATCH/inside/only" pwd
	assert_failure 1
	[ "$stderr" = "nsenter-lite: cannot open $SCRATCH/inside/only: No such file or directory" ]
}

@test "-r and -W with -S: the chroot and the directory come before the change of user, as with nsenter" {
	need_root
	start_container -m
	mkdir -m 700 "$SCRATCH/private"
	run nsenter -t "$CTR" -m -r -S 65534 -G 65534 -W "$SCRATCH/private" sh -c 'pwd; id -u; id -g'
	want=$output
	assert_success
	run nsenter-lite -t "$CTR" -m -r -S 65534 -G 65534 -W "$SCRATCH/private" sh -c 'pwd; id -u; id -g'
	assert_success
	assert_output "$want"
	assert_output "$(printf '%s\n' "$SCRATCH/private" 65534 65534)"
}

@test "without a command: \$SHELL (else /bin/sh) as a login shell, \$0 '-sh', as with nsenter" {
	need_root
	start_container -u --hostname=shell-ctr
	for tool in nsenter nsenter-lite; do
		# shellcheck disable=SC2016 # the shell's own $0
		run env SHELL=/bin/sh "$tool" -t "$CTR" -u <<<'echo "$0"; hostname'
		assert_success
		assert_output "$(printf '%s\n' -sh shell-ctr)"
		# shellcheck disable=SC2016
		run env -u SHELL "$tool" -t "$CTR" -u <<<'echo "$0"'
		assert_output -- -sh
	done
}

@test "-V is --version, as util-linux nsenter's" {
	run nsenter-lite --version
	assert_success
	want=$output
	run nsenter-lite -V
	assert_success
	assert_output "$want"
	assert_output --regexp '^nsenter-lite \(ctrkit\) [0-9.]+$'
}

@test "-U joins a user namespace and becomes uid 0 there" {
	need_root
	start_container -U --map-users=1000,0,1 --map-groups=1000,0,1
	run nsenter-lite -t "$CTR" -U sh -c 'id -u; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --regexp '^ +0 +1000 +1$'
	run nsenter-lite -t "$CTR" -U --preserve-credentials id -u
	assert_output 65534
}

@test "-r and -w: the target's root and working directory" {
	need_root
	mkdir "$SCRATCH/wd"
	(cd "$SCRATCH/wd" && exec nsunshare -m ctrkit-test-sleep >/dev/null 2>&1 3>&-) &
	CONTAINERS+=("$!")
	CTR=$(wait_for_sleeper "$!")
	run nsenter-lite -t "$CTR" -m -w pwd
	assert_output "$SCRATCH/wd"
	run nsenter-lite -t "$CTR" -m -r -w"$SCRATCH" pwd
	assert_output "$SCRATCH"
}

@test "same results as util-linux nsenter for the same flags" {
	need_root
	start_container -m -u -i -n -p -f --mount-proc --hostname=same
	probe='hostname; id -u; ip -o link | wc -l; ipcs -q | wc -l; readlink /proc/self/ns/*; exit 5'
	for flags in "-u" "-n" "-i" "-m" "-p -m" "-a" "-m -u -i -n -p"; do
		# shellcheck disable=SC2086 # the flags are words
		run nsenter -t "$CTR" $flags sh -c "$probe"
		want_status=$status want_output=$output
		# shellcheck disable=SC2086
		run nsenter-lite -t "$CTR" $flags sh -c "$probe"
		[ "$status" -eq "$want_status" ] || { echo "$flags: status $status, nsenter's $want_status"; return 1; }
		[ "$output" = "$want_output" ] || { echo "$flags:"; echo "$output"; echo "--- nsenter:"; echo "$want_output"; return 1; }
	done
}

@test "the command's status passes through; a signal gives 128+N after the fork" {
	need_root
	start_container -p -f
	run nsenter-lite -t "$CTR" -p sh -c 'exit 9'
	assert_failure 9
	run nsenter-lite -t "$CTR" -p sh -c 'sh -c "kill -KILL \$\$"'
	assert_failure 137
	run -127 nsenter-lite -t "$CTR" -p no-such-command-ctrkit
	touch "$SCRATCH/plain-file"
	run -126 nsenter-lite -t "$CTR" -p "$SCRATCH/plain-file"
}

@test "bad input: one line on stderr, the right status, nothing joined" {
	need_root
	start_container -u
	dead=$(sh -c 'echo $$')
	touch "$SCRATCH/not-a-namespace"
	cases=(
		"2|-n true|which process? give -t PID, or --TYPE=FILE for a pinned namespace (see nsenter-lite --help)*"
		"2|-t abc -n true|'abc' is not a pid (see nsenter-lite --help)*"
		"2|-t|option '-t' needs an argument (see nsenter-lite --help)*"
		"1|-t $dead -n true|no process with pid $dead*"
		"1|--net=$SCRATCH/missing true|cannot open $SCRATCH/missing: No such file or directory*"
		"1|--net=$SCRATCH/not-a-namespace true|setns($SCRATCH/not-a-namespace, CLONE_NEWNET): Invalid argument*"
		"1|--uts=/proc/$CTR/ns/net true|setns(/proc/$CTR/ns/net, CLONE_NEWUTS): Invalid argument*"
		"1|-t $CTR -U true|setns(user, CLONE_NEWUSER): Invalid argument*"
		"2|-a true|--all needs a target (-t PID) (see nsenter-lite --help)*"
		"2|-N 3 true|--net-socket needs a target (-t PID): FD is one of its fds (see nsenter-lite --help)"
		"2|-t $CTR -N three true|--net-socket: 'three' is not a file descriptor number (see nsenter-lite --help)"
		"1|-t $CTR -N 99 true|--net-socket: cannot take fd 99 of process $CTR: Bad file descriptor"
		"1|-t $CTR -N 1 true|--net-socket: no network namespace for fd 1 of process $CTR: Inappropriate ioctl for device (it is not a socket)"
		"2|-t $CTR -m -w/ -W/ true|-w and -W exclude each other: *"
		"1|-t $CTR -m -W$SCRATCH/missing true|--wdns: cannot change to $SCRATCH/missing after the join: No such file or directory"
		"2|-t $CTR -m -W|option '-W' needs an argument (see nsenter-lite --help)*"
	)
	expect_errors nsenter-lite "${cases[@]}"
}

@test "a process you may not enter: as nobody, into root's container" {
	need_root
	tools_for_nobody
	start_container -n
	run --separate-stderr as_nobody nsenter-lite -t "$CTR" -n true
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "nsenter-lite: setns(pidfd of $CTR, CLONE_NEWNET): Operation not permitted (joining needs CAP_SYS_ADMIN"* ]]
	run --separate-stderr as_nobody nsenter-lite --net="/proc/$CTR/ns/net" true
	assert_failure 1
	[[ $stderr == "nsenter-lite: cannot open /proc/$CTR/ns/net: Permission denied"* ]]
}

# A container pivoted into a busybox rootfs: CTR is its pid 1 (sleep).
start_pivoted() {
	busybox_rootfs "$SCRATCH/root"
	nsunshare -p -m -f pivotroot "$SCRATCH/root" sleep 1000 >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	CTR=$(wait_for_sleeper "$!" sleep)
	CONTAINERS+=("$CTR")
}

@test "a program only the container's mount namespace has runs, by path and through PATH, as with nsenter" {
	need_root
	mkdir "$SCRATCH/inside"
	# The container mounts a tmpfs of its own on $SCRATCH/inside, with a
	# program in it: the host sees the empty directory.
	start_container -m -- sh -c "mount -t tmpfs ctrkit-test '$SCRATCH/inside' &&
		printf '#!/bin/sh\necho only inside\n' >'$SCRATCH/inside/onlyhere' &&
		chmod +x '$SCRATCH/inside/onlyhere' && exec ctrkit-test-sleep"
	[ ! -e "$SCRATCH/inside/onlyhere" ]
	for how in "$SCRATCH/inside/onlyhere" onlyhere; do
		run env PATH="$SCRATCH/inside:$PATH" nsenter -t "$CTR" -m "$how"
		assert_success
		assert_output "only inside"
		run env PATH="$SCRATCH/inside:$PATH" nsenter-lite -t "$CTR" -m "$how"
		assert_success
		assert_output "only inside"
	done
}

@test "-r without -w starts at / of the container's root, never in the host's directory" {
	need_root
	start_pivoted
	cd "$SCRATCH"
	run nsenter -t "$CTR" -m -p -r sh -c 'pwd; ls -d bin'
	want=$output
	assert_line --index 0 /
	run nsenter-lite -t "$CTR" -m -p -r sh -c 'pwd; ls -d bin'
	assert_success
	assert_output "$want"
	# Without -m too: the working directory is inside the new root, so
	# ".." cannot climb out of it.
	run nsenter-lite -t "$CTR" -r sh -c 'cd ../../..; pwd; ls /bin/busybox'
	assert_success
	assert_output "$(printf '/\n/bin/busybox')"
}

@test "host directories the caller left open on fds do not reach the command (CVE-2024-21626)" {
	need_root
	start_pivoted
	# The caller holds the host's / and /etc on fds 5 and 7, and a file on 9.
	run bash -c "exec 5</ 7</etc 9<'$BATS_TEST_FILENAME'
		nsenter-lite -t '$CTR' -a sh -c 'ls /proc/\$\$/fd; ls /proc/\$\$/fd/5/ /proc/\$\$/fd/7/'"
	assert_failure
	assert_line --index 0 0
	assert_line --index 1 1
	assert_line --index 2 2
	refute_line 5
	refute_line 7
	refute_line 9
	refute_output --partial passwd
	# --preserve-fds=N passes fds 3 to 3+N-1 on, as runc exec does.
	run bash -c "exec 3</dev/null 4</etc
		nsenter-lite --preserve-fds=2 -t '$CTR' -a sh -c 'ls /proc/\$\$/fd; exit'"
	assert_success
	# (ls alone, not in a pipeline, which holds fds in the shell; and not
	# last, which the shell would exec in its place: then $$ is ls)
	assert_output "$(printf '%s\n' 0 1 2 3 4)"
}

# enter_sleeping TOOL: TOOL (nsenter or nsenter-lite) runs sleep in the
# container CTR's pid namespace, and waits; sets parent to TOOL's pid and
# child to the sleep's.
enter_sleeping() {
	"$1" -t "$CTR" -m -p sleep 300 3>&- &
	parent=$!
	CONTAINERS+=("$parent")
	child=$(wait_for_sleeper "$parent" sleep)
	CONTAINERS+=("$child")
}

@test "SIGTERM to the waiting nsenter-lite reaches the command; both end, 143 as with nsenter" {
	need_root
	start_pivoted
	for tool in nsenter nsenter-lite; do
		enter_sleeping "$tool"
		kill -TERM "$parent"
		st=0
		wait "$parent" || st=$?
		[ "$st" -eq 143 ] || { echo "$tool: status $st"; return 1; }
		if [ "$tool" = nsenter-lite ]; then
			# util-linux leaves the command running; we forwarded the
			# signal, so it is gone.
			for _ in $(seq 30); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
			run ! kill -0 "$child"
		fi
	done
}

@test "when the command stops, nsenter-lite stops too, and SIGCONT wakes both, as with nsenter" {
	need_root
	start_pivoted
	for tool in nsenter nsenter-lite; do
		enter_sleeping "$tool"
		kill -STOP "$child"
		state=
		for _ in $(seq 30); do
			state=$(ps -o stat= -p "$parent")
			[[ $state != T* ]] || break
			sleep 0.1
		done
		[[ $state == T* ]] || { echo "$tool: parent state '$state' after the command stopped"; return 1; }
		kill -CONT "$parent"
		for _ in $(seq 30); do
			state=$(ps -o stat= -p "$child")
			[[ $state == T* ]] || break
			sleep 0.1
		done
		[[ $state != T* ]] || { echo "$tool: the command still stopped"; return 1; }
		kill -KILL "$child"
		st=0
		wait "$parent" || st=$?
		[ "$st" -eq 137 ] || { echo "$tool: status $st"; return 1; }
	done
}

@test "--setsid: the command runs in a child that leads a session of its own, with no controlling terminal; -F excludes it" {
	run script -qec "nsenter-lite --setsid -t $$ -u sh -c 'echo \$\$ \$(cut -d\" \" -f6,7 /proc/self/stat)'" /dev/null
	assert_output --regexp '^([0-9]+) \1 0'
	run nsenter-lite --setsid -F -t $$ -u true
	assert_failure 2
	assert_output "nsenter-lite: --setsid and -F exclude each other: the new session is the child's (see nsenter-lite --help)"
}
