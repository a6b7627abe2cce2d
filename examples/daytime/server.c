/*
 * daytime server, SVR4 TLI style: answers each caller with the time of day, then releases the
 * connection.  The transport is the first connection-oriented one of NETPATH, the address this
 * host's (HOST_SELF) for the service.  Usage: server [service [count]]  (service: a name from
 * /etc/services or a port number, 0 for any free port; default daytime.  count: callers to
 * serve before exiting, 0 or none: for ever).  Prints "daytime server on NETID UADDR".
 *
 *	NETPATH=tcp server 0 1
 *
 * Not compiled here: the original of server.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <tiuser.h>
#include <netconfig.h>
#include <netdir.h>

extern int t_errno;

/*
 * The one place the server chooses its transport and address: the first connection-oriented
 * transport of NETPATH that has an address for the service.  Returns the bound listener, its
 * transport in *ncp and the address bound in *retp; -1 if no transport would do.
 */
static int
bind_service(char *service, struct netconfig **ncp, struct t_bind **retp)
{
	void *handle;
	struct netconfig *nconf;
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_bind req;
	int fd;

	if ((handle = setnetpath()) == NULL) {
		nc_perror("setnetpath");
		return (-1);
	}
	hs.h_host = HOST_SELF;
	hs.h_serv = service;
	while ((nconf = getnetpath(handle)) != NULL) {
		if (nconf->nc_semantics != NC_TPI_COTS &&
		    nconf->nc_semantics != NC_TPI_COTS_ORD)
			continue;
		if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
			netdir_perror(nconf->nc_netid);
			continue;
		}
		if ((fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0) {
			t_error(nconf->nc_device);
			netdir_free((char *)addrs, ND_ADDRLIST);
			continue;
		}
		req.addr = addrs->n_addrs[0];
		req.qlen = 1;	/* one caller at a time: TLI's t_accept fails TLOOK when another calls */
		if ((*retp = (struct t_bind *)t_alloc(fd, T_BIND, T_ADDR)) == NULL ||
		    t_bind(fd, &req, *retp) < 0) {
			t_error("t_alloc/t_bind");
			netdir_free((char *)addrs, ND_ADDRLIST);
			t_close(fd);
			continue;
		}
		netdir_free((char *)addrs, ND_ADDRLIST);
		/* getnetpath's entries go with endnetpath: keep a copy. */
		*ncp = getnetconfigent(nconf->nc_netid);
		endnetpath(handle);
		return (fd);
	}
	endnetpath(handle);
	return (-1);
}

int
main(int argc, char **argv)
{
	int listen_fd, conn_fd, served = 0, count, flags;
	struct netconfig *nconf;
	struct t_bind *ret;
	struct t_call *call;
	char buf[64], *uaddr;
	time_t now;

	count = argc > 2 ? atoi(argv[2]) : 0;
	listen_fd = bind_service(argc > 1 ? argv[1] : "daytime", &nconf, &ret);
	if (listen_fd < 0) {
		fprintf(stderr, "server: no transport in NETPATH serves this\n");
		exit(1);
	}
	/* TLI binds another address when this one is busy: say which one we got. */
	uaddr = taddr2uaddr(nconf, &ret->addr);
	printf("daytime server on %s %s\n", nconf->nc_netid, uaddr);
	fflush(stdout);
	free(uaddr);

	if ((call = (struct t_call *)t_alloc(listen_fd, T_CALL, T_ADDR)) == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	while (count == 0 || served < count) {
		if (t_listen(listen_fd, call) < 0) {
			t_error("t_listen");
			exit(1);
		}
		if ((conn_fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0 ||
		    t_bind(conn_fd, NULL, NULL) < 0) {
			t_error("t_open/t_bind");
			exit(1);
		}
		if (t_accept(listen_fd, conn_fd, call) < 0) {
			if (t_errno == TLOOK && t_look(listen_fd) == T_DISCONNECT)
				t_rcvdis(listen_fd, NULL);	/* the caller gave up */
			else
				t_error("t_accept");
			t_close(conn_fd);
			continue;
		}
		now = time(NULL);
		strcpy(buf, ctime(&now));	/* "Wed Jun 30 21:49:08 1993\n" */
		if (t_snd(conn_fd, buf, strlen(buf), 0) < 0 || t_sndrel(conn_fd) < 0)
			t_error("t_snd/t_sndrel");
		/* Wait for the caller's release before closing. */
		while (t_rcv(conn_fd, buf, sizeof (buf), &flags) >= 0)
			;
		if (t_errno == TLOOK && t_look(conn_fd) == T_ORDREL)
			t_rcvrel(conn_fd);
		t_close(conn_fd);
		served++;
	}
	t_close(listen_fd);
	freenetconfigent(nconf);
	exit(0);
}
