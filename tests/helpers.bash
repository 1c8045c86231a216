# Shared by every bats file: the tools on PATH, root checks, a scratch
# directory per test, containers to look at, and their cleanup.
# shellcheck shell=bash
# bats' run sets status, output, lines, stderr and stderr_lines:
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
CTRKIT_BIN=${CTRKIT_BIN:-$TOP/bin}
PATH=$CTRKIT_BIN:$TOP/tests/bin:$PATH
export CTRKIT_BIN PATH

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# Everything a test makes lives under $SCRATCH (or is named ctrkit-test),
# so that the final leak check can see what was left behind.
make_scratch() {
	SCRATCH=$(mktemp -d /tmp/ctrkit-test.XXXXXX)
	chmod 755 "$SCRATCH"
	CONTAINERS=()
}

# A private tmpfs for pin files: a mount namespace can only be pinned
# on a mount that does not propagate into itself.
make_pin_dir() {
	PINS=$SCRATCH/pins
	mkdir -p "$PINS"
	mount -t tmpfs ctrkit-test "$PINS"
	mount --make-private "$PINS"
}

# Runs "nsunshare ARGS... ctrkit-test-sleep" in the background, or with
# "ARGS... -- COMMAND..." the command given (which must end up running
# ctrkit-test-sleep), and sets CTR to the pid of the sleeping process, on
# the host, and NSUNSHARE to nsunshare's own. fd 3 is closed so that bats
# does not wait for it.
start_container() {
	local arg
	for arg in "$@"; do
		[ "$arg" != -- ] || break
	done
	if [ "$arg" = -- ]; then
		nsunshare "$@" >/dev/null 2>&1 3>&- &
	else
		nsunshare "$@" ctrkit-test-sleep >/dev/null 2>&1 3>&- &
	fi
	NSUNSHARE=$!
	CONTAINERS+=("$NSUNSHARE")
	CTR=$(wait_for_sleeper "$NSUNSHARE")
	CONTAINERS+=("$CTR")
}

# Prints the pid of the ctrkit-test-sleep process (or of the command
# named $2: "sleep" in a busybox rootfs) that $1 is or that descends from
# it, once it runs (waits up to 5 s, looking every 20 ms).
wait_for_sleeper() {
	local top=$1 name=${2:-ctrkit-test-sleep} pid pids
	for _ in $(seq 250); do
		pids=$top
		while [ -n "$pids" ]; do
			for pid in $pids; do
				if [ "$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1)" = "$name" ]; then
					echo "$pid"
					return 0
				fi
			done
			pids=$(for pid in $pids; do pgrep -P "$pid"; done)
		done
		kill -0 "$top" 2>/dev/null || break # it failed: no point waiting
		sleep 0.02
	done
	echo "no $name started under $top" >&2
	return 1
}

# Runs CMD... until it succeeds, for up to 5 s (looking every 20 ms);
# says what it waited for when it gives up.
wait_until() {
	for _ in $(seq 250); do
		"$@" && return 0
		sleep 0.02
	done
	echo "still not: $*" >&2
	return 1
}

stop_containers() {
	local pid
	for pid in "${CONTAINERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${CONTAINERS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	CONTAINERS=()
}

cleanup_scratch() {
	stop_containers
	if [ -n "${SCRATCH:-}" ] && [ -d "$SCRATCH" ]; then
		# Pins and other mounts under the scratch dir, deepest first.
		grep -o " ${SCRATCH}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null || true
		done
		rm -rf "$SCRATCH"
	fi
}

# Runs a command as nobody, with no supplementary groups: the rootless
# case. The tools are copied where nobody may run them if needed.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# Puts copies of the tools in $SCRATCH/bin if nobody cannot reach bin/.
tools_for_nobody() {
	if ! as_nobody test -x "$CTRKIT_BIN/nsunshare"; then
		mkdir -p "$SCRATCH/bin"
		cp "$CTRKIT_BIN"/* "$SCRATCH/bin/"
		chmod -R a+rX "$SCRATCH/bin"
		PATH=$SCRATCH/bin:$PATH
	fi
}

# Has process PID ended? Gone, or a zombie: a detached container's
# parent is the machine's init (or a subreaper), which reaps when it will.
ended() {
	[ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# Does process PID run (exist, and not as a zombie)?
running() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# The inode of /proc/PID/ns/TYPE, as the kernel names it.
ns_of() {
	stat -L -c %i "/proc/$1/ns/$2"
}

# expect_errors TOOL "STATUS|ARGS|MESSAGE"...: for each case, TOOL ARGS
# must exit STATUS with nothing on stdout and exactly the one line
# "TOOL: MESSAGE" on stderr (a MESSAGE ending in * is a prefix).
expect_errors() {
	local tool=$1 c want_status args want
	shift
	for c in "$@"; do
		IFS='|' read -r want_status args want <<<"$c"
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr "$tool" $args
		[ "$status" -eq "$want_status" ] || { echo "$tool $args: status $status: $stderr"; return 1; }
		[ -z "$output" ] || { echo "$tool $args: printed '$output'"; return 1; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$tool $args: $stderr"; return 1; }
		if [[ $want == *'*' ]]; then
			[[ $stderr == "$tool: ${want%\*}"* ]] || { echo "$tool $args: got '$stderr'"; return 1; }
		else
			[ "$stderr" = "$tool: $want" ] || { echo "$tool $args: got '$stderr'"; return 1; }
		fi
	done
}

# strace_v NAME CMD...: runs CMD under strace -ff, with strace's
# default string size (-v shows buffers cut as strace does), its stdout
# to $SCRATCH/NAME.out, its stderr (the -v lines) to NAME.v and its
# status to v_status. NAME.seen gets strace's lines as a tool's -v writes
# them: without the padding strace puts before " = ", glibc's fork() by
# that name (strace sees the clone(2) it makes), an execve without its
# "= 0" (a successful execve does not return to print it). -ff writes
# each process to a file of its own, so that no call is split in two.
strace_v() {
	local name=$1
	shift
	mkdir "$SCRATCH/$name.strace"
	# the caller's test reads v_status
	# shellcheck disable=SC2034
	{
		v_status=0
		strace -ff -qq -o "$SCRATCH/$name.strace/trace" "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.v" ||
			v_status=$?
	}
	cat "$SCRATCH/$name.strace"/trace.* | sed -E \
		-e 's/^(.*\)) +=/\1 =/' \
		-e 's/^clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD, child_tidptr=0x[0-9a-f]+\) =/fork() =/' \
		-e 's/^(execve(at)?\(.*\)) = 0$/\1/' >"$SCRATCH/$name.seen"
}

# not_seen TOOL NAME [REGEX...]: each -v line of run NAME (strace_v),
# "TOOL: " taken off, that is no line of strace's. Lines that match a
# REGEX (extended) are notes that name no call, and are left aside.
# Prints nothing when -v told only the truth; fails if -v said nothing.
not_seen() {
	local tool=$1 name=$2 re
	shift 2
	grep -q "^$tool: " "$SCRATCH/$name.v" || { echo "no -v line from $tool"; return 1; }
	local notes=(-e '^$')
	for re in "$@"; do
		notes+=(-e "$re")
	done
	grep "^$tool: " "$SCRATCH/$name.v" | sed "s/^$tool: //" | grep -v -E "${notes[@]}" |
		grep -v -x -F -f "$SCRATCH/$name.seen" || true
}

# A busybox rootfs at $1 (made in well under a second).
busybox_rootfs() {
	mkrootfs --busybox "$1" >/dev/null
}

# attack_programs: builds tests/grabexe.c (CVE-2019-5736's attack) and
# tests/tiocsti.c (typing into a terminal) once per file, static, so
# that they run in a busybox image too; prints their directory.
attack_programs() {
	local dir=$BATS_FILE_TMPDIR/attack p
	for p in grabexe tiocsti; do
		[ -x "$dir/$p" ] || { mkdir -p "$dir" && cc -static -O2 -o "$dir/$p" "$TOP/tests/$p.c"; } || return 1
	done
	echo "$dir"
}

# Builds tests/mktar.c (hostile tar archives on demand) once per file.
mktar() {
	local bin=$BATS_FILE_TMPDIR/mktar
	[ -x "$bin" ] || cc -o "$bin" "$TOP/tests/mktar.c" -larchive
	"$bin" "$@"
}

# What a tree holds, one line per path: type, mode, owner, size, target.
tree_listing() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | sort)
}

# ---- the network lab (scripts/lab): every network test runs in one ----

# A lab of this test's own: its namespaces are $LAB-host and $LAB-out.
lab_up() {
	need_root
	export CTRKIT_LAB=ctrkit-test-lab-$$-$BATS_TEST_NUMBER
	LAB=$CTRKIT_LAB
	"$TOP/scripts/lab" up
}

lab_down() {
	[ -z "${LAB:-}" ] || "$TOP/scripts/lab" down
}

# lab CMD...: runs CMD in the lab's host; lab --outside CMD... outside.
lab() {
	"$TOP/scripts/lab" exec "$@"
}

# lab_container VAR: a container (a network namespace of its own, made by
# nsunshare -n from inside the lab's host); sets VAR to its pid.
lab_container() {
	local pid
	lab nsunshare -n ctrkit-test-sleep >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	pid=$(wait_for_sleeper "$!")
	CONTAINERS+=("$pid")
	printf -v "$1" %s "$pid"
}

# add_ctr VETH PID N: container PID on bridge ctr0 (192.168.0.1/24, made
# when missing) as 192.168.0.N, through a veth pair named VETH.
add_ctr() {
	lab vethpair add "$1" --netns "$2" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr "192.168.0.$3/24"
}

# in_ctr PID CMD...: runs CMD in the container's network namespace.
in_ctr() {
	local pid=$1
	shift
	nsenter-lite -t "$pid" -n -- "$@"
}

# serve WHERE PORT TEXT: a TCP server that answers each connection with
# TEXT, in which $SOCAT_PEERADDR is the client's address. WHERE is host
# or outside (the lab's), or a container's pid. The server is started
# straight, not through a shell function, so that $! is its own pid.
serve() {
	local where=$1 port=$2 text=$3 cmd
	case $where in
	host) cmd=("$TOP/scripts/lab" exec) ;;
	outside) cmd=("$TOP/scripts/lab" exec --outside) ;;
	*) cmd=(nsenter-lite -t "$where" -n --) ;;
	esac
	"${cmd[@]}" socat "TCP-LISTEN:$port,reuseaddr,fork" "SYSTEM:echo \"$text\"" >/dev/null 2>&1 3>&- &
	CONTAINERS+=("$!")
	# until it listens
	for _ in $(seq 50); do
		"${cmd[@]}" ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	echo "no server on port $port" >&2
	return 1
}
