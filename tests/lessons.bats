#!/usr/bin/env bats
# Every lesson's commands run, and print what the lesson shows.

load helpers

# A lesson must hold on a busy machine, as a Docker host is: a network
# namespace pinned under /run/netns (nsfs mounts that are not the
# lesson's), a container running (a process in namespaces of its own),
# and IPv4 forwarding on. This machine's forwarding is not ours to
# change: only the VM lane's machine gets it on (scripts/vm).
setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	# what the last test compares with
	BUSY_CGROUP_MOUNTS=$(grep -E ' /sys/fs/cgroup(/[^ ]*)? .* - cgroup2? ' /proc/self/mountinfo)
	export BUSY_CGROUP_MOUNTS
	export BUSY_NETNS=ctrkit-busy-$$
	ip netns add "$BUSY_NETNS"
	nsunshare -n -u -i -m -p -f --kill-child ctrkit-test-sleep >/dev/null 2>&1 3>&- &
	BUSY_NSUNSHARE=$!
	BUSY_CTR=$(wait_for_sleeper "$BUSY_NSUNSHARE")
	export BUSY_NSUNSHARE BUSY_CTR
	if [ -n "${CTRKIT_VM:-}" ]; then
		BUSY_FORWARD=$(sysctl -n net.ipv4.ip_forward)
		export BUSY_FORWARD
		sysctl -qw net.ipv4.ip_forward=1
	fi
}

teardown_file() {
	[ -z "${BUSY_NSUNSHARE:-}" ] || kill -KILL "$BUSY_NSUNSHARE" ${BUSY_CTR:+"$BUSY_CTR"} 2>/dev/null || true
	[ -z "${BUSY_NETNS:-}" ] || ip netns delete "$BUSY_NETNS"
	[ -z "${BUSY_FORWARD:-}" ] || sysctl -qw net.ipv4.ip_forward="$BUSY_FORWARD"
}

check_lesson() {
	need_root
	# The lessons run the tools as their own tests do; their output is
	# checked by make test and the VM lane. The sanitizer lane keeps to
	# the tools' tests, and CI under an hour.
	[ -z "${CTRKIT_SAN:-}" ] || skip "the lessons' output is checked by make test and the VM lane"
	run "$TOP/scripts/lesson" --check "$1"
	echo "$output"
	assert_success
}

# A network lesson runs in a control group of its own: what it started
# and left running when it failed half way (a container, a server) is
# stopped through the group, and its lab is taken down.
check_net_lesson() {
	need_root
	local group=ctrkit-lesson-$1 lesson_status
	run cgset exec -c "$group" -- "$TOP/scripts/lesson" --check "$1"
	lesson_status=$status
	echo "$output"
	cgset delete -k "$group"
	[ "$lesson_status" -eq 0 ] || "$TOP/scripts/lab" down
	[ "$lesson_status" -eq 0 ]
}

@test "the lessons run on a busy machine: a pinned network namespace, a container, and in the VM forwarding on and cgroup2 mounted as systemd mounts it" {
	need_root
	run ip netns list
	assert_line --regexp "^$BUSY_NETNS( |\$)"
	run nscmp -q "$BUSY_CTR" $$
	assert_failure 1
	[ -n "${CTRKIT_VM:-}" ] || return 0
	run sysctl -n net.ipv4.ip_forward
	assert_output 1
	run grep -c ' /sys/fs/cgroup .* - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot$' /proc/self/mountinfo
	assert_output 1
}

@test "every lesson in lessons/ is checked in this file" {
	for dir in "$TOP"/lessons/[0-9][0-9]-*/; do
		n=$(basename "$dir" | cut -c1-2)
		grep -q "^@test \"lesson $n:" "$BATS_TEST_FILENAME" || { echo "lesson $n is not checked"; return 1; }
	done
}

@test "lesson 01: the pid namespace (E1, E2, E3, E4)" { check_lesson 01; }
@test "lesson 02: /proc/PID/ns and nscmp (E7, E8, E9)" { check_lesson 02; }
@test "lesson 03: lsns, pinned namespaces and nsenter (E10, E11)" { check_lesson 03; }
@test "lesson 04: one demo per namespace kind (E14)" { check_lesson 04; }
@test "lesson 05: user namespaces and file ownership (E5, E6)" { check_lesson 05; }
@test "lesson 06: clone, unshare, setns (E12, E13)" { check_lesson 06; }
@test "lesson 07: an image is a filesystem (E18)" { check_lesson 07; }
@test "lesson 08: pivot_root, /proc and /dev (E15, E19)" { check_lesson 08; }
@test "lesson 09: union mounts and layers (E20)" { check_lesson 09; }
@test "lesson 10: volumes (E21, E6)" { check_lesson 10; }
@test "lesson 11: the command on fd 3 (E28)" { check_lesson 11; }
@test "lesson 12: control groups (E16, E17)" {
	check_lesson 12 || { cgset delete -k ctrkit-c1; return 1; }
}
@test "lesson 13: a bridge and veth pairs (E23)" { check_net_lesson 13; }
@test "lesson 14: NAT masquerade (E22)" { check_net_lesson 14; }
@test "lesson 15: port mapping with DNAT (E24)" { check_net_lesson 15; }
@test "lesson 16: a container's life: detach, enter, stop, init (E25, E26, E27, E4)" {
	check_lesson 16 || { cgset delete -k ctrkit-l16 2>/dev/null; return 1; }
}
@test "lesson 17: privileges: capabilities and seccomp" { check_lesson 17; }
# minictr's lessons: only where minictr runs (see need_minictr).
need_minictr() {
	# it runs capdrop and sysfilter inside the image: static ones only
	# shellcheck disable=SC2153 # CTRKIT_BIN: set by scripts/test
	if ldd "$CTRKIT_BIN/capdrop" >/dev/null 2>&1; then
		skip "this capdrop is linked dynamically (make san): make test runs it"
	fi
	# some fifty programs a run: minutes each under the VM's emulation
	[ -z "${CTRKIT_VM:-}" ] || skip "too slow under emulation: scripts/vm --shell runs it by hand"
}

@test "lesson 18: the runtime is a script (E29)" {
	need_minictr
	check_lesson 18 || {
		for c in hello c1 box small; do cgset delete -k "ctrkit-l18/$c" 2>/dev/null; done
		cgset delete ctrkit-l18 2>/dev/null
		return 1
	}
}
@test "lesson 19: Docker's chain for real (E29, E4)" {
	need_minictr
	if ! command -v podman >/dev/null || ! command -v containerd >/dev/null || ! command -v dockerd >/dev/null; then
		skip "podman, containerd or dockerd is missing: scripts/deps"
	fi
	check_lesson 19 || {
		ENGINES_DIR=/tmp/ctrkit-lesson19 "$TOP/scripts/engines" down
		cgset delete -k ctrkit-l19 2>/dev/null
		return 1
	}
}
@test "lesson 20: a container is not a VM (E30)" {
	check_lesson 20 || { cgset delete -k ctrkit-l20 2>/dev/null; return 1; }
}

@test "the lesson runner catches output that differs from the lesson" {
	need_root
	dir=$(mktemp -d "$TOP/lessons/99-ctrkit-test.XXXXXX")
	# shellcheck disable=SC2016 # the $ is for the lesson's shell, not ours
	printf '# test\n\n```console\n$ echo hello\nhello\n$ getpid\npid:<N>\n$ echo one; echo two; echo three\none\n<...>\n```\n' >"$dir/README.md"
	run "$TOP/scripts/lesson" --check 99
	assert_success
	# a line marked [v1] or [v2] counts only on that cgroup version
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then ours=v2 other=v1; else ours=v1 other=v2; fi
	# shellcheck disable=SC2016 # the $ is for the lesson's shell, not ours
	printf '# test\n\n```console\n$ echo %s\n[%s] %s\n[%s] never\n```\n' "$ours" "$ours" "$ours" "$other" >"$dir/README.md"
	run "$TOP/scripts/lesson" --check 99
	assert_success
	# shellcheck disable=SC2016 # the $ is for the lesson's shell, not ours
	printf '# test\n\n```console\n$ echo %s\n[%s] %s\n```\n' "$other" "$other" "$other" >"$dir/README.md"
	run "$TOP/scripts/lesson" --check 99
	assert_failure
	# shellcheck disable=SC2016 # the $ is for the lesson's shell, not ours
	printf '# test\n\n```console\n$ echo hello\ngoodbye\n```\n' >"$dir/README.md"
	run "$TOP/scripts/lesson" --check 99
	rm -rf "$dir"
	assert_failure
	assert_output --partial "FAIL"
	assert_output --partial "goodbye"
}

# Gone, or a zombie its new parent has yet to reap.
gone_or_zombie() {
	[ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

@test "a network lesson that fails is cleaned up through its group, not by name: what it left running stops, its lab goes" {
	need_root
	dir=$(mktemp -d "$TOP/lessons/98-ctrkit-test.XXXXXX")
	pidfile=$BATS_TEST_TMPDIR/left.pid
	# a container the lesson's shell does not know of (the subshell's job),
	# so that the runner's own cleanup leaves it running
	# shellcheck disable=SC2016 # the $ is for the lesson's shell, not ours
	printf '# test\n\n```console\n$ $CTRKIT/scripts/lab up\n$ ($CTRKIT/scripts/lab exec nsunshare -n ctrkit-test-sleep 1000 >/dev/null 2>&1 & echo $! >%s)\n$ echo hello\ngoodbye\n```\n' "$pidfile" >"$dir/README.md"
	run check_net_lesson 98
	rm -rf "$dir"
	assert_failure
	assert_output --partial "goodbye"
	left=$(cat "$pidfile")
	wait_until gone_or_zombie "$left" || { kill -KILL "$left"; false; }
	[ ! -e "/run/netns/ctrkit-lab-host" ]
}

@test "live mode runs a lesson step by step: prose, command, output" {
	need_root
	run "$TOP/scripts/lesson" 01 </dev/null
	assert_success
	assert_line "Lesson 01-pid-namespace: a key runs each step, q quits."
	assert_line '$ nsunshare -p -f getpid'
	assert_line "pid:1"
	assert_line "nsunshare: unshare(CLONE_NEWPID) = 0"
	run bash -c 'ls -d /tmp/ctrkit-lesson.* /tmp/ctrkit-lesson-steps.* 2>/dev/null'
	assert_output ""
}

@test "the runner refuses an unknown lesson and a missing argument" {
	run "$TOP/scripts/lesson" --check 98
	assert_failure 1
	assert_output "lesson: no lesson 98 (try scripts/lesson --list)"
	run "$TOP/scripts/lesson"
	assert_failure 2
}

# Last: a cgroup2 mount made in the first cgroup namespace takes its
# options for the whole hierarchy, and one without systemd's would turn
# nsdelegate and memory_recursiveprot off for the whole machine.
@test "the lessons leave the machine's cgroup filesystems with the options they had" {
	need_root
	assert_equal "$(grep -E ' /sys/fs/cgroup(/[^ ]*)? .* - cgroup2? ' /proc/self/mountinfo)" "$BUSY_CGROUP_MOUNTS"
}
