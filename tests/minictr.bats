#!/usr/bin/env bats
# minictr: the runtime made of the tools. The OCI face (create, start,
# state, kill, delete, exec, ps, pause, resume, list, spec, run) on a
# bundle, as an engine drives it; then the learner's face (import, run,
# exec, ps, logs, stop, rm). Every state lives under $SCRATCH; cgroups
# are named ctrkit-test-*; bridge networking runs in a lab.
# bats' run sets status, output and stderr:
# shellcheck disable=SC2030,SC2031,SC2154
# the commands in single quotes are for the container's shell:
# shellcheck disable=SC2016

load helpers

setup() {
	need_root
	# minictr runs capdrop and sysfilter inside the image: only static
	# ones can (the sanitizer build's are not; make test runs this file)
	if ldd "$CTRKIT_BIN/capdrop" >/dev/null 2>&1; then
		skip "this capdrop is linked dynamically (make san)"
	fi
	make_scratch
	export MINICTR_ROOT=$SCRATCH/run MINICTR_HOME=$SCRATCH/home MINICTR_CGROUP=ctrkit-test-mc-$$
	GROUP=ctrkit-test-mc-$$
	ROOT=$SCRATCH/run
	B=$SCRATCH/bundle
	mkdir -p "$B"
	busybox_rootfs "$B/rootfs"
}

teardown() {
	local d
	[ -n "${SCRATCH:-}" ] || return 0 # skipped before setup made anything
	for d in "$ROOT"/*/; do
		[ -f "$d/state.json" ] && minictr delete --force "$(basename "$d")" 2>/dev/null
	done
	if [ -d "$MINICTR_HOME/containers" ]; then
		for d in "$MINICTR_HOME"/containers/*/; do
			[ -d "$d" ] && minictr rm -f "$(basename "$d")" >/dev/null 2>&1
		done
	fi
	# the test's group, with what a test made below it (the QoS test's)
	for d in /sys/fs/cgroup/"$GROUP" /sys/fs/cgroup/*/"$GROUP"; do
		[ ! -d "$d" ] || find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	lab_down # the network tests' lab, if one was made (its veths, NAT go with it)
	cleanup_scratch
}

minictr() {
	"$TOP/scripts/minictr" "$@"
}

# create ARGS...: minictr create on the bundle. The init keeps the stdio
# create had, as runc's does (an engine's pipes): here files, or bats
# would wait for the init to close its output.
create() {
	minictr create --bundle "$B" "$@" </dev/null >>"$SCRATCH/init.out" 2>>"$SCRATCH/init.err"
}

# config JQ: the bundle's config.json from `minictr spec`, edited by JQ,
# in a cgroup of this test's.
config() {
	rm -f "$B/config.json"
	minictr spec --bundle "$B"
	jq --arg g "$GROUP/$BATS_TEST_NUMBER" ".linux.cgroupsPath = \$g | $1" "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
}

# refused JQ LINE: a create of the config that JQ makes (on top of
# .process.args = true) fails with status 1 and LINE on stderr, and
# leaves no state.
refused() {
	config ".process.args = $(args true) | $1"
	run --separate-stderr minictr create --bundle "$B" refused
	assert_failure 1
	assert_equal "$stderr" "minictr: $2"
	[ ! -e "$ROOT/refused" ]
}

# procs ID N: container ID has N processes (minictr ps).
procs() {
	[ "$(minictr ps --format json "$1" | jq length)" -eq "$2" ]
}

args() {
	jq -nc '$ARGS.positional' --args -- "$@"
}

# no_group G: cgroup G is gone, from v1's pids hierarchy and from v2's
# (on v2 there is no /sys/fs/cgroup/pids: a test of it alone passes)
no_group() {
	[ ! -d "/sys/fs/cgroup/pids/$1" ] && [ ! -d "/sys/fs/cgroup/$1" ]
}

state_of() {
	minictr state "$1" | jq -r .status
}

@test "spec writes a config.json with Docker's capabilities; a second spec refuses to overwrite it" {
	run minictr spec --bundle "$B"
	assert_success
	run jq -r '.process.capabilities.bounding | length' "$B/config.json"
	assert_output 14
	run jq -r '[.linux.namespaces[].type] | sort | join(" ")' "$B/config.json"
	assert_output "cgroup ipc mount network pid uts"
	run --separate-stderr minictr spec --bundle "$B"
	assert_failure 1
	assert_equal "$stderr" "minictr: $B/config.json exists already"
}

@test "create leaves the init waiting before exec: pid file written, state created, the command not run; start runs it" {
	config ".process.args = $(args sh -c 'echo ran > /ran; exec sleep 1000')"
	create --pid-file "$SCRATCH/pid" c1
	pid=$(cat "$SCRATCH/pid")
	run state_of c1
	assert_output created
	run minictr state c1
	assert_output --partial "\"pid\": $pid"
	# the init is pid 1 of its own pid namespace, and has not run sh yet
	run awk '/^NSpid:/ { print $NF }' "/proc/$pid/status"
	assert_output 1
	[ ! -e "$B/rootfs/ran" ]
	# nothing of ours stands between the caller and the init: its parent
	# is not a minictr or nsunshare process
	parent=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
	run cat "/proc/$parent/comm"
	refute_output --partial nsunshare
	refute_output --partial minictr
	run minictr start c1
	assert_success
	wait_until test -e "$B/rootfs/ran"
	run state_of c1
	assert_output running
	run cat "/proc/$pid/comm"
	assert_output sleep
	run minictr kill c1 KILL
	assert_success
	wait_until ended "$pid"
	run state_of c1
	assert_output stopped
	run minictr delete c1
	assert_success
	[ ! -e "$ROOT/c1" ]
	no_group "$GROUP/$BATS_TEST_NUMBER"
}

@test "the errors engines read: kill of a stopped container says not running, delete of an unknown one does not exist" {
	config ".process.args = $(args true)"
	create c2
	minictr start c2
	wait_until bash -c "[ \"\$($TOP/scripts/minictr state c2 | jq -r .status)\" = stopped ]"
	run --separate-stderr minictr kill c2 TERM
	assert_failure 1
	assert_equal "$stderr" 'minictr: container "c2" not running'
	minictr delete c2
	run --separate-stderr minictr delete c2
	assert_failure 1
	assert_equal "$stderr" 'minictr: container "c2" does not exist'
	run --separate-stderr minictr --log "$SCRATCH/log.json" --log-format json state nope
	assert_failure 1
	run jq -r '"\(.level) \(.msg)"' "$SCRATCH/log.json"
	assert_output 'error container "nope" does not exist'
}

@test "a running container is not deleted without --force; with it, every process goes and so does the cgroup" {
	config ".process.args = $(args sh -c 'sleep 1000 & exec sleep 1000')"
	create --pid-file "$SCRATCH/pid" c3
	minictr start c3
	pid=$(cat "$SCRATCH/pid")
	wait_until procs c3 2
	run --separate-stderr minictr delete c3
	assert_failure 1
	assert_equal "$stderr" 'minictr: cannot delete container "c3" that is running: stop it first, or use --force'
	running "$pid"
	run minictr delete --force c3
	assert_success
	ended "$pid"
	no_group "$GROUP/$BATS_TEST_NUMBER"
}

@test "ps --format json lists the container's host pids; kill --all signals each of them" {
	config ".process.args = $(args sh -c 'sleep 1000 & exec sleep 1001')"
	create --pid-file "$SCRATCH/pid" c4
	minictr start c4
	pid=$(cat "$SCRATCH/pid")
	wait_until procs c4 2
	run minictr ps --format json c4
	assert_output --partial "$pid"
	mapfile -t pids < <(minictr ps --format json c4 | jq '.[]')
	minictr kill --all c4 KILL
	for p in "${pids[@]}"; do wait_until ended "$p"; done
}

@test "pause freezes every process, resume thaws them, state says so" {
	config ".process.args = $(args sh -c 'while :; do echo x >> /count; sleep 0.05; done')"
	create c5
	minictr start c5
	wait_until test -s "$B/rootfs/count"
	minictr pause c5
	run state_of c5
	assert_output paused
	n=$(wc -l <"$B/rootfs/count")
	sleep 0.3
	[ "$(wc -l <"$B/rootfs/count")" -eq "$n" ]
	minictr resume c5
	run state_of c5
	assert_output running
	wait_until test "$(wc -l <"$B/rootfs/count")" -gt "$n"
}

@test "exec --process runs in the container's namespaces and cgroup; --detach --pid-file returns at once" {
	config ".process.args = $(args sleep 1000)"
	create --pid-file "$SCRATCH/pid" c6
	minictr start c6
	pid=$(cat "$SCRATCH/pid")
	jq -n --argjson a "$(args sh -c 'echo $$; hostname; ls /proc/1/fd >/dev/null && cat /proc/1/comm')" \
		'{args: $a, cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$SCRATCH/p.json"
	run minictr exec --process "$SCRATCH/p.json" c6
	assert_success
	assert_line --index 1 minictr
	assert_line --index 2 sleep
	jq -n --argjson a "$(args sleep 999)" '{args: $a, cwd: "/", env: ["PATH=/bin"]}' >"$SCRATCH/d.json"
	minictr exec --process "$SCRATCH/d.json" --detach --pid-file "$SCRATCH/epid" c6 </dev/null >/dev/null 2>&1
	epid=$(cat "$SCRATCH/epid")
	running "$epid"
	[ "$(ns_of "$epid" pid)" = "$(ns_of "$pid" pid)" ]
	[ "$(ns_of "$epid" mnt)" = "$(ns_of "$pid" mnt)" ]
	# its cgroup, as the host sees it (inside, its cgroup namespace says /)
	grep -qE "(:pids:|^0::)/$GROUP/$BATS_TEST_NUMBER\$" "/proc/$epid/cgroup"
}

@test "run --bundle in the foreground gives the command's exit status, and removes the container" {
	config ".process.args = $(args sh -c 'echo hello; ip -o link show lo | grep -c LOWER_UP; exit 3')"
	run minictr run --bundle "$B" c7
	assert_equal "$status" 3
	# and its own network namespace has lo up, as runc leaves it
	assert_output "$(printf '%s\n' hello 1)"
	[ ! -e "$ROOT/c7" ]
}

@test "limits: memory, pids and cpu of linux.resources land in the container's cgroup" {
	config ".process.args = $(args sleep 1000) | .linux.resources = {memory: {limit: 104857600}, pids: {limit: 20}, cpu: {quota: 50000, period: 100000}}"
	create c8
	g=$GROUP/$BATS_TEST_NUMBER
	run cgset get "$g" memory
	assert_output 104857600
	run cgset get "$g" pids
	assert_output 20
	run cgset get "$g" cpu
	assert_output 0.5
}

@test "a fork bomb stops at linux.resources.pids.limit" {
	# pid 1 starts a shell that forks sleeps until the kernel says no,
	# then becomes a sleep itself: 10 processes at most, at the end 9
	# (the forking shell gave up, its sleeps stay)
	config ".process.args = $(args sh -c 'sh -c "for i in \$(seq 30); do sleep 100 & done"; exec sleep 1000') | .linux.resources = {pids: {limit: 10}}"
	create c9
	minictr start c9
	wait_until grep -q "can't fork" "$SCRATCH/init.err"
	wait_until procs c9 9
	run cgset get "$GROUP/$BATS_TEST_NUMBER" pids
	assert_output 10
}

@test "the process gets the config's capabilities (but never CAP_MKNOD), user, groups and no_new_privs" {
	config ".process.args = $(args sh -c 'id; grep -E "^(CapBnd|CapEff|NoNewPrivs):" /proc/self/status') | .process.user = {uid: 65534, gid: 65534, additionalGids: [10, 20]} | .process.capabilities.ambient = [\"CAP_NET_BIND_SERVICE\"]"
	run minictr run --bundle "$B" c10
	assert_success
	assert_line --index 0 "uid=65534(nobody) gid=65534(nogroup) groups=10,20"
	# Docker's 14 capabilities without CAP_MKNOD (bit 27): 0xa80425fb minus 0x8000000
	assert_line --index 1 --regexp '^CapEff:[[:space:]]+0000000000000400$'
	assert_line --index 2 --regexp '^CapBnd:[[:space:]]+00000000a00425fb$'
	assert_line --index 3 --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "linux.seccomp is enforced: a denied call fails with the errno the profile gives" {
	config ".process.args = $(args sh -c 'mkdir /x; echo status $?') | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_ERRNO\", errnoRet: 1}]}"
	run minictr run --bundle "$B" c11
	assert_success
	assert_output --partial "Operation not permitted"
	assert_output --partial "status 1"
	[ ! -e "$B/rootfs/x" ]
}

@test "mounts, masked and read-only paths, hostname, cwd, env and a read-only root" {
	mkdir -p "$SCRATCH/vol"
	echo from-host >"$SCRATCH/vol/f"
	echo 'hosts file' >"$SCRATCH/hosts"
	config ".process.args = $(args sh -c 'cat /data/f; cat /etc/hosts; touch /data/g 2>&1; echo k=$(wc -c < /proc/keys); echo x 2>&1 > /proc/sys/kernel/hostname; hostname; pwd; echo $HELLO; touch /z 2>&1')
		| .mounts += [{destination: \"/data\", type: \"bind\", source: \"$SCRATCH/vol\", options: [\"rbind\", \"ro\"]},
			{destination: \"/etc/hosts\", type: \"bind\", source: \"$SCRATCH/hosts\", options: [\"bind\"]}]
		| .hostname = \"box\" | .process.cwd = \"/work/here\" | .process.env += [\"HELLO=world\"] | .root.readonly = true"
	run minictr run --bundle "$B" c12
	assert_failure 1 # the last touch
	assert_line --index 0 from-host
	assert_line --index 1 "hosts file"
	assert_line --index 2 --partial "Read-only file system"
	assert_line --index 3 "k=0"
	assert_line --index 4 --partial "Read-only file system"
	assert_line --index 5 box
	assert_line --index 6 /work/here
	assert_line --index 7 world
	assert_line --index 8 --partial "Read-only file system"
}

@test "a field minictr cannot honour is one line naming it, and nothing is left behind" {
	config ".process.args = $(args true) | .hooks = {createContainer: [{path: \"/bin/true\"}]} | .linux.devices = [{path: \"/dev/fuse\", type: \"c\", major: 10, minor: 229}]"
	run --separate-stderr minictr create --bundle "$B" c13
	assert_failure 1
	assert_equal "$stderr" "minictr: config.json: not supported by minictr: hooks.createContainer, linux.devices"
	[ ! -e "$ROOT/c13" ]
	config ".process.args = $(args true) | .linux.namespaces += [{type: \"network\", path: \"$SCRATCH/nope\"}]"
	run --separate-stderr minictr create --bundle "$B" c13
	assert_failure 1
	assert_equal "$stderr" "minictr: linux.namespaces network: $SCRATCH/nope does not exist"
	[ ! -e "$ROOT/c13" ]
	no_group "$GROUP/$BATS_TEST_NUMBER"
	refused '.domainname = "example.org" | .linux.resources.memory = {limit: 1000000, reservation: 500000}' \
		"config.json: not supported by minictr: domainname, linux.resources.memory.reservation"
	# what no tool of ours sets, each named, none passed over
	config ".process.args = $(args true) | .process.ioPriority = {class: \"IOPRIO_CLASS_IDLE\"} | .process.scheduler = {policy: \"SCHED_FIFO\", priority: 1} | .process.execCPUAffinity = {initial: \"0\"} | .linux.timeOffsets = {monotonic: {secs: 1}} | .linux.memoryPolicy = {mode: \"MPOL_BIND\", nodes: \"0\"} | .linux.netDevices = {eth9: {}} | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"/x.sock\", flags: [\"SECCOMP_FILTER_FLAG_LOG\"]} | .linux.resources.memory = {swappiness: 10, disableOOMKiller: true} | .linux.resources.cpu = {idle: 1, burst: 1000} | .mounts += [{destination: \"/m\", type: \"bind\", source: \"/tmp\", options: [\"rbind\", \"idmap\"], uidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]"
	run --separate-stderr minictr create --bundle "$B" c13
	assert_failure 1
	assert_equal "$stderr" "minictr: config.json: not supported by minictr: process.ioPriority, process.scheduler, process.execCPUAffinity, linux.timeOffsets, linux.memoryPolicy, linux.netDevices, linux.seccomp.listenerPath, linux.resources.memory.swappiness, linux.resources.cpu.burst, linux.seccomp.flags, linux.resources.memory.disableOOMKiller, linux.resources.cpu.idle, mounts[].uidMappings, mounts[].options idmap"
	[ ! -e "$ROOT/c13" ]
}

@test "process.user.umask (podman sets 0022) is the command's umask, in create and in exec" {
	config ".process.args = $(args sh -c 'umask; exec sleep 1000') | .process.user.umask = 63"
	minictr create --bundle "$B" --pid-file "$SCRATCH/pid" u1 </dev/null >"$SCRATCH/out" 2>&1
	minictr start u1
	wait_until grep -q . "$SCRATCH/out"
	assert_equal "$(cat "$SCRATCH/out")" 0077
	jq -n '{args: ["sh", "-c", "umask"], cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0, umask: 18}}' >"$SCRATCH/p.json"
	run minictr exec --process "$SCRATCH/p.json" u1
	assert_output 0022
	# minictr's own files keep its umask
	[ "$(stat -c %a "$ROOT/u1/state.json")" = "$(printf '%o' $((0666 & ~$(umask))))" ]
	config ".process.args = $(args true) | .process.user.umask = 1000"
	run --separate-stderr minictr create --bundle "$B" u2
	assert_failure
	assert_equal "$stderr" "minictr: $B/config.json: process.user.umask: a mode from 0 to 0777 (511)"
}

@test "bad input: one line, status 2, nothing made" {
	config ".process.args = $(args true)"
	expect_errors minictr \
		"2|frob|unknown command 'frob' (see minictr --help)" \
		"2||give a command (see minictr --help)" \
		"2|--log-format xml state x|--log-format: text or json, not 'xml' (see minictr --help)" \
		"2|create --bundle $B ../x|'../x' is not a container id (letters, digits, and _ . + - after the first) (see minictr --help)" \
		"2|create --bundle $B|create takes one container id (see minictr --help)" \
		"2|kill x SIGFROB|kill: 'SIGFROB' is not a signal (see minictr --help)" \
		"1|create --bundle $SCRATCH/none c1|bundle $SCRATCH/none: no such directory" \
		"1|start nope|container \"nope\" does not exist"
	[ ! -e "$ROOT" ] || [ -z "$(ls "$ROOT")" ]
}

@test "config.json's fields: a wrong type or broken JSON is one line naming it, nothing made; an rlimit of 2^64-1 is unlimited" {
	config '.process.args = "sh"'
	run --separate-stderr minictr create --bundle "$B" c30
	assert_failure 1
	assert_equal "$stderr" "minictr: $B/config.json: process.args: a JSON string, not array"
	[ ! -e "$ROOT/c30" ]
	no_group "$GROUP/$BATS_TEST_NUMBER"
	echo '{"process": {"args": ["true"]}' >"$B/config.json"
	run --separate-stderr minictr create --bundle "$B" c30
	assert_failure 1
	assert_equal "$stderr" "minictr: $B/config.json: not valid JSON: unexpected end of data"
	[ ! -e "$ROOT/c30" ]
	# runtime-spec's "unlimited" is the largest 64-bit number, which a
	# reader through doubles (jq) rounds to another one
	[ "$(ulimit -Hc)" = unlimited ] || skip "the hard core limit here is not unlimited"
	config ".process.args = $(args sh -c 'ulimit -Hc; ulimit -Sc') | .process.rlimits = [{type: \"RLIMIT_CORE\", hard: 18446744073709551615, soft: 18446744073709551615}]"
	run minictr run --bundle "$B" c30
	assert_success
	assert_output "$(printf '%s\n' unlimited unlimited)"
}

@test "an OCI run starts no program but its tools: minictr-config, the chain, cgset at the end" {
	# bash's own mkdir, ln, rm, mkfifo and sleep (bash-builtins)
	[ -d /usr/lib/bash ] || skip "bash-builtins is not installed"
	config ".process.args = $(args true)"
	# the first run copies capdrop and sysfilter into the root's cache
	minictr run --bundle "$B" c31
	# (-z: the calls that succeeded, each on one line)
	strace -f -qq -z -e trace=execve -e signal=none -o "$SCRATCH/execs" "$TOP/scripts/minictr" run --bundle "$B" c31
	run sed -n 's|^[0-9]* *execve("\([^"]*/\)*\([^"/]*\)".*|\2|p' "$SCRATCH/execs"
	assert_equal "$(paste -sd ' ' <<<"$output")" "minictr minictr-config env cgset nsunshare pivotroot capdrop true cgset"
}

@test "a container id that exists already is refused and the first container is untouched" {
	config ".process.args = $(args sleep 1000)"
	create --pid-file "$SCRATCH/pid" c14
	run --separate-stderr minictr create --bundle "$B" c14
	assert_failure 1
	assert_equal "$stderr" 'minictr: container with id "c14" exists already'
	run state_of c14
	assert_output created
	running "$(cat "$SCRATCH/pid")"
}

@test "delete without --root finds a container created under another root (podman's cleanup does this)" {
	config ".process.args = $(args sleep 1000)"
	"$TOP/scripts/minictr" --root "$SCRATCH/other" create --bundle "$B" --pid-file "$SCRATCH/pid" c15 </dev/null >/dev/null 2>&1
	run minictr state c15
	assert_success
	run minictr delete --force c15
	assert_success
	[ ! -e "$SCRATCH/other/c15" ]
	ended "$(cat "$SCRATCH/pid")"
}

@test "hooks: prestart gets the state on stdin once the init exists, poststart runs after start, poststop at delete" {
	local sh='"/bin/sh", args: ["sh", "-c"'
	config ".process.args = $(args sleep 1000) | .hooks = {
		prestart: [{path: $sh, \"cat > $SCRATCH/prestart.json\"]}],
		poststart: [{path: $sh, \"echo started > $SCRATCH/poststart\"]}],
		poststop: [{path: $sh, \"cat > $SCRATCH/poststop.json\"]}]}"
	create --pid-file "$SCRATCH/pid" c16
	run jq -r '"\(.id) \(.status) \(.pid)"' "$SCRATCH/prestart.json"
	assert_output "c16 created $(cat "$SCRATCH/pid")"
	[ ! -e "$SCRATCH/poststart" ]
	minictr start c16
	[ "$(cat "$SCRATCH/poststart")" = started ]
	minictr delete --force c16
	run jq -r '"\(.id) \(.status)"' "$SCRATCH/poststop.json"
	assert_output "c16 stopped"
}

@test "a prestart hook that fails fails the create, and nothing is left" {
	config ".process.args = $(args sleep 1000) | .hooks = {prestart: [{path: \"/bin/false\"}]}"
	run --separate-stderr minictr create --bundle "$B" c17
	assert_failure 1
	assert_equal "$stderr" "minictr: a prestart hook failed"
	[ ! -e "$ROOT/c17" ]
	no_group "$GROUP/$BATS_TEST_NUMBER"
	# a hook's fields are checked before anything runs: a timeout that
	# is shell code is refused, and runs nothing
	config ".process.args = $(args true) | .hooks = {prestart: [{path: \"/bin/true\", timeout: \"0; touch $SCRATCH/owned\"}]}"
	run --separate-stderr minictr create --bundle "$B" c17
	assert_failure 1
	assert_equal "$stderr" "minictr: $B/config.json: hooks: each hook is an object: path a string, args and env arrays of strings, timeout an integer"
	[ ! -e "$SCRATCH/owned" ]
	[ ! -e "$ROOT/c17" ]
}

# ---- the learner's face ------------------------------------------------

@test "import, then run --rm: the command's output and status, and nothing left" {
	run minictr import busybox --busybox
	assert_success
	run minictr images
	assert_output busybox
	run minictr run --rm --name t1 busybox sh -c 'echo hi from $(hostname); exit 4'
	assert_equal "$status" 4
	assert_output "hi from t1"
	[ ! -e "$MINICTR_HOME/containers/t1" ]
	run grep -c "$MINICTR_HOME" /proc/self/mountinfo
	assert_output 0
}

@test "run -d, exec, ps, logs, stop, rm" {
	minictr import busybox --busybox
	run minictr run -d --name t2 -e GREETING=hi busybox sh -c 'echo started; exec sleep 1000'
	assert_success
	assert_output t2
	# exec gets what the container has: its environment, Docker's filter
	run minictr exec t2 sh -c 'echo $GREETING; grep Seccomp: /proc/self/status'
	assert_line --index 0 hi
	assert_line --index 1 --regexp '^Seccomp:[[:space:]]+2$'
	run minictr ps
	assert_line --index 1 --regexp '^t2 +busybox +running +[0-9]+ '
	run minictr exec t2 cat /proc/1/cmdline
	assert_output "sleep1000"
	wait_until grep -q started "$MINICTR_HOME/containers/t2/log"
	run minictr logs t2
	assert_output started
	pid=$(jq -r .pid "$MINICTR_HOME/state/t2/state.json")
	run minictr stop -t 1 t2
	assert_success
	ended "$pid"
	run minictr ps -a
	assert_line --index 1 --regexp '^t2 +busybox +stopped '
	run minictr rm t2
	assert_success
	[ ! -e "$MINICTR_HOME/containers/t2" ]
}

@test "the writes of a container go to its own layer: the image stays as it was" {
	minictr import busybox --busybox
	minictr run --name t3 busybox sh -c 'echo x > /new; rm /bin/ls'
	[ -e "$MINICTR_HOME/containers/t3/upper/new" ]
	[ -e "$MINICTR_HOME/images/busybox/rootfs/bin/ls" ]
	run ovlmount --diff "$MINICTR_HOME/containers/t3/upper"
	assert_line "A /new"
	assert_line "D /bin/ls"
	minictr rm t3
}

@test "-m, --pids-limit and --cpus set the container's cgroup; -v mounts a volume, :ro read-only" {
	minictr import busybox --busybox
	mkdir "$SCRATCH/v"
	run minictr run --rm --name t4 -m 64M --pids-limit 30 --cpus 0.5 -v "$SCRATCH/v:/v" -v "$SCRATCH/v:/r:ro" busybox \
		sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; echo hi > /v/f; echo no > /r/g'
	assert_failure 1
	assert_line --index 0 67108864
	assert_line --partial "Read-only file system"
	[ "$(cat "$SCRATCH/v/f")" = hi ]
}

@test "--trace shows each tool the run is made of, in order" {
	minictr import busybox --busybox
	run --separate-stderr minictr --trace run --rm --name t5 busybox true
	assert_success
	tools=$(grep -o '^+ [^ ]*' <<<"$stderr" | awk '{ n = split($2, p, "/"); print p[n] }' | uniq | paste -sd ' ')
	assert_equal "$tools" "ovlmount env cgset ovlmount"
	[[ $stderr == *"cgset exec -c $GROUP/t5 -- "*"nsunshare"*" --loopback "* ]]
	assert_equal "$(grep -c 'nsunshare' <<<"$stderr")" 1
	[[ $stderr == *"pivotroot"*"/.ctrkit/capdrop"*"/.ctrkit/sysfilter --profile=docker"* ]]
}

@test "Docker's defaults: its capabilities and seccomp profile; --cap-drop and --security-opt seccomp=unconfined change them" {
	minictr import busybox --busybox
	run minictr run --rm --name t6 busybox sh -c 'grep -E "^(CapBnd|Seccomp):" /proc/self/status'
	assert_line --index 0 --regexp 'CapBnd:[[:space:]]+00000000a00425fb$'
	assert_line --index 1 --regexp 'Seccomp:[[:space:]]+2$'
	run minictr run --rm --name t6 --cap-drop net_raw --security-opt seccomp=unconfined busybox \
		sh -c 'grep -E "^(CapBnd|Seccomp):" /proc/self/status'
	assert_line --index 0 --regexp 'CapBnd:[[:space:]]+00000000a00405fb$'
	assert_line --index 1 --regexp 'Seccomp:[[:space:]]+0$'
	# --cap-drop ALL drops them all, and --cap-add names what stays
	run minictr run --rm --name t6 --cap-drop ALL --cap-add kill busybox grep CapBnd /proc/self/status
	assert_output --regexp 'CapBnd:[[:space:]]+0000000000000020$'
}

@test "a run that fails half way leaves nothing: no state, no overlay, no cgroup" {
	minictr import busybox --busybox
	run --separate-stderr minictr run --rm --name t7 --net container:nope busybox true
	assert_failure 1
	assert_equal "$stderr" 'minictr: container "nope" does not exist'
	[ ! -e "$MINICTR_HOME/containers/t7" ]
	run -127 minictr run --name t7 busybox /no/such/command
	assert_failure 127
	minictr rm t7
	[ ! -e "$MINICTR_HOME/containers/t7" ]
	no_group "$GROUP/t7"
	run grep -c "$MINICTR_HOME" /proc/self/mountinfo
	assert_output 0
}

@test "learner bad input: one line each, status 2" {
	minictr import busybox --busybox
	expect_errors minictr \
		"2|run|run: give an image (minictr images lists them) (see minictr --help)" \
		"2|run -u nobody busybox true|-u: 'nobody' is not UID[:GID] (see minictr --help)" \
		"2|run --cap-add all busybox true|--cap-add ALL is not supported: name the capabilities (see minictr --help)" \
		"2|run -v nocolon busybox|-v: 'nocolon' is not HOST:CTR[:ro] (see minictr --help)" \
		"2|run -p 80 busybox|-p: '80' is not HOST:CTR[/udp], ports from 1 to 65535 (see minictr --help)" \
		"2|run -p 99999:80 --net bridge busybox|-p: '99999:80' is not HOST:CTR[/udp], ports from 1 to 65535 (see minictr --help)" \
		"2|run -p 0:80 --net bridge busybox|-p: '0:80' is not HOST:CTR[/udp], ports from 1 to 65535 (see minictr --help)" \
		"2|run --cpus 99999999999999 busybox true|--cpus: '99999999999999' is not a number of CPUs from 0.01 to $(grep -c ^processor /proc/cpuinfo) (see minictr --help)" \
		"2|run --cpus 0 busybox true|--cpus: '0' is not a number of CPUs from 0.01 to $(grep -c ^processor /proc/cpuinfo) (see minictr --help)" \
		"2|run --pids-limit 99999999999999999999 busybox true|--pids-limit: '99999999999999999999' is not a number from 1 to 4194304 (see minictr --help)" \
		"2|run -p 80:80 busybox|-p needs --net bridge (see minictr --help)" \
		"2|run -m lots busybox|-m: 'lots' is not a size (see minictr --help)" \
		"2|run --net host busybox|--net: none, bridge or container:NAME, not 'host' (see minictr --help)" \
		"2|import Bad|'Bad' is not an image name (lower case letters, digits, _ . -) (see minictr --help)" \
		"1|run nosuch|no image nosuch (minictr import nosuch < rootfs.tar)" \
		"1|import busybox --busybox|image busybox exists already (remove $MINICTR_HOME/images/busybox first)"
	[ -z "$(ls "$MINICTR_HOME/containers" 2>/dev/null)" ]
}

# ---- networks: in a lab (scripts/lab), never the machine's own ----------

# mc ARGS...: minictr in the lab's host network namespace, where its
# bridge and NAT go (joined with nsenter-lite, not ip netns exec, which
# mounts a sysfs of its own over /sys and hides the cgroups).
mc() {
	nsenter-lite --net="/run/netns/$CTRKIT_LAB-host" -- "$TOP/scripts/minictr" "$@"
}

@test "--net bridge -p 8080:80: a server in the container answers on the host's port, from outside and from the host; the container reaches outside through NAT" {
	lab_up
	mc import busybox --busybox
	run mc run -d --name web --net bridge -p 8080:80 busybox \
		sh -c 'mkdir /www; echo "hello from $(hostname)" > /www/index.html; exec httpd -f -p 80 -h /www'
	assert_success
	run mc ps
	assert_line --index 1 --regexp '^web +busybox +running +[0-9]+ +10\.88\.0\.2 +8080:80 '
	wait_until bash -c "'$TOP/scripts/lab' exec --outside timeout 2 socat - TCP:203.0.113.1:8080 <<<\$'GET / HTTP/1.0\r\n' | grep -q 'hello from web'"
	run lab timeout 5 socat - TCP:203.0.113.1:8080 <<<$'GET / HTTP/1.0\r\n'
	assert_output --partial "hello from web"
	serve outside 7000 'outside sees $SOCAT_PEERADDR'
	run mc exec web sh -c 'echo | nc 203.0.113.254 7000'
	assert_output "outside sees 203.0.113.1"
	mc rm -f web
	run lab ip -br link show type veth
	refute_output --partial veth-web
	run lab nft list ruleset
	refute_output --partial 8080
	lab_down
}

@test "--net container:pause: a pod, two containers in the network namespace a pause container holds" {
	minictr import busybox --busybox
	minictr run -d --name pause busybox sleep 100000
	minictr run -d --name app --net container:pause busybox \
		sh -c 'mkdir /w; echo "app, in its own files" > /w/i; exec httpd -f -p 9000 -h /w'
	# another container reaches it on 127.0.0.1: one network namespace
	run minictr run --rm --name side --net container:pause busybox \
		sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:9000/i && exit; sleep 0.2; done; exit 1'
	assert_success
	assert_output "app, in its own files"
	pause=$(jq -r .pid "$MINICTR_HOME/state/pause/state.json")
	app=$(jq -r .pid "$MINICTR_HOME/state/app/state.json")
	[ "$(ns_of "$pause" net)" = "$(ns_of "$app" net)" ]
	[ "$(ns_of "$pause" pid)" != "$(ns_of "$app" pid)" ]
	[ "$(ns_of "$pause" mnt)" != "$(ns_of "$app" mnt)" ]
}

@test "four runs at once on the bridge: four containers, four addresses, each reaches the others; rm of all leaves no veth" {
	lab_up
	mc import busybox --busybox
	local runs=()
	for n in 1 2 3 4; do
		mc run -d --name "p$n" --net bridge busybox sleep 1000 >"$SCRATCH/run$n" 2>&1 &
		runs+=("$!")
	done
	# by pid: a bare wait would also wait for bats' own timer
	wait "${runs[@]}"
	for n in 1 2 3 4; do
		run cat "$SCRATCH/run$n"
		assert_output "p$n"
	done
	run bash -c "jq -r .address '$MINICTR_HOME'/containers/p*/info.json | sort -u | wc -l"
	assert_output 4
	a4=$(jq -r .address "$MINICTR_HOME/containers/p4/info.json")
	run mc exec p1 ping -c 1 -W 2 "$a4"
	assert_success
	mc rm -f p1 p2 p3 p4
	run lab ip -br link show type veth
	refute_output --partial veth-p
}

@test "import --oci: an image layout's layers become the image; run sees its files" {
	mkdir -p "$SCRATCH/l1/bin" "$SCRATCH/l2/etc"
	cp "$B/rootfs/bin/busybox" "$SCRATCH/l1/bin/"
	ln -s busybox "$SCRATCH/l1/bin/sh"
	ln -s busybox "$SCRATCH/l1/bin/cat"
	echo "from the second layer" >"$SCRATCH/l2/etc/motd"
	tar -C "$SCRATCH/l1" -cf "$SCRATCH/l1.tar" .
	tar -C "$SCRATCH/l2" -cf "$SCRATCH/l2.tar" .
	"$TOP/scripts/mkoci" "$SCRATCH/layout" v1 "$SCRATCH/l1.tar" "$SCRATCH/l2.tar" >/dev/null
	run minictr import small --oci "$SCRATCH/layout:v1"
	assert_success
	run minictr run --rm --name o1 small cat /etc/motd
	assert_success
	assert_output "from the second layer"
}

@test "--init: pid 1 is nsunshare's init, the command its child; -u, -e, -w, --hostname and --read-only" {
	minictr import busybox --busybox
	run minictr run --rm --name i1 --init busybox sh -c 'cat /proc/1/comm; echo $$'
	assert_success
	assert_output "$(printf '%s\n' nsunshare 2)"
	run minictr run --rm --name i2 -u 65534:65534 -e GREETING=hi -w /tmp --hostname box --read-only busybox \
		sh -c 'id -u; echo $GREETING; pwd; hostname; touch /x 2>&1; exit 0'
	assert_success
	assert_output "$(printf '%s\n' 65534 hi /tmp box 'touch: /x: Read-only file system')"
}

@test "list shows each container with its status, as runc list does" {
	config ".process.args = $(args sleep 1000)"
	create l1
	# a cgroup of its own (one with processes is refused)
	config ".process.args = $(args sleep 1000) | .linux.cgroupsPath = \"$GROUP/l2\""
	create l2
	minictr start l2
	run minictr list
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --regexp "^l1 +[0-9]+ +created +$B "
	assert_line --regexp "^l2 +[0-9]+ +running +$B "
	run minictr list --format json
	assert_output --partial '"id":"l1"'
	run minictr list -q
	assert_output "$(printf '%s\n' l1 l2)"
}

@test "SIGTERM to a create half way (in a prestart hook) undoes it: no init, no state, no cgroup" {
	config ".process.args = $(args sleep 1000) | .hooks = {prestart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $SCRATCH/hook; sleep 2\"]}]}"
	# minictr itself, not through the function: $! must be its pid
	"$TOP/scripts/minictr" create --bundle "$B" --pid-file "$SCRATCH/pid" c18 </dev/null >/dev/null 2>&1 &
	mc=$!
	wait_until test -e "$SCRATCH/hook"
	init=$(cat "$ROOT/c18/init.pid")
	kill -TERM "$mc"
	st=0
	wait "$mc" || st=$?
	assert_equal "$st" 143
	ended "$init"
	[ ! -e "$ROOT/c18" ]
	[ ! -e "$SCRATCH/pid" ]
	no_group "$GROUP/$BATS_TEST_NUMBER"
}

@test "a container with CAP_SYS_PTRACE cannot write our tools through /proc/PID/exe (CVE-2019-5736): not exec's nsenter-lite, not --init's nsunshare" {
	local g sum
	g=$(attack_programs)
	# minictr runs a copy of the tools: if the attack works, it writes there
	cp -a "$CTRKIT_BIN" "$SCRATCH/bin"
	export CTRKIT_BIN=$SCRATCH/bin
	sum=$(cat "$SCRATCH"/bin/* | md5sum)
	minictr import busybox --busybox
	# exec: nsenter-lite's child is in the container's pid namespace for
	# a moment; the container's command waits for it, then for the file
	# to be free (for up to 60 s: in the VM lane an exec takes 1.5 s or
	# more, and a catch may take several)
	minictr run -d --name x --cap-add SYS_PTRACE -v "$g:/atk:ro" busybox /atk/grabexe nsenter-lite 60
	for _ in $(seq 50); do
		# (an exec as the container ends, once caught, is killed with it)
		minictr exec x true || true
		if grep -q caught "$MINICTR_HOME/containers/x/log"; then break; fi
	done
	wait_until_stopped() { ! minictr ps | grep -q '^x '; }
	wait_until wait_until_stopped
	run minictr logs x
	assert_line --index 0 "caught nsenter-lite"
	assert_line --index 1 "mount: read-only"
	assert_line --index 2 "Read-only file system"
	# --init: nsunshare stays pid 1 beside the command, busy while it
	# runs, and then on a read-only mount too
	run minictr run --rm --init --cap-add SYS_PTRACE -v "$g:/atk:ro" busybox /atk/grabexe 1 1
	assert_line --index 0 "caught 1"
	assert_line --index 1 "mount: read-only"
	[ "$(cat "$SCRATCH"/bin/* | md5sum)" = "$sum" ]
}

@test "exec starts in the container's working directory, never in the host's: relative paths and .. stay in the container" {
	minictr import busybox --busybox
	minictr run -d --name w -w /tmp busybox sleep 1000
	minictr exec w sh -c 'echo mark >/tmp/mark'
	# the container's cwd: its /tmp, where the mark is; the host's /
	# has an etc/debian_version, the busybox image none
	run minictr exec w sh -c 'pwd; cat mark; cat ../etc/debian_version 2>/dev/null || echo "no debian_version"'
	assert_success
	assert_output "/tmp
mark
no debian_version"
	run minictr exec -w / w sh -c 'pwd; ls etc/debian_version 2>/dev/null || echo "no debian_version"'
	assert_output "/
no debian_version"
	# the engines' face: process.cwd of the exec's process.json
	jq -n '{args: ["sh", "-c", "pwd; ls etc/debian_version 2>/dev/null || echo no debian_version"], cwd: "/", env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$SCRATCH/p.json"
	run minictr --root "$MINICTR_HOME/state" exec --process "$SCRATCH/p.json" w
	assert_output "/
no debian_version"
}

@test "a container in the foreground, and exec, write to our terminal but cannot type into it (TIOCSTI): no controlling terminal, as runc's" {
	local g
	g=$(attack_programs)
	minictr import busybox --busybox
	# script(1) gives minictr a terminal, as a learner's shell has (its
	# lines end in CR LF); the 7th field of /proc/self/stat is the
	# controlling terminal (0: none)
	on_terminal() { script -qec "$1" /dev/null | tr -d '\r'; }
	run on_terminal "$TOP/scripts/minictr run --rm -v $g:/atk:ro busybox sh -c '/atk/tiocsti x; cut -d\" \" -f7 /proc/self/stat'"
	assert_line --index 0 "TIOCSTI: Operation not permitted"
	assert_line --index 1 0
	minictr run -d --name tty -v "$g:/atk:ro" busybox sleep 1000
	run on_terminal "$TOP/scripts/minictr exec tty sh -c '/atk/tiocsti x; cut -d\" \" -f7 /proc/self/stat'"
	assert_line --index 0 "TIOCSTI: Operation not permitted"
	assert_line --index 1 0
	# -t hands the container our terminal as it is (minictr(1), BUGS)
	run on_terminal "$TOP/scripts/minictr run --rm -t busybox sh -c 'cut -d\" \" -f7 /proc/self/stat'"
	refute_line --index 0 0
}

@test "a command's own -b, --bundle, -p or --process is the command's: the learner's run and exec are not taken for the engines'" {
	minictr import busybox --busybox
	run minictr run --rm --name b1 -e A=1 busybox echo --bundle -b x
	assert_success
	assert_output "--bundle -b x"
	minictr run -d --name b2 busybox sleep 1000
	run minictr exec -e B=2 b2 echo -p --process=x
	assert_success
	assert_output "-p --process=x"
}

@test "stop of a container that runs in the foreground elsewhere: that run ends with 137 and says nothing of bash's jobs" {
	minictr import busybox --busybox
	minictr run --rm --name fg busybox sleep 1000 >"$SCRATCH/out" 2>"$SCRATCH/err" &
	local runner=$!
	wait_until test -s "$MINICTR_HOME/state/fg/init.pid"
	run minictr stop -t 1 fg
	assert_success
	local st=0
	wait "$runner" || st=$?
	[ "$st" -eq 137 ]
	assert_equal "$(cat "$SCRATCH/err")" ""
	[ ! -e "$MINICTR_HOME/containers/fg" ]
}

@test "fds the caller left open do not reach a created container's init, --preserve-fds ones do" {
	local init
	# fd 7 a host directory, fd 8 a file to pass on with --preserve-fds
	echo passed >"$SCRATCH/passed"
	config ".process.args = $(args sleep 1000)"
	# (the init keeps our stdout: a file, not bats' pipe, which it would hold open)
	minictr create --bundle "$B" --pid-file "$SCRATCH/pid" c7 </dev/null >"$SCRATCH/out" 2>&1 7</etc
	init=$(cat "$SCRATCH/pid")
	run ls -l "/proc/$init/fd/"
	refute_output --partial ' -> /etc'
	config ".process.args = $(args sleep 1000) | .linux.cgroupsPath = \"$GROUP/c8\""
	minictr create --bundle "$B" --pid-file "$SCRATCH/pid8" --preserve-fds 1 c8 </dev/null >/dev/null 2>&1 3<"$SCRATCH/passed" 7</etc
	init=$(cat "$SCRATCH/pid8")
	run ls -l "/proc/$init/fd/"
	assert_output --partial " -> $SCRATCH/passed"
	refute_output --partial ' -> /etc'
}

@test "a container or image name is a word, never a path: rm, logs, stop, exec and run refuse ../ and leave the directories outside alone" {
	minictr import busybox --busybox
	mkdir -p "$SCRATCH/victim" "$MINICTR_HOME/containers"
	echo kept >"$SCRATCH/victim/log"
	mkdir -p "$SCRATCH/base/rootfs"
	local cmd name
	for cmd in "rm ../../victim|../../victim" "rm -f ..|.." "logs ../../victim|../../victim" \
		"stop ../../victim|../../victim" "exec ../../victim true|../../victim"; do
		name=${cmd#*|}
		# shellcheck disable=SC2086 # the words of cmd
		run --separate-stderr minictr ${cmd%|*}
		assert_failure 2
		assert_equal "$stderr" "minictr: '$name' is not a container id (letters, digits, and _ . + - after the first) (see minictr --help)"
	done
	run --separate-stderr minictr run --rm ../../base true
	assert_failure 2
	assert_equal "$stderr" "minictr: '../../base' is not an image name (lower case letters, digits, _ . -) (see minictr --help)"
	assert_equal "$(cat "$SCRATCH/victim/log")" kept
	[ -d "$MINICTR_HOME/containers" ]
}

@test "linux.cgroupsPath: a cgroup with processes is refused; delete removes the levels create made, never a parent that was there before" {
	local victim
	# another's group, with a process in it
	cgset create "$GROUP/other" >/dev/null
	sleep 1000 &
	victim=$!
	cgset add "$GROUP/other" "$victim"
	config ".process.args = $(args true) | .linux.cgroupsPath = \"/$GROUP/other\""
	run --separate-stderr minictr create --bundle "$B" h1
	assert_failure
	assert_equal "$stderr" "minictr: linux.cgroupsPath /$GROUP/other: the cgroup has processes already (a container's cgroup must be its own)"
	[ ! -e "$ROOT/h1" ]
	kill -0 "$victim"
	# a kubelet's QoS group, there before: the pod and the container
	# levels are ours, the QoS one is not
	cgset create "$GROUP/qos" >/dev/null
	config ".process.args = $(args true) | .linux.cgroupsPath = \"/$GROUP/qos/pod1/ctr1\""
	minictr create --bundle "$B" h2 </dev/null >"$SCRATCH/out" 2>&1
	run cgset ps "$GROUP/qos/pod1/ctr1"
	assert_line --index 1 --regexp '^ *[0-9]+ .*pivotroot'
	minictr delete --force h2
	run cgset ps "$GROUP/qos/pod1"
	assert_failure
	run cgset ps "$GROUP/qos"
	assert_success
	kill "$victim"
	wait "$victim" || true
}

@test "--pid-file that is a symbolic link: the link is replaced by the pid file, what it pointed to is left alone" {
	config ".process.args = $(args sleep 1000)"
	echo untouched >"$SCRATCH/target"
	ln -s "$SCRATCH/target" "$SCRATCH/pid"
	minictr create --bundle "$B" --pid-file "$SCRATCH/pid" p1 </dev/null >"$SCRATCH/out" 2>&1
	assert_equal "$(cat "$SCRATCH/target")" untouched
	[ ! -L "$SCRATCH/pid" ]
	run minictr state p1
	assert_output --partial "\"pid\": $(cat "$SCRATCH/pid")"
	run ls "$SCRATCH"
	refute_output --partial minictr-
}

@test "runc's exec form without --process: exec ID COMMAND, with --cwd, -e and -u, for an engines' container" {
	config ".process.args = $(args sleep 1000)"
	minictr create --bundle "$B" r1 </dev/null >"$SCRATCH/out" 2>&1
	minictr start r1
	run minictr exec r1 echo hi
	assert_success
	assert_output hi
	run minictr exec --cwd /tmp -e A=1 -u 1000:1000 r1 sh -c 'pwd; echo $A; id -u'
	assert_success
	assert_output "/tmp
1
1000"
}

@test "a run whose create fails (a hostname of 70 characters) leaves no overlay and no bundle, and its name is free again" {
	minictr import busybox --busybox
	run --separate-stderr minictr run --name toolong --hostname "$(printf 'h%.0s' {1..70})" busybox true
	assert_failure
	[ ! -e "$MINICTR_HOME/containers/toolong" ]
	run grep -c "$MINICTR_HOME" /proc/self/mountinfo
	assert_output 0
	run minictr run --rm --name toolong busybox echo free
	assert_output free
}

@test "--net bridge: a run refused for a port another container maps leaves that container's mapping in place" {
	lab_up
	mc import busybox --busybox
	mc run -d --name pa --net bridge -p 18081:80 busybox sleep 1000
	run mc run -d --name pb --net bridge -p 18081:80 busybox sleep 1000
	assert_failure
	run lab portmap list
	assert_line --partial 18081
	mc rm -f pa
	run lab portmap list
	refute_line --partial 18081
	lab_down
}

@test "a create killed (SIGKILL, no undo) before its state was written: delete --force removes its init, cgroup and files, and the id is free again" {
	local mc init t
	config ".process.args = $(args sleep 1000)"
	# a pivotroot that waits 5 s before it starts: the kill comes while
	# create waits for it, before the state is written, every time
	mkdir "$SCRATCH/slow"
	for t in "$CTRKIT_BIN"/*; do ln -s "$t" "$SCRATCH/slow/"; done
	rm "$SCRATCH/slow/pivotroot"
	printf '#!/bin/sh\nsleep 5\nexec %s/pivotroot "$@"\n' "$CTRKIT_BIN" >"$SCRATCH/slow/pivotroot"
	chmod +x "$SCRATCH/slow/pivotroot"
	CTRKIT_BIN=$SCRATCH/slow minictr create --bundle "$B" k1 </dev/null >"$SCRATCH/out" 2>&1 &
	mc=$!
	wait_until test -s "$ROOT/k1/init.pid"
	init=$(cat "$ROOT/k1/init.pid")
	kill -KILL "$mc"
	wait "$mc" || true
	[ ! -e "$ROOT/k1/state.json" ]
	run minictr delete k1
	assert_failure
	run minictr delete --force k1
	assert_success
	ended "$init"
	[ ! -e "$ROOT/k1" ]
	run cgset ps "$GROUP/$BATS_TEST_NUMBER"
	assert_failure
	minictr create --bundle "$B" k1 </dev/null >"$SCRATCH/out" 2>&1
	minictr delete --force k1
}

@test "a create whose pivotroot fails (a file system the kernel does not know) fails with its line, and leaves nothing" {
	config ".process.args = $(args true) | .mounts += [{destination: \"/x\", type: \"nosuchfs\", source: \"none\"}]"
	run minictr create --bundle "$B" f1 </dev/null
	assert_failure
	assert_line "pivotroot: cannot mount none on /x: No such device"
	assert_line "minictr: the container's init ended before it was ready"
	[ ! -e "$ROOT/f1" ]
	run cgset ps "$GROUP/$BATS_TEST_NUMBER"
	assert_failure
	# an init gone before create looks at it at all (as under emulation):
	# a pivotroot that fails at once
	local t
	mkdir "$SCRATCH/fast"
	for t in "$CTRKIT_BIN"/*; do ln -s "$t" "$SCRATCH/fast/"; done
	rm "$SCRATCH/fast/pivotroot"
	printf '#!/bin/sh\necho "pivotroot: failed at once" >&2\nexit 1\n' >"$SCRATCH/fast/pivotroot"
	chmod +x "$SCRATCH/fast/pivotroot"
	config ".process.args = $(args true)"
	CTRKIT_BIN=$SCRATCH/fast run minictr create --bundle "$B" f2 </dev/null
	assert_failure
	assert_line "pivotroot: failed at once"
	assert_line "minictr: the container's init ended before it was ready"
	[ ! -e "$ROOT/f2" ]
}

@test "a device node that the image brings does not work in the container (no device cgroup: nodev); /dev's do" {
	config ".process.args = $(args sh -c 'echo x >/kmsg 2>&1 || echo refused; echo y >/dev/null && echo devnull')"
	# /dev/null's numbers: harmless, and a device node all the same
	mknod "$B/rootfs/kmsg" c 1 3
	run minictr run --bundle "$B" n1
	assert_output --partial "Permission denied"
	assert_line refused
	assert_line devnull
}

@test "a hostname without a uts namespace of the container's own, or with a newline, is refused, as runc refuses it" {
	refused '.linux.namespaces |= map(select(.type != "uts"))' \
		"hostname: needs a new uts namespace in linux.namespaces (it would be the host's)"
	refused '.hostname = "a\nb"' "hostname: a newline is not allowed"
}

@test "the learner's environment is docker's: PATH, HOSTNAME, TERM only with -t, the -e variables, HOME from the image's passwd; exec gets the same" {
	minictr import busybox --busybox
	run minictr run --rm --name envy -e A=1 busybox env
	assert_output "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOSTNAME=envy
A=1
HOME=/root"
	run script -qec "$TOP/scripts/minictr run --rm -t -u 65534 busybox env" /dev/null
	assert_line --partial TERM=xterm
	assert_line --partial "HOME=$(awk -F: '$3 == 65534 { print $6 }' "$MINICTR_HOME/images/busybox/rootfs/etc/passwd")"
	minictr run -d --name envz -e HOME=/tmp busybox sleep 1000
	run minictr exec envz sh -c 'echo $HOSTNAME $HOME $TERM'
	assert_output "envz /tmp"
}
