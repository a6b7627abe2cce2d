/*
 * mux client, XTI: sends its words to a mux server, a word "!c" as the expedited byte c and the
 * others as normal data, releases its side of the connection, then prints everything the server
 * sends back until the server releases too, each expedited byte as "!c" again.  Usage: client
 * netid host service word...
 *
 *	client tcp localhost 7777 hello '!x' world
 *
 * Not compiled here: the original of client.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <xti.h>
#include <netconfig.h>
#include <netdir.h>

/*
 * The one place the client chooses its transport and address: the transport named netid, the
 * first address netdir finds there for host and service.  Returns the connected endpoint, or -1.
 */
static int
connect_service(char *netid, char *host, char *service)
{
	struct netconfig *nconf;
	struct nd_hostserv hs;
	struct nd_addrlist *addrs;
	struct t_call *sndcall;
	int fd;

	if ((nconf = getnetconfigent(netid)) == NULL) {
		nc_perror(netid);
		return (-1);
	}
	hs.h_host = host;
	hs.h_serv = service;
	if (netdir_getbyname(nconf, &hs, &addrs) != 0) {
		netdir_perror(host);
		return (-1);
	}
	if ((fd = t_open(nconf->nc_device, O_RDWR, NULL)) < 0) {
		t_error(nconf->nc_device);
		return (-1);
	}
	if (t_bind(fd, NULL, NULL) < 0 ||
	    (sndcall = (struct t_call *)t_alloc(fd, T_CALL, T_ADDR)) == NULL) {
		t_error("t_bind/t_alloc");
		return (-1);
	}
	memcpy(sndcall->addr.buf, addrs->n_addrs[0].buf, addrs->n_addrs[0].len);
	sndcall->addr.len = addrs->n_addrs[0].len;
	if (t_connect(fd, sndcall, NULL) < 0) {
		t_error("t_connect");
		return (-1);
	}
	t_free((char *)sndcall, T_CALL);
	netdir_free((char *)addrs, ND_ADDRLIST);
	freenetconfigent(nconf);
	return (fd);
}

int
main(int argc, char **argv)
{
	int fd, i, n, flags;
	char buf[256];

	if (argc < 5) {
		fprintf(stderr, "usage: client netid host service word...\n");
		exit(2);
	}
	if ((fd = connect_service(argv[1], argv[2], argv[3])) < 0)
		exit(1);
	for (i = 4; i < argc; i++) {
		if (argv[i][0] == '!' && strlen(argv[i]) == 2)
			n = t_snd(fd, argv[i] + 1, 1, T_EXPEDITED);
		else if (strlen(argv[i]) > 0)
			n = t_snd(fd, argv[i], strlen(argv[i]), 0);
		else
			continue;
		if (n < 0) {
			t_error("t_snd");
			exit(1);
		}
	}
	if (t_sndrel(fd) < 0) {
		t_error("t_sndrel");
		exit(1);
	}
	while ((n = t_rcv(fd, buf, sizeof (buf), &flags)) >= 0) {
		if (flags & T_EXPEDITED)
			putchar('!');
		fwrite(buf, 1, n, stdout);
	}
	if (t_errno != TLOOK || t_look(fd) != T_ORDREL || t_rcvrel(fd) < 0) {
		t_error("t_rcv/t_rcvrel");
		exit(1);
	}
	putchar('\n');
	t_close(fd);
	exit(0);
}
