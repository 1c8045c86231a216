#!/usr/bin/env bats
# portmap: NAT for containers (E22, E24), in a lab of each test's own.

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
