/*
 * echo server, SVR4 TLI style, connectionless: sends every datagram back to where it came from.
 * A datagram the transport could not deliver comes back as a unit data error, which is
 * reported and skipped.  Usage: server netid service [count]  (netid: a connectionless
 * transport of the netconfig database, e.g. udp; service: a name from /etc/services or a port
 * number, 0 for any free port; count: datagrams to echo before exiting, 0 or none: for ever).
 * Prints "echo server on NETID UADDR".
 *
 *	server udp 0
 *
 * Not compiled here: the original of server.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <tiuser.h>
#include <netconfig.h>
#include <netdir.h>

extern int t_errno;

/*
 * The one place the server chooses its transport and address: the transport named netid,
 * this host's address (HOST_SELF) for the service.  Returns the bound endpoint and the
 * address bound in *retp, or -1.
 */
static int
bind_service(struct netconfig *nconf, char *service, struct t_bind **retp)
{
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_bind req;
	int fd;

	hs.h_host = HOST_SELF;
	hs.h_serv = service;
	if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
		netdir_perror(service);
		return (-1);
	}
	if ((fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0) {
		t_error(nconf->nc_device);
		return (-1);
	}
	req.addr = addrs->n_addrs[0];
	req.qlen = 0;
	if ((*retp = (struct t_bind *)t_alloc(fd, T_BIND, T_ADDR)) == NULL ||
	    t_bind(fd, &req, *retp) < 0) {
		t_error("t_alloc/t_bind");
		return (-1);
	}
	netdir_free((char *)addrs, ND_ADDRLIST);
	return (fd);
}

int
main(int argc, char **argv)
{
	int fd, flags, echoed = 0, count;
	struct netconfig *nconf;
	struct t_bind *ret;
	struct t_unitdata *ud;
	struct t_uderr *uderr;
	char *uaddr;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: server netid service [count]\n");
		exit(2);
	}
	count = argc > 3 ? atoi(argv[3]) : 0;
	if ((nconf = getnetconfigent(argv[1])) == NULL) {
		nc_perror(argv[1]);
		exit(1);
	}
	if ((fd = bind_service(nconf, argv[2], &ret)) < 0)
		exit(1);
	uaddr = taddr2uaddr(nconf, &ret->addr);
	printf("echo server on %s %s\n", nconf->nc_netid, uaddr);
	fflush(stdout);
	free(uaddr);

	ud = (struct t_unitdata *)t_alloc(fd, T_UNITDATA, T_ADDR | T_UDATA);
	uderr = (struct t_uderr *)t_alloc(fd, T_UDERROR, T_ADDR);
	if (ud == NULL || uderr == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	while (count == 0 || echoed < count) {
		if (t_rcvudata(fd, ud, &flags) < 0) {
			if (t_errno == TLOOK && t_look(fd) == T_UDERR) {
				/* An earlier answer did not arrive: say so and go on. */
				if (t_rcvuderr(fd, uderr) < 0) {
					t_error("t_rcvuderr");
					exit(1);
				}
				uaddr = taddr2uaddr(nconf, &uderr->addr);
				fprintf(stderr, "server: datagram to %s failed: %s\n",
				    uaddr, strerror(uderr->error));
				free(uaddr);
				continue;
			}
			t_error("t_rcvudata");
			exit(1);
		}
		/* ud->addr is the sender: the same structure goes back. */
		if (t_sndudata(fd, ud) < 0) {
			t_error("t_sndudata");
			exit(1);
		}
		echoed++;
	}
	t_close(fd);
	freenetconfigent(nconf);
	exit(0);
}
