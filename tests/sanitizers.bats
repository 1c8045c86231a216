#!/usr/bin/env bats
# Under `make san`: every tool, on its main paths and its error paths,
# with LeakSanitizer on. (The rest of the suite runs with AddressSanitizer
# and UndefinedBehaviorSanitizer too, leak checks off: see the Makefile.)

load helpers

setup() {
	[ -n "${CTRKIT_SAN:-}" ] || skip "only under the sanitizer build (make san)"
	make_scratch
}

teardown() {
	[ "$(id -u)" -ne 0 ] || cgset delete -k "ctrkit-test-san-$$" >/dev/null 2>&1 || true
	cleanup_scratch
	lab_down
}

# clean_run STATUS COMMAND...: runs the command with leak checks on, and
# fails unless it exits STATUS with no sanitizer report (exit 86, or a
# report file: see tests/san-options.c).
clean_run() {
	local want=$1
	shift
	rm -f /tmp/ctrkit-san.*
	ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=/tmp/ctrkit-san run "-$want" --separate-stderr "$@"
	if [ "$status" -ne "$want" ] || grep -q -s -e ERROR -e 'runtime error' /tmp/ctrkit-san.*; then
		echo "$*: status $status (want $want): $stderr"
		cat /tmp/ctrkit-san.* 2>/dev/null
		return 1
	fi
}

@test "getpid: no leak, no error" {
	clean_run 0 getpid
	clean_run 0 getpid -v
	clean_run 0 getpid --help
	clean_run 2 getpid extra
}

@test "lsns-lite: no leak, no error, in every output mode" {
	need_root
	make_pin_dir
	nsunshare --net="$PINS/net" true
	clean_run 0 lsns-lite
	clean_run 0 lsns-lite -J -T
	clean_run 0 lsns-lite --tree=owner -o NS,TYPE,PATH,NPROCS,PID,PPID,COMMAND,UID,USER,NSFS,PNS,ONS
	clean_run 0 lsns-lite -r -n -p $$
	clean_run 0 lsns-lite -v -t net
	clean_run 1 lsns-lite 1
	clean_run 2 lsns-lite -t bogus
	clean_run 0 lsns-lite -Q 'TYPE == "net" || NPROCS > 1' --output-all
	clean_run 0 lsns-lite -t net -W -J
	clean_run 1 lsns-lite -Q BOGUS
	umount "$PINS/net"
}

@test "nscmp and nspid: no leak, no error" {
	dead=$(sh -c 'echo $$')
	clean_run 0 nscmp $$
	clean_run 0 nscmp -v -q $$ $$
	clean_run 2 nscmp "$dead"
	clean_run 0 nspid $$
	clean_run 0 nspid -v $$
	clean_run 1 nspid "$dead"
}

@test "nsunshare: no leak on its failures, nor in a parent that waits" {
	need_root
	clean_run 0 nsunshare -f -u true
	clean_run 2 nsunshare --map-users=1,2 true
	clean_run 127 nsunshare -u no-such-command-ctrkit
	clean_run 1 nsunshare --net="$SCRATCH/missing/net" true
	clean_run 1 nsunshare --mount-proc="$SCRATCH/none" true
	tools_for_nobody
	clean_run 1 as_nobody nsunshare -u true
	clean_run 1 as_nobody nsunshare -U --map-users=0,0,10 true
	clean_run 2 nsunshare --keep-caps true
	clean_run 1 nsunshare -R "$SCRATCH/none" true
}

@test "nsenter-lite: no leak on its failures, nor when it joins" {
	need_root
	start_container -u -n
	dead=$(sh -c 'echo $$')
	clean_run 0 nsenter-lite -t "$CTR" -u -n true
	clean_run 1 nsenter-lite -t "$dead" -n true
	clean_run 2 nsenter-lite -n true
	clean_run 1 nsenter-lite -t "$CTR" -U true
	clean_run 127 nsenter-lite -t "$CTR" -n no-such-command-ctrkit
}

@test "mkrootfs: no leak, no error, in every mode and on its failures" {
	clean_run 0 mkrootfs --busybox "$SCRATCH/root"
	tar -C "$SCRATCH/root" -czf "$SCRATCH/image.tgz" .
	clean_run 0 mkrootfs -v "$SCRATCH/copy" <"$SCRATCH/image.tgz"
	mktar file:etc/.wh.passwd dir:var file:var/.wh..wh..opq file:var/x:1 >"$SCRATCH/layer.tar"
	clean_run 0 mkrootfs --layer "$SCRATCH/copy" <"$SCRATCH/layer.tar"
	"$TOP/scripts/mkoci" "$SCRATCH/oci" v1 "$SCRATCH/image.tgz" "$SCRATCH/layer.tar" >/dev/null
	clean_run 0 mkrootfs --oci "$SCRATCH/oci:v1" "$SCRATCH/from-oci"
	clean_run 1 mkrootfs --oci "$SCRATCH/oci:v9" "$SCRATCH/none"
	mktar file:../x:1 >"$SCRATCH/evil.tar"
	clean_run 1 mkrootfs "$SCRATCH/evil" <"$SCRATCH/evil.tar"
	head -c 100000 "$SCRATCH/image.tgz" >"$SCRATCH/cut.tgz"
	clean_run 1 mkrootfs "$SCRATCH/cut" <"$SCRATCH/cut.tgz"
}

@test "ovlmount: no leak, no error, mounting, diffing, committing" {
	need_root
	busybox_rootfs "$SCRATCH/image"
	clean_run 0 ovlmount "$SCRATCH/image" "$SCRATCH/upper" "$SCRATCH/work" "$SCRATCH/merged"
	rm "$SCRATCH/merged/bin/vi" && echo x >"$SCRATCH/merged/etc/motd"
	clean_run 0 ovlmount --diff "$SCRATCH/upper"
	ASAN_OPTIONS=detect_leaks=1:exitcode=86 ovlmount --commit "$SCRATCH/upper" >"$SCRATCH/layer.tar"
	clean_run 0 ovlmount -u "$SCRATCH/merged"
	clean_run 0 ovlmount -u "$SCRATCH/merged"
	clean_run 1 ovlmount "$SCRATCH/none" "$SCRATCH/u" "$SCRATCH/w" "$SCRATCH/m"
}

@test "pivotroot: no leak, no error on its checks, nor after the pivot" {
	need_root
	busybox_rootfs "$SCRATCH/root"
	# Leak checks for pivotroot only: nsunshare's own would spin (see the
	# Makefile). 86 would mean a finding; 127 is the missing command.
	run -127 nsunshare -p -m -f env ASAN_OPTIONS=detect_leaks=1:exitcode=86 \
		pivotroot --volume="$SCRATCH:/data" "$SCRATCH/root" no-such-command
	clean_run 1 nsunshare -m pivotroot "$SCRATCH/none" true
	clean_run 1 nsunshare -m pivotroot --volume="$SCRATCH/none:/x" "$SCRATCH/root" true
	clean_run 1 pivotroot "$SCRATCH/root" true
}

@test "cgset: no leak, no error, in every command and on its failures" {
	need_root
	g=ctrkit-test-san-$$
	clean_run 0 cgset info
	clean_run 0 cgset -v create "$g/inner"
	clean_run 0 cgset set "$g" memory=100M memory.swap=0 pids=10 cpu=0.5 cpu.weight=100
	clean_run 0 cgset set "$g/inner" cpuset=0
	for k in memory memory.swap pids cpu cpu.weight cpuset; do clean_run 0 cgset get "$g" "$k"; done
	clean_run 0 cgset exec "$g" true
	clean_run 0 cgset ps "$g"
	clean_run 0 cgset stat "$g"
	clean_run 0 cgset stat -J "$g"
	clean_run 2 cgset set "$g" memory=lots
	clean_run 1 cgset stat ctrkit-test-san-none
	ctrkit-test-sleep 3>&- &
	CONTAINERS+=("$!")
	clean_run 0 cgset add "$g/inner" "$!"
	clean_run 1 cgset delete "$g"
	clean_run 0 cgset -v delete -k "$g"
	clean_run 0 cgset delete "$g"
}

@test "vethpair and portmap: no leak, no error, making, listing and removing" {
	lab_up
	lab_container c1
	clean_run 0 lab vethpair -v add veth-c1 --netns "$c1" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
	clean_run 0 lab vethpair list
	clean_run 1 lab vethpair add veth-c1 --netns "$c1"
	clean_run 1 lab vethpair add veth-c2 --netns "$c1" --ifname lo
	clean_run 0 lab portmap -v masq 192.168.0.0/24
	clean_run 0 lab portmap add 8080 192.168.0.2:80
	clean_run 0 lab portmap add 5353 192.168.0.2:53 --proto udp --host-ip 203.0.113.1
	clean_run 1 lab portmap add 8080 192.168.0.3:80
	clean_run 0 lab portmap list
	clean_run 0 lab portmap --dry-run add 1 192.168.0.2:1
	clean_run 0 lab portmap --iptables masq 10.0.0.0/8
	clean_run 0 lab portmap del 8080
	clean_run 0 lab portmap del masq 192.168.0.0/24
	clean_run 0 lab portmap flush
	clean_run 2 lab portmap add 0 192.168.0.2:80
	clean_run 0 lab vethpair del veth-c1 --bridge ctr0
}

@test "capdrop: no leak, no error, showing, dropping, switching user, and on its failures" {
	need_root
	dead=$(sh -c 'echo $$')
	clean_run 0 capdrop --show
	clean_run 0 capdrop --show $$
	clean_run 0 capdrop -v --docker --ambient=net_raw --no-new-privs --show
	clean_run 0 capdrop --drop=all --show
	clean_run 0 capdrop --user=65534 --group=65534 --keep=net_bind_service --show
	clean_run 0 capdrop --docker true
	clean_run 2 capdrop --keep=cap_fly true
	clean_run 2 capdrop --user=nosuchuser true
	clean_run 2 capdrop --keep=chown --ambient=net_raw true
	clean_run 1 capdrop --show="$dead"
	clean_run 127 capdrop no-such-command-ctrkit
}

@test "sysfilter: no leak, no error, building each kind of filter and on its failures" {
	printf '%s\n' '{ "linux": { "seccomp": { "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"],
		"syscalls": [ { "names": ["mkdir", "no_such_call"], "action": "SCMP_ACT_ALLOW",
			"args": [ { "index": 1, "value": 448, "valueTwo": 448, "op": "SCMP_CMP_MASKED_EQ" } ] } ] } } }' \
		>"$SCRATCH/config.json"
	printf '%s\n' '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_BOGUS" } ] }' \
		>"$SCRATCH/bad.json"
	printf '{ "defaultAction": ' >"$SCRATCH/cut.json"
	clean_run 0 sysfilter --deny=mkdir --show
	clean_run 0 sysfilter -v --log --profile=docker --deny=mkdir,rmdir --errno=ENOSYS --show
	clean_run 0 sysfilter -v --profile="$SCRATCH/config.json" --show
	clean_run 1 sysfilter --profile="$SCRATCH/bad.json" true
	clean_run 1 sysfilter --profile="$SCRATCH/cut.json" true
	clean_run 1 sysfilter --profile="$SCRATCH/none.json" true
	clean_run 2 sysfilter --deny=no_such_call true
	clean_run 2 sysfilter --errno=EBOGUS --deny=mkdir true
	clean_run 127 sysfilter --deny=mkdir no-such-command-ctrkit
	clean_run 0 sysfilter -v --profile=docker true
}

@test "a container's life: nsunshare --detach, --pidfile, --log, --init and ctrstop, no leak, no error" {
	need_root
	# No -p here: LeakSanitizer's tracer cannot work from a new pid
	# namespace (see the Makefile); --init is then a subreaper.
	clean_run 0 nsunshare -v --init sh -c '(true &); exit 0'
	clean_run 3 nsunshare --init --pidfile="$SCRATCH/a.pid" --log="$SCRATCH/a.log" sh -c 'exit 3'
	clean_run 0 nsunshare -u --detach --pidfile="$SCRATCH/b.pid" --log="$SCRATCH/b.log" true
	clean_run 1 nsunshare --detach --pidfile="$SCRATCH/missing/c.pid" true
	clean_run 2 nsunshare --detach --kill-child true
	# ctrstop on a container of our own (started without sanitizer
	# checks on its pid 1), then on what it refuses.
	ASAN_OPTIONS=detect_leaks=0 nsunshare -p -f --detach --pidfile="$SCRATCH/c.pid" ctrkit-test-sleep
	CONTAINERS+=("$(cat "$SCRATCH/c.pid")")
	clean_run 0 ctrstop -v -t 1 --pidfile="$SCRATCH/c.pid"
	clean_run 1 ctrstop 1
	clean_run 1 ctrstop --pidfile="$SCRATCH/c.pid"
	clean_run 2 ctrstop -t x 1
}
