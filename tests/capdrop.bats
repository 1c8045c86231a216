#!/usr/bin/env bats
# capdrop: the capabilities a container's command starts with (Docker's
# 14, --keep, --drop, --ambient, another user and groups, no_new_privs), seen in
# /proc/self/status and in what the kernel then refuses; -v against
# strace; capdrop inside a container after pivotroot; every bad input.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

DOCKER_CAPS=(cap_chown cap_dac_override cap_fsetid cap_fowner cap_mknod cap_net_raw cap_setgid cap_setuid
	cap_setfcap cap_setpcap cap_net_bind_service cap_sys_chroot cap_kill cap_audit_write)
NONE=0000000000000000

# cap_mask NAME...: the mask /proc/PID/status shows for these capabilities,
# as 16 hex digits, from capsh's own table (capsh --explain=cap_kill says
# "cap_kill (5) [/proc/self/status:CapXXX: 0x0000000000000020]").
cap_mask() {
	local name bit mask=0
	for name in "$@"; do
		bit=$(capsh --explain="$name" | sed -n '1s/.*CapXXX: \(0x[0-9a-f]*\)\].*/\1/p')
		[ -n "$bit" ] || { echo "capsh does not know $name" >&2; return 1; }
		mask=$((mask | bit))
	done
	printf '%016x\n' "$mask"
}

# status_caps INH PRM EFF BND AMB: the five Cap lines of /proc/PID/status.
status_caps() {
	printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s\n' "$@"
}

# Inside a busybox rootfs only a static capdrop runs (the sanitizer
# build is dynamic).
need_static_capdrop() {
	! ldd "$CTRKIT_BIN/capdrop" >/dev/null 2>&1 || skip "this capdrop is linked dynamically"
}

# ---- the sets the command starts with ----

@test "--docker: the command's effective, permitted and bounding sets are Docker's 14 capabilities" {
	need_root
	docker=$(cap_mask "${DOCKER_CAPS[@]}")
	[ "$docker" = 00000000a80425fb ] # the value docker run shows in CapEff
	run capdrop --docker -- grep Cap /proc/self/status
	assert_success
	assert_output "$(status_caps "$NONE" "$docker" "$docker" "$docker" "$NONE")"
}

@test "under --docker, root in its own mount and UTS namespaces may neither mount nor set the hostname" {
	need_root
	mkdir "$SCRATCH/mnt"
	# Without capdrop, the same root in the same namespaces may do both.
	run nsunshare -m -u sh -c "mount -t tmpfs none '$SCRATCH/mnt' && hostname box && hostname"
	assert_success
	assert_output box
	run --separate-stderr nsunshare -m -u capdrop --docker -- \
		sh -c "id -u; mount -t tmpfs none '$SCRATCH/mnt'; echo mount \$?; hostname box; echo hostname \$?"
	assert_success
	assert_output "$(printf '%s\n' 0 'mount 32' 'hostname 1')"
	[[ $stderr == *"mount: $SCRATCH/mnt: permission denied."* ]]
	[[ $stderr == *"hostname: you must be root to change the host name"* ]]
}

@test "ping works with NET_RAW and fails without it, in a network namespace of the test's own" {
	need_root
	# "1 0": no group may use ICMP datagram sockets, so ping needs a raw
	# socket (this namespace's setting only; the host's stays as it is).
	probe='ip link set lo up && echo "1 0" >/proc/sys/net/ipv4/ping_group_range &&
		capdrop --docker -- busybox ping -c 1 -W 1 127.0.0.1 >/dev/null && echo with NET_RAW: ok
		capdrop --docker --drop=net_raw -- busybox ping -c 1 -W 1 127.0.0.1 2>&1 | tail -n 1'
	run nsunshare -n sh -c "$probe"
	assert_success
	assert_output "$(printf '%s\n' 'with NET_RAW: ok' 'ping: permission denied (are you root?)')"
}

@test "a ping with the file capability cap_net_raw cannot even start once NET_RAW is dropped" {
	need_root
	ping=$(command -v ping) || skip "no ping"
	getcap "$ping" | grep -q cap_net_raw || skip "$ping has no file capability here"
	run --separate-stderr capdrop --drop=net_raw -- ping -c 1 127.0.0.1
	assert_failure 126
	[ "$stderr" = "capdrop: failed to execute ping: Operation not permitted" ]
}

@test "--drop=all leaves every set empty, and uid 0 can no longer read a mode 000 file" {
	need_root
	run capdrop --drop=all -- grep Cap /proc/self/status
	assert_success
	assert_output "$(status_caps "$NONE" "$NONE" "$NONE" "$NONE" "$NONE")"
	echo secret >"$SCRATCH/file" && chmod 000 "$SCRATCH/file"
	run cat "$SCRATCH/file"
	assert_output secret
	run --separate-stderr capdrop --drop=ALL -- sh -c "id -u; cat '$SCRATCH/file'"
	assert_failure 1
	assert_output 0
	[ "$stderr" = "cat: $SCRATCH/file: Permission denied" ]
}

@test "--keep=net_bind_service --user=65534: the command runs as 65534 with NET_BIND_SERVICE, given through ambient" {
	need_root
	bind=$(cap_mask cap_net_bind_service)
	# --show: what capdrop holds as it executes: the one capability.
	run capdrop --user=65534 --group=65534 --keep=net_bind_service --show
	assert_success
	assert_line 'Bounding:    cap_net_bind_service'
	assert_line 'Effective:   cap_net_bind_service'
	assert_line 'Permitted:   cap_net_bind_service'
	assert_line 'Uid:         65534 65534 65534'
	assert_line 'Gid:         65534 65534 65534'
	assert_line 'Groups:      (none)'
	# The command, under a uid other than 0, keeps only the ambient set.
	run capdrop --user=65534 --group=65534 --keep=net_bind_service -- grep -E '^(Uid|Cap)' /proc/self/status
	assert_output "$(printf 'Uid:\t65534\t65534\t65534\t65534\n'; status_caps "$NONE" "$NONE" "$NONE" "$bind" "$NONE")"
	run capdrop --user=65534 --group=65534 --keep=net_bind_service --ambient=net_bind_service -- \
		grep -E '^(Uid|Cap)' /proc/self/status
	assert_output "$(printf 'Uid:\t65534\t65534\t65534\t65534\n'; status_caps "$bind" "$bind" "$bind" "$bind" "$bind")"
	# And so, in a network namespace, it may listen on port 80 (busybox
	# httpd binds, then goes to the background: pid 1's end stops it).
	probe='ip link set lo up
		capdrop --user=65534 --group=65534 --keep=net_bind_service --ambient=net_bind_service -- busybox httpd -p 127.0.0.1:80 -h / && echo port 80: bound
		capdrop --user=65534 --group=65534 --keep=net_bind_service -- busybox httpd -p 127.0.0.1:81 -h / 2>&1'
	run nsunshare -n -p -f sh -c "$probe"
	assert_output "$(printf '%s\n' 'port 80: bound' 'httpd: bind: Permission denied')"
}

@test "--ambient=net_raw --user=65534: the capability survives execve, and nobody's ping works" {
	need_root
	raw=$(cap_mask cap_net_raw)
	run capdrop --ambient=net_raw --user=65534 -- grep -E '^Cap(Eff|Amb)' /proc/self/status
	assert_success
	assert_output "$(printf 'CapEff:\t%s\nCapAmb:\t%s' "$raw" "$raw")"
	probe='ip link set lo up && echo "1 0" >/proc/sys/net/ipv4/ping_group_range &&
		capdrop --ambient=net_raw --user=65534 --group=65534 -- busybox ping -c 1 -W 1 127.0.0.1 >/dev/null && echo ambient: ok
		capdrop --user=65534 --group=65534 -- busybox ping -c 1 -W 1 127.0.0.1 2>&1 | tail -n 1'
	run nsunshare -n sh -c "$probe"
	assert_output "$(printf '%s\n' 'ambient: ok' 'ping: permission denied (are you root?)')"
}

@test "--no-new-privs: NoNewPrivs is 1, and a setuid-root program no longer makes nobody root" {
	need_root
	run capdrop --no-new-privs -- grep NoNewPrivs /proc/self/status
	assert_output "$(printf 'NoNewPrivs:\t1')"
	cp "$(command -v id)" "$SCRATCH/id" && chmod 4755 "$SCRATCH/id"
	run capdrop --user=65534 --group=65534 -- "$SCRATCH/id" -u
	assert_output 0
	run capdrop --user=65534 --group=65534 --no-new-privs -- "$SCRATCH/id" -u
	assert_output 65534
}

@test "--user by name takes the user's group; the supplementary groups are cleared" {
	need_root
	count_groups='id -u; id -g; awk "/^Groups:/ { print NF - 1 }" /proc/self/status'
	run setpriv --groups=4,5 sh -c "$count_groups"
	assert_output "$(printf '%s\n' 0 0 2)"
	run setpriv --groups=4,5 capdrop --user=daemon -- sh -c "$count_groups"
	assert_output "$(printf '%s\n' "$(id -u daemon)" "$(id -g daemon)" 0)"
	run setpriv --groups=4,5 capdrop --group=5 -- sh -c "$count_groups"
	assert_output "$(printf '%s\n' 0 5 0)"
	run capdrop --user=4242 -- id -g # not in /etc/passwd: the gid stays
	assert_output 0
}

@test "--groups=10,20 with --user and --group: the command's supplementary groups are 10 and 20" {
	need_root
	run capdrop --user=65534 --group=65534 --groups=10,20 -- id -G
	assert_success
	assert_output '65534 10 20'
	# Root's own groups (4 and 5 here) are replaced, not added to.
	run setpriv --groups=4,5 capdrop --user=65534 --group=65534 --groups=10,20 -- id -G
	assert_output '65534 10 20'
	# --groups alone changes the groups only: still uid and gid 0.
	run setpriv --groups=4,5 capdrop --groups=10 -- sh -c 'id -u; id -g; id -G'
	assert_output "$(printf '%s\n' 0 0 '0 10')"
}

@test "--groups= clears the supplementary groups; given twice, the lists add up" {
	need_root
	run setpriv --groups=4,5 id -G
	assert_output '0 4 5'
	run setpriv --groups=4,5 capdrop --groups= -- id -G
	assert_success
	assert_output 0
	run setpriv --groups=4,5 capdrop --groups= -- awk '/^Groups:/ { print NF - 1 }' /proc/self/status
	assert_output 0
	run capdrop --user=65534 --group=65534 --groups=10 --groups=20,30 -- id -G
	assert_output '65534 10 20 30'
}

@test "--groups takes names from /etc/group, as --group does, and numbers /etc/group does not list" {
	need_root
	adm=$(getent group adm | cut -d: -f3) staff=$(getent group staff | cut -d: -f3)
	if [ -z "$adm" ] || [ -z "$staff" ]; then skip "no adm or staff group here"; fi
	run capdrop --user=65534 --group=65534 --groups=adm,staff,4242 -- id -G
	assert_success
	assert_output "65534 $adm $staff 4242"
}

@test "inside a container, --groups names come from the image's /etc/group, not the host's" {
	need_root
	need_static_capdrop
	busybox_rootfs "$SCRATCH/root"
	run --separate-stderr nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		/.ctrkit/capdrop --user=nobody --groups=root -- id
	assert_success
	assert_output 'uid=65534(nobody) gid=65534(nogroup) groups=0(root)'
	# adm is the host's (Debian's), not busybox's: unknown in there.
	run --separate-stderr nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		/.ctrkit/capdrop --user=nobody --groups=adm -- id
	assert_failure 2
	assert_output ''
	[ "$stderr" = "capdrop: --groups: no such group 'adm' (see capdrop --help)" ]
}

@test "-v --groups: setgroups(2, [10, 20]) = 0 before setgid and setuid, as strace -f shows it" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	for groups in 10,20 ''; do
		strace -f -qq -o "$SCRATCH/trace" -e trace=setgroups,setgid,setuid \
			capdrop -v --user=65534 --group=65534 --groups="$groups" -- true 2>"$SCRATCH/v"
		sed -E 's/^[0-9]+ +//; s/\) +=/) =/' "$SCRATCH/trace" >"$SCRATCH/calls"
		grep -E '^capdrop: set(groups|gid|uid)\(' "$SCRATCH/v" | sed 's/^capdrop: //' >"$SCRATCH/traced"
		run diff "$SCRATCH/calls" "$SCRATCH/traced"
		assert_success
	done
	run capdrop -v --user=65534 --group=65534 --groups=10,20 -- true
	[ "$(head -n 5 <<<"$output")" = "$(printf 'capdrop: %s\n' 'prctl(PR_SET_KEEPCAPS, 1) = 0' \
		'setgroups(2, [10, 20]) = 0' 'setgid(65534) = 0' 'setuid(65534) = 0' 'prctl(PR_SET_KEEPCAPS, 0) = 0')" ]
	run capdrop -v --groups= -- true
	assert_line 'capdrop: setgroups(0, NULL) = 0'
}

@test "--groups refused by the kernel: status 1 and the command does not run (nobody; a user namespace that denies setgroups)" {
	need_root
	tools_for_nobody
	m=$SCRATCH/marker
	hint='setgroups needs CAP_SETGID, and a user namespace whose /proc/PID/setgroups says deny refuses it to all'
	run --separate-stderr as_nobody capdrop --groups=10 -- touch "$m"
	assert_failure 1
	[ "$stderr" = "capdrop: setgroups(1, [10]): Operation not permitted ($hint)" ]
	run --separate-stderr nsunshare -U -r capdrop --groups=0 -- touch "$m"
	assert_failure 1
	[ "$stderr" = "capdrop: setgroups(1, [0]): Operation not permitted ($hint)" ]
	[ ! -e "$m" ]
	# Not asked for, the groups stay as they are there, as before.
	run nsunshare -U -r capdrop --user=0 -- id -u
	assert_success
	assert_output 0
}

# ---- --show ----

@test "--show alone prints this process's sets as /proc/self/status has them, decoded by capsh" {
	need_root
	run capdrop --show
	assert_success
	shown=$output
	run grep -E '^Cap' /proc/self/status # bats's shell: capdrop's parent, with the same sets
	for pair in Bounding:CapBnd Effective:CapEff Permitted:CapPrm Inheritable:CapInh Ambient:CapAmb; do
		names=$(sed -n "s/^${pair%%:*}: *//p" <<<"$shown")
		decoded=$(capsh --decode="$(sed -n "s/^${pair#*:}:\t//p" <<<"$output")")
		decoded=${decoded#*=}
		[ "$names" = "${decoded:-(none)}" ] || { echo "${pair%%:*}: $names, but /proc: $decoded"; return 1; }
	done
	[[ $shown == *'Securebits:  0x0'* ]]
}

@test "capdrop --show inside a container made by pivotroot matches its /proc/self/status" {
	need_root
	need_static_capdrop
	busybox_rootfs "$SCRATCH/root"
	run --separate-stderr nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		/.ctrkit/capdrop --docker -- sh -c '/.ctrkit/capdrop --show; grep -E "^Cap" /proc/self/status'
	assert_success
	for pair in Bounding:CapBnd Effective:CapEff Permitted:CapPrm Inheritable:CapInh Ambient:CapAmb; do
		names=$(sed -n "s/^${pair%%:*}: *//p" <<<"$output")
		decoded=$(capsh --decode="$(sed -n "s/^${pair#*:}:\t//p" <<<"$output")")
		decoded=${decoded#*=}
		[ "$names" = "${decoded:-(none)}" ] || { echo "${pair%%:*}: $names, but /proc: $decoded"; return 1; }
	done
	assert_line "$(printf 'CapBnd:\t%s' "$(cap_mask "${DOCKER_CAPS[@]}")")"
	assert_line 'Uid:         0 0 0'
	assert_line 'NoNewPrivs:  0'
}

@test "inside the container, Docker's root cannot mount; names from the image's /etc/passwd work" {
	need_root
	need_static_capdrop
	busybox_rootfs "$SCRATCH/root"
	run nsunshare -p -m -u -i -n -f pivotroot --volume="$CTRKIT_BIN:/.ctrkit:ro" "$SCRATCH/root" \
		/.ctrkit/capdrop --docker -- sh -c 'mount -t tmpfs none /tmp 2>&1; /.ctrkit/capdrop --user=nobody -- id'
	assert_output "$(printf '%s\n' 'mount: permission denied (are you root?)' 'uid=65534(nobody) gid=65534(nogroup)')"
}

@test "--docker --show prints the sets a command starts with, then runs the command if one is given" {
	need_root
	run --separate-stderr capdrop --docker --show -- touch "$SCRATCH/marker"
	assert_success
	want=$(capsh --decode="$(cap_mask "${DOCKER_CAPS[@]}")") # in capsh's order, the kernel's
	assert_output "$(printf '%-12s %s\n' Bounding: "${want#*=}" Effective: "${want#*=}" Permitted: "${want#*=}" \
		Inheritable: '(none)' Ambient: '(none)' NoNewPrivs: 0 Securebits: 0x0 Uid: '0 0 0' Gid: '0 0 0' Groups: '(none)')"
	[ -e "$SCRATCH/marker" ] # with a command, it then runs it
	run capdrop --docker --show
	assert_success
	assert_line "Bounding:    ${want#*=}"
}

@test "--show PID prints another process's sets: a container's, under --docker" {
	need_root
	start_container -u -- capdrop --docker --no-new-privs -- ctrkit-test-sleep
	run capdrop --show "$CTR"
	assert_success
	want=$(capsh --decode="$(cap_mask "${DOCKER_CAPS[@]}")")
	assert_line "Bounding:    ${want#*=}"
	assert_line "Effective:   ${want#*=}"
	assert_line 'Securebits:  (only the process itself can read them)'
	assert_line 'NoNewPrivs:  1'
	run capdrop --show=$$
	assert_line 'NoNewPrivs:  0'
}

# ---- -v ----

@test "-v prints each call that changes the process exactly as strace -f shows it, in the order explained" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	strace -f -qq -s 4096 -o "$SCRATCH/trace" -e trace=prctl,capset,capget,setresuid,setresgid,setgroups,setuid,setgid,execve \
		capdrop -v --keep=net_raw,setpcap --ambient=net_raw --user=65534 --group=65534 --no-new-privs -- true 2>"$SCRATCH/v"
	# strace prefixes the pid and pads "= 0" to a column: take both away;
	# leave out what only reads (libcap's probes) and capdrop's own execve.
	sed -E 's/^[0-9]+ +//; s/\) +=/) =/' "$SCRATCH/trace" |
		grep -v -e '^capget(' -e PR_CAPBSET_READ -e PR_CAP_AMBIENT_IS_SET | tail -n +2 >"$SCRATCH/changes"
	# execve does not return to print "= 0": strace adds it.
	sed -E 's/^capdrop: //; s/^(execve\(.*\))$/\1 = 0/' "$SCRATCH/v" >"$SCRATCH/traced"
	run diff "$SCRATCH/changes" "$SCRATCH/traced"
	assert_success
	# bounding, keep-caps around the user switch, capset, ambient, no_new_privs, execve
	run sh -c "sed -E 's/^capdrop: ([a-z]+\([A-Z_]*).*/\1/' '$SCRATCH/v' | uniq"
	assert_output "$(printf '%s\n' 'prctl(PR_CAPBSET_DROP' 'prctl(PR_SET_KEEPCAPS' 'setgroups(' 'setgid(' 'setuid(' \
		'prctl(PR_SET_KEEPCAPS' 'capset(' 'prctl(PR_CAP_AMBIENT' 'prctl(PR_SET_NO_NEW_PRIVS' 'execve(')"
	run grep -c -x -e 'capdrop: prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0' \
		-e 'capdrop: capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_SETPCAP|1<<CAP_NET_RAW, permitted=1<<CAP_SETPCAP|1<<CAP_NET_RAW, inheritable=1<<CAP_NET_RAW}) = 0' \
		-e 'capdrop: prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) = 0' "$SCRATCH/v"
	assert_output 3
}

@test "-v --docker: a bounding drop for each capability Docker does not keep, one capset, as strace sees them" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	strace -f -qq -s 4096 -o "$SCRATCH/trace" -e trace=prctl,capset capdrop -v --docker -- true 2>"$SCRATCH/v"
	# one drop for each capability in the test's bounding set but not
	# in Docker's 14 (a machine may run the test without some already)
	held=$(capsh --decode="$(sed -n 's/^CapBnd:\t//p' /proc/self/status)" | tr ',' '\n' | wc -l)
	run grep -c 'PR_CAPBSET_DROP' "$SCRATCH/v"
	assert_output "$((held - 14))"
	grep -v -e PR_CAPBSET_READ -e PR_CAP_AMBIENT_IS_SET "$SCRATCH/trace" | sed -E 's/^[0-9]+ +//; s/\) +=/) =/' >"$SCRATCH/changes"
	grep -v '^capdrop: execve' "$SCRATCH/v" | sed 's/^capdrop: //' >"$SCRATCH/traced"
	run diff "$SCRATCH/changes" "$SCRATCH/traced"
	assert_success
}

@test "-v: every call it prints is one strace -f sees: --docker, --drop with --ambient, --user and --groups, --show" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	strace_v docker capdrop -v --docker -- true
	[ "$v_status" -eq 0 ]
	strace_v drop capdrop -v --drop=cap_net_raw,sys_admin --ambient=cap_kill --no-new-privs -- true
	[ "$v_status" -eq 0 ]
	strace_v user capdrop -v --user=nobody --groups=10,20 --keep=cap_kill,cap_setuid -- true
	[ "$v_status" -eq 0 ]
	strace_v show capdrop -v --show=$$
	[ "$v_status" -eq 0 ]
	local run
	for run in docker drop user show; do
		run not_seen capdrop "$run"
		assert_output ""
	done
	grep -q '^capdrop: setgroups(2, \[10, 20\]) = 0$' "$SCRATCH/user.v"
	grep -q '^capdrop: prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) = 0$' "$SCRATCH/drop.v"
	grep -q '^capdrop: openat(AT_FDCWD, "/proc/'"$$"'/status", O_RDONLY|O_CLOEXEC) = [0-9]*$' "$SCRATCH/show.v"
}

# ---- rootless ----

@test "rootless: nobody's root in a user namespace gets Docker's set from capdrop" {
	tools_for_nobody
	docker=$(cap_mask "${DOCKER_CAPS[@]}")
	run as_nobody nsunshare -U -r capdrop --docker -- grep Cap /proc/self/status
	assert_success
	assert_output "$(status_caps "$NONE" "$docker" "$docker" "$docker" "$NONE")"
}

@test "rootless: a user namespace's root has every capability, but only over its own namespaces" {
	tools_for_nobody
	run as_nobody nsunshare -U -r grep CapEff /proc/self/status
	assert_output "$(printf 'CapEff:\t%016x' "$(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1))")"
	run as_nobody nsunshare -U -r -u sh -c 'hostname box && hostname'
	assert_success
	assert_output box
	run as_nobody nsunshare -U -r hostname box # the host's UTS namespace
	assert_failure
	run as_nobody nsunshare -U -r -u capdrop --docker -- hostname box
	assert_failure
	assert_output "hostname: you must be root to change the host name"
}

# ---- bad input ----

@test "bad input: one line on stderr, status 2 (1 for what is not a usage error), and nothing executed" {
	need_root
	m=$SCRATCH/marker
	dead=$(sh -c 'echo $$')
	# NGROUPS_MAX groups, in two options (one argument may hold 128 KiB):
	# one more is one too many.
	ngroups_max=$(cat /proc/sys/kernel/ngroups_max)
	zeros=$(yes 0 | head -n "$((ngroups_max / 2))" | paste -s -d,)
	expect_errors capdrop \
		"2|--keep=cap_fly touch $m|--keep: unknown capability 'cap_fly' (see capdrop --help)" \
		"2|--keep= touch $m|--keep: the list is empty (see capdrop --help)" \
		"2|--drop=chown,,kill touch $m|--drop: 'chown,,kill' has an empty or overlong name (see capdrop --help)" \
		"2|--ambient=net_raw,fly touch $m|--ambient: unknown capability 'fly' (see capdrop --help)" \
		"2|--user=nosuchuser touch $m|--user: no such user 'nosuchuser' (see capdrop --help)" \
		"2|--group=nosuchgroup touch $m|--group: no such group 'nosuchgroup' (see capdrop --help)" \
		"2|--groups=10,nosuchgroup touch $m|--groups: no such group 'nosuchgroup' (see capdrop --help)" \
		"2|--user=65534 --groups=4294967295 touch $m|--groups: group number '4294967295' is out of range (0 to 4294967294) (see capdrop --help)" \
		"2|--groups=99999999999999999999 touch $m|--groups: group number '99999999999999999999' is out of range (0 to 4294967294) (see capdrop --help)" \
		"2|--groups=10,,20 touch $m|--groups: '10,,20' has an empty name (see capdrop --help)" \
		"2|--groups=10, touch $m|--groups: '10,' has an empty name (see capdrop --help)" \
		"2|--group=4294967296 touch $m|--group: group number '4294967296' is out of range (0 to 4294967294) (see capdrop --help)" \
		"2|--groups=$zeros --groups=$zeros --groups=0 touch $m|--groups: more than $ngroups_max groups (the kernel's NGROUPS_MAX) (see capdrop --help)" \
		"2||no command given (add --show to print the sets instead) (see capdrop --help)" \
		"2|--docker|no command given (add --show to print the sets instead) (see capdrop --help)" \
		"1|--show=$dead|no process with pid $dead" \
		"1|--show $dead|no process with pid $dead" \
		"2|--show=x|'x' is not a pid (see capdrop --help)" \
		"2|--show=1 touch $m|--show=PID prints another process's sets: it takes no changes and no command (see capdrop --help)" \
		"2|--keep=chown --ambient=net_raw touch $m|--ambient: cap_net_raw is dropped by --keep (see capdrop --help)" \
		"2|--docker --drop=net_raw --ambient=net_raw touch $m|--ambient: cap_net_raw is dropped by --drop (see capdrop --help)" \
		"2|--docker --keep=chown touch $m|--docker and --keep exclude each other (--docker is --keep with Docker's list) (see capdrop --help)"
	run -127 --separate-stderr capdrop --docker no-such-command-ctrkit
	[ "$stderr" = "capdrop: failed to execute no-such-command-ctrkit: command not found" ]
	# An ambient capability the process does not hold: it has nothing to pass on.
	run --separate-stderr capdrop --drop=sys_nice -- capdrop --ambient=sys_nice touch "$m"
	assert_failure 1
	[ "$stderr" = "capdrop: --ambient: cap_sys_nice is not in this process's permitted set: there is nothing to pass on" ]
	[ ! -e "$m" ]
}
