/*
 * echo client, SVR4 TLI style, connectionless: sends each message to an echo server as one
 * datagram and prints the answer.  A datagram that cannot be delivered (no server at that
 * address) comes back as a unit data error: the client says why and exits 1; so it does when
 * no answer comes within 5 seconds.  Usage: client netid host service message...
 *
 *	client udp localhost echo hello world
 *
 * Not compiled here: the original of client.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <tiuser.h>
#include <netconfig.h>
#include <netdir.h>

extern int t_errno;

#define	WAIT_MS	5000

/*
 * The one place the client chooses its transport and address: the transport named netid, the
 * first address netdir finds there for host and service.  Returns the bound endpoint and the
 * server's address in *srvp, or -1.
 */
static int
open_service(struct netconfig *nconf, char *host, char *service, struct netbuf **srvp)
{
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	int fd;

	hs.h_host = host;
	hs.h_serv = service;
	if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
		netdir_perror(host);
		return (-1);
	}
	*srvp = addrs->n_addrs;	/* the list stays ours until netdir_free */
	if ((fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0 ||
	    t_bind(fd, NULL, NULL) < 0) {
		t_error(nconf->nc_device);
		return (-1);
	}
	return (fd);
}

int
main(int argc, char **argv)
{
	int fd, i, flags;
	struct netconfig *nconf;
	struct netbuf *srv;
	struct t_unitdata *ud;
	struct t_uderr *uderr;
	struct pollfd pfd;
	char *uaddr;

	if (argc < 5) {
		fprintf(stderr, "usage: client netid host service message...\n");
		exit(2);
	}
	if ((nconf = getnetconfigent(argv[1])) == NULL) {
		nc_perror(argv[1]);
		exit(1);
	}
	if ((fd = open_service(nconf, argv[2], argv[3], &srv)) < 0)
		exit(1);
	ud = (struct t_unitdata *)t_alloc(fd, T_UNITDATA, T_ADDR | T_UDATA);
	uderr = (struct t_uderr *)t_alloc(fd, T_UDERROR, T_ADDR);
	if (ud == NULL || uderr == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	for (i = 4; i < argc; i++) {
		memcpy(ud->addr.buf, srv->buf, srv->len);
		ud->addr.len = srv->len;
		memcpy(ud->udata.buf, argv[i], strlen(argv[i]));
		ud->udata.len = strlen(argv[i]);
		if (t_sndudata(fd, ud) < 0) {
			t_error("t_sndudata");
			exit(1);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, WAIT_MS) == 0) {
			fprintf(stderr, "client: no answer from %s\n", argv[2]);
			exit(1);
		}
		if (t_rcvudata(fd, ud, &flags) < 0) {
			if (t_errno == TLOOK && t_look(fd) == T_UDERR &&
			    t_rcvuderr(fd, uderr) == 0) {
				uaddr = taddr2uaddr(nconf, &uderr->addr);
				fprintf(stderr, "client: datagram to %s failed: %s\n",
				    uaddr, strerror(uderr->error));
				exit(1);
			}
			t_error("t_rcvudata");
			exit(1);
		}
		printf("%.*s\n", (int)ud->udata.len, ud->udata.buf);
	}
	t_close(fd);
	exit(0);
}
