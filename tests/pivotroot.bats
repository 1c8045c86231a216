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
	[ -z "${GROUP:-}" ] || cgset delete -k -p "$GROUP"
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
	[ "$stderr" = "pivotroot: refusing to run in the host's mount namespace: pivot_root would move every process into the new root (run it as the command of nsunshare -m, or exec it: a shell in its mount namespace would move too)" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
}

@test "what the hint says: a shell that shares pivotroot's mount namespace lands in the new root too" {
	echo "the rootfs's own" >"$SCRATCH/root/etc/motd"
	# The shell's "/" moved with pivotroot's: its /etc is the rootfs's.
	run --separate-stderr nsunshare -m sh -c "pivotroot '$SCRATCH/root' true; cat /etc/motd"
	assert_success
	assert_output "the rootfs's own"
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
	local nodev
	# with --nodev too: the host's nodes bound on /dev are mounts of their own
	for nodev in "" --nodev; do
		run as_nobody nsunshare -U -r -p -m -u -i -n -f pivotroot $nodev "$SCRATCH/root" \
			sh -c 'id -u; cat /proc/1/comm; echo > /dev/null && echo ok'
		assert_success
		assert_output "$(printf '%s\n' 0 sh ok)"
	done
}

@test "-v shows the mounts and the pivot in strace's syntax" {
	run --separate-stderr container -v "$SCRATCH/root" true
	assert_success
	# the first mount makes every mount private (before it: the reads
	# that check this is not the host's mount namespace)
	local mounts
	mounts=$(grep '^pivotroot: mount(' <<<"$stderr")
	[ "${mounts%%$'\n'*}" = 'pivotroot: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0' ]
	[[ $stderr == *'pivotroot: openat2('[0-9]*', "/proc", {flags=O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT}, 24) = '[0-9]*$'\n''pivotroot: mount("proc", "/proc/self/fd/'[0-9]*'", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'* ]]
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

# ---- a config.json's view: --mount, --mask, --readonly-path, --sysctl,
# ---- --workdir, --exec-fifo, --console-socket

@test "--mount: a tmpfs with its options, a directory bound read-only, a file bound where none was" {
	# (a kernel may add inode64 to a tmpfs's options: Debian's 6.1 does)
	mkdir "$SCRATCH/data"
	echo from-host >"$SCRATCH/data/in"
	echo nameserver 192.0.2.1 >"$SCRATCH/resolv.conf"
	run container \
		--mount=tmpfs:tmpfs:/run/app:nosuid,nodev,mode=700,size=1m \
		--mount="bind:$SCRATCH/data:/mnt/data:rbind,ro,rprivate" \
		--mount="bind:$SCRATCH/resolv.conf:/etc/net/resolv.conf:bind,ro" \
		--mount=tmpfs:tmpfs:/shared:rshared \
		"$SCRATCH/root" sh -c '
			stat -c "%a" /run/app; grep " /run/app " /proc/mounts | cut -d" " -f3,4 | sed "s/,inode64//"
			cat /mnt/data/in; touch /mnt/data/new 2>&1
			cat /etc/net/resolv.conf; echo x 2>&1 >/etc/net/resolv.conf
			grep -c " /shared .* shared:" /proc/self/mountinfo'
	assert_success
	assert_output "$(printf '%s\n' 700 'tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700' \
		from-host 'touch: /mnt/data/new: Read-only file system' \
		'nameserver 192.0.2.1' "sh: can't create /etc/net/resolv.conf: Read-only file system" 1)"
	# the file's mount point was made in the rootfs, empty
	[ -f "$SCRATCH/root/etc/net/resolv.conf" ]
	[ ! -s "$SCRATCH/root/etc/net/resolv.conf" ]
	[ ! -e "$SCRATCH/data/new" ]
}

@test "--mount on /dev/shm after the default /dev: the engine's own /dev/shm is the one seen" {
	mkdir "$SCRATCH/shm"
	touch "$SCRATCH/shm/engine-made"
	run container --mount="bind:$SCRATCH/shm:/dev/shm:rbind,nosuid,nodev,noexec" "$SCRATCH/root" \
		sh -c 'ls /dev/shm; touch /dev/shm/from-container'
	assert_success
	assert_output engine-made
	[ -e "$SCRATCH/shm/from-container" ]
}

@test "--mount: a DEST through a symlink to /etc lands in the rootfs's /etc, not the host's" {
	mkdir "$SCRATCH/data"
	echo secret >"$SCRATCH/file"
	ln -s /etc "$SCRATCH/root/to-etc"
	ln -s /etc/ctrkit-test-file "$SCRATCH/root/to-file"
	run container --mount="bind:$SCRATCH/data:/to-etc/ctrkit-test-dir:rbind" \
		--mount="bind:$SCRATCH/file:/to-file:bind" \
		--mount=tmpfs:tmpfs:/to-etc/ctrkit-test-tmpfs "$SCRATCH/root" \
		sh -c 'touch /etc/ctrkit-test-dir/written; cat /etc/ctrkit-test-file; ls -d /etc/ctrkit-test-*'
	assert_success
	assert_output "$(printf '%s\n' secret /etc/ctrkit-test-dir /etc/ctrkit-test-file /etc/ctrkit-test-tmpfs)"
	[ -e "$SCRATCH/data/written" ]
	[ -d "$SCRATCH/root/etc/ctrkit-test-dir" ]
	[ -f "$SCRATCH/root/etc/ctrkit-test-file" ]
	[ ! -e /etc/ctrkit-test-dir ] && [ ! -e /etc/ctrkit-test-file ] && [ ! -e /etc/ctrkit-test-tmpfs ]
}

@test "--mask: a file reads empty, a directory is an empty read-only tmpfs; a missing path is skipped" {
	echo hidden >"$SCRATCH/root/etc/secret"
	mkdir "$SCRATCH/root/etc/secrets" && echo hidden >"$SCRATCH/root/etc/secrets/key"
	# shellcheck disable=SC2016 # expanded by the container's shell
	run container --mask=/etc/secret --mask=/etc/secrets --mask=/no/such/path --mask=/proc/timer_list \
		"$SCRATCH/root" sh -c '
			echo "[$(cat /etc/secret)] [$(ls /etc/secrets)] [$(cat /proc/timer_list)]"
			echo x >/etc/secret; touch /etc/secrets/new 2>&1; [ -e /no ] || echo "no /no"'
	assert_success
	assert_output "$(printf '%s\n' '[] [] []' "touch: /etc/secrets/new: Read-only file system" "no /no")"
	assert_equal "$(cat "$SCRATCH/root/etc/secret")" hidden
}

@test "--readonly-path: writes there are refused with EROFS, elsewhere not; a missing path is skipped" {
	mkdir "$SCRATCH/root/data" "$SCRATCH/root/data2"
	run container --readonly-path=/data --readonly-path=/proc/sys --readonly-path=/no/such/path \
		"$SCRATCH/root" sh -c 'touch /data/x 2>&1; echo 1 2>&1 >/proc/sys/kernel/hostname; touch /data2/x && echo writable'
	assert_success
	assert_output "$(printf '%s\n' 'touch: /data/x: Read-only file system' \
		"sh: can't create /proc/sys/kernel/hostname: Read-only file system" writable)"
}

@test "--sysctl: the value is read back inside the container's own namespaces; the host's stays" {
	host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host_forward))
	local keys=(kernel/msgmax kernel/shmmax fs/mqueue/msg_max kernel/domainname) host=()
	for k in "${keys[@]}"; do host+=("$(cat "/proc/sys/$k")"); done
	run container --sysctl=net.ipv4.ip_forward="$want" --sysctl=kernel.msgmax=12345 \
		--sysctl=kernel.shmmax=4096 --sysctl=fs.mqueue.msg_max=20 --sysctl=kernel.domainname=ctrkit-pvt \
		--readonly-path=/proc/sys "$SCRATCH/root" \
		sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/kernel/shmmax
			cat /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname'
	assert_success
	assert_output "$(printf '%s\n' "$want" 12345 4096 20 ctrkit-pvt)"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward"
	for i in "${!keys[@]}"; do assert_equal "$(cat "/proc/sys/${keys[i]}")" "${host[i]}"; done
	run --separate-stderr container --sysctl=net.no.such.key=1 "$SCRATCH/root" true
	assert_failure 1
	[ "$stderr" = "pivotroot: cannot set sysctl net.no.such.key (/proc/sys/net/no/such/key): No such file or directory" ]
}

# The tests of refused keys never write a host sysctl: a read-only tmpfs
# on the container's /proc/sys would fail the write if one were tried.
NO_SYSCTL=--mount=tmpfs:tmpfs:/proc/sys:ro

@test "--sysctl: a key of the whole machine (kernel.core_pattern...) is refused before any mount; the host's value stays" {
	local key file before
	for key in kernel.core_pattern kernel.modprobe vm.swappiness net; do
		file=/proc/sys/${key//.//}
		[ ! -f "$file" ] || before=$(cat "$file")
		run --separate-stderr container -v "$NO_SYSCTL" --sysctl="$key=|/tmp/pwn" "$SCRATCH/root" true
		assert_failure 2
		# one line: -v shows no mount before it
		[ "$stderr" = "pivotroot: --sysctl $key: not in a namespace of the container's own, it would set the host's (see pivotroot --help)" ]
		[ ! -f "$file" ] || assert_equal "$(cat "$file")" "$before"
	done
}

@test "--sysctl: a namespace's key is refused where that namespace is the host's; the host's value stays" {
	local key ns flag file before f others
	for key in net.ipv4.ip_forward:network:-n kernel.shmmax:IPC:-i fs.mqueue.msg_max:IPC:-i kernel.domainname:UTS:-u; do
		IFS=: read -r key ns flag <<<"$key"
		file=/proc/sys/${key//.//}
		before=$(cat "$file")
		# every namespace of its own but that one
		others=()
		for f in -u -i -n; do [ "$f" = "$flag" ] || others+=("$f"); done
		run --separate-stderr nsunshare -p -m "${others[@]}" -f pivotroot -v "$NO_SYSCTL" --sysctl="$key=1" \
			"$SCRATCH/root" true
		assert_failure 2
		# -v: the reads of /proc that tell, and no mount
		[ "${stderr_lines[-1]}" = "pivotroot: --sysctl $key: the $ns namespace is the host's, it would set the host's: nsunshare $flag gives the container one of its own (see pivotroot --help)" ]
		[[ $stderr != *'mount('* ]]
		assert_equal "$(cat "$file")" "$before"
	done
}

@test "--nodev: a device node of the image does not open, those of pivotroot's /dev do; without --nodev it opens" {
	# /dev/null's numbers, harmless: an image had 1:11, the host's /dev/kmsg
	mknod "$SCRATCH/root/kmsg" c 1 3
	mkdir "$SCRATCH/data" && mknod "$SCRATCH/data/null" c 1 3
	local probe='echo x >/kmsg && echo /kmsg written
		echo x >/data/null && echo /data/null written
		echo x >/asked/null && echo /asked/null written
		echo x >/dev/null && echo /dev/null written
		head -c 3 /dev/zero | wc -c
		: <>/dev/ptmx && echo /dev/ptmx opens'
	# a volume, and a --mount that says "dev"
	local mounts=(--volume="$SCRATCH/data:/data" --mount="bind:$SCRATCH/data:/asked:rbind,nodev,dev")
	run container --nodev "${mounts[@]}" "$SCRATCH/root" sh -c "$probe"
	assert_success
	assert_output "$(printf '%s\n' "sh: can't create /kmsg: Permission denied" \
		"sh: can't create /data/null: Permission denied" /asked/null\ written /dev/null\ written 3 /dev/ptmx\ opens)"
	run container "${mounts[@]}" "$SCRATCH/root" sh -c "$probe"
	assert_success
	assert_output "$(printf '%s\n' /kmsg\ written /data/null\ written /asked/null\ written /dev/null\ written 3 \
		/dev/ptmx\ opens)"
}

@test "--nodev: a --mount gets nodev unless it says dev, or is a devpts" {
	# shellcheck disable=SC2016 # expanded by the container's shell
	run container --nodev --mount=tmpfs:tmpfs:/run/a:mode=755 --mount=tmpfs:tmpfs:/run/b:dev \
		--mount=devpts:devpts:/run/pts:newinstance,ptmxmode=0666 "$SCRATCH/root" sh -c '
			for m in /run/a /run/b /run/pts; do
				if grep -q "^[^ ]* $m [^ ]* [^ ]*nodev" /proc/mounts; then echo "$m nodev"; else echo "$m dev"; fi
			done
			: <>/run/pts/ptmx && echo /run/pts/ptmx opens'
	assert_success
	assert_output "$(printf '%s\n' '/run/a nodev' '/run/b dev' '/run/pts dev' '/run/pts/ptmx opens')"
}

@test "--workdir: pwd prints it, made with its parents where missing, also with --readonly" {
	run container --workdir=/srv/app/data --readonly "$SCRATCH/root" pwd
	assert_success
	assert_output /srv/app/data
	[ -d "$SCRATCH/root/srv/app/data" ]
	run container --workdir=/tmp "$SCRATCH/root" pwd
	assert_output /tmp
}

@test "--exec-fifo: the command does not run until a reader opens the fifo, then runs" {
	mkfifo "$SCRATCH/exec.fifo"
	nsunshare -p -m -f --kill-child pivotroot --exec-fifo="$SCRATCH/exec.fifo" "$SCRATCH/root" \
		sh -c 'echo ran as pid $$' >"$SCRATCH/out" 2>&1 3>&- &
	local launcher=$!
	CONTAINERS+=("$launcher")
	sleep 0.5
	# set up and waiting: alive, and the command has not run
	running "$launcher"
	[ ! -s "$SCRATCH/out" ]
	# the runtime's start: open the fifo for reading
	assert_equal "$(cat "$SCRATCH/exec.fifo")" 0
	wait "$launcher"
	assert_equal "$(cat "$SCRATCH/out")" "ran as pid 1"
}

# A console socket's other end, as conmon or containerd-shim: listens on
# $1, takes the pty master that comes with the message, prints the
# message, writes "ping" to the master, then prints all that the
# container writes until its side closes.
console_receiver() {
	cat >"$SCRATCH/receiver.py" <<-'PY'
		import array, os, signal, socket, sys
		signal.alarm(20)
		server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		server.bind(sys.argv[1])
		server.listen(1)
		conn, _ = server.accept()
		fds = array.array("i")
		msg, ancdata, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
		for level, kind, data in ancdata:
		    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
		        fds.frombytes(data[:fds.itemsize])
		print("message %s, %d fd" % (msg.decode(), len(fds)), flush=True)
		os.write(fds[0], b"ping\n")
		while True:
		    try:
		        data = os.read(fds[0], 4096)
		    except OSError:  # EIO: the last slave fd closed
		        break
		    if not data:
		        break
		    sys.stdout.write(data.decode().replace("\r", ""))
	PY
	python3 "$SCRATCH/receiver.py" "$1" >"$SCRATCH/console" 2>&1 3>&- &
	CONTAINERS+=("$!")
	RECEIVER=$!
	wait_until test -S "$1"
}

@test "--console-socket: the pty's master goes to the socket; the command has the container's /dev/pts/0" {
	local nodev
	# with --nodev too: the pty and /dev/tty are of pivotroot's own /dev
	for nodev in "" --nodev; do
		rm -f "$SCRATCH/console.sock"
		console_receiver "$SCRATCH/console.sock"
		# shellcheck disable=SC2016 # expanded by the container's shell
		run container $nodev --console-socket="$SCRATCH/console.sock" "$SCRATCH/root" sh -c '
			tty; read -r line; echo "read: $line"
			for fd in 0 1 2; do readlink /proc/$$/fd/$fd; done
			echo "on the controlling terminal" >/dev/tty'
		assert_success
		assert_output ""
		wait "$RECEIVER"
		# ping is the terminal's echo of what the receiver wrote
		assert_equal "$(cat "$SCRATCH/console")" "$(printf '%s\n' 'message /dev/ptmx, 1 fd' ping /dev/pts/0 \
			'read: ping' /dev/pts/0 /dev/pts/0 /dev/pts/0 'on the controlling terminal')"
	done
}

@test "-v shows the calls of --mount, --sysctl, --exec-fifo and --console-socket" {
	mkfifo "$SCRATCH/exec.fifo"
	console_receiver "$SCRATCH/console.sock"
	(cat "$SCRATCH/exec.fifo" >/dev/null) 3>&- &
	run --separate-stderr container -v --mount=tmpfs:tmpfs:/run/app:nosuid,mode=700,rprivate \
		--sysctl=net.ipv4.ip_forward=1 --exec-fifo="$SCRATCH/exec.fifo" \
		--console-socket="$SCRATCH/console.sock" "$SCRATCH/root" true
	assert_success
	[[ $stderr == *'pivotroot: openat(AT_FDCWD, "'"$SCRATCH"'/exec.fifo", O_RDONLY|O_CLOEXEC|O_PATH) = '[0-9]* ]]
	[[ $stderr == *'pivotroot: connect('[0-9]*', {sa_family=AF_UNIX, sun_path="'"$SCRATCH"'/console.sock"}, 110) = 0'* ]]
	[[ $stderr == *'pivotroot: mount("tmpfs", "/proc/self/fd/'[0-9]*'", "tmpfs", MS_NOSUID, "mode=700") = 0'* ]]
	[[ $stderr == *'pivotroot: mount(NULL, "/proc/self/fd/'[0-9]*'", NULL, MS_REC|MS_PRIVATE, NULL) = 0'* ]]
	[[ $stderr == *'pivotroot: openat(AT_FDCWD, "/dev/ptmx", O_RDWR|O_NOCTTY|O_CLOEXEC) = '[0-9]* ]]
	[[ $stderr == *'cmsg_type=SCM_RIGHTS'* ]]
	# after dup2 onto 2, the trace goes to the terminal
	wait "$RECEIVER"
	grep -q '^pivotroot: write([0-9]*, "1", 1) = 1$' "$SCRATCH/console"
	grep -q '^pivotroot: openat(AT_FDCWD, "/proc/self/fd/[0-9]*", O_WRONLY|O_CLOEXEC) = [0-9]*$' "$SCRATCH/console"
	grep -q '^pivotroot: write([0-9]*, "0", 1) = 1$' "$SCRATCH/console"
}

@test "bad input: --mount, --mask, --readonly-path, --sysctl, --workdir, --exec-fifo, --console-socket" {
	mkfifo "$SCRATCH/exec.fifo"
	local R=$SCRATCH/root see="(see pivotroot --help)"
	expect_errors pivotroot \
		"2|--mount=tmpfs $R true|--mount: 'tmpfs' is not TYPE:SOURCE:DEST[:OPTIONS] $see" \
		"2|--mount=tmpfs:tmpfs $R true|--mount: 'tmpfs:tmpfs' is not TYPE:SOURCE:DEST[:OPTIONS] $see" \
		"2|--mount=tmpfs:tmpfs: $R true|--mount: 'tmpfs:tmpfs:' is not TYPE:SOURCE:DEST[:OPTIONS] $see" \
		"2|--mount=::/x $R true|--mount: '::/x' is not TYPE:SOURCE:DEST[:OPTIONS] $see" \
		"2|--mount=tmpfs:tmpfs:run $R true|--mount: 'tmpfs:tmpfs:run': DEST must be an absolute path $see" \
		"2|--mount=tmpfs:tmpfs:/ $R true|--mount: 'tmpfs:tmpfs:/': DEST cannot be / itself (use the rootfs for that) $see" \
		"2|--mount=tmpfs:tmpfs:/./ $R true|--mount: 'tmpfs:tmpfs:/./': DEST cannot be / itself (use the rootfs for that) $see" \
		"2|--mount=tmpfs:tmpfs:/run/../etc $R true|--mount: 'tmpfs:tmpfs:/run/../etc': DEST may not contain .. $see" \
		"2|--mount=bind:/tmp:/x:rbind,rrshared $R true|--mount: 'bind:/tmp:/x:rbind,rrshared': unknown propagation 'rrshared' $see" \
		"2|--mount=tmpfs:tmpfs:/x:mode=755,recursive-private $R true|--mount: 'tmpfs:tmpfs:/x:mode=755,recursive-private': unknown propagation 'recursive-private' $see" \
		"2|--mount=bind:/tmp:/x:rbind,rprivat,idmap $R true|--mount: 'bind:/tmp:/x:rbind,rprivat,idmap': a bind mount takes flags only, not 'rprivat,idmap' $see" \
		"1|--mount=bind:$SCRATCH/none:/x $R true|mount source $SCRATCH/none: No such file or directory" \
		"2|--mount=cgroup:cgroup:/sys/fs/cgroup:rbind,ro $R true|--mount: 'cgroup:cgroup:/sys/fs/cgroup:rbind,ro': a cgroup mount cannot be a bind (it shows this process's own cgroups) $see" \
		"2|--mount=cgroup2:cgroup2:/sys/fs/cgroup:nsdelegate $R true|--mount: 'cgroup2:cgroup2:/sys/fs/cgroup:nsdelegate': a cgroup mount takes flags only, not 'nsdelegate' $see" \
		"2|--mask=etc/passwd $R true|--mask: 'etc/passwd' is not an absolute path $see" \
		"2|--readonly-path=proc/sys $R true|--readonly-path: 'proc/sys' is not an absolute path $see" \
		"2|--sysctl=net.ipv4.ip_forward $R true|--sysctl: 'net.ipv4.ip_forward' is not KEY=VALUE $see" \
		"2|--sysctl==1 $R true|--sysctl: '=1' is not KEY=VALUE $see" \
		"2|--sysctl=net/ipv4/ip_forward=1 $R true|--sysctl: 'net/ipv4/ip_forward=1': the key may not contain / or .., nor begin or end with a dot $see" \
		"2|--sysctl=..=1 $R true|--sysctl: '..=1': the key may not contain / or .., nor begin or end with a dot $see" \
		"2|--sysctl=net..ipv4.ip_forward=1 $R true|--sysctl: 'net..ipv4.ip_forward=1': the key may not contain / or .., nor begin or end with a dot $see" \
		"2|--sysctl=.net.ipv4=1 $R true|--sysctl: '.net.ipv4=1': the key may not contain / or .., nor begin or end with a dot $see" \
		"2|--sysctl=net.=1 $R true|--sysctl: 'net.=1': the key may not contain / or .., nor begin or end with a dot $see" \
		"2|--sysctl=net.x=1 --no-proc $R true|--sysctl needs /proc: it cannot go with --no-proc $see" \
		"2|--workdir=srv $R true|--workdir: 'srv' is not an absolute path $see" \
		"2|--exec-fifo=$SCRATCH/exec.fifo --no-proc $R true|--exec-fifo needs /proc: it cannot go with --no-proc $see" \
		"1|--exec-fifo=/etc/passwd $R true|--exec-fifo /etc/passwd is not a FIFO (make it with mkfifo)" \
		"1|--exec-fifo=$SCRATCH/none $R true|--exec-fifo $SCRATCH/none: No such file or directory"
	# past the check of the namespace: in one of its own, before any mount
	run --separate-stderr nsunshare -m pivotroot -v --console-socket="$SCRATCH/none" "$R" true
	assert_failure 1
	[ "${stderr_lines[-1]}" = "pivotroot: cannot connect to the console socket $SCRATCH/none: No such file or directory" ]
	[[ $stderr != *'mount('* ]]
}

@test "nsunshare -m --detach --pidfile, then pivotroot: the pid file is on the host every time, and removed at the end" {
	# The launcher shares the container's mount namespace, and pivot_root
	# moves its root too: it writes the pid file through the directory it
	# opened before (a race that a path lost about one run in eight).
	for i in $(seq 20); do
		nsunshare -p -m -f --detach --pidfile="$SCRATCH/c$i.pid" pivotroot "$SCRATCH/root" sleep 100
		[ -s "$SCRATCH/c$i.pid" ] || { echo "run $i: no pid file"; return 1; }
		kill -KILL "$(cat "$SCRATCH/c$i.pid")"
	done
	# without --detach the launcher waits, then removes the file it wrote
	run nsunshare -p -m -f --pidfile="$SCRATCH/fg.pid" pivotroot "$SCRATCH/root" sh -c 'sleep 0.2; exit 3'
	assert_equal "$status" 3
	[ ! -e "$SCRATCH/fg.pid" ]
}

# ---- --mount=cgroup: the container's own cgroups, as a config.json's
# ---- cgroup mount asks (runc's default: cgroup:cgroup:/sys/fs/cgroup:...,ro)

CGROUP_MOUNT=--mount=cgroup:cgroup:/sys/fs/cgroup:nosuid,noexec,nodev,ro

# A group whose limits a container can read back: 100M of memory, 20
# pids. Removed by teardown.
make_group() {
	GROUP=ctrkit-test-pr-$$/x
	cgset create "$GROUP" memory=100M pids=20
}

# What a container sees at /sys/fs/cgroup: the memory limit and pids.max
# (the group's, if its own group is what is shown), a write refused, and
# on v1 the hierarchies' directories, "cpu -> cpu,cpuacct" for a link.
# shellcheck disable=SC2016 # expanded by the container's shell
CGROUP_PROBE='
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
	echo 1 2>&1 >/sys/fs/cgroup/pids.max || true
else
	cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	echo 1 2>&1 >/sys/fs/cgroup/pids/pids.max || true
	mkdir /sys/fs/cgroup/new 2>&1
	for f in /sys/fs/cgroup/*; do
		if [ -L "$f" ]; then echo "${f##*/} -> $(readlink "$f")"; else echo "${f##*/}"; fi
	done | sort
fi'

# The hierarchies of a v1 or hybrid host, from /proc/self/cgroup, as the
# probe lists them: "memory"; "systemd" for name=systemd; for a co-mounted
# "cpu,cpuacct" that directory and a link for each controller. The "0::"
# line (hybrid: the unified hierarchy) is not shown, as with runc.
v1_listing() {
	local controllers c
	while IFS=: read -r _ controllers _; do
		case $controllers in
		'') ;;
		*,*)
			echo "$controllers"
			for c in ${controllers//,/ }; do
				[[ $c == name=* ]] || echo "$c -> $controllers"
			done
			;;
		*) echo "${controllers#name=}" ;;
		esac
	done </proc/self/cgroup | LC_ALL=C sort
}

# What CGROUP_PROBE prints in a container of make_group's group.
probe_expected() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		printf '%s\n' 104857600 20 "sh: can't create /sys/fs/cgroup/pids.max: Read-only file system"
	else
		printf '%s\n' 104857600 20 "sh: can't create /sys/fs/cgroup/pids/pids.max: Read-only file system" \
			"mkdir: can't create directory '/sys/fs/cgroup/new': Read-only file system"
		v1_listing
	fi
}

@test "--mount=cgroup in a cgroup namespace (nsunshare -C): the group's own limits, read-only; the host's mounts unchanged" {
	make_group
	local host_mounts
	host_mounts=$(grep cgroup /proc/self/mountinfo)
	run cgset exec "$GROUP" -- nsunshare -m -p -C -f -- pivotroot "$CGROUP_MOUNT" "$SCRATCH/root" sh -c "$CGROUP_PROBE"
	assert_success
	assert_output "$(probe_expected)"
	# nothing reached the host: no mount, and its hierarchies still read-write
	assert_equal "$(grep cgroup /proc/self/mountinfo)" "$host_mounts"
}

@test "--mount=cgroup or cgroup2 without a cgroup namespace: the group's own directory all the same, not the root" {
	make_group
	local type host_mounts
	host_mounts=$(grep cgroup /proc/self/mountinfo)
	# either type follows the host's layout, as runc does
	for type in cgroup cgroup2; do
		run cgset exec "$GROUP" -- nsunshare -m -p -f -- pivotroot \
			"--mount=$type:$type:/sys/fs/cgroup:nosuid,noexec,nodev,ro" "$SCRATCH/root" sh -c "$CGROUP_PROBE"
		assert_success
		assert_output "$(probe_expected)"
	done
	assert_equal "$(grep cgroup /proc/self/mountinfo)" "$host_mounts"
}

@test "--mount=cgroup rootless: the host's view of the group bound where a fresh mount is refused; with -C a fresh one" {
	make_group
	tools_for_nobody
	chmod -R a+rX "$SCRATCH/root"
	local ns
	for ns in "" -C; do
		# shellcheck disable=SC2086 # $ns is no word or one
		run cgset exec "$GROUP" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
			nsunshare -U -r -m -p $ns -f -- pivotroot "$CGROUP_MOUNT" "$SCRATCH/root" sh -c "$CGROUP_PROBE"
		# Linux 6.1 refuses cgroup2 in a cgroup namespace a user namespace
		# owns (EBUSY): one line then, never the host's root bound instead
		if [ -n "$ns" ] && [ -f /sys/fs/cgroup/cgroup.controllers ] && [ "$status" -ne 0 ]; then
			assert_output "pivotroot: cannot mount cgroup hierarchy cgroup2 on /sys/fs/cgroup: Device or resource busy"
			continue
		fi
		assert_success
		assert_output "$(probe_expected)"
	done
}

@test "--mount=cgroup: a user namespace that can neither mount nor find the host's hierarchy gets one line, and nothing is left" {
	make_group
	local host_mounts
	host_mounts=$(grep cgroup /proc/self/mountinfo)
	# the host's /sys/fs/cgroup hidden under an empty tmpfs, in a mount
	# namespace of the test's own
	# shellcheck disable=SC2016 # expanded by sh
	run --separate-stderr cgset exec "$GROUP" -- nsunshare -m -- sh -c 'mount -t tmpfs ctrkit-test /sys/fs/cgroup &&
		exec nsunshare -U -r -m -p -f -- pivotroot "$1" "$2" true' sh "$CGROUP_MOUNT" "$SCRATCH/root"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "pivotroot: cannot mount cgroup hierarchy "*" on /sys/fs/cgroup"*" (Operation not permitted), nor bind the host's /sys/fs/cgroup/"*" there: No such file or directory (in a user namespace, add -C to nsunshare: a cgroup namespace of its own may mount cgroups)" ]]
	assert_equal "$(grep cgroup /proc/self/mountinfo)" "$host_mounts"
}

@test "-v shows each call of a cgroup mount exactly as strace sees it" {
	command -v strace >/dev/null || skip "no strace"
	make_group
	strace_v cgroup cgset exec "$GROUP" -- nsunshare -m -p -f -- pivotroot -v "$CGROUP_MOUNT" "$SCRATCH/root" true
	[ "$v_status" -eq 0 ]
	# the fresh mount, and the group's directory bound on it
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		# with the hierarchy's own flags (nsdelegate,memory_recursiveprot
		# where systemd mounted it), as mountinfo shows them
		flags=$(awk '/ - cgroup2 / { n = split($NF, o, ","); s = ""
			for (i = 1; i <= n; i++) if (o[i] != "rw" && o[i] != "ro") s = s (s ? "," : "") o[i]
			print s; exit }' /proc/self/mountinfo)
		data=NULL
		[ -z "$flags" ] || data="\"${flags:0:32}\"$([ "${#flags}" -le 32 ] || echo ...)"
		grep -q '^pivotroot: mount("cgroup2", "/proc/self/fd/[0-9]*", "cgroup2", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, '"$data"') = 0$' "$SCRATCH/cgroup.v"
	else
		grep -q '^pivotroot: mount("cgroup", "/proc/self/fd/[0-9]*", "cgroup", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, "memory") = 0$' "$SCRATCH/cgroup.v"
	fi
	grep -q '^pivotroot: mount("/proc/self/fd/[0-9]*/'"$GROUP"'", "/proc/self/fd/[0-9]*", NULL, MS_BIND, NULL) = 0$' "$SCRATCH/cgroup.v"
	# and strace sees each call -v prints, the same
	run not_seen pivotroot cgroup
	assert_output ""
}

@test "-v: every call it prints is one strace -f sees: the default mounts, a bind, a read-only root, cgroups, the pivot" {
	command -v strace >/dev/null || skip "no strace"
	mkdir "$SCRATCH/data"
	strace_v main nsunshare -m -p -n -f -- pivotroot -v --mount="bind:$SCRATCH/data:/mnt/data:rbind,ro" \
		"$CGROUP_MOUNT" --readonly "$SCRATCH/root" true
	[ "$v_status" -eq 0 ]
	run not_seen pivotroot main
	assert_output ""
	# a data string longer than strace's 32 bytes is cut as strace cuts it
	grep -q '^pivotroot: mount("devpts", "/proc/self/fd/[0-9]*", "devpts", MS_NOSUID|MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0"\.\.\.) = 0$' "$SCRATCH/main.v"
	grep -q '^pivotroot: mknodat([0-9]*, "null", S_IFCHR|0666, makedev(0x1, 0x3)) = 0$' "$SCRATCH/main.v"
	grep -q '^pivotroot: pivot_root(".", ".") = 0$' "$SCRATCH/main.v"
}

@test "-v: every call it prints is one strace -f sees: a config.json's masks, read-only paths, sysctl, fifo, command on fd 3" {
	command -v strace >/dev/null || skip "no strace"
	mkfifo "$SCRATCH/exec.fifo"
	(cat "$SCRATCH/exec.fifo" >/dev/null) 3>&- &
	printf '%s\0' sh -c 'exit 0' >"$SCRATCH/cmd"
	strace_v config nsunshare -m -p -n -f -- pivotroot -v --mask=/proc/kcore --mask=/sys/firmware --mask=/none \
		--readonly-path=/proc/sys --sysctl=net.ipv4.ip_forward=1 --workdir=/w/x \
		--exec-fifo="$SCRATCH/exec.fifo" --cmd-fd=3 "$SCRATCH/root" 3<"$SCRATCH/cmd"
	[ "$v_status" -eq 0 ]
	run not_seen pivotroot config
	assert_output ""
	grep -q '^pivotroot: read(3, "sh\\0-c\\0exit 0\\0", 4096) = 13$' "$SCRATCH/config.v"
}

@test "-v: every call it prints is one strace -f sees: rootless, with the host's device nodes and /sys bound" {
	command -v strace >/dev/null || skip "no strace"
	tools_for_nobody
	chmod -R a+rX "$SCRATCH/root"
	strace_v rootless setpriv --reuid=65534 --regid=65534 --clear-groups \
		nsunshare -U -r -m -p -f -- pivotroot -v "$SCRATCH/root" true
	[ "$v_status" -eq 0 ]
	run not_seen pivotroot rootless
	assert_output ""
	grep -q '^pivotroot: mount("/dev/null", "/proc/self/fd/[0-9]*", NULL, MS_BIND, NULL) = 0$' "$SCRATCH/rootless.v"
}

@test "-v: every call it prints is one strace -f sees: --nodev on the root, a volume and a --mount" {
	command -v strace >/dev/null || skip "no strace"
	mkdir "$SCRATCH/data"
	strace_v nodev nsunshare -m -p -n -f -- pivotroot -v --nodev --volume="$SCRATCH/data:/data" \
		--mount=tmpfs:tmpfs:/run:mode=755 "$SCRATCH/root" true
	[ "$v_status" -eq 0 ]
	run not_seen pivotroot nodev
	assert_output ""
	grep -q '^pivotroot: mount_setattr([0-9]*, "", AT_EMPTY_PATH|AT_RECURSIVE, {attr_set=MOUNT_ATTR_NODEV, attr_clr=0, propagation=0 /\* MS_??? \*/, userns_fd=0}, 32) = 0$' "$SCRATCH/nodev.v"
	grep -q '^pivotroot: mount(NULL, "/proc/self/fd/[0-9]*", NULL, MS_NODEV|MS_REMOUNT|MS_BIND, NULL) = 0$' "$SCRATCH/nodev.v"
	grep -q '^pivotroot: mount("tmpfs", "/proc/self/fd/[0-9]*", "tmpfs", MS_NODEV, "mode=755") = 0$' "$SCRATCH/nodev.v"
}

@test "in a pid namespace with others in it (a pod's), nsunshare and pivotroot run from a read-only view of their files, which the pod cannot write (CVE-2019-5736)" {
	local pod init p g
	g=$(attack_programs)
	# the pod: a pid namespace whose pid 1 sleeps
	nsunshare -p -f --kill-child sleep 1000 3>&- &
	pod=$!
	CONTAINERS+=("$pod")
	wait_until pgrep -P "$pod"
	init=$(pgrep -P "$pod")
	# a container joins its pid namespace: -v shows each tool's view
	run nsenter-lite -t "$init" -p -- nsunshare -v -m -f pivotroot -v "$SCRATCH/root" true
	assert_success
	assert_line 'nsunshare: open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) = 3'
	assert_line --regexp '^pivotroot: mount_setattr\(3, "", AT_EMPTY_PATH, \{attr_set=MOUNT_ATTR_RDONLY,'
	assert_line --regexp '^pivotroot: execveat\(3, "", \["pivotroot", "-v", '
	# and while pivotroot waits on its exec fifo, what the pod sees of
	# it cannot be written
	mkfifo "$SCRATCH/exec.fifo"
	nsenter-lite -t "$init" -p -- nsunshare -m -f pivotroot --exec-fifo="$SCRATCH/exec.fifo" "$SCRATCH/root" true 3>&- &
	CONTAINERS+=("$!")
	waiting() {
		local q
		for q in $(pgrep -f -- "--exec-fifo=$SCRATCH/exec.fifo"); do
			[ "$(cat "/proc/$q/comm")" != pivotroot ] || { p=$q && return 0; }
		done
		return 1
	}
	wait_until waiting
	run "$g/grabexe" "$p" 1
	assert_line --index 0 "caught $p"
	assert_line --index 1 "mount: read-only"
	cat "$SCRATCH/exec.fifo" >/dev/null
}
