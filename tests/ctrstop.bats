#!/usr/bin/env bats
# ctrstop: what -v prints, against strace. How it stops a container
# (E27) is tested in life.bats, beside nsunshare --detach.

load helpers

setup() {
	make_scratch
	need_root
}

teardown() {
	local file
	# A detached container is no child of ours: end it by the pid its
	# pid file names, which this test made.
	for file in "$SCRATCH"/*.pid; do
		[ -f "$file" ] && CONTAINERS+=("$(cat "$file")")
	done
	cleanup_scratch
}

# detach FILE ARGS...: starts a detached container with pid file FILE
# and sets CTR to its pid 1 (on the host).
detach() {
	local file=$1
	shift
	nsunshare --detach --pidfile="$file" "$@"
	CTR=$(cat "$file")
	CONTAINERS+=("$CTR")
}

# The one -v line that names no call: what ctrstop waits for at the end.
ctrstop_notes=('^waiting: [0-9]+ process(es)? of pid:\[[0-9]+\] still alive$')

@test "-v: every call it prints is one strace -f sees: SIGTERM ignored then SIGKILL, SIGTERM enough, a PID" {
	command -v strace >/dev/null || skip "no strace"
	# a sleep as pid 1 ignores SIGTERM: SIGKILL after the timeout
	detach "$SCRATCH/kill.pid" -p -f ctrkit-test-sleep
	strace_v kill ctrstop -v -t 1 --pidfile="$SCRATCH/kill.pid"
	[ "$v_status" -eq 0 ]
	grep -q '^ctrstop: pidfd_send_signal([0-9]*, SIGKILL, NULL, 0) = 0$' "$SCRATCH/kill.v"
	# nsunshare --init ends on SIGTERM
	detach "$SCRATCH/term.pid" -p -f --init ctrkit-test-sleep
	strace_v term ctrstop -v --pidfile="$SCRATCH/term.pid"
	[ "$v_status" -eq 0 ]
	run grep -c SIGKILL "$SCRATCH/term.v"
	assert_output 0
	# by PID (nsunshare's child is the pid 1), with a second process in
	# the container, and SIGKILL at once (-t 0)
	start_container -p -f -- sh -c 'ctrkit-test-sleep & exec ctrkit-test-sleep'
	strace_v pid ctrstop -v -t 0 "$(pgrep -P "$NSUNSHARE")"
	[ "$v_status" -eq 0 ]
	local run
	for run in kill term pid; do
		run not_seen ctrstop "$run" "${ctrstop_notes[@]}"
		assert_output ""
	done
	[ ! -e "$SCRATCH/kill.pid" ]
	[ ! -e "$SCRATCH/term.pid" ]
}

@test "-v: poll's revents as the kernel set them, POLLIN|POLLHUP once the container's parent has reaped it" {
	command -v strace >/dev/null || skip "no strace"
	# nsunshare waits for its child, the pid 1: it reaps it at once
	start_container -p -f
	# strace holds ctrstop 0.3 s before it polls: the reap comes first
	strace -qq -e trace=poll -e inject=poll:delay_enter=300000 -o "$SCRATCH/trace" \
		ctrstop -v -t 0 "$CTR" 2>"$SCRATCH/v"
	want=$(sed -E 's/\) +=/) =/; s/ \(DELAYED\)$//' "$SCRATCH/trace") # strace's note of the delay aside
	run grep '^ctrstop: poll(' "$SCRATCH/v"
	assert_output "ctrstop: $want"
	[[ $output == *'revents=POLLIN|POLLHUP}'* ]]
}
