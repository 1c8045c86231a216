#!/usr/bin/env bats
# ovlmount: the image read-only, the container's changes in a layer of
# their own (E20).

load helpers

setup() {
	make_scratch
	cd "$SCRATCH"
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
	[ -e merged/bin/vi ] && [ ! -e merged/etc/motd ]
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
	[[ $stderr == *"ovlmount: mount(\"overlay\", \"$SCRATCH/merged\", \"overlay\", 0, \"lowerdir=$SCRATCH/image,upperdir=$SCRATCH/upper,workdir=$SCRATCH/work\") = 0"* ]]
	ovlmount -u merged
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
	[ ! -e upper ] && [ ! -e work ] && [ ! -e merged ]
	# the kernel refuses WORK inside UPPER: the three directories made
	# for the mount go again
	run --separate-stderr ovlmount image upper upper/work merged
	assert_failure 1
	[ "$stderr" = "ovlmount: cannot mount the overlay on $SCRATCH/merged: Invalid argument (UPPER and WORK must be on the same filesystem, and none inside another; see dmesg)" ]
	[ ! -e upper ] && [ ! -e merged ]
}

@test "--commit refuses to write a tar to a terminal" {
	mkdir upper
	run script -qec "ovlmount --commit upper" /dev/null
	assert_failure 2
	assert_output --partial "the layer is a tar on stdout: redirect it"
}
