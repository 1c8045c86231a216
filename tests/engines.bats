#!/usr/bin/env bats
# The container engines drive an OCI runtime: podman through conmon,
# containerd through its shim (ctr is its client), dockerd on top of
# containerd. Private instances of them (scripts/engines) run the busybox
# image with $RUNTIME, and each test checks what a user of the engine
# would see. RUNTIME=minictr runs the same tests on scripts/minictr.

load helpers

# tests/engines-minictr.bats is this file under another name: there the
# runtime is minictr; here runc, the engines' own, as the reference.
if [[ $BATS_TEST_FILENAME == *-minictr.bats ]]; then
	RUNTIME=${RUNTIME:-minictr}
else
	RUNTIME=${RUNTIME:-runc}
fi

# The engines that are installed, as scripts/engines names them.
installed_engines() {
	! command -v podman >/dev/null || ! command -v conmon >/dev/null || echo podman
	! command -v containerd >/dev/null || ! command -v ctr >/dev/null || echo containerd
	! command -v dockerd >/dev/null || [ ! -x /usr/bin/docker ] || ! command -v containerd >/dev/null || echo docker
}

# What of the machine's own the engines must leave alone.
machine() {
	ip -o link
	ip route
	sysctl net.ipv4.ip_forward
	nft list ruleset 2>/dev/null || true
	ls -d /var/lib/containers /var/lib/docker /var/lib/containerd /etc/docker/key.json /run/runc 2>/dev/null || true
}

# Once for the file: the engines up (a second's work each), in a
# directory of the file's own, so that a lesson's engines (in the
# default /tmp/ctrkit-engines) go on undisturbed.
setup_file() {
	export ENGINES_DIR=/tmp/ctrkit-test.engines-$$
	ENGINES_UP=""
	if [ "$(id -u)" -eq 0 ] && [ -z "${CTRKIT_SAN:-}" ]; then
		ENGINES_UP=$(installed_engines | tr '\n' ' ')
		machine >"$BATS_FILE_TMPDIR/machine-before"
		# shellcheck disable=SC2086 # a list of engines
		[ -z "$ENGINES_UP" ] || "$TOP/scripts/engines" up $ENGINES_UP
		[ -z "$ENGINES_UP" ] || eval "$("$TOP/scripts/engines" env)"
	fi
	export ENGINES_UP
}

teardown_file() {
	"$TOP/scripts/engines" down
}

setup() {
	need_root
	# The sanitizer build (make san) has capdrop and sysfilter linked
	# dynamically: they cannot run inside an image, where minictr runs
	# them. Nothing else here is ours: make test covers this file.
	[ -z "${CTRKIT_SAN:-}" ] || skip "not under the sanitizer build (make test runs it)"
	PODS=() TASKS=() DOCKERS=()
}

# What a test started, gone even when it failed half way.
teardown() {
	local id
	for id in "${PODS[@]}"; do
		podman rm --force --time 0 "$id" >/dev/null 2>&1 || true
	done
	for id in "${TASKS[@]}"; do
		ctr tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true
		ctr tasks delete --force "$id" >/dev/null 2>&1 || true
		ctr containers delete "$id" >/dev/null 2>&1 || true
	done
	for id in "${DOCKERS[@]}"; do
		docker rm --force "$id" >/dev/null 2>&1 || true
	done
	[ -z "${TMUX_SERVER:-}" ] || tmux -L "$TMUX_SERVER" kill-server 2>/dev/null || true
}

need_engine() {
	[[ " $ENGINES_UP " == *" $1 "* ]] || skip "$1 is not installed: scripts/deps"
}

# Debian's docker client, the one that goes with its dockerd 20.10.
docker() {
	/usr/bin/docker "$@"
}

# The runtime as each engine names it: podman and docker by name (the
# engines know both), ctr by path.
runtime_path() {
	echo "$ENGINES_DIR/runtimes/$RUNTIME"
}

# The calls of the runtime that mention ID, as the engines made them.
calls_for() {
	grep -- " $1\$\| $1 " "$ENGINES_DIR/runtime.log"
}

ppid_of() {
	awk '/^PPid:/ { print $2 }' "/proc/$1/status"
}

task_status() {
	ctr tasks list | awk -v id="$1" '$1 == id { print $3 }'
}

task_running() {
	[ "$(task_status "$1")" = RUNNING ]
}

# Does the tmux pane show a line that matches REGEX?
pane_has() {
	tmux -L "$TMUX_SERVER" capture-pane -p | grep -q -- "$1"
}

# ---- the machine ----

@test "up leaves the machine's network, firewall, ip_forward and /var/lib alone" {
	[ -n "$ENGINES_UP" ] || skip "no engine is installed: scripts/deps"
	machine >"$BATS_TEST_TMPDIR/machine-after"
	run diff "$BATS_FILE_TMPDIR/machine-before" "$BATS_TEST_TMPDIR/machine-after"
	assert_output ""
}

@test "status names the engines that are up; env says where they listen" {
	[ -n "$ENGINES_UP" ] || skip "no engine is installed: scripts/deps"
	run "$TOP/scripts/engines" status
	assert_success
	[[ " $ENGINES_UP " != *" containerd "* ]] || assert_line --regexp "^containerd +up, pid [0-9]+"
	[[ " $ENGINES_UP " != *" docker "* ]] || assert_line --regexp "^dockerd +up, pid [0-9]+"
	[[ " $ENGINES_UP " != *" podman "* ]] || assert_line --regexp "^podman +ready"
	run "$TOP/scripts/engines" env
	assert_success
	assert_line "export CONTAINERD_ADDRESS=$ENGINES_DIR/containerd/containerd.sock"
	assert_line "export DOCKER_HOST=unix://$ENGINES_DIR/docker/docker.sock"
	assert_line "export CONTAINERS_CONF=$ENGINES_DIR/podman/containers.conf"
}

@test "bad input: one line on stderr, a non-zero status, nothing started" {
	local c want_status want
	for c in \
		"2|up nosuch|engines: up: unknown engine 'nosuch' (podman, containerd, docker or all)" \
		"2|start|engines: unknown command 'start' (up, down, status or env)" \
		"2||engines: give a command: up, down, status or env (scripts/engines --help)"; do
		IFS='|' read -r want_status args want <<<"$c"
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr "$TOP/scripts/engines" $args
		[ "$status" -eq "$want_status" ] || { echo "$args: status $status: $stderr"; return 1; }
		[ "$stderr" = "$want" ] || { echo "$args: got '$stderr'"; return 1; }
		assert_output ""
	done
	# A relative directory, and one that scripts/engines did not make
	# (which down must never remove).
	ENGINES_DIR=relative run --separate-stderr "$TOP/scripts/engines" up
	assert_failure
	[ "$stderr" = "engines: ENGINES_DIR must be an absolute path: relative" ]
	mkdir "$BATS_TEST_TMPDIR/mine"
	touch "$BATS_TEST_TMPDIR/mine/precious"
	ENGINES_DIR=$BATS_TEST_TMPDIR/mine run --separate-stderr "$TOP/scripts/engines" down
	assert_failure
	[ "$stderr" = "engines: down: $BATS_TEST_TMPDIR/mine was not made by scripts/engines: not touching it" ]
	[ -e "$BATS_TEST_TMPDIR/mine/precious" ]
	ENGINES_DIR=/tmp/ctrkit-test.engines-none run "$TOP/scripts/engines" env
	assert_failure
	assert_output "engines: env: not up (/tmp/ctrkit-test.engines-none): scripts/engines up"
}

# ---- podman: each podman command is the engine; conmon holds the container ----

@test "podman run --rm: the container's exit status is podman's (0 for true, 3 for exit 3)" {
	need_engine podman
	run podman run --rm --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" true
	assert_success
	run podman run --rm --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "podman run -d, exec, stop, rm: conmon ran $RUNTIME create; stop kills the sleep after its timeout (137)" {
	need_engine podman
	id=$(podman run -d --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" sleep 1000)
	PODS+=("$id")
	run podman exec "$id" cat /proc/1/comm
	assert_output sleep
	run podman exec "$id" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	# sleep is pid 1 in its pid namespace: SIGTERM has no default action
	# there, so only the SIGKILL after the timeout ends it.
	podman stop --time 1 "$id"
	run podman inspect --format '{{.State.ExitCode}}' "$id"
	assert_output 137
	podman rm "$id"
	run podman ps --all --quiet --no-trunc
	refute_output --partial "$id"
	# conmon created it (podman passes no --root), podman started it
	run calls_for "$id"
	assert_line --regexp "^conmon $RUNTIME --log-format=json --log [^ ]+ create --bundle [^ ]+ --pid-file [^ ]+ $id\$"
	assert_line "podman $RUNTIME start $id"
}

@test "podman run -it in a terminal: what is typed runs in the container, exit ends it" {
	need_engine podman
	command -v tmux >/dev/null || skip "tmux is missing: scripts/deps"
	TMUX_SERVER=ctrkit-test-engines-$$
	tmux -L "$TMUX_SERVER" new-session -d -x 80 -y 24 \
		"podman run -it --rm --network none --runtime $RUNTIME $ENGINES_IMAGE sh; echo status=\$?; sleep 60"
	# (podman may take more than wait_until's 5 s on a busy machine: up
	# to 30 s; what the pane shows then, if the shell never comes)
	for _ in 1 2 3 4 5 6; do
		if wait_until pane_has '^/ #' 2>/dev/null; then break; fi
	done
	pane_has '^/ #' || { tmux -L "$TMUX_SERVER" capture-pane -p >&2; false; }
	tmux -L "$TMUX_SERVER" send-keys 'echo hi; exit' Enter
	wait_until pane_has '^status='
	run tmux -L "$TMUX_SERVER" capture-pane -p
	assert_line "hi"
	assert_line "status=0"
}

# ---- containerd: ctr asks containerd, which starts a shim, which runs the runtime ----

@test "ctr run --rm: the container's exit status is ctr's (0 for true, 3 for exit 3)" {
	need_engine containerd
	TASKS+=(ctrkit-test-run0 ctrkit-test-run3)
	run ctr run --rm --runc-binary "$(runtime_path)" "$ENGINES_IMAGE" ctrkit-test-run0 true
	assert_success
	run ctr run --rm --runc-binary "$(runtime_path)" "$ENGINES_IMAGE" ctrkit-test-run3 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	# the shim ran it, in a state directory of the namespace's
	run calls_for ctrkit-test-run0
	assert_line --regexp "^containerd-shim $RUNTIME --root /run/containerd/runc/$CONTAINERD_NAMESPACE --log [^ ]+ --log-format json create --bundle [^ ]+ --pid-file [^ ]+ ctrkit-test-run0\$"
}

@test "ctr task exec runs in the container, ctr task ps lists its processes" {
	need_engine containerd
	TASKS+=(ctrkit-test-exec)
	ctr run -d --runc-binary "$(runtime_path)" "$ENGINES_IMAGE" ctrkit-test-exec sleep 1000
	run ctr tasks exec --exec-id e1 ctrkit-test-exec cat /proc/1/comm
	assert_output sleep
	run ctr tasks exec --exec-id e2 ctrkit-test-exec sh -c 'exit 5'
	[ "$status" -eq 5 ]
	pid=$(ctr tasks list | awk '$1 == "ctrkit-test-exec" { print $2 }')
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	run ctr tasks ps ctrkit-test-exec
	assert_line --regexp "^$pid "
}

@test "ctr task pause freezes the container (PAUSED), resume thaws it (RUNNING)" {
	need_engine containerd
	TASKS+=(ctrkit-test-pause)
	ctr run -d --runc-binary "$(runtime_path)" "$ENGINES_IMAGE" ctrkit-test-pause sleep 1000
	freezer=/sys/fs/cgroup/freezer/$CONTAINERD_NAMESPACE/ctrkit-test-pause/freezer.state
	ctr tasks pause ctrkit-test-pause
	[ "$(task_status ctrkit-test-pause)" = PAUSED ]
	[ ! -e "$freezer" ] || [ "$(cat "$freezer")" = FROZEN ]
	ctr tasks resume ctrkit-test-pause
	[ "$(task_status ctrkit-test-pause)" = RUNNING ]
	[ ! -e "$freezer" ] || [ "$(cat "$freezer")" = THAWED ]
}

@test "ctr task kill -s SIGKILL ends the container: ctr run returns 137" {
	need_engine containerd
	TASKS+=(ctrkit-test-kill)
	ctr run --rm --runc-binary "$(runtime_path)" "$ENGINES_IMAGE" ctrkit-test-kill sleep 1000 \
		</dev/null >/dev/null 2>&1 3>&- &
	ctr_pid=$!
	wait_until task_running ctrkit-test-kill
	ctr tasks kill --signal SIGKILL ctrkit-test-kill
	status=0
	wait "$ctr_pid" || status=$?
	[ "$status" -eq 137 ]
	run ctr containers list --quiet
	refute_output --partial ctrkit-test-kill
}

# ---- docker: dockerd asks containerd, which starts a shim, which runs the runtime ----

@test "docker run --rm --runtime $RUNTIME: the container's exit status is docker's (0, 3)" {
	need_engine docker
	run docker run --rm --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" true
	assert_success
	run docker run --rm --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "docker exec runs in the container; docker stop kills a sleep that ignores SIGTERM (137)" {
	need_engine docker
	id=$(docker run -d --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" sleep 1000)
	DOCKERS+=("$id")
	run docker exec "$id" cat /proc/1/comm
	assert_output sleep
	run docker exec "$id" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	docker stop --time 1 "$id"
	run docker inspect --format '{{.State.ExitCode}}' "$id"
	assert_output 137
	# the shim ran it, with runc's state in docker's exec-root
	run calls_for "$id"
	assert_line --regexp "^containerd-shim $RUNTIME --root $ENGINES_DIR/docker/run/runtime-runc/moby --log [^ ]+ --log-format json create --bundle [^ ]+ --pid-file [^ ]+ $id\$"
}

@test "a docker container's process is the shim's child, not dockerd's; no runtime process stays" {
	need_engine docker
	id=$(docker run -d --network none --runtime "$RUNTIME" "$ENGINES_IMAGE" sleep 1000)
	DOCKERS+=("$id")
	pid=$(docker inspect --format '{{.State.Pid}}' "$id")
	shim=$(ppid_of "$pid")
	pstree -p -s "$pid"
	[ "$(readlink "/proc/$shim/exe")" = "$(command -v containerd-shim-runc-v2)" ]
	# The shim left containerd at once (started, it forked and the first
	# one exited): it outlives containerd and dockerd, which may restart.
	[ "$(ppid_of "$shim")" != "$(cat "$ENGINES_DIR/docker/dockerd.pid")" ]
	[ "$(ppid_of "$shim")" != "$(cat "$ENGINES_DIR/containerd/containerd.pid")" ]
	# The runtime made the container and exited: the shim's one child is
	# the container's process, alone in the container's cgroup.
	run pgrep -P "$shim"
	assert_output "$pid"
	run cat "/sys/fs/cgroup/pids/$(basename "$ENGINES_DIR")-docker/$id/cgroup.procs"
	assert_output "$pid"
}

# ---- and down: last, as a test of its own ----

@test "down stops every engine and removes all they made; a second down is fine" {
	[ -n "$ENGINES_UP" ] || skip "no engine is installed: scripts/deps"
	local daemons=() pid name
	for pid in "$ENGINES_DIR"/containerd/containerd.pid "$ENGINES_DIR"/docker/dockerd.pid; do
		[ ! -e "$pid" ] || daemons+=("$(cat "$pid")")
	done
	name=$(basename "$ENGINES_DIR")
	"$TOP/scripts/engines" down
	[ ! -e "$ENGINES_DIR" ]
	for pid in "${daemons[@]}"; do
		ended "$pid"
	done
	run grep " $ENGINES_DIR" /proc/self/mountinfo
	assert_output ""
	run find /sys/fs/cgroup -maxdepth 2 -name "$name*"
	assert_output ""
	run ls -d "/run/containerd/runc/$name"
	assert_failure
	run "$TOP/scripts/engines" down
	assert_success
	run "$TOP/scripts/engines" status
	assert_failure
	assert_output "engines: down ($ENGINES_DIR)"
}
