/* SPDX-License-Identifier: ISC */
/* responder_main.c — platform-test-responder: the FastCGI server loop. It is
 * the only file that knows libfcgi; spawn-fcgi (or systemd) hands it the
 * listening socket on fd 0, and several copies may serve the same socket.
 *
 * libfcgi's own loop (FCGX_Accept_r on one request) holds one connection at
 * a time, so nginx could not keep connections to such processes open: idle
 * kept connections would pin every process. Here one epoll loop watches the
 * listening socket and every connection nginx keeps open, and gives the one
 * that is ready to libfcgi, which reads and writes the records (and accepts
 * new connections). Requests are still served one after another: they are
 * short, and this keeps one SQLite connection and one Redis link per process.
 *
 * Invariants: a slot is taken iff its request holds an open connection;
 * every open connection is in the epoll set under its slot's index; the
 * listening socket is watched iff a slot is free. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <fcgiapp.h>

#include "app/app.h"
#include "auth/jwt.h"
#include "http/dispatch.h"
#include "http/write_group.h"
#include "metrics/exposition.h"
#include "metrics/routes.h"
#include "metrics/scrape.h"
#include "util/clock.h"
#include "util/log.h"

struct request_buffers {
	char *path;
	char *body;
};

enum {
	LISTEN_FD = 0,
	/* Connections per process. nginx keeps up to `keepalive` idle ones per
	 * worker (64 in the site) spread over the responders, so this bounds
	 * workers x 64 / responders; past it a responder stops accepting. */
	SLOT_COUNT = 4096,
	RESERVED_FDS = 64,	/* SQLite, Redis, logs, epoll */
	EVENT_BATCH = 64,
};
#define LISTEN_TAG UINT64_MAX

static volatile sig_atomic_t stop_requested;

static void on_terminate(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

/* SIGTERM and SIGINT are blocked except inside epoll_pwait: a stop never
 * interrupts a request half-served, and is never missed between the check of
 * stop_requested and the wait. */
static int install_signals(sigset_t *wait_mask)
{
	struct sigaction action;
	sigset_t stop_signals;
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_terminate;
	sigemptyset(&action.sa_mask);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGINT, &action, NULL) != 0)
		return -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	if (sigprocmask(SIG_BLOCK, &stop_signals, wait_mask) != 0)
		return -1;
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	return 0;
}

static const char *param(FCGX_Request *fcgi, const char *name)
{
	return FCGX_GetParam(name, fcgi->envp);
}

/* Reads the request out of FastCGI. -1 only when memory ran out. */
static int read_request(FCGX_Request *fcgi, struct request *request, struct request_buffers *buffers)
{
	const char *uri = param(fcgi, "REQUEST_URI");
	const char *query = param(fcgi, "QUERY_STRING");
	const char *length_text = param(fcgi, "CONTENT_LENGTH");
	long long content_length = 0;

	memset(request, 0, sizeof(*request));
	request->now = clock_unix_seconds();
	request->method = param(fcgi, "REQUEST_METHOD");
	request->content_type = param(fcgi, "CONTENT_TYPE");
	request->authorization = param(fcgi, "HTTP_AUTHORIZATION");
	request->idempotency_key = param(fcgi, "HTTP_IDEMPOTENCY_KEY");
	request->remote_addr = param(fcgi, "REMOTE_ADDR");
	const char *throttle = param(fcgi, "PLATFORM_TEST_AUTH_THROTTLE");
	request->auth_throttle = throttle && strcmp(throttle, "1") == 0;
	request->query = query ? query : "";
	if (!uri)
		uri = param(fcgi, "DOCUMENT_URI");
	buffers->path = strndup(uri ? uri : "", strcspn(uri ? uri : "", "?"));
	if (!buffers->path)
		return -1;
	request->path = buffers->path;

	if (length_text && *length_text) {
		char *end = NULL;
		errno = 0;
		content_length = strtoll(length_text, &end, 10);
		if (errno || *end || content_length < 0)
			content_length = REQUEST_BODY_MAX + 1LL;
	}
	if (content_length > REQUEST_BODY_MAX) {
		request->body_too_large = true;
		return 0;
	}
	if (content_length == 0)
		return 0;
	buffers->body = malloc((size_t)content_length);
	if (!buffers->body)
		return -1;
	request->body_length = (size_t)FCGX_GetStr(buffers->body, (int)content_length, fcgi->in);
	request->body = buffers->body;
	return 0;
}

static void write_response(FCGX_Request *fcgi, const struct response *response)
{
	char *text = NULL;
	size_t length = 0;
	if (response_serialize(response, &text, &length) != 0) {
		static const char fallback[] = "Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
		FCGX_PutStr(fallback, (int)sizeof(fallback) - 1, fcgi->out);
		return;
	}
	FCGX_PutStr(text, (int)length, fcgi->out);
	free(text);
}

/* On a kept connection the next request's records follow this one's. What
 * libfcgi has buffered of this request goes with it, but the end of the body
 * and the empty record that closes it may still be in the socket, and libfcgi
 * would take them for a protocol error in the next request and drop the
 * connection. nginx limits bodies to 64 KiB. */
static void discard_unread_input(FCGX_Request *fcgi)
{
	char scratch[4096];
	while (FCGX_GetStr(scratch, (int)sizeof(scratch), fcgi->in) > 0)
		;
}

/* ---- metrics: GET /metrics, and one count per request ---- */

/* A scrape is GET /metrics through the site's metrics location from a
 * caller it lets through (it sets PLATFORM_TEST_METRICS_SCRAPE=1 then); anyone else
 * asking for /metrics gets the API's 404, as for any unknown path. */
static bool is_scrape(FCGX_Request *fcgi, const char *path)
{
	const char *scrape = param(fcgi, "PLATFORM_TEST_METRICS_SCRAPE");
	const char *method = param(fcgi, "REQUEST_METHOD");
	return scrape && strcmp(scrape, "1") == 0 && method && strcmp(method, "GET") == 0 &&
	       strcmp(path, "/metrics") == 0;
}

static void serve_scrape(struct app *app, FCGX_Request *fcgi)
{
	static const char unavailable[] = "Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
					  "\r\nmetrics are off (PT_METRICS_PATH is not set, "
					  "or its file could not be mapped)\n";
	char *text = NULL;
	size_t length = 0;
	if (metrics_scrape(app, param(fcgi, "PLATFORM_TEST_NGINX_STATUS_URL"), &text, &length) != 0) {
		FCGX_PutStr(unavailable, (int)sizeof(unavailable) - 1, fcgi->out);
		return;
	}
	char head[256];
	int head_length = snprintf(head, sizeof(head), "Status: 200 OK\r\nContent-Type: %s\r\n"
				   "Content-Length: %zu\r\n\r\n", METRICS_CONTENT_TYPE, length);
	FCGX_PutStr(head, head_length, fcgi->out);
	FCGX_PutStr(text, (int)length, fcgi->out);
	free(text);
}

/* A request whose write joined the group: its connection waits, unanswered,
 * until the group is written at the end of this turn of the loop. */
struct parked_request {
	size_t slot;
	size_t route;
	uint64_t started_ns;
	struct response response;
};

/* Answers a request whose response is complete. */
static void finish_response(FCGX_Request *fcgi, struct parked_request *served)
{
	write_response(fcgi, &served->response);
	metrics_observe_request(served->route, served->response.status, metrics_clock_ns() - served->started_ns);
	discard_unread_input(fcgi);
	response_reset(&served->response);
}

/* Serves one request into *served; true when it joined the write group and
 * waits (served is then the group's to answer), false when answered. */
static bool serve(struct app *app, FCGX_Request *fcgi, struct write_group *group, struct parked_request *served)
{
	struct request request;
	struct request_buffers buffers = {0};
	bool parked = false;
	served->route = METRICS_ROUTE_UNMATCHED;
	served->started_ns = metrics_clock_ns();
	response_init(&served->response);
	if (read_request(fcgi, &request, &buffers) != 0) {
		response_error(&served->response, API_ERROR_INTERNAL, NULL, NULL);
	} else if (is_scrape(fcgi, request.path)) {
		serve_scrape(app, fcgi);	/* not counted: a scrape is not API traffic */
		discard_unread_input(fcgi);
		response_reset(&served->response);
		goto out;
	} else {
		request.group = group;
		served->route = (size_t)dispatch(app, &request, &served->response);
	}
	/* The group's members copied what they need out of the request. */
	parked = served->response.deferred;
	if (!parked)
		finish_response(fcgi, served);
out:
	free(buffers.path);
	free(buffers.body);
	return parked;
}

struct server {
	int epoll_fd;
	bool listening;
	size_t capacity;		/* slots usable under the open-files limit */
	size_t free_count;
	size_t free_slots[SLOT_COUNT];	/* a stack of the indexes of free slots */
	bool taken[SLOT_COUNT];
	FCGX_Request slots[SLOT_COUNT];
	/* This turn's writes: the group, and the requests waiting for it. */
	struct write_group group;
	size_t parked_count;
	struct parked_request parked[2 * WRITE_GROUP_MAX];
};

/* libfcgi has no accessor for a request's connection; the field is the one
 * fcgiapp.h declares (libfcgi 2.4), and only read here. */
static int connection_fd(const FCGX_Request *fcgi)
{
	return fcgi->ipcFd;
}

static int watch_listening(struct server *server, bool on)
{
	struct epoll_event event = {.events = EPOLLIN, .data.u64 = LISTEN_TAG};
	if (server->listening == on)
		return 0;
	if (epoll_ctl(server->epoll_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, LISTEN_FD, &event) != 0)
		return -1;
	server->listening = on;
	return 0;
}

static size_t take_slot(struct server *server)
{
	size_t index = server->free_slots[--server->free_count];
	server->taken[index] = true;
	/* A free slot holds no connection and no streams: resetting it is safe,
	 * and done here so that only slots ever used cost memory. */
	FCGX_InitRequest(&server->slots[index], LISTEN_FD, 0);
	if (server->free_count == 0 && watch_listening(server, false) != 0)
		log_error("cannot stop watching the listening socket: %s", strerror(errno));
	return index;
}

static void release_slot(struct server *server, size_t index)
{
	server->taken[index] = false;
	server->free_slots[server->free_count++] = index;
	if (watch_listening(server, true) != 0)
		log_error("cannot watch the listening socket: %s", strerror(errno));
}

/* Raises the soft open-files limit as far as the hard one allows (systemd
 * and shells default to 1024) and sizes the slots to it, so accept never
 * fails with EMFILE while the listening socket is watched. */
static size_t usable_slots(void)
{
	struct rlimit limit;
	rlim_t wanted = SLOT_COUNT + RESERVED_FDS;
	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return 0;
	if (limit.rlim_cur < wanted) {
		limit.rlim_cur = limit.rlim_max < wanted ? limit.rlim_max : wanted;
		if (setrlimit(RLIMIT_NOFILE, &limit) != 0 && getrlimit(RLIMIT_NOFILE, &limit) != 0)
			return 0;
	}
	if (limit.rlim_cur <= RESERVED_FDS)
		return 0;
	return limit.rlim_cur - RESERVED_FDS < SLOT_COUNT ? (size_t)(limit.rlim_cur - RESERVED_FDS) : SLOT_COUNT;
}

static int server_open(struct server *server)
{
	int flags;
	server->capacity = usable_slots();
	if (server->capacity == 0)
		return -1;
	server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (server->epoll_fd < 0)
		return -1;
	/* Non-blocking, so that when another process wins the race for a
	 * connection libfcgi's accept returns EAGAIN instead of waiting. */
	flags = fcntl(LISTEN_FD, F_GETFL);
	if (flags < 0 || fcntl(LISTEN_FD, F_SETFL, flags | O_NONBLOCK) != 0)
		return -1;
	for (size_t index = 0; index < server->capacity; index++)
		server->free_slots[server->free_count++] = server->capacity - 1 - index;
	return watch_listening(server, true);
}

static void server_close(struct server *server)
{
	for (size_t index = 0; index < SLOT_COUNT; index++)
		if (server->taken[index])
			FCGX_Free(&server->slots[index], 1);
	if (server->epoll_fd >= 0)
		close(server->epoll_fd);
}

enum slot_outcome {
	SLOT_KEPT,		/* served; the connection stays open for the next one */
	SLOT_CLOSED,		/* served, and the connection is gone */
	SLOT_IDLE,		/* nothing served: no request, or nothing to accept */
	SLOT_PARKED,		/* its request waits for the write group */
};

/* Ends a served request and watches its connection for the next one. When a
 * kept connection has ended libfcgi may accept a new one into the slot, so
 * the connection is (re)added to the epoll set after every request.
 * Edge-triggered: a connection joins the ready list when its next request
 * arrives, so requests are served in the order they came. (Level-triggered
 * keeps each connection's old place: a round robin over connections, which
 * doubled the tail of slow requests.) nginx sends a connection's next
 * request only after this one's answer, so one request per edge drains it. */
static enum slot_outcome finish_slot(struct server *server, size_t index)
{
	FCGX_Request *fcgi = &server->slots[index];
	struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.u64 = index};
	FCGX_Finish_r(fcgi);
	int fd = connection_fd(fcgi);
	if (fd < 0)
		return SLOT_CLOSED;
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0 && errno != EEXIST) {
		log_error("cannot watch a FastCGI connection: %s", strerror(errno));
		FCGX_Free(fcgi, 1);
		return SLOT_CLOSED;
	}
	return SLOT_KEPT;
}

/* Writes the group and answers every request that waited for it. */
static void flush_group(struct server *server, struct app *app)
{
	if (server->parked_count == 0)
		return;
	write_group_commit(app, &server->group);
	for (size_t i = 0; i < server->parked_count; i++) {
		struct parked_request *waiting = &server->parked[i];
		finish_response(&server->slots[waiting->slot], waiting);
		if (finish_slot(server, waiting->slot) != SLOT_KEPT)
			release_slot(server, waiting->slot);
	}
	server->parked_count = 0;
}

/* Serves the next request of a slot: the one waiting on its kept connection,
 * or, for a slot just taken, one on a connection libfcgi accepts. */
static enum slot_outcome serve_slot(struct server *server, struct app *app, size_t index)
{
	FCGX_Request *fcgi = &server->slots[index];
	int result = FCGX_Accept_r(fcgi);

	if (result < 0) {
		if (result != -EAGAIN && result != -EWOULDBLOCK)
			log_error("FastCGI accept failed: %s", strerror(-result));
		return SLOT_IDLE;
	}
	/* Detached, closing skips libfcgi's shutdown() and wait for nginx to
	 * close first; on a unix socket nothing written is lost. */
	FCGX_Detach(fcgi);
	struct parked_request *served = &server->parked[server->parked_count];
	if (serve(app, fcgi, &server->group, served)) {
		served->slot = index;
		server->parked_count++;
		/* A full group is written now: the next member would have to write alone. */
		if (!write_group_has_room(&server->group))
			flush_group(server, app);
		return SLOT_PARKED;
	}
	return finish_slot(server, index);
}

/* serve_slot, then the slot given back unless its connection stays open
 * (kept, or waiting for the write group). */
static enum slot_outcome serve_and_keep(struct server *server, struct app *app, size_t index)
{
	enum slot_outcome outcome = serve_slot(server, app, index);
	if (outcome == SLOT_CLOSED || outcome == SLOT_IDLE)
		release_slot(server, index);
	return outcome;
}

/* Every connection waiting in the accept queue is served in one go: one per
 * pass of the loop would leave the last of a burst waiting behind many
 * rounds of the connections already kept (seconds, at 64 clients). */
static void serve_new_connections(struct server *server, struct app *app)
{
	enum slot_outcome outcome = SLOT_KEPT;
	while (outcome != SLOT_IDLE && server->free_count > 0)
		outcome = serve_and_keep(server, app, take_slot(server));
}

static int server_run(struct server *server, struct app *app, const sigset_t *wait_mask)
{
	struct epoll_event events[EVENT_BATCH];
	while (!stop_requested) {
		int count = epoll_pwait(server->epoll_fd, events, EVENT_BATCH, -1, wait_mask);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0)
			return -1;
		for (int event = 0; event < count; event++) {
			uint64_t tag = events[event].data.u64;
			if (tag == LISTEN_TAG)
				serve_new_connections(server, app);
			else if (server->taken[tag])
				serve_and_keep(server, app, (size_t)tag);
		}
		/* Every request that joined the group this turn is answered
		 * before the loop waits again. */
		flush_group(server, app);
	}
	return 0;
}

int main(void)
{
	/* Static: the slots' pages cost memory only once used. */
	static struct server server;
	struct app app;
	sigset_t wait_mask;
	char error[256];
	int status = 1;

	log_set_program("platform-test-responder");
	if (app_open(&app, SETTINGS_NEED_STORAGE | SETTINGS_NEED_SECRETS, error, sizeof(error)) != 0) {
		log_error("refusing to start: %s", error);
		return 1;
	}
	/* Without its metrics a responder still serves: the scrape says they are off. */
	if (app.settings.metrics_path &&
	    metrics_open(app.settings.metrics_path, METRICS_PROCESS_RESPONDER, METRICS_ROUTE_LAYOUT, error,
			 sizeof(error)) != 0)
		log_error("metrics off: %s", error);
	server.epoll_fd = -1;
	if (FCGX_Init() != 0 || install_signals(&wait_mask) != 0 || server_open(&server) != 0) {
		log_error("cannot initialise FastCGI: %s", strerror(errno));
		goto out;
	}
	if (server_run(&server, &app, &wait_mask) != 0) {
		log_error("FastCGI event loop failed: %s", strerror(errno));
		goto out;
	}
	status = 0;
out:
	server_close(&server);
	jwt_release_thread_cache();
	metrics_close();
	app_close(&app);
	return status;
}
