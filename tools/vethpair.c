/* vethpair: give a container a network link, by netlink.
 *
 * A veth pair is a cable with a network interface at each end: what goes
 * in one comes out of the other. One end stays in the host's network
 * namespace, on a bridge (a software switch) with the other containers'
 * ends; the other end goes into the container's namespace, where it gets
 * an address and a default route through the bridge. That is how Docker's
 * bridge network is made.
 *
 * `ip` does the same by sending netlink messages to the kernel; so does
 * vethpair, itself, with libmnl: RTM_NEWLINK makes the bridge and the pair
 * (the peer is made straight in the container's namespace with
 * IFLA_NET_NS_FD), RTM_NEWADDR adds addresses, RTM_NEWROUTE the route.
 * -v prints each message in a readable form as it is sent: a note, not
 * a system call (strace shows the message inside the sendto(2) that
 * sends it, decoded as strace's own namespace sees it, which a program
 * cannot know), beside the calls it prints as strace does.
 *
 * add makes several things in turn; if a step fails, or SIGINT, SIGTERM
 * or SIGHUP comes, what was made is removed again, in reverse order.
 *
 *   vethpair add NAME --netns PID|FILE [--bridge BR] [--bridge-addr CIDR]
 *                [--addr CIDR] [--gateway IP] [--ifname eth0] [--mtu N]
 *   vethpair del NAME [--bridge BR]
 *   vethpair list
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: vethpair [options] add NAME --netns PID|FILE [--bridge BR]\n"
	"                [--bridge-addr CIDR] [--addr CIDR] [--gateway IP] [--ifname NAME] [--mtu N]\n"
	"       vethpair [options] del NAME [--bridge BR]\n"
	"       vethpair [options] list\n"
	"Link a container's network namespace to this one with a veth pair: NAME here,\n"
	"on bridge BR (made, with its address, if missing), the peer in the container\n"
	"with its address, lo and the link up, and a default route.\n"
	"\n"
	"  -n, --netns=PID|FILE     the container: a process in it, or a pinned namespace file\n"
	"  -b, --bridge=BR          put NAME on bridge BR (del: remove BR if no port is left)\n"
	"      --bridge-addr=CIDR   the bridge's address, when vethpair makes it (192.168.0.1/24)\n"
	"  -a, --addr=CIDR          the container's address (192.168.0.2/24)\n"
	"  -g, --gateway=IP         the container's default route (default: the bridge's address)\n"
	"  -i, --ifname=NAME        the peer's name in the container (default eth0)\n"
	"  -m, --mtu=N              the MTU of both ends\n"
	"  -v, --verbose            print each netlink request on stderr as it is sent\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n";

enum { OPT_BRIDGE_ADDR = 256, OPT_VERSION };

/* ---- netlink: one request, one acknowledgement ---- */

/* A netlink socket talks to the network namespace it was made in, for
 * as long as it lives: so one made after setns() into the container
 * keeps talking to the container after we have come back. */
struct nl {
	struct mnl_socket *sock;
	unsigned int seq;
	const char *where; /* for -v: which namespace it talks to */
};

/* A request being built, and its readable form for -v. */
struct req {
	char buf[8192];
	struct nlmsghdr *nlh;
	int dump;
	char shown[1024];
};

static void show(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void show(struct req *r, const char *fmt, ...)
{
	size_t len = strlen(r->shown);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->shown + len, sizeof(r->shown) - len, fmt, ap);
	va_end(ap);
}

static void *start(struct req *r, uint16_t type, const char *name, uint16_t flags, size_t header)
{
	r->nlh = mnl_nlmsg_put_header(r->buf);
	r->nlh->nlmsg_type = type;
	/* An acknowledgement for every request, but a dump, which ends with
	 * NLMSG_DONE instead. (NLM_F_DUMP shares a bit with NLM_F_EXCL: its
	 * meaning depends on the message type.) */
	r->dump = type == RTM_GETLINK && (flags & NLM_F_DUMP) == NLM_F_DUMP;
	r->nlh->nlmsg_flags = NLM_F_REQUEST | (r->dump ? 0 : NLM_F_ACK) | flags;
	snprintf(r->shown, sizeof(r->shown), "%s(%s)", name,
		 r->dump ? "NLM_F_DUMP" : flags & NLM_F_EXCL ? "NLM_F_CREATE|NLM_F_EXCL" : flags & NLM_F_CREATE ? "NLM_F_CREATE" : "0");
	return mnl_nlmsg_put_extra_header(r->nlh, header);
}

static void open_nl(struct nl *nl, const char *where)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1)
		die_errno("cannot open a netlink socket");
	nl->seq = (unsigned int)time(NULL);
	nl->where = where;
}

/* Sends the request and waits for the kernel's answer: 0, or -1 with
 * errno from the kernel's NLMSG_ERROR (EEXIST, ENODEV...). cb, if not
 * NULL, gets each message of the answer (a GET, a dump). */
static int talk(struct nl *nl, struct req *r, mnl_cb_t cb, void *data)
{
	char buf[32768]; /* the kernel sends a dump in parts of up to 32 KiB */
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	ssize_t n;
	int ret;

	r->nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, r->nlh, r->nlh->nlmsg_len) < 0)
		die_errno("netlink send");
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		/* A stop signal makes recv return EINTR, but the kernel has
		 * the request and answers it: wait for the answer, which says
		 * whether the step was done, so that the undo knows. */
		if (n < 0 && errno == EINTR)
			continue;
		ret = n < 0 ? MNL_CB_ERROR : mnl_cb_run(buf, (size_t)n, nl->seq, portid, cb, data);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (!r->dump || ret == -1)
		trace(ret == -1 ? -1 : 0, "%s%s", r->shown, nl->where);
	return ret == -1 ? -1 : 0;
}

/* ---- links ---- */

struct link {
	int index, master, peer_index, netnsid, mtu, up;
	char name[IFNAMSIZ], kind[16];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, IFLA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int kind_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		snprintf(data, 16, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* One RTM_NEWLINK message into a struct link. */
static void parse_link(const struct nlmsghdr *nlh, struct link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	memset(l, 0, sizeof(*l));
	l->netnsid = -1;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	l->index = ifi->ifi_index;
	l->up = !!(ifi->ifi_flags & IFF_UP);
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MASTER])
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->peer_index = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		l->netnsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_MTU])
		l->mtu = (int)mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], kind_cb, l->kind);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	parse_link(nlh, data);
	return MNL_CB_OK;
}

/* The link called name, through nl: 0, or -1 with errno ENODEV. */
static int get_link(struct nl *nl, const char *name, struct link *l)
{
	struct req r;

	start(&r, RTM_GETLINK, "RTM_GETLINK", 0, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(r.nlh, IFLA_IFNAME, name);
	show(&r, " {ifname=\"%s\"}", name);
	return talk(nl, &r, link_cb, l);
}

struct links {
	struct link *all;
	size_t n;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *ls = data;

	ls->all = erealloc(ls->all, (ls->n + 1) * sizeof(*ls->all));
	parse_link(nlh, &ls->all[ls->n++]);
	return MNL_CB_OK;
}

static struct links dump_links(struct nl *nl)
{
	struct req r;
	struct links ls = { NULL, 0 };

	start(&r, RTM_GETLINK, "RTM_GETLINK", NLM_F_DUMP, sizeof(struct ifinfomsg));
	if (talk(nl, &r, dump_cb, &ls) == -1)
		die_errno("cannot list the links");
	trace(0, "RTM_GETLINK(NLM_F_DUMP) {} = %zu links%s", ls.n, nl->where);
	return ls;
}

/* Sets IFF_UP on a link: what `ip link set NAME up` sends. */
static int link_up(struct nl *nl, int index, const char *name)
{
	struct req r;
	struct ifinfomsg *ifi = start(&r, RTM_NEWLINK, "RTM_NEWLINK", 0, sizeof(*ifi));

	ifi->ifi_index = index;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	show(&r, " {index=%d /* %s */, flags=IFF_UP}", index, name);
	return talk(nl, &r, NULL, NULL);
}

static int del_link(struct nl *nl, const char *name)
{
	struct req r;

	start(&r, RTM_DELLINK, "RTM_DELLINK", 0, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(r.nlh, IFLA_IFNAME, name);
	show(&r, " {ifname=\"%s\"}", name);
	return talk(nl, &r, NULL, NULL);
}

/* RTM_NEWADDR or RTM_DELADDR: an IPv4 address on a link. */
static int change_addr(struct nl *nl, int add, int index, struct in_addr addr, int prefix)
{
	struct req r;
	struct ifaddrmsg *ifa = start(&r, add ? RTM_NEWADDR : RTM_DELADDR, add ? "RTM_NEWADDR" : "RTM_DELADDR",
				      add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned int)index;
	mnl_attr_put(r.nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(r.nlh, IFA_ADDRESS, sizeof(addr), &addr);
	show(&r, " {family=AF_INET, index=%d, local=%s/%d}", index, inet_ntoa(addr), prefix);
	return talk(nl, &r, NULL, NULL);
}

/* ---- arguments ---- */

static void check_ifname(const char *what, const char *name)
{
	if (!valid_ifname(name))
		die_usage("%s '%s': an interface name is 1 to 15 characters, without '/', ':' or spaces", what, name);
}

/* A pidfd on the process --netns names; dies if there is none. A pid is
 * only a number, which the kernel gives to another process once this
 * one has ended and been reaped; a pidfd stays the process itself. */
static int open_pid(pid_t pid)
{
	int pidfd = pidfd_open(pid, 0);

	trace(pidfd, "pidfd_open(%d, 0)", (int)pid);
	if (pidfd == -1 && errno == ESRCH)
		die("no process with pid %d", (int)pid);
	if (pidfd == -1)
		die_errno("pidfd_open(%d)", (int)pid);
	return pidfd;
}

/* The struct statfs as strace shows it: every field, the filesystem's
 * magic and the ST_* flags by name. A magic strace names that is not in
 * this short list comes out as a number here (it is only a path that is
 * refused, not a namespace file). */
static const char *statfs_str(int r, const struct statfs *fs)
{
	static const struct { long magic; const char *name; } magics[] = {
		{ NSFS_MAGIC, "NSFS_MAGIC" }, { TMPFS_MAGIC, "TMPFS_MAGIC" },
		{ PROC_SUPER_MAGIC, "PROC_SUPER_MAGIC" }, { SYSFS_MAGIC, "SYSFS_MAGIC" },
	};
	static const char *const st_flags[] = {
		"ST_RDONLY", "ST_NOSUID", "ST_NODEV", "ST_NOEXEC", "ST_SYNCHRONOUS", "ST_VALID", "ST_MANDLOCK",
		NULL, NULL, NULL, "ST_NOATIME", "ST_NODIRATIME", "ST_RELATIME", "ST_NOSYMFOLLOW",
	};
	static char buf[512];
	char type[32], flags[160] = "";
	unsigned long rest = (unsigned long)fs->f_flags;

	if (r == -1) {
		snprintf(buf, sizeof(buf), "%p", (const void *)fs);
		return buf;
	}
	snprintf(type, sizeof(type), "%#lx", (unsigned long)fs->f_type);
	for (size_t i = 0; i < LEN(magics); i++)
		if (fs->f_type == magics[i].magic)
			snprintf(type, sizeof(type), "%s", magics[i].name);
	for (size_t i = 0; i < LEN(st_flags); i++)
		if (st_flags[i] && rest & (1UL << i)) {
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s", *flags ? "|" : "", st_flags[i]);
			rest &= ~(1UL << i);
		}
	if (rest || !*flags)
		snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%#lx", *flags ? "|" : "", rest);
	snprintf(buf, sizeof(buf),
		 "{f_type=%s, f_bsize=%ld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, f_files=%llu, f_ffree=%llu, "
		 "f_fsid={val=[%#x, %#x]}, f_namelen=%ld, f_frsize=%ld, f_flags=%s}",
		 type, (long)fs->f_bsize, (unsigned long long)fs->f_blocks, (unsigned long long)fs->f_bfree,
		 (unsigned long long)fs->f_bavail, (unsigned long long)fs->f_files, (unsigned long long)fs->f_ffree,
		 (unsigned)fs->f_fsid.__val[0], (unsigned)fs->f_fsid.__val[1], (long)fs->f_namelen, (long)fs->f_frsize,
		 flags);
	return buf;
}

/* An fd on the container's network namespace: /proc/PID/ns/net, or a
 * file that nsunshare --net=FILE pinned it on. A number is always a
 * pid: a file of that name in this directory is ./NAME. */
static int open_netns(const char *spec)
{
	char path[NS_PATH_SIZE];
	const char *file = spec;
	const int flags = O_RDONLY | O_CLOEXEC;
	pid_t pid = 0;
	int pidfd = -1;

	if (!*spec)
		die_usage("--netns '': give a pid or a namespace file");
	if (spec[strspn(spec, "0123456789")] == '\0') {
		long long n = parse_number(spec);
		if (n < 1 || n > INT_MAX)
			die_usage("--netns '%s': not a pid (a pid is 1 or more; a file of that name is ./%s)", spec, spec);
		pid = (pid_t)n;
		pidfd = open_pid(pid);
		file = ns_path(path, pid, "net");
	} else {
		/* Look before opening: open(2) on a FIFO waits for a writer
		 * (for ever), on a device it may do what the device does. A
		 * namespace file, pinned or in /proc, is on nsfs. */
		struct statfs fs;
		int r = statfs(file, &fs);
		trace(r, "statfs(%s, %s)", quote(file), statfs_str(r, &fs));
		if (r == -1)
			die_errno("--netns %s", file);
		if (fs.f_type != NSFS_MAGIC)
			die("--netns %s: not a namespace file (give a pid, or a file nsunshare --net=FILE pinned)", file);
	}
	int fd = open(file, flags);
	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(file), open_flags_str(flags));
	/* A process that has ended (a zombie too) has no namespaces left. */
	if (fd == -1 && pid && errno == ENOENT)
		die("--netns %d: process %d has ended", (int)pid, (int)pid);
	if (fd == -1)
		die_errno("--netns %s", file);
	if (pidfd != -1) {
		/* Still alive now, so the pid was not yet another process's
		 * when /proc/PID/ns/net was opened: the fd is its namespace. */
		if (trace(pidfd_send_signal(pidfd, 0, NULL, 0), "pidfd_send_signal(%d, 0, NULL, 0)", pidfd) == -1)
			die("--netns %d: process %d ended while its namespace was opened", (int)pid, (int)pid);
		close(pidfd);
	}
	/* NS_GET_NSTYPE (Linux 4.11) says what kind of namespace an fd is. */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		die("--netns %s: not a network namespace (give a pid, or a file nsunshare --net=FILE pinned)", file);
	struct stat ours, theirs;
	if (fstat(fd, &theirs) == -1)
		die_errno("--netns %s", file);
	if (stat("/proc/self/ns/net", &ours) == 0 && ours.st_ino == theirs.st_ino)
		die("--netns %s: that is this network namespace, not a container's (start it with nsunshare -n)", file);
	/* An end put in the machine's own namespace would be an interface
	 * on the machine itself, which a lesson or a test must never make
	 * (a wrong pid is an easy slip). */
	if (is_machine_ns("net", theirs.st_ino))
		die("--netns %s: that is the machine's own network namespace, not a container's", file);
	return fd;
}

struct options {
	const char *netns, *bridge, *ifname, *addr_arg, *bridge_addr_arg, *gateway_arg;
	struct in_addr addr, bridge_addr, gateway;
	int prefix, bridge_prefix, has_addr, has_bridge_addr, has_gateway;
	unsigned int mtu;
};

/* Is addr in the subnet of net/prefix? */
static int in_subnet(struct in_addr addr, struct in_addr net, int prefix)
{
	uint32_t mask = prefix ? htonl(~0U << (32 - prefix)) : 0;

	return (addr.s_addr & mask) == (net.s_addr & mask);
}

/* An address a host can have: not its subnet's first (the network) or
 * last (the broadcast), which the kernel takes but nothing can reach. */
static void check_host_addr(const char *opt, const char *arg, struct in_addr addr, int prefix)
{
	uint32_t host = prefix ? ntohl(addr.s_addr) & (~0U >> prefix) : ntohl(addr.s_addr);

	if (prefix <= 30 && host == 0)
		die_usage("%s '%s': that is the subnet's own address, not a host's", opt, arg);
	if (prefix <= 30 && host == (prefix ? ~0U >> prefix : ~0U))
		die_usage("%s '%s': that is the subnet's broadcast address, not a host's", opt, arg);
}

/* The addresses must make a network that works: the container and the
 * bridge on one subnet, the gateway on the container's. The kernel
 * would refuse some of it only half way through, or take it and leave
 * a container that cannot reach its gateway. */
static void check_addresses(const struct options *o)
{
	if (o->has_bridge_addr && !o->bridge)
		die_usage("--bridge-addr needs --bridge");
	if (o->has_bridge_addr)
		check_host_addr("--bridge-addr", o->bridge_addr_arg, o->bridge_addr, o->bridge_prefix);
	if (o->has_addr)
		check_host_addr("--addr", o->addr_arg, o->addr, o->prefix);
	if (o->has_addr && o->has_bridge_addr) {
		if (o->prefix != o->bridge_prefix || !in_subnet(o->addr, o->bridge_addr, o->prefix))
			die_usage("--addr '%s' is not on the bridge's subnet (--bridge-addr '%s')", o->addr_arg,
				  o->bridge_addr_arg);
		if (o->addr.s_addr == o->bridge_addr.s_addr)
			die_usage("--addr '%s': that is the bridge's own address", o->addr_arg);
	}
	if (o->has_gateway) {
		if (!o->has_addr)
			die_usage("--gateway needs --addr: a route goes through an address of the link");
		if (!in_subnet(o->gateway, o->addr, o->prefix))
			die_usage("--gateway '%s' is not on the container's subnet (--addr '%s')", o->gateway_arg, o->addr_arg);
		if (o->gateway.s_addr == o->addr.s_addr)
			die_usage("--gateway '%s': that is the container's own address", o->gateway_arg);
	}
}

/* ---- add ---- */

/* What add made so far, undone in reverse if a later step fails or a
 * stop signal comes: undo() is an atexit() handler, so every way out
 * (die(), check_stop()) runs it, and a finished add clears this first. */
static struct made {
	struct nl *host;
	const char *veth, *bridge;
	int bridge_index, addr_added;
	struct in_addr addr;
	int prefix;
} made;

static void undo(void)
{
	struct made m = made;

	memset(&made, 0, sizeof(made)); /* once, even if a step below dies */
	if (m.veth)
		del_link(m.host, m.veth); /* takes the peer with it */
	if (m.addr_added)
		change_addr(m.host, 0, m.bridge_index, m.addr, m.prefix);
	if (m.bridge)
		del_link(m.host, m.bridge);
}

/* The bridge: found, or made with its address and brought up. */
static int ensure_bridge(struct nl *host, const struct options *o)
{
	struct link br;
	struct req r;

	if (get_link(host, o->bridge, &br) == 0) {
		if (strcmp(br.kind, "bridge") != 0)
			die("%s exists and is not a bridge (it is a%s %s)", o->bridge, *br.kind ? "" : "n",
			    *br.kind ? br.kind : "interface without a kind");
	} else {
		struct ifinfomsg *ifi = start(&r, RTM_NEWLINK, "RTM_NEWLINK", NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
		mnl_attr_put_strz(r.nlh, IFLA_IFNAME, o->bridge);
		struct nlattr *info = mnl_attr_nest_start(r.nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(r.nlh, IFLA_INFO_KIND, "bridge");
		mnl_attr_nest_end(r.nlh, info);
		show(&r, " {ifname=\"%s\", linkinfo={kind=\"bridge\"}}", o->bridge);
		if (talk(host, &r, NULL, NULL) == -1)
			die_errno("cannot make bridge %s", o->bridge);
		made.bridge = o->bridge;
		check_stop();
		if (get_link(host, o->bridge, &br) == -1)
			die_errno("cannot find bridge %s", o->bridge);
	}
	made.bridge_index = br.index;
	if (o->has_bridge_addr) {
		if (change_addr(host, 1, br.index, o->bridge_addr, o->bridge_prefix) == 0) {
			made.addr_added = !made.bridge; /* a new bridge takes it along */
			made.addr = o->bridge_addr;
			made.prefix = o->bridge_prefix;
		} else if (errno != EEXIST) {
			die_errno("cannot add %s/%d to %s", inet_ntoa(o->bridge_addr), o->bridge_prefix, o->bridge);
		}
		check_stop();
	}
	if (!br.up && link_up(host, br.index, o->bridge) == -1)
		die_errno("cannot bring %s up", o->bridge);
	check_stop();
	return br.index;
}

/* The pair, in one request: NAME here (on bridge, if not 0), its peer
 * made straight in the container's namespace, the one ctrfd is open on
 * (IFLA_NET_NS_FD). 0, or -1 with the kernel's errno. */
static int make_pair(struct nl *host, const char *name, const struct options *o, int bridge, int ctrfd)
{
	struct req r;
	struct ifinfomsg *ifi = start(&r, RTM_NEWLINK, "RTM_NEWLINK", NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	mnl_attr_put_strz(r.nlh, IFLA_IFNAME, name);
	show(&r, " {ifname=\"%s\"", name);
	if (o->mtu) {
		mnl_attr_put_u32(r.nlh, IFLA_MTU, o->mtu);
		show(&r, ", mtu=%u", o->mtu);
	}
	if (bridge) {
		mnl_attr_put_u32(r.nlh, IFLA_MASTER, (uint32_t)bridge);
		show(&r, ", master=%d /* %s */", bridge, o->bridge);
	}
	struct nlattr *info = mnl_attr_nest_start(r.nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(r.nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(r.nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(r.nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(r.nlh, sizeof(struct ifinfomsg)); /* the peer's own header */
	mnl_attr_put_strz(r.nlh, IFLA_IFNAME, o->ifname);
	mnl_attr_put_u32(r.nlh, IFLA_NET_NS_FD, (uint32_t)ctrfd);
	if (o->mtu)
		mnl_attr_put_u32(r.nlh, IFLA_MTU, o->mtu);
	mnl_attr_nest_end(r.nlh, peer);
	mnl_attr_nest_end(r.nlh, data);
	mnl_attr_nest_end(r.nlh, info);
	show(&r, ", linkinfo={kind=\"veth\", data={peer={ifname=\"%s\", net_ns_fd=%d%s}}}}", o->ifname, ctrfd,
	     o->mtu ? ", mtu=..." : "");
	return talk(host, &r, NULL, NULL);
}

/* The default route, through gateway on link index: what `ip route add
 * default via GATEWAY` sends. */
static int add_default_route(struct nl *ctr, struct in_addr gateway, int index)
{
	struct req r;
	struct rtmsg *rt = start(&r, RTM_NEWROUTE, "RTM_NEWROUTE", NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(r.nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	mnl_attr_put_u32(r.nlh, RTA_OIF, (uint32_t)index);
	show(&r, " {family=AF_INET, dst=0.0.0.0/0, gateway=%s, oif=%d}", inet_ntoa(gateway), index);
	return talk(ctr, &r, NULL, NULL);
}

static void add(const char *name, const struct options *o)
{
	struct nl host, ctr;
	struct link l;

	/* Both sockets first: one here, one made inside the container. To
	 * come back after, an fd on our own namespace: the second setns()
	 * is the way back. */
	int ctrfd = open_netns(o->netns);
	const char *self = "/proc/self/ns/net";
	const int flags = O_RDONLY | O_CLOEXEC;
	int selffd = open(self, flags);
	trace(selffd, "openat(AT_FDCWD, %s, %s)", quote(self), open_flags_str(flags));
	if (selffd == -1)
		die_errno("cannot open %s", self);
	open_nl(&host, "");
	if (trace(setns(ctrfd, CLONE_NEWNET), "setns(%d, CLONE_NEWNET)", ctrfd) == -1)
		die_errno("cannot enter the container's network namespace");
	open_nl(&ctr, " /* in the container */");
	if (trace(setns(selffd, CLONE_NEWNET), "setns(%d, CLONE_NEWNET)", selffd) == -1)
		die_errno("cannot come back to our network namespace");
	close(selffd);

	/* Nothing is made if a name is taken already. */
	if (get_link(&host, name, &l) == 0) {
		if (strcmp(l.kind, "veth") != 0)
			die("%s exists already here, and is not a veth: choose another name", name);
		die("%s exists already here (vethpair del %s)", name, name);
	}
	if (get_link(&ctr, o->ifname, &l) == 0)
		die("the container has a %s already (--ifname NAME)", o->ifname);
	made.host = &host;
	check_stop();

	int bridge = o->bridge ? ensure_bridge(&host, o) : 0;

	if (make_pair(&host, name, o, bridge, ctrfd) == -1)
		die_errno("cannot make the veth pair %s", name);
	made.veth = name;
	check_stop();
	if (get_link(&host, name, &l) == -1 || link_up(&host, l.index, name) == -1)
		die_errno("cannot bring %s up", name);
	check_stop();

	/* Inside: lo up (it is down in a new namespace, and some programs
	 * need it), the address, the link up, the default route. */
	if (link_up(&ctr, 1, "lo") == -1)
		die_errno("cannot bring lo up in the container");
	check_stop();
	if (get_link(&ctr, o->ifname, &l) == -1)
		die_errno("cannot find %s in the container", o->ifname);
	if (o->has_addr && change_addr(&ctr, 1, l.index, o->addr, o->prefix) == -1)
		die_errno("cannot add %s/%d in the container", inet_ntoa(o->addr), o->prefix);
	check_stop();
	if (link_up(&ctr, l.index, o->ifname) == -1)
		die_errno("cannot bring %s up in the container", o->ifname);
	check_stop();
	if (o->has_gateway && add_default_route(&ctr, o->gateway, l.index) == -1)
		die_errno("cannot add the default route via %s in the container", inet_ntoa(o->gateway));
	/* A stop that came during the last step undoes it all too: exit
	 * status 0 means the whole link is there, 128+N that none of it is. */
	check_stop();
	memset(&made, 0, sizeof(made)); /* done: nothing to undo */
	mnl_socket_close(ctr.sock);
	mnl_socket_close(host.sock);
	close(ctrfd);
}

/* ---- del, list ---- */

static void del(const char *name, const char *bridge)
{
	struct nl host;
	struct link l;

	open_nl(&host, "");
	if (get_link(&host, name, &l) == 0) {
		if (strcmp(l.kind, "veth") != 0)
			die("%s is not a veth (it is a%s %s): not removed", name, *l.kind ? "" : "n",
			    *l.kind ? l.kind : "interface without a kind");
		if (del_link(&host, name) == -1 && errno != ENODEV)
			die_errno("cannot remove %s", name);
	} else {
		trace_line("%s: no such link, nothing to remove", name);
	}
	if (bridge && get_link(&host, bridge, &l) == 0) {
		if (strcmp(l.kind, "bridge") != 0)
			die("%s is not a bridge: not removed", bridge);
		struct links ls = dump_links(&host);
		size_t ports = 0;
		for (size_t i = 0; i < ls.n; i++)
			ports += ls.all[i].master == l.index;
		free(ls.all);
		if (ports)
			trace_line("%s still has %zu port%s: kept", bridge, ports, ports == 1 ? "" : "s");
		else if (del_link(&host, bridge) == -1 && errno != ENODEV)
			die_errno("cannot remove %s", bridge);
	}
	mnl_socket_close(host.sock);
}

/* The columns, as wide as they always were: an interface name is at
 * most 15 characters, an MTU at most 5 digits. */
static const struct table_column list_columns[] = {
	{ "NAME", 0, 15 }, { "BRIDGE", 0, 15 }, { "STATE", 0, 5 }, { "MTU", 0, 5 }, { "PEER", 0, 0 },
};

static void list(void)
{
	struct nl host;
	struct table t;

	open_nl(&host, "");
	struct links ls = dump_links(&host);
	table_init(&t, list_columns, LEN(list_columns));
	for (size_t i = 0; i < ls.n; i++) {
		const struct link *l = &ls.all[i];
		const char *master = "-";
		if (strcmp(l->kind, "veth") != 0)
			continue;
		for (size_t j = 0; j < ls.n; j++)
			if (l->master && ls.all[j].index == l->master)
				master = ls.all[j].name;
		char mtu[16], peer[64];
		snprintf(mtu, sizeof(mtu), "%d", l->mtu);
		if (l->netnsid >= 0)
			snprintf(peer, sizeof(peer), "if%d in netnsid %d", l->peer_index, l->netnsid);
		else
			snprintf(peer, sizeof(peer), "if%d here", l->peer_index);
		const char *row[] = { l->name, master, l->up ? "up" : "down", mtu, peer };
		table_add_row(&t, row);
	}
	table_print(&t, 1, 0);
	free(ls.all);
	mnl_socket_close(host.sock);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "bridge-addr", required_argument, NULL, OPT_BRIDGE_ADDR },
		{ "addr", required_argument, NULL, 'a' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .ifname = "eth0" };
	const char *words[3];
	int nwords = 0, c;

	progname = "vethpair";
	opterr = 0;
	/* Options and words in any order (vethpair add c1 --netns 42): with
	 * a leading '-', getopt_long hands each word back as option 1. */
	while ((c = getopt_long(argc, argv, "-:n:b:a:g:i:m:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 1: add_word(words, &nwords, LEN(words), optarg); break;
		case 'n': o.netns = optarg; break;
		case 'b': check_ifname("--bridge", optarg); o.bridge = optarg; break;
		case OPT_BRIDGE_ADDR:
			if (parse_cidr(optarg, &o.bridge_addr, &o.bridge_prefix) == -1)
				die_usage("--bridge-addr '%s': want an IPv4 address with a prefix (192.168.0.1/24)", optarg);
			o.has_bridge_addr = 1;
			o.bridge_addr_arg = optarg;
			break;
		case 'a':
			if (parse_cidr(optarg, &o.addr, &o.prefix) == -1)
				die_usage("--addr '%s': want an IPv4 address with a prefix (192.168.0.2/24)", optarg);
			o.has_addr = 1;
			o.addr_arg = optarg;
			break;
		case 'g':
			if (parse_ipv4(optarg, &o.gateway) == -1)
				die_usage("--gateway '%s': want an IPv4 address (192.168.0.1)", optarg);
			o.has_gateway = 1;
			o.gateway_arg = optarg;
			break;
		case 'i': check_ifname("--ifname", optarg); o.ifname = optarg; break;
		case 'm': {
			long long n = parse_number(optarg);
			if (n < 68 || n > 65535)
				die_usage("--mtu '%s': want a number from 68 to 65535", optarg);
			o.mtu = (unsigned int)n;
			break;
		}
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	while (optind < argc) /* after "--" */
		add_word(words, &nwords, LEN(words), argv[optind++]);
	if (nwords == 0)
		die_usage("give a command: add, del or list");
	const char *cmd = words[0];

	if (strcmp(cmd, "add") == 0) {
		if (nwords != 2)
			die_usage("add takes one name: vethpair add NAME --netns PID|FILE");
		check_ifname("NAME", words[1]);
		if (!o.netns)
			die_usage("add: give the container with --netns PID|FILE");
		if (o.bridge && strcmp(o.bridge, words[1]) == 0)
			die_usage("--bridge '%s': the bridge and the veth need names of their own", o.bridge);
		check_addresses(&o);
		/* The default route goes through the bridge, by default. */
		if (!o.has_gateway && o.has_bridge_addr && o.has_addr) {
			o.gateway = o.bridge_addr;
			o.has_gateway = 1;
		}
		/* From here a stop signal undoes what add made, as a failure does. */
		catch_stop_signals();
		atexit(undo);
		add(words[1], &o);
	} else if (strcmp(cmd, "del") == 0) {
		if (nwords != 2)
			die_usage("del takes one name: vethpair del NAME [--bridge BR]");
		if (o.netns || o.has_addr || o.has_bridge_addr || o.has_gateway || o.mtu)
			die_usage("del takes only --bridge");
		check_ifname("NAME", words[1]);
		del(words[1], o.bridge);
	} else if (strcmp(cmd, "list") == 0) {
		if (nwords != 1)
			die_usage("list takes no argument");
		list();
	} else {
		die_usage("unknown command '%s' (add, del or list)", cmd);
	}
	return 0;
}
