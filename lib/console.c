/* console.c: runc's console socket, for a container with a terminal.
 *
 * An engine that wants a terminal for a container (podman run -t through
 * conmon, containerd-shim) listens on a unix socket and passes its path
 * as --console-socket. The runtime makes the pty inside the container,
 * from the container's own /dev/ptmx (its devpts instance), and sends the
 * master end back over the socket; the engine holds the master and the
 * command gets the slave as its controlling terminal and stdio. No
 * process of the runtime stays between them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrkit.h"

int console_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path))
		die("console socket %s: the path is longer than a unix socket address can hold (%zu bytes)",
		    path, sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (trace(sock, "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)") == -1)
		die_errno("cannot make a unix socket");
	if (trace(connect(sock, (struct sockaddr *)&addr, sizeof(addr)),
		  "connect(%d, {sa_family=AF_UNIX, sun_path=%s}, %zu)", sock, quote(addr.sun_path),
		  sizeof(addr)) == -1)
		die_errno("cannot connect to the console socket %s", path);
	return sock;
}

/* Sends fd over sock as SCM_RIGHTS, with name as the message itself:
 * runc's SendRawFd sends the file's name ("/dev/ptmx") this way, and
 * conmon and containerd-shim read one message of that shape. */
static void send_fd(int sock, int fd, const char *name)
{
	union { /* a control buffer aligned for struct cmsghdr */
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};

	memset(&control, 0, sizeof(control));
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	trace(n, "sendmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=%s, iov_len=%zu}], "
		 "msg_iovlen=1, msg_control=[{cmsg_len=%zu, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
		 "cmsg_data=[%d]}], msg_controllen=%zu, msg_flags=0}, MSG_NOSIGNAL)",
	      sock, quote_mem(iov.iov_base, iov.iov_len), iov.iov_len, (size_t)cmsg->cmsg_len, fd,
	      (size_t)msg.msg_controllen);
	if (n == -1)
		die_errno("cannot send the terminal over the console socket");
	if ((size_t)n != iov.iov_len)
		die("cannot send the terminal over the console socket: short write");
}

void console_attach(int sock)
{
	static const char ptmx[] = "/dev/ptmx";
	char pts[64];
	int unlock = 0, n = -1;

	/* O_NOCTTY: the master must not become our controlling terminal. */
	const int flags = O_RDWR | O_NOCTTY | O_CLOEXEC;
	int master = open(ptmx, flags);
	if (trace(master, "openat(AT_FDCWD, %s, %s)", quote(ptmx), open_flags_str(flags)) == -1)
		die_errno("cannot open %s", ptmx);
	/* What grantpt(3) and unlockpt(3) come to on a devpts: grantpt has
	 * nothing to do (devpts gives the slave its owner and mode itself),
	 * unlockpt clears the lock a new pty is born with. */
	if (trace(ioctl(master, TIOCSPTLCK, &unlock), "ioctl(%d, TIOCSPTLCK, [%d])", master, unlock) == -1)
		die_errno("cannot unlock the new pty");
	/* ptsname(3): the pty's number in this devpts instance. */
	int r = ioctl(master, TIOCGPTN, &n);
	if (trace(r, "ioctl(%d, TIOCGPTN, [%d])", master, n) == -1)
		die_errno("cannot read the number of the new pty");
	snprintf(pts, sizeof(pts), "/dev/pts/%d", n);
	int slave = open(pts, flags);
	if (trace(slave, "openat(AT_FDCWD, %s, %s)", quote(pts), open_flags_str(flags)) == -1)
		die_errno("cannot open %s", pts);

	send_fd(sock, master, ptmx);
	/* The engine holds the master now; ours would keep the pty open after
	 * the engine closes it, and the command would never see a hangup. */
	trace(close(master), "close(%d)", master);
	trace(close(sock), "close(%d)", sock);

	/* A terminal becomes the controlling terminal of a session leader
	 * that has none: a new session drops whatever terminal we had. */
	if (getsid(0) != getpid() && trace(setsid(), "setsid()") == -1)
		die_errno("cannot start a new session for the terminal");
	if (trace(ioctl(slave, TIOCSCTTY, 0), "ioctl(%d, TIOCSCTTY, 0)", slave) == -1)
		die_errno("cannot make %s the controlling terminal", pts);
	for (int fd = 0; fd <= 2; fd++)
		if (trace(dup2(slave, fd), "dup2(%d, %d)", slave, fd) == -1)
			die_errno("cannot make %s fd %d", pts, fd);
	if (slave > 2)
		trace(close(slave), "close(%d)", slave);
}
