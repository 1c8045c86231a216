#!/usr/bin/env bats
# vethpair: a container's link to a bridge, by netlink (E23). Every test
# runs in a lab of its own (scripts/lab): nothing here touches the
# machine's own network namespace.
# bats runs each test in a subshell, its run sets output, status and
# stderr, and lab_container sets the variable it is given by name:
# shellcheck disable=SC2030,SC2031,SC2154

load helpers

setup() {
	make_scratch
	lab_up
}

teardown() {
	cleanup_scratch
	lab_down
}

# vethpair, run in the lab's host (expect_errors calls it by this name).
vethpair() {
	"$TOP/scripts/lab" exec vethpair "$@"
}

@test "E23: two containers on the bridge ping each other and the bridge" {
	lab_container c1
	lab_container c2
	run add_ctr veth-c1 "$c1" 2
	assert_success
	assert_output ""
	add_ctr veth-c2 "$c2" 3
	run in_ctr "$c1" ping -c 1 -W 2 192.168.0.3
	assert_success
	assert_output --partial "1 packets transmitted, 1 received"
	run in_ctr "$c2" ping -c 1 -W 2 192.168.0.2
	assert_success
	run in_ctr "$c1" ping -c 1 -W 2 192.168.0.1
	assert_success
	# and the lab's host reaches them through its bridge
	run lab ping -c 1 -W 2 192.168.0.3
	assert_success
}

@test "inside: lo and the link up, the address, a default route via the bridge; outside: the end on the bridge" {
	lab_container c1
	add_ctr veth-c1 "$c1" 2
	run in_ctr "$c1" ip -4 -o addr show
	assert_line --regexp '^1: lo +inet 127.0.0.1/8 '
	assert_line --regexp '^2: eth0 +inet 192.168.0.2/24 '
	run in_ctr "$c1" ip route show default
	assert_output "default via 192.168.0.1 dev eth0 "
	run in_ctr "$c1" cat /sys/class/net/lo/operstate /sys/class/net/eth0/operstate
	assert_output $'unknown\nup'
	run lab ip -o link show master ctr0
	assert_output --regexp '^[0-9]+: veth-c1@if2: .* state UP '
	run lab ip -4 -o addr show dev ctr0
	assert_output --partial "inet 192.168.0.1/24"
}

@test "--ifname, --mtu and --gateway; a pinned namespace file as --netns" {
	make_pin_dir
	# pinned from here (ip netns exec, under lab, would pin in a mount
	# namespace of its own)
	nsunshare --net="$PINS/net" true
	run lab vethpair add veth-p --netns "$PINS/net" --ifname ctr0 --mtu 1400 \
		--bridge br-test --bridge-addr 10.9.0.1/16 --addr 10.9.0.5/16 --gateway 10.9.0.254
	assert_success
	run nsenter-lite --net="$PINS/net" ip -o link show ctr0
	assert_output --partial "mtu 1400"
	run nsenter-lite --net="$PINS/net" ip route show default
	assert_output "default via 10.9.0.254 dev ctr0 "
	run lab ip -o link show veth-p
	assert_output --partial "mtu 1400"
	umount "$PINS/net"
}

@test "list shows each veth, its bridge and its state" {
	lab_container c1
	add_ctr veth-c1 "$c1" 2
	run lab vethpair list
	assert_success
	assert_line --index 0 --regexp '^NAME +BRIDGE +STATE +MTU +PEER$'
	assert_line --regexp '^veth-c1 +ctr0 +up +1500 +if2 in netnsid [0-9]+$'
	# the lab's own link is a veth too, on no bridge
	assert_line --regexp '^eth0 +- +up +1500 '
}

@test "del removes the pair, and with --bridge the bridge once no port is left; twice is fine" {
	lab_container c1
	lab_container c2
	add_ctr veth-c1 "$c1" 2
	add_ctr veth-c2 "$c2" 3
	run lab vethpair -v del veth-c1 --bridge ctr0
	assert_success
	assert_output --partial "ctr0 still has 1 port: kept"
	run lab ip -o link show veth-c1
	assert_failure
	run in_ctr "$c1" ip -o link show eth0
	assert_failure
	lab vethpair del veth-c2 --bridge ctr0
	run lab ip -o link show ctr0
	assert_failure
	run lab vethpair -v del veth-c2 --bridge ctr0
	assert_success
	assert_output "vethpair: RTM_GETLINK(0) {ifname=\"veth-c2\"} = -1 ENODEV (No such device)
vethpair: veth-c2: no such link, nothing to remove
vethpair: RTM_GETLINK(0) {ifname=\"ctr0\"} = -1 ENODEV (No such device)"
}

@test "-v shows each netlink request as it is sent, and where it goes" {
	lab_container c1
	run --separate-stderr lab vethpair -v add veth-c1 --netns "$c1" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
	assert_success
	[[ $stderr == *'RTM_NEWLINK(NLM_F_CREATE|NLM_F_EXCL) {ifname="ctr0", linkinfo={kind="bridge"}} = 0'* ]]
	[[ $stderr == *'RTM_NEWADDR(NLM_F_CREATE|NLM_F_EXCL) {family=AF_INET, index='*', local=192.168.0.1/24} = 0'* ]]
	[[ $stderr == *'RTM_NEWLINK(NLM_F_CREATE|NLM_F_EXCL) {ifname="veth-c1", master='*' /* ctr0 */, linkinfo={kind="veth", data={peer={ifname="eth0", net_ns_fd='*'}}}} = 0'* ]]
	[[ $stderr == *'RTM_NEWADDR(NLM_F_CREATE|NLM_F_EXCL) {family=AF_INET, index=2, local=192.168.0.2/24} /* in the container */ = 0'* ]]
	[[ $stderr == *'RTM_NEWROUTE(NLM_F_CREATE|NLM_F_EXCL) {family=AF_INET, dst=0.0.0.0/0, gateway=192.168.0.1, oif=2} /* in the container */ = 0'* ]]
	[[ $stderr == *'setns('*', CLONE_NEWNET) = 0'* ]]
}

@test "a step that fails undoes the ones before: no pair, no bridge left" {
	lab_container c1
	# the container has a default route already (through a link of its
	# own), so the kernel refuses the last step, vethpair's route
	in_ctr "$c1" ip link add d0 type veth peer name d1
	in_ctr "$c1" ip addr add 10.1.0.1/24 dev d0
	in_ctr "$c1" ip link set d0 up
	in_ctr "$c1" ip link set d1 up
	in_ctr "$c1" ip route add default via 10.1.0.254
	run --separate-stderr lab vethpair add veth-c1 --netns "$c1" --bridge ctr0 --bridge-addr 192.168.0.1/24 \
		--addr 192.168.0.2/24
	assert_failure 1
	[ "$stderr" = "vethpair: cannot add the default route via 192.168.0.1 in the container: File exists" ]
	run link_names lab
	refute_line veth-c1
	refute_line ctr0
	run link_names in_ctr "$c1"
	refute_line eth0
	# a bridge that was there before stays, and keeps its address
	lab ip link add ctr0 type bridge
	lab ip addr add 192.168.0.1/24 dev ctr0
	run lab vethpair add veth-c1 --netns "$c1" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
	assert_failure 1
	run lab ip -4 -o addr show ctr0
	assert_output --partial 192.168.0.1/24
}

@test "names that are taken: nothing is made" {
	lab_container c1
	add_ctr veth-c1 "$c1" 2
	lab_container c2
	expect_errors vethpair \
		"1|add veth-c1 --netns $c2|veth-c1 exists already here (vethpair del veth-c1)" \
		"1|add veth-x --netns $c1|the container has a eth0 already (--ifname NAME)" \
		"1|add veth-x --netns $c2 --bridge eth0|eth0 exists and is not a bridge (it is a veth)" \
		"1|del eth0x --bridge veth-c1|veth-c1 is not a bridge: not removed" \
		"1|add lo --netns $c2|lo exists already here, and is not a veth: choose another name" \
		"1|add ctr0 --netns $c2|ctr0 exists already here, and is not a veth: choose another name"
	run link_names lab
	refute_line veth-x
	run link_names in_ctr "$c2"
	refute_line eth0
}

@test "bad input: one line each, status 2 (1 for a namespace that is not there), nothing made" {
	lab_container c1
	true &
	dead=$!
	wait "$dead"
	expect_errors vethpair \
		"2|add a-name-that-is-too-long --netns $c1|NAME 'a-name-that-is-too-long': an interface name is 1 to 15 characters, without '/', ':' or spaces (see vethpair --help)" \
		"2|add bad/name --netns $c1|NAME 'bad/name': an interface name is 1 to 15 characters, without '/', ':' or spaces (see vethpair --help)" \
		"2|add v1|add: give the container with --netns PID|FILE (see vethpair --help)" \
		"2|add v1 --netns 0|--netns '0': not a pid (a pid is 1 or more; a file of that name is ./0) (see vethpair --help)" \
		"2|add v1 --netns 99999999999|--netns '99999999999': not a pid (a pid is 1 or more; a file of that name is ./99999999999) (see vethpair --help)" \
		"2|add v1 --netns $c1 --ifname a-name-that-is-too-long|--ifname 'a-name-that-is-too-long': an interface name is 1 to 15 characters, without '/', ':' or spaces (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge br/0|--bridge 'br/0': an interface name is 1 to 15 characters, without '/', ':' or spaces (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge v1|--bridge 'v1': the bridge and the veth need names of their own (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.2|--addr '192.168.0.2': want an IPv4 address with a prefix (192.168.0.2/24) (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.300/24|--addr '192.168.0.300/24': want an IPv4 address with a prefix (192.168.0.2/24) (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.2/33|--addr '192.168.0.2/33': want an IPv4 address with a prefix (192.168.0.2/24) (see vethpair --help)" \
		"2|add v1 --netns $c1 --gateway 1.2.3|--gateway '1.2.3': want an IPv4 address (192.168.0.1) (see vethpair --help)" \
		"2|add v1 --netns $c1 --mtu 67|--mtu '67': want a number from 68 to 65535 (see vethpair --help)" \
		"2|add v1 --netns $c1 --mtu 65536|--mtu '65536': want a number from 68 to 65535 (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge-addr 10.0.0.1/8|--bridge-addr needs --bridge (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge b0 --bridge-addr 192.168.0.1/24 --addr 10.0.0.2/24|--addr '10.0.0.2/24' is not on the bridge's subnet (--bridge-addr '192.168.0.1/24') (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge b0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/16|--addr '192.168.0.2/16' is not on the bridge's subnet (--bridge-addr '192.168.0.1/24') (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge b0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.1/24|--addr '192.168.0.1/24': that is the bridge's own address (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.0/24|--addr '192.168.0.0/24': that is the subnet's own address, not a host's (see vethpair --help)" \
		"2|add v1 --netns $c1 --bridge b0 --bridge-addr 192.168.0.255/24|--bridge-addr '192.168.0.255/24': that is the subnet's broadcast address, not a host's (see vethpair --help)" \
		"2|add v1 --netns $c1 --gateway 192.168.0.1|--gateway needs --addr: a route goes through an address of the link (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.2/24 --gateway 10.0.0.1|--gateway '10.0.0.1' is not on the container's subnet (--addr '192.168.0.2/24') (see vethpair --help)" \
		"2|add v1 --netns $c1 --addr 192.168.0.2/24 --gateway 192.168.0.2|--gateway '192.168.0.2': that is the container's own address (see vethpair --help)" \
		"1|add v1 --netns $dead|no process with pid $dead" \
		"1|add v1 --netns $SCRATCH|--netns $SCRATCH: not a namespace file (give a pid, or a file nsunshare --net=FILE pinned)" \
		"1|add v1 --netns /dev/null|--netns /dev/null: not a namespace file (give a pid, or a file nsunshare --net=FILE pinned)" \
		"1|add v1 --netns /proc/self/ns/mnt|--netns /proc/self/ns/mnt: not a network namespace (give a pid, or a file nsunshare --net=FILE pinned)" \
		"1|add v1 --netns $SCRATCH/none|--netns $SCRATCH/none: No such file or directory" \
		"1|add v1 --netns /proc/self/ns/net|--netns /proc/self/ns/net: that is this network namespace, not a container's (start it with nsunshare -n)" \
		"1|add v1 --netns 2|--netns /proc/2/ns/net: that is the machine's own network namespace, not a container's" \
		"2|del|del takes one name: vethpair del NAME [--bridge BR] (see vethpair --help)" \
		"2|del v1 --addr 10.0.0.1/8|del takes only --bridge (see vethpair --help)" \
		"2|list extra|list takes no argument (see vethpair --help)" \
		"2|frob|unknown command 'frob' (add, del or list) (see vethpair --help)" \
		"2||give a command: add, del or list (see vethpair --help)"
	run link_names lab
	refute_line v1
	refute_line b0
	run link_names in_ctr "$c1"
	refute_line eth0
}

@test "a --netns that is a FIFO or a device is refused without being opened" {
	mkfifo "$SCRATCH/fifo"
	# open(2) on a FIFO would wait for a writer for ever
	run --separate-stderr timeout 20 "$TOP/scripts/lab" exec vethpair add v1 --netns "$SCRATCH/fifo"
	assert_failure 1
	assert_equal "$stderr" "vethpair: --netns $SCRATCH/fifo: not a namespace file (give a pid, or a file nsunshare --net=FILE pinned)"
	run --separate-stderr timeout 20 "$TOP/scripts/lab" exec vethpair add v1 --netns /dev/zero
	assert_failure 1
	assert_equal "$stderr" "vethpair: --netns /dev/zero: not a namespace file (give a pid, or a file nsunshare --net=FILE pinned)"
}

@test "a --netns process that has ended but is not reaped yet (a zombie) is named as ended" {
	# sleep 60 never reaps its child: once killed, the child is a zombie,
	# a pid that kill -0 still finds, but with no namespaces left
	sh -c 'sleep 60 & exec sleep 60' 3>&- &
	parent=$!
	CONTAINERS+=("$parent")
	for _ in $(seq 50); do
		zombie=$(pgrep -P "$parent") && break
		sleep 0.1
	done
	kill -KILL "$zombie"
	for _ in $(seq 50); do
		[ "$(ps -o stat= -p "$zombie")" != Z ] || break
		sleep 0.1
	done
	run --separate-stderr lab vethpair add v1 --netns "$zombie"
	assert_failure 1
	assert_equal "$stderr" "vethpair: --netns $zombie: process $zombie has ended"
	run link_names lab
	refute_line v1
}

# ---- stops half way ----

# vethpair_with_signal_at SIG N PID: vethpair add for container PID, with
# signal SIG delivered as its Nth netlink request is sent (strace injects
# it): for each N in turn, a stop at every step of its work.
vethpair_with_signal_at() {
	lab strace -o /dev/null -e trace=sendto -e "inject=sendto:signal=$1:when=$2" \
		vethpair add veth-c1 --netns "$3" --bridge ctr0 --bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
}

# link_names CMD...: the names of the links CMD sees (CMD is lab, or
# in_ctr PID), one per line: a name, never a MAC address that holds it.
link_names() {
	"$@" ip -br link show | awk '{ sub(/@.*/, "", $1); print $1 }'
}

# links_in PID: the links here (but lo and the lab's own eth0), and the
# links and routes in container PID (but lo): all that add makes.
links_in() {
	echo "here: $(lab ip -br link show | awk '$1 != "lo" && $1 !~ /^eth0@/ { sub(/@.*/, "", $1); print $1 }' | sort | paste -sd ' ')"
	echo "container: $(in_ctr "$1" ip -br link show | awk '$1 != "lo" { sub(/@.*/, "", $1); print $1 }' | paste -sd ' ')"
	in_ctr "$1" ip route show
}

@test "SIGTERM at any step of add undoes the steps before: nothing is left, or all of it and the exit status is 0" {
	command -v strace >/dev/null || skip "needs strace"
	lab_container c1
	stopped=0 done=0
	for n in $(seq 20); do
		run --separate-stderr vethpair_with_signal_at TERM "$n" "$c1"
		if [ "$status" -eq 0 ]; then
			done=$((done + 1))
			run links_in "$c1"
			assert_output "here: ctr0 veth-c1
container: eth0
default via 192.168.0.1 dev eth0 
192.168.0.0/24 dev eth0 proto kernel scope link src 192.168.0.2 "
			lab vethpair del veth-c1 --bridge ctr0
		else
			stopped=$((stopped + 1))
			assert_equal "$status $stderr" "143 vethpair: stopped by SIGTERM: undoing what was done"
			run links_in "$c1"
			assert_output "here: 
container: "
		fi
	done
	# it was stopped at every step but the last few, and then finished
	[ "$stopped" -ge 10 ]
	[ "$done" -ge 1 ]
}

@test "SIGKILL at a step of add can leave part of it: del with --bridge removes it all" {
	command -v strace >/dev/null || skip "needs strace"
	lab_container c1
	parts_left=0
	for n in $(seq 20); do
		run vethpair_with_signal_at KILL "$n" "$c1"
		run links_in "$c1"
		[ "$output" = $'here: \ncontainer: ' ] || parts_left=$((parts_left + 1))
		lab vethpair del veth-c1 --bridge ctr0
		run links_in "$c1"
		assert_output "here: 
container: "
	done
	# SIGKILL cannot be caught: it did leave parts behind
	[ "$parts_left" -ge 5 ]
}

@test "-v: every call it prints is one strace -f sees (add by pid and by a pinned file, list, del)" {
	command -v strace >/dev/null || skip "no strace"
	lab_container c1
	make_pin_dir
	nsunshare --net="$PINS/net" true
	# Lines that are notes, not calls, left aside:
	# - each netlink message in a readable form, "RTM_NEWLINK(...) {...} = 0".
	#   strace shows it inside a sendto(2), and the kernel's answer inside
	#   a recvmsg(2), decoded as strace's own namespace sees them: an index
	#   as if_nametoindex("ctr0") where strace finds that name, a socket
	#   made in the container as raw bytes (strace cannot tell its
	#   protocol). vethpair cannot know that form.
	# - del's "NAME: no such link, nothing to remove" and "BR still has N
	#   ports: kept", plain words.
	notes=('^RTM_[A-Z]+\(' ': no such link, nothing to remove$' ' still has [0-9]+ ports?: kept$')
	strace_v add "$TOP/scripts/lab" exec vethpair -v add veth-c1 --netns "$c1" --bridge ctr0 \
		--bridge-addr 192.168.0.1/24 --addr 192.168.0.2/24
	[ "$v_status" -eq 0 ]
	run not_seen vethpair add "${notes[@]}"
	assert_output ""
	# the way back is a setns(2) like the first, on the fd opened before
	grep -E -x 'vethpair: openat\(AT_FDCWD, "/proc/self/ns/net", O_RDONLY\|O_CLOEXEC\) = [0-9]+' "$SCRATCH/add.v"
	[ "$(grep -c -E '^vethpair: setns\([0-9]+, CLONE_NEWNET\) = 0$' "$SCRATCH/add.v")" -eq 2 ]
	strace_v file "$TOP/scripts/lab" exec vethpair -v add veth-p --netns "$PINS/net" --mtu 1400 \
		--bridge ctr0 --addr 192.168.0.3/24 --gateway 192.168.0.1
	[ "$v_status" -eq 0 ]
	run not_seen vethpair file "${notes[@]}"
	assert_output ""
	grep -E -x "vethpair: statfs\(\"$PINS/net\", \{f_type=NSFS_MAGIC, .*\}\) = 0" "$SCRATCH/file.v"
	strace_v list "$TOP/scripts/lab" exec vethpair -v list
	[ "$v_status" -eq 0 ]
	run not_seen vethpair list "${notes[@]}"
	assert_output ""
	strace_v del "$TOP/scripts/lab" exec vethpair -v del veth-c1 --bridge ctr0
	[ "$v_status" -eq 0 ]
	run not_seen vethpair del "${notes[@]}"
	assert_output ""
	strace_v again "$TOP/scripts/lab" exec vethpair -v del veth-c1 --bridge ctr0
	[ "$v_status" -eq 0 ]
	run not_seen vethpair again "${notes[@]}"
	assert_output ""
	lab vethpair del veth-p --bridge ctr0
	umount "$PINS/net"
}
