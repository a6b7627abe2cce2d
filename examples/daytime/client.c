/*
 * daytime client, SVR4 TLI style: connects to a daytime server, prints what it sends until the
 * server releases the connection.  Usage: client host port.  Not compiled here: the original of
 * client.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <tiuser.h>
#include <netinet/in.h>
#include <arpa/inet.h>

extern int t_errno;

int
main(int argc, char **argv)
{
	int fd, n, flags;
	struct t_call *sndcall;
	struct sockaddr_in *sin;
	char buf[128];

	if (argc != 3) {
		fprintf(stderr, "usage: client host port\n");
		exit(2);
	}
	if ((fd = t_open("/dev/tcp", O_RDWR, NULL)) < 0) {
		t_error("t_open");
		exit(1);
	}
	if (t_bind(fd, NULL, NULL) < 0) {
		t_error("t_bind");
		exit(1);
	}
	if ((sndcall = (struct t_call *)t_alloc(fd, T_CALL, T_ADDR)) == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	sin = (struct sockaddr_in *)sndcall->addr.buf;
	memset(sin, 0, sizeof (*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(argv[2]));
	sin->sin_addr.s_addr = inet_addr(argv[1]);
	sndcall->addr.len = sizeof (*sin);
	if (t_connect(fd, sndcall, NULL) < 0) {
		t_error("t_connect");
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
