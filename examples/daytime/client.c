/*
 * daytime client, SVR4 TLI style: connects to a daytime server over the first transport of
 * NETPATH that reaches it, prints what it sends until the server releases the connection.
 * Usage: client host [service]  (service: a name from /etc/services or a port number; default
 * daytime).
 *
 *	client localhost 13
 *
 * Not compiled here: the original of client.ts.
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
 * The one place the client chooses its transport and address: each connection-oriented
 * transport of NETPATH in turn, and each address netdir finds there for host and service,
 * until a t_connect succeeds.  Returns the connected endpoint, or -1.
 */
static int
connect_service(char *host, char *service)
{
	void *handle;
	struct netconfig *nconf;
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_call sndcall;
	struct t_discon discon;
	int fd, i;

	if ((handle = setnetpath()) == NULL) {
		nc_perror("setnetpath");
		return (-1);
	}
	hs.h_host = host;
	hs.h_serv = service;
	while ((nconf = getnetpath(handle)) != NULL) {
		if (nconf->nc_semantics != NC_TPI_COTS &&
		    nconf->nc_semantics != NC_TPI_COTS_ORD)
			continue;
		if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
			netdir_perror(nconf->nc_netid);
			continue;
		}
		for (i = 0; i < addrs->n_cnt; i++) {
			if ((fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0) {
				t_error(nconf->nc_device);
				break;
			}
			if (t_bind(fd, NULL, NULL) < 0) {
				t_error("t_bind");
				t_close(fd);
				break;
			}
			memset(&sndcall, 0, sizeof (sndcall));
			sndcall.addr = addrs->n_addrs[i];
			if (t_connect(fd, &sndcall, NULL) == 0) {
				netdir_free((char *)addrs, ND_ADDRLIST);
				endnetpath(handle);
				return (fd);
			}
			if (t_errno == TLOOK && t_look(fd) == T_DISCONNECT) {
				memset(&discon, 0, sizeof (discon));
				t_rcvdis(fd, &discon);
				fprintf(stderr, "%s: disconnected (reason %d)\n",
				    nconf->nc_netid, discon.reason);
			} else
				t_error(nconf->nc_netid);
			t_close(fd);
		}
		netdir_free((char *)addrs, ND_ADDRLIST);
	}
	endnetpath(handle);
	return (-1);
}

int
main(int argc, char **argv)
{
	int fd, n, flags;
	char buf[128];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: client host [service]\n");
		exit(2);
	}
	if ((fd = connect_service(argv[1], argc > 2 ? argv[2] : "daytime")) < 0) {
		fprintf(stderr, "client: cannot reach %s\n", argv[1]);
		exit(1);
	}
	while ((n = t_rcv(fd, buf, sizeof (buf), &flags)) >= 0)
		fwrite(buf, 1, n, stdout);
	if (t_errno == TLOOK && t_look(fd) == T_ORDREL) {
		if (t_rcvrel(fd) < 0 || t_sndrel(fd) < 0) {
			t_error("t_rcvrel/t_sndrel");
			exit(1);
		}
	} else {
		t_error("t_rcv");
		exit(1);
	}
	t_close(fd);
	exit(0);
}
