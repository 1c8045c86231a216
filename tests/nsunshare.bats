#!/usr/bin/env bats
# nsunshare: new namespaces, their setup, pins, and every bad input.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

# ---- the pid namespace (E1, E2, E3) ----

@test "getpid under -p without fork still prints a host pid" {
	need_root
	run nsunshare -p getpid
	assert_success
	assert_output --regexp '^pid:[0-9]+$'
	[ "$output" != "pid:1" ]
}

@test "getpid under -p -f prints pid:1" {
	need_root
	run nsunshare -p -f getpid
	assert_success
	assert_output "pid:1"
}

@test "-p -f --mount-proc: ps inside shows only the command, as pid 1" {
	need_root
	run nsunshare -p -f --mount-proc ps -e -o pid=,comm=
	assert_success
	assert_output --regexp '^ *1 ps$'
}

@test "-p -f: the host sees the container's pid 1 under another pid" {
	need_root
	start_container -p -f --mount-proc
	[ "$CTR" -gt 1 ]
	run grep NSpid "/proc/$CTR/status"
	assert_output --regexp "^NSpid:[[:space:]]+${CTR}[[:space:]]+1$"
}

# ---- each kind of namespace ----

@test "each namespace flag makes exactly that namespace new" {
	need_root
	for spec in "-m mnt" "-u uts" "-i ipc" "-n net" "-C cgroup" "-U user" "-p pid" "-T time"; do
		flag=${spec% *} type=${spec#* }
		start_container "$flag" -f
		for other in cgroup ipc mnt net pid time user uts; do
			if [ "$other" = "$type" ]; then
				[ "$(ns_of "$CTR" "$other")" != "$(ns_of $$ "$other")" ] ||
					{ echo "$flag: $other did not change"; return 1; }
			else
				[ "$(ns_of "$CTR" "$other")" = "$(ns_of $$ "$other")" ] ||
					{ echo "$flag: $other changed too"; return 1; }
			fi
		done
		stop_containers
	done
}

@test "--hostname: the name changes inside and not outside" {
	need_root
	before=$(hostname)
	run nsunshare --hostname=ctrkit-box hostname
	assert_success
	assert_output "ctrkit-box"
	[ "$(hostname)" = "$before" ]
	run nsunshare -u sh -c 'hostname inside; hostname'
	assert_output "inside"
	[ "$(hostname)" = "$before" ]
}

@test "-i: a new IPC namespace does not see the host's message queue" {
	need_root
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	run nsunshare -i ipcs -q -i "$id"
	ipcrm -q "$id"
	assert_output "ipcs: id $id not found"
}

@test "-n: a new network namespace holds only a loopback, down" {
	need_root
	run nsunshare -n ip -o link
	assert_success
	assert_output --regexp '^1: lo: <LOOPBACK> .*state DOWN'
	[ "${#lines[@]}" -eq 1 ]
}

# lo's line of `ip -br link`, then whether 127.0.0.1 answers a ping.
probe_lo='ip -br link show lo; ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 && echo ping ok || echo no ping'

@test "-n --loopback: lo is up inside and 127.0.0.1 answers; without it, lo is down and it does not" {
	need_root
	run nsunshare -n --loopback sh -c "$probe_lo"
	assert_success
	assert_line --index 0 --regexp '^lo +UNKNOWN +.*<LOOPBACK,UP,LOWER_UP>'
	assert_line --index 1 "ping ok"
	run nsunshare -n sh -c "$probe_lo"
	assert_line --index 0 --regexp '^lo +DOWN +.*<LOOPBACK>'
	assert_line --index 1 "no ping"
}

@test "-U -n --loopback: the new user namespace owns the new network namespace, so lo comes up, maps or not" {
	need_root
	# ping cannot run as an unmapped uid (65534 inside): ask the routes
	# instead; 127.0.0.1 is routed to lo once lo is up, unreachable before.
	probe='ip -br link show lo; ip route get 127.0.0.1 2>&1'
	for flags in "-U -r" "-U" "-U -c" "-U --map-users=100000,0,65536 --map-groups=100000,0,65536"; do
		# shellcheck disable=SC2086 # the flags are words
		run nsunshare $flags -n --loopback sh -c "$probe"
		if [ "$status" -ne 0 ] || [[ ! ${lines[0]} =~ ^lo\ +UNKNOWN\ .*,UP, ]] ||
			[[ ${lines[1]} != "local 127.0.0.1 dev lo "* ]]; then
			echo "$flags: $output"
			return 1
		fi
		# shellcheck disable=SC2086
		run nsunshare $flags -n sh -c "$probe"
		if [[ ! ${lines[0]} =~ ^lo\ +DOWN\  ]] || [ "${lines[1]}" != "RTNETLINK answers: Network is unreachable" ]; then
			echo "$flags without --loopback: $output"
			return 1
		fi
	done
}

@test "rootless: -U -r -n --loopback as nobody brings lo up" {
	tools_for_nobody
	run as_nobody nsunshare -U -r -n --loopback sh -c "id -u; $probe_lo"
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --regexp '^lo +UNKNOWN +.*<LOOPBACK,UP,LOWER_UP>'
	assert_line --index 2 "ping ok"
}

@test "--net=FILE --loopback: lo is still up when nsenter joins the pinned namespace later" {
	need_root
	make_pin_dir
	run nsunshare --net="$PINS/net" --loopback true
	assert_success
	run nsenter-lite --net="$PINS/net" sh -c "$probe_lo"
	umount "$PINS/net"
	assert_line --index 0 --regexp '^lo +UNKNOWN +.*<LOOPBACK,UP,LOWER_UP>'
	assert_line --index 1 "ping ok"
}

@test "--loopback that fails: one line, the command does not run, no pin is left" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	make_pin_dir
	# strace makes socket(2) fail, as a seccomp filter or a full fd table would.
	run --separate-stderr strace -f -qq -o /dev/null -e trace=socket -e inject=socket:error=EACCES \
		nsunshare --net="$PINS/net" --loopback touch "$SCRATCH/ran"
	assert_failure 1
	assert_equal "$stderr" "nsunshare: cannot bring lo up in the new network namespace: Permission denied"
	[ ! -e "$SCRATCH/ran" ]
	[ ! -e "$PINS/net" ]
	run pins_under "$SCRATCH"
	assert_output ""
}

@test "-T --boottime: uptime inside is a day more than outside" {
	need_root
	a=$(cut -d. -f1 /proc/uptime)
	b=$(nsunshare -T -f --boottime=86400 cut -d. -f1 /proc/uptime)
	[ $((b - a)) -ge 86400 ]
	[ $((b - a)) -le 86402 ]
	m=$(nsunshare -T -f --monotonic=-5 cat /proc/uptime) # boottime stays
	[ -n "$m" ]
}

@test "-m: a mount inside stays inside, even under a shared mount" {
	need_root
	mkdir "$SCRATCH/shared"
	mount -t tmpfs ctrkit-test "$SCRATCH/shared"
	mount --make-shared "$SCRATCH/shared"
	mkdir "$SCRATCH/shared/sub"
	run nsunshare -m sh -c "mount -t tmpfs ctrkit-test $SCRATCH/shared/sub && touch $SCRATCH/shared/sub/inside && ls $SCRATCH/shared/sub"
	assert_output "inside"
	run ls "$SCRATCH/shared/sub"
	assert_output ""
}

@test "--propagation=shared lets a mount made inside appear outside" {
	need_root
	mkdir "$SCRATCH/shared"
	mount -t tmpfs ctrkit-test "$SCRATCH/shared"
	mount --make-shared "$SCRATCH/shared"
	mkdir "$SCRATCH/shared/sub"
	run nsunshare -m --propagation=shared mount -t tmpfs ctrkit-test "$SCRATCH/shared/sub"
	assert_success
	run grep -c " $SCRATCH/shared/sub " /proc/self/mountinfo
	assert_output 1
}

@test "-v prints each kernel call in strace's syntax, as strace sees them" {
	need_root
	run --separate-stderr nsunshare -v -m -u -i -p -n -f --mount-proc --hostname=box getpid
	assert_success
	assert_output "pid:1"
	assert_equal "${stderr_lines[0]}" 'nsunshare: unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = 0'
	assert_equal "${stderr_lines[1]}" 'nsunshare: mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0'
	assert_equal "${stderr_lines[2]}" 'nsunshare: sethostname("box", 3) = 0'
	[[ ${stderr_lines[3]} == 'nsunshare: fork() = '[1-9]* ]]
	assert_equal "${stderr_lines[4]}" 'nsunshare: mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'
	[[ ${stderr_lines[5]} == 'nsunshare: execve("'*'/getpid", ["getpid"], 0x'*' vars */)' ]]
	[ "${#stderr_lines[@]}" -eq 6 ]
	# strace, from outside, sees the same unshare call.
	strace -f -qq -e trace=unshare -o "$SCRATCH/trace" nsunshare -m -u -i -p -n -f true
	run grep -o 'unshare(.*' "$SCRATCH/trace"
	assert_output "${stderr_lines[0]#nsunshare: }"
	# --loopback: right after unshare, a socket and two ioctls bring lo up.
	run --separate-stderr nsunshare -v -n --loopback true
	assert_success
	assert_equal "${stderr_lines[0]}" 'nsunshare: unshare(CLONE_NEWNET) = 0'
	[[ ${stderr_lines[1]} =~ ^'nsunshare: socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = '([0-9]+)$ ]]
	fd=${BASH_REMATCH[1]}
	assert_equal "${stderr_lines[2]}" "nsunshare: ioctl($fd, SIOCGIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_LOOPBACK}) = 0"
	assert_equal "${stderr_lines[3]}" "nsunshare: ioctl($fd, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK}) = 0"
	assert_equal "${stderr_lines[4]}" "nsunshare: close($fd) = 0"
	[[ ${stderr_lines[5]} == 'nsunshare: execve("'*'/true", ["true"], 0x'*' vars */)' ]]
	[ "${#stderr_lines[@]}" -eq 6 ]
	# strace sees the same five calls, in that order (it prefixes the
	# pid and pads before "="; the command's own calls come after).
	strace -f -qq -o "$SCRATCH/trace" -e trace=unshare,socket,ioctl,close nsunshare -v -n --loopback true 2>"$SCRATCH/v"
	sed -E 's/^[0-9]+ +//; s/\) +=/) =/' "$SCRATCH/trace" | grep -A4 '^unshare(' >"$SCRATCH/seen"
	sed 's/^nsunshare: //' "$SCRATCH/v" | head -n 5 >"$SCRATCH/traced"
	run diff "$SCRATCH/seen" "$SCRATCH/traced"
	assert_success
}

@test "-v: every call it prints is one strace -f sees, in each mode (maps, pins, helpers, --detach --init, -R, --keep-caps, --map-auto, --forward-signals)" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	make_pin_dir
	# The namespaces, --propagation (then --mount-proc makes /proc private),
	# a hostname longer than the 32 bytes strace shows of a buffer.
	strace_v ns nsunshare -v -m -u -i -n -p -f --mount-proc --propagation=slave \
		--hostname=ctrkit-a-hostname-longer-than-32-bytes true
	[ "$v_status" -eq 0 ]
	# A user namespace mapped from inside, with the time and --kill-child.
	strace_v userns nsunshare -v -U -r -m -p -f --mount-proc -T --boottime=86400 --kill-child true
	[ "$v_status" -eq 0 ]
	# Maps of other ids, written by the helper outside.
	strace_v maps nsunshare -v -U --map-users=100000,0,65536 --map-groups=100000,0,65536 -S 0 -G 0 true
	[ "$v_status" -eq 0 ]
	# Pins made by nsunshare itself, and lo brought up.
	strace_v pins nsunshare -v --net="$PINS/net" --uts="$PINS/uts" --loopback true
	[ "$v_status" -eq 0 ]
	# Pins made by the helper (after -U we have no right to mount outside).
	strace_v userpins nsunshare -v -U -r --user="$PINS/user" --ipc="$PINS/ipc" -f --pid="$PINS/pid" true
	[ "$v_status" -eq 0 ]
	# A container's life: the launcher, the pid file, init (stdio kept, so -v is on stderr).
	# --init runs from a read-only view of itself, execveat(2) with our
	# arguments: short ones, as strace cuts longer ones after 32 bytes.
	cd "$SCRATCH" || return 1
	strace_v detach nsunshare -v --detach --keep-stdio --pidfile=c.pid -p --mount-proc --init true
	[ "$v_status" -eq 0 ]
	grep -E -x 'nsunshare: execveat\([0-9]+, "", \["nsunshare", "-v", "--detach", .*, AT_EMPTY_PATH\)' "$SCRATCH/detach.v"
	cd "$OLDPWD" || return 1
	# -R and -w (chroot, chdir), /proc of the new root, the capabilities kept.
	root=$SCRATCH/root
	busybox_rootfs "$root"
	strace_v root nsunshare -v -R "$root" -w /tmp -U -c --keep-caps -p -f --mount-proc true
	[ "$v_status" -eq 0 ]
	# --forward-signals: the command sends SIGTERM to nsunshare, which passes
	# it back. (A file: strace cuts a longer argument after 32 bytes.)
	# shellcheck disable=SC2016 # the script's own $PPID
	printf '%s\n' 'trap "exit 0" TERM' 'kill -TERM $PPID' 'while :; do sleep 0.05; done' >"$SCRATCH/fwd.sh"
	strace_v forward nsunshare -v --forward-signals sh "$SCRATCH/fwd.sh"
	[ "$v_status" -eq 0 ]
	names=(ns userns maps pins userpins detach root forward)
	# --map-auto as nobody: newuidmap and newgidmap, run by the helper.
	if [ -f /etc/subuid ] && [ -f /etc/subgid ] && command -v newuidmap >/dev/null; then
		tools_for_nobody
		use_test_subids
		strace_v auto "${subids[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups nsunshare -v --map-auto -r true
		[ "$v_status" -eq 0 ]
		names+=(auto)
		grep -E -x 'nsunshare: execve\("/usr/bin/newuidmap", \["newuidmap", "[0-9]+", "0", "65534", "1", "1", "200000", "65535"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/\)' \
			"$SCRATCH/auto.v"
	fi
	for name in "${names[@]}"; do
		run not_seen nsunshare "$name"
		assert_output ""
	done
	grep -F -x "nsunshare: chroot(\"$root\") = 0" "$SCRATCH/root.v"
	grep -F -x 'nsunshare: chdir("/tmp") = 0' "$SCRATCH/root.v"
	grep -F -x 'nsunshare: prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) = 0' "$SCRATCH/root.v"
	grep -E -x 'nsunshare: capset\(\{version=_LINUX_CAPABILITY_VERSION_3, pid=0\}, \{effective=1<<CAP_CHOWN\|.*, inheritable=1<<CAP_CHOWN\|.*\}\) = 0' \
		"$SCRATCH/root.v"
	grep -E -x 'nsunshare: kill\([0-9]+, SIGTERM\) = 0' "$SCRATCH/forward.v"
	grep -E -x 'nsunshare: mount\("none", "/proc", NULL, MS_REC\|MS_PRIVATE, NULL\) = 0' "$SCRATCH/ns.v"
	grep -F -x 'nsunshare: sethostname("ctrkit-a-hostname-longer-than-32"..., 38) = 0' "$SCRATCH/ns.v"
	grep -E -x 'nsunshare: write\([0-9]+, "0 100000 65536\\n", 15\) = 15' "$SCRATCH/maps.v"
	grep -E -x "nsunshare: mount\(\"/proc/[0-9]+/ns/pid_for_children\", \"$PINS/pid\", NULL, MS_BIND, NULL\) = 0" \
		"$SCRATCH/userpins.v"
	grep -E -x 'nsunshare: wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], WNOHANG, NULL\) = 2' \
		"$SCRATCH/detach.v"
}

# ---- output and status as util-linux unshare ----

@test "output and exit status match util-linux unshare for the same flags" {
	need_root
	probe='getpid; id; hostname; ip -o link | wc -l; ipcs -q | wc -l; cat /proc/self/uid_map | wc -l; exit 3'
	for flags in "-p" "-p -f" "-u" "-i" "-n" "-m" "-C" "-U" "-U -r" "-T -f" "-p -f --mount-proc" "-m -u -i -n -p -f -r"; do
		# shellcheck disable=SC2086 # the flags are words
		run unshare $flags sh -c "$probe"
		want_status=$status want_output=${output//pid:[0-9]*/pid:N}
		# shellcheck disable=SC2086
		run nsunshare $flags sh -c "$probe"
		[ "$status" -eq "$want_status" ] || { echo "$flags: status $status, unshare's $want_status"; return 1; }
		[ "${output//pid:[0-9]*/pid:N}" = "$want_output" ] ||
			{ echo "$flags: output differs:"; echo "$output"; echo "--- unshare:"; echo "$want_output"; return 1; }
	done
}

@test "the command's exit status passes through, with and without fork" {
	need_root
	run nsunshare -u sh -c 'exit 7'
	assert_failure 7
	run nsunshare -p -f sh -c 'exit 42'
	assert_failure 42
}

@test "a command killed by signal N gives 128+N" {
	need_root
	run nsunshare -u sh -c 'kill -TERM $$'
	assert_failure 143
	run nsunshare -f sh -c 'kill -KILL $$'
	assert_failure 137
	run nsunshare -f sh -c 'kill -SEGV $$'
	assert_failure 139
}

@test "pid 1 of a new pid namespace ignores its own signals; SIGKILL from the host ends it" {
	need_root
	run nsunshare -p -f sh -c 'kill -KILL $$; echo still here'
	assert_success
	assert_output "still here"
	start_container -p -f
	kill -KILL "$CTR"
	rc=0
	wait "$NSUNSHARE" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "a command that is not found gives 127, one that cannot run 126" {
	need_root
	run -127 --separate-stderr nsunshare -u no-such-command-ctrkit
	[ "$stderr" = "nsunshare: failed to execute no-such-command-ctrkit: command not found" ]
	touch "$SCRATCH/not-executable"
	run --separate-stderr nsunshare -u "$SCRATCH/not-executable"
	assert_failure 126
	[ "${#stderr_lines[@]}" -eq 1 ]
	run nsunshare -p -f "$SCRATCH"
	assert_failure 126
}

@test "without a command: \$SHELL (else /bin/sh) as a login shell, \$0 '-sh', as with unshare" {
	need_root
	run env SHELL=/bin/sh nsunshare -u <<<'echo from the shell'
	assert_success
	assert_output "from the shell"
	for tool in unshare nsunshare; do
		# shellcheck disable=SC2016 # the shell's own $0
		run env SHELL=/bin/bash "$tool" -u <<<'echo "$0"'
		assert_output -- -bash
		# shellcheck disable=SC2016
		run env -u SHELL "$tool" -u <<<'echo "$0"'
		assert_output -- -sh
	done
}

# ---- user namespaces ----

@test "rootless: -U -r as nobody gives uid 0 inside" {
	tools_for_nobody
	run as_nobody nsunshare -U -r id -u
	assert_success
	assert_output 0
	run as_nobody nsunshare -U -r cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
	assert_line --index 0 --regexp '^ +0 +65534 +1$'
	assert_line --index 1 --regexp '^ +0 +65534 +1$'
	assert_line --index 2 "deny"
}

@test "rootless: -U -r makes the other namespaces possible, pid 1 included" {
	tools_for_nobody
	run as_nobody nsunshare -U -r -u -m -p -f --mount-proc sh -c 'hostname rootless && hostname && ps -e -o pid=,comm='
	assert_success
	assert_line --index 0 rootless
	assert_line --index 1 --regexp '^ *1 sh$'
}

@test "rootless: without -U, unshare fails with a hint and changes nothing" {
	tools_for_nobody
	run --separate-stderr as_nobody nsunshare -u hostname x
	assert_failure 1
	[ "$stderr" = "nsunshare: unshare(CLONE_NEWUTS): Operation not permitted (run as root, or add -U -r for a user namespace)" ]
}

@test "rootless: a file made by root inside belongs to the user outside (E6)" {
	tools_for_nobody
	mkdir "$SCRATCH/shared" && chown 65534:65534 "$SCRATCH/shared"
	run as_nobody nsunshare -U -r sh -c "touch $SCRATCH/shared/file && stat -c %u:%g $SCRATCH/shared/file"
	assert_output "0:0"
	run stat -c %u:%g "$SCRATCH/shared/file"
	assert_output "65534:65534"
}

@test "--map-users and -S: root inside is uid 1000 outside, as in the article" {
	need_root
	mkdir "$SCRATCH/shared_data" && chown 1000:1000 "$SCRATCH/shared_data"
	run nsunshare -U --map-users=1000,0,1 --map-groups=0:1000:1 -S 0 -G 0 sh -c "id -u; id -g; touch $SCRATCH/shared_data/file"
	assert_success
	assert_output $'0\n0'
	run stat -c %u:%g "$SCRATCH/shared_data/file"
	assert_output "1000:1000"
}

@test "--map-user and --map-group map our ids to the given ones" {
	need_root
	run nsunshare --map-user=1234 --map-group=4321 sh -c 'id -u; id -g; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 1234
	assert_line --index 1 4321
	assert_line --index 2 --regexp '^ +1234 +0 +1$'
}

@test "-c maps our ids to themselves; --setgroups=allow is refused with it" {
	need_root
	run nsunshare -c id -u
	assert_output 0
	run --separate-stderr nsunshare -c --setgroups=allow true
	assert_failure 2
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "rootless: a map of ids the user was not given is refused by newuidmap, as with util-linux" {
	tools_for_nobody
	command -v newuidmap >/dev/null || skip "no newuidmap (Debian package uidmap)"
	run --separate-stderr as_nobody unshare -U --map-users=0,0,100 true
	want_status=$status want_stderr=$stderr
	run --separate-stderr as_nobody nsunshare -U --map-users=0,0,100 touch "$SCRATCH/ran"
	assert_failure "$want_status"
	[ "$status" -eq 1 ]
	assert_equal "$stderr" "$want_stderr"
	assert_equal "$stderr" "newuidmap: uid range [0-100) -> [0-100) not allowed"
	[ ! -e "$SCRATCH/ran" ]
}

# ---- pinning ----

# The namespaces pinned under DIR: the nsfs mounts there, one per line.
# (Counting every nsfs mount would see other tests that pin meanwhile.)
pins_under() {
	awk -v dir="$1/" 'index($5, dir) == 1 && / - nsfs / { print $5 }' /proc/self/mountinfo
}

@test "--uts=FILE pins the namespace: it outlives its process and nsenter joins it" {
	need_root
	make_pin_dir
	run nsunshare --uts="$PINS/uts" --hostname=pinned true
	assert_success
	run nsenter --uts="$PINS/uts" hostname
	assert_output pinned
	run nsenter-lite --uts="$PINS/uts" hostname
	assert_output pinned
	run pins_under "$SCRATCH"
	assert_output "$PINS/uts"
	umount "$PINS/uts"
}

@test "--mount=FILE pins a mount namespace, and nsenter finds its mounts" {
	need_root
	make_pin_dir
	run nsunshare --mount="$PINS/mnt" sh -c "mount -t tmpfs ctrkit-test /mnt && touch /mnt/inside"
	assert_success
	run nsenter-lite --mount="$PINS/mnt" ls /mnt
	assert_output inside
	umount "$PINS/mnt"
}

@test "--pid=FILE pins the children's pid namespace, and needs -f" {
	need_root
	make_pin_dir
	run --separate-stderr nsunshare --pid="$PINS/pid" true
	assert_failure 2
	[ ! -e "$PINS/pid" ]
	start_container -f --pid="$PINS/pid"
	[ "$(stat -L -c %i "$PINS/pid")" = "$(ns_of "$CTR" pid)" ]
	stop_containers
	umount "$PINS/pid"
}

@test "a pin file in a missing directory: one line, nothing made" {
	need_root
	make_pin_dir
	run --separate-stderr nsunshare -u -n --uts="$PINS/uts" --net="$PINS/missing/net" true
	assert_failure 1
	[ "$stderr" = "nsunshare: cannot create pin file $PINS/missing/net: No such file or directory" ]
	[ ! -e "$PINS/uts" ]
	run pins_under "$SCRATCH"
	assert_output ""
}

@test "a pin that fails halfway (no right to mount) leaves no file and no mount" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	run --separate-stderr as_nobody nsunshare -U -r -u --uts="$SCRATCH/uts" true
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "nsunshare: cannot pin uts namespace on $SCRATCH/uts: Operation not permitted"* ]]
	[ ! -e "$SCRATCH/uts" ]
	run pins_under "$SCRATCH"
	assert_output ""
}

@test "a pin file that is a directory is refused before anything happens" {
	need_root
	mkdir "$SCRATCH/dir"
	run --separate-stderr nsunshare --net="$SCRATCH/dir" true
	assert_failure 1
	[ "$stderr" = "nsunshare: cannot pin net namespace on $SCRATCH/dir: it is a directory" ]
}

# ---- --kill-child and the waiting parent ----

@test "--kill-child: when nsunshare dies, the command dies" {
	need_root
	start_container -p -f --kill-child
	kill -KILL "$NSUNSHARE"
	for _ in $(seq 30); do kill -0 "$CTR" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$CTR"
	assert_failure
}

@test "without --kill-child, the command outlives nsunshare" {
	need_root
	start_container -f
	kill -KILL "$NSUNSHARE"
	sleep 0.3
	run kill -0 "$CTR"
	assert_success
}

@test "--kill-child takes a signal name" {
	need_root
	start_container -f --kill-child=TERM
	kill -KILL "$NSUNSHARE"
	for _ in $(seq 30); do kill -0 "$CTR" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$CTR"
	assert_failure
}

# ---- util-linux's other options: -R, -w, --keep-caps, --map-auto, --forward-signals, --clear-env, -V ----

@test "-V prints what --version prints" {
	run nsunshare --version
	want=$output
	run nsunshare -V
	assert_success
	assert_output "$want"
}

@test "-R and -w: the same output and status as util-linux unshare; the command is found in the new root" {
	need_root
	root=$SCRATCH/root
	busybox_rootfs "$root"
	mkdir "$root/x"
	# shellcheck disable=SC2016 # the script's own $(pwd)
	printf '#!/bin/sh\necho "only in the root, in $(pwd)"\n' >"$root/bin/only-inside"
	chmod 755 "$root/bin/only-inside"
	probe='pwd; ls /; exit 3'
	for flags in "-R $root" "-R $root -w /x" "-w $root/x" "-R $root -w /x -U -r" "-R $root -m -u"; do
		# shellcheck disable=SC2086 # the flags are words
		run unshare $flags sh -c "$probe"
		want_status=$status want_output=$output
		# shellcheck disable=SC2086
		run nsunshare $flags sh -c "$probe"
		[ "$status" -eq "$want_status" ] || { echo "$flags: status $status, unshare's $want_status"; return 1; }
		[ "$output" = "$want_output" ] || { echo "$flags: $output"; echo "--- unshare:"; echo "$want_output"; return 1; }
	done
	run nsunshare -R "$root" -w /x sh -c "$probe"
	assert_line --index 0 /x
	assert_line --index 1 bin
	run unshare -R "$root" -w /x only-inside
	want=$output
	run nsunshare -R "$root" -w /x only-inside
	assert_success
	assert_output "$want"
	assert_output "only in the root, in /x"
	run -127 --separate-stderr nsunshare -R "$root" no-such-command-ctrkit
	assert_equal "$stderr" "nsunshare: failed to execute no-such-command-ctrkit: command not found in $root"
	# --mount-proc mounts /proc of the new root, for the new pid namespace
	run unshare -R "$root" -p -f --mount-proc ps -o pid,comm
	want=$output
	run nsunshare -R "$root" -p -f --mount-proc ps -o pid,comm
	assert_success
	assert_output "$want"
	assert_line --index 1 --regexp '^ +1 ps$'
	# failures: the same status (the messages are our own)
	for flags in "-R $root no-such-command-ctrkit" "-R $root /bin/no-such-command" "-R $SCRATCH/none true" \
		"-R $root -w /none true" "-w $SCRATCH/none true" "-R $root/bin/busybox true"; do
		want_status=0 status=0
		# shellcheck disable=SC2086
		unshare $flags >/dev/null 2>&1 || want_status=$?
		# shellcheck disable=SC2086
		nsunshare $flags >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
		[ "$status" -eq "$want_status" ] || { echo "$flags: status $status, unshare's $want_status"; return 1; }
		if [ -s "$SCRATCH/out" ] || [ "$(wc -l <"$SCRATCH/err")" -ne 1 ]; then
			echo "$flags: $(cat "$SCRATCH/out" "$SCRATCH/err")"
			return 1
		fi
	done
}

@test "--keep-caps: the command keeps the user namespace's capabilities, as ambient ones, as with util-linux unshare" {
	need_root
	tools_for_nobody
	probe='grep ^Cap /proc/self/status'
	for flags in "-U --keep-caps" "-U -c --keep-caps" "-U --map-user=1000 --keep-caps" "-U -r --keep-caps" "-U" "-U -c"; do
		# shellcheck disable=SC2086 # the flags are words
		run unshare $flags sh -c "$probe"
		want=$output
		# shellcheck disable=SC2086
		run nsunshare $flags sh -c "$probe"
		assert_success
		[ "$output" = "$want" ] || { echo "$flags: $output"; echo "--- unshare:"; echo "$want"; return 1; }
	done
	run as_nobody unshare -U --keep-caps sh -c "$probe"
	want=$output
	run as_nobody nsunshare -U --keep-caps sh -c "$probe"
	assert_output "$want"
	# uid 65534 inside (no map), yet every capability of the namespace
	# (a new user namespace's bounding set is full), as ambient ones
	all=$(awk '$1 == "CapBnd:" { print $2 }' <<<"$output")
	[ "$all" = 000001ffffffffff ] || [ "${#all}" -eq 16 ]
	assert_line "CapAmb:	$all"
	assert_line "CapEff:	$all"
	run as_nobody nsunshare -U sh -c "$probe"
	assert_line "CapAmb:	0000000000000000"
	assert_line "CapEff:	0000000000000000"
}

# The test's own /etc/subuid and /etc/subgid, seen only by a command run
# as "${subids[@]}" COMMAND...: in a mount namespace of its own, where the
# files are bind-mounted over the machine's, which stay as they are. root
# gets 100000:65536 in both; nobody 200000:65536 of user ids and
# 300000:65536 of group ids.
use_test_subids() {
	if [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ]; then
		skip "no /etc/subuid or /etc/subgid to mount over"
	fi
	command -v newuidmap >/dev/null || skip "no newuidmap (Debian package uidmap)"
	printf 'root:100000:65536\nnobody:200000:65536\n' >"$SCRATCH/subuid"
	printf 'root:100000:65536\nnobody:300000:65536\n' >"$SCRATCH/subgid"
	chmod 644 "$SCRATCH/subuid" "$SCRATCH/subgid"
	# shellcheck disable=SC2016 # expanded by that sh
	subids=(unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec "$@"'
		sh "$SCRATCH/subuid" "$SCRATCH/subgid")
}

@test "--map-auto, --map-users=auto, --map-groups=auto: the maps util-linux unshare makes, as root and as nobody (newuidmap)" {
	need_root
	tools_for_nobody
	use_test_subids
	probe='cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; id -g'
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	for who in root nobody; do
		as=()
		[ "$who" = root ] || as=("${nobody[@]}")
		# -r, -c and --map-user go into the ranges (a "hole"), as util-linux 2.38 puts them
		if [ "$who" = nobody ]; then
			flag_sets=("--map-auto" "--map-auto -r" "--map-auto -c" "--map-groups=auto -r"
				"--map-auto --setgroups=allow")
		else
			flag_sets=("--map-auto -r" "--map-users=auto" "--map-auto --map-user=5 --map-group=7"
				"--map-users=100000,0,65536 -r" "--map-users=100000,1,65536 --map-groups=100000,0,10 -c")
		fi
		for flags in "${flag_sets[@]}"; do
			# shellcheck disable=SC2086 # the flags are words
			run "${subids[@]}" "${as[@]}" unshare $flags sh -c "$probe"
			want_status=$status want_output=$output
			# shellcheck disable=SC2086
			run "${subids[@]}" "${as[@]}" nsunshare $flags sh -c "$probe"
			if [ "$status" -ne "$want_status" ] || [ "$output" != "$want_output" ]; then
				echo "$who $flags: status $status: $output"
				echo "--- unshare (status $want_status):"
				echo "$want_output"
				return 1
			fi
		done
	done
	run "${subids[@]}" "${nobody[@]}" nsunshare --map-auto -r sh -c "$probe"
	assert_success
	assert_line --index 0 --regexp '^ +0 +65534 +1$'
	assert_line --index 1 --regexp '^ +1 +200000 +65535$'
	assert_line --index 2 --regexp '^ +0 +65534 +1$'
	assert_line --index 3 --regexp '^ +1 +300000 +65535$'
	assert_line --index 4 allow
	assert_line --index 5 0
}

@test "--map-auto: no line for the user, a bad line, an unreadable file: one line, status 1 as util-linux, nothing made" {
	need_root
	tools_for_nobody
	use_test_subids
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	printf 'nobody:200000\n' >"$SCRATCH/subuid"
	run "${subids[@]}" "${nobody[@]}" unshare --map-auto true
	want_status=$status
	run --separate-stderr "${subids[@]}" "${nobody[@]}" nsunshare --map-auto touch "$SCRATCH/ran"
	assert_failure "$want_status"
	assert_equal "$stderr" "nsunshare: --map-auto: the line of nobody (uid 65534) in /etc/subuid is not FIRST:COUNT: '200000'"
	make_pin_dir
	run --separate-stderr "${subids[@]}" nsunshare --user="$PINS/user" --map-users=auto touch "$SCRATCH/ran"
	assert_failure 1
	assert_equal "$stderr" "nsunshare: --map-users=auto: no line for root (uid 0) in /etc/subuid"
	[ ! -e "$PINS/user" ]
	chmod 600 "$SCRATCH/subgid"
	run "${subids[@]}" "${nobody[@]}" unshare --map-groups=auto true
	want_status=$status
	run --separate-stderr "${subids[@]}" "${nobody[@]}" nsunshare --map-groups=auto touch "$SCRATCH/ran"
	assert_failure "$want_status"
	assert_equal "$stderr" "nsunshare: --map-groups=auto: cannot read /etc/subgid: Permission denied"
	[ ! -e "$SCRATCH/ran" ]
}

@test "--setgroups=deny with a map of ranges: written before the map, so that it works (util-linux writes it after, and fails)" {
	need_root
	tools_for_nobody
	use_test_subids
	run "${subids[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups nsunshare --map-auto --setgroups=deny cat /proc/self/setgroups
	assert_success
	assert_output deny
}

# A command that says when it runs, and when SIGTERM reaches it.
trap_probe='trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'

@test "--forward-signals: SIGTERM sent to nsunshare reaches the command; without it, nsunshare keeps it from the command" {
	need_root
	for flags in "--forward-signals" "-p --forward-signals"; do
		# shellcheck disable=SC2086 # the flags are words
		nsunshare $flags sh -c "$trap_probe" >"$SCRATCH/out" 3>&- &
		pid=$!
		CONTAINERS+=("$pid")
		wait_until grep -q ready "$SCRATCH/out"
		kill -TERM "$pid"
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 7 ] || { echo "$flags: status $rc"; return 1; }
		run cat "$SCRATCH/out"
		assert_output $'ready\ngot TERM'
	done
	nsunshare -f sh -c "$trap_probe" >"$SCRATCH/out" 3>&- &
	pid=$!
	CONTAINERS+=("$pid")
	wait_until grep -q ready "$SCRATCH/out"
	kill -TERM "$pid"
	sleep 0.3
	run cat "$SCRATCH/out"
	assert_output ready
	running "$pid"
	kill -TERM "$(pgrep -P "$pid")"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 7 ]
}

@test "--clear-env: the command gets an empty environment, and the shell is /bin/sh" {
	need_root
	run env CTRKIT_VAR=1 nsunshare --clear-env /usr/bin/env
	assert_success
	assert_output ""
	# shellcheck disable=SC2016 # the shell's $0
	run env SHELL=/bin/bash nsunshare --clear-env <<<'echo "$0"'
	assert_output -- -sh
	run sh -c 'nsunshare --clear-env -U -r /bin/cat /proc/self/environ | wc -c'
	assert_output 0
}

# ---- bad input: one line, status 2 (usage) or 1, nothing changed ----

@test "bad input is refused with one line on stderr, before any namespace exists" {
	need_root
	cases=(
		"2|--map-users=1,2 true|--map-users: bad map '1,2' (want OUTER,INNER,COUNT, INNER:OUTER:COUNT or auto)*"
		"2|--map-users=a,b,c true|--map-users: bad map 'a,b,c' (want OUTER,INNER,COUNT, INNER:OUTER:COUNT or auto)*"
		"2|--map-groups=0:0:0 true|--map-groups: bad map '0:0:0' (want OUTER,INNER,COUNT, INNER:OUTER:COUNT or auto)*"
		"2|--map-users=Auto true|--map-users: bad map 'Auto' (want OUTER,INNER,COUNT, INNER:OUTER:COUNT or auto)*"
		"2|--map-user=no-such-user-ctrkit true|--map-user: no such user 'no-such-user-ctrkit'*"
		"2|--kill-child=NOSIG true|--kill-child: unknown signal 'NOSIG'*"
		"2|--propagation=sideways true|--propagation: 'sideways' is not private, shared, slave or unchanged*"
		"2|--setgroups=maybe true|--setgroups: 'maybe' is neither allow nor deny*"
		"2|--monotonic=5 true|--monotonic and --boottime need a new time namespace (-T)*"
		"2|-T --boottime=soon true|--boottime: 'soon' is not a number of seconds*"
		"2|--setgroups=deny true|--setgroups needs a new user namespace (-U)*"
		"2|--loopback true|--loopback needs a new network namespace (-n or --net)*"
		"2|-U -r -u --loopback true|--loopback needs a new network namespace (-n or --net)*"
		"1|--mount-proc=$SCRATCH/none true|--mount-proc: $SCRATCH/none: No such file or directory*"
		"2|--keep-caps true|--keep-caps needs a new user namespace (-U)*"
		"2|--detach --forward-signals true|--detach and --forward-signals exclude each other*"
		"2|--root= true|--root: an empty file name (see nsunshare --help)"
		"2|-w|option '-w' needs an argument (see nsunshare --help)"
		"1|-R $SCRATCH/none true|--root: $SCRATCH/none: No such file or directory"
		"1|-R $TOP/README.md true|--root: $TOP/README.md is not a directory"
		"1|-R / -w $SCRATCH/none true|--wd: $SCRATCH/none in /: No such file or directory"
		"1|-w $SCRATCH/none true|--wd: $SCRATCH/none: No such file or directory"
		"1|-R / --mount-proc=$SCRATCH/none true|--mount-proc: $SCRATCH/none in /: No such file or directory"
	)
	expect_errors nsunshare "${cases[@]}"
}

@test "-n=FILE (any namespace letter) says to write --net=FILE, and makes no file" {
	need_root
	cases=()
	for option in m:mount u:uts i:ipc n:net p:pid U:user C:cgroup T:time; do
		letter=${option%%:*} name=${option#*:}
		cases+=("2|-$letter=$SCRATCH/pin true|-$letter=$SCRATCH/pin: a short option takes no =FILE; write --$name=$SCRATCH/pin (see nsunshare --help)")
	done
	cases+=("2|-pf -n= true|-n=: a short option takes no =FILE; write --net=FILE (see nsunshare --help)")
	expect_errors nsunshare "${cases[@]}"
	[ ! -e "$SCRATCH/pin" ]
}

@test "overlapping --map-users or --map-groups: one line naming both, before anything is made" {
	need_root
	overlap="the ranges of a map must not overlap (see nsunshare --help)"
	cases=(
		"2|-v --user=$SCRATCH/pin --map-users=0,0,10 --map-users=100,5,10 true|--map-users=0,0,10 and --map-users=100,5,10 both map ids 5-9 inside the namespace; $overlap"
		"2|-v --user=$SCRATCH/pin --map-users=1000,0,10 --map-users=1009,100,1 true|--map-users=1000,0,10 and --map-users=1009,100,1 both map id 1009 outside the namespace; $overlap"
		"2|-v --user=$SCRATCH/pin --map-groups=0:100000:65536 --map-groups=0:200000:65536 -r true|--map-groups=0:100000:65536 and --map-groups=0:200000:65536 both map ids 1-65535 inside the namespace; $overlap"
	)
	# -v traces every kernel call: the one line on stderr says none was made
	expect_errors nsunshare "${cases[@]}"
	[ ! -e "$SCRATCH/pin" ]
}

@test "a map the kernel refuses (341 lines) gets a hint, and leaves no pin" {
	need_root
	maps=()
	for i in $(seq 0 340); do maps+=("--map-users=$i:$((1000 + i)):1"); done
	run --separate-stderr nsunshare --user="$SCRATCH/pin" "${maps[@]}" true
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "nsunshare: cannot write /proc/"*"/uid_map: Invalid argument (the kernel takes at most 340 lines, whose ranges do not overlap inside or outside: see user_namespaces(7))" ]]
	[ ! -e "$SCRATCH/pin" ]
	run pins_under "$SCRATCH"
	assert_output ""
	# one line fewer is fine
	run nsunshare "${maps[@]:1}" sh -c 'wc -l </proc/self/uid_map'
	assert_output 340
}

@test "--setsid: the command leads a session of its own, with no controlling terminal, so it cannot type into ours (TIOCSTI)" {
	# on a terminal (script); /proc/self/stat's 6th field is the session,
	# the 7th the controlling terminal (0: none)
	run script -qec "nsunshare --setsid -p --mount-proc sh -c 'echo \$\$ \$(cut -d\" \" -f6,7 /proc/self/stat)'" /dev/null
	assert_output --regexp '^1 1 0'
	run script -qec "nsunshare -p -f sh -c 'echo \$(cut -d\" \" -f7 /proc/self/stat)'" /dev/null
	refute_output --regexp '^0'
}
