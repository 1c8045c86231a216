#!/usr/bin/env bats
# lsns-lite: the namespaces on the machine, as util-linux lsns lists them (E10).
# Where util-linux 2.38's lsns has the feature, the output is compared with
# it byte for byte, on namespaces the test makes (-p PID or NS: never what
# else runs on the machine); where only later versions have it (-Q, the
# namespaces an fd or a socket holds), with util-linux's own tests' results.

load helpers

setup() {
	make_scratch
	# Both tools draw the tree in UTF-8 only in a UTF-8 locale.
	export LC_ALL=C.UTF-8
}

teardown() {
	cleanup_scratch
}

# same_as_lsns ARGS...: lsns-lite ARGS and lsns ARGS print the same (stdout
# and stderr, the tool's name aside) and exit with the same status. lsns
# 2.38 prints nothing and fails when a process ends while it reads /proc
# (fixed later): it gets three tries.
same_as_lsns() {
	local lite lsns lite_status=0 lsns_status
	lite=$(lsns-lite "$@" 2>&1) || lite_status=$?
	for _ in 1 2 3; do
		lsns_status=0
		lsns=$(lsns "$@" 2>&1) || lsns_status=$?
		lsns=${lsns//lsns: /lsns-lite: }
		[ "$lite" != "$lsns" ] || [ "$lite_status" -ne "$lsns_status" ] || return 0
	done
	echo "lsns-lite $* (status $lite_status) is not lsns (status $lsns_status):"
	diff <(printf '%s\n' "$lite") <(printf '%s\n' "$lsns")
	return 1
}

# A process in each of the eight kinds of new namespace, pid 1 of its pid
# namespace under nsunshare (which shares the other six with it).
start_all_new() {
	start_container -U -r -m -u -i -n -p -C -T -f --mount-proc
}

@test "a container's namespaces: the same output as util-linux lsns, in every format" {
	need_root
	start_all_new
	for args in "" -l -n -r -J -u -W "-o +PATH" "-o NS,TYPE,PNS,ONS" --output-all "-t net" \
		"-t pid -t user" "-r -t net" "-J -l" "-n -o NS,PPID,UID,PATH"; do
		# shellcheck disable=SC2086 # args are words
		same_as_lsns $args -p "$CTR"
	done
	# The process tree: the line of pid 1 (its pid namespace) under the
	# last line of its parent nsunshare (the ipc namespace, made before).
	run lsns-lite -n -o TYPE,COMMAND -p "$CTR"
	assert_line --index 3 --regexp '^ipc +nsunshare '
	assert_line --index 4 --regexp '^pid +└─ctrkit-test-sleep 1000$'
	run lsns-lite -n -l -o TYPE,COMMAND -p "$CTR"
	assert_line --index 4 --regexp '^pid +ctrkit-test-sleep 1000$'
}

@test "-T: owner (the default), parent, process trees as util-linux lsns draws them" {
	need_root
	start_all_new
	# Without NPROCS: the tree shows the machine's own user namespace too.
	for args in -T -Towner --tree=owner -Tparent -Tprocess "-r -T" "-J -T" "-J -Tparent" "-t user -t pid -Tparent"; do
		# shellcheck disable=SC2086 # args are words
		same_as_lsns $args -o NS,TYPE,PID,USER,COMMAND -p "$CTR"
	done
	# Outside a UTF-8 locale, both draw in ASCII.
	LC_ALL=C same_as_lsns -T -o NS,TYPE,PID -p "$CTR"
	run env LC_ALL=C lsns-lite -T -n -o NS,TYPE -t net -t user -p "$CTR"
	assert_line --regexp '^  `-[0-9]+ +net$'
}

@test "-T parent: nested pid and user namespaces, by NS_GET_PARENT" {
	need_root
	start_container -U -r -p -f -- nsunshare -U -r -p -f ctrkit-test-sleep
	inner=$CTR outer=$(pgrep -P "$NSUNSHARE")
	run lsns-lite -Tparent -t pid -o NS,PID
	assert_success
	outer_ns=$(ns_of "$outer" pid) inner_ns=$(ns_of "$inner" pid) host_ns=$(ns_of $$ pid)
	assert_line --regexp "^$host_ns "
	assert_line --regexp "^[├└]─$outer_ns +$outer$"
	assert_line --regexp "^[│ ] └─$inner_ns +$inner$"
	run lsns-lite -n -r -o NS,PNS -t pid -p "$inner"
	assert_output "$inner_ns $outer_ns"
	# unshare(CLONE_NEWUSER) moves the caller: the outer user namespace
	# is the one the first nsunshare moved into.
	run lsns-lite -n -r -o NS,ONS -t user -p "$inner"
	assert_output "$(ns_of "$inner" user) $(ns_of "$NSUNSHARE" user)"
	# A kind with no parent has PNS 0, as in lsns.
	run lsns-lite -n -r -o PNS -t uts -p "$inner"
	assert_output 0
}

@test "lsns-lite NS: the processes in it, as a tree; an unknown NS is 'not found namespace'" {
	need_root
	start_container -U -r -u -p -f -- sh -c 'ctrkit-test-sleep & exec ctrkit-test-sleep'
	ns=$(ns_of "$CTR" uts)
	# Both sleepers run (the first may not have become one yet).
	sleepers() { [ "$(lsns-lite -l -n -r -o COMMAND "$ns" | grep -c '^ctrkit-test-sleep')" -eq 2 ]; }
	wait_until sleepers
	for args in "" -l -r -J -n "-o +PATH,NPROCS" -T; do
		# shellcheck disable=SC2086 # args are words
		same_as_lsns $args "$ns"
	done
	# nsunshare, its child (pid 1 inside), and that one's child.
	run lsns-lite -n -o PID,PPID,COMMAND "$ns"
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp "^ *$NSUNSHARE +[0-9]+ nsunshare "
	assert_line --index 1 --regexp "^ *[0-9]+ +$NSUNSHARE └─ctrkit-test-sleep 1000$"
	child=$(echo "${lines[1]}" | awk '{ print $1 }')
	assert_line --index 2 --regexp "^ *[0-9]+ +$child   └─ctrkit-test-sleep 1000$"
	same_as_lsns 1
	run --separate-stderr lsns-lite 1
	assert_failure 1
	assert_equal "$stderr" "lsns-lite: not found namespace: 1"
	# The NS must be of a kind -t lets in.
	run --separate-stderr lsns-lite -t net "$ns"
	assert_failure 1
}

@test "-r: blanks, backslashes and bytes beyond ASCII as \\xNN, so that each line splits back into its cells" {
	need_root
	start_container -u -f -- sh -c 'exec ctrkit-test-sleep' "a b	c\\d é"
	same_as_lsns -r -t uts -p "$CTR"
	same_as_lsns -t uts -p "$CTR"
	run lsns-lite -r -n -o COMMAND,PID -t uts -p "$CTR"
	assert_output "nsunshare\\x20-u\\x20-f\\x20--\\x20sh\\x20-c\\x20exec\\x20ctrkit-test-sleep\\x20a\\x20b\\x09c\\x5cd\\x20\\xc3\\xa9 $NSUNSHARE"
	# In a table, only the tab is escaped.
	run lsns-lite -n -o COMMAND -t uts -p "$CTR"
	assert_output "nsunshare -u -f -- sh -c exec ctrkit-test-sleep a b\\x09c\\d é"
	run lsns-lite -r -n --output-all -t uts -p "$CTR"
	[ "$(echo "$output" | awk -F '[ ]' '{ print NF }')" -eq 13 ]
}

@test "NSFS: a namespace pinned twice, one path a line (or comma-separated with -W, -r), as lsns" {
	need_root
	make_pin_dir
	start_container -n --net="$PINS/a"
	touch "$PINS/b c"
	mount --bind "$PINS/a" "$PINS/b c"
	for args in "-t net" "-t net -W" "-t net -r" "-t net -J" "-t net -J -W" "-n -o NSFS,NS -t net"; do
		# shellcheck disable=SC2086 # args are words
		same_as_lsns $args -p "$CTR"
	done
	# util-linux's tests/ts/lsns/nsfs
	run lsns-lite -n -o NSFS -t net -p "$CTR"
	assert_output "$PINS/a
$PINS/b c"
	run lsns-lite -n -o NSFS --nowrap -t net -p "$CTR"
	assert_output "$PINS/a,$PINS/b c"
}

@test "a pinned network namespace is listed, held by a process or not (E10)" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/idle" true
	start_container -n --net="$PINS/busy"
	idle=$(stat -L -c %i "$PINS/idle")
	run lsns-lite -t net -n -r -o NS,NPROCS,PID,USER,NSFS
	assert_success
	assert_line "$idle 0  root $PINS/idle"
	assert_line "$(ns_of "$CTR" net) 1 $CTR root $PINS/busy"
	run lsns-lite -J -t net
	echo "$output" | jq -e --arg p "$PINS/idle" '.namespaces[] | select(.nsfs == $p) | .nprocs == 0 and .pid == null and .command == null'
	echo "$output" | jq -e '.namespaces[0].ns | type == "number"'
	stop_containers
	umount "$PINS/idle" "$PINS/busy"
	run lsns-lite -t net -o NSFS
	refute_output --partial "$PINS"
}

@test "default columns, as the articles show them: NETNSID and NSFS with -t net" {
	need_root
	run lsns-lite -t uts
	assert_success
	assert_line --index 0 --regexp '^ +NS TYPE +NPROCS +PID +USER +COMMAND$'
	assert_line --index 1 --regexp "^ *$(ns_of $$ uts) uts +[0-9]+ +[0-9]+ root"
	run lsns-lite -t net -t uts
	assert_line --index 0 --regexp '^ +NS TYPE +NPROCS +PID +USER +NETNSID +NSFS +COMMAND$'
}

# util-linux's tests/ts/lsns/netnsid and netnsid-for-persistent-namespaces:
# the id a network namespace has in ours (ip's link-netnsid), also for one
# only a pin holds. The ids live in the namespace that looks: a veth pair
# between two namespaces of the test's own gives each an id in the other.
@test "NETNSID: the id of a network namespace in ours, as ip link shows it, pinned or not" {
	need_root
	make_pin_dir
	start_container -n --net="$PINS/a"
	a=$CTR
	nsunshare --net="$PINS/b" true
	nsenter-lite --net="$PINS/b" ctrkit-test-sleep 3>&- &
	CONTAINERS+=("$!")
	b=$(wait_for_sleeper "$!")
	in_ctr "$a" ip link add v0 type veth peer name v1 netns "$b"
	id=$(in_ctr "$a" ip -o link show v0 | sed -n 's/.* link-netnsid \([0-9]*\).*/\1/p')
	[ -n "$id" ]
	run in_ctr "$a" lsns-lite -n -r -o NETNSID -t net -p "$b"
	assert_output "$id"
	run in_ctr "$a" lsns -n -r -o NETNSID -t net -p "$b"
	assert_output "$id"
	run in_ctr "$a" lsns-lite -n -r -o NETNSID -t net -p "$a"
	assert_output unassigned
	stop_containers
	run nsenter-lite --net="$PINS/a" lsns-lite --raw --noheadings -Q "NETNSID == '$id'" -o TYPE,NPROCS,NETNSID,NSFS
	assert_output "net 0 $id $PINS/b"
}

# util-linux's tests/ts/lsns/filedesc and netns-from-sock: a namespace no
# process is in and no file pins, held by an fd on it, or by a socket made
# in it (found by SIOCGSKNS on the socket, copied with pidfd_getfd). The
# holder moves back to ours with util-linux nsenter, which keeps its fds
# (nsenter-lite closes those above 2 before it runs a command).
@test "a network namespace only an fd or a socket holds: NPROCS 0, no PID, user root" {
	need_root
	nsunshare -n -- bash -c "stat -L -c %i /proc/self/ns/net >'$SCRATCH/fd.ns'
		exec 3</proc/self/ns/net; exec nsenter --net=/proc/$$/ns/net ctrkit-test-sleep" 3>&- &
	CONTAINERS+=("$!")
	CTR=$(wait_for_sleeper "$!")
	nsunshare -n --loopback -- bash -c "stat -L -c %i /proc/self/ns/net >'$SCRATCH/sock.ns'
		exec 4<>/dev/udp/127.0.0.1/9; exec nsenter --net=/proc/$$/ns/net ctrkit-test-sleep" 3>&- &
	CONTAINERS+=("$!")
	CTR=$(wait_for_sleeper "$!")
	fd_ns=$(cat "$SCRATCH/fd.ns") sock_ns=$(cat "$SCRATCH/sock.ns")
	run lsns-lite -n --raw -o TYPE,NPROCS,USER -Q "NS == $fd_ns"
	assert_output "net 0 root"
	declare -A want=([NS]=$sock_ns [TYPE]=net [NPROCS]=0 [PID]="" [USER]=root [COMMAND]="")
	for column in NS TYPE NPROCS PID USER COMMAND; do
		run lsns-lite --noheadings --raw --output "$column" --filter "NS == $sock_ns"
		assert_success
		assert_output "${want[$column]}"
	done
	# Not a kind asked for: not listed.
	run lsns-lite -n -t uts -Q "NS == $sock_ns"
	assert_output ""
}

@test "-Q: columns, literals and operators as libsmartcols reads them" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/idle" true
	start_container -u -i
	uts=$(ns_of "$CTR" uts)
	# util-linux's tests/ts/lsns/filter
	for opt in -Q --filter; do
		run lsns-lite -n --raw -o PID "$opt" "NS == $uts && NPROCS == 1"
		assert_output "$CTR"
	done
	# && and || bind alike, left to right: (uts || ipc) && PID.
	run lsns-lite -n -r -o TYPE -Q "TYPE == \"uts\" || TYPE == 'ipc' && PID == $CTR"
	assert_output "uts
ipc"
	run lsns-lite -n -r -o TYPE -Q "PID eq $CTR and not (TYPE ne 'uts')"
	assert_output uts
	# A column against a literal compares in the literal's type.
	run lsns-lite -n -r -o TYPE -Q "NS == 0$uts"
	assert_output uts
	run lsns-lite -n -r -o TYPE -Q "NS == \"0$uts\""
	assert_output ""
	run lsns-lite -n -r -o TYPE -Q "NS == \" $uts \" && 1K == 1024 && NS > 1.5"
	assert_output uts
	# Regular expressions (extended), and an empty cell.
	run lsns-lite -n -r -o TYPE -Q "COMMAND =~ \"^ctrkit-test-s\" && PID == $CTR && TYPE !~ 'i.c'"
	assert_output uts
	run lsns-lite -n -r -o NSFS -Q "!PID && NSFS =~ '$PINS'"
	assert_output "$PINS/idle"
	run lsns-lite -n -r -o NSFS -Q "PID > 0 && NSFS =~ '$PINS'"
	assert_output ""
	# A filter on a column not shown reads it all the same.
	run lsns-lite -n -r -o NS -Q "USER == 'root' && COMMAND == 'ctrkit-test-sleep 1000' && TYPE == \"ipc\" && PID == $CTR"
	assert_output "$(ns_of "$CTR" ipc)"
}

@test "bad input: one line on stderr; usage errors exit 2, filter errors 1 as in lsns" {
	cases=(
		"2|-t bogus|unknown namespace type 'bogus' (mnt net ipc user pid uts cgroup time) (see lsns-lite --help)"
		"2|-o NS,BOGUS|unknown column 'BOGUS' (see lsns-lite --help)"
		"2|-o +BOGUS|unknown column 'BOGUS' (see lsns-lite --help)"
		"2|--tree=sideways|--tree: 'sideways' is not owner, parent or process (see lsns-lite --help)"
		"2|-p x|'x' is not a pid (see lsns-lite --help)"
		"2|notanumber|'notanumber' is not a namespace inode number (see lsns-lite --help)"
		"2|-J -r|--json and --raw cannot be used together (see lsns-lite --help)"
		"2|-p 1 4026531836|--task and a namespace NS cannot be used together (see lsns-lite --help)"
		"1|-Q NS==|failed to parse \"NS==\": syntax error, unexpected end of file"
		"1|-Q (NS|failed to parse \"(NS\": syntax error, unexpected end of file"
		"1|-Q NS=5|failed to parse \"NS=5\": syntax error, unexpected character '='"
		"1|-Q NS==1==|failed to parse \"NS==1==\": syntax error, unexpected end of file"
		"1|-Q )|failed to parse \")\": syntax error, unexpected ')'"
		"1|-Q BOGUS|failed to initialize filter: unknown column: BOGUS"
		"1|-Q TYPE=~NS|failed to parse \"TYPE=~NS\": the right side of =~ must be a string"
		"1|-Q TYPE=~'('|failed to parse \"TYPE=~'('\": Unmatched ( or \\("
		"1|-Q TYPE==99999999999999999999K|failed to parse \"TYPE==99999999999999999999K\": \"99999999999999999999K\" number too large"
		"1|-Q TYPE==1|failed to apply filter: \"*"
	)
	expect_errors lsns-lite "${cases[@]}"
}

@test "on a terminal COMMAND is cut to fit, as lsns cuts it; not with -u" {
	need_root
	command -v script >/dev/null || skip "no script(1)"
	start_container -u -f -- sh -c 'exec ctrkit-test-sleep' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	for cols in 100 60 30; do
		for args in "-t uts" "-t uts -u" "-t uts -o NS,COMMAND,PID"; do
			lite=$(script -qec "stty cols $cols; lsns-lite $args -p $CTR" /dev/null | tr -d '\r')
			lsns=$(script -qec "stty cols $cols; lsns $args -p $CTR" /dev/null | tr -d '\r')
			assert_equal "$lite" "$lsns"
		done
	done
	[ "$(script -qec "stty cols 60; lsns-lite -t uts -p $CTR" /dev/null | tr -d '\r' | awk 'NR == 2 { print length }')" -eq 60 ]
}

# ---- -v ----

# proc_fd NAME: the fd that NAME's -v says open("/proc") returned.
proc_fd() {
	sed -n 's/^lsns-lite: openat(AT_FDCWD, "\/proc", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = \([0-9]\+\)$/\1/p' "$SCRATCH/$1.v" | grep .
}

@test "-v: every call it prints is one strace -f sees: links, fds, sockets, nsfs ioctls, netlink" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	make_pin_dir
	nsunshare --net="$PINS/net" --user="$PINS/user" true
	start_container -U -r -p -f -- nsunshare -U -r -p -f ctrkit-test-sleep
	nsunshare -n --loopback -- bash -c "exec 3</proc/self/ns/net 4<>/dev/udp/127.0.0.1/9
		exec nsenter --net=/proc/$$/ns/net ctrkit-test-sleep" 3>&- &
	CONTAINERS+=("$!")
	holder=$(wait_for_sleeper "$!")
	strace_v all lsns-lite -v --output-all
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite all
	assert_output ""
	# Each link is stat'ed through the fd that opening /proc gave.
	fd=$(proc_fd all)
	grep -F -x "lsns-lite: newfstatat($fd, \"$CTR/ns/pid\", {st_mode=S_IFREG|0444, st_size=0, ...}, 0) = 0" "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\([0-9]+, NS_GET_PARENT\) = [0-9]+' "$SCRATCH/all.v"
	# The pins, opened to learn their kind and owner (a user namespace's uid).
	grep -E -x "lsns-lite: openat\(AT_FDCWD, \"$PINS/net\", O_RDONLY\|O_CLOEXEC\) = [0-9]+" "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\([0-9]+, NS_GET_NSTYPE\) = 268435456 \(CLONE_NEWUSER\)' "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\([0-9]+, NS_GET_OWNER_UID, \[0\]\) = 0' "$SCRATCH/all.v"
	# The fd held open, and the socket.
	grep -E -x "lsns-lite: openat\($fd, \"$holder/fd/3\", O_RDONLY\|O_CLOEXEC\) = [0-9]+" "$SCRATCH/all.v"
	grep -E -x "lsns-lite: pidfd_getfd\([0-9]+, 4, 0\) = [0-9]+" "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\([0-9]+, SIOCGSKNS, NULL\) = [0-9]+' "$SCRATCH/all.v"
	# NETNSID: RTM_GETNSID out, RTM_NEWNSID back, as strace decodes them.
	grep -E -x 'lsns-lite: sendto\([0-9]+, \[\{nlmsg_len=28, nlmsg_type=RTM_GETNSID, .*\]\], 28, 0, .* = 28' "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: recvmsg\([0-9]+, .*nlmsg_type=RTM_NEWNSID, .*\[\{nla_len=8, nla_type=NETNSA_NSID\}, -1\]\].*\) = 28' "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\(1, TIOCGWINSZ, 0x[0-9a-f]+\) = -1 ENOTTY \(Inappropriate ioctl for device\)' "$SCRATCH/all.v"
	# -T -J: the relations of every namespace, the cells as each is listed.
	strace_v tree lsns-lite -v -Tparent -J
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite tree
	assert_output ""
	jq -e '[.namespaces[] | select(.type == "pid") | .children[]?] | length > 0' "$SCRATCH/tree.out"
	# -p: every process's links are stat'ed too, to count the members.
	strace_v one lsns-lite -v -p "$CTR" --output-all
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite one
	assert_output ""
	fd=$(proc_fd one)
	grep -F -x "lsns-lite: newfstatat($fd, \"$$/ns/uts\", {st_mode=S_IFREG|0444, st_size=0, ...}, 0) = 0" "$SCRATCH/one.v"
	# NS: the processes in it.
	strace_v ns lsns-lite -v "$(ns_of "$CTR" pid)"
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite ns
	assert_output ""
}
