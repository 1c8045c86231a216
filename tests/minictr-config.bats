#!/usr/bin/env bats
# minictr-config: an OCI config.json as shell assignments, which minictr
# evals as root. A config.json comes from an image or an engine: hostile
# strings must come back from eval exactly as jq reads them, and bad
# input must give one line on stderr, status 1 and no output at all.
# the $(...) and backticks in single quotes are the attack, not for us:
# shellcheck disable=SC2016

load helpers

setup() {
	make_scratch
	# expect_errors passes its arguments as words: short names, here
	cd "$SCRATCH" || return
}

teardown() {
	cleanup_scratch
}

# json FILE TEXT: TEXT as it is (a \u0000 in it stays six characters).
json() {
	printf '%s' "$2" >"$1"
}

# The variables minictr reads that hold strings from the config.
VARS=(args envs cwd hostname rootfs cgroups_path cpuset seccomp_given init
	mounts sysctls masked readonly_paths caps ambient namespaces)

# What jq reads from FILE, as the same assignments quoted by jq's @sh:
# the reference that minictr-config's own quoting is compared with.
jq_assignments() {
	jq -r '
	"args=(\(.process.args | @sh))",
	"envs=(\(.process.env | @sh))",
	"cwd=\(.process.cwd | @sh)",
	"hostname=\(.hostname | @sh)",
	"rootfs=\(.root.path | @sh)",
	"cgroups_path=\(.linux.cgroupsPath | @sh)",
	"cpuset=\(.linux.resources.cpu.cpus | @sh)",
	"seccomp_given=\(.annotations["org.ctrkit.seccomp"] | @sh)",
	"init=\(.annotations["org.ctrkit.init"] | @sh)",
	"mounts=(\([.mounts[] | [.type, .source, .destination, (.options | join(","))] | join("\u0001")] | @sh))",
	"sysctls=(\([.linux.sysctl | to_entries[] | "\(.key)=\(.value)"] | @sh))",
	"masked=(\(.linux.maskedPaths | @sh))",
	"readonly_paths=(\(.linux.readonlyPaths | @sh))",
	"caps=\(.process.capabilities.bounding | map(ascii_downcase) | join(",") | @sh)",
	"ambient=\(.process.capabilities.ambient | map(ascii_downcase) | join(",") | @sh)",
	"namespaces=(\([.linux.namespaces[] | "\(.type)=\(.path // "")"] | @sh))"
	' "$1"
}

# evaled FILE: the variables, after a fresh "set -eu" bash evals FILE.
evaled() {
	bash -c 'set -eu; eval "$(cat "$1")"; shift; declare -p "$@"' _ "$1" "${VARS[@]}"
}

@test "hostile strings come back from eval exactly as jq reads them, and run nothing" {
	local long s
	long=$(printf 'x%.0s' $(seq 70000))
	s=("it's" "'\\''" "\$(touch $SCRATCH/pwned1)" "\`touch $SCRATCH/pwned2\`"
		"'; touch $SCRATCH/pwned3; '" "' ) ; touch $SCRATCH/pwned4 ; ( '" $'a\nb\n' "$long"
		"\"\\\\" "ends in \\" '${HOME} * ~ -x !! $((1+1)) $1 "$@"' $'\t\r\x01\x1b\x1f\x7f' "é 漢 😀 "$'\u2028'
		'' "''''" "'" "\$'\\x41'" ')' '-')
	# a mount may not hold \001 or a newline (see below): its are the others
	jq -n --args '$ARGS.positional as $s | ($s | map(select(test("[\n\u0001]") | not))) as $m | {
	  process: {args: $s, env: ($s | map("K=" + .)), cwd: ("/" + ($s | join("/"))),
	            capabilities: {bounding: ($s | map("CAP_" + .)), ambient: $s}},
	  root: {path: $s[2]},
	  hostname: ($s | join("|")),
	  mounts: [$m[] | {destination: ("/d" + .), type: ("t" + .), source: ("/s" + .), options: [., "ro", .]}],
	  linux: {namespaces: [{type: "mount"}, {type: "network", path: ("/p" + ($m | join("")))}],
	          cgroupsPath: $s[3], sysctl: ($s | to_entries | map({key: ("k\(.key)" + .value), value: .value}) | from_entries),
	          maskedPaths: $s, readonlyPaths: $s, resources: {cpu: {cpus: $s[0]}}},
	  annotations: {"org.ctrkit.seccomp": ($s | join("")), "org.ctrkit.init": $s[1]}
	}' "${s[@]}" >config.json

	minictr-config config.json >ours
	jq_assignments config.json >theirs
	evaled ours >ours.vars
	evaled theirs >theirs.vars
	# the strings are all there (not two empty sides that agree)
	grep -qF "$long" ours.vars
	grep -qF "ends in \\" ours.vars
	diff theirs.vars ours.vars
	run ls "$SCRATCH"
	refute_output --partial pwned
}

@test "a config from runc spec, with a quote in its command: the values minictr uses" {
	runc spec
	jq '.process.args += ["-c", "echo '\''$HOME'\'' \"$(id)\""]' config.json >quoted.json
	run --separate-stderr minictr-config quoted.json
	assert_success
	[ -z "$stderr" ]
	# shellcheck disable=SC1090 # the output under test
	source <(printf '%s\n' "$output")
	assert_equal "${#args[@]}" 3
	assert_equal "${args[*]}" "sh -c echo '\$HOME' \"\$(id)\""
	assert_equal "$terminal $cwd $uid $gid $rootfs $readonly" "true / 0 0 rootfs true"
	assert_equal "$hostname" "runc"
	assert_equal "${#mounts[@]}" "$(jq '.mounts | length' config.json)"
	assert_equal "${mounts[0]}" $'proc\001proc\001/proc\001'
	assert_equal "$unsupported" ""
}

@test "a NUL (\\u0000) in a string is refused with the field's name, never cut short" {
	json args.json '{"process":{"args":["/bin/sh\u0000-c evil"]}}'
	json env.json '{"process":{"env":["A=1\u0000"]}}'
	json cwd.json '{"process":{"cwd":"/\u0000x"}}'
	json host.json '{"hostname":"a\u0000b"}'
	json root.json '{"root":{"path":"\u0000"}}'
	json caps.json '{"process":{"capabilities":{"bounding":["CAP_KILL\u0000"]}}}'
	json dst.json '{"mounts":[{"destination":"/x\u0000/y"}]}'
	json src.json '{"mounts":[{"destination":"/x","source":"/\u0000"}]}'
	json opt.json '{"mounts":[{"destination":"/x","options":["ro\u0000"]}]}'
	json ns.json '{"linux":{"namespaces":[{"type":"network","path":"/p\u0000"}]}}'
	json sysctl.json '{"linux":{"sysctl":{"kernel.x":"1\u0000"}}}'
	json seccomp.json '{"annotations":{"org.ctrkit.seccomp":"/x\u0000"}}'
	json masked.json '{"linux":{"maskedPaths":["/a","/b\u0000"]}}'
	# a key cut at its NUL would be a second "process", the one that counts
	json key.json '{"process":{"args":["good"]},"process\u0000x":{"args":["evil"]}}'
	json sysctlkey.json '{"linux":{"sysctl":{"kernel.x\u0000y":"1"}}}'
	json hookenv.json '{"hooks":{"prestart":[{"path":"/x","env":["A=\u0000"]}]}}'
	expect_errors minictr-config \
		"1|args.json|args.json: process.args: a string with a NUL (\u0000) in it" \
		"1|env.json|env.json: process.env: a string with a NUL (\u0000) in it" \
		"1|cwd.json|cwd.json: process.cwd: a string with a NUL (\u0000) in it" \
		"1|host.json|host.json: hostname: a string with a NUL (\u0000) in it" \
		"1|root.json|root.json: root.path: a string with a NUL (\u0000) in it" \
		"1|caps.json|caps.json: process.capabilities.bounding: a string with a NUL (\u0000) in it" \
		"1|dst.json|dst.json: mounts: a string with a NUL (\u0000) in it" \
		"1|src.json|src.json: mounts: a string with a NUL (\u0000) in it" \
		"1|opt.json|opt.json: mounts: a string with a NUL (\u0000) in it" \
		"1|ns.json|ns.json: linux.namespaces: a string with a NUL (\u0000) in it" \
		"1|sysctl.json|sysctl.json: linux.sysctl: a string with a NUL (\u0000) in it" \
		"1|seccomp.json|seccomp.json: annotations: a string with a NUL (\u0000) in it" \
		"1|masked.json|masked.json: linux.maskedPaths: a string with a NUL (\u0000) in it" \
		"1|key.json|key.json: a key or string holds a NUL (\u0000), at byte 37" \
		"1|sysctlkey.json|sysctlkey.json: a key or string holds a NUL (\u0000), at byte 29" \
		"1|hookenv.json|hookenv.json: a key or string holds a NUL (\u0000), at byte 45"
	# and a \\u0000 that is not one (an escaped backslash) is text
	json text.json '{"process":{"args":["\\u0000"]}}'
	run minictr-config text.json
	assert_success
	assert_line 'args=('\''\u0000'\'')'
}

@test "a mount field with \\u0001 (the separator minictr splits at) or a newline is refused" {
	json dst.json '{"mounts":[{"destination":"/x\u0001/etc","source":"/y"}]}'
	json src.json '{"mounts":[{"destination":"/x","source":"/y\u0001"}]}'
	json type.json '{"mounts":[{"destination":"/x","type":"bind\u0001"}]}'
	json opt.json '{"mounts":[{"destination":"/x","options":["rbind","ro\u0001x"]}]}'
	json nl.json '{"mounts":[{"destination":"/x\n","options":["ro"]}]}'
	json nlopt.json '{"mounts":[{"destination":"/x","options":["rw\nro"]}]}'
	json rlimit.json '{"process":{"rlimits":[{"type":"RLIMIT_NOFILE 1","soft":1,"hard":1}]}}'
	json idmap.json '{"linux":{"uidMappings":[{"hostID":"1,2","containerID":0,"size":1}]}}'
	expect_errors minictr-config \
		"1|dst.json|dst.json: mounts: a field holds \u0001 or a newline" \
		"1|src.json|src.json: mounts: a field holds \u0001 or a newline" \
		"1|type.json|type.json: mounts: a field holds \u0001 or a newline" \
		"1|opt.json|opt.json: mounts: a field holds \u0001 or a newline" \
		"1|nl.json|nl.json: mounts: a field holds \u0001 or a newline" \
		"1|nlopt.json|nlopt.json: mounts: a field holds \u0001 or a newline" \
		"1|rlimit.json|rlimit.json: process.rlimits: a field holds a separator or a newline" \
		"1|idmap.json|idmap.json: linux.uidMappings: a field holds a separator or a newline"
}

@test "files that are not a config.json: one line, status 1, and no wait on a FIFO" {
	mkdir dir
	mkfifo fifo
	: >empty.json
	truncate -s 17M big.json
	json ws.json '  '
	printf '{"a":1}\0{"process":{"args":["evil"]}}' >nul.json
	printf '{"a":"\xff"}' >utf8.json
	printf '\xef\xbb\xbf{}' >bom.json
	printf '%10000s' '' | tr ' ' '[' >deep.json
	json trailing.json '{} x'
	json two.json '{}{}'
	json squote.json '{"a":"b", '\''c'\'': 1}'
	json comment.json '{/* c */}'
	json comma.json '{"a":[1,]}'
	json zero.json '{"a":012}'
	json array.json '[]'
	json string.json '"x"'
	json null.json 'null'
	json number.json '1'
	json cut.json '{"process":{"args":["sh"'
	run timeout 5 minictr-config fifo
	assert_equal "$status $output" "1 minictr-config: fifo: not a regular file"
	expect_errors minictr-config \
		"2||give one config.json (see minictr-config --help)" \
		"2|a.json b.json|give one config.json (see minictr-config --help)" \
		"2|-x|give one config.json (see minictr-config --help)" \
		"1|nope.json|cannot open nope.json: No such file or directory" \
		"1|dir|dir: not a regular file" \
		"1|/dev/zero|/dev/zero: not a regular file" \
		"1|big.json|big.json: larger than 16 MiB" \
		"1|empty.json|empty.json: not valid JSON: unexpected end of data" \
		"1|ws.json|ws.json: not valid JSON: unexpected end of data" \
		"1|nul.json|nul.json: not valid JSON: a NUL byte, at byte 7" \
		"1|utf8.json|utf8.json: not valid JSON: invalid utf-8 string, at byte 6" \
		"1|bom.json|bom.json: not valid JSON: invalid utf-8 string, at byte 0" \
		"1|deep.json|deep.json: not valid JSON: nesting too deep, at byte 32" \
		"1|trailing.json|trailing.json: not valid JSON: unexpected character, at byte 3" \
		"1|two.json|two.json: not valid JSON: unexpected character, at byte 2" \
		"1|squote.json|squote.json: not valid JSON: a string in single quotes, at byte 10" \
		"1|comment.json|comment.json: not valid JSON: quoted object property name expected, at byte 1" \
		"1|comma.json|comma.json: not valid JSON: unexpected character, at byte 8" \
		"1|zero.json|zero.json: not valid JSON: number expected, at byte 8" \
		"1|array.json|array.json: not a JSON object" \
		"1|string.json|string.json: not a JSON object" \
		"1|null.json|null.json: not a JSON object" \
		"1|number.json|number.json: not a JSON object" \
		"1|cut.json|cut.json: not valid JSON: unexpected end of data"
}

@test "numbers: ids are 0 to 2^32-2, limits are integers (no NaN, 1.5 or 1e400)" {
	json uid-neg.json '{"process":{"user":{"uid":-1}}}'
	json uid-big.json '{"process":{"user":{"uid":4294967295}}}'
	json uid-huge.json '{"process":{"user":{"uid":18446744073709551616}}}'
	json uid-str.json '{"process":{"user":{"uid":"0"}}}'
	json gid-frac.json '{"process":{"user":{"gid":1.5}}}'
	json groups.json '{"process":{"user":{"additionalGids":[1,-1]}}}'
	json mem-frac.json '{"linux":{"resources":{"memory":{"limit":1.5}}}}'
	json mem-inf.json '{"linux":{"resources":{"memory":{"swap":1e400}}}}'
	json cpu-nan.json '{"linux":{"resources":{"cpu":{"quota":NaN}}}}'
	json pids-inf.json '{"linux":{"resources":{"pids":{"limit":-Infinity}}}}'
	json oom-str.json '{"process":{"oomScoreAdj":"1; id"}}'
	expect_errors minictr-config \
		"1|uid-neg.json|uid-neg.json: process.user.uid: not a uid or gid (0 to 4294967294)" \
		"1|uid-big.json|uid-big.json: process.user.uid: not a uid or gid (0 to 4294967294)" \
		"1|uid-huge.json|uid-huge.json: process.user.uid: not a uid or gid (0 to 4294967294)" \
		"1|uid-str.json|uid-str.json: process.user.uid: not a uid or gid (0 to 4294967294)" \
		"1|gid-frac.json|gid-frac.json: process.user.gid: not a uid or gid (0 to 4294967294)" \
		"1|groups.json|groups.json: process.user.additionalGids: a number out of the range of ids (0 to 4294967294)" \
		"1|mem-frac.json|mem-frac.json: linux.resources.memory.limit: not an integer" \
		"1|mem-inf.json|mem-inf.json: linux.resources.memory.swap: not an integer" \
		"1|cpu-nan.json|cpu-nan.json: linux.resources.cpu.quota: not an integer" \
		"1|pids-inf.json|pids-inf.json: linux.resources.pids.limit: not an integer" \
		"1|oom-str.json|oom-str.json: process.oomScoreAdj: not an integer"
	# the extremes that are numbers stay whole; -0 is 0
	json ok.json '{"process":{"user":{"uid":4294967294,"gid":-0},"oomScoreAdj":-1000,
		"rlimits":[{"type":"RLIMIT_NOFILE","soft":18446744073709551615,"hard":18446744073709551615}]},
		"linux":{"resources":{"memory":{"limit":9223372036854775807,"swap":-1}}}}'
	run minictr-config ok.json
	assert_success
	assert_line "uid='4294967294'"
	assert_line "gid='0'"
	assert_line "oom_score_adj='-1000'"
	assert_line "rlimits=('RLIMIT_NOFILE 18446744073709551615 18446744073709551615')"
	assert_line "mem_limit='9223372036854775807'"
	assert_line "mem_swap='-1'"
}

@test "a field of the wrong JSON type is refused with its name" {
	local c cases=(
		'{"process":"sh"}|process: a JSON string, not object'
		'{"process":{"user":[]}}|process.user: a JSON array, not object'
		'{"linux":{"resources":[]}}|linux.resources: a JSON array, not object'
		'{"process":{"args":"sh"}}|process.args: a JSON string, not array'
		'{"process":{"args":["sh",1]}}|process.args: an array of strings, not of other values'
		'{"process":{"env":{}}}|process.env: a JSON object, not array'
		'{"process":{"cwd":1}}|process.cwd: a JSON int, not string'
		'{"process":{"terminal":"yes"}}|process.terminal: a JSON string, not boolean'
		'{"process":{"capabilities":{"bounding":"CAP_KILL"}}}|process.capabilities.bounding: a JSON string, not array'
		'{"process":{"rlimits":[1]}}|process.rlimits: an array of objects, not of other values'
		'{"process":{"rlimits":[{"type":"RLIMIT_CPU","soft":{}}]}}|process.rlimits: a field of an element is an object'
		'{"hostname":[]}|hostname: a JSON array, not string'
		'{"root":{"path":1}}|root.path: a JSON int, not string'
		'{"root":{"readonly":1}}|root.readonly: a JSON int, not boolean'
		'{"mounts":{}}|mounts: a JSON object, not array'
		'{"mounts":[1]}|mounts: each mount is an object with a destination'
		'{"mounts":[{"source":"/x"}]}|mounts: each mount is an object with a destination'
		'{"mounts":[{"destination":"/x","options":[1]}]}|mounts: a field of an element is an array of other values than strings'
		'{"mounts":[{"destination":"/x","options":[null]}]}|mounts: a field of an element is an array of other values than strings'
		'{"linux":{"namespaces":["pid"]}}|linux.namespaces: an array of objects, not of other values'
		'{"linux":{"sysctl":[]}}|linux.sysctl: a JSON array, not object'
		'{"linux":{"sysctl":{"kernel.x":1}}}|linux.sysctl: values are strings'
		'{"linux":{"sysctl":{"kernel.x=y":"1"}}}|linux.sysctl: a key holds '\''='\'''
		'{"linux":{"seccomp":"x"}}|linux.seccomp: a JSON string, not object'
		'{"linux":{"maskedPaths":[{}]}}|linux.maskedPaths: an array of strings, not of other values'
		'{"annotations":[]}|annotations: a JSON array, not object'
		'{"hooks":[]}|hooks: a JSON array, not object'
		'{"hooks":{"prestart":"x"}}|hooks: each kind of hook is an array'
		'{"hooks":{"prestart":[{"args":["x"]}]}}|hooks: each hook is an object: path a string, args and env arrays of strings, timeout an integer'
		'{"hooks":{"poststop":[{"path":"/x","args":[1]}]}}|hooks: each hook is an object: path a string, args and env arrays of strings, timeout an integer'
		# minictr evals what jq makes of a hook, its timeout unquoted
		'{"hooks":{"prestart":[{"path":"/x","timeout":"1; touch pwned"}]}}|hooks: each hook is an object: path a string, args and env arrays of strings, timeout an integer'
	)
	local n=0 table=()
	for c in "${cases[@]}"; do
		n=$((n + 1))
		json "$n.json" "${c%%|*}"
		table+=("1|$n.json|$n.json: ${c#*|}")
	done
	expect_errors minictr-config "${table[@]}"
}
