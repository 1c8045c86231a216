#!/usr/bin/env bats
# Runs last: nothing the tests or lessons made may be left on the machine.

load helpers

@test "no mount left behind by a test or a lesson" {
	run grep -E 'ctrkit-test|ctrkit-lesson|ctrkit-demo|/netns/lesson03' /proc/self/mountinfo
	assert_output ""
}

@test "no container process left running" {
	run pgrep -a -f 'ctrkit-test-sleep'
	assert_output ""
	# the network tests' servers
	run pgrep -a -x socat
	assert_output ""
}

@test "no scratch directory or pinned file left behind" {
	run bash -c 'ls -d /tmp/ctrkit-test.* /tmp/ctrkit-lesson.* /tmp/ctrkit-lesson-steps.* /tmp/ctrkit-compat.* /tmp/ctrkit-demo.* /tmp/ctrkit-bench.* /run/netns/lesson03 2>/dev/null'
	assert_output ""
}

@test "no cgroup left by a test, a lesson or the demo, in any hierarchy" {
	run find /sys/fs/cgroup -maxdepth 2 -type d -name 'ctrkit-*'
	assert_output ""
}

@test "no lab namespace, veth or nft table left in the machine's own network" {
	run bash -c 'ls /run/netns 2>/dev/null | grep ctrkit; ip -o link show type veth; nft list tables 2>/dev/null | grep ctrkit'
	assert_output ""
}

@test "no overlay left mounted by a test, a lesson or the demo" {
	run bash -c "grep ' - overlay ' /proc/self/mountinfo | grep -E 'ctrkit-test|ctrkit-lesson|ctrkit-demo|ctrkit-bench'"
	assert_output ""
}

@test "no message queue left by the IPC tests and lessons" {
	run bash -c "ipcs -q | awk 'NR > 3 && \$1 ~ /^0x/' | wc -l"
	[ "$output" -eq "${CTRKIT_QUEUES_BEFORE:-0}" ]
}

@test "no sanitizer found an error anywhere in the suite (make san)" {
	[ -n "${CTRKIT_SAN:-}" ] || skip "only under the sanitizer build (make san)"
	run grep -l -s -e ERROR -e 'runtime error' /tmp/ctrkit-san.*
	cat /tmp/ctrkit-san.* 2>/dev/null | head -n 40
	rm -f /tmp/ctrkit-san.*
	assert_output ""
}
