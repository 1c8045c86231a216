#!/usr/bin/env bats
# Churn: whole containers made and removed again and again must leave
# nothing behind, not one mount, cgroup, directory, fd, link or rule.
# Each cycle is what a runtime does for one `docker run --rm`: an overlay
# on the image, a cgroup with limits, namespaces and pivot_root, a veth
# on the bridge and a port mapping; then all of it taken down.

load helpers

# 200 cycles take about a minute on an idle machine, twice that under
# the sanitizers: more than the suite's 120 s per test.
export BATS_TEST_TIMEOUT=600

setup() {
	make_scratch
	need_root
	lab_up
	busybox_rootfs "$SCRATCH/image"
	# The containers sleep this long: a number no other process uses, to
	# find them by (inside its own root a container's /proc/PID/root
	# reads "/", so the path tells nothing).
	MARK=$((1000000 + $$))
}

# The processes of this test still running: launchers and setups name
# the scratch directory, the containers sleep $MARK.
our_processes() {
	pgrep -f -- "$SCRATCH|sleep $MARK\$" || true
}

teardown() {
	cgset delete -k ctrkit-test-churn >/dev/null 2>&1 || true
	lab_down
	cleanup_scratch
}

# The counts a leak would change, one "name count" per line, taken in the
# churn's own mount namespace; links and rules in the lab's host.
counts() {
	echo "mounts $(wc -l </proc/self/mountinfo)"
	echo "cgroups $(find /sys/fs/cgroup -maxdepth 3 -type d -name 'ctrkit-test-churn*' | wc -l)"
	echo "dirs $(find "$SCRATCH" -path "$SCRATCH/image" -prune -o -type d -print | wc -l)"
	echo "fds $(find /proc/$$/fd -mindepth 1 | wc -l)"
	echo "links $(lab ip -o link | wc -l)"
	echo "rules $(lab nft list ruleset | wc -l)"
	echo "procs $(our_processes | wc -l)"
}

cycle() {
	local c=$SCRATCH/ctr pid
	mkdir "$c"
	ovlmount "$SCRATCH/image" "$c/upper" "$c/work" "$c/merged" >/dev/null
	cgset create ctrkit-test-churn
	cgset set ctrkit-test-churn memory=64M pids=64
	cgset exec ctrkit-test-churn -- nsunshare -p -m -u -i -n -f --hostname=churn \
		pivotroot "$c/merged" sh -c 'echo $$ > /pid1; exec sleep '"$MARK" \
		>/dev/null 2>&1 3>&- &
	local launcher=$!
	pid=$(wait_for_sleeper "$launcher" sleep)
	lab vethpair add ctrkit-churn0 --netns "$pid" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
	lab portmap add 8080 192.168.0.2:80
	# What a user checks: pid 1 inside, its writes in the upper layer.
	[ "$(cat "$c/upper/pid1")" = 1 ] || { echo "cycle: pid 1 is $(cat "$c/upper/pid1")"; return 1; }
	lab portmap del 8080
	lab vethpair del ctrkit-churn0
	kill -KILL "$pid"
	wait "$launcher" || true
	cgset delete ctrkit-test-churn
	ovlmount -u "$c/merged"
	rm -rf "$c"
}

@test "200 whole containers made and removed leave no mount, cgroup, directory, fd, link, rule or process" {
	cat >"$SCRATCH/churn.sh" <<-SCRIPT
		set -eu
		SCRATCH='$SCRATCH' TOP='$TOP' PATH='$PATH' MARK='$MARK'
		export CTRKIT_LAB='$CTRKIT_LAB'
		$(declare -f counts cycle wait_for_sleeper lab our_processes)
		# The first cycle makes what stays, as Docker keeps its chains:
		# portmap's table. The counts start after it.
		echo 1 >"\$SCRATCH/cycles"
		cycle
		counts >"\$SCRATCH/before"
		for i in \$(seq 2 ${CTRKIT_CHURN:-200}); do
			echo "\$i" >"\$SCRATCH/cycles"
			cycle
		done
		counts >"\$SCRATCH/after"
	SCRIPT
	run nsunshare -m bash "$SCRATCH/churn.sh"
	[ "$status" -eq 0 ] || echo "cycle $(cat "$SCRATCH/cycles") failed"
	assert_success
	run diff "$SCRATCH/before" "$SCRATCH/after"
	assert_success
	assert_output ""
	# and nothing of it reached the machine's own mount table
	run grep -c " $SCRATCH" /proc/self/mountinfo
	assert_output 0
}

@test "a container killed at any step of its start leaves no mount, process or file on the host" {
	mkdir "$SCRATCH/volume"
	echo kept >"$SCRATCH/volume/data"
	for delay in 0.001 0.003 0.005 0.01 0.02 0.05 0.1 0.2 0.5; do
		# timeout kills its whole process group: nsunshare, and with
		# it (--kill-child) the container wherever its setup is.
		run timeout -s KILL "$delay" nsunshare -p -m -u -i -n -f --kill-child \
			pivotroot --volume="$SCRATCH/volume:/data" "$SCRATCH/image" \
			sh -c "echo written >/data/new; exec sleep $MARK"
		[ "$status" -eq 137 ] || { echo "after $delay s: status $status"; return 1; }
		for _ in $(seq 50); do
			[ -z "$(our_processes)" ] && break
			sleep 0.1
		done
		run our_processes
		assert_output ""
		assert_equal "$(cat "$SCRATCH/volume/data")" kept
		run grep -c " $SCRATCH" /proc/self/mountinfo
		assert_output 0
	done
}
