#!/usr/bin/env bats
# portmap: NAT for containers (E22, E24), in a lab of each test's own.
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

portmap() {
	"$TOP/scripts/lab" exec portmap "$@"
}

# A container on bridge ctr0 at 192.168.0.$2; its pid in the variable $1.
ctr_on_bridge() {
	lab_container "$1"
	add_ctr "veth-$2" "${!1}" "$2"
}

@test "E22: with masquerade, a container reaches the outside, which sees the host's address" {
	ctr_on_bridge c1 2
	# shellcheck disable=SC2016 # the server expands it
	serve outside 7000 'outside sees $SOCAT_PEERADDR'
	# without NAT the outside has no way back to 192.168.0.2
	run in_ctr "$c1" timeout 2 socat - TCP:203.0.113.254:7000,connect-timeout=1
	assert_failure
	run portmap masq 192.168.0.0/24
	assert_success
	assert_output ""
	run in_ctr "$c1" timeout 5 socat - TCP:203.0.113.254:7000
	assert_success
	assert_output "outside sees 203.0.113.1"
	run lab cat /proc/sys/net/ipv4/ip_forward
	assert_output 1
}

@test "E24: a server in a container answers on the host's port, from outside and from the host itself" {
	ctr_on_bridge c1 2
	# shellcheck disable=SC2016 # the server expands it
	serve "$c1" 80 'hello from the container to $SOCAT_PEERADDR'
	run portmap add 8080 192.168.0.2:80
	assert_success
	run lab --outside timeout 5 socat - TCP:203.0.113.1:8080
	assert_success
	assert_output "hello from the container to 203.0.113.254"
	run lab timeout 5 socat - TCP:203.0.113.1:8080
	assert_success
	assert_output "hello from the container to 203.0.113.1"
	# 127.0.0.1 is not mapped: the answer is a refusal, not a hang
	run lab timeout 5 socat - TCP:127.0.0.1:8080
	assert_failure 1
	assert_output --partial "Connection refused"
}

@test "udp, and --host-ip: one address of the host only" {
	ctr_on_bridge c1 2
	nsenter-lite -t "$c1" -n socat UDP-RECVFROM:53,fork SYSTEM:'echo udp answer' 3>&- &
	CONTAINERS+=("$!")
	lab ip addr add 203.0.113.2/24 dev eth0
	run portmap add 5353 192.168.0.2:53 --proto udp --host-ip 203.0.113.2
	assert_success
	sleep 0.3
	run lab --outside timeout 5 socat -T 2 - UDP:203.0.113.2:5353 <<<ping
	assert_output "udp answer"
	# the other address of the host has no such port: ICMP says so
	run lab --outside timeout 3 socat -T 1 - UDP:203.0.113.1:5353 <<<ping
	refute_output --partial "udp answer"
	assert_output --partial "Connection refused"
	run portmap list
	assert_line --regexp '^udp +203.0.113.2:5353 +192.168.0.2:53$'
}

@test "list shows each mapping and masquerade; del and flush leave nothing" {
	portmap masq 192.168.0.0/24
	portmap masq 10.8.0.0/16 --out eth0
	portmap add 8080 192.168.0.2:80
	portmap add 8443 192.168.0.2:443 --host-ip 203.0.113.1
	run portmap list
	assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.2:80
tcp   203.0.113.1:8443      192.168.0.2:443
masquerade 192.168.0.0/24
masquerade 10.8.0.0/16 out eth0"
	portmap del 8080
	portmap del 8443 --host-ip 203.0.113.1
	portmap del masq 192.168.0.0/24
	portmap del masq 10.8.0.0/16 --out eth0
	run portmap list
	assert_output "PROTO HOST                  CONTAINER"
	run portmap flush
	assert_success
	run lab nft list tables
	assert_output ""
	run portmap -v flush
	assert_success
	assert_output --partial "no table ip ctrkit: nothing to flush"
}

@test "1,000 mappings in one map: added, listed, removed" {
	# (100 under the sanitizer build, which runs each call ten times slower)
	n=${CTRKIT_SAN:+100}
	n=${n:-1000}
	export n
	# shellcheck disable=SC2016 # expanded by the lab's shell
	lab bash -c 'for i in $(seq $n); do portmap add $((20000 + i)) "192.168.0.$((i % 200 + 2)):80" || exit; done'
	run portmap list
	[ "${#lines[@]}" -eq $((n + 1)) ]
	assert_line --regexp "^tcp +\\*:$((20000 + n)) +192.168.0.$((n % 200 + 2)):80\$"
	# one rule per hook, whatever the number of mappings
	[ "$(lab nft list chain ip ctrkit prerouting | grep -c dnat)" -eq 2 ]
	# shellcheck disable=SC2016
	lab bash -c 'for i in $(seq $n); do portmap del $((20000 + i)) || exit; done'
	run portmap list
	[ "${#lines[@]}" -eq 1 ]
	portmap flush
	run lab nft list tables
	assert_output ""
}

@test "--dry-run prints the nft commands and changes nothing; --iptables prints the article's" {
	run portmap --dry-run add 8080 192.168.0.2:80
	assert_success
	assert_line "add table ip ctrkit"
	assert_line "add rule ip ctrkit prerouting fib daddr type local dnat ip to meta l4proto . th dport map @ports"
	assert_line "create element ip ctrkit ports { tcp . 8080 : 192.168.0.2 . 80 }"
	run lab nft list tables
	assert_output ""
	run lab cat /proc/sys/net/ipv4/ip_forward
	assert_output 0
	run portmap --iptables add 8080 192.168.0.2:80
	assert_output "iptables -t nat -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80
iptables -t nat -A OUTPUT -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80
sysctl -w net.ipv4.ip_forward=1"
	run portmap --iptables masq 192.168.0.0/24
	assert_output "iptables -t nat -A POSTROUTING -s 192.168.0.0/24 ! -d 192.168.0.0/24 -j MASQUERADE
sysctl -w net.ipv4.ip_forward=1"
	run portmap --iptables flush
	assert_line --index 0 "# these empty the whole chains, other programs' rules too"
	assert_line "iptables -t nat -F POSTROUTING"
	run lab nft list tables
	assert_output ""
}

@test "-v shows each nft command as it is sent" {
	run --separate-stderr portmap -v add 8080 192.168.0.2:80
	assert_success
	[[ $stderr == *"portmap: nft add map ip ctrkit ports { type inet_proto . inet_service : ipv4_addr . inet_service; }"* ]]
	[[ $stderr == *"portmap: nft create element ip ctrkit ports { tcp . 8080 : 192.168.0.2 . 80 }"* ]]
	[[ $stderr == *'write('*', "1", 1) = 1'* ]]
}

@test "bad input: one line each, and nothing changed; deleting what is not there is fine" {
	portmap add 8080 192.168.0.2:80
	expect_errors portmap \
		"2|add 0 192.168.0.2:80|host port '0': a port is a number from 1 to 65535 (see portmap --help)" \
		"2|add 65536 192.168.0.2:80|host port '65536': a port is a number from 1 to 65535 (see portmap --help)" \
		"2|add 80 192.168.0.2:99999|container port '99999': a port is a number from 1 to 65535 (see portmap --help)" \
		"2|add 80 192.168.0.2|'192.168.0.2': want the container's IP:PORT (192.168.0.2:80) (see portmap --help)" \
		"2|add 80 ctr:80|'ctr:80': 'ctr' is not an IPv4 address (see portmap --help)" \
		"2|add 80 192.168.0.2:80 --proto sctp|--proto 'sctp': tcp or udp (see portmap --help)" \
		"2|add 80 192.168.0.2:80 --host-ip 1.2.3|--host-ip '1.2.3': not an IPv4 address (see portmap --help)" \
		"2|masq 192.168.0.0|'192.168.0.0' is not a subnet (192.168.0.0/24) (see portmap --help)" \
		"2|masq 192.168.0.0/33|'192.168.0.0/33' is not a subnet (192.168.0.0/24) (see portmap --help)" \
		"2|masq 300.1.1.0/24|'300.1.1.0/24' is not a subnet (192.168.0.0/24) (see portmap --help)" \
		"2|add 80 192.168.0.2:80 --out eth0|--out is for masq (see portmap --help)" \
		"1|add 8080 192.168.0.3:80|tcp port 8080 is mapped already, to 192.168.0.2:80 (portmap del 8080 first)" \
		"2|list extra|list takes no argument (see portmap --help)" \
		"2|frob|unknown command 'frob' (masq, add, del, list or flush) (see portmap --help)" \
		"2||give a command: masq, add, del, list or flush (see portmap --help)"
	run portmap list
	assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.2:80"
	portmap masq 192.168.0.0/24
	run portmap masq 192.168.0.7/24
	assert_failure 1
	assert_output "portmap: 192.168.0.0/24 is masqueraded already (portmap del masq 192.168.0.0/24 first)"
	run portmap -v del 9999
	assert_success
	assert_output --partial "tcp port 9999 is not mapped: nothing to delete"
	run portmap -v del masq 10.0.0.0/8
	assert_success
	assert_output --partial "no masquerade for 10.0.0.0/8: nothing to delete"
}

@test "the machine's own network namespace is untouched by all of it" {
	before=$(ip -o link; ip route; nft list ruleset 2>/dev/null; cat /proc/sys/net/ipv4/ip_forward)
	ctr_on_bridge c1 2
	portmap masq 192.168.0.0/24
	portmap add 8080 192.168.0.2:80
	[ "$(ip -o link; ip route; nft list ruleset 2>/dev/null; cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}

# ---- many at once, and stops half way ----

# at_once N SCRIPT: runs N copies of the shell SCRIPT in the lab's host,
# all let go at the same moment ($1 in SCRIPT is the copy's number, 1 to
# N), waits for all, and prints one line per copy, in order: its exit
# status, then what it printed, if anything. The copies wait for a shared
# flock of $SCRATCH/go, which this shell holds exclusively until every
# copy is there: letting go of it wakes them all at once.
at_once() {
	local n=$1 i go status out pids=()
	exec {go}>"$SCRATCH/go"
	flock -x "$go"
	for i in $(seq "$n"); do
		# shellcheck disable=SC2016 # expanded by the copy's shell
		GO=$SCRATCH/go SCRIPT=$2 "$TOP/scripts/lab" exec \
			bash -c 'touch "$GO.$1"; flock -s "$GO" true; eval "$SCRIPT"' copy "$i" \
			>"$SCRATCH/at_once.$i" 2>&1 3>&- {go}>&- &
		pids+=("$!")
	done
	for _ in $(seq 100); do
		[ "$(find "$SCRATCH" -name 'go.*' | wc -l)" -lt "$n" ] || break
		sleep 0.1
	done
	sleep 0.2 # the last one, from its touch to its flock
	flock -u "$go"
	exec {go}>&-
	for i in $(seq "$n"); do
		status=0
		wait "${pids[i - 1]}" || status=$?
		out=$(paste -sd ' ' "$SCRATCH/at_once.$i")
		echo "$status${out:+ $out}"
	done
	rm -f "$SCRATCH"/go*
}

# The table's four dnat rules, each there once.
assert_base_rules_once() {
	run lab nft list table ip ctrkit
	assert_success
	[ "$(grep -c 'dnat ip to' <<<"$output")" -eq 4 ]
}

@test "eight portmaps map one port at once: one wins, seven say it is taken, the table is made once" {
	# shellcheck disable=SC2016 # $1 is each copy's number
	run at_once 8 'portmap add 8080 192.168.0.1$1:80'
	[ "${#lines[@]}" -eq 8 ]
	[ "$(grep -c '^0$' <<<"$output")" -eq 1 ]
	winner=$(grep -n '^0$' <<<"$output" | cut -d: -f1)
	for line in "${lines[@]}"; do
		[ "$line" = 0 ] ||
			assert_equal "$line" "1 portmap: tcp port 8080 is mapped already, to 192.168.0.1$winner:80 (portmap del 8080 first)"
	done
	run portmap list
	assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.1$winner:80"
	assert_base_rules_once
}

@test "twelve portmaps map and unmap one port at once: each add works or says the port is taken, and nothing is left" {
	# shellcheck disable=SC2016 # $1 is each copy's number
	run at_once 12 'portmap add 8080 192.168.0.$1:80 && portmap del 8080'
	[ "${#lines[@]}" -eq 12 ]
	grep -q '^0$' <<<"$output"
	for line in "${lines[@]}"; do
		[ "$line" = 0 ] ||
			[[ $line =~ ^1\ portmap:\ tcp\ port\ 8080\ is\ mapped\ already,\ to\ 192\.168\.0\.[0-9]+:80\ \(portmap\ del\ 8080\ first\)$ ]] ||
			{ echo "unexpected: $line"; return 1; }
	done
	run portmap list
	assert_output "PROTO HOST                  CONTAINER"
	assert_base_rules_once
}

@test "twelve portmaps map and unmap twelve ports at once: all work, and nothing is left" {
	# shellcheck disable=SC2016 # $1 is each copy's number
	run at_once 12 'portmap add $((9000 + $1)) 192.168.0.$1:80 && portmap del $((9000 + $1))'
	assert_output "$(printf '0\n%.0s' $(seq 12))"
	run portmap list
	assert_output "PROTO HOST                  CONTAINER"
	assert_base_rules_once
}

@test "eight first calls at once on an empty namespace: all work, and the table is made once" {
	run lab nft list tables
	assert_output ""
	# four mappings and four masquerades ($1 is each copy's number)
	# shellcheck disable=SC2016
	run at_once 8 'if [ $(($1 % 2)) = 1 ]; then portmap add 800$1 192.168.0.$1:80; else portmap masq 10.$1.0.0/16; fi'
	assert_output "$(printf '0\n%.0s' $(seq 8))"
	run portmap list
	assert_success
	# the order of a map's elements, and of rules added at once, is the kernel's
	run sort <<<"$output"
	assert_output "PROTO HOST                  CONTAINER
masquerade 10.2.0.0/16
masquerade 10.4.0.0/16
masquerade 10.6.0.0/16
masquerade 10.8.0.0/16
tcp   *:8001                192.168.0.1:80
tcp   *:8003                192.168.0.3:80
tcp   *:8005                192.168.0.5:80
tcp   *:8007                192.168.0.7:80"
	assert_base_rules_once
}

# hold_lock: something else holds portmap's lock in the lab (flock(1) on
# the namespace's file, where portmap takes it) until release_lock.
hold_lock() {
	"$TOP/scripts/lab" exec flock -o /proc/self/ns/net sleep 60 3>&- &
	HOLDER=$!
	CONTAINERS+=("$HOLDER")
	for _ in $(seq 100); do
		lab flock -n /proc/self/ns/net true || return 0
		sleep 0.1
	done
	echo "flock never took the lock" >&2
	return 1
}

release_lock() {
	kill "$(pgrep -P "$HOLDER")"
	wait "$HOLDER" || true
}

# wait_for_text FILE TEXT: until FILE holds TEXT (10 s at most).
wait_for_text() {
	for _ in $(seq 100); do
		grep -qF "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no '$2' in $1: $(cat "$1")" >&2
	return 1
}

@test "a portmap waits while another holds the lock; one stopped while it waits changes nothing" {
	hold_lock
	"$TOP/scripts/lab" exec portmap -v add 8080 192.168.0.2:80 2>"$SCRATCH/first" 3>&- &
	first=$!
	"$TOP/scripts/lab" exec portmap -v add 8081 192.168.0.3:80 2>"$SCRATCH/second" 3>&- &
	second=$!
	CONTAINERS+=("$first" "$second")
	wait_for_text "$SCRATCH/first" 'openat(AT_FDCWD, "/proc/self/ns/net", O_RDONLY|O_CLOEXEC) = '
	wait_for_text "$SCRATCH/second" 'openat(AT_FDCWD, "/proc/self/ns/net", O_RDONLY|O_CLOEXEC) = '
	sleep 0.5
	# both wait in flock(2), before they read anything
	run grep -c 'flock(' "$SCRATCH/first" "$SCRATCH/second"
	assert_output "$SCRATCH/first:0
$SCRATCH/second:0"
	run lab nft list tables
	assert_output ""
	kill -TERM "$second"
	status=0
	wait "$second" || status=$?
	[ "$status" -eq 143 ]
	run tail -n 1 "$SCRATCH/second"
	assert_output "portmap: stopped by SIGTERM: undoing what was done"
	release_lock
	wait "$first"
	run grep -E '^portmap: flock\([0-9]+, LOCK_EX\) = 0$' "$SCRATCH/first"
	assert_success
	run portmap list
	assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.2:80"
}

# A signal at the Nth netlink send of portmap (strace delivers it as the
# call starts), for each N in turn: a stop at every step of its work.
portmap_with_signal_at() {
	lab strace -o /dev/null -e trace=sendto,sendmsg -e "inject=sendto:signal=$1:when=$2" \
		portmap add 8080 192.168.0.2:80
}

@test "SIGTERM at any step of a first add: nothing is left, or the whole mapping and the exit status is 0" {
	command -v strace >/dev/null || skip "needs strace"
	stopped=0 done=0
	for n in $(seq 30); do
		run --separate-stderr portmap_with_signal_at TERM "$n"
		if [ "$status" -eq 0 ]; then
			done=$((done + 1))
			run portmap list
			assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.2:80"
			assert_base_rules_once
			portmap flush
		else
			stopped=$((stopped + 1))
			assert_equal "$status $stderr" "143 portmap: stopped by SIGTERM: undoing what was done"
			run lab nft list tables
			assert_output ""
		fi
	done
	# it was stopped at some steps, and at the others finished
	[ "$stopped" -ge 2 ]
	[ "$done" -ge 1 ]
}

@test "SIGKILL at any step of a first add leaves the whole mapping or nothing, and del and flush clean it" {
	command -v strace >/dev/null || skip "needs strace"
	for n in $(seq 30); do
		run portmap_with_signal_at KILL "$n"
		run lab nft list tables
		if [ -n "$output" ]; then
			# never a table without the mapping it was made for
			run portmap list
			assert_output "PROTO HOST                  CONTAINER
tcp   *:8080                192.168.0.2:80"
			assert_base_rules_once
		fi
		portmap del 8080
		run portmap list
		assert_output "PROTO HOST                  CONTAINER"
		portmap flush
		run lab nft list tables
		assert_output ""
	done
}

@test "-v: every call it prints is one strace -f sees (masq, add, list, del, flush)" {
	command -v strace >/dev/null || skip "no strace"
	# Lines that are notes, not calls, left aside:
	# - "nft COMMAND": the nft text portmap hands libnftables, which
	#   sends it as nfnetlink messages in a sendmsg(2) that strace shows
	#   as bytes (and the answers in recvmsg(2)), never as that text;
	# - "... : nothing to delete", "... : nothing to flush", plain words.
	notes=('^nft ' ': nothing to (delete|flush)$')
	steps=(
		"masq|masq 192.168.0.0/24"
		"add|add 8080 192.168.0.2:80"
		"udp|add 5353 192.168.0.2:53 --proto udp --host-ip 203.0.113.1"
		"list|list"
		"del|del 8080"
		"none|del 9999"
		"unmasq|del masq 192.168.0.0/24"
		"flush|flush"
		"again|flush"
	)
	for step in "${steps[@]}"; do
		read -r -a args <<<"${step#*|}"
		strace_v "${step%%|*}" "$TOP/scripts/lab" exec portmap -v "${args[@]}"
		[ "$v_status" -eq 0 ]
		run not_seen portmap "${step%%|*}" "${notes[@]}"
		assert_output ""
	done
	# the lock, and the sysctl read (and written, where it was 0)
	grep -E -x 'portmap: flock\([0-9]+, LOCK_EX\) = 0' "$SCRATCH/add.v"
	grep -E -x 'portmap: read\([0-9]+, "[01]\\n", 7\) = 2' "$SCRATCH/masq.v"
}
