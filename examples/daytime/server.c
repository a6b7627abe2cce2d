/*
 * daytime server, SVR4 TLI style: answers each caller with the time of day, then releases the
 * connection.  Usage: server [port [count]]  (port 0 or none: any free port; count: callers to
 * serve before exiting, 0 or none: for ever).  Not compiled here: the original of server.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <tiuser.h>
#include <netinet/in.h>
#include <arpa/inet.h>

extern int t_errno;

int
main(int argc, char **argv)
{
	int listen_fd, conn_fd, served = 0, count, flags;
	struct t_bind *req, *ret;
	struct t_call *call;
	struct sockaddr_in *sin;
	char buf[64];
	time_t now;

	count = argc > 2 ? atoi(argv[2]) : 0;
	if ((listen_fd = t_open("/dev/tcp", O_RDWR, NULL)) < 0) {
		t_error("t_open");
		exit(1);
	}
	req = (struct t_bind *)t_alloc(listen_fd, T_BIND, T_ALL);
	ret = (struct t_bind *)t_alloc(listen_fd, T_BIND, T_ALL);
	if (req == NULL || ret == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	sin = (struct sockaddr_in *)req->addr.buf;
	memset(sin, 0, sizeof (*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(argc > 1 ? atoi(argv[1]) : 0);
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	req->addr.len = sizeof (*sin);
	req->qlen = 5;
	if (t_bind(listen_fd, req, ret) < 0) {
		t_error("t_bind");
		exit(1);
	}
	sin = (struct sockaddr_in *)ret->addr.buf;
	printf("daytime server on port %d\n", ntohs(sin->sin_port));
	fflush(stdout);

	if ((call = (struct t_call *)t_alloc(listen_fd, T_CALL, T_ADDR)) == NULL) {
		t_error("t_alloc");
		exit(1);
	}
	while (count == 0 || served < count) {
		if (t_listen(listen_fd, call) < 0) {
			t_error("t_listen");
			exit(1);
		}
		if ((conn_fd = t_open("/dev/tcp", O_RDWR, NULL)) < 0 ||
		    t_bind(conn_fd, NULL, NULL) < 0) {
			t_error("t_open/t_bind");
			exit(1);
		}
		if (t_accept(listen_fd, conn_fd, call) < 0) {
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
	exit(0);
}
