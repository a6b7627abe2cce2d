/*
 * mux server, XTI, non-blocking: echoes what each client sends, expedited data as expedited
 * data, to every client at once from one process.  The listener and each connection are
 * non-blocking endpoints; the server sleeps in poll() until one of them needs it, never in a
 * call.  Each connection gets no Nagle delay and keep-alive probes, negotiated with t_optmgmt
 * and read back.  Usage: server netid service [count]  (netid: a TCP transport, tcp or tcp6;
 * service: a name from /etc/services or a port number, 0 for any free port; count:
 * connections to serve before exiting, 0 or none: for ever).  Prints "mux server on NETID
 * UADDR", then a line for each connection opened and closed.
 *
 *	server tcp 0
 *
 * Not compiled here: the original of server.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <xti.h>
#include <xti_inet.h>
#include <netconfig.h>
#include <netdir.h>

#define	MAXCONN		32	/* connections served at once */
#define	BUFSIZE		1024
#define	KEEPALIVE_MIN	10	/* idle minutes before keep-alive probes */

#define	OPEN		0	/* reading and echoing */
#define	RELEASING	1	/* released by the client; our own t_sndrel met flow control */

struct conn {
	int	fd;
	int	id;		/* for the log: 1 for the first connection, ... */
	int	state;
	char	buf[BUFSIZE];	/* received, not yet all sent back */
	int	off, len;
	int	flags;		/* T_EXPEDITED when buf holds expedited data */
	long	bytes, expedited;
};

static struct pollfd pfds[MAXCONN + 1];	/* [0] is the listener, [i] is conns[i] */
static struct conn conns[MAXCONN + 1];
static int nfds = 1;
static int served, count, accepted;
static struct netconfig *nconf;

/*
 * The one place the server chooses its address: this host's (HOST_SELF) for the service on
 * the transport.  Returns the bound non-blocking listener, or -1.
 */
static int
bind_service(char *service)
{
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_bind req, *ret;
	char *uaddr;
	int fd;

	hs.h_host = HOST_SELF;
	hs.h_serv = service;
	if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
		netdir_perror(service);
		return (-1);
	}
	if ((fd = t_open(nconf->nc_device, O_RDWR | O_NONBLOCK, NULL)) < 0) {
		t_error(nconf->nc_device);
		return (-1);
	}
	req.addr = addrs->n_addrs[0];
	req.qlen = 8;
	if ((ret = (struct t_bind *)t_alloc(fd, T_BIND, T_ADDR)) == NULL ||
	    t_bind(fd, &req, ret) < 0) {
		t_error("t_alloc/t_bind");
		return (-1);
	}
	uaddr = taddr2uaddr(nconf, &ret->addr);
	printf("mux server on %s %s\n", nconf->nc_netid, uaddr);
	fflush(stdout);
	free(uaddr);
	netdir_free((char *)addrs, ND_ADDRLIST);
	t_free((char *)ret, T_BIND);
	return (fd);
}

/*
 * The options every connection gets: no Nagle delay (the echo of a few bytes should not wait
 * for the acknowledgement of the last) and keep-alive probes (a client that vanished is
 * noticed).  Negotiated, then read back as the provider has them now.
 */
static void
set_options(struct conn *c, char *uaddr)
{
	struct {
		struct t_opthdr	nodelay_hdr;
		t_uscalar_t	nodelay;
		struct t_opthdr	keepalive_hdr;
		struct t_kpalive keepalive;
	} opts;
	struct t_opthdr hdrs[2];
	struct t_optmgmt req, ret;
	struct t_opthdr *oh;
	t_uscalar_t retbuf[64];
	t_uscalar_t nodelay = T_NO;
	struct t_kpalive keepalive;

	opts.nodelay_hdr.len = sizeof (struct t_opthdr) + sizeof (t_uscalar_t);
	opts.nodelay_hdr.level = T_INET_TCP;
	opts.nodelay_hdr.name = T_TCP_NODELAY;
	opts.nodelay_hdr.status = 0;
	opts.nodelay = T_YES;
	opts.keepalive_hdr.len = sizeof (struct t_opthdr) + sizeof (struct t_kpalive);
	opts.keepalive_hdr.level = T_INET_TCP;
	opts.keepalive_hdr.name = T_TCP_KEEPALIVE;
	opts.keepalive_hdr.status = 0;
	opts.keepalive.kp_onoff = T_YES;
	opts.keepalive.kp_timeout = KEEPALIVE_MIN;
	req.opt.buf = (char *)&opts;
	req.opt.len = sizeof (opts);
	req.flags = T_NEGOTIATE;
	ret.opt.buf = (char *)retbuf;
	ret.opt.maxlen = sizeof (retbuf);
	if (t_optmgmt(c->fd, &req, &ret) < 0)
		t_error("t_optmgmt T_NEGOTIATE");

	/* T_CURRENT takes the headers alone. */
	hdrs[0].len = hdrs[1].len = sizeof (struct t_opthdr);
	hdrs[0].level = hdrs[1].level = T_INET_TCP;
	hdrs[0].name = T_TCP_NODELAY;
	hdrs[1].name = T_TCP_KEEPALIVE;
	hdrs[0].status = hdrs[1].status = 0;
	req.opt.buf = (char *)hdrs;
	req.opt.len = sizeof (hdrs);
	req.flags = T_CURRENT;
	ret.opt.maxlen = sizeof (retbuf);
	if (t_optmgmt(c->fd, &req, &ret) < 0) {
		t_error("t_optmgmt T_CURRENT");
		return;
	}
	memset(&keepalive, 0, sizeof (keepalive));
	for (oh = T_OPT_FIRSTHDR(&ret.opt); oh != NULL;
	    oh = T_OPT_NEXTHDR(&ret.opt, oh)) {
		if (oh->name == T_TCP_NODELAY)
			nodelay = *(t_uscalar_t *)T_OPT_DATA(oh);
		else if (oh->name == T_TCP_KEEPALIVE)
			keepalive = *(struct t_kpalive *)T_OPT_DATA(oh);
	}
	printf("connection %d from %s: nodelay %s, keepalive %s %d min\n", c->id, uaddr,
	    nodelay == T_YES ? "on" : "off", keepalive.kp_onoff == T_YES ? "on" : "off",
	    keepalive.kp_timeout);
	fflush(stdout);
}

/* A new connection: accept it on a new non-blocking endpoint and watch it. */
static void
accept_call(int lfd)
{
	struct t_call *call;
	struct conn *c;
	char *uaddr;
	int fd;

	if ((call = (struct t_call *)t_alloc(lfd, T_CALL, T_ADDR)) == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	if (t_listen(lfd, call) < 0) {
		if (t_errno != TNODATA)		/* gone again before we looked */
			t_error("t_listen");
		t_free((char *)call, T_CALL);
		return;
	}
	if (nfds == MAXCONN + 1) {
		t_snddis(lfd, call);		/* full: refuse it */
		t_free((char *)call, T_CALL);
		return;
	}
	if ((fd = t_open(nconf->nc_device, O_RDWR | O_NONBLOCK, NULL)) < 0 ||
	    t_bind(fd, NULL, NULL) < 0) {
		t_error("t_open/t_bind");
		exit(1);
	}
	if (t_accept(lfd, fd, call) < 0) {
		if (t_errno == TLOOK && t_look(lfd) == T_DISCONNECT)
			t_rcvdis(lfd, NULL);	/* the caller gave up */
		else
			t_error("t_accept");
		t_close(fd);
		t_free((char *)call, T_CALL);
		return;
	}
	c = &conns[nfds];
	memset(c, 0, sizeof (*c));
	c->fd = fd;
	c->id = ++accepted;
	c->state = OPEN;
	pfds[nfds].fd = fd;
	pfds[nfds].events = POLLIN | POLLRDBAND;
	nfds++;
	uaddr = taddr2uaddr(nconf, &call->addr);
	set_options(c, uaddr);
	free(uaddr);
	t_free((char *)call, T_CALL);
}

/* Forget connection i: the last one takes its place. */
static void
drop_conn(int i)
{
	struct conn *c = &conns[i];

	printf("connection %d closed: %ld bytes, %ld expedited\n", c->id, c->bytes, c->expedited);
	fflush(stdout);
	t_close(c->fd);
	nfds--;
	conns[i] = conns[nfds];
	pfds[i] = pfds[nfds];
	served++;
}

/* Send our release; if flow control stops it, poll for POLLOUT and try again. */
static void
release(int i)
{
	struct conn *c = &conns[i];

	if (t_sndrel(c->fd) < 0 && t_errno == TFLOW) {
		c->state = RELEASING;
		pfds[i].events = POLLOUT;
		return;
	}
	drop_conn(i);
}

/* The event that made a call fail TLOOK. */
static void
look(int i)
{
	struct conn *c = &conns[i];

	switch (t_look(c->fd)) {
	case T_ORDREL:
		t_rcvrel(c->fd);
		release(i);
		break;
	case T_DISCONNECT:
		t_rcvdis(c->fd, NULL);
		drop_conn(i);
		break;
	}
}

/*
 * Send back what is left in the buffer.  Until all of it has gone, poll for POLLOUT and
 * read nothing more: a client that does not read its echo is not read either.
 */
static void
flush(int i)
{
	struct conn *c = &conns[i];
	int n;

	while (c->off < c->len) {
		if ((n = t_snd(c->fd, c->buf + c->off, c->len - c->off, c->flags)) < 0) {
			if (t_errno == TFLOW) {
				pfds[i].events = POLLOUT;
			} else if (t_errno == TLOOK) {
				look(i);
			} else {
				t_error("t_snd");
				drop_conn(i);
			}
			return;
		}
		c->off += n;
	}
	c->off = c->len = 0;
	pfds[i].events = POLLIN | POLLRDBAND;
}

/* Connection i is ready: finish what was pending, or read once and echo it. */
static void
serve(int i)
{
	struct conn *c = &conns[i];
	int n, flags;

	if (c->state == RELEASING) {
		release(i);
		return;
	}
	if (c->off < c->len) {
		flush(i);
		return;
	}
	if ((n = t_rcv(c->fd, c->buf, BUFSIZE, &flags)) < 0) {
		if (t_errno == TLOOK)
			look(i);
		else if (t_errno != TNODATA) {
			t_error("t_rcv");
			drop_conn(i);
		}
		return;
	}
	c->len = n;
	c->flags = flags & T_EXPEDITED;
	if (flags & T_EXPEDITED)
		c->expedited += n;
	else
		c->bytes += n;
	flush(i);
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: server netid service [count]\n");
		exit(2);
	}
	count = argc > 3 ? atoi(argv[3]) : 0;
	if ((nconf = getnetconfigent(argv[1])) == NULL) {
		nc_perror(argv[1]);
		exit(1);
	}
	if ((pfds[0].fd = bind_service(argv[2])) < 0)
		exit(1);
	pfds[0].events = POLLIN;
	while (count == 0 || served < count) {
		if (poll(pfds, nfds, -1) < 0) {
			perror("poll");
			exit(1);
		}
		/* From the end down, so that drop_conn moves only entries already seen. */
		for (i = nfds - 1; i >= 1; i--)
			if (pfds[i].revents != 0)
				serve(i);
		if (pfds[0].revents & POLLIN) {
			switch (t_look(pfds[0].fd)) {
			case T_LISTEN:
				accept_call(pfds[0].fd);
				break;
			case T_DISCONNECT:
				t_rcvdis(pfds[0].fd, NULL);
				break;
			}
		}
	}
	t_close(pfds[0].fd);
	exit(0);
}
