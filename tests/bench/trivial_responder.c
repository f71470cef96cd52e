/* SPDX-License-Identifier: ISC */
/* trivial_responder.c — the bench's FastCGI ceiling (`make bench` only, never
 * installed): a responder that answers every request with one fixed JSON
 * body and does nothing else. It takes connections the way
 * platform-test-responder does — spawn-fcgi's listening socket on fd 0, one
 * epoll loop over it and over every connection nginx keeps open
 * (`fastcgi_keep_conn on`), edge-triggered, libfcgi parsing and writing the
 * records — so that behind the same nginx site, pool size and sockets it
 * costs what the FastCGI hop itself costs: the most any route can reach.
 * Each connection owns a heap FCGX_Request (the epoll event points at it).
 * SIGTERM ends the process at once (it holds nothing to save). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <fcgiapp.h>

/* The real responder's framing (src/http/response.c) around the body of
 * nginx's `return 200` ceiling. */
static const char ANSWER[] = "Status: 200 OK\r\nContent-Type: application/json\r\n"
			     "Content-Length: 12\r\n\r\n{\"ok\":true}\n";

enum { LISTEN_FD = 0, EVENT_BATCH = 64 };

/* Serves the next request of a connection: the one waiting on it, or, for a
 * new FCGX_Request, one on a connection libfcgi accepts (EAGAIN when another
 * process took it). Returns 0 while the connection stays open and watched,
 * -1 once it is gone (the caller frees the request). A kept connection that
 * nginx closed makes libfcgi accept a new one into the same request, so its
 * descriptor is (re)added after every request, as the real responder does. */
static int serve(int epoll_fd, FCGX_Request *fcgi)
{
	struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.ptr = fcgi};
	int result = FCGX_Accept_r(fcgi);

	if (result < 0) {
		if (result != -EAGAIN && result != -EWOULDBLOCK)
			fprintf(stderr, "trivial responder: accept failed: %s\n", strerror(-result));
		return -1;
	}
	FCGX_Detach(fcgi);	/* as the real responder: a close skips libfcgi's shutdown wait */
	if (FCGX_PutStr(ANSWER, (int)sizeof(ANSWER) - 1, fcgi->out) < 0)
		fprintf(stderr, "trivial responder: write failed\n");
	FCGX_Finish_r(fcgi);
	if (fcgi->ipcFd < 0)
		return -1;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fcgi->ipcFd, &event) != 0 && errno != EEXIST) {
		fprintf(stderr, "trivial responder: epoll_ctl: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Every connection in the accept queue, in one go (as the real responder:
 * one per pass would leave the end of a burst waiting). */
static void accept_all(int epoll_fd)
{
	for (;;) {
		/* Owned by its epoll event from here (invisible to the analyzer,
		 * hence the NOLINT), freed when its connection ends. */
		FCGX_Request *fcgi = malloc(sizeof(*fcgi)); /* NOLINT(clang-analyzer-unix.Malloc) */
		if (!fcgi) {
			fprintf(stderr, "trivial responder: out of memory\n");
			return;
		}
		if (FCGX_InitRequest(fcgi, LISTEN_FD, 0) != 0 || serve(epoll_fd, fcgi) != 0) {
			FCGX_Free(fcgi, 1);
			free(fcgi);
			return;
		}
	}
}

int main(void)
{
	struct epoll_event listen_event = {.events = EPOLLIN, .data.ptr = NULL};
	struct epoll_event events[EVENT_BATCH];
	int epoll_fd = -1;
	int flags;

	/* FCGX_Init catches SIGTERM for libfcgi's own accept loop, which this
	 * program does not run: the default action is put back. Non-blocking,
	 * so that a connection another copy won is EAGAIN, not a wait. */
	flags = fcntl(LISTEN_FD, F_GETFL);
	if (FCGX_Init() != 0 || signal(SIGTERM, SIG_DFL) == SIG_ERR || signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    flags < 0 || fcntl(LISTEN_FD, F_SETFL, flags | O_NONBLOCK) != 0) {
		fprintf(stderr, "trivial responder: cannot set up FastCGI on fd 0: %s\n", strerror(errno));
		goto out;
	}
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, LISTEN_FD, &listen_event) != 0) {
		fprintf(stderr, "trivial responder: epoll: %s\n", strerror(errno));
		goto out;
	}
	for (;;) {
		int count = epoll_wait(epoll_fd, events, EVENT_BATCH, -1);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0) {
			fprintf(stderr, "trivial responder: epoll_wait: %s\n", strerror(errno));
			goto out;
		}
		for (int i = 0; i < count; i++) {
			FCGX_Request *fcgi = events[i].data.ptr;
			if (!fcgi) {
				accept_all(epoll_fd);
			} else if (serve(epoll_fd, fcgi) != 0) {
				FCGX_Free(fcgi, 1);
				free(fcgi);
			}
		}
	}
out:	/* only a failure leaves the loop */
	if (epoll_fd >= 0)
		close(epoll_fd);
	return 1;
}
