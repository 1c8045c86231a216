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

@test "-v: every call it prints is one strace -f sees, in each mode (maps, pins, helpers, --detach --init)" {
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
	strace_v detach nsunshare -v --detach --keep-stdio --pidfile="$SCRATCH/c.pid" -p --mount-proc --init true
	[ "$v_status" -eq 0 ]
	for name in ns userns maps pins userpins detach; do
		run not_seen nsunshare "$name"
		assert_output ""
	done
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

@test "without a command it runs \$SHELL" {
	need_root
	run env SHELL=/bin/sh nsunshare -u <<<'echo from the shell'
	assert_success
	assert_output "from the shell"
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

@test "rootless: a map of other ids is refused with a hint" {
	tools_for_nobody
	run --separate-stderr as_nobody nsunshare -U --map-users=0,0,100 true
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "nsunshare: cannot write /proc/"*"/uid_map: Operation not permitted (without privilege"* ]]
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

# ---- bad input: one line, status 2 (usage) or 1, nothing changed ----

@test "bad input is refused with one line on stderr, before any namespace exists" {
	need_root
	cases=(
		"2|--map-users=1,2 true|--map-users: bad map '1,2' (want OUTER,INNER,COUNT or INNER:OUTER:COUNT)*"
		"2|--map-users=a,b,c true|--map-users: bad map 'a,b,c' (want OUTER,INNER,COUNT or INNER:OUTER:COUNT)*"
		"2|--map-groups=0:0:0 true|--map-groups: bad map '0:0:0' (want OUTER,INNER,COUNT or INNER:OUTER:COUNT)*"
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
		"2|-v --user=$SCRATCH/pin --map-groups=0:100000:65536 -r true|--map-groups=0:100000:65536 and -r both map id 0 inside the namespace; $overlap"
		"2|-v --user=$SCRATCH/pin --map-group=0 --map-groups=0:1000:1 true|--map-groups=0:1000:1 and --map-group=0 both map id 0 inside the namespace; $overlap"
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
