#!/usr/bin/env bats
# pivotroot: the container's own root, /proc and /dev (E15, E19), volumes
# (E21), the command over fd 3 (E28).

load helpers

setup() {
	make_scratch
	need_root
	busybox_rootfs "$SCRATCH/root"
}

teardown() {
	cleanup_scratch
}

container() {
	nsunshare -p -m -u -i -n -f pivotroot "$@"
}

@test "E19: / is the rootfs, the command is pid 1, ps sees only the container" {
	run container "$SCRATCH/root" sh -c 'ls /; echo ---; ps -o pid,comm; exit 0'
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]:0:14}")" "$(printf '%s\n' bin dev etc home linuxrc proc root sbin sys tmp usr var --- 'PID   COMMAND')"
	assert_line --index 14 '    1 sh'
	assert_line --index 15 --regexp '^ +[0-9]+ ps$'
	[ "${#lines[@]}" -eq 16 ]
}

@test "a fresh /proc, a minimal /dev, and /sys read-only" {
	run container "$SCRATCH/root" sh -c 'cat /proc/1/comm; ls /dev; stat -c "%t:%T" /dev/null /dev/urandom; echo > /dev/null && echo null works; touch /sys/x 2>&1; cat /proc/mounts | cut -d" " -f2,3 | sort'
	assert_success
	assert_output "$(printf '%s\n' sh fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \
		1:3 1:9 'null works' "touch: /sys/x: Read-only file system" \
		'/ ext4' '/dev tmpfs' '/dev/pts devpts' '/dev/shm tmpfs' '/proc proc' '/sys sysfs')" ||
		assert_output --partial "null works" # another filesystem than ext4 under /tmp
}

@test "after pivotroot, the chroot walk-up escape finds only the rootfs; after chroot it finds the host" {
	gcc -static -O2 -o "$SCRATCH/root/escape" "$TOP/lessons/08-pivot-root/escape.c"
	run nsunshare -m chroot "$SCRATCH/root" /escape
	assert_success
	assert_line --partial "$(basename "$(cd / && ls -d tmp)")"
	# shellcheck disable=SC2012 # ls is what the escape program's listing is compared with
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "$(ls / | sort | tr '\n' ' ')" ]
	run container "$SCRATCH/root" /escape
	assert_success
	# shellcheck disable=SC2012 # the same, for the rootfs
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "$(ls "$SCRATCH/root" | sort | tr '\n' ' ')" ]
}

@test "it refuses the host's mount namespace, and mounts nothing there" {
	before=$(wc -l </proc/self/mountinfo)
	run --separate-stderr pivotroot "$SCRATCH/root" true
	assert_failure 1
	[ "$stderr" = "pivotroot: refusing to run in the host's mount namespace: pivot_root would move every process into the new root (run it under nsunshare -m)" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
}

@test "E21: what the container writes to a volume is still on the host after it" {
	mkdir "$SCRATCH/data"
	echo from-host >"$SCRATCH/data/in"
	run container --volume="$SCRATCH/data:/data" "$SCRATCH/root" sh -c 'cat /data/in; echo from-container > /data/out'
	assert_success
	assert_output from-host
	assert_equal "$(cat "$SCRATCH/data/out")" from-container
	[ ! -e "$SCRATCH/root/data/out" ]
}

@test "a read-only volume refuses writes; --readonly makes the root read-only" {
	mkdir "$SCRATCH/data"
	run container --volume="$SCRATCH/data:/data:ro" "$SCRATCH/root" sh -c 'touch /data/x'
	assert_failure 1
	assert_output "touch: /data/x: Read-only file system"
	run container --readonly "$SCRATCH/root" sh -c 'touch /x; touch /tmp/y 2>&1 | head -n 1'
	assert_output --partial "touch: /x: Read-only file system"
}

@test "a volume target that is a symlink leads nowhere outside the rootfs" {
	mkdir "$SCRATCH/data"
	ln -s / "$SCRATCH/root/to-root"
	ln -s /etc "$SCRATCH/root/to-etc"
	run --separate-stderr container --volume="$SCRATCH/data:/to-root" "$SCRATCH/root" true
	assert_failure 1
	[ "$stderr" = "pivotroot: /to-root resolves to the root of the container itself (a symlink to /?): refused" ]
	# /etc here is the rootfs's own /etc, not the host's
	run container --volume="$SCRATCH/data:/to-etc" "$SCRATCH/root" sh -c 'touch /etc/written && ls /etc'
	assert_output written
	[ -e "$SCRATCH/data/written" ]
	[ ! -e /etc/written ]
}

@test "E6 on a volume: root of a user-namespaced container writes as the mapped host user" {
	mkdir "$SCRATCH/data" "$SCRATCH/root/data" && chown 1000:1000 "$SCRATCH/data"
	run nsunshare -U --map-users=1000,0,1 --map-groups=1000,0,1 -S 0 -G 0 -p -m -f \
		pivotroot --volume="$SCRATCH/data:/data" "$SCRATCH/root" sh -c 'touch /data/file; ls -ln /data | tail -n 1'
	assert_success
	assert_output --regexp '^-rw-r--r-- +1 0 +0 +0 .* file$'
	assert_equal "$(stat -c %u:%g "$SCRATCH/data/file")" 1000:1000
}

@test "E28: --cmd-fd 3 reads the command from a pipe, NUL-separated, then closes it" {
	run bash -c "printf 'sh\0-c\0echo \"from fd 3, as pid \$\$\"; [ -e /proc/\$\$/fd/3 ] || echo fd 3 is closed\0' |
		nsunshare -p -m -f pivotroot --cmd-fd=3 '$SCRATCH/root' 3<&0 </dev/null"
	assert_success
	assert_output "$(printf '%s\n' 'from fd 3, as pid 1' 'fd 3 is closed')"
}

@test "--cmd-fd: a closed fd, an empty command, or both forms, are errors before any mount" {
	expect_errors pivotroot \
		"1|--cmd-fd=7 $SCRATCH/root|--cmd-fd 7: Bad file descriptor" \
		"2|--cmd-fd=3 $SCRATCH/root sh|--cmd-fd and a command on the line exclude each other (see pivotroot --help)" \
		"2|--cmd-fd=x $SCRATCH/root|--cmd-fd: 'x' is not a file descriptor (see pivotroot --help)"
	run --separate-stderr bash -c "nsunshare -m pivotroot --cmd-fd=3 $SCRATCH/root 3</dev/null"
	assert_failure 1
	[ "$stderr" = "pivotroot: no command on fd 3 (want arguments separated by NUL bytes)" ]
}

@test "a rootfs without the command gives 127; one that cannot run, 126" {
	run -127 --separate-stderr container "$SCRATCH/root" no-such-command
	[ "$stderr" = "pivotroot: failed to execute no-such-command: command not found" ]
	touch "$SCRATCH/root/plain"
	run -126 container "$SCRATCH/root" /plain
}

@test "bad input: missing root, / as root, bad volumes, a missing volume source" {
	expect_errors pivotroot \
		"1|$SCRATCH/none true|new root $SCRATCH/none: No such file or directory" \
		"1|/ true|the new root cannot be / itself" \
		"1|/etc/passwd true|new root /etc/passwd is not a directory" \
		"1|--volume=$SCRATCH/none:/data $SCRATCH/root true|volume source $SCRATCH/none: No such file or directory" \
		"2|--volume=nocolon $SCRATCH/root true|--volume: 'nocolon' is not HOST:CTR[:ro] (see pivotroot --help)" \
		"2|--volume=$SCRATCH:relative $SCRATCH/root true|--volume: '$SCRATCH:relative': the target must be an absolute path (see pivotroot --help)" \
		"2|--volume=$SCRATCH:/x:rx $SCRATCH/root true|--volume: '$SCRATCH:/x:rx': the mode is ro or rw (see pivotroot --help)" \
		"2|--volume=$SCRATCH://: $SCRATCH/root true|--volume: '$SCRATCH://:': the mode is ro or rw (see pivotroot --help)" \
		"2|--volume=$SCRATCH: $SCRATCH/root true|--volume: '$SCRATCH:' is not HOST:CTR[:ro] (see pivotroot --help)" \
		"2|--volume=$SCRATCH:// $SCRATCH/root true|--volume: '$SCRATCH://': the target cannot be / itself (use the rootfs for that) (see pivotroot --help)" \
		"2|--volume=$SCRATCH:/./ $SCRATCH/root true|--volume: '$SCRATCH:/./': the target cannot be / itself (use the rootfs for that) (see pivotroot --help)" \
		"2|--volume=$SCRATCH:/data/../etc $SCRATCH/root true|--volume: '$SCRATCH:/data/../etc': the target may not contain .. (see pivotroot --help)" \
		"2|--volume=$SCRATCH:/data --volume=/tmp://data/ $SCRATCH/root true|--volume: '/tmp://data/': /data is already the target of another volume (see pivotroot --help)" \
		"2|--preserve-fds=-1 $SCRATCH/root true|--preserve-fds: '-1' is not a number of fds (see pivotroot --help)" \
		"2||give the new root (see pivotroot --help)"
}

@test "rootless: as nobody, in user, pid and mount namespaces, with the host's device nodes" {
	tools_for_nobody
	chmod -R a+rX "$SCRATCH/root"
	run as_nobody nsunshare -U -r -p -m -u -i -n -f pivotroot "$SCRATCH/root" sh -c 'id -u; cat /proc/1/comm; echo > /dev/null && echo ok'
	assert_success
	assert_output "$(printf '%s\n' 0 sh ok)"
}

@test "-v shows the mounts and the pivot in strace's syntax" {
	run --separate-stderr container -v "$SCRATCH/root" true
	assert_success
	# the first mount makes every mount private (before it: the reads
	# that check this is not the host's mount namespace)
	local mounts
	mounts=$(grep '^pivotroot: mount(' <<<"$stderr")
	[ "${mounts%%$'\n'*}" = 'pivotroot: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0' ]
	[[ $stderr == *'pivotroot: mount("proc", "/proc/self/fd/'[0-9]*'", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) /* /proc */ = 0'* ]]
	[[ $stderr == *'pivotroot: pivot_root(".", ".") = 0'*'pivotroot: umount2(".", MNT_DETACH) = 0'* ]]
}

@test "NEWROOT -- command: the -- of the synopsis ends the options, the command runs" {
	# shellcheck disable=SC2016 # expanded by the container's shell
	run container "$SCRATCH/root" -- sh -c 'echo "$0 as pid $$"'
	assert_success
	assert_output "sh as pid 1"
}

@test "host directories the caller left open on fds do not reach the container (CVE-2024-21626)" {
	# The issue's example: fd 7 on the host's /, listed from inside.
	run bash -c "exec 7</ 8</etc 9<'$BATS_TEST_FILENAME'
		nsunshare -m -p -f pivotroot '$SCRATCH/root' sh -c 'ls /proc/self/fd/7/; ls /proc/\$\$/fd'"
	refute_output --partial passwd
	assert_output --partial "/proc/self/fd/7/: No such file or directory"
	assert_line "0"
	refute_line "8"
	refute_line "9"
	# --cmd-fd's pipe is closed too; --preserve-fds=N passes 3 to 3+N-1 on.
	run bash -c "exec 3</dev/null 4</dev/null 5</etc
		nsunshare -m -p -f pivotroot --preserve-fds=2 '$SCRATCH/root' sh -c 'ls /proc/\$\$/fd; exit'"
	assert_success
	# (ls alone, not in a pipeline, which holds fds in the shell; and not
	# last, which the shell would exec in its place: then $$ is ls)
	assert_output "$(printf '%s\n' 0 1 2 3 4)"
}
