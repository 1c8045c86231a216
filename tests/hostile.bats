#!/usr/bin/env bats
# mkrootfs against hostile input: archives and OCI layouts made at test
# time to escape, crash, hang or fool it. Each one must end in exit 1,
# one line on stderr, and nothing changed outside the target.

load helpers
# bats' run sets stderr_lines:
# shellcheck disable=SC2154

setup() {
	make_scratch
	# A tree next to the target that no input may touch.
	mkdir -p "$SCRATCH/outside/dir"
	echo original >"$SCRATCH/outside/target"
	echo keep >"$SCRATCH/outside/dir/victim"
	OUTSIDE_BEFORE=$(outside_state)
}

teardown() {
	cleanup_scratch
}

# Types, modes, sizes and contents of the tree next to the target.
outside_state() {
	tree_listing "$SCRATCH/outside"
	(cd "$SCRATCH/outside" && find . -type f -exec sha256sum {} + | sort)
}

# refused "MESSAGE" [mkrootfs options...] < INPUT: mkrootfs fills a new
# $SCRATCH/root and must fail with status 1 and exactly "mkrootfs:
# MESSAGE" on one line; the root it
# made is gone and the tree outside is as it was. A * in MESSAGE
# matches anything. timeout turns a hang
# into a failure.
refused() {
	local want=$1
	shift
	run --separate-stderr timeout 20 mkrootfs "$@" "$SCRATCH/root"
	[ "$status" -eq 1 ] || { echo "status $status: $stderr"; return 1; }
	[ -z "$output" ] || { echo "printed: $output"; return 1; }
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "not one line: $stderr"; return 1; }
	if [[ $want == *'*'* ]]; then
		# shellcheck disable=SC2053 # $want is a pattern: * matches anything
		[[ $stderr == "mkrootfs: "$want ]] || { echo "got: $stderr"; return 1; }
	else
		[ "$stderr" = "mkrootfs: $want" ] || { echo "got: $stderr"; return 1; }
	fi
	[ ! -e "$SCRATCH/root" ] || { echo "root left behind"; return 1; }
	[ "$(outside_state)" = "$OUTSIDE_BEFORE" ] || { echo "outside changed"; return 1; }
}

# A lower layer in $SCRATCH/root, for --layer cases that need one.
lower_layer() {
	mktar "$@" >"$SCRATCH/lower.tar"
	mkrootfs "$SCRATCH/root" <"$SCRATCH/lower.tar"
}

@test "path traversal: .., absolute, through a symlink, a symlink chain, a hard link out" {
	out=$SCRATCH/outside
	mktar file:ok:1 file:a/../../outside/target:x | refused $'refused entry "a/../../outside/target": Path contains \'..\''
	mktar "file:$out/target:x" | refused "refused entry \"$out/target\": Path is absolute"
	mktar "sym:link:$out" file:link/target:x | refused 'refused entry "link/target": Cannot extract through symlink link/target'
	mktar sym:up:.. file:up/x:x | refused 'refused entry "up/x": Cannot extract through symlink up/x'
	mktar "sym:c:$out" sym:b:c sym:a:b file:a/target:x | refused 'refused entry "a/target": Cannot extract through symlink a/target'
	mktar hard:h:../outside/target | refused $'refused entry "h": Path contains \'..\''
	mktar "hard:h:$out/target" | refused 'refused entry "h": Path is absolute'
	mktar "sym:d:$out" chr:d/null:1:3 | refused 'refused entry "d/null": Cannot extract through symlink d/null'
	# the same entry twice: a symlink replaces a file, then a file goes through it
	mktar file:a:1 "sym:a:$out/dir" file:a/victim:x | refused 'refused entry "a/victim": Cannot extract through symlink a/victim'
}

@test "whiteouts: of .., of /, outside, over-long; through a symlink they stay inside" {
	long=$(printf 'd%.0s' $(seq 4200))
	for w in '.wh...' '.wh..' 'dir/.wh.'; do
		mktar "file:$w" | refused "refused whiteout \"$w\": no name to delete" --layer
	done
	mktar file:../outside/.wh.target | refused $'refused whiteout "../outside/.wh.target": path contains \'..\'' --layer
	mktar "file:$SCRATCH/outside/.wh.target" | refused "refused whiteout \"$SCRATCH/outside/.wh.target\": path is absolute" --layer
	mktar "file:$long/.wh.x" | refused 'refused entry "ddd*"...: name longer than 4078 bytes' --layer
	lower_layer "sym:evil:$SCRATCH/outside" sym:evil2:/ file:keep:1
	mktar file:evil/.wh.target file:evil2/.wh.outside file:evil/.wh..wh..opq >"$SCRATCH/l2.tar"
	run mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l2.tar"
	assert_success
	assert_equal "$(outside_state)" "$OUTSIDE_BEFORE"
}

@test "an opaque whiteout as a layer's first entry empties the directory, nothing more" {
	lower_layer dir:etc file:etc/a:1 file:top:2
	mktar file:etc/.wh..wh..opq file:etc/b:3 >"$SCRATCH/l2.tar"
	run mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l2.tar"
	assert_success
	assert_equal "$(cd "$SCRATCH/root" && find . | sort | tr '\n' ' ')" ". ./etc ./etc/b ./top "
	mktar file:.wh..wh..opq >"$SCRATCH/l3.tar"
	run mkrootfs --layer "$SCRATCH/root" <"$SCRATCH/l3.tar"
	assert_success
	assert_equal "$(ls -A "$SCRATCH/root")" ""
}

@test "huge names and names with newlines or escapes are refused on one line" {
	long=$(printf 'n%.0s' $(seq 5000))
	mktar "file:$long:x" | refused 'refused entry "nnn*"...: name longer than 4078 bytes'
	part=$(printf 'p%.0s' $(seq 300))
	mktar "file:$part:x" | refused "refused entry \"$part\": *"
	mktar "sym:l:$SCRATCH/outside" $'file:l/new\nline:x' | refused 'refused entry "l/new\nline": Cannot extract through symlink l/new\nline'
	mktar $'file:../\e[2J\r:x' | refused 'refused entry "../\33[2J\r": Path contains '"'..'"
	mktar file:x.mkrootfs-partial:x | refused 'refused entry "x.mkrootfs-partial": the suffix .mkrootfs-partial is mkrootfs'"'"'s own'
	# a newline in a name that is fine is just a name
	mktar $'file:two\nlines:x' >"$SCRATCH/ok.tar"
	run mkrootfs "$SCRATCH/ok" <"$SCRATCH/ok.tar"
	assert_success
	[ -f "$SCRATCH/ok/two"$'\n'"lines" ]
}

# A tar whose end marker comes well before the end of the stream (1 MB
# of zeros follows it), so a reader that stops at the marker never
# reaches the compressed stream's checksum.
padded_tar() {
	mktar file:etc/hostname:box
	head -c 1048576 /dev/zero
}

# flip FILE OFFSET: inverts the byte at OFFSET (negative: from the end).
flip() {
	local size at byte
	size=$(stat -c %s "$1")
	at=$2
	[ "$at" -ge 0 ] || at=$((size + at))
	byte=$(od -An -tu1 -j "$at" -N1 "$1" | tr -d ' ')
	printf '%b' "\\0$(printf %o $((byte ^ 255)))" | dd of="$1" bs=1 seek="$at" conv=notrunc status=none
}

@test "corrupt compressed streams: a bad checksum after the tar's end is caught, in each compression" {
	padded_tar >"$SCRATCH/padded.tar"
	gzip -c "$SCRATCH/padded.tar" >"$SCRATCH/crc.gz" && flip "$SCRATCH/crc.gz" -8
	gzip -c "$SCRATCH/padded.tar" >"$SCRATCH/len.gz" && flip "$SCRATCH/len.gz" -3
	xz -c "$SCRATCH/padded.tar" >"$SCRATCH/bad.xz" && flip "$SCRATCH/bad.xz" -40
	zstd -q -c "$SCRATCH/padded.tar" >"$SCRATCH/bad.zst" && flip "$SCRATCH/bad.zst" -2
	bzip2 -c "$SCRATCH/padded.tar" >"$SCRATCH/bad.bz2" && flip "$SCRATCH/bad.bz2" -3
	refused "corrupt gzip stream: the data has CRC-32 * and 1058816 bytes, its trailer says *" <"$SCRATCH/crc.gz"
	refused "corrupt gzip stream: *" <"$SCRATCH/len.gz"
	for z in xz zst bz2; do
		refused "broken archive after its end marker: *" <"$SCRATCH/bad.$z"
	done
	# the same with --layer, on a DIR that existed: its files stay
	mkdir "$SCRATCH/old" && echo old >"$SCRATCH/old/file"
	run --separate-stderr mkrootfs --layer "$SCRATCH/old" <"$SCRATCH/crc.gz"
	assert_failure 1
	[[ $stderr == "mkrootfs: corrupt gzip stream: "* ]]
	assert_equal "$(cat "$SCRATCH/old/file")" old
}

@test "truncated streams and trailing data: errors in each compression; zero padding after gzip is fine" {
	mkdir "$SCRATCH/src" && head -c 200000 /dev/urandom >"$SCRATCH/src/f"
	tar -C "$SCRATCH/src" -cf "$SCRATCH/t.tar" f
	for z in gzip xz zstd bzip2; do
		"$z" -c <"$SCRATCH/t.tar" >"$SCRATCH/t.$z"
		head -c "$(($(stat -c %s "$SCRATCH/t.$z") - 20))" "$SCRATCH/t.$z" >"$SCRATCH/cut.$z"
		refused "*" <"$SCRATCH/cut.$z"
		{ cat "$SCRATCH/t.$z" && echo garbage; } >"$SCRATCH/trail.$z"
		refused "*" <"$SCRATCH/trail.$z"
	done
	refused "data after the end of the gzip stream, at byte $(stat -c %s "$SCRATCH/t.gzip")" <"$SCRATCH/trail.gzip"
	{ cat "$SCRATCH/t.gzip" && head -c 4096 /dev/zero; } >"$SCRATCH/zeros.gz"
	run mkrootfs "$SCRATCH/ok" <"$SCRATCH/zeros.gz"
	assert_success
	cmp "$SCRATCH/src/f" "$SCRATCH/ok/f"
}

# ---- OCI layouts ----

# A good layout in $SCRATCH/oci (tag v1, two layers); MANIFEST is the
# path of its manifest blob.
good_layout() {
	mktar dir:etc file:etc/a:1 >"$SCRATCH/l1.tar"
	mktar file:etc/b:2 | gzip >"$SCRATCH/l2.tar.gz"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l1.tar" "$SCRATCH/l2.tar.gz" >/dev/null
	MANIFEST=$SCRATCH/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$SCRATCH/oci/index.json" | cut -d: -f2)
}

# with_manifest JQ: rewrites the manifest with the jq program JQ and
# points the index at the new blob (its new digest and size), so that
# only what JQ changed is wrong.
with_manifest() {
	local new hex
	new=$(jq -c "$1" "$MANIFEST")
	hex=$(printf %s "$new" | sha256sum | cut -d' ' -f1)
	printf %s "$new" >"$SCRATCH/oci/blobs/sha256/$hex"
	jq ".manifests[0].digest = \"sha256:$hex\" | .manifests[0].size = ${#new}" "$SCRATCH/oci/index.json" >"$SCRATCH/index.new"
	mv "$SCRATCH/index.new" "$SCRATCH/oci/index.json"
	MANIFEST=$SCRATCH/oci/blobs/sha256/$hex
}

# with_index JQ: rewrites index.json with JQ.
with_index() {
	jq "$1" "$SCRATCH/oci/index.json" >"$SCRATCH/index.new"
	mv "$SCRATCH/index.new" "$SCRATCH/oci/index.json"
}

@test "--oci: bad digests in a descriptor, one line each, before anything is read" {
	good_layout
	cp -a "$SCRATCH/oci" "$SCRATCH/good"
	o=$SCRATCH/oci
	cases=(
		'.digest = null|descriptor without a "digest" string'
		'del(.digest)|descriptor without a "digest" string'
		'.digest = 42|descriptor without a "digest" string'
		'.digest = "sha512:'"$(printf 'a%.0s' $(seq 128))"'"|digest "sha512:aaaa*: only sha256 digests are supported'
		'.digest |= ascii_upcase|malformed digest "SHA256:*'
		'.digest |= (.[0:7] + (.[7:] | ascii_upcase))|malformed digest "sha256:*" (sha256 wants 64 lowercase hex digits)'
		'.digest = "sha256:../../../outside/target"|malformed digest "sha256:../../../outside/target" (want sha256:<64 hex digits>)'
		'.digest = "sha256:"|malformed digest "sha256:" (want sha256:<64 hex digits>)'
	)
	for c in "${cases[@]}"; do
		rm -rf "$o" && cp -a "$SCRATCH/good" "$o"
		with_index ".manifests[0] |= (${c%|*})"
		refused "$o: ${c##*|}" --oci "$o" || { echo "case: $c"; return 1; }
	done
}

@test "--oci: sizes and media types are checked against the spec" {
	good_layout
	cp -a "$SCRATCH/oci" "$SCRATCH/good"
	o=$SCRATCH/oci
	cases=(
		'index|.manifests[0].size = 415.5|descriptor without an integer "size"'
		'index|.manifests[0].size = "415"|descriptor without an integer "size"'
		'index|del(.manifests[0].size)|descriptor without an integer "size"'
		'index|.manifests[0].size = -1|descriptor size -1 is out of range'
		'index|.manifests[0].size = 9223372036854775807|descriptor size * is out of range'
		'index|.manifests[0].mediaType = null|descriptor without a "mediaType" string'
		'index|.manifests[0].mediaType = "text/plain"|media type "text/plain" is not an image manifest or index'
		'index|.mediaType = "application/vnd.oci.image.manifest.v1+json"|index.json has mediaType *'
		'index|.schemaVersion = 1|index.json: schemaVersion is not 2'
		'manifest|.layers[1].mediaType = "application/octet-stream"|layer 2 of 2: media type "application/octet-stream" is not a layer *'
		'manifest|.layers[1].mediaType = "application/vnd.oci.image.layer.v1.tar+zstd"|layer 2 of 2: its media type says zstd, the blob is gzip'
		'manifest|.layers[0].mediaType = "application/vnd.oci.image.layer.v1.tar+gzip"|layer 1 of 2: its media type says gzip, the blob is plain tar'
		'manifest|.config.mediaType = "application/vnd.oci.empty.v1+json"|config media type * is not an image config *'
		'manifest|.mediaType = "application/vnd.oci.image.index.v1+json"|*says its mediaType is "application/vnd.oci.image.index.v1+json", its descriptor says *'
		'manifest|.layers = {}|manifest has no layers array'
		'manifest|.layers[0].size = 10239|layer 1 of 2: blob sha256:* has more than 10239 bytes, the descriptor says 10239'
		'manifest|.layers[0].size = 10241|layer 1 of 2: blob sha256:* has 10240 bytes, the descriptor says 10241'
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r doc prog want <<<"$c"
		rm -rf "$o" && cp -a "$SCRATCH/good" "$o"
		good_layout_paths
		"with_$doc" "$prog"
		[[ $want == layer* ]] || want="$o: $want"
		refused "$want" --oci "$o" || { echo "case: $c"; return 1; }
	done
}

# After cp -a, MANIFEST points into the copy it was found in.
good_layout_paths() {
	MANIFEST=$SCRATCH/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$SCRATCH/oci/index.json" | cut -d: -f2)
}

@test "--oci: bad JSON is one line, not a two-line 'continue'" {
	good_layout
	printf '{"schemaVersion": 2, "manifests": [' >"$SCRATCH/oci/index.json"
	refused "$SCRATCH/oci: index.json is not JSON: unexpected end of data" --oci "$SCRATCH/oci"
	printf '{"schemaVersion": 2} {}' >"$SCRATCH/oci/index.json"
	refused "$SCRATCH/oci: index.json is not JSON: more after the document, at byte 21" --oci "$SCRATCH/oci"
	printf '[1, 2]' >"$SCRATCH/oci/index.json"
	refused "$SCRATCH/oci: index.json is not a JSON object" --oci "$SCRATCH/oci"
}

@test "--oci: a FIFO or a symlink to a device as index.json or a blob fails at once, no hang" {
	good_layout
	o=$SCRATCH/oci
	blob=$(jq -r '.layers[0].digest' "$MANIFEST" | cut -d: -f2)
	mv "$o/index.json" "$SCRATCH/index.json"
	mkfifo "$o/index.json"
	refused "$o: index.json is not a regular file" --oci "$o"
	rm "$o/index.json" && ln -s /dev/zero "$o/index.json"
	refused "$o: index.json: Too many levels of symbolic links (a symbolic link is refused)" --oci "$o"
	rm "$o/index.json" && mv "$SCRATCH/index.json" "$o/index.json"
	mv "$o/blobs/sha256/$blob" "$SCRATCH/blob"
	mkfifo "$o/blobs/sha256/$blob"
	refused "layer 1 of 2: blobs/sha256/$blob is not a regular file" --oci "$o"
	rm "$o/blobs/sha256/$blob" && ln -s /dev/urandom "$o/blobs/sha256/$blob"
	refused "layer 1 of 2: blobs/sha256/$blob: Too many levels of symbolic links (a symbolic link is refused)" --oci "$o"
}

@test "--oci: blobs that lead out of the layout are refused" {
	good_layout
	o=$SCRATCH/oci
	mv "$o/blobs" "$SCRATCH/outside/blobs"
	OUTSIDE_BEFORE=$(outside_state)
	ln -s "$SCRATCH/outside/blobs" "$o/blobs"
	refused "$o: blobs/sha256/*: Invalid cross-device link (it leads out of the layout)" --oci "$o"
	rm "$o/blobs" && ln -s ../outside/blobs "$o/blobs"
	refused "$o: blobs/sha256/*: Invalid cross-device link (it leads out of the layout)" --oci "$o"
}

@test "--oci: 1,100 layers unpack one at a time, within the open-file limit" {
	mktar file:same:1 >"$SCRATCH/l.tar"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/l.tar" >/dev/null
	good_layout_paths
	# shellcheck disable=SC2016 # $i is jq's
	with_manifest '.layers = [range(1100) as $i | .layers[0]]'
	run --separate-stderr bash -c "ulimit -n 256 && exec timeout 120 mkrootfs --oci $SCRATCH/oci $SCRATCH/root"
	assert_success
	assert_equal "$(cat "$SCRATCH/root/same")" 1
	# and when the last one is bad, the root goes again
	with_manifest '.layers[1099].size = 1'
	rm -rf "$SCRATCH/root"
	refused "layer 1100 of 1100: blob sha256:* has more than 1 bytes, the descriptor says 1" --oci "$SCRATCH/oci"
}

# ---- signals ----

# A tar big enough that unpacking it takes a while: 300 files of 200 KB.
big_tar() {
	mkdir -p "$SCRATCH/big"
	head -c 204800 /dev/urandom >"$SCRATCH/big/seed"
	for i in $(seq 300); do
		cp "$SCRATCH/big/seed" "$SCRATCH/big/f$i"
	done
	tar -C "$SCRATCH/big" -cf "$SCRATCH/big.tar" .
}

# big.tar on stdout, its first half at once and the rest 3 s later: a
# signal sent in the first 3 s lands while mkrootfs is half way, however
# fast the machine unpacks.
stalled_tar() {
	head -c 31457280 "$SCRATCH/big.tar"
	sleep 3
	tail -c +31457281 "$SCRATCH/big.tar"
}

@test "SIGTERM at any point: a DIR it made goes, a DIR that existed keeps its files and has no partial file" {
	big_tar
	for after in 0.05 0.2 0.5; do
		rm -rf "$SCRATCH/new"
		run --separate-stderr timeout --preserve-status -s TERM "$after" mkrootfs "$SCRATCH/new" < <(stalled_tar)
		assert_equal "$status" 143
		# (empty when the signal came before mkrootfs caught it)
		[ -z "$stderr" ] || [ "$stderr" = "mkrootfs: stopped by SIGTERM: undoing what was done" ] ||
			[[ $stderr == "mkrootfs: "*": Interrupted system call" ]] || fail "$after: $stderr"
		[ ! -e "$SCRATCH/new" ] || fail "$after: $SCRATCH/new left behind"

		rm -rf "$SCRATCH/old" && mkdir "$SCRATCH/old" && echo mine >"$SCRATCH/old/mine"
		run --separate-stderr timeout --preserve-status -s TERM "$after" mkrootfs "$SCRATCH/old" < <(stalled_tar)
		assert_equal "$status" 143
		assert_equal "$(cat "$SCRATCH/old/mine")" mine
		assert_equal "$(find "$SCRATCH/old" -name '*.mkrootfs-partial' | wc -l)" 0
		# whatever file it did unpack is whole
		for f in "$SCRATCH"/old/f*; do
			[ ! -e "$f" ] || cmp -s "$f" "$SCRATCH/big/seed" || fail "$f is not whole"
		done
	done
}

@test "SIGINT and SIGHUP undo too; a partial file SIGKILL left is removed by the next run" {
	big_tar
	for sig in INT HUP; do
		rm -rf "$SCRATCH/new"
		run timeout --preserve-status -s "$sig" 0.5 mkrootfs "$SCRATCH/new" < <(stalled_tar)
		[ "$status" -eq $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: status $status"
		[ ! -e "$SCRATCH/new" ] || fail "SIG$sig left $SCRATCH/new"
	done
	mkdir "$SCRATCH/old"
	run timeout -s KILL 0.5 mkrootfs "$SCRATCH/old" < <(stalled_tar)
	assert_equal "$status" 137
	# what SIGKILL may leave: at most one file being written
	[ "$(find "$SCRATCH/old" -name '*.mkrootfs-partial' | wc -l)" -le 1 ]
	echo half >"$SCRATCH/old/f1.mkrootfs-partial"
	mktar file:etc/hostname:box >"$SCRATCH/small.tar"
	run mkrootfs "$SCRATCH/old" <"$SCRATCH/small.tar"
	assert_success
	assert_equal "$(find "$SCRATCH/old" -name '*.mkrootfs-partial' | wc -l)" 0
}
