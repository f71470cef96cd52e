/* SPDX-License-Identifier: ISC */
/* nginx_status.c — one HTTP/1.0 GET of nginx's stub_status page over a
 * numeric loopback address, with a deadline, and its conversion. It runs only
 * when /metrics is scraped, never on an API request. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics/exposition.h"
#include "metrics/nginx_status.h"
#include "util/clock.h"
#include "util/digits.h"

#define RESPONSE_MAX 4096

/* The page's words in order; "#" stands for a number. */
static const char *const page_words[] = {
	"Active", "connections:", "#", "server", "accepts", "handled", "requests", "#", "#", "#",
	"Reading:", "#", "Writing:", "#", "Waiting:", "#",
};

int nginx_status_parse(const char *text, size_t length, struct nginx_status *status)
{
	static const char blanks[] = " \t\r\n";
	int64_t numbers[7];
	size_t found = 0, at = 0;
	for (size_t w = 0; w < sizeof(page_words) / sizeof(page_words[0]); w++) {
		while (at < length && strchr(blanks, text[at]) && text[at])
			at++;
		size_t word = at;
		while (at < length && text[at] && !strchr(blanks, text[at]))
			at++;
		if (at == word)
			return -1;
		if (strcmp(page_words[w], "#") == 0) {
			if (digits_parse(text + word, at - word, &numbers[found++]) != DIGITS_OK)
				return -1;
		} else if (strlen(page_words[w]) != at - word || memcmp(page_words[w], text + word, at - word) != 0) {
			return -1;
		}
	}
	*status = (struct nginx_status){(uint64_t)numbers[0], (uint64_t)numbers[1], (uint64_t)numbers[2],
					(uint64_t)numbers[3], (uint64_t)numbers[4], (uint64_t)numbers[5],
					(uint64_t)numbers[6]};
	return 0;
}

/* "http://HOST:PORT/PATH" into its parts; HOST may be [IPv6]. */
static int split_url(const char *url, char *host, size_t host_size, char *port, size_t port_size, const char **path)
{
	const char *rest, *colon, *slash;
	size_t length;
	if (strncmp(url, "http://", 7) != 0)
		return -1;
	rest = url + 7;
	slash = strchr(rest, '/');
	if (!slash)
		return -1;
	if (*rest == '[') {
		const char *close = memchr(rest, ']', (size_t)(slash - rest));
		if (!close || close[1] != ':')
			return -1;
		length = (size_t)(close - rest - 1);
		rest++;
		colon = close + 1;
	} else {
		colon = memchr(rest, ':', (size_t)(slash - rest));
		if (!colon)
			return -1;
		length = (size_t)(colon - rest);
	}
	if (length == 0 || length >= host_size || (size_t)(slash - colon - 1) >= port_size || slash == colon + 1)
		return -1;
	memcpy(host, rest, length);
	host[length] = '\0';
	memcpy(port, colon + 1, (size_t)(slash - colon - 1));
	port[slash - colon - 1] = '\0';
	*path = slash;
	return 0;
}

/* Waits until fd is ready for events or the deadline passed. 0 or -1. */
static int wait_ready(int fd, short events, int64_t deadline_ms)
{
	struct pollfd poller = {.fd = fd, .events = events};
	for (;;) {
		int64_t left = deadline_ms - clock_monotonic_ms();
		if (left <= 0)
			return -1;
		int result = poll(&poller, 1, (int)left);
		if (result > 0)
			return 0;
		if (result < 0 && errno != EINTR)
			return -1;
	}
}

static int connect_by_deadline(const struct addrinfo *address, int64_t deadline_ms)
{
	int fd = socket(address->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int failure = 0;
	socklen_t size = sizeof(failure);
	if (fd < 0)
		return -1;
	if (connect(fd, address->ai_addr, address->ai_addrlen) != 0 &&
	    (errno != EINPROGRESS || wait_ready(fd, POLLOUT, deadline_ms) != 0 ||
	     getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size) != 0 || failure != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends the request and reads the whole answer (HTTP/1.0: nginx closes). */
static ssize_t exchange(int fd, const char *request, size_t request_length, char *response, int64_t deadline_ms)
{
	size_t sent = 0, received = 0;
	while (sent < request_length) {
		ssize_t result = send(fd, request + sent, request_length - sent, MSG_NOSIGNAL);
		if (result > 0) {
			sent += (size_t)result;
			continue;
		}
		if ((result < 0 && errno != EAGAIN && errno != EINTR) || wait_ready(fd, POLLOUT, deadline_ms) != 0)
			return -1;
	}
	for (;;) {
		ssize_t result = recv(fd, response + received, RESPONSE_MAX - received, 0);
		if (result == 0)
			return (ssize_t)received;
		if (result > 0 && (received += (size_t)result) >= RESPONSE_MAX)
			return -1;
		if (result < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (result < 0 && wait_ready(fd, POLLIN, deadline_ms) != 0)
			return -1;
	}
}

int nginx_status_fetch(const char *url, int timeout_ms, struct nginx_status *status, char *error,
		       size_t error_size)
{
	char host[64], port[8], request[512], response[RESPONSE_MAX + 1];
	const char *path = NULL, *body;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *addresses = NULL;
	int64_t deadline_ms = clock_monotonic_ms() + timeout_ms;
	int fd, length;
	ssize_t received;

	if (!url || split_url(url, host, sizeof(host), port, sizeof(port), &path) != 0) {
		snprintf(error, error_size, "bad stub_status URL (want http://ADDRESS:PORT/PATH): %s", url ? url : "(none)");
		return -1;
	}
	length = snprintf(request, sizeof(request), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
	if (length < 0 || (size_t)length >= sizeof(request) || getaddrinfo(host, port, &hints, &addresses) != 0) {
		snprintf(error, error_size, "bad stub_status address %s:%s", host, port);
		return -1;
	}
	fd = connect_by_deadline(addresses, deadline_ms);
	freeaddrinfo(addresses);
	if (fd < 0) {
		snprintf(error, error_size, "cannot connect to %s: %s", url, strerror(errno));
		return -1;
	}
	received = exchange(fd, request, (size_t)length, response, deadline_ms);
	close(fd);
	if (received < 0) {
		snprintf(error, error_size, "no answer from %s within %d ms", url, timeout_ms);
		return -1;
	}
	response[received] = '\0';
	body = strstr(response, "\r\n\r\n");
	if (strncmp(response, "HTTP/1.1 200 ", 13) != 0 || !body ||
	    nginx_status_parse(body + 4, (size_t)(received - (body + 4 - response)), status) != 0) {
		snprintf(error, error_size, "%s did not answer a stub_status page", url);
		return -1;
	}
	return 0;
}

void nginx_status_render(FILE *out, const struct nginx_status *status)
{
	exposition_family(out, "nginx_up", "gauge", "1 when nginx's stub_status page was read for this scrape, else 0.");
	exposition_sample(out, "nginx_up", "", status ? 1 : 0);
	if (!status)
		return;
	const struct {
		const char *name, *type, *help;
		uint64_t value;
	} rows[] = {
		{"nginx_connections_accepted_total", "counter", "Client connections nginx accepted.", status->accepted},
		{"nginx_connections_handled_total", "counter", "Client connections nginx handled.", status->handled},
		{"nginx_http_requests_total", "counter", "Client requests nginx received.", status->requests},
		{"nginx_connections_active", "gauge", "Open client connections, waiting ones included.", status->active},
		{"nginx_connections_reading", "gauge", "Connections where nginx is reading the request header.",
		 status->reading},
		{"nginx_connections_writing", "gauge", "Connections where nginx is writing the response.", status->writing},
		{"nginx_connections_waiting", "gauge", "Idle keep-alive client connections.", status->waiting},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		exposition_family(out, rows[i].name, rows[i].type, rows[i].help);
		exposition_sample(out, rows[i].name, "", (double)rows[i].value);
	}
}
