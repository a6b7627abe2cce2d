/*
 * idioms, XTI: the small idioms of docs/porting.md in one program that runs, over the loopback
 * transport ticotsord inside one process: a listener and its caller, a non-blocking connect, a
 * TSDU read in pieces, expedited data, poll and the t_look event loop, orderly release.
 * Usage: idioms
 *
 *	idioms
 *
 * Not compiled here: the original of idioms.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <xti.h>
#include <netconfig.h>
#include <netdir.h>

#define	ADDRSIZE	64

int
main(int argc, char **argv)
{
	struct netconfig *nconf;
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_info info;
	struct t_bind req;
	struct t_call *call, sndcall;
	struct pollfd pfd;
	int lfd, cfd, sfd, n, flags, done = 0;
	char buf[4];

	if ((nconf = getnetconfigent("ticotsord")) == NULL) {
		nc_perror("ticotsord");
		exit(1);
	}
	hs.h_host = HOST_SELF;
	hs.h_serv = "idioms";
	if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
		netdir_perror("idioms");
		exit(1);
	}
	if ((lfd = t_open(nconf->nc_device, O_RDWR, &info)) < 0 ||
	    (cfd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0 ||
	    (sfd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0) {
		t_error("t_open");
		exit(1);
	}
	req.addr = addrs->n_addrs[0];
	req.qlen = 1;
	if (t_bind(lfd, &req, NULL) < 0 || t_bind(cfd, NULL, NULL) < 0) {
		t_error("t_bind");
		exit(1);
	}

	/* No limit on the size of addresses: t_alloc has no size to give. */
	if (info.addr == T_INFINITE)
		printf("addresses: T_INFINITE\n");
	if ((call = (struct t_call *)t_alloc(lfd, T_CALL, T_ALL)) == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	if (call->addr.maxlen == 0) {
		call->addr.buf = malloc(ADDRSIZE);
		call->addr.maxlen = ADDRSIZE;
	}

	/* One process has both ends: the caller must not wait for its own listener. */
	if (fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK) < 0) {
		perror("fcntl");
		exit(1);
	}
	memset(&sndcall, 0, sizeof (sndcall));
	sndcall.addr = addrs->n_addrs[0];
	if (t_connect(cfd, &sndcall, NULL) < 0 && t_errno != TNODATA) {
		t_error("t_connect");
		exit(1);
	}
	printf("t_connect: %s\n", t_strerror(t_errno));
	if (t_listen(lfd, call) < 0 || t_accept(lfd, sfd, call) < 0) {
		t_error("t_listen/t_accept");
		exit(1);
	}
	fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK);
	if (t_rcvconnect(cfd, NULL) < 0) {
		t_error("t_rcvconnect");
		exit(1);
	}
	t_free((char *)call, T_CALL);

	/* One TSDU in two pieces, then an expedited byte, then the release. */
	if (t_snd(cfd, "abc", 3, T_MORE) < 0 || t_snd(cfd, "def", 3, 0) < 0 ||
	    t_snd(cfd, "!", 1, T_EXPEDITED) < 0 || t_sndrel(cfd) < 0) {
		t_error("t_snd/t_sndrel");
		exit(1);
	}

	/* The t_look event loop: sleep in poll, then ask t_look what happened. */
	while (!done) {
		pfd.fd = sfd;
		pfd.events = POLLIN | POLLRDBAND;
		if (poll(&pfd, 1, -1) < 0) {
			perror("poll");
			exit(1);
		}
		switch (t_look(sfd)) {
		case T_DATA:
		case T_EXDATA:
			if ((n = t_rcv(sfd, buf, sizeof (buf), &flags)) < 0) {
				t_error("t_rcv");
				exit(1);
			}
			printf("%.*s%s%s\n", n, buf, (flags & T_EXPEDITED) ? " expedited" : "",
			    (flags & T_MORE) ? " (more)" : "");
			break;
		case T_ORDREL:
			if (t_rcvrel(sfd) < 0 || t_sndrel(sfd) < 0) {
				t_error("t_rcvrel/t_sndrel");
				exit(1);
			}
			printf("released\n");
			done = 1;
			break;
		case T_DISCONNECT:
			t_rcvdis(sfd, NULL);
			printf("disconnected\n");
			done = 1;
			break;
		}
	}
	t_close(cfd);
	t_close(sfd);
	t_close(lfd);
	netdir_free((char *)addrs, ND_ADDRLIST);
	freenetconfigent(nconf);
	exit(0);
}
