#!/usr/bin/env bats
# A container's life: nsunshare --detach, --pidfile, --log and --init
# (E25, E27), nsenter-lite --join-cgroup (E26), and ctrstop (E27).

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

# The last number of NSpid: the process's pid in its own namespace.
inner_pid() {
	awk '/^NSpid:/ { print $NF }' "/proc/$1/status"
}

# ---- --detach ----

@test "E25: the launcher returns at once and the container outlives the shell that started it" {
	run timeout 5 sh -c "nsunshare -p -f --detach --pidfile=$SCRATCH/c.pid ctrkit-test-sleep; echo launched"
	assert_success
	assert_output launched # and nothing else: the launcher prints nothing
	CTR=$(cat "$SCRATCH/c.pid")
	CONTAINERS+=("$CTR")
	# The shell is gone; the container runs, as pid 1 of its namespace,
	# in a session of its own, with no terminal.
	[ "$(cat "/proc/$CTR/comm")" = sleep ]
	[ "$(inner_pid "$CTR")" = 1 ]
	read -r -a stat <"/proc/$CTR/stat"
	[ "${stat[5]}" = "$CTR" ] # its session id is its own pid
	[ "${stat[6]}" = 0 ]      # no controlling terminal
	assert_equal "$(readlink "/proc/$CTR/fd/0")" /dev/null
	assert_equal "$(readlink "/proc/$CTR/fd/1")" /dev/null
	assert_equal "$(readlink "/proc/$CTR/fd/2")" /dev/null
}

@test "--log: the container's stdout and stderr are appended to the file" {
	echo "before" >"$SCRATCH/c.log"
	detach "$SCRATCH/c.pid" -p -f --mount-proc --log="$SCRATCH/c.log" \
		sh -c 'echo "out of pid $$"; echo "err" >&2; exec ctrkit-test-sleep'
	wait_until grep -q err "$SCRATCH/c.log"
	assert_equal "$(cat "$SCRATCH/c.log")" "$(printf '%s\n' before 'out of pid 1' err)"
}

@test "a command that cannot start: the launcher says so and fails, and writes no pid file" {
	printf '#!/nonexistent/interp\n' >"$SCRATCH/bad" && chmod 755 "$SCRATCH/bad"
	run -127 --separate-stderr nsunshare -p -f --detach --pidfile="$SCRATCH/c.pid" "$SCRATCH/bad"
	assert_failure 127
	assert_equal "$stderr" "nsunshare: the command did not start (status 127): run it without --detach to see why"
	[ ! -e "$SCRATCH/c.pid" ]
	run -127 --separate-stderr nsunshare -p -f --detach --log="$SCRATCH/log" "$SCRATCH/bad"
	assert_failure 127
	assert_equal "$stderr" "nsunshare: the command did not start (status 127): its message is in the --log file"
	assert_equal "$(cat "$SCRATCH/log")" "nsunshare: failed to execute $SCRATCH/bad: No such file or directory"
}

@test "--log through a symlink is refused: root's output never lands in the file it points to" {
	echo secret >"$SCRATCH/target"
	ln -s "$SCRATCH/target" "$SCRATCH/c.log"
	expect_errors nsunshare "1|-p -f --detach --log=$SCRATCH/c.log touch $SCRATCH/ran|--log: cannot open $SCRATCH/c.log: Too many levels of symbolic links (it is a symlink; give the file itself)"
	[ ! -e "$SCRATCH/ran" ]
	assert_equal "$(cat "$SCRATCH/target")" secret
}

# ---- --pidfile ----

@test "--pidfile names the container's pid 1 (its host pid), once it runs" {
	detach "$SCRATCH/c.pid" -p -m -f --mount-proc ctrkit-test-sleep
	run cat "$SCRATCH/c.pid"
	assert_output --regexp '^[0-9]+$'
	[ "$(inner_pid "$CTR")" = 1 ]
	# From inside, that process is pid 1.
	run nsenter-lite -t "$CTR" -a cat /proc/1/cmdline
	assert_output --partial ctrkit-test-sleep
	[ ! -e "$SCRATCH/c.pid.$$.tmp" ]
	run ls "$SCRATCH"
	assert_output c.pid # no temporary file left beside it
}

@test "without --detach, the pid file is there while the container runs and gone after" {
	nsunshare -p -f --pidfile="$SCRATCH/c.pid" ctrkit-test-sleep 3>&- &
	CONTAINERS+=("$!")
	wait_until test -s "$SCRATCH/c.pid"
	CTR=$(cat "$SCRATCH/c.pid")
	[ "$(cat "/proc/$CTR/comm")" = sleep ]
	kill -KILL "$CTR"
	wait_until test ! -e "$SCRATCH/c.pid"
}

@test "a pid file of a running container is refused, and nothing starts" {
	detach "$SCRATCH/c.pid" -p -f ctrkit-test-sleep
	run --separate-stderr nsunshare -p -f --detach --pidfile="$SCRATCH/c.pid" touch "$SCRATCH/ran"
	assert_failure 1
	assert_equal "$stderr" "nsunshare: --pidfile: $SCRATCH/c.pid names pid $CTR, which is running: stop it first (ctrstop --pidfile=$SCRATCH/c.pid)"
	[ ! -e "$SCRATCH/ran" ]
	assert_equal "$(cat "$SCRATCH/c.pid")" "$CTR"
}

@test "a stale pid file is replaced: its pid is gone, or now names a process that started later" {
	sleep 0 & gone=$!
	wait "$gone"
	echo "$gone" >"$SCRATCH/a.pid"
	detach "$SCRATCH/a.pid" -p -f ctrkit-test-sleep
	[ "$CTR" != "$gone" ]
	# A pid file written an hour ago that names a process started just
	# now: the pid was reused, the file is stale.
	ctrkit-test-sleep & other=$!
	CONTAINERS+=("$other")
	echo "$other" >"$SCRATCH/b.pid"
	touch -d '1 hour ago' "$SCRATCH/b.pid"
	detach "$SCRATCH/b.pid" -p -f ctrkit-test-sleep
	[ "$CTR" != "$other" ]
	[ "$(inner_pid "$CTR")" = 1 ]
}

@test "bad input: one line, a non-zero status, nothing started and no file changed" {
	echo "not a pid" >"$SCRATCH/text"
	expect_errors nsunshare \
		"1|-p -f --detach --pidfile=$SCRATCH/missing/c.pid touch $SCRATCH/ran|--pidfile: $SCRATCH/missing/: No such file or directory" \
		"1|-p -f --pidfile=$SCRATCH/text touch $SCRATCH/ran|--pidfile: $SCRATCH/text exists and holds no pid: not replacing it" \
		"1|-p -f --detach --log=$SCRATCH/missing/log touch $SCRATCH/ran|--log: cannot open $SCRATCH/missing/log: No such file or directory" \
		"2|--detach --kill-child touch $SCRATCH/ran|--detach and --kill-child exclude each other: a detached command outlives nsunshare (see nsunshare --help)" \
		"2|--pidfile= touch $SCRATCH/ran|--pidfile: an empty file name (see nsunshare --help)"
	[ ! -e "$SCRATCH/ran" ]
	assert_equal "$(cat "$SCRATCH/text")" "not a pid"
}

# ---- --init ----

@test "without --init a sleep as pid 1 ignores SIGTERM: the kernel gives a namespace's init no default action" {
	start_container -p -f
	kill -TERM "$CTR"
	sleep 0.5
	running "$CTR"
	[ "$(inner_pid "$CTR")" = 1 ]
}

@test "--init passes SIGTERM on to the command and exits 128+15, as tini" {
	nsunshare -p -f --init ctrkit-test-sleep 3>&- &
	launcher=$!
	CONTAINERS+=("$launcher")
	cmd=$(wait_for_sleeper "$launcher")
	init=$(awk '/^PPid:/ { print $2 }' "/proc/$cmd/status")
	[ "$(inner_pid "$init")" = 1 ]
	[ "$(inner_pid "$cmd")" = 2 ]
	kill -TERM "$init"
	status=0
	wait "$launcher" || status=$?
	assert_equal "$status" 143
	ended "$cmd"
}

@test "--init: every signal it passes on and every child it reaps is in -v, as strace shows them" {
	# The command ignores HUP, USR1 and USR2 (and WINCH by default), so
	# that only TERM ends it.
	nsunshare -v -p -f --init --detach --pidfile="$SCRATCH/c.pid" --log="$SCRATCH/c.log" \
		sh -c 'trap "" HUP USR1 USR2; exec ctrkit-test-sleep' 2>/dev/null
	CTR=$(cat "$SCRATCH/c.pid")
	CONTAINERS+=("$CTR")
	wait_until grep -q 'execve(.*"sh", "-c"' "$SCRATCH/c.log"
	wait_for_sleeper "$CTR" >/dev/null
	for sig in HUP USR1 USR2 WINCH TERM; do
		kill -s "$sig" "$CTR"
		wait_until grep -q "kill(2, SIG$sig) = 0" "$SCRATCH/c.log"
	done
	wait_until grep -q 'wait4' "$SCRATCH/c.log"
	run grep -c '^nsunshare: kill(2, SIG[A-Z0-9]*) = 0$' "$SCRATCH/c.log"
	assert_output 5
	run grep wait4 "$SCRATCH/c.log"
	assert_output 'nsunshare: wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], WNOHANG, NULL) = 2'
	# strace from outside: the same kill and wait4 calls.
	strace -f -qq -o "$SCRATCH/trace" -e trace=kill,wait4 nsunshare -v -p -f --init sh -c 'kill -TERM 1; sleep 0.2; exit 3' 2>"$SCRATCH/v" || true
	tr -s ' ' <"$SCRATCH/trace" >"$SCRATCH/trace1" # strace pads before " = "
	while read -r line; do
		grep -qF "${line#nsunshare: }" "$SCRATCH/trace1" || { echo "not in strace: $line"; cat "$SCRATCH/trace"; return 1; }
	done < <(grep -E 'kill\(|wait4\(' "$SCRATCH/v")
	grep -q 'kill(2, SIGTERM) = 0' "$SCRATCH/v"
}

@test "--init reaps 100 orphans: none is left a zombie, and it exits with the command's status" {
	# shellcheck disable=SC2016 # $(seq) is the inner shell's
	run --separate-stderr nsunshare -v -p -f --mount-proc --init sh -c '
		for i in $(seq 100); do (sleep 0.01 &) ; done
		sleep 1
		ps -o stat= | grep -c Z
		exit 7'
	assert_failure 7
	assert_line --index 0 0 # ps: no zombie
	# 100 orphans (pids other than the command's, 2) reaped by init.
	n=$(printf '%s\n' "${stderr_lines[@]}" | grep -cE 'wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], WNOHANG, NULL\) = ([3-9]|[1-9][0-9]+)$')
	[ "$n" -ge 100 ] || { echo "reaped $n"; return 1; }
	[[ $stderr == *'nsunshare: wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], WNOHANG, NULL) = 2'* ]]
}

@test "--init without a new pid namespace is a subreaper: orphans still come to it" {
	run --separate-stderr nsunshare -v --init sh -c '(sh -c "sleep 0.1; exec grep PPid /proc/self/status" &); sleep 0.5'
	assert_success
	init=$(sed -n 's/^nsunshare: fork() = //p' <<<"$stderr" | head -n 1)
	assert_output "PPid:	$init" # the orphan's parent is init
	[[ $stderr == *'nsunshare: prctl(PR_SET_CHILD_SUBREAPER, 1) = 0'* ]]
	# init reaped two: the orphan and the command.
	run grep -c 'wait4(-1, \[{WIFEXITED(s) && WEXITSTATUS(s) == 0}\], WNOHANG, NULL) = [0-9]' <<<"$stderr"
	assert_output 2
}

# ---- nsenter-lite: entering a running container (E26) ----

@test "E26: nsenter-lite -a -c enters a detached container: its namespaces, its cgroup, ps shows it beside pid 1" {
	group=ctrkit-test-life-$$
	cgset create "$group"
	detach "$SCRATCH/c.pid" -p -m -u -f --mount-proc --hostname=box cgset exec "$group" -- ctrkit-test-sleep
	run nsenter-lite -t "$CTR" -a -c sh -c 'hostname; ps -o pid=,comm=; cat /proc/self/cgroup'
	kill -KILL "$CTR"
	wait_until ended "$CTR"
	cgset delete "$group"
	assert_success
	assert_line --index 0 box
	assert_line --index 1 --regexp '^ +1 sleep$'
	assert_line --regexp '^ +[0-9]+ sh$'
	# In every hierarchy where the container has a cgroup of ours, so has the command.
	assert_line --regexp "^[0-9]+:(pids|memory)?:/$group\$"
	run grep -c ":/$group\$" <<<"$output"
	[ "$output" -ge 1 ]
}

@test "nsenter-lite --join-cgroup needs a target" {
	expect_errors nsenter-lite "2|--join-cgroup true|--join-cgroup needs a target (-t PID) (see nsenter-lite --help)"
}

# ---- ctrstop (E27) ----

@test "E27: ctrstop ends a container that ignores SIGTERM with SIGKILL, within timeout + 1 s" {
	detach "$SCRATCH/c.pid" -p -f ctrkit-test-sleep
	start=$(date +%s%N)
	run --separate-stderr ctrstop -v -t 2 --pidfile="$SCRATCH/c.pid"
	end=$(date +%s%N)
	assert_success
	assert_output ""
	[ $(((end - start) / 1000000)) -ge 2000 ]
	[ $(((end - start) / 1000000)) -lt 3000 ]
	# bats holds fds 3 and 4 open, so the pidfd may have a higher number.
	# Its end is POLLIN, with POLLHUP too once the container's parent
	# has reaped it (which may come first): the last poll line shows
	# what the kernel set, the test takes either.
	fd=$(sed -n 's/^ctrstop: pidfd_open([0-9]*, 0) = \([0-9]*\)$/\1/p' <<<"$stderr")
	assert_equal "$(printf '%s\n' "${stderr_lines[@]: -5}" | sed 's/revents=POLLIN|POLLHUP}/revents=POLLIN}/')" "$(printf '%s\n' \
		"ctrstop: pidfd_send_signal($fd, SIGTERM, NULL, 0) = 0" \
		"ctrstop: poll([{fd=$fd, events=POLLIN}], 1, 2000) = 0 (Timeout)" \
		"ctrstop: pidfd_send_signal($fd, SIGKILL, NULL, 0) = 0" \
		"ctrstop: poll([{fd=$fd, events=POLLIN}], 1, -1) = 1 ([{fd=$fd, revents=POLLIN}])" \
		"ctrstop: unlink(\"$SCRATCH/c.pid\") = 0")"
	ended "$CTR"
	[ ! -e "$SCRATCH/c.pid" ]
}

@test "with --init, SIGTERM is enough: ctrstop sends no SIGKILL" {
	detach "$SCRATCH/c.pid" -p -f --init ctrkit-test-sleep
	run --separate-stderr ctrstop -v --pidfile="$SCRATCH/c.pid"
	assert_success
	[[ $stderr =~ 'pidfd_send_signal('[0-9]+', SIGTERM, NULL, 0) = 0' ]]
	[[ $stderr =~ 'poll([{fd='[0-9]+', events=POLLIN}], 1, 10000) = 1 ([{fd='[0-9]+', revents=POLLIN'('|POLLHUP')?'}])' ]]
	[[ $stderr != *SIGKILL* ]]
	[ ! -e "$SCRATCH/c.pid" ]
}

@test "ctrstop waits until every process of the container is gone, the entered ones too" {
	detach "$SCRATCH/c.pid" -p -m -f --mount-proc sh -c 'ctrkit-test-sleep & ctrkit-test-sleep & wait'
	nsenter-lite -t "$CTR" -a ctrkit-test-sleep 3>&- &
	CONTAINERS+=("$!")
	entered=$(wait_for_sleeper "$!")
	ns=$(ns_of "$CTR" pid)
	[ "$(ns_of "$entered" pid)" = "$ns" ]
	wait_until test "$(pgrep -c -P "$CTR")" -eq 2
	read -r -a inside < <(pgrep -d ' ' -P "$CTR")
	run ctrstop -t 1 "$CTR"
	assert_success
	# Right when ctrstop returns: its pid 1, the two sleeps it started
	# and the one that came in by setns have all ended.
	for p in "$CTR" "${inside[@]}" "$entered"; do
		ended "$p" || { echo "still alive: $p"; return 1; }
	done
	for p in /proc/[0-9]*; do
		if [ "$(stat -L -c %i "$p/ns/pid" 2>/dev/null)" = "$ns" ]; then
			grep -q '^State:.*Z' "$p/status" || { echo "still alive: $p"; return 1; }
		fi
	done
}

@test "--pidfile written by nsunshare, read by ctrstop, as the unprivileged user of a user namespace" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	as_nobody nsunshare -U -r -p -f --detach --pidfile="$SCRATCH/c.pid" ctrkit-test-sleep
	CTR=$(cat "$SCRATCH/c.pid")
	CONTAINERS+=("$CTR")
	[ "$(stat -c %U "$SCRATCH/c.pid")" = nobody ]
	[ "$(inner_pid "$CTR")" = 1 ]
	run as_nobody ctrstop -t 1 --pidfile="$SCRATCH/c.pid"
	assert_success
	[ ! -e "$SCRATCH/c.pid" ]
}

@test "ctrstop refuses a pid file that another user could have written to name root's container" {
	detach "$SCRATCH/c.pid" -p -f ctrkit-test-sleep
	cp "$SCRATCH/c.pid" "$SCRATCH/planted"
	chown nobody "$SCRATCH/planted"
	expect_errors ctrstop "1|--pidfile=$SCRATCH/planted|$SCRATCH/planted belongs to uid 65534, and pid $CTR to uid 0: a pid file must belong to root or to the container's user: nothing done"
	running "$CTR"
	[ -e "$SCRATCH/planted" ]
	rm "$SCRATCH/planted"
}

@test "ctrstop bad input: one line, a non-zero status, and nothing stopped or removed" {
	start_container -p -f
	ctrkit-test-sleep & plain=$!
	CONTAINERS+=("$plain")
	echo "$$" >"$SCRATCH/shell.pid"
	echo "junk" >"$SCRATCH/junk.pid"
	sleep 0 & gone=$!
	wait "$gone"
	echo "$gone" >"$SCRATCH/stale.pid"
	nspid_plain=$(awk '/^NSpid:/ { $1 = ""; print substr($0, 2) }' "/proc/$plain/status")
	expect_errors ctrstop \
		"2||which container? give the PID of its pid 1, or --pidfile (see ctrstop --help)" \
		"2|abc|*" \
		"2|-t -1 $CTR|--timeout: '-1' is not a number of seconds (0 to 86400) (see ctrstop --help)" \
		"2|-s NOPE $CTR|--signal: unknown signal 'NOPE' (see ctrstop --help)" \
		"2|--pidfile=$SCRATCH/stale.pid $CTR|give a PID or --pidfile, not both (see ctrstop --help)" \
		"1|1|pid 1 is not the pid 1 of a pid namespace (its NSpid is \"1\"), so not a container's: nothing done" \
		"1|$plain|pid $plain is not the pid 1 of a pid namespace (its NSpid is \"$nspid_plain\"), so not a container's: nothing done" \
		"1|--pidfile=$SCRATCH/missing.pid|cannot read $SCRATCH/missing.pid: No such file or directory" \
		"1|--pidfile=$SCRATCH/junk.pid|$SCRATCH/junk.pid holds no pid" \
		"1|--pidfile=$SCRATCH/stale.pid|$SCRATCH/stale.pid is stale: pid $gone: no such process (the container is gone: rm $SCRATCH/stale.pid)"
	running "$CTR"
	running "$plain"
	[ -e "$SCRATCH/stale.pid" ]
	[ -e "$SCRATCH/junk.pid" ]
	rm "$SCRATCH"/*.pid
}

# ---- under an engine's shim: as runc create and runc exec --detach ----

# under_shim ARGS...: runs ARGS (a launcher) under ctrkit-test-subreaper,
# a shim in miniature that reaps all it is left and writes each status
# to $SCRATCH/report; in the background, with stdin the fifo
# $SCRATCH/in (we hold its write end on fd 5) and stdout and stderr the
# files $SCRATCH/out and $SCRATCH/err. Sets SHIM to the shim's pid.
under_shim() {
	mkfifo "$SCRATCH/in"
	ctrkit-test-subreaper "$SCRATCH/report" "$@" <"$SCRATCH/in" >"$SCRATCH/out" 2>"$SCRATCH/err" 3>&- &
	SHIM=$!
	CONTAINERS+=("$SHIM")
	exec 5>"$SCRATCH/in" # opens once the shim has opened its end
}

# The parent pid of process $1.
parent_of() {
	awk '/^PPid:/ { print $2 }' "/proc/$1/status"
}

@test "--keep-stdio: under a shim, the container keeps the shim's stdin, stdout and stderr, and its status goes to the shim" {
	under_shim nsunshare -p -m --detach --keep-stdio --pidfile "$SCRATCH/c.pid" -- \
		sh -c 'echo out; echo err >&2; cat; exit 3'
	# The launcher has returned, with 0; the container runs on.
	wait_until grep -qsx 'launcher 0' "$SCRATCH/report"
	CTR=$(cat "$SCRATCH/c.pid")
	running "$CTR"
	[ "$(inner_pid "$CTR")" = 1 ]
	# Nothing of ours between the shim and the container: its parent is
	# the shim, a subreaper, now that nsunshare is gone.
	assert_equal "$(parent_of "$CTR")" "$SHIM"
	read -r -a stat <"/proc/$CTR/stat"
	[ "${stat[5]}" = "$CTR" ] # a session of its own still
	assert_equal "$(readlink "/proc/$CTR/fd/0")" "$SCRATCH/in"
	assert_equal "$(readlink "/proc/$CTR/fd/1")" "$SCRATCH/out"
	assert_equal "$(readlink "/proc/$CTR/fd/2")" "$SCRATCH/err"
	# What the shim writes now reaches it, and what it prints, the shim's files.
	echo in >&5
	exec 5>&-
	wait "$SHIM"
	assert_equal "$(cat "$SCRATCH/report")" "$(printf '%s\n' 'launcher 0' "$CTR 3")"
	assert_equal "$(cat "$SCRATCH/out")" "$(printf '%s\n' out in)"
	assert_equal "$(cat "$SCRATCH/err")" err
}

@test "--keep-stdio: a command that cannot start says why on the caller's stderr, once, and writes no pid file" {
	printf '#!/nonexistent/interp\n' >"$SCRATCH/bad" && chmod 755 "$SCRATCH/bad"
	run -127 --separate-stderr nsunshare -p -m --detach --keep-stdio --pidfile="$SCRATCH/c.pid" "$SCRATCH/bad"
	assert_output ""
	assert_equal "$stderr" "nsunshare: failed to execute $SCRATCH/bad: No such file or directory"
	[ ! -e "$SCRATCH/c.pid" ]
}

@test "--keep-stdio bad input: without --detach, or with --log: one line, nothing started" {
	expect_errors nsunshare \
		"2|-p --keep-stdio touch $SCRATCH/ran|--keep-stdio needs --detach: without it the command keeps our stdio anyway (see nsunshare --help)" \
		"2|-p --detach --keep-stdio --log=$SCRATCH/log touch $SCRATCH/ran|--keep-stdio and --log exclude each other: the command's stdout and stderr go to ours, or to the log (see nsunshare --help)"
	[ ! -e "$SCRATCH/ran" ]
	[ ! -e "$SCRATCH/log" ]
}

@test "nsenter-lite --detach --keep-stdio: under a shim, the command runs in the container, nsenter-lite is gone, and its status goes to the shim" {
	detach "$SCRATCH/c.pid" -p -m -u -f --mount-proc --hostname=box ctrkit-test-sleep
	under_shim nsenter-lite -t "$CTR" -a --detach --keep-stdio --pidfile="$SCRATCH/e.pid" -- \
		sh -c 'hostname; echo err >&2; cat; exit 3'
	wait_until grep -qsx 'launcher 0' "$SCRATCH/report"
	entered=$(cat "$SCRATCH/e.pid")
	running "$entered"
	# In every namespace of the container, pid included, beside its pid 1.
	run nscmp -q "$CTR" "$entered"
	assert_success
	assert_equal "$(ns_of "$entered" pid)" "$(ns_of "$CTR" pid)"
	[ "$(inner_pid "$entered")" -gt 1 ]
	# Its parent is the shim: nsenter-lite has exited.
	assert_equal "$(parent_of "$entered")" "$SHIM"
	read -r -a stat <"/proc/$entered/stat"
	[ "${stat[5]}" = "$entered" ] # a session of its own
	echo in >&5
	exec 5>&-
	wait "$SHIM"
	assert_equal "$(cat "$SCRATCH/report")" "$(printf '%s\n' 'launcher 0' "$entered 3")"
	assert_equal "$(cat "$SCRATCH/out")" "$(printf '%s\n' box in)"
	assert_equal "$(cat "$SCRATCH/err")" err
}

@test "nsenter-lite --detach without -p still forks: the pid file names the command, on /dev/null, in a session of its own" {
	detach "$SCRATCH/c.pid" -u --hostname=box ctrkit-test-sleep
	run --separate-stderr nsenter-lite -t "$CTR" -u --detach --pidfile="$SCRATCH/e.pid" ctrkit-test-sleep
	assert_success
	assert_output ""
	[ -z "$stderr" ]
	entered=$(cat "$SCRATCH/e.pid")
	running "$entered"
	assert_equal "$(tr '\0' ' ' <"/proc/$entered/cmdline")" "ctrkit-test-sleep 1000 "
	assert_equal "$(ns_of "$entered" uts)" "$(ns_of "$CTR" uts)"
	assert_equal "$(readlink "/proc/$entered/fd/0")" /dev/null
	assert_equal "$(readlink "/proc/$entered/fd/1")" /dev/null
	assert_equal "$(readlink "/proc/$entered/fd/2")" /dev/null
	read -r -a stat <"/proc/$entered/stat"
	[ "${stat[5]}" = "$entered" ]
	[ "${stat[6]}" = 0 ] # no controlling terminal
}

@test "nsenter-lite --detach -v: the launcher joins the pid namespace and forks, the child joins the rest; the calls as strace sees them" {
	detach "$SCRATCH/c.pid" -p -m -u -f --mount-proc ctrkit-test-sleep
	# The command is true: strace -f waits for every process it follows.
	# -ff: a file per process, so no call is cut in two by another's.
	strace -ff -qq -o "$SCRATCH/trace" -e trace=pidfd_open,setns,pipe2,setsid,dup2,read,rename,renameat \
		nsenter-lite -v -t "$CTR" -a --detach --pidfile="$SCRATCH/e.pid" true 2>"$SCRATCH/v"
	entered=$(cat "$SCRATCH/e.pid")
	run cat "$SCRATCH/v"
	assert_line --regexp "^nsenter-lite: pidfd_open\\($CTR, 0\\) = [0-9]+\$"
	fd=$(sed -n 's/^nsenter-lite: pidfd_open([0-9]*, 0) = //p' "$SCRATCH/v")
	assert_line "nsenter-lite: setns($fd, CLONE_NEWPID) = 0"
	assert_line "nsenter-lite: fork() = $entered"
	# setsid returns the pid as the child sees it, in the container.
	sid=$(sed -n 's/^nsenter-lite: setsid() = //p' "$SCRATCH/v")
	[ "$sid" -ge 2 ]
	[ "$sid" -ne "$entered" ]
	assert_line "nsenter-lite: setns($fd, CLONE_NEWNS|CLONE_NEWUTS) = 0"
	# stdio on /dev/null: the line of dup2(N, 2) goes there too.
	assert_line --regexp '^nsenter-lite: dup2\([0-9]+, 1\) = 1$'
	refute_line --partial 'execve('
	# The launcher's own calls, in order: join, pipe, fork, the EOF of the
	# pipe once the command runs, then the pid file.
	run grep -E 'pipe2|fork|read\(|rename' "$SCRATCH/v"
	assert_line --index 0 --regexp '^nsenter-lite: pipe2\(\[[0-9]+, [0-9]+\], O_CLOEXEC\) = 0$'
	assert_line --index 1 "nsenter-lite: fork() = $entered"
	assert_line --index 2 --regexp '^nsenter-lite: read\([0-9]+, "", 1\) = 0$'
	# (rename of a path, or renameat in the directory held open)
	assert_line --index 3 --regexp '^nsenter-lite: rename(at)?\(.*e\.pid\.[0-9]+\.tmp", ([0-9]+, )?"[^"]*e\.pid"\) = 0$'
	# Each of those -v lines is a call strace saw, with the same arguments.
	cat "$SCRATCH"/trace.* | tr -s ' ' >"$SCRATCH/trace" # strace pads before " = "
	n=0
	while read -r line; do
		grep -qF "${line#nsenter-lite: }" "$SCRATCH/trace" || { echo "not in strace: $line"; cat "$SCRATCH/trace"; return 1; }
		n=$((n + 1))
	done < <(grep -E ': (pidfd_open|setns|pipe2|setsid|dup2|read|rename|renameat)\(' "$SCRATCH/v")
	[ "$n" -eq 9 ] # pidfd_open, 2 setns, pipe2, setsid, 2 dup2, read, rename
}

@test "nsenter-lite --detach: a command not found or that cannot start: one line, its status, and no pid file" {
	detach "$SCRATCH/c.pid" -p -m -f ctrkit-test-sleep
	printf '#!/nonexistent/interp\n' >"$SCRATCH/bad" && chmod 755 "$SCRATCH/bad"
	# Not found: looked up before stdio goes, so the message is the child's own.
	run -127 --separate-stderr nsenter-lite -t "$CTR" -a --detach --pidfile="$SCRATCH/e.pid" no-such-command-ctrkit
	assert_output ""
	assert_equal "$stderr" "nsenter-lite: failed to execute no-such-command-ctrkit: command not found"
	# execve fails once stdio is on /dev/null: the launcher says so.
	run -127 --separate-stderr nsenter-lite -t "$CTR" -a --detach --pidfile="$SCRATCH/e.pid" "$SCRATCH/bad"
	assert_output ""
	assert_equal "$stderr" "nsenter-lite: the command did not start (status 127): run it without --detach to see why"
	# With --keep-stdio the child's own message reaches us, and no more.
	run -127 --separate-stderr nsenter-lite -t "$CTR" -a --detach --keep-stdio --pidfile="$SCRATCH/e.pid" "$SCRATCH/bad"
	assert_output ""
	assert_equal "$stderr" "nsenter-lite: failed to execute $SCRATCH/bad: No such file or directory"
	chmod 644 "$SCRATCH/bad"
	run -126 --separate-stderr nsenter-lite -t "$CTR" -a --detach --keep-stdio "$SCRATCH/bad"
	assert_equal "$stderr" "nsenter-lite: failed to execute $SCRATCH/bad: Permission denied"
	[ ! -e "$SCRATCH/e.pid" ]
}

@test "nsenter-lite --detach bad input: one line, a non-zero status, nothing started and no file changed" {
	detach "$SCRATCH/c.pid" -p -m -f ctrkit-test-sleep
	ctrkit-test-sleep & other=$!
	CONTAINERS+=("$other")
	echo "$other" >"$SCRATCH/running.pid"
	echo "not a pid" >"$SCRATCH/text"
	run="touch $SCRATCH/ran"
	expect_errors nsenter-lite \
		"2|-t $CTR -a -F --detach $run|--detach and -F exclude each other: a detached command runs in a child (see nsenter-lite --help)" \
		"2|-t $CTR -a --keep-stdio $run|--keep-stdio needs --detach: without it the command keeps our stdio anyway (see nsenter-lite --help)" \
		"2|-t $CTR -a --pidfile=$SCRATCH/e.pid $run|--pidfile needs --detach: it names a command that runs on its own (see nsenter-lite --help)" \
		"2|-t $CTR -a --console-socket=$SCRATCH/sock $run|--console-socket needs --detach: the terminal is for a command that runs on its own (see nsenter-lite --help)" \
		"2|-t $CTR -a --detach --keep-stdio --console-socket=$SCRATCH/sock $run|--console-socket and --keep-stdio exclude each other: the terminal becomes the command's stdio (see nsenter-lite --help)" \
		"2|-t $CTR -a --detach --pidfile= $run|--pidfile: an empty file name (see nsenter-lite --help)" \
		"2|-t $CTR -a --detach --console-socket= $run|--console-socket: an empty path (see nsenter-lite --help)" \
		"1|-t $CTR -a --detach --pidfile=$SCRATCH/running.pid $run|--pidfile: $SCRATCH/running.pid names pid $other, which is running: stop it first (kill $other)" \
		"1|-t $CTR -a --detach --pidfile=$SCRATCH/text $run|--pidfile: $SCRATCH/text exists and holds no pid: not replacing it" \
		"1|-t $CTR -a --detach --pidfile=$SCRATCH/missing/e.pid $run|--pidfile: $SCRATCH/missing/: No such file or directory" \
		"1|-t $CTR -a --detach --console-socket=$SCRATCH/sock $run|cannot connect to the console socket $SCRATCH/sock: No such file or directory"
	[ ! -e "$SCRATCH/ran" ]
	[ ! -e "$SCRATCH/e.pid" ]
	assert_equal "$(cat "$SCRATCH/running.pid")" "$other"
	assert_equal "$(cat "$SCRATCH/text")" "not a pid"
	rm "$SCRATCH/running.pid" # not a container of ours to end in teardown twice
}

# console_receiver SOCKET: what an engine does with --console-socket: listens
# on the unix socket SOCKET, receives one fd (SCM_RIGHTS), prints the
# message and the st_dev of the fd, then all that comes out of it (the
# pty's master) until the last holder of the slave is gone (EIO).
console_receiver() {
	python3 -c '
import os, socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
conn, _ = server.accept()
msg, fds, _, _ = socket.recv_fds(conn, 64, 1)
print(msg.decode(), os.fstat(fds[0]).st_dev, flush=True)
while True:
    try:
        data = os.read(fds[0], 4096)
    except OSError:
        break
    if not data:
        break
    sys.stdout.write(data.decode())
' "$1"
}

@test "nsenter-lite --console-socket: the command's terminal is a pty of the container's devpts, its master sent over the socket, as runc exec -t" {
	busybox_rootfs "$SCRATCH/root"
	detach "$SCRATCH/c.pid" -p -m -f pivotroot "$SCRATCH/root" sleep 1000
	console_receiver "$SCRATCH/console.sock" >"$SCRATCH/console.out" 3>&- &
	receiver=$!
	CONTAINERS+=("$receiver")
	wait_until test -S "$SCRATCH/console.sock"
	run --separate-stderr nsenter-lite -t "$CTR" -a -r --detach --pidfile="$SCRATCH/e.pid" \
		--console-socket="$SCRATCH/console.sock" -- sh -c 'tty; echo hello'
	assert_success
	assert_output ""
	[ -z "$stderr" ]
	wait "$receiver"
	run tr -d '\r' <"$SCRATCH/console.out"
	# The master came from the container's /dev/ptmx (its devpts), not the host's.
	ctr_devpts=$(stat -c %d "/proc/$CTR/root/dev/pts")
	[ "$ctr_devpts" != "$(stat -c %d /dev/pts)" ]
	assert_line --index 0 "/dev/ptmx $ctr_devpts"
	assert_line --index 1 /dev/pts/0 # the command's stdin is the slave, its first pty
	assert_line --index 2 hello
	[ "${#lines[@]}" -eq 3 ]
}

@test "nsenter-lite --detach into a user namespace: the command is the container's root, the pid file ours, as root and rootless" {
	# As root, into a container whose root is uid 100000 outside: the
	# launcher joins the user and pid namespaces only, and writes the pid
	# file as root, in a directory only root may write.
	mkdir -m 700 "$SCRATCH/private"
	detach "$SCRATCH/c.pid" -U --map-users=100000,0,65536 --map-groups=100000,0,65536 -p -m -f ctrkit-test-sleep
	run --separate-stderr nsenter-lite -v -t "$CTR" -a --detach --pidfile="$SCRATCH/private/e.pid" ctrkit-test-sleep
	assert_success
	[[ $stderr == *"setns("[0-9]*", CLONE_NEWUSER|CLONE_NEWPID) = 0"* ]]
	entered=$(cat "$SCRATCH/private/e.pid")
	CONTAINERS+=("$entered")
	assert_equal "$(stat -c %U "$SCRATCH/private/e.pid")" root
	assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$entered/status")" 100000
	assert_equal "$(ns_of "$entered" user)" "$(ns_of "$CTR" user)"
	# Rootless: nobody enters its own container, and owns the pid file.
	tools_for_nobody
	chmod 777 "$SCRATCH"
	as_nobody nsunshare -U -r -p -f --detach --pidfile="$SCRATCH/n.pid" ctrkit-test-sleep
	CTR=$(cat "$SCRATCH/n.pid")
	CONTAINERS+=("$CTR")
	as_nobody nsenter-lite -t "$CTR" -a --detach --pidfile="$SCRATCH/m.pid" ctrkit-test-sleep
	entered=$(cat "$SCRATCH/m.pid")
	assert_equal "$(stat -c %U "$SCRATCH/m.pid")" nobody
	assert_equal "$(ns_of "$entered" pid)" "$(ns_of "$CTR" pid)"
	[ "$(inner_pid "$entered")" -gt 1 ]
}

# ---- ctrstop -v against strace ----

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
	# strace holds ctrstop 2 s before it polls: the reap comes first,
	# even in a slow VM
	strace -qq -e trace=poll -e inject=poll:delay_enter=2000000 -o "$SCRATCH/trace" \
		ctrstop -v -t 0 "$CTR" 2>"$SCRATCH/v"
	want=$(sed -E 's/\) +=/) =/; s/ \(DELAYED\)$//' "$SCRATCH/trace") # strace's note of the delay aside
	run grep '^ctrstop: poll(' "$SCRATCH/v"
	assert_output "ctrstop: $want"
	# Linux 6.1 sets POLLIN alone on a reaped pidfd: there, the line
	# above could not tell the fix from the old hard-coded POLLIN
	[[ $want == *POLLHUP* ]] || skip "this kernel ($(uname -r)) sets no POLLHUP on a pidfd whose process is reaped"
	[[ $output == *'revents=POLLIN|POLLHUP}'* ]]
}
