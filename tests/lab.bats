#!/usr/bin/env bats
# scripts/lab: the throwaway network the networking lessons and tests use.

load helpers

setup() {
	make_scratch
}

teardown() {
	cleanup_scratch
	lab_down
}

machine() {
	ip -o link
	ip -o addr
	ip route
	nft list ruleset 2>/dev/null
	sysctl net.ipv4.ip_forward
}

@test "up: a host and an outside, linked, in namespaces of their own; the machine's own untouched" {
	before=$(machine)
	lab_up
	run lab ip -4 -o addr show dev eth0
	assert_output --partial "inet 203.0.113.1/24"
	run lab ip route show default
	assert_output "default via 203.0.113.254 dev eth0 "
	run lab --outside ip -4 -o addr show dev eth0
	assert_output --partial "inet 203.0.113.254/24"
	run lab ping -c 1 -W 2 203.0.113.254
	assert_success
	# the outside has no route to any container subnet
	run lab --outside ip route
	assert_output "203.0.113.0/24 dev eth0 proto kernel scope link src 203.0.113.254 "
	[ "$(machine)" = "$before" ]
}

@test "up: the lab forwards nothing until a lesson turns ip_forward on, even where the machine forwards" {
	# A new namespace copies ip_forward from the machine's own, which a
	# Docker host has on: lessons 14 and 15 show it off at first.
	lab_up
	run lab sysctl -n net.ipv4.ip_forward
	assert_output 0
	run lab --outside sysctl -n net.ipv4.ip_forward
	assert_output 0
}

@test "down removes it all, and stops what ran in it; twice is fine" {
	lab_up
	lab --outside sleep 600 3>&- &
	sleeper=$!
	run "$TOP/scripts/lab" down
	assert_success
	[ ! -e "/run/netns/$LAB-host" ]
	[ ! -e "/run/netns/$LAB-out" ]
	wait "$sleeper" || true
	run ! kill -0 "$sleeper"
	run "$TOP/scripts/lab" down
	assert_success
}

@test "up twice, exec with no lab, an unknown command: one line each" {
	lab_up
	run "$TOP/scripts/lab" up
	assert_failure 1
	assert_output "lab: lab $LAB is up already (scripts/lab down first)"
	lab ping -c 1 -W 2 203.0.113.254 >/dev/null
	run env CTRKIT_LAB=ctrkit-test-nolab "$TOP/scripts/lab" exec true
	assert_failure 1
	assert_output "lab: lab ctrkit-test-nolab is not up (scripts/lab up)"
	run "$TOP/scripts/lab" frob
	assert_failure 2
	assert_output "lab: unknown command 'frob' (up, down, exec or show)"
	run "$TOP/scripts/lab"
	assert_failure 2
	assert_output "lab: give a command: up, down, exec or show (scripts/lab --help)"
}
