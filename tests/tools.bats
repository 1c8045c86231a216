#!/usr/bin/env bats
# What every tool does the same way: help, version, usage errors, man page.

load helpers

teardown() {
	[ -z "${SCRATCH:-}" ] || cleanup_scratch
}

tools() {
	local c
	for c in "$TOP"/tools/*.c; do basename "$c" .c; done
}

@test "every tool prints its help on stdout and exits 0" {
	for tool in $(tools); do
		run --separate-stderr "$tool" --help
		assert_success
		assert_line --index 0 --regexp "^Usage: $tool "
		[ -z "$stderr" ]
		run "$tool" -h
		assert_success
	done
}

@test "every tool prints its name and version" {
	for tool in $(tools); do
		run "$tool" --version
		assert_success
		assert_output --regexp "^$tool \(ctrkit\) [0-9]+\.[0-9]+\.[0-9]+$"
	done
}

@test "every tool refuses an unknown option with one line on stderr and status 2" {
	for tool in $(tools); do
		run --separate-stderr "$tool" --no-such-option
		assert_failure 2
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "$tool: option '--no-such-option' is unknown (see $tool --help)" ]]
		run --separate-stderr "$tool" -Y
		assert_failure 2
		[[ $stderr == "$tool: option '-Y' is unknown (see $tool --help)" ]]
	done
}

@test "every tool has a man page beside it that renders without warnings" {
	for tool in $(tools) minictr; do
		page=$TOP/tools/$tool.1
		[ "$tool" != minictr ] || page=$TOP/scripts/minictr.1
		[ -f "$page" ]
		run groff -man -ww -z "$page"
		assert_success
		assert_output ""
		run env MANWIDTH=80 man -l "$page"
		assert_success
		assert_line --regexp "^ +$tool +- "
	done
}

@test "every option in a tool's help is described in its man page" {
	for tool in $(tools); do
		page=$(env MANWIDTH=200 man -l "$TOP/tools/$tool.1" 2>/dev/null)
		for opt in $("$tool" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			if ! grep -q -- "$opt" <<<"$page"; then
				echo "$tool: $opt is in --help but not in the man page"
				return 1
			fi
		done
	done
}

@test "every option in minictr's help and every command it knows are described in its man page" {
	page=$(env MANWIDTH=200 man -l "$TOP/scripts/minictr.1" 2>/dev/null)
	for opt in $("$TOP/scripts/minictr" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		if ! grep -q -- "$opt" <<<"$page"; then
			echo "minictr: $opt is in --help but not in the man page"
			return 1
		fi
	done
	# the commands of its dispatch, each the head of an entry in COMMANDS
	# shellcheck disable=SC2016 # sed's pattern: the script's own $cmd
	commands=$(sed -n '/^case \$cmd in$/,/^esac$/s/^\([a-z| ]*\)).*/\1/p' "$TOP/scripts/minictr" | tr '|' ' ')
	[ "$(wc -w <<<"$commands")" -ge 15 ]
	for cmd in $commands; do
		if ! grep -q -E "^ +$cmd( |$)" <<<"$page"; then
			echo "minictr: the command $cmd has no entry in the man page"
			return 1
		fi
	done
}

@test "make install puts every tool and man page under DESTDIR, and minictr, which finds the tools beside it" {
	make_scratch
	dest=$SCRATCH/dest
	# the tools under test (OUT): not a build of bin/ of its own
	run make -C "$TOP" -s install DESTDIR="$dest" PREFIX=/usr OUT="$CTRKIT_BIN"
	assert_success
	for tool in $(tools); do
		[ -x "$dest/usr/bin/$tool" ]
		[ -f "$dest/usr/share/man/man1/$tool.1" ]
	done
	[ -x "$dest/usr/bin/minictr" ]
	[ -f "$dest/usr/bin/minictr-learner" ]
	[ -x "$dest/usr/bin/minictr-config" ]
	[ -f "$dest/usr/share/man/man1/minictr.1" ]
	run env -u CTRKIT_BIN "$dest/usr/bin/minictr" --version
	assert_success
	assert_line --index 0 --regexp '^minictr version [0-9]+\.[0-9]+'
	run env -u CTRKIT_BIN "$dest/usr/bin/minictr" --help
	assert_success
	assert_line --index 0 --partial 'Usage: minictr '
	need_root
	mkdir "$SCRATCH/bundle"
	run env -u CTRKIT_BIN "$dest/usr/bin/minictr" spec --bundle "$SCRATCH/bundle"
	assert_success
	run jq -r '.process.args[0]' "$SCRATCH/bundle/config.json"
	assert_output sh
	# minictr's reader of config.json is installed beside it
	run "$dest/usr/bin/minictr-config" "$SCRATCH/bundle/config.json"
	assert_success
	assert_line "args=('sh')"
	# A command that runs a tool: the one beside minictr, not bin/.
	run env -u CTRKIT_BIN MINICTR_HOME="$SCRATCH/home" MINICTR_ROOT="$SCRATCH/run" \
		"$dest/usr/bin/minictr" --trace import bb --busybox
	assert_success
	assert_line --regexp "^\+ $dest/usr/bin/mkrootfs --busybox $SCRATCH/home/images/"
	assert_line bb
	[ -x "$SCRATCH/home/images/bb/rootfs/bin/busybox" ]
}

@test "a -v line or an error line reaches stderr in one write(2), so a forked child's line cannot cut it" {
	need_root
	make_scratch
	strace -f -qq -s 200 -e trace=write -e signal=none -o "$SCRATCH/w" \
		nsunshare -v -p -f --init sh -c 'exit 3' 2>/dev/null || true
	strace -f -qq -s 200 -e trace=write -e signal=none -o "$SCRATCH/w2" ctrstop 1 2>/dev/null || true
	run grep -c 'write(2, ' "$SCRATCH/w"
	[ "$output" -ge 5 ]
	# Every write to fd 2 is a whole line: the tool's name, the text, the newline.
	run grep 'write(2, ' "$SCRATCH/w" "$SCRATCH/w2"
	refute_line --regexp 'write\(2, "(nsunshare|ctrstop): ", '
	run grep -v -E 'write\(2, "(nsunshare|ctrstop): [^"]*(\\"[^"]*)*\\n", [0-9]+\) = [0-9]+$' <(grep -h 'write(2, ' "$SCRATCH/w" "$SCRATCH/w2")
	assert_output ""
}

@test "gcc and clang both build every tool with -Wall -Wextra -Werror" {
	for cc in gcc clang; do
		out=$(mktemp -d /tmp/ctrkit-test.XXXXXX)
		run make -C "$TOP" -s OUT="$out" CC="$cc"
		rm -rf "$out"
		[ "$status" -eq 0 ] || { echo "$cc: $output"; return 1; }
		assert_output ""
	done
}

@test "make demo's tour: E1, E2, E3, a detached container entered and stopped, a busybox container by hand in a 100M group, then minictr; it cleans up" {
	need_root
	run "$TOP/scripts/demo" </dev/null
	assert_success
	assert_line "pid:1"
	assert_line --regexp '^ +1 \? +R +0:00 ps ax$'
	assert_line --regexp '^pid_for_children +differ '
	assert_line --regexp '^1 +[0-9]+ +1$'
	assert_line '$ mkrootfs --busybox image'
	assert_line '$ ovlmount image upper work merged'
	assert_line ctrkit
	assert_line '    1 sh'
	assert_line 'A /root/hello'
	assert_line --partial 'write(3, "104857600", 9) = 9'
	assert_line '(killed by SIGKILL: status 137)'
	assert_line --regexp '^memory.oom_kills +1$'
	# the end: the same container from minictr, each tool on a trace line
	# (not with the sanitizer build's dynamic capdrop: the demo says so)
	if ldd "$CTRKIT_BIN/capdrop" >/dev/null 2>&1; then
		assert_line "(skipped: this build's capdrop is linked dynamically, as make san builds it)"
	else
		assert_line "hello from demo, pid 1"
		assert_line --regexp '^\+ .*/cgset exec -c ctrkit-demo-[0-9]+-mc/demo memory=104857600 -- .*/nsunshare .* -- .*/pivotroot .* -- /\.ctrkit/capdrop .* -- /\.ctrkit/sysfilter --profile=docker -- sh -c '
	fi
	# The detached container was stopped by SIGTERM alone (its init
	# passed it on), and is gone.
	assert_line --regexp '^ctrstop: poll\(\[\{fd=[0-9]+, events=POLLIN\}\], 1, 10000\) = 1 '
	refute_line --regexp '^ctrstop: pidfd_send_signal\([0-9]+, SIGKILL'
	ctr=$(printf '%s\n' "${lines[@]}" | sed -n 's/^0 \+[0-9]\+ \+\([0-9]\+\)$/\1/p')
	[ -n "$ctr" ]
	ended "$ctr"
	run find /sys/fs/cgroup -maxdepth 2 -name 'ctrkit-demo-*'
	assert_output ""
	run bash -c 'ls -d /tmp/ctrkit-demo.* 2>/dev/null; grep ctrkit-demo /proc/self/mountinfo'
	assert_output ""
}

@test "scripts/vm: the lane's files exist; a missing file is refused before anything boots" {
	run "$TOP/scripts/vm" --list
	assert_success
	[ "${#lines[@]}" -ge 10 ]
	for f in "${lines[@]}"; do [ -f "$TOP/$f" ]; done
	assert_line tests/cgset.bats
	assert_line tests/lessons.bats
	run "$TOP/scripts/vm" tests/no-such.bats
	assert_failure 1
	assert_output "vm: no test file tests/no-such.bats"
}
