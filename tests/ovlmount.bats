#!/usr/bin/env bats
# ovlmount: the image read-only, the container's changes in a layer of
# their own (E20).

# bats' run sets stderr:
# shellcheck disable=SC2154
load helpers

setup() {
	make_scratch
	cd "$SCRATCH" || return
}

teardown() {
	cd /
	cleanup_scratch
}

# Makes the changes of the lesson: one file added, one rewritten, one
# deleted, a directory deleted and made anew, a new directory tree.
change_things() {
	echo hello >merged/etc/motd
	echo extra >>merged/etc/passwd
	rm merged/bin/vi
	rm -r merged/var && mkdir merged/var && touch merged/var/fresh
	mkdir -p merged/opt/app
}

@test "writes go to UPPER; the image stays as it was" {
	need_root
	busybox_rootfs image
	before=$(tree_listing image; find image -type f -exec md5sum {} + | sort)
	ovlmount image upper work merged
	change_things
	after=$(tree_listing image; find image -type f -exec md5sum {} + | sort)
	[ "$before" = "$after" ]
	assert_equal "$(cat upper/etc/motd)" hello
	assert_equal "$(tail -n 1 upper/etc/passwd)" extra
	assert_equal "$(grep -c extra image/etc/passwd)" 0
	ovlmount -u merged
}

@test "a deleted file leaves a 0:0 character device in UPPER; a remade directory is opaque" {
	need_root
	busybox_rootfs image
	ovlmount image upper work merged
	change_things
	assert_equal "$(stat -c '%F %t:%T' upper/bin/vi)" "character special file 0:0"
	assert_equal "$(getfattr --only-values -n trusted.overlay.opaque upper/var)" y
	[ ! -e merged/bin/vi ]
	[ -e image/bin/vi ]
	ovlmount -u merged
}

@test "--diff prints what docker diff prints, with LOWER or from the mount" {
	need_root
	busybox_rootfs image
	ovlmount image upper work merged
	change_things
	want=$(printf '%s\n' "C /bin" "D /bin/vi" "C /etc" "A /etc/motd" "C /etc/passwd" "A /opt" \
		"A /opt/app" "C /var" "A /var/fresh" "D /var/tmp")
	run ovlmount --diff upper
	assert_success
	assert_output "$want"
	ovlmount -u merged
	run ovlmount --diff upper image
	assert_output "$want"
	run --separate-stderr ovlmount --diff upper
	assert_failure 2
	[ "$stderr" = "ovlmount: give LOWER: upper is not the upper directory of a mounted overlay (see ovlmount --help)" ]
}

@test "--commit, then mkrootfs --layer on a copy of the image, gives the merged tree" {
	need_root
	busybox_rootfs image
	ovlmount image upper work merged
	change_things
	ln merged/etc/motd merged/etc/motd2
	ovlmount --commit upper >layer.tar
	run tar tf layer.tar
	assert_line bin/.wh.vi
	assert_line var/.wh..wh..opq
	refute_line --partial trusted.overlay
	cp -a image copy
	mkrootfs --layer copy <layer.tar
	run diff -r --no-dereference merged copy
	assert_success
	assert_equal "$(stat -c %h copy/etc/motd)" 2
	ovlmount -u merged
}

@test "discarding UPPER discards the container's changes" {
	need_root
	busybox_rootfs image
	ovlmount image upper work merged
	change_things
	ovlmount -u merged
	rm -rf upper work
	ovlmount image upper work merged
	[ -e merged/bin/vi ]
	[ ! -e merged/etc/motd ]
	ovlmount -u merged
}

@test "several lower directories: the leftmost is on top" {
	need_root
	mkdir top bottom
	echo top >top/f && echo bottom >bottom/f && echo only >bottom/g
	ovlmount top:bottom upper work merged
	assert_equal "$(cat merged/f) $(cat merged/g)" "top only"
	ovlmount -u merged
}

@test "-u: an unmounted MERGED is fine, a non-overlay mount is refused" {
	need_root
	busybox_rootfs image
	ovlmount image upper work merged
	run ovlmount -v -u merged
	assert_success
	run ovlmount -u merged
	assert_success
	run ovlmount -u "$SCRATCH/never-made"
	assert_success
	mkdir tmp && mount -t tmpfs ctrkit-test tmp
	run --separate-stderr ovlmount -u tmp
	assert_failure 1
	[ "$stderr" = "ovlmount: $SCRATCH/tmp is a tmpfs mount, not an overlay" ]
	umount tmp
}

@test "rootless: an unprivileged user mounts an overlay in a user namespace" {
	tools_for_nobody
	chmod 777 "$SCRATCH"
	as_nobody mkrootfs --busybox image >/dev/null
	run as_nobody nsunshare -U -r -m sh -c 'ovlmount image upper work merged && rm merged/bin/vi && echo x > merged/new && ovlmount --diff upper'
	assert_success
	assert_output $'C /bin\nD /bin/vi\nA /new'
	assert_equal "$(stat -c '%F %t:%T' upper/bin/vi)" "character special file 0:0"
}

@test "-v shows the mount call with its options" {
	need_root
	mkdir image
	run --separate-stderr ovlmount -v image upper work merged
	assert_success
	# the call as strace shows it, its options cut at 32 bytes, and
	# before it a note with the options whole
	options="lowerdir=$SCRATCH/image,upperdir=$SCRATCH/upper,workdir=$SCRATCH/work"
	[[ $stderr == *"ovlmount: overlay options in full: $options"* ]]
	[[ $stderr == *"ovlmount: mount(\"overlay\", \"$SCRATCH/merged\", \"overlay\", 0, \"${options:0:32}\"...) = 0"* ]]
	ovlmount -u merged
}

# -v lines that name no call: the mount's options whole (strace cuts
# them at 32 bytes, as the mount's own line does), where --diff found LOWER, and what
# --commit writes for a whiteout and for an opaque directory.
ovlmount_notes=('^overlay options in full: ' '^lowerdir=.*, from the overlay mounted on this upper$'
	'^whiteout [^ ]+ -> [^ ]+$' '^opaque [^ ]+ -> [^ ]+$')

@test "-v: every call it prints is one strace -f sees, in a mount, --diff, --commit and -u" {
	command -v strace >/dev/null || skip "no strace"
	need_root
	busybox_rootfs image
	strace_v mount ovlmount -v image upper work merged
	[ "$v_status" -eq 0 ]
	change_things
	strace_v diff ovlmount -v --diff upper
	[ "$v_status" -eq 0 ]
	strace_v commit ovlmount -v --commit upper
	[ "$v_status" -eq 0 ]
	strace_v unmount ovlmount -v -u merged
	[ "$v_status" -eq 0 ]
	for name in mount diff commit unmount; do
		run not_seen ovlmount "$name" "${ovlmount_notes[@]}"
		assert_output ""
	done
}

@test "bad input: one line each, and no directory made for a refused mount" {
	need_root
	mkdir image "a,b"
	expect_errors ovlmount \
		"1|missing upper work merged|missing: No such file or directory" \
		"1|a,b upper work merged|$SCRATCH/a,b: overlay options cannot hold a path with ',' or ':'" \
		"2|image upper work|give LOWER[:LOWER...] UPPER WORK MERGED (see ovlmount --help)" \
		"2|-u|give the merged directory to unmount (see ovlmount --help)" \
		"2|--diff|give UPPER, and LOWER if UPPER is not mounted (see ovlmount --help)" \
		"1|--diff image missing|lower directory missing: No such file or directory" \
		"2|--diff --commit image|-u, --diff and --commit exclude each other (see ovlmount --help)"
	[ ! -e upper ]
	[ ! -e work ]
	[ ! -e merged ]
	# the kernel refuses WORK inside UPPER: the three directories made
	# for the mount go again
	run --separate-stderr ovlmount image upper upper/work merged
	assert_failure 1
	[ "$stderr" = "ovlmount: cannot mount the overlay on $SCRATCH/merged: Invalid argument (UPPER and WORK must be on the same filesystem, and none inside another; see dmesg)" ]
	[ ! -e upper ]
	[ ! -e merged ]
}

@test "--commit refuses to write a tar to a terminal" {
	mkdir upper
	run script -qec "ovlmount --commit upper" /dev/null
	assert_failure 2
	assert_output --partial "the layer is a tar on stdout: redirect it"
}

# ---- at once, and stopped half way: in a mount namespace of their own ----

# in_mount_ns FUNCTION: runs one of the functions below in a private
# mount namespace, so that what it mounts never reaches the host.
in_mount_ns() {
	unshare -m --propagation private bash -c "$1"
}

mounts_on_merged() {
	grep -c " $PWD/merged " /proc/self/mountinfo
}

# Two -u at once: strace holds the first just before its umount2, until
# the second is done.
two_unmounts() {
	ovlmount image upper work merged
	strace -qq -o held.log -e trace=umount2 -e inject=umount2:delay_enter=1000000 \
		ovlmount -u merged 2>first.err &
	wait_until grep -qs umount2 held.log
	ovlmount -u merged
	echo "second: $?"
	wait "$!"
	echo "first: $? $(cat first.err)"
	echo "mounts on merged: $(mounts_on_merged)"
}

# Eight -u at once, five times over.
eight_unmounts() {
	for round in 1 2 3 4 5; do
		ovlmount image upper work merged
		for _ in $(seq 8); do
			ovlmount -u merged &
		done
		for job in $(jobs -p); do
			wait "$job" || echo "round $round: an ovlmount -u failed"
		done
		echo "round $round: $(mounts_on_merged) mounts on merged"
	done
}

# Eight mounts of one overlay at once, then another overlay on MERGED.
eight_mounts() {
	for _ in $(seq 8); do
		ovlmount image upper work merged &
	done
	for job in $(jobs -p); do
		wait "$job" || echo "an ovlmount failed"
	done
	echo "mounts on merged: $(mounts_on_merged)"
	mkdir other
	ovlmount other upper work merged
	echo "other: $? $(mounts_on_merged)"
}

# stop_mount SYSCALL STEP: SIGTERM to ovlmount while strace holds it
# just after the SYSCALL that STEP (a test command) sees done.
stop_mount() {
	rm -f pid
	# shellcheck disable=SC2016 # $$ and $@ are the inner sh's
	strace -qq -o /dev/null -e trace="$1" -e inject="$1:delay_exit=400000" \
		sh -c 'echo $$ >pid; exec "$@"' sh ovlmount image upper work merged 2>err &
	wait_until test -s pid
	wait_until eval "$2"
	kill -TERM "$(cat pid)"
	wait "$!"
	echo "status $?: $(cat err)"
	echo "left: $(for d in upper work merged; do [ ! -e "$d" ] || printf '%s ' "$d"; done)$(mounts_on_merged) mounts on merged"
}

stop_mounts() {
	stop_mount mkdir "test -d upper"
	stop_mount mkdir "test -d work"
	stop_mount mkdir "test -d merged"
	# shellcheck disable=SC2016 # for stop_mount's eval
	stop_mount mount '[ "$(mounts_on_merged)" -eq 1 ]'
}

# A MERGED with a space: mountinfo writes it as "my\040merged".
space_in_merged() {
	ovlmount image upper work "my merged"
	ovlmount image upper work "my merged"
	echo "mounted twice: $? $(grep -cF '/my\040merged ' /proc/self/mountinfo)"
	ovlmount -u "my merged"
	echo "unmounted: $? $(grep -cF '/my\040merged ' /proc/self/mountinfo)"
}

# Every directory of the overlay under a path with a space: mountinfo
# writes it as "\040", in the mount point and in the lowerdir and
# upperdir options, which --diff without LOWER reads.
space_in_paths() {
	mkdir "with space" && cd "with space" || return
	mkdir image && echo old >image/f && echo old >image/g
	ovlmount image upper work merged
	echo new >merged/f && rm merged/g
	ovlmount image upper work merged
	echo "mounted again: $? $(grep -cF '/with\040space/merged ' /proc/self/mountinfo)"
	ovlmount --diff upper
	echo "diff: $?"
	ovlmount --commit upper | tar tf -
	ovlmount -u merged
	echo "unmounted: $? $(grep -cF '/with\040space/merged ' /proc/self/mountinfo)"
}

export -f wait_until mounts_on_merged two_unmounts eight_unmounts eight_mounts stop_mount stop_mounts \
	space_in_merged space_in_paths

@test "two ovlmount -u of one overlay at once: both exit 0, and it is gone" {
	need_root
	mkdir image
	run in_mount_ns two_unmounts
	assert_output "$(printf '%s\n' "second: 0" "first: 0 " "mounts on merged: 0")"
}

@test "eight ovlmount -u of one overlay at once, five times: all exit 0, and it is gone each time" {
	need_root
	mkdir image
	run in_mount_ns eight_unmounts
	assert_output "$(for r in 1 2 3 4 5; do echo "round $r: 0 mounts on merged"; done)"
}

@test "eight ovlmounts of one overlay at once: one overlay on MERGED, all exit 0; another overlay there is refused" {
	need_root
	mkdir image
	run in_mount_ns eight_mounts
	assert_output "$(printf '%s\n' "mounts on merged: 1" \
		"ovlmount: cannot mount the overlay on $SCRATCH/merged: an overlay of other directories is mounted there already (ovlmount -u it, or give another MERGED)" \
		"other: 1 1")"
}

@test "SIGTERM after each mkdir, and during the mount: status 143, one line, no directory or mount left" {
	need_root
	mkdir image
	run in_mount_ns stop_mounts
	left=$(printf '%s\n' "status 143: ovlmount: stopped by SIGTERM: undoing what was done" "left: 0 mounts on merged")
	assert_output "$(printf '%s\n' "$left" "$left" "$left" "$left")"
}

@test "a MERGED with a space in its name: a second mount is done already, -u takes it off" {
	need_root
	mkdir image
	run in_mount_ns space_in_merged
	assert_output "$(printf '%s\n' "mounted twice: 0 1" "unmounted: 0 0")"
}

@test "directories with a space in their path: --diff finds LOWER from the mount, a second mount is done already, -u takes it off" {
	need_root
	run in_mount_ns space_in_paths
	assert_output "$(printf '%s\n' "mounted again: 0 1" "C /f" "D /g" "diff: 0" f .wh.g "unmounted: 0 0")"
}
