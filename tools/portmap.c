/* portmap: reach containers from outside, and the outside from containers,
 * with netfilter NAT.
 *
 * A container on a bridge has an address only this machine knows
 * (192.168.0.2). Two rewrites make it useful, both done by netfilter as
 * packets pass:
 *   - masquerade: a packet from the container's subnet that leaves the
 *     machine gets the machine's own address as its source, so answers
 *     come back here (and conntrack sends them on to the container);
 *   - DNAT: a packet to one of this machine's ports gets the container's
 *     address and port as its destination: port mapping, docker run -p.
 *
 * The article writes these as iptables rules, one per mapping, walked one
 * by one. portmap keeps its rules in one nftables table of its own, and
 * the mappings in an nft map keyed by protocol and port, so one lookup
 * serves 1 or 1,000 mappings. The rules go in through libnftables, as
 * nft text; -v and --dry-run show that text, --iptables the article's.
 *
 * A command that changes the table reads it first (is the port free? is
 * the table there?), so two portmaps at once take turns: each holds a
 * lock from its first read to its last change. Each change is one nft
 * transaction, which the kernel applies whole or not at all; a stop
 * signal is acted on only before it.
 *
 *   portmap masq SUBNET [--out IFACE]        portmap del masq SUBNET [--out IFACE]
 *   portmap add HOSTPORT CTRIP:PORT [--proto tcp|udp] [--host-ip IP]
 *   portmap del HOSTPORT [--proto tcp|udp] [--host-ip IP]
 *   portmap list                             portmap flush
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: portmap [options] masq SUBNET [--out IFACE]\n"
	"       portmap [options] add HOSTPORT CTRIP:PORT [--proto tcp|udp] [--host-ip IP]\n"
	"       portmap [options] del HOSTPORT [--proto tcp|udp] [--host-ip IP]\n"
	"       portmap [options] del masq SUBNET [--out IFACE]\n"
	"       portmap [options] list\n"
	"       portmap [options] flush\n"
	"NAT for containers, in the nftables table \"ip ctrkit\": masquerade what a\n"
	"container subnet sends out; map a port of this machine to a container's port,\n"
	"for traffic from outside and from this machine itself.\n"
	"\n"
	"  -p, --proto=PROTO    tcp (default) or udp\n"
	"      --host-ip=IP     map the port of this address only (default: every\n"
	"                       address of this machine)\n"
	"  -o, --out=IFACE      masquerade only what leaves through IFACE\n"
	"  -n, --dry-run        print the nft commands, and change nothing\n"
	"      --iptables       print the iptables commands that do the same, and change nothing\n"
	"  -v, --verbose        print each nft command as it is sent, and the sysctl written\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n";

enum { OPT_HOST_IP = 256, OPT_IPTABLES, OPT_VERSION };

#define TABLE "ip ctrkit"

/* The table, made the first time it is needed. A packet for this
 * machine (fib daddr type local) whose protocol and port are in @ports
 * is sent to the address and port the map gives; @ports_ip does the same
 * for one address of the machine, and is looked at first. prerouting
 * sees packets from outside, output the machine's own. The machine's own
 * packets to 127.0.0.1 are left alone: the kernel drops a packet from
 * 127.0.0.1 that would leave by another interface than lo (unless
 * route_localnet is on), so a mapping there would only hang. */
static const char table_text[] =
	"add table " TABLE "\n"
	"add map " TABLE " ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add map " TABLE " ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add chain " TABLE " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
	"add chain " TABLE " output { type nat hook output priority -100; policy accept; }\n"
	"add chain " TABLE " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	"add rule " TABLE " prerouting dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
	"add rule " TABLE " prerouting fib daddr type local dnat ip to meta l4proto . th dport map @ports\n"
	"add rule " TABLE " output dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
	"add rule " TABLE " output ip daddr != 127.0.0.0/8 fib daddr type local dnat ip to meta l4proto . th dport map @ports\n";

static struct nft_ctx *nft;
static int dry_run, iptables;

/* Runs nft commands with SIGINT, SIGTERM and SIGHUP held back until they
 * are done. A signal caught without SA_RESTART (catch_stop_signals) makes
 * a blocked read return EINTR, and libnftables takes that as a failure,
 * whatever the kernel did with the commands already sent: portmap would
 * say "cannot map" about a port it mapped, or miss a table that is there.
 * Held back, the signal waits for the next check_stop(). */
static int nft_cmd(const char *cmds)
{
	sigset_t stops, old;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	int r = nft_run_cmd_from_buffer(nft, cmds);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Takes turns with any other portmap in this network namespace: blocks
 * until no other one holds the lock. The lock is flock(2) on the
 * namespace's own file, /proc/self/ns/net: every process of the
 * namespace that opens it gets the same nsfs inode, so there is one lock
 * per network namespace (a lab and the machine do not wait for each
 * other), nothing to create, and it works without root in a namespace
 * of one's own. The kernel drops a flock when its file is closed, which
 * exit does, however portmap ends (SIGKILL too): no stale lock. */
static void lock_ruleset(void)
{
	const char *path = "/proc/self/ns/net";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	trace(fd, "openat(AT_FDCWD, %s, O_RDONLY|O_CLOEXEC)", quote(path));
	if (fd == -1)
		die_errno("cannot open %s", path);
	if (trace(flock(fd, LOCK_EX), "flock(%d, LOCK_EX)", fd) == -1) {
		check_stop(); /* a stop signal while waiting: EINTR */
		die_errno("cannot lock %s", path);
	}
	/* fd stays open: the lock is held until portmap exits. */
}

/* Runs nft commands (shown with -v; only printed with --dry-run): 0, or
 * -1 with nft's own message, first line only, in *why. */
static int run(const char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(const char **why, const char *fmt, ...)
{
	static char msg[512];
	char *cmds;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&cmds, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	if (dry_run) {
		fputs(cmds, stdout);
		free(cmds);
		return 0;
	}
	for (char *line = cmds, *end; *line; line = end + (*end == '\n')) {
		end = line + strcspn(line, "\n");
		trace_line("nft %.*s", (int)(end - line), line);
	}
	int r = nft_cmd(cmds);
	free(cmds);
	const char *err = nft_ctx_get_error_buffer(nft);
	/* nft says "Error: Could not process rule: File exists" and then
	 * shows the command: keep the reason. */
	const char *reason = strstr(err, "Error: ");
	snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(reason ? reason + 7 : err, "\n"), reason ? reason + 7 : err);
	if (why)
		*why = msg;
	return r == 0 ? 0 : -1;
}

/* The JSON nft prints for a list or get command; NULL if it fails. */
static json_object *query(const char *cmd)
{
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	int r = nft_cmd(cmd);
	nft_ctx_output_set_flags(nft, 0);
	const char *out = nft_ctx_get_output_buffer(nft);
	trace_line("nft -j %s%s", cmd, r == 0 ? "" : " (none)");
	return r == 0 && *out ? json_tokener_parse(out) : NULL;
}

/* Every object of one kind ("map", "rule") in a JSON answer, in order. */
static size_t objects(json_object *answer, const char *kind, json_object ***out)
{
	json_object *list, *o;
	size_t n = 0;

	*out = NULL;
	if (!answer || !json_object_object_get_ex(answer, "nftables", &list))
		return 0;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(list, i), kind, &o)) {
			*out = erealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = o;
		}
	return n;
}

/* "list tables" names the tables only: cheap, with 1,000 mappings too. */
static int table_exists(void)
{
	int r = nft_cmd("list tables ip");
	const char *out = nft_ctx_get_output_buffer(nft);
	int found = r == 0 && (strncmp(out, "table " TABLE "\n", 16) == 0 || strstr(out, "\ntable " TABLE "\n"));

	trace_line("nft list tables ip%s", found ? "" : " (no table " TABLE ")");
	return found;
}

/* The commands that make the table, if it is not there yet, else "".
 * They go in the same transaction as the change that needs the table,
 * so that no stop can leave a table without it. */
static const char *table_if_missing(void)
{
	return table_exists() ? "" : table_text;
}

/* Dies with nft's reason, and a hint when it is a missing privilege. */
noreturn static void failed(const char *what, const char *arg, const char *why)
{
	die("%s %s: %s%s", what, arg, why, strstr(why, "Operation not permitted") ? " (run as root)" : "");
}

/* The machine must route packets between its interfaces for a container
 * to reach the outside, and for a mapped port to reach the container.
 * It is a setting of the whole namespace, which other programs may count
 * on too, so portmap turns it on and never off. It comes after the
 * change, which is done by then: a stop signal no longer stops it. */
static void enable_forwarding(void)
{
	char now[8];

	if (dry_run || iptables) {
		printf("%ssysctl -w net.ipv4.ip_forward=1\n", dry_run ? "# and: " : "");
		return;
	}
	if (read_file("/proc/sys/net/ipv4/ip_forward", now, sizeof(now)) > 0 && now[0] == '1')
		return;
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1") == -1)
		die_errno("the rules are in place, but cannot turn on IPv4 forwarding");
}

/* ---- arguments ---- */

static int parse_port(const char *what, const char *s)
{
	long long n = parse_number(s);

	if (n < 1 || n > 65535)
		die_usage("%s '%s': a port is a number from 1 to 65535", what, s);
	return (int)n;
}

struct mapping {
	const char *proto;
	int port, to_port;
	char host_ip[INET_ADDRSTRLEN], to_ip[INET_ADDRSTRLEN];
};

/* "192.168.0.2:80" into a mapping's target. */
static void parse_target(const char *s, struct mapping *m)
{
	const char *colon = strrchr(s, ':');
	struct in_addr a;
	char ip[INET_ADDRSTRLEN];

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		die_usage("'%s': want the container's IP:PORT (192.168.0.2:80)", s);
	snprintf(ip, sizeof(ip), "%.*s", (int)(colon - s), s);
	if (parse_ipv4(ip, &a) == -1)
		die_usage("'%s': '%s' is not an IPv4 address", s, ip);
	inet_ntop(AF_INET, &a, m->to_ip, sizeof(m->to_ip));
	m->to_port = parse_port("container port", colon + 1);
}

/* ---- the key of a mapping, as nft writes it ---- */

static const char *map_name(const struct mapping *m)
{
	return *m->host_ip ? "ports_ip" : "ports";
}

static const char *key(const struct mapping *m)
{
	static char k[64];

	if (*m->host_ip)
		snprintf(k, sizeof(k), "%s . %s . %d", m->host_ip, m->proto, m->port);
	else
		snprintf(k, sizeof(k), "%s . %d", m->proto, m->port);
	return k;
}

static const char *shown(const struct mapping *m)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s port %s%s%d", m->proto, m->host_ip, *m->host_ip ? ":" : "", m->port);
	return s;
}

/* Where the mapping goes now ("192.168.0.2:80"), or NULL if unmapped.
 * (nft 1.0.6 answers "get element" in text only: "elements = { tcp .
 * 8080 : 192.168.0.2 . 80 }".) */
static const char *mapped_to(const struct mapping *m)
{
	static char to[64];
	char cmd[160], ip[INET_ADDRSTRLEN];
	int port;

	snprintf(cmd, sizeof(cmd), "get element " TABLE " %s { %s }", map_name(m), key(m));
	int r = nft_cmd(cmd);
	const char *elements = strstr(nft_ctx_get_output_buffer(nft), "elements = {");
	const char *value = elements ? strstr(elements, " : ") : NULL;
	trace_line("nft %s%s", cmd, r == 0 ? "" : " (none)");
	if (r != 0 || !value || sscanf(value, " : %15[0-9.] . %d", ip, &port) != 2)
		return NULL;
	snprintf(to, sizeof(to), "%s:%d", ip, port);
	return to;
}

/* ---- the commands ---- */

static void print_iptables_dnat(const struct mapping *m)
{
	char dst[48] = "";

	if (*m->host_ip)
		snprintf(dst, sizeof(dst), " -d %s", m->host_ip);
	printf("iptables -t nat -A PREROUTING%s -p %s -m %s --dport %d -j DNAT --to-destination %s:%d\n", dst,
	       m->proto, m->proto, m->port, m->to_ip, m->to_port);
	printf("iptables -t nat -A OUTPUT%s%s -p %s -m %s --dport %d -j DNAT --to-destination %s:%d\n", dst,
	       *dst ? "" : " -m addrtype --dst-type LOCAL", m->proto, m->proto, m->port, m->to_ip, m->to_port);
}

static void add(const struct mapping *m)
{
	const char *why, *now;

	if (iptables) {
		print_iptables_dnat(m);
		enable_forwarding();
		return;
	}
	if (!dry_run)
		lock_ruleset();
	if ((now = mapped_to(m)))
		die("%s is mapped already, to %s (portmap del %d%s%s first)", shown(m), now, m->port,
		    strcmp(m->proto, "tcp") ? " --proto " : "", strcmp(m->proto, "tcp") ? m->proto : "");
	const char *table = table_if_missing();
	check_stop(); /* the last point where a stop leaves all as it was */
	/* create, not add: an element that exists is an error, not a no-op. */
	if (run(&why, "%screate element " TABLE " %s { %s : %s . %d }\n", table, map_name(m), key(m), m->to_ip,
		m->to_port) == -1)
		failed("cannot map", shown(m), why);
	enable_forwarding();
}

static void del(const struct mapping *m)
{
	const char *why;

	if (iptables) {
		print_iptables_dnat(m);
		printf("# (with -D in place of -A, to delete)\n");
		return;
	}
	if (!dry_run)
		lock_ruleset();
	if (!mapped_to(m)) {
		trace_line("%s is not mapped: nothing to delete", shown(m));
		return;
	}
	check_stop();
	if (run(&why, "delete element " TABLE " %s { %s }\n", map_name(m), key(m)) == -1)
		failed("cannot delete the mapping of", shown(m), why);
}

/* A masquerade rule is found again by its comment. */
static void masq_comment(char *buf, size_t size, const char *subnet, const char *out)
{
	snprintf(buf, size, "ctrkit masq %s%s%s", subnet, out ? " out " : "", out ? out : "");
}

/* The handle of the masquerade rule with that comment, or -1. */
static long masq_handle(const char *comment)
{
	json_object *answer = query("list chain " TABLE " postrouting"), **rules, *c, *h;
	size_t n = objects(answer, "rule", &rules);
	long handle = -1;

	for (size_t i = 0; i < n; i++)
		if (json_object_object_get_ex(rules[i], "comment", &c) && strcmp(json_object_get_string(c), comment) == 0 &&
		    json_object_object_get_ex(rules[i], "handle", &h))
			handle = json_object_get_int64(h);
	free(rules);
	json_object_put(answer);
	return handle;
}

static void masq(const char *subnet, const char *out, int remove)
{
	char comment[128], match[64] = "";
	const char *why;

	masq_comment(comment, sizeof(comment), subnet, out);
	if (iptables) {
		printf("iptables -t nat -%c POSTROUTING -s %s %s%s -j MASQUERADE\n", remove ? 'D' : 'A', subnet,
		       out ? "-o " : "! -d ", out ? out : subnet);
		if (!remove)
			enable_forwarding();
		return;
	}
	if (!dry_run)
		lock_ruleset();
	long handle = masq_handle(comment);
	if (remove) {
		if (handle == -1) {
			trace_line("no masquerade for %s: nothing to delete", subnet);
			return;
		}
		check_stop();
		if (run(&why, "delete rule " TABLE " postrouting handle %ld\n", handle) == -1)
			failed("cannot delete the masquerade for", subnet, why);
		return;
	}
	if (handle != -1)
		die("%s is masqueraded already (portmap del masq %s%s%s first)", subnet, subnet, out ? " --out " : "",
		    out ? out : "");
	const char *table = table_if_missing();
	check_stop();
	/* What leaves the subnet for anywhere but the subnet itself. */
	if (out)
		snprintf(match, sizeof(match), "oifname \"%s\"", out);
	else
		snprintf(match, sizeof(match), "ip daddr != %s", subnet);
	if (run(&why, "%sadd rule " TABLE " postrouting ip saddr %s %s masquerade comment \"%s\"\n", table, subnet,
		match, comment) == -1)
		failed("cannot masquerade", subnet, why);
	enable_forwarding();
}

/* The columns, as wide as they always were: a protocol is 3 letters,
 * an address with its port at most 21 characters. */
static const struct table_column list_columns[] = {
	{ "PROTO", 0, 5 }, { "HOST", 0, 21 }, { "CONTAINER", 0, 0 },
};

/* One row per element of map (ports or ports_ip): its key is protocol
 * and port (ports_ip: the host's address first), its value the
 * container's address and port. */
static void add_map_rows(struct table *t, json_object *map)
{
	json_object *elems;
	int with_ip = strcmp(json_object_get_string(json_object_object_get(map, "name")), "ports_ip") == 0;

	if (!json_object_object_get_ex(map, "elem", &elems))
		return;
	for (size_t e = 0; e < json_object_array_length(elems); e++) {
		json_object *pair = json_object_array_get_idx(elems, e), *k, *v;
		if (!json_object_object_get_ex(json_object_array_get_idx(pair, 0), "concat", &k) ||
		    !json_object_object_get_ex(json_object_array_get_idx(pair, 1), "concat", &v))
			continue;
		char host[40], container[40];
		snprintf(host, sizeof(host), "%s:%d", with_ip ? json_object_get_string(json_object_array_get_idx(k, 0)) : "*",
			 json_object_get_int(json_object_array_get_idx(k, with_ip + 1)));
		snprintf(container, sizeof(container), "%s:%d", json_object_get_string(json_object_array_get_idx(v, 0)),
			 json_object_get_int(json_object_array_get_idx(v, 1)));
		const char *row[] = { json_object_get_string(json_object_array_get_idx(k, with_ip)), host, container };
		table_add_row(t, row);
	}
}

static void list(void)
{
	json_object *answer = query("list table " TABLE), **maps, **rules, *o;
	size_t nmaps = objects(answer, "map", &maps), nrules = objects(answer, "rule", &rules);
	struct table t;

	table_init(&t, list_columns, LEN(list_columns));
	for (size_t i = 0; i < nmaps; i++)
		add_map_rows(&t, maps[i]);
	table_print(&t, 1, 0);
	for (size_t i = 0; i < nrules; i++)
		if (json_object_object_get_ex(rules[i], "comment", &o) &&
		    strncmp(json_object_get_string(o), "ctrkit masq ", 12) == 0)
			printf("masquerade %s\n", json_object_get_string(o) + 12);
	free(maps);
	free(rules);
	json_object_put(answer);
}

static void flush(void)
{
	const char *why;

	if (iptables) {
		/* iptables has no table of ours to drop: -F empties whole chains */
		printf("# these empty the whole chains, other programs' rules too\n"
		       "iptables -t nat -F PREROUTING\niptables -t nat -F OUTPUT\niptables -t nat -F POSTROUTING\n");
		return;
	}
	if (!dry_run)
		lock_ruleset();
	if (!table_exists()) {
		trace_line("no table %s: nothing to flush", TABLE);
		return;
	}
	check_stop();
	if (run(&why, "delete table " TABLE "\n") == -1)
		failed("cannot delete the table", TABLE, why);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'p' },
		{ "host-ip", required_argument, NULL, OPT_HOST_IP },
		{ "out", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "iptables", no_argument, NULL, OPT_IPTABLES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct mapping m = { .proto = "tcp" };
	const char *out = NULL, *words[4];
	int nwords = 0, c, has_proto = 0;

	progname = "portmap";
	opterr = 0;
	/* Options and words in any order; a leading '-' makes getopt_long
	 * hand each word back as option 1. */
	while ((c = getopt_long(argc, argv, "-:p:o:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 1: add_word(words, &nwords, LEN(words), optarg); break;
		case 'p':
			if (strcmp(optarg, "tcp") != 0 && strcmp(optarg, "udp") != 0)
				die_usage("--proto '%s': tcp or udp", optarg);
			m.proto = optarg;
			has_proto = 1;
			break;
		case OPT_HOST_IP: {
			struct in_addr a;
			if (parse_ipv4(optarg, &a) == -1)
				die_usage("--host-ip '%s': not an IPv4 address", optarg);
			inet_ntop(AF_INET, &a, m.host_ip, sizeof(m.host_ip));
			break;
		}
		case 'o':
			/* and no quote: the name goes into nft text in quotes */
			if (!valid_ifname(optarg) || strpbrk(optarg, "\"\\"))
				die_usage("--out '%s': not an interface name", optarg);
			out = optarg;
			break;
		case 'n': dry_run = 1; break;
		case OPT_IPTABLES: iptables = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	while (optind < argc) /* after "--" */
		add_word(words, &nwords, LEN(words), argv[optind++]);
	if (nwords == 0)
		die_usage("give a command: masq, add, del, list or flush");

	const char *cmd = words[0];
	int is_masq = strcmp(cmd, "masq") == 0 || (strcmp(cmd, "del") == 0 && nwords > 1 && strcmp(words[1], "masq") == 0);
	const char *subnet = NULL;
	char clean[32];
	if (is_masq) {
		/* The subnet as nft writes it back: its network address. */
		struct in_addr a;
		int prefix;
		subnet = words[nwords - 1];
		if (nwords != (strcmp(cmd, "del") == 0 ? 3 : 2))
			die_usage("%s SUBNET [--out IFACE]", strcmp(cmd, "del") == 0 ? "del masq" : "masq");
		if (parse_cidr(subnet, &a, &prefix) == -1)
			die_usage("'%s' is not a subnet (192.168.0.0/24)", subnet);
		a.s_addr &= prefix ? htonl(~0U << (32 - prefix)) : 0;
		snprintf(clean, sizeof(clean), "%s/%d", inet_ntoa(a), prefix);
		subnet = clean;
		if (has_proto || *m.host_ip)
			die_usage("--proto and --host-ip are for port mappings");
	} else if (out) {
		die_usage("--out is for masq");
	}

	/* A stop signal (Ctrl-C, kill) before the change leaves everything
	 * as it was; once the change is sent, portmap finishes. */
	catch_stop_signals();
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		die("cannot start libnftables");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);

	if (is_masq) {
		masq(subnet, out, strcmp(cmd, "del") == 0);
	} else if (strcmp(cmd, "add") == 0) {
		if (nwords != 3)
			die_usage("add HOSTPORT CTRIP:PORT [--proto tcp|udp] [--host-ip IP]");
		m.port = parse_port("host port", words[1]);
		parse_target(words[2], &m);
		add(&m);
	} else if (strcmp(cmd, "del") == 0) {
		if (nwords != 2)
			die_usage("del HOSTPORT [--proto tcp|udp] [--host-ip IP], or del masq SUBNET");
		m.port = parse_port("host port", words[1]);
		del(&m);
	} else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "flush") == 0) {
		if (nwords != 1)
			die_usage("%s takes no argument", cmd);
		strcmp(cmd, "list") == 0 ? list() : flush();
	} else {
		die_usage("unknown command '%s' (masq, add, del, list or flush)", cmd);
	}
	nft_ctx_free(nft);
	return 0;
}
