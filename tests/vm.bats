#!/usr/bin/env bats
# scripts/vm: the accelerator it picks (make test-v2 runs the VM itself). A /dev/kvm that qemu cannot use
# (it aborts, or the guest prints nothing) must not fail the VM lane: a
# test boot decides, and software (tcg) is the fallback.

load helpers

setup() {
	need_root
	command -v qemu-system-x86_64 >/dev/null || skip "qemu is missing: scripts/deps vm"
	[ -n "$(ls /boot/vmlinuz-* 2>/dev/null)" ] || skip "no kernel in /boot: scripts/deps vm"
	# the VM's files (initramfs, disk, console log) in this test's own place
	export CTRKIT_VM_BUILD=$BATS_TEST_TMPDIR/build-vm
}

@test "an accelerator forced by CTRKIT_VM_ACCEL is used with no test boot; a bad one is one line" {
	CTRKIT_VM_ACCEL=tcg run "$TOP/scripts/vm" --probe
	assert_success
	assert_output "vm: accelerator: tcg (CTRKIT_VM_ACCEL=tcg)"
	[ ! -e "$CTRKIT_VM_BUILD/probe" ]
	CTRKIT_VM_ACCEL=fast run "$TOP/scripts/vm" --probe
	assert_failure 1
	assert_output "vm: CTRKIT_VM_ACCEL=fast: want kvm, tcg or auto"
}

@test "a test boot that prints nothing in time falls back to tcg, and says so" {
	CTRKIT_VM_PROBE_ACCEL=tcg CTRKIT_VM_PROBE_TIMEOUT=0.5 run "$TOP/scripts/vm" --probe
	assert_success
	assert_output "vm: accelerator: tcg (a test boot with tcg printed nothing in 0.5 s)"
}

@test "a test boot prints its marker, and that accelerator is chosen" {
	# in software on a busy machine the firmware and the kernel take 10-20 s
	CTRKIT_VM_PROBE_ACCEL=tcg CTRKIT_VM_PROBE_TIMEOUT=50 run "$TOP/scripts/vm" --probe
	assert_success
	assert_output --regexp '^vm: accelerator: tcg \(a test boot with tcg printed its marker in [0-9]+ s\)$'
	run grep -c "ctrkit-vm-probe: the guest runs" "$CTRKIT_VM_BUILD/probe/console.log"
	assert_output 1
}

@test "an accelerator qemu rejects falls back to tcg, and says why" {
	CTRKIT_VM_PROBE_ACCEL=bogus run "$TOP/scripts/vm" --probe
	assert_success
	assert_output "vm: accelerator: tcg (a test boot with bogus failed: qemu-system-x86_64: -accel bogus: invalid accelerator bogus)"
}
