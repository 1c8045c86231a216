#!/usr/bin/env bats
# lsns-lite: the namespaces on the machine, as util-linux lsns lists them (E10).

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

# Compares the rows "NS TYPE NPROCS PID" of both tools (without the
# namespaces only a file holds, which lsns 2.38 leaves out). Each runs
# alone, straight from this shell, so that both count the same
# processes; kernel threads come and go, so it tries a few times.
same_as_lsns() {
	for _ in 1 2 3 4 5; do
		lsns-lite -n -r -o NS,TYPE,NPROCS,PID "$@" >"$SCRATCH/lite"
		lsns -n -r -o NS,TYPE,NPROCS,PID "$@" >"$SCRATCH/lsns"
		awk '$3 != 0' "$SCRATCH/lite" | sort >"$SCRATCH/lite.sorted"
		sort "$SCRATCH/lsns" >"$SCRATCH/lsns.sorted"
		cmp -s "$SCRATCH/lite.sorted" "$SCRATCH/lsns.sorted" && return 0
		sleep 0.2
	done
	diff "$SCRATCH/lite.sorted" "$SCRATCH/lsns.sorted"
}

@test "the same namespaces, NPROCS and lowest PID as util-linux lsns" {
	need_root
	start_container -m -u -i -n -p -f --mount-proc
	start_container -U -r -n -C
	same_as_lsns
	for type in mnt net ipc user pid uts cgroup time; do
		same_as_lsns -t "$type"
	done
}

@test "-p PID: the namespaces of one process, with all their members counted" {
	need_root
	start_container -u -n
	same_as_lsns -p "$CTR"
	run lsns-lite -n -r -o TYPE,NPROCS,PID -p "$CTR" -t uts
	assert_output "uts 1 $CTR"
}

@test "a pinned network namespace shows its file in NSFS, held or not (E10)" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/idle" true
	start_container -n --net="$PINS/busy"
	idle=$(stat -L -c %i "$PINS/idle")
	run lsns-lite -t net -n -r -o NS,NPROCS,PID,NSFS
	assert_success
	assert_line "$idle 0  $PINS/idle"
	assert_line "$(ns_of "$CTR" net) 1 $CTR $PINS/busy"
	stop_containers
	umount "$PINS/idle" "$PINS/busy"
	run lsns-lite -t net -o NSFS
	refute_output --partial "$PINS"
}

@test "default columns, as the articles show them" {
	need_root
	run lsns-lite -t uts
	assert_success
	assert_line --index 0 --regexp '^ +NS TYPE +NPROCS +PID +USER +NSFS +COMMAND$'
	assert_line --index 1 --regexp "^ *$(ns_of 1 uts 2>/dev/null || ns_of $$ uts) uts +[0-9]+ +[0-9]+ root"
}

@test "-J: valid JSON, numbers as numbers, empty cells as null" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/net" true
	run lsns-lite -J -t net
	assert_success
	echo "$output" | jq -e '.namespaces | length > 1'
	echo "$output" | jq -e --arg p "$PINS/net" '.namespaces[] | select(.nsfs == $p) | .nprocs == 0 and .pid == null'
	echo "$output" | jq -e '.namespaces[0].ns | type == "number"'
	umount "$PINS/net"
}

@test "-T: nested pid and user namespaces as a tree, by NS_GET_PARENT" {
	need_root
	start_container -U -r -p -f -- nsunshare -U -r -p -f ctrkit-test-sleep
	inner=$CTR outer=$(pgrep -P "$NSUNSHARE")
	run lsns-lite -T -t pid -o NS,PID
	assert_success
	outer_ns=$(ns_of "$outer" pid) inner_ns=$(ns_of "$inner" pid) host_ns=$(ns_of $$ pid)
	assert_line --regexp "^$host_ns "
	assert_line --regexp "^[├└]─$outer_ns +$outer$"
	assert_line --regexp "^[│ ] └─$inner_ns +$inner$"
	run lsns-lite -n -r -o NS,PNS -t pid "$inner_ns"
	assert_output "$inner_ns $outer_ns"
	run lsns-lite -n -r -o NS,ONS -t user "$(ns_of "$inner" user)"
	# unshare(CLONE_NEWUSER) moves the caller: the outer user namespace
	# is the one the first nsunshare moved into.
	assert_output "$(ns_of "$inner" user) $(ns_of "$NSUNSHARE" user)"
}

@test "-T=owner: every namespace under the user namespace that owns it" {
	need_root
	start_container -U -r -n -u
	userns=$(ns_of "$CTR" user)
	run lsns-lite --tree=owner -o NS,TYPE
	assert_success
	assert_line --regexp "^[├└]─$userns +user$"
	assert_line --regexp "^[│ ] [├└]─$(ns_of "$CTR" net) +net$"
	assert_line --regexp "^[│ ] [├└]─$(ns_of "$CTR" uts) +uts$"
}

@test "NS argument: one namespace; an unknown one exits 1" {
	need_root
	start_container -u
	ns=$(ns_of "$CTR" uts)
	run lsns-lite -n -o NS,TYPE,PID "$ns"
	assert_output --regexp "^$ns uts +$CTR$"
	run lsns-lite 1
	assert_failure 1
	assert_output ""
}

@test "-T with NS: a nested namespace alone is listed, as the root of its tree" {
	need_root
	start_container -U -r -p -f
	ns=$(ns_of "$CTR" pid)
	# Its parent, the host's pid namespace, is not listed: it hangs under
	# nothing (lsns-lite printed nothing here, and exited 1).
	run lsns-lite -T -n -o NS,PID -t pid "$ns"
	assert_success
	assert_output --regexp "^$ns +$CTR$"
}

@test "bad input: unknown type, unknown column, bad tree, bad pid" {
	cases=(
		"2|-t bogus|unknown namespace type 'bogus' (mnt net ipc user pid uts cgroup time) (see lsns-lite --help)"
		"2|-o NS,BOGUS|unknown column 'BOGUS' (see lsns-lite --help)"
		"2|--tree=sideways|--tree: 'sideways' is neither parent nor owner (see lsns-lite --help)"
		"2|-p x|'x' is not a pid (see lsns-lite --help)"
		"2|notanumber|'notanumber' is not a namespace inode number (see lsns-lite --help)"
	)
	expect_errors lsns-lite "${cases[@]}"
}

# ---- -v ----

# proc_fd NAME: the fd that NAME's -v says open("/proc") returned.
proc_fd() {
	sed -n 's/^lsns-lite: openat(AT_FDCWD, "\/proc", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = \([0-9]\+\)$/\1/p' "$SCRATCH/$1.v" | grep .
}

@test "-v: every call it prints is one strace -f sees: the fd /proc is open on, the flags, the stat" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	make_pin_dir
	nsunshare --net="$PINS/net" true
	start_container -U -r -p -f -- nsunshare -U -r -p -f ctrkit-test-sleep
	cols=NS,TYPE,PATH,NPROCS,PID,PPID,COMMAND,UID,USER,NSFS,PNS,ONS
	strace_v all lsns-lite -v -o "$cols"
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite all
	assert_output ""
	# Each link is stat'ed through the fd that opening /proc gave.
	fd=$(proc_fd all)
	grep -F -x "lsns-lite: newfstatat($fd, \"$CTR/ns/pid\", {st_mode=S_IFREG|0444, st_size=0, ...}, 0) = 0" "$SCRATCH/all.v"
	grep -E -x 'lsns-lite: ioctl\([0-9]+, NS_GET_PARENT\) = [0-9]+' "$SCRATCH/all.v"
	grep -E -x "lsns-lite: openat\(AT_FDCWD, \"$PINS/net\", O_RDONLY\|O_CLOEXEC\) = [0-9]+" "$SCRATCH/all.v"
	# -T and -J: the relations of every namespace, the cells as each is listed.
	strace_v tree lsns-lite -v -T -J
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite tree
	assert_output ""
	jq -e '[.namespaces[] | select(.type == "pid") | .children[]?] | length > 0' "$SCRATCH/tree.out"
	# -p: every process's links are stat'ed too, to count the members.
	strace_v one lsns-lite -v -p "$CTR" -o "$cols"
	[ "$v_status" -eq 0 ]
	run not_seen lsns-lite one
	assert_output ""
	fd=$(proc_fd one)
	grep -F -x "lsns-lite: newfstatat($fd, \"$$/ns/uts\", {st_mode=S_IFREG|0444, st_size=0, ...}, 0) = 0" "$SCRATCH/one.v"
}
