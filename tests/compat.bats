#!/usr/bin/env bats
# scripts/compat: nsunshare, nsenter-lite and lsns-lite against
# util-linux's unshare, nsenter and lsns, the same invocation each.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
}

# What a run of scripts/compat may leave: its directory, a mount under
# it, a process started from it. Prints them; nothing when clean.
compat_leftovers() {
	ls -d /tmp/ctrkit-compat.* 2>/dev/null
	grep ' /tmp/ctrkit-compat\.' /proc/self/mountinfo
	pgrep -a -f '/tmp/ctrkit-compat\.'
	true
}

@test "scripts/compat: every case gives what util-linux gives (or its tests expect), and it leaves nothing behind" {
	need_root
	# compat checks behaviour, which the sanitizer build does not change;
	# the tools' own test files, which run there, compare the same flags
	# with util-linux (about two minutes saved in make san)
	[ -z "${CTRKIT_SAN:-}" ] || skip "behaviour only: the tools' own tests cover these flags under the sanitizers"
	run "$TOP/scripts/compat"
	# the cases that failed, if any, are what to read
	[ "$status" -eq 0 ] || { grep -v '^ok ' <<<"$output"; return 1; }
	assert_line --regexp '^[0-9]+ passed, 0 failed$'
	passed=$(sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p' <<<"$output")
	[ "$passed" -ge 150 ]
	# each tool had its cases, the ported util-linux tests among them
	# shellcheck disable=SC2016 # the cases' lines, as compat prints them
	for line in 'ok   nsunshare -m nsprobe' 'ok   nsenter-lite -t "$CTR" -m -W "$WORK/inside/only" pwd' \
		'ok   lsns-lite -p "$ALLNEW"'; do
		assert_line "$line"
	done
	assert_line --partial 'tests/ts/nsenter/enter-via-socket'
	assert_line --partial 'tests/ts/lsns/netns-from-sock'
	assert_line --partial 'tests/ts/unshare/forward-signals'
	run compat_leftovers
	assert_output ""
}

@test "scripts/compat: a tool that answers otherwise fails its cases, each line saying what differed" {
	need_root
	mkdir "$SCRATCH/bin"
	# an nsenter-lite that prints the wrong thing; no nsunshare at all
	printf '#!/bin/sh\necho wrong\n' >"$SCRATCH/bin/nsenter-lite"
	chmod +x "$SCRATCH/bin/nsenter-lite"
	# shellcheck disable=SC2016 # a regular expression
	run env CTRKIT_BIN="$SCRATCH/bin" "$TOP/scripts/compat" -f '^nsenter-lite -t "\$CTR" -u sh -c "hostname; nsids"$|^nsenter-lite -V$|^nsunshare -m nsprobe$' \
		nsenter-lite nsunshare
	assert_failure 1
	assert_line "FAIL nsenter-lite -t \"\$CTR\" -u sh -c \"hostname; nsids\": stdout: util-linux 'compat-ctr', ours 'wrong'"
	assert_line --regexp "^FAIL nsenter-lite -V: stdout: 'wrong' \(deliberate: 'nsenter-lite \(ctrkit\) VERSION' for 'nsenter from util-linux [0-9.]+'\)$"
	assert_line "FAIL nsunshare -m nsprobe: no $SCRATCH/bin/nsunshare"
	assert_line "0 passed, 3 failed"
	run compat_leftovers
	assert_output ""
}

@test "scripts/compat: stopped with SIGTERM halfway, it ends its processes and removes its namespaces' pins" {
	need_root
	"$TOP/scripts/compat" nsenter-lite >"$SCRATCH/out" 2>&1 3>&- &
	pid=$!
	# (its setup takes a few seconds: up to 30 s for the first case)
	for _ in $(seq 300); do
		grep -q '^ok ' "$SCRATCH/out" && break
		sleep 0.1
	done
	grep -q '^ok ' "$SCRATCH/out"
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	run compat_leftovers
	assert_output ""
}

@test "scripts/compat: bad arguments" {
	run "$TOP/scripts/compat" nosuchtool
	assert_failure 2
	assert_output "compat: unknown argument 'nosuchtool' (see compat --help)"
	run "$TOP/scripts/compat" --help
	assert_success
	assert_line --index 0 --partial 'scripts/compat [-v] [-k] [-f REGEX] [TOOL...]'
}
