#!/usr/bin/env bats
# cgset: control groups on cgroup v1 and v2 (E16, E17). The tests on
# the real kernel hold on either version; the mimic trees at the end
# check the key mapping of both layouts on any machine.

# bats' run sets stderr and stderr_lines; a test and its teardown share
# CONTAINERS (shellcheck sees each @test as a subshell):
# shellcheck disable=SC2154,SC2030,SC2031
load helpers

setup() {
	make_scratch
	G=ctrkit-test-$BATS_TEST_NUMBER-$$
}

teardown() {
	[ "$(id -u)" -ne 0 ] || CTRKIT_CGROUP_ROOT='' cgset delete -k "$G" >/dev/null 2>&1 || true
	cleanup_scratch
}

# The file a portable key lands in, on this machine.
v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

group_file() { # CONTROLLER FILE
	if v2; then echo "/sys/fs/cgroup/$G/$2"; else echo "/sys/fs/cgroup/$1/$G/$2"; fi
}

# The hierarchies a group goes in: the mounts of memory, pids, cpu,
# cpuacct, cpuset and freezer (one on v2, five on this hybrid host).
hierarchies() {
	cgset info | awk '$1 ~ /^(memory|pids|cpu|cpuacct|cpuset|freezer)$/ { print $3 }' | sort -u
}

# How many of them hold the group NAME.
holding() {
	local n=0 h
	while read -r h; do
		[ ! -d "$h/$1" ] || n=$((n + 1))
	done < <(hierarchies)
	echo "$n"
}

at_least() { # N NAME: the group is in N hierarchies or more
	[ "$(holding "$2")" -ge "$1" ]
}

# slowly SYSCALL CMD...: runs CMD in the background under strace, each
# SYSCALL held 0.4 s after the kernel made it, so that a test can act
# in between. SLOW is the command's pid (strace runs it in place of sh),
# SLOW_STRACE strace's, which exits with the command's status; the
# command's stderr goes to $SCRATCH/slow.err.
slowly() {
	local call=$1 delay=400000
	shift
	# Under the VM's emulation, looking for the group (cgset info, awk)
	# takes longer than 0.4 s: the kill came after cgset had ended.
	[ -z "${CTRKIT_VM:-}" ] || delay=3000000
	rm -f "$SCRATCH/slow.pid"
	# shellcheck disable=SC2016 # $$ and $@ are the inner sh's
	strace -qq -o /dev/null -e trace="$call" -e inject="$call:delay_exit=$delay" \
		sh -c 'echo $$ >"$0"; exec "$@"' "$SCRATCH/slow.pid" "$@" 2>"$SCRATCH/slow.err" 3>&- &
	SLOW_STRACE=$!
	CONTAINERS+=("$SLOW_STRACE")
	wait_until test -s "$SCRATCH/slow.pid"
	SLOW=$(cat "$SCRATCH/slow.pid")
}

# The files the portable keys land in, and what each holds.
limit_files() {
	local f
	if v2; then
		for f in memory.max pids.max cpu.max cpu.weight cpuset.cpus; do
			echo "$f: $(cat "$(group_file - "$f")")"
		done
	else
		for f in memory/memory.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us \
			cpu/cpu.shares cpuset/cpuset.cpus; do
			echo "$f: $(cat "$(group_file "${f%%/*}" "${f#*/}")")"
		done
	fi
}

@test "E16: info finds every controller through mountinfo, and says v1, hybrid or v2" {
	run cgset info
	assert_success
	case "$(stat -f -c %T /sys/fs/cgroup)" in
	cgroup2fs) assert_line --index 0 --partial "mode: v2" ;;
	*) if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		assert_line --index 0 --partial "mode: hybrid"
	else
		assert_line --index 0 --partial "mode: v1"
	fi ;;
	esac
	# as the article does it: each hierarchy's mount point, from mountinfo
	# (after " - " come the filesystem type, the source, the options)
	for c in memory pids cpu; do
		if v2; then
			mnt=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
		else
			mnt=$(awk -v c="$c" '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ ("," c ",")) { print $5; exit } }' /proc/self/mountinfo)
		fi
		[ -n "$mnt" ]
		assert_line --regexp "^$c +v[12] +$mnt\$"
	done
	assert_output --partial "this process (/proc/self/cgroup):"
	assert_output --partial "  $(head -n 1 /proc/self/cgroup)"
}

@test "create makes the group in every hierarchy, nested names too; twice is fine" {
	need_root
	run cgset create "$G/inner"
	assert_success
	assert_output ""
	for c in memory pids cpu cpuset; do
		[ -d "$(dirname "$(group_file "$c" x)")/inner" ]
	done
	if ! v2; then
		# a v1 cpuset starts empty: cgset copied its parent's cpus and mems
		assert_equal "$(cat "$(group_file cpuset cpuset.cpus)")" "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)"
		assert_equal "$(cat "$(group_file cpuset "inner/cpuset.mems")")" "$(cat /sys/fs/cgroup/cpuset/cpuset.mems)"
	else
		for c in memory pids cpu; do grep -qw "$c" "/sys/fs/cgroup/$G/cgroup.subtree_control"; done
	fi
	run cgset create "$G/inner"
	assert_success
}

@test "create NAME KEY=VALUE...: the group is made with its limits in one run; on a group there, sets them" {
	need_root
	run cgset create "$G/inner" memory=64M pids=20
	assert_success
	assert_output ""
	assert_equal "$(holding "$G/inner")" "$(hierarchies | wc -l)"
	if v2; then
		assert_equal "$(cat "$(group_file memory inner/memory.max)")" 67108864
	else
		assert_equal "$(cat "$(group_file memory inner/memory.limit_in_bytes)")" 67108864
	fi
	assert_equal "$(cat "$(group_file pids inner/pids.max)")" 20
	assert_equal "$(cgset get "$G/inner" memory)" 67108864
	run cgset create "$G/inner" pids=30
	assert_success
	assert_equal "$(cgset get "$G/inner" pids)" 30
	assert_equal "$(cgset get "$G/inner" memory)" 67108864
}

@test "create with a bad key or value: one line, status 1 or 2, and no group left behind; a group there before stays" {
	need_root
	if v2; then ex=memory.max; else ex=memory.limit_in_bytes; fi
	keys="keys: memory, memory.swap, pids, cpu, cpu.weight, cpuset, or a file of the group, such as $ex"
	# refused before anything is made (the first three), or after: a
	# file the group lacks, a value the kernel refuses (EINVAL)
	expect_errors cgset \
		"2|create $G/new pids=10 foo=1|unknown key 'foo' ($keys) (see cgset --help)" \
		"2|create $G/new memory=lots|memory=lots: not a size (a number with K, M, G or T, or max) (see cgset --help)" \
		"2|create $G/new memory|'memory' is not KEY=VALUE (see cgset --help)" \
		"2|create $G/new pids=10 memory.bogus=1|unknown key 'memory.bogus' ($keys) (see cgset --help)" \
		"1|create $G/new pids=10 $ex=abc|cannot write abc to $(group_file memory "new/$ex"): Invalid argument"
	assert_equal "$(holding "$G/new")" 0
	assert_equal "$(holding "$G")" 0
	# a group that was there is not this create's to remove
	cgset create "$G" pids=30
	run --separate-stderr cgset create "$G" "$ex=abc"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$(holding "$G")" "$(hierarchies | wc -l)"
	assert_equal "$(cgset get "$G" pids)" 30
}

@test "E17: memory=100M: 300M of memory is OOM-killed (137), 20M runs; the limit file holds 104857600" {
	need_root
	cgset create "$G"
	run cgset set "$G" memory=100m
	assert_success
	if v2; then
		assert_equal "$(cat "$(group_file memory memory.max)")" 104857600
	else
		assert_equal "$(cat "$(group_file memory memory.limit_in_bytes)")" 104857600
	fi
	[ "$(cgset get "$G" memory)" = 104857600 ]
	# dd's buffer is bs bytes, all of it touched: 300M cannot fit in 100M
	run cgset exec "$G" -- dd if=/dev/zero of=/dev/null bs=300M count=1
	assert_failure 137
	run cgset exec "$G" -- dd if=/dev/zero of=/dev/null bs=20M count=1
	assert_success
	run cgset stat "$G"
	assert_line --regexp '^memory.oom_kills +1$'
	assert_line --regexp '^memory.limit +104857600$'
	[ "$(cgset stat -J "$G" | jq .memory.oom_kills)" -eq 1 ]
}

@test "pids=10: a shell that forks 40 children sees its forks fail" {
	need_root
	cgset create "$G"
	cgset set "$G" pids=10
	# shellcheck disable=SC2016 # for the shell in the group
	run --separate-stderr cgset exec "$G" -- sh -c 'for i in $(seq 40); do sleep 0.5 & done; wait'
	assert_failure
	[[ $stderr == *"fork"* ]]
	[ "$(cgset stat -J "$G" | jq .pids.refused)" -ge 1 ]
	[ "$(cgset stat -J "$G" | jq .pids.max)" -eq 10 ]
}

@test "cpu=0.5: a busy loop of 2 s wall gets about 1 s of CPU, by the group's own counter" {
	need_root
	cgset create "$G"
	cgset set "$G" cpu=0.5
	[ "$(cgset get "$G" cpu)" = 0.5 ]
	run cgset exec "$G" -- timeout 2 sh -c 'while :; do :; done'
	assert_failure 124
	used=$(cgset stat -J "$G" | jq .cpu.usage_us)
	echo "CPU used: $used us"
	[ "$used" -le 1100000 ]
	[ "$used" -ge 400000 ]
	[ "$(cgset stat -J "$G" | jq .cpu.nr_throttled)" -ge 1 ]
}

@test "every portable key reads back as it was set; a raw file passes through; -v shows file and value" {
	need_root
	cgset create "$G"
	# (cpu=0.75: what any machine takes, one CPU too)
	run cgset set "$G" memory=64M memory.swap=0 pids=64 cpu=0.75 cpu.weight=100 cpuset=0
	assert_success
	for kv in memory=67108864 memory.swap=0 pids=64 cpu=0.75 cpu.weight=100 cpuset=0; do
		assert_equal "$(cgset get "$G" "${kv%%=*}")" "${kv#*=}"
	done
	if v2; then raw=memory.max; else raw=memory.limit_in_bytes; fi
	run --separate-stderr cgset -v set "$G" "$raw=33554432"
	assert_success
	[[ $stderr == *"openat(AT_FDCWD, \"$(group_file memory "$raw")\", O_WRONLY|O_TRUNC|O_CLOEXEC) = "* ]]
	[[ $stderr == *'write('*', "33554432", 8) = 8'* ]]
	assert_equal "$(cgset get "$G" memory)" 33554432
	assert_equal "$(cgset get "$G" "$raw")" 33554432
	cgset set "$G" memory=max pids=max cpu=max
	for k in memory pids cpu; do assert_equal "$(cgset get "$G" $k)" max; done
}

@test "add moves a running process in; ps lists it; /proc/PID/cgroup agrees" {
	need_root
	cgset create "$G"
	ctrkit-test-sleep &
	pid=$!
	CONTAINERS+=("$pid")
	run cgset add "$G" "$pid"
	assert_success
	grep -q ":/$G\$" "/proc/$pid/cgroup"
	run cgset ps "$G"
	assert_output "$(printf '%7s %s\n%7d %s' PID COMMAND "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ $//')")"
}

@test "exec: the command's status passes through; a missing command is 127 and joins nothing" {
	need_root
	cgset create "$G"
	run cgset exec "$G" -- sh -c 'exit 7'
	assert_failure 7
	run cgset exec "$G" sh -c 'kill -TERM $$'
	assert_failure 143
	run cgset exec "$G" -- sh -c 'cat /proc/self/cgroup'
	assert_output --partial ":/$G"
	run -127 --separate-stderr cgset exec "$G" -- ctrkit-no-such-command
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -z "$(cgset ps "$G" | tail -n +2)" ]
}

# The lines -v prints, with every number and address made N: two runs
# differ in pids and file descriptors, not in the calls they make.
calls() {
	sed -E 's/0x[0-9a-f]+/0x/g; s/[0-9]+/N/g' "$1"
}

@test "exec -c NAME KEY=VALUE... -- cmd: the group is made with its limits, cmd runs in it, and the group stays" {
	need_root
	all=$(hierarchies | wc -l)
	run cgset exec -c "$G" memory=100M pids=20 -- sh -c 'cat /proc/self/cgroup'
	assert_success
	# in the group in every hierarchy (v1: one line each; v2: the one line)
	assert_equal "$(grep -c ":/$G\$" <<<"$output")" "$all"
	assert_equal "$(cgset get "$G" memory)" 104857600
	assert_equal "$(cgset get "$G" pids)" 20
	assert_equal "$(holding "$G")" "$all"
	# a group there already is used, and set
	run cgset exec -c "$G" pids=30 -- sh -c 'cat /proc/self/cgroup'
	assert_success
	assert_equal "$(grep -c ":/$G\$" <<<"$output")" "$all"
	assert_equal "$(cgset get "$G" pids)" 30
	assert_equal "$(cgset get "$G" memory)" 104857600
	# -v: what a create and then an exec print, in that order, in one run
	# (the second run's own look at the hierarchies aside)
	cgset delete "$G"
	cgset -v create "$G" pids=20 2>"$SCRATCH/create.v"
	cgset -v exec "$G" -- true 2>"$SCRATCH/exec.v"
	cgset delete "$G"
	cgset -v exec -c "$G" pids=20 -- true 2>"$SCRATCH/exec-c.v"
	lock=$(grep -n 'ctrkit-cgset.lock' "$SCRATCH/create.v" | cut -d: -f1)
	[ "$lock" -gt 1 ]
	assert_equal "$(calls "$SCRATCH/exec-c.v")" "$(calls "$SCRATCH/create.v"; tail -n +"$lock" "$SCRATCH/exec.v" | calls /dev/stdin)"
}

@test "exec -c with a bad key, a bad value, a missing command or one that cannot run: one line, and no group left" {
	need_root
	if v2; then ex=memory.max; else ex=memory.limit_in_bytes; fi
	keys="keys: memory, memory.swap, pids, cpu, cpu.weight, cpuset, or a file of the group, such as $ex"
	printf 'echo hi\n' >"$SCRATCH/not-executable"
	chmod 644 "$SCRATCH/not-executable"
	# refused before anything is made (usage first, then the command is
	# looked for), or after: a value the kernel refuses, an execve that
	# fails once cgset is in the group (it moves back out, then removes it)
	expect_errors cgset \
		"2|exec -c $G pids=20 foo=1 -- true|unknown key 'foo' ($keys) (see cgset --help)" \
		"2|exec -c $G memory=lots -- true|memory=lots: not a size (a number with K, M, G or T, or max) (see cgset --help)" \
		"2|exec -c $G pids=20 true -- true|'true' is not KEY=VALUE (see cgset --help)" \
		"2|exec -c $G foo=1 -- ctrkit-no-such-command|unknown key 'foo' ($keys) (see cgset --help)" \
		"1|exec -c $G pids=20 $ex=abc -- true|cannot write abc to $(group_file memory "$ex"): Invalid argument" \
		"126|exec -c $G pids=20 -- $SCRATCH/not-executable|failed to execute $SCRATCH/not-executable: Permission denied"
	assert_equal "$(holding "$G")" 0
	# (run -127 here, not in the table: bats would take 127 for a typo)
	run -127 --separate-stderr cgset exec -c "$G" pids=20 -- ctrkit-no-such-command
	[ -z "$output" ]
	assert_equal "$stderr" "cgset: failed to execute ctrkit-no-such-command: command not found"
	assert_equal "$(holding "$G")" 0
	# looked for first: not made and removed again, never made at all
	run -127 --separate-stderr cgset -v exec -c "$G" pids=20 -- ctrkit-no-such-command
	[[ $stderr != *mkdir* ]]
	# nested: the parents this run made go too
	run -126 cgset exec -c "$G/a/b" pids=20 -- "$SCRATCH/not-executable"
	assert_equal "$(holding "$G")" 0
	# a group that was there before is not this run's to remove
	cgset create "$G" pids=30
	run -126 cgset exec -c "$G" pids=40 -- "$SCRATCH/not-executable"
	assert_equal "$(holding "$G")" "$(hierarchies | wc -l)"
	assert_equal "$(cgset get "$G" pids)" 40
	[ -z "$(cgset ps "$G" | tail -n +2)" ]
}

@test "exec NAME KEY=VALUE... -- cmd sets the group, then runs cmd in it; without -c a missing group is an error, and exec G cmd is as before" {
	need_root
	expect_errors cgset \
		"1|exec $G -- true|no group '$G' (make it with: cgset create $G)" \
		"1|exec $G pids=20 -- true|no group '$G' (make it with: cgset create $G)"
	assert_equal "$(holding "$G")" 0
	cgset create "$G" pids=30
	run cgset exec "$G" pids=20 memory=64M -- sh -c 'cat /proc/self/cgroup'
	assert_success
	assert_output --partial ":/$G"
	assert_equal "$(cgset get "$G" pids)" 20
	assert_equal "$(cgset get "$G" memory)" 67108864
	# the words are the command's unless the first is KEY=VALUE and a
	# "--" ends them: a "--" among the command's own arguments stays its
	run cgset exec "$G" echo pids=1 -- x
	assert_output "pids=1 -- x"
	run cgset exec "$G" -- echo pids=1 -- x
	assert_output "pids=1 -- x"
	run -127 --separate-stderr cgset exec "$G" pids=1 echo
	assert_equal "$stderr" "cgset: failed to execute pids=1: command not found"
	assert_equal "$(cgset get "$G" pids)" 20
}

@test "SIGTERM during exec -c, once cgset is in the group: status 143, one line, no group left, and the command never runs" {
	need_root
	all=$(hierarchies | wc -l)
	in_group() { [ "$(grep -c ":/$G\$" "/proc/$SLOW/cgroup")" -eq "$all" ]; }
	slowly write cgset exec -c "$G" -- touch "$SCRATCH/ran"
	wait_until in_group
	kill -TERM "$SLOW"
	status=0
	wait "$SLOW_STRACE" || status=$?
	assert_equal "$status" 143
	assert_equal "$(cat "$SCRATCH/slow.err")" "cgset: stopped by SIGTERM: undoing what was done"
	assert_equal "$(holding "$G")" 0
	[ ! -e "$SCRATCH/ran" ]
}

@test "with nsunshare, both ways: cgset exec in the namespaces, and nsunshare in the group" {
	need_root
	cgset create "$G"
	cgset set "$G" pids=20
	# cgset writes its pid as it knows it (1, in the new pid namespace):
	# the kernel reads a pid written to cgroup.procs in the writer's namespace
	run nsunshare -p -f -m --mount-proc -- cgset exec "$G" -- sh -c 'echo $$; cat /proc/self/cgroup'
	assert_success
	assert_line --index 0 1
	assert_output --partial ":/$G"
	run cgset exec "$G" -- nsunshare -p -f -m --mount-proc sh -c 'echo $$; ps -o pid= | wc -l; cat /proc/self/cgroup'
	assert_success
	assert_line --index 0 1
	assert_output --partial ":/$G"
}

@test "delete refuses a busy group without -k and changes nothing; -k kills and removes; twice is fine" {
	need_root
	cgset create "$G/inner"
	cgset exec "$G/inner" -- ctrkit-test-sleep 3>&- &
	CONTAINERS+=("$!")
	sleeper=$(wait_for_sleeper "$!")
	run --separate-stderr cgset delete "$G"
	assert_failure 1
	[ "$stderr" = "cgset: group '$G' has 1 process in it ($sleeper): stop them, or delete -k to kill them" ]
	kill -0 "$sleeper"
	[ -d "$(dirname "$(group_file memory x)")/inner" ]
	run cgset delete -k "$G"
	assert_success
	run ! kill -0 "$sleeper"
	[ ! -e "$(dirname "$(group_file memory x)")" ]
	[ ! -e "$(dirname "$(group_file pids x)")" ]
	run cgset delete "$G"
	assert_success
	assert_output ""
}

@test "delete -p removes the parents left empty, and stops quietly at one another group is in" {
	need_root
	all=$(hierarchies | wc -l)
	cgset create "$G/a/b/c"
	cgset create "$G/sibling"
	run --separate-stderr cgset delete -p "$G/a/b/c"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(holding "$G/a")" 0
	assert_equal "$(holding "$G/sibling")" "$all"
	assert_equal "$(holding "$G")" "$all"
	# -v: each rmdir as strace shows it, the refused one too
	cgset create "$G/a"
	run --separate-stderr cgset -v delete -p "$G/a"
	assert_success
	top=$(dirname "$(group_file memory x)")
	[[ $stderr == *"rmdir(\"$top/a\") = 0"* ]]
	[[ $stderr == *"rmdir(\"$top\") = -1 EBUSY (Device or resource busy)"* ]]
	# the last one out takes the parent with it
	run cgset delete -p "$G/sibling"
	assert_success
	assert_equal "$(holding "$G")" 0
}

@test "bad input: one line each, status 1 or 2, and the group's limits unchanged" {
	need_root
	cgset create "$G"
	cgset set "$G" memory=50M pids=30
	if v2; then ex=memory.max; else ex=memory.limit_in_bytes; fi
	cpus=$(getconf _NPROCESSORS_ONLN)
	true &
	dead=$!
	wait "$dead"
	expect_errors cgset \
		"2|set $G memory=50M foo=1|unknown key 'foo' (keys: memory, memory.swap, pids, cpu, cpu.weight, cpuset, or a file of the group, such as $ex) (see cgset --help)" \
		"2|set $G memory=lots|memory=lots: not a size (a number with K, M, G or T, or max) (see cgset --help)" \
		"2|set $G pids=40 memory=-5|memory=-5: not a size (a number with K, M, G or T, or max) (see cgset --help)" \
		"2|set $G memory=10Q|memory=10Q: not a size (a number with K, M, G or T, or max) (see cgset --help)" \
		"2|set $G cpu.weight=0|cpu.weight=0: want a whole number from 1 to 10000 (see cgset --help)" \
		"2|set $G cpu.weight=10001|cpu.weight=10001: want a whole number from 1 to 10000 (see cgset --help)" \
		"2|set $G cpu=-1|cpu=-1: want a number of CPUs from 0.01 to $cpus (this machine has $cpus), or max (see cgset --help)" \
		"2|set $G pids=ten|pids=ten: want a whole number from 1 to 4194304, or max (see cgset --help)" \
		"2|set $G cpuset=0-|cpuset=0-: want a list of CPUs from 0 to $(($(getconf _NPROCESSORS_CONF) - 1)), such as 0-1 or 0,1 (see cgset --help)" \
		"2|set $G memory|'memory' is not KEY=VALUE (see cgset --help)" \
		"2|set $G|set takes NAME KEY=VALUE... (see cgset --help)" \
		"2|get $G nosuchkey|unknown key 'nosuchkey' (keys: memory, memory.swap, pids, cpu, cpu.weight, cpuset, or a file of the group) (see cgset --help)" \
		"1|set ctrkit-test-missing memory=1M|no group 'ctrkit-test-missing' (make it with: cgset create ctrkit-test-missing)" \
		"1|add ctrkit-test-missing $$|no group 'ctrkit-test-missing' (make it with: cgset create ctrkit-test-missing)" \
		"1|stat ctrkit-test-missing|no group 'ctrkit-test-missing' (make it with: cgset create ctrkit-test-missing)" \
		"1|add $G $dead|no process with pid $dead" \
		"2|add $G abc|'abc' is not a pid (see cgset --help)" \
		"2|create ../etc|group '../etc': every part of the name must be a plain name (no '', '.' or '..') (see cgset --help)" \
		"2|create a/../../b|group 'a/../../b': every part of the name must be a plain name (no '', '.' or '..') (see cgset --help)" \
		"2|create a//b|group 'a//b': every part of the name must be a plain name (no '', '.' or '..') (see cgset --help)" \
		"2|create a/|group 'a/': every part of the name must be a plain name (no '', '.' or '..') (see cgset --help)" \
		"2|create /sys/fs/cgroup/x|group '/sys/fs/cgroup/x': give a name relative to the cgroup root, not an absolute path (see cgset --help)" \
		"2|frobnicate $G|unknown command 'frobnicate' (see cgset --help)" \
		"2|stat -k $G|-k is for delete only (see cgset --help)" \
		"2|stat -J -k $G|-k is for delete only (see cgset --help)" \
		"2|stat -p $G|-p is for delete only (see cgset --help)" \
		"2|create -p $G/new|-p is for delete only (see cgset --help)" \
		"2|create -c $G/new|-c is for exec only (see cgset --help)" \
		"2|set -c $G pids=40|-c is for exec only (see cgset --help)" \
		"2|-c delete $G|-c is for exec only (see cgset --help)" \
		"2||give a command: info, create, set, get, add, exec, ps, stat or delete (see cgset --help)"
	assert_equal "$(cgset get "$G" memory)" 52428800
	assert_equal "$(cgset get "$G" pids)" 30
	[ ! -e /sys/fs/cgroup/x ]
	[ ! -e /sys/fs/cgroup/memory/x ]
}

@test "values strtod or the kernel would misread: one line each, status 2, and the limit files unchanged" {
	need_root
	cgset create "$G"
	cgset set "$G" memory=50M pids=30 cpu=0.5 cpu.weight=100 cpuset=0
	before=$(limit_files)
	cpus=$(getconf _NPROCESSORS_ONLN)
	last=$(($(getconf _NPROCESSORS_CONF) - 1))
	page=$(($(getconf PAGESIZE) / 1024))K
	cpu="want a number of CPUs from 0.01 to $cpus (this machine has $cpus), or max (see cgset --help)"
	pids="want a whole number from 1 to 4194304, or max (see cgset --help)"
	cpuset="want a list of CPUs from 0 to $last, such as 0-1 or 0,1 (see cgset --help)"
	# docker run --cpus refuses more CPUs than the machine has; strtod
	# alone reads 0x10 as 16, 1e1 as 10, inf as no end
	expect_errors cgset \
		"2|set $G memory=60M cpu=0x10|cpu=0x10: $cpu" \
		"2|set $G cpu=100000|cpu=100000: $cpu" \
		"2|set $G cpu=$((cpus + 1))|cpu=$((cpus + 1)): $cpu" \
		"2|set $G cpu=1e1|cpu=1e1: $cpu" \
		"2|set $G cpu=inf|cpu=inf: $cpu" \
		"2|set $G cpu=.5|cpu=.5: $cpu" \
		"2|set $G cpu=1.|cpu=1.: $cpu" \
		"2|set $G cpu=0|cpu=0: $cpu" \
		"2|set $G cpu=0.001|cpu=0.001: $cpu" \
		"2|set $G pids=0|pids=0: $pids" \
		"2|set $G pids=4194305|pids=4194305: $pids" \
		"2|set $G pids=0x10|pids=0x10: $pids" \
		"2|set $G pids=+5|pids=+5: $pids" \
		"2|set $G cpu.weight=0x10|cpu.weight=0x10: want a whole number from 1 to 10000 (see cgset --help)" \
		"2|set $G cpuset=0,|cpuset=0,: $cpuset" \
		"2|set $G cpuset=1-0|cpuset=1-0: $cpuset" \
		"2|set $G cpuset=$((last + 1))|cpuset=$((last + 1)): $cpuset" \
		"2|set $G cpuset=0-$((last + 1))|cpuset=0-$((last + 1)): $cpuset" \
		"2|set $G cpuset=99999999999999999999|cpuset=99999999999999999999: $cpuset" \
		"2|set $G memory=0|memory=0: want at least one page, $page, or max (see cgset --help)" \
		"2|set $G memory=100|memory=100: want at least one page, $page, or max (see cgset --help)" \
		"2|set $G memory.swap=1.5G|memory.swap=1.5G: not a size (a number with K, M, G or T, or max) (see cgset --help)"
	assert_equal "$(limit_files)" "$before"
}

@test "pids=010 is ten: cgset writes the number it read (the kernel reads pids.max in base 0, 010 as 8)" {
	need_root
	cgset create "$G"
	cgset set "$G" pids=010
	assert_equal "$(cat "$(group_file pids pids.max)")" 10
}

# Never on the real hierarchy: a cgset that failed to refuse would move
# the machine's init. On a mimic tree, the pid is only written to a file.
@test "add NAME 1 and set cgroup.procs=1 refuse to move pid 1 without --force; nothing is written" {
	mimic_v1
	init_was=$(cat /proc/1/cgroup)
	procs="moves a process in one hierarchy only: use cgset add $G PID (or --force to write it) (see cgset --help)"
	expect_errors cgset \
		"1|add $G 1|refusing to move pid 1, the init of this machine (or pid namespace), and all it starts from then on (--force to move it anyway)" \
		"2|set $G cgroup.procs=1|cgroup.procs $procs" \
		"2|set $G tasks=1|tasks $procs" \
		"2|set $G cgroup.threads=1|cgroup.threads $procs" \
		"2|set $G pids=5 cgroup.procs=$$|cgroup.procs $procs" \
		"2|stat --force $G|--force is for set and add only (see cgset --help)"
	for h in memory pids cpu,cpuacct cpuset freezer; do
		[ ! -s "$R/$h/$G/cgroup.procs" ]
		[ ! -s "$R/$h/$G/tasks" ]
	done
	assert_equal "$(cat "$R/pids/$G/pids.max")" max
	assert_equal "$(cat /proc/1/cgroup)" "$init_was"
	# with --force the raw file is written as given, in one hierarchy
	cgset --force set "$G" tasks=1
	assert_equal "$(cat "$R"/*/"$G"/tasks)" 1
}

@test "--force set NAME cgroup.procs=PID moves a process of ours, in that one hierarchy; add moves it in all" {
	need_root
	cgset create "$G"
	ctrkit-test-sleep &
	pid=$!
	CONTAINERS+=("$pid")
	run cgset set "$G" "cgroup.procs=$pid"
	assert_failure 2
	refute grep -q ":/$G\$" "/proc/$pid/cgroup"
	run cgset --force set "$G" "cgroup.procs=$pid"
	assert_success
	assert_equal "$(grep -c ":/$G\$" "/proc/$pid/cgroup")" 1
	cgset add "$G" "$pid"
	assert_equal "$(grep -c ":/$G\$" "/proc/$pid/cgroup")" "$(hierarchies | wc -l)"
}

@test "create and delete of one group at once: the later one wins, in every hierarchy" {
	need_root
	all=$(hierarchies | wc -l)
	# a delete while create is half way waits, then deletes it all
	slowly mkdir cgset create "$G"
	wait_until at_least "$((all < 2 ? all : 2))" "$G"
	run cgset delete "$G"
	assert_success
	wait "$SLOW_STRACE"
	assert_equal "$(holding "$G")" 0
	# a create while delete is half way waits, then makes it all
	cgset create "$G"
	slowly rmdir cgset delete "$G"
	wait_until test "$(holding "$G")" -lt "$all"
	run cgset create "$G"
	assert_success
	wait "$SLOW_STRACE"
	assert_equal "$(holding "$G")" "$all"
}

@test "8 cgsets at once creating and deleting one group: in every hierarchy or in none; 8 creates all succeed" {
	need_root
	all=$(hierarchies | wc -l)
	for round in 1 2 3 4 5; do
		jobs=()
		for _ in 1 2 3 4; do
			cgset create "$G" &
			jobs+=("$!")
			cgset delete "$G" &
			jobs+=("$!")
		done
		for job in "${jobs[@]}"; do wait "$job"; done
		echo "round $round: in $(holding "$G") of $all"
		[ "$(holding "$G")" -eq 0 ] || [ "$(holding "$G")" -eq "$all" ]
	done
	# two creates at once both succeed: the second finds the group made
	jobs=()
	for _ in $(seq 8); do
		cgset create "$G" &
		jobs+=("$!")
	done
	for job in "${jobs[@]}"; do wait "$job"; done
	assert_equal "$(holding "$G")" "$all"
}

@test "SIGTERM during create, after each mkdir: status 143, one line, and no part of the group left" {
	need_root
	all=$(hierarchies | wc -l)
	for n in $(seq "$all"); do
		slowly mkdir cgset create "$G"
		wait_until at_least "$n" "$G"
		kill -TERM "$SLOW"
		status=0
		wait "$SLOW_STRACE" || status=$?
		assert_equal "$status" 143
		assert_equal "$(cat "$SCRATCH/slow.err")" "cgset: stopped by SIGTERM: undoing what was done"
		assert_equal "$(holding "$G")" 0
	done
}

@test "as an unprivileged user: one line saying why, and nothing made" {
	tools_for_nobody
	run --separate-stderr as_nobody cgset create "$G"
	assert_failure 1
	[[ $stderr == "cgset: cannot make /sys/fs/cgroup/"*"$G: Permission denied (run as root)" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 2 -name "$G")" ]
}

@test "a hierarchy mounted at a path with a space: mountinfo's \\040 is read as the space, and the group made there" {
	need_root
	# in a mount namespace of the test's own, the pids hierarchy (on v2
	# the one hierarchy) moves to a directory whose name has a space
	if v2; then src=/sys/fs/cgroup; else src=/sys/fs/cgroup/pids; fi
	dir="$SCRATCH/cg root"
	mkdir "$dir"
	# shellcheck disable=SC2016 # for the shell in the namespace
	run unshare -m --propagation private sh -euc '
		mount --bind "$1" "$2"
		umount -l "$1"
		cgset info
		cgset create "$3" pids=5
		echo "pids: $(cgset get "$3" pids)"' sh "$src" "$dir" "$G"
	assert_success
	assert_line --regexp "^pids +v[12] +$dir\$"
	assert_line "pids: 5"
	# the same hierarchy, seen from outside the namespace
	assert_equal "$(cat "$(group_file pids pids.max)")" 5
}

# ---- mimic trees: the key mapping of each layout, on any machine ----

# A pure v2 root, as the kernel lays it out, with group $G in it.
mimic_v2() {
	R=$SCRATCH/cg2
	mkdir -p "$R/$G"
	echo "cpuset cpu io memory hugetlb pids rdma misc" >"$R/cgroup.controllers"
	: >"$R/cgroup.subtree_control"
	: >"$R/cgroup.procs"
	echo "cpuset cpu memory pids" >"$R/$G/cgroup.controllers"
	for f in cgroup.subtree_control cgroup.procs cgroup.kill memory.max memory.swap.max pids.max cpu.max cpu.weight cpuset.cpus; do
		: >"$R/$G/$f"
	done
	printf 'anon 0\nfile 0\n' >"$R/$G/memory.stat"
	echo 12288 >"$R/$G/memory.current"
	echo 104857600 >"$R/$G/memory.peak"
	printf 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n' >"$R/$G/memory.events"
	echo 3 >"$R/$G/pids.current"
	echo 'max 5' >"$R/$G/pids.events"
	printf 'usage_usec 1053000\nuser_usec 1000000\nsystem_usec 53000\nnr_periods 21\nnr_throttled 19\nthrottled_usec 930000\n' >"$R/$G/cpu.stat"
	export CTRKIT_CGROUP_ROOT=$R
}

# A hybrid root as on this host: controllers on v1 (cpu and cpuacct
# mounted together, as systemd does), a v2 hierarchy with none.
mimic_v1() {
	R=$SCRATCH/cg1
	for h in memory pids "cpu,cpuacct" cpuset freezer; do
		mkdir -p "$R/$h/$G"
		: >"$R/$h/tasks"
		: >"$R/$h/$G/tasks"
		: >"$R/$h/$G/cgroup.procs"
	done
	mkdir -p "$R/unified"
	: >"$R/unified/cgroup.controllers"
	echo 9223372036854771712 >"$R/memory/$G/memory.limit_in_bytes"
	echo 9223372036854771712 >"$R/memory/$G/memory.memsw.limit_in_bytes"
	echo 4096 >"$R/memory/$G/memory.usage_in_bytes"
	echo 8192 >"$R/memory/$G/memory.max_usage_in_bytes"
	printf 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n' >"$R/memory/$G/memory.oom_control"
	echo max >"$R/pids/$G/pids.max"
	echo 1 >"$R/pids/$G/pids.current"
	echo 'max 0' >"$R/pids/$G/pids.events"
	echo 100000 >"$R/cpu,cpuacct/$G/cpu.cfs_period_us"
	echo -1 >"$R/cpu,cpuacct/$G/cpu.cfs_quota_us"
	echo 1024 >"$R/cpu,cpuacct/$G/cpu.shares"
	printf 'nr_periods 10\nnr_throttled 4\nthrottled_time 200000000\n' >"$R/cpu,cpuacct/$G/cpu.stat"
	echo 2500000000 >"$R/cpu,cpuacct/$G/cpuacct.usage"
	: >"$R/cpuset/$G/cpuset.cpus"
	export CTRKIT_CGROUP_ROOT=$R
}

@test "mimic v2: info says v2; create hands each missing controller down, level by level" {
	mimic_v2
	run cgset info
	assert_line --index 0 "mode: v2 (one hierarchy for every controller)"
	assert_line "v2 controllers ($R/cgroup.controllers): cpuset cpu io memory hugetlb pids rdma misc"
	assert_line "groups go in: memory (v2) pids (v2) cpu (v2) cpuset (v2)"
	run cgset create "$G"
	assert_success
	assert_equal "$(cat "$R/cgroup.subtree_control")" "+memory +pids +cpu +cpuset"
	# a parent that has memory already is asked for the rest only (the
	# kernel lists what is on without the +)
	echo "cpuset cpu memory pids" >"$R/cgroup.subtree_control"
	echo "cpuset cpu memory pids" >"$R/$G/cgroup.controllers"
	echo memory >"$R/$G/cgroup.subtree_control"
	mkdir "$R/$G/inner"
	run cgset -v create "$G/inner"
	assert_success
	assert_equal "$(cat "$R/$G/cgroup.subtree_control")" "+pids +cpu +cpuset"
	assert_output --regexp 'write\([0-9]+, "\+pids \+cpu \+cpuset", 18\) = 18'

}

@test "mimic v2: each key goes to its v2 file, and reads back" {
	mimic_v2
	# every CPU of this machine (a cpuset must name CPUs that exist)
	cpus=0-$(($(getconf _NPROCESSORS_CONF) - 1))
	run cgset set "$G" memory=100m memory.swap=0 pids=64 cpu=0.5 cpu.weight=100 cpuset="$cpus"
	assert_success
	assert_equal "$(cat "$R/$G/memory.max")" 104857600
	assert_equal "$(cat "$R/$G/memory.swap.max")" 0
	assert_equal "$(cat "$R/$G/pids.max")" 64
	assert_equal "$(cat "$R/$G/cpu.max")" "50000 100000"
	assert_equal "$(cat "$R/$G/cpu.weight")" 100
	assert_equal "$(cat "$R/$G/cpuset.cpus")" "$cpus"
	assert_equal "$(cgset get "$G" cpu)" 0.5
	assert_equal "$(cgset get "$G" memory)" 104857600
	cgset set "$G" cpu=max memory=max memory.max=42
	assert_equal "$(cat "$R/$G/cpu.max")" "max 100000"
	assert_equal "$(cat "$R/$G/memory.max")" 42
	run cgset set "$G" memory.limit_in_bytes=1
	assert_failure 2
	assert_output --partial "unknown key 'memory.limit_in_bytes'"
	cgset add "$G" $$
	assert_equal "$(cat "$R/$G/cgroup.procs")" $$
}

@test "mimic v2: stat reads memory.events, pids.events and cpu.stat" {
	mimic_v2
	echo 104857600 >"$R/$G/memory.max"
	echo max >"$R/$G/pids.max"
	run cgset stat "$G"
	assert_success
	assert_output "$(printf '%-18s %s\n' memory.current 12288 memory.peak 104857600 memory.limit 104857600 \
		memory.oom_kills 1 pids.current 3 pids.max max pids.refused 5 cpu.usage_us 1053000 \
		cpu.throttled_us 930000 cpu.nr_throttled 19)"
	run cgset stat -J "$G"
	assert_output "{ \"group\": \"$G\", \"memory\": { \"current\": 12288, \"peak\": 104857600, \"limit\": 104857600, \"oom_kills\": 1 }, \"pids\": { \"current\": 3, \"max\": \"max\", \"refused\": 5 }, \"cpu\": { \"usage_us\": 1053000, \"throttled_us\": 930000, \"nr_throttled\": 19 } }"
}

@test "mimic v1: info says hybrid; each key goes to its v1 file, shares converted as runc does" {
	mimic_v1
	run cgset info
	assert_line --index 0 "mode: hybrid (controllers on v1; a v2 hierarchy at unified)"
	assert_line --regexp "^cpuacct +v1 +$R/cpu,cpuacct$"
	last=$(($(getconf _NPROCESSORS_CONF) - 1)) # the last CPU of this machine
	run cgset set "$G" memory=100m pids=64 cpu=0.5 cpu.weight=100 cpuset="$last"
	assert_success
	assert_equal "$(cat "$R/memory/$G/memory.limit_in_bytes")" 104857600
	assert_equal "$(cat "$R/pids/$G/pids.max")" 64
	assert_equal "$(cat "$R/cpu,cpuacct/$G/cpu.cfs_quota_us")" 50000
	assert_equal "$(cat "$R/cpu,cpuacct/$G/cpu.cfs_period_us")" 100000
	# runc: weight = 1 + (shares - 2) * 9999 / 262142; 2598 shares is weight 100
	assert_equal "$(cat "$R/cpu,cpuacct/$G/cpu.shares")" 2598
	assert_equal "$(cgset get "$G" cpu.weight)" 100
	echo 1024 >"$R/cpu,cpuacct/$G/cpu.shares"
	assert_equal "$(cgset get "$G" cpu.weight)" 39
	for w in 1 2 39 100 5000 9999 10000; do
		cgset set "$G" cpu.weight=$w
		assert_equal "$(cgset get "$G" cpu.weight)" $w
	done
	assert_equal "$(cat "$R/cpuset/$G/cpuset.cpus")" "$last"
}

@test "mimic v1: memory.swap is memory+swap in memsw, kept when memory changes" {
	mimic_v1
	run cgset set "$G" memory.swap=10M
	assert_failure 1
	assert_output "cgset: on cgroup v1 swap is limited together with memory: set memory first (memory=SIZE)"
	cgset set "$G" memory.swap=10M memory=100M
	assert_equal "$(cat "$R/memory/$G/memory.limit_in_bytes")" 104857600
	assert_equal "$(cat "$R/memory/$G/memory.memsw.limit_in_bytes")" 115343360
	assert_equal "$(cgset get "$G" memory.swap)" 10485760
	cgset set "$G" memory=200M
	assert_equal "$(cat "$R/memory/$G/memory.memsw.limit_in_bytes")" 220200960
	assert_equal "$(cgset get "$G" memory.swap)" 10485760
}

@test "mimic v1: stat reads usage, oom_control, cpuacct.usage and cpu.stat" {
	mimic_v1
	run cgset stat -J "$G"
	assert_output "{ \"group\": \"$G\", \"memory\": { \"current\": 4096, \"peak\": 8192, \"limit\": \"max\", \"oom_kills\": 2 }, \"pids\": { \"current\": 1, \"max\": \"max\", \"refused\": 0 }, \"cpu\": { \"usage_us\": 2500000, \"throttled_us\": 200000, \"nr_throttled\": 4 } }"
}

@test "-v shows each file cgset opens, reads and writes, in strace's syntax" {
	mimic_v1
	run --separate-stderr cgset -v set "$G" pids=7
	assert_success
	[[ $stderr == *"openat(AT_FDCWD, \"$R/pids/$G/pids.max\", O_WRONLY|O_TRUNC|O_CLOEXEC) = "[0-9]* ]]
	[[ $stderr == *'write('[0-9]*', "7", 1) = 1'* ]]
	run --separate-stderr cgset -v get "$G" memory
	[[ $stderr == *"openat(AT_FDCWD, \"$R/memory/$G/memory.limit_in_bytes\", O_RDONLY|O_CLOEXEC) = "[0-9]* ]]
	# each read as strace shows it, the newline too, and the read of 0
	# that finds the end
	[[ $stderr == *'read('[0-9]*', "9223372036854771712\n", 63) = 20'* ]]
	[[ $stderr == *'read('[0-9]*', "", 43) = 0'* ]]
	assert_output max
}

@test "-v: every call it prints is one strace -f sees: info, create, set, get, add, ps, stat, exec, delete" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	ctrkit-test-sleep &
	pid=$!
	CONTAINERS+=("$pid")
	n=0
	for cmd in "info" "create $G/a memory=64M pids=20 cpu=0.5 cpu.weight=100 cpuset=0" \
		"set $G/a memory=32M memory.swap=0 pids=max cpu=max" "get $G/a memory" "get $G/a memory.swap" \
		"get $G/a cpu" "get $G/a cpu.weight" "get $G/a cpuset" "add $G/a $pid" "ps $G/a" "stat $G/a" \
		"stat -J $G/a" "exec $G/a -- true" "exec -c $G/b pids=5 -- true" "delete -k -p $G/a" "delete -p $G/b"; do
		n=$((n + 1))
		echo "cgset -v $cmd"
		# shellcheck disable=SC2086 # the words of cmd
		strace_v "run$n" cgset -v $cmd
		[ "$v_status" -eq 0 ]
		run not_seen cgset "run$n"
		assert_output ""
	done
}
