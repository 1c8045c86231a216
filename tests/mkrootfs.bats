#!/usr/bin/env bats
# mkrootfs: an image is just a filesystem (E18), unpacked safely.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

@test "--busybox: a rootfs with the binary, a link per applet, users, mount points" {
	run mkrootfs --busybox "$SCRATCH/root"
	assert_success
	assert_output ""
	[ -x "$SCRATCH/root/bin/busybox" ]
	[ "$(readlink "$SCRATCH/root/bin/sh")" = /bin/busybox ]
	[ "$(find "$SCRATCH/root" -type l | wc -l)" -eq "$(/bin/busybox --list-full | grep -vc '^bin/busybox$')" ]
	assert_equal "$(cut -d: -f1,3 "$SCRATCH/root/etc/passwd" | tr '\n' ' ')" "root:0 nobody:65534 "
	assert_equal "$(stat -c %a "$SCRATCH/root/tmp")" 1777
	for d in proc sys dev; do
		[ -d "$SCRATCH/root/$d" ]
		[ -z "$(ls -A "$SCRATCH/root/$d")" ]
	done
}

@test "--busybox: its shell runs as the container's root (E18)" {
	need_root
	busybox_rootfs "$SCRATCH/root"
	# shellcheck disable=SC2016 # expanded by the container's shell
	run nsunshare -m -p -f pivotroot "$SCRATCH/root" sh -c 'echo $((6 * 7)); cat /etc/passwd | wc -l'
	assert_success
	assert_output $'42\n2'
}

@test "--busybox copies the binary from another kind of filesystem (copy_file_range says EXDEV there)" {
	need_root
	mkdir "$SCRATCH/shm"
	mount -t tmpfs ctrkit-test "$SCRATCH/shm"
	cp /bin/busybox "$SCRATCH/shm/busybox"
	run --separate-stderr mkrootfs -v --busybox="$SCRATCH/shm/busybox" "$SCRATCH/root"
	umount "$SCRATCH/shm"
	assert_success
	if [ "$(stat -f -c %T "$SCRATCH")" != tmpfs ]; then
		[[ $stderr == *"mkrootfs: copy_file_range("*", NULL, "*", NULL, "*", 0) = -1 EXDEV (Invalid cross-device link)"* ]]
	fi
	cmp /bin/busybox "$SCRATCH/root/bin/busybox"
}

@test "--busybox works for an unprivileged user" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	run as_nobody mkrootfs --busybox "$SCRATCH/root"
	assert_success
	[ "$(stat -c %U "$SCRATCH/root/bin/busybox")" = nobody ]
}

@test "--busybox refuses a busybox that is not static, or not a program" {
	expect_errors mkrootfs \
		"1|--busybox=/bin/ls $SCRATCH/a|/bin/ls is dynamically linked: it needs libraries the rootfs lacks (apt-get install busybox-static)" \
		"1|--busybox=/etc/passwd $SCRATCH/b|--busybox: /etc/passwd: Permission denied" \
		"1|--busybox=$SCRATCH/none $SCRATCH/c|--busybox: $SCRATCH/none: No such file or directory"
	# and the directories it made for them are gone again
	[ ! -e "$SCRATCH/a" ]
	[ ! -e "$SCRATCH/b" ]
	[ ! -e "$SCRATCH/c" ]
}

@test "a docker-export tar unpacks to the same tree, plain, gzip, xz or zstd" {
	need_root
	busybox_rootfs "$SCRATCH/src"
	tar -C "$SCRATCH/src" -cf "$SCRATCH/image.tar" .
	want=$(tree_listing "$SCRATCH/src")
	for z in cat gzip xz zstd; do
		"$z" <"$SCRATCH/image.tar" >"$SCRATCH/image.$z"
		run mkrootfs "$SCRATCH/out-$z" <"$SCRATCH/image.$z"
		assert_success
		[ "$(tree_listing "$SCRATCH/out-$z")" = "$want" ] || { echo "$z differs"; return 1; }
	done
}

@test "as root: owners, modes, xattrs, device nodes and fifos are kept" {
	need_root
	src=$SCRATCH/src
	mkdir -p "$src/dev" "$src/bin"
	echo tool >"$src/bin/tool" && chown 1234:5678 "$src/bin/tool" && chmod 4755 "$src/bin/tool"
	setfattr -n user.ctrkit -v hello "$src/bin/tool"
	mknod "$src/dev/null" c 1 3 && mkfifo "$src/dev/pipe"
	tar --xattrs --xattrs-include='*' -C "$src" -cf "$SCRATCH/image.tar" .
	run mkrootfs "$SCRATCH/out" <"$SCRATCH/image.tar"
	assert_success
	assert_equal "$(stat -c '%u:%g %a' "$SCRATCH/out/bin/tool")" "1234:5678 4755"
	assert_equal "$(getfattr --only-values -n user.ctrkit "$SCRATCH/out/bin/tool")" hello
	assert_equal "$(stat -c '%F %t:%T' "$SCRATCH/out/dev/null")" "character special file 1:3"
	assert_equal "$(stat -c %F "$SCRATCH/out/dev/pipe")" fifo
}

@test "rootless: device nodes are skipped with a warning, the rest is unpacked" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	mktar dir:dev chr:dev/null:1:3 file:etc/hostname:box >"$SCRATCH/image.tar"
	run --separate-stderr as_nobody mkrootfs "$SCRATCH/out" <"$SCRATCH/image.tar"
	assert_success
	[ "$stderr" = "mkrootfs: skipped char device \"dev/null\": creating device nodes needs root" ]
	[ "$(cat "$SCRATCH/out/etc/hostname")" = box ]
	[ ! -e "$SCRATCH/out/dev/null" ]
}

@test "escapes are refused by name and write nothing outside DIR" {
	need_root
	mkdir "$SCRATCH/outside"
	echo original >"$SCRATCH/outside/target"
	mktar file:ok:1 file:../escaped:x >"$SCRATCH/dotdot.tar"
	mktar "file:$SCRATCH/outside/abs:x" >"$SCRATCH/abs.tar"
	mktar "sym:link:$SCRATCH/outside" "file:link/through:x" >"$SCRATCH/through.tar"
	mktar "hard:h:../outside/target" >"$SCRATCH/hard.tar"
	mktar "hard:h:$SCRATCH/outside/target" >"$SCRATCH/hardabs.tar"
	cases=(
		"dotdot|refused entry \"../escaped\": Path contains '..'"
		"abs|refused entry \"$SCRATCH/outside/abs\": Path is absolute"
		"through|refused entry \"link/through\": Cannot extract through symlink link/through"
		"hard|refused entry \"h\": Path contains '..'"
		"hardabs|refused entry \"h\": Path is absolute"
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r name want <<<"$c"
		mkdir -p "$SCRATCH/root-$name"
		run --separate-stderr mkrootfs "$SCRATCH/root-$name" <"$SCRATCH/$name.tar"
		[ "$status" -eq 1 ] || { echo "$name: status $status"; return 1; }
		[ "$stderr" = "mkrootfs: $want" ] || { echo "$name: $stderr"; return 1; }
	done
	[ ! -e "$SCRATCH/escaped" ]
	assert_equal "$(ls "$SCRATCH/outside")" target
	assert_equal "$(cat "$SCRATCH/outside/target")" original
	assert_equal "$(stat -c %h "$SCRATCH/outside/target")" 1
}

@test "a truncated archive: an error; a new DIR goes, an old DIR keeps its files whole" {
	head -c 300000 /dev/urandom >"$SCRATCH/big"
	mkdir "$SCRATCH/src" && cp "$SCRATCH/big" "$SCRATCH/src/big" && echo small >"$SCRATCH/src/a"
	tar -C "$SCRATCH/src" -cf - a big | head -c 200000 >"$SCRATCH/cut.tar"
	run --separate-stderr mkrootfs "$SCRATCH/out" <"$SCRATCH/cut.tar"
	assert_failure 1
	[ "$stderr" = 'mkrootfs: broken archive at "big": Truncated tar archive' ]
	# mkrootfs made out/, so it takes it away again, with the 'a' it unpacked
	[ ! -e "$SCRATCH/out" ]
	mkdir "$SCRATCH/out" && echo old >"$SCRATCH/out/big"
	run mkrootfs "$SCRATCH/out" <"$SCRATCH/cut.tar"
	assert_failure 1
	# an existing DIR: the whole entries before the break stay, the
	# half-written one does not, and the file it would replace is intact
	# shellcheck disable=SC2012 # the names are the test's own, plain
	assert_equal "$(ls -A "$SCRATCH/out" | tr '\n' ' ')" "a big "
	assert_equal "$(cat "$SCRATCH/out/a")" small
	assert_equal "$(cat "$SCRATCH/out/big")" old
}

@test "a corrupt gzip stream and an unknown format are errors; a new DIR goes again" {
	mkdir "$SCRATCH/src" && head -c 100000 /dev/urandom >"$SCRATCH/src/f"
	tar -C "$SCRATCH/src" -czf - f | head -c 40000 >"$SCRATCH/cut.tgz"
	head -c 4096 /dev/urandom >"$SCRATCH/noise"
	run --separate-stderr mkrootfs "$SCRATCH/a" <"$SCRATCH/cut.tgz"
	assert_failure 1
	[[ $stderr == "mkrootfs: "*": truncated gzip input" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ ! -e "$SCRATCH/a" ]
	run --separate-stderr mkrootfs "$SCRATCH/b" <"$SCRATCH/noise"
	assert_failure 1
	[ "$stderr" = "mkrootfs: cannot read stdin: Unrecognized archive format" ]
	[ ! -e "$SCRATCH/b" ]
}

@test "--layer: .wh.NAME deletes, .wh..wh..opq empties a directory but keeps the layer's own" {
	mktar dir:etc file:etc/a:1 file:etc/b:2 dir:opt dir:opt/old file:opt/old/x:3 file:opt/keep:4 >"$SCRATCH/l1.tar"
	mktar file:opt/new:5 file:etc/.wh.a file:opt/.wh..wh..opq file:opt/later:6 >"$SCRATCH/l2.tar"
	mkrootfs "$SCRATCH/root" <"$SCRATCH/l1.tar"
	run mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l2.tar"
	assert_success
	run bash -c "cd $SCRATCH/root && find . | sort"
	assert_output "$(printf '%s\n' . ./etc ./etc/b ./opt ./opt/later ./opt/new)"
}

@test "--layer: a whiteout cannot reach outside, through '..' or a symlink" {
	mkdir "$SCRATCH/outside" && echo keep >"$SCRATCH/outside/victim"
	mktar "sym:evil:$SCRATCH/outside" >"$SCRATCH/l1.tar"
	mkrootfs "$SCRATCH/root" <"$SCRATCH/l1.tar"
	mktar file:evil/.wh.victim >"$SCRATCH/l2.tar"
	run mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l2.tar"
	assert_success
	[ -e "$SCRATCH/outside/victim" ]
	mktar file:../outside/.wh.victim >"$SCRATCH/l3.tar"
	run --separate-stderr mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l3.tar"
	assert_failure 1
	[ "$stderr" = 'mkrootfs: refused whiteout "../outside/.wh.victim": path contains '"'..'" ]
	[ -e "$SCRATCH/outside/victim" ]
}

@test "--oci: the layers of a tagged image, in order, with their whiteouts" {
	mktar dir:etc file:etc/a:1 file:etc/b:2 >"$SCRATCH/l1.tar"
	mktar file:etc/.wh.a file:etc/c:3 | gzip >"$SCRATCH/l2.tar.gz"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l1.tar" >/dev/null
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v2 "$SCRATCH/l1.tar" "$SCRATCH/l2.tar.gz" >/dev/null
	run mkrootfs --oci="$SCRATCH/oci:v2" "$SCRATCH/root2"
	assert_success
	# shellcheck disable=SC2012 # the names are the test's own, plain
	assert_equal "$(ls "$SCRATCH/root2/etc" | tr '\n' ' ')" "b c "
	run mkrootfs --oci "$SCRATCH/oci:v1" "$SCRATCH/root1"
	assert_success
	# shellcheck disable=SC2012 # the names are the test's own, plain
	assert_equal "$(ls "$SCRATCH/root1/etc" | tr '\n' ' ')" "a b "
	run --separate-stderr mkrootfs --oci "$SCRATCH/oci" "$SCRATCH/root3"
	assert_failure 1
	[ "$stderr" = "mkrootfs: $SCRATCH/oci: more than one image fits (name one: LAYOUT:TAG)" ]
}

@test "--oci: a digest or size mismatch is an error, and DIR is left as it was" {
	mktar dir:etc file:etc/a:1 >"$SCRATCH/l1.tar"
	mktar file:etc/b:2 >"$SCRATCH/l2.tar"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l1.tar" "$SCRATCH/l2.tar" >/dev/null
	blob=$SCRATCH/oci/blobs/sha256/$(sha256sum "$SCRATCH/l2.tar" | cut -d' ' -f1)
	digest=sha256:$(basename "$blob")
	printf 'X' | dd of="$blob" bs=1 seek=600 conv=notrunc status=none
	run --separate-stderr mkrootfs --oci "$SCRATCH/oci:v1" "$SCRATCH/root"
	assert_failure 1
	[[ $stderr == "mkrootfs: layer 2 of 2: digest mismatch: $digest has sha256:"* ]]
	[ ! -e "$SCRATCH/root" ]
	echo extra >>"$blob"
	run --separate-stderr mkrootfs --oci "$SCRATCH/oci:v1" "$SCRATCH/root"
	[ "$stderr" = "mkrootfs: layer 2 of 2: blob $digest has more than 10240 bytes, the descriptor says 10240" ]
}

@test "--oci: bad layouts and tags get one line each" {
	mkdir "$SCRATCH/empty"
	mktar file:a:1 >"$SCRATCH/l1.tar"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l1.tar" >/dev/null
	expect_errors mkrootfs \
		"1|--oci=$SCRATCH/empty $SCRATCH/r1|$SCRATCH/empty: oci-layout: No such file or directory (not an OCI image layout)" \
		"1|--oci=$SCRATCH/none $SCRATCH/r2|--oci: $SCRATCH/none: No such file or directory" \
		"1|--oci=$SCRATCH/oci:v9 $SCRATCH/r3|$SCRATCH/oci: no image tagged \"v9\" for *"
}

@test "bad usage: no DIR, two modes, the root itself, a DIR whose parent is missing" {
	expect_errors mkrootfs \
		"2||give one directory (see mkrootfs --help)" \
		"2|--layer --busybox $SCRATCH/x|--busybox, --layer and --oci exclude each other (see mkrootfs --help)" \
		"1|--busybox /|refusing to fill / (give the directory of a new root)" \
		"1|--busybox $SCRATCH/no/such|cannot make $SCRATCH/no/such: No such file or directory"
}

@test "a long unpack shows its progress when stderr is a terminal" {
	busybox_rootfs "$SCRATCH/src"
	tar -C "$SCRATCH/src" -cf "$SCRATCH/image.tar" .
	run script -qec "mkrootfs $SCRATCH/out < $SCRATCH/image.tar" /dev/null
	assert_success
	assert_output --regexp "mkrootfs: [0-9]+ entries, [0-9.]+ MB read"
	run --separate-stderr mkrootfs "$SCRATCH/out2" <"$SCRATCH/image.tar"
	[ -z "$stderr" ]
}

@test "on a terminal, an error ends the progress line first: the message is a line of its own" {
	echo surprise >"$SCRATCH/note"
	tar -C "$SCRATCH" -P --transform 's,^,../,' -cf "$SCRATCH/evil.tar" note
	run script -qec "mkrootfs $SCRATCH/evil < $SCRATCH/evil.tar" /dev/null
	assert_failure
	# the carriage return that begins the progress line dropped
	run sh -c 'printf "%s\n" "$1" | tr -d "\r"' sh "$output"
	assert_line --index 0 --regexp '^mkrootfs: [0-9]+ entries, [0-9.]+ MB read$'
	assert_line --index 1 "mkrootfs: refused entry \"../note\": Path contains '..'"
}

@test "-v names each entry and the calls mkrootfs makes itself" {
	mktar dir:etc file:etc/a:1 >"$SCRATCH/l1.tar"
	run --separate-stderr mkrootfs -v "$SCRATCH/root" <"$SCRATCH/l1.tar"
	assert_success
	[ "${stderr_lines[0]}" = "mkrootfs: mkdir(\"$SCRATCH/root\", 0755) = 0" ]
	[[ $stderr == *'mkrootfs: extract "etc/a" (file, 1 bytes, 0644, 0:0)'* ]]
	[[ $stderr == *'mkrootfs: renameat('[0-9]*', "etc/a.mkrootfs-partial", '[0-9]*', "etc/a") = 0'* ]]
}

# The notes of mkrootfs -v that name no call.
mkrootfs_notes=('^extract "' '^\.\.\. and [0-9]+ more symlinks, one per applet$' '^sha256 of sha256:[0-9a-f]{64} checked$')

@test "-v --busybox: each call it prints is one strace -f sees, O_NOFOLLOW and all" {
	command -v strace >/dev/null || skip "no strace"
	strace_v busybox mkrootfs -v --busybox "$SCRATCH/root"
	[ "$v_status" -eq 0 ]
	run not_seen mkrootfs busybox "${mkrootfs_notes[@]}"
	assert_output ""
	# O_EXCL|O_NOFOLLOW: a symlink left at etc/passwd is refused, not
	# followed to wherever it points.
	grep -E -x 'mkrootfs: openat\([0-9]+, "etc/passwd", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0644\) = [0-9]+' \
		"$SCRATCH/busybox.v"
	grep -E -x 'mkrootfs: fork\(\) = [0-9]+' "$SCRATCH/busybox.v"
	grep -E -x 'mkrootfs: fchmodat\([0-9]+, "tmp", 01777\) = 0' "$SCRATCH/busybox.v"
	[ "$(readlink "$SCRATCH/root/bin/sh")" = /bin/busybox ]
}

@test "-v unpacking a tar, a layer, an OCI image, and undoing a failed run: each call it prints is one strace -f sees" {
	command -v strace >/dev/null || skip "no strace"
	mktar dir:etc file:etc/a:1 file:etc/b:2 dir:opt dir:opt/old file:opt/old/x:3 dir:srv file:srv/x:4 >"$SCRATCH/l1.tar"
	# whiteouts, and a file where the layer below has a directory
	mktar file:etc/.wh.a file:opt/.wh..wh..opq file:opt/new:5 file:srv:6 >"$SCRATCH/l2.tar"
	strace_v tar mkrootfs -v "$SCRATCH/root" <"$SCRATCH/l1.tar"
	[ "$v_status" -eq 0 ]
	strace_v layer mkrootfs -v --layer "$SCRATCH/root" <"$SCRATCH/l2.tar"
	[ "$v_status" -eq 0 ]
	for name in tar layer; do
		run not_seen mkrootfs "$name" "${mkrootfs_notes[@]}"
		assert_output ""
	done
	run bash -c "cd $SCRATCH/root && find . | sort"
	assert_output "$(printf '%s\n' . ./etc ./etc/b ./opt ./opt/new ./srv)"
	grep -E -x 'mkrootfs: openat2\([0-9]+, "etc", \{flags=O_RDONLY\|O_CLOEXEC\|O_DIRECTORY, resolve=RESOLVE_NO_MAGICLINKS\|RESOLVE_IN_ROOT\}, 24\) = [0-9]+' \
		"$SCRATCH/layer.v"
	grep -E -x 'mkrootfs: renameat\(([0-9]+), "srv.mkrootfs-partial", \1, "srv"\) = -1 EISDIR \(Is a directory\)' "$SCRATCH/layer.v"
	gzip -c "$SCRATCH/l2.tar" >"$SCRATCH/l2.tar.gz"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l1.tar" "$SCRATCH/l2.tar.gz" >/dev/null
	strace_v oci mkrootfs -v --oci "$SCRATCH/oci:v1" "$SCRATCH/root2"
	[ "$v_status" -eq 0 ]
	grep -E -x 'mkrootfs: openat2\([0-9]+, "index.json", \{flags=O_RDONLY\|O_NONBLOCK\|O_NOFOLLOW\|O_CLOEXEC, resolve=RESOLVE_NO_MAGICLINKS\|RESOLVE_BENEATH\}, 24\) = [0-9]+' \
		"$SCRATCH/oci.v"
	run not_seen mkrootfs oci "${mkrootfs_notes[@]}"
	assert_output ""
	# Cut inside etc/a: the partial file and the new DIR go again.
	head -c 1500 "$SCRATCH/l1.tar" >"$SCRATCH/cut.tar"
	strace_v cut mkrootfs -v "$SCRATCH/cut" <"$SCRATCH/cut.tar"
	[ "$v_status" -eq 1 ]
	[ ! -e "$SCRATCH/cut" ]
	run not_seen mkrootfs cut "${mkrootfs_notes[@]}"
	# The one line that is no call: the error.
	assert_output --regexp '^broken archive at "etc/a": '
	[ "${#lines[@]}" -eq 1 ]
	grep -E -x 'mkrootfs: unlinkat\([0-9]+, "etc/a.mkrootfs-partial", 0\) = 0' "$SCRATCH/cut.v"
	grep -E -x 'mkrootfs: unlinkat\([0-9]+, "cut", AT_REMOVEDIR\) = 0' "$SCRATCH/cut.v"
}
