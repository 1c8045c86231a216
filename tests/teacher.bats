#!/usr/bin/env bats
# The teacher's mode, scripts/lesson NN, in a terminal: tmux runs it, a
# key runs each step, and q quits before any one of them (or Ctrl-C, or
# the window closes). After each run nothing of the lesson is left: no
# process it started (a container's pid 1 included), no lab, no control
# group, no mount, no directory. The screen shows the lesson's headings
# and prose, and no path of the runner's own.
#
# The lessons use fixed names (ctrkit-c1, the lab): run this file as
# tests/lessons.bats is run, under the lessons' lock.

load helpers

setup() {
	need_root
	command -v tmux >/dev/null || skip "tmux is missing: scripts/deps"
	# some three hundred steps run again and again: minutes under the
	# VM's emulation (the teacher's mode is the same script there)
	[ -z "${CTRKIT_VM:-}" ] || skip "too slow under emulation"
	# scripts/lesson is a shell script, and its tools' own tests run
	# under the sanitizers: a second run here would add minutes, not
	# checks
	[ -z "${CTRKIT_SAN:-}" ] || skip "the same script as in the plain run"
	make_scratch
	# the tmux server's own socket, in the scratch directory: a socket
	# of -L NAME stays in /tmp/tmux-UID after kill-server
	SOCK=$SCRATCH/tmux.socket
	# a pane that stays when the lesson ends, for capture-pane, with
	# every line the lesson printed
	mkfifo "$SCRATCH/nap"
	printf '%s\n' 'set -g remain-on-exit on' 'set -g history-limit 50000' 'set -g exit-empty off' >"$SCRATCH/tmux.conf"
	# The pane runs the lesson, then writes its status: a shell that
	# does not die of Ctrl-C itself (a trap, not an ignored signal, which
	# the lesson would inherit).
	# shellcheck disable=SC2016 # for the pane's shell
	printf '%s\n' 'trap : INT' '"$1" "$2"' 'echo $? >"$3"' >"$SCRATCH/pane.sh"
	# The lessons ask for tools the user nobody can reach (lesson 05):
	# where they are not, a copy here, so that scripts/lesson makes none
	# of its own (its path would show on the screen).
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$CTRKIT_BIN/nsunshare" 2>/dev/null; then
		mkdir "$SCRATCH/bin"
		cp "$CTRKIT_BIN"/* "$SCRATCH/bin/"
		chmod -R a+rX "$SCRATCH/bin"
		CTRKIT_BIN=$SCRATCH/bin
	fi
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	rm -rf "$SCRATCH"
}

# Sleeps $1 seconds without a process: a read that times out, on a FIFO
# nobody writes to (the waits below poll often).
nap() {
	read -rt "$1" <>"$SCRATCH/nap" || true
}

# Waits until the lesson has ended, up to 30 s: the pane's shell then
# writes its status.
wait_status() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ ! -s "$SCRATCH/status" ] || return 0
		nap 0.05
	done
}

tmux_() {
	tmux -S "$SOCK" "$@"
}

# The pane's screen, or with "all" every line it has shown (long lines
# joined).
screen() {
	if [ "${1:-}" = all ]; then
		tmux_ capture-pane -p -J -S - -E - -t teach
	else
		tmux_ capture-pane -p -J -t teach
	fi
}

# Waits until the pane has printed $1 (a fixed string), up to 60 s: in
# what tmux copies of its output to $SCRATCH/out (read by bash alone, so
# that waiting costs no process).
wait_screen() {
	local out i
	for ((i = 0; i < 3000; i++)); do
		IFS= read -r -d '' out <"$SCRATCH/out" || true
		[[ $out != *"$1"* ]] || return 0
		nap 0.02
	done
	echo "the pane never printed: $1" >&2
	screen all >&2
	return 1
}

# Starts scripts/lesson $1 in a new tmux session; its status goes to
# $SCRATCH/status when it ends, and the pane stays for capture-pane.
start_lesson() {
	rm -f "$SCRATCH/status"
	: >"$SCRATCH/out"
	CTRKIT_BIN=$CTRKIT_BIN tmux_ -f "$SCRATCH/tmux.conf" new-session -d -s teach -x 100 -y 40 \
		bash "$SCRATCH/pane.sh" "$TOP/scripts/lesson" "$1" "$SCRATCH/status" \; \
		pipe-pane -t teach "cat >>'$SCRATCH/out'"
}

# The number of steps, from the line under the first one.
steps_on_screen() {
	local out i
	wait_screen "step 1 of " >&2
	IFS= read -r -d '' out <"$SCRATCH/out" || true
	out=${out#*step 1 of }
	echo "${out%%:*}"
}

# Presses a key for each step before step $1 of $2, at once (the lesson
# reads them one by one: no step of these lessons reads the terminal),
# and waits until step $1 waits for its key.
advance_to() {
	local keys=() j
	for ((j = 1; j < $1; j++)); do keys+=(Enter); done
	[ ${#keys[@]} -eq 0 ] || tmux_ send-keys -t teach "${keys[@]}"
	wait_screen "step $1 of $2:"
}

# "PID START" of the pane's processes, its shell excepted: the lesson,
# its shell and all below them (the containers' pid 1 too), at this
# moment. START, when it started, tells a pid used again apart.
lesson_processes() {
	ps -e -o pid= -o ppid= -o lstart= | awk -v top="$(tmux_ display-message -p -t teach '#{pane_pid}')" '
		{ kids[$2] = kids[$2] " " $1; start[$1] = $3 " " $4 " " $5 " " $6 " " $7 }
		END {
			n = split(kids[top], q, " ")
			for (i = 1; i <= n; i++) {
				print q[i], start[q[i]]
				m = split(kids[q[i]], more, " ")
				for (j = 1; j <= m; j++) q[++n] = more[j]
			}
		}'
}

# The processes of the snapshot $1 that still run (zombies are not),
# with their command lines.
alive_of() {
	ps -e -o pid= -o stat= -o lstart= -o args= | awk -v snapshot="$1" '
		BEGIN { n = split(snapshot, line, "\n"); for (i = 1; i <= n; i++) { pid = line[i]; sub(/ .*/, "", pid); was[pid] = line[i] } }
		$2 !~ /^Z/ && ($1 in was) && was[$1] == $1 " " $3 " " $4 " " $5 " " $6 " " $7 { print }'
}

# What a run may leave: the runner's directories, mounts of the lesson
# or the lab, the lab's namespaces, the lessons' control groups and the
# run's own.
leftovers() {
	ls -d /tmp/ctrkit-lesson.* /tmp/ctrkit-lesson-steps.* 2>/dev/null
	grep -E 'ctrkit-lesson|/run/netns/ctrkit-lab' /proc/self/mountinfo
	ls -d /run/netns/ctrkit-lab* 2>/dev/null
	find /sys/fs/cgroup -maxdepth 3 -type d \( -name ctrkit-c1 -o -name 'ctrkit-run.*' \)
	return 0
}

# Asserts that none of the snapshot's processes is alive (waiting up to
# 10 s: a window that closed leaves the lesson its clean-up) and that
# nothing else of the run is left.
assert_nothing_left() {
	local snapshot=$1 left
	for _ in $(seq 200); do
		left=$(alive_of "$snapshot")
		[ -n "$left" ] || break
		nap 0.05
	done
	run echo "$left"
	assert_output ""
	run leftovers
	assert_output ""
}

# What the screen must show of the lesson $1 (a README.md): the title,
# and each section's heading and the first line of its prose (when it
# is prose, not a table), the Markdown marks taken off. One per line.
lesson_text() {
	awk '
		NR == 1 { sub(/^# /, ""); print; next }
		/^## / { sub(/^## /, ""); print; want = 1; next }
		want && /^(\||```)/ { want = 0 }
		want && /./ { gsub(/`|\*/, ""); print; want = 0 }' "$1"
}

# The whole screen of a run has the lesson's text up to where it got ($1
# lines of lesson_text's, all with "all"), no Markdown syntax, no path
# of the runner's own.
assert_screen_shows_lesson() {
	local line
	run screen all
	while IFS= read -r line; do
		assert_line --partial "$line"
	done < <(if [ "$1" = all ]; then echo "$text"; else head -n "$1" <<<"$text"; fi)
	refute_line --partial '```'
	refute_line --regexp '^#+ '
	refute_output --partial ctrkit-lesson
	refute_output --partial ctrkit-run
}

# Runs lesson $1 in the terminal once for each step from $2 to $3 (or
# to the last): the run for step K runs the steps before K, then q quits
# it; the run for the last step + 1 goes through every step to the end.
# None may leave anything.
quit_at_steps() {
	local lesson=$1 first=$2 last=${3:-} readme steps=$2 k before snapshot text
	readme=$(ls "$TOP"/lessons/"$lesson"-*/README.md)
	text=$(lesson_text "$readme")
	before=$(leftovers)
	[ -z "$before" ] || { echo "left before the test: $before"; return 1; }
	for ((k = first; k <= steps + 1 && k <= ${last:-k}; k++)); do
		start_lesson "$lesson"
		steps=$(steps_on_screen)
		if [ "$k" -le "$steps" ]; then advance_to "$k" "$steps"; else advance_to "$steps" "$steps"; fi
		snapshot=$(lesson_processes)
		if [ "$k" -le "$steps" ]; then
			tmux_ send-keys -t teach q
		else
			tmux_ send-keys -t teach Enter
		fi
		wait_status
		run cat "$SCRATCH/status"
		assert_output 0
		if [ "$k" -le "$steps" ]; then
			wait_screen "Stopped before step $k of $steps:"
			# the title, the first section's heading and prose
			assert_screen_shows_lesson 3
		else
			# every section, and the closing one after the last step
			assert_screen_shows_lesson all
			assert_line "What you saw"
		fi
		assert_nothing_left "$snapshot"
		tmux_ kill-session -t teach
	done
	# every step was done (the last run went to the end)
	[ -n "$last" ] || [ "$k" -eq $((steps + 2)) ]
}

@test "lesson 01 in a terminal: q at each step leaves nothing, the screen shows the lesson" {
	quit_at_steps 01 1
}

# (In parts, each well under bats' limit of 120 s a test even on a busy
# machine: the later steps of 12 wait seconds for the kernel's limits to
# bite, and every run goes through the steps before.)
@test "lesson 12 in a terminal: q at steps 1-17 leaves nothing (control groups, their processes)" {
	quit_at_steps 12 1 17
}

@test "lesson 12 in a terminal: q at steps 18-22 leaves nothing" {
	quit_at_steps 12 18 22
}

@test "lesson 12 in a terminal: q at steps 23 to the end leaves nothing" {
	quit_at_steps 12 23
}

@test "lesson 15 in a terminal: q at steps 1-9 leaves nothing (the lab, the container in it)" {
	quit_at_steps 15 1 9
}

@test "lesson 15 in a terminal: q at steps 10 to the end leaves nothing" {
	quit_at_steps 15 10
}

@test "Ctrl-C with a process in the lesson's control group leaves nothing" {
	local readme steps k snapshot
	readme=$(ls "$TOP"/lessons/12-*/README.md)
	# the step after "cgset exec ctrkit-c1 -- sleep 60 &"
	k=$(grep '^\$ ' "$readme" | grep -n 'sleep 60 &' | cut -d: -f1)
	start_lesson 12
	steps=$(steps_on_screen)
	advance_to $((k + 1)) "$steps"
	find /sys/fs/cgroup -maxdepth 2 -name ctrkit-c1 | grep -q .
	snapshot=$(lesson_processes)
	grep -q ' sleep 60' <<<"$(alive_of "$snapshot")"
	tmux_ send-keys -t teach C-c
	wait_status
	run cat "$SCRATCH/status"
	assert_output 130
	assert_nothing_left "$snapshot"
}

@test "closing the window with a container in the lab leaves nothing" {
	local readme steps k snapshot
	readme=$(ls "$TOP"/lessons/15-*/README.md)
	# the step after the first wget: the lab is up, httpd runs in it
	k=$(grep '^\$ ' "$readme" | grep -n -m 1 'wget' | cut -d: -f1)
	start_lesson 15
	steps=$(steps_on_screen)
	advance_to $((k + 1)) "$steps"
	run screen all
	assert_line "hello from the container"
	snapshot=$(lesson_processes)
	grep -q ' httpd ' <<<"$(alive_of "$snapshot")"
	tmux_ kill-server
	assert_nothing_left "$snapshot"
}
