/* SPDX-License-Identifier: ISC */
/* test_nginx_status.c — stub_status pages parsed and refused, and one fetch
 * from a stand-in server on loopback (a forked child answering like nginx). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics/nginx_status.h"

static const char page[] = "Active connections: 3 \nserver accepts handled requests\n 17 16 42 \n"
			   "Reading: 1 Writing: 2 Waiting: 0 \n";

static void a_stub_status_page_parses(void **state)
{
	struct nginx_status status;
	(void)state;
	assert_int_equal(nginx_status_parse(page, strlen(page), &status), 0);
	assert_int_equal(status.active, 3);
	assert_int_equal(status.accepted, 17);
	assert_int_equal(status.handled, 16);
	assert_int_equal(status.requests, 42);
	assert_int_equal(status.reading, 1);
	assert_int_equal(status.writing, 2);
	assert_int_equal(status.waiting, 0);
}

static void other_pages_are_refused(void **state)
{
	struct nginx_status status;
	static const char *const bad[] = {
		"", "<html>404</html>", "Active connections: 3 \nserver accepts handled requests\n 17 16 \n",
		"Active connections: x \nserver accepts handled requests\n 1 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nginx_status_parse(bad[i], strlen(bad[i]), &status), -1);
}

static void bad_urls_are_refused_without_a_connection(void **state)
{
	struct nginx_status status;
	char error[256];
	static const char *const bad[] = {
		"127.0.0.1:80/status", "http://127.0.0.1/status", "http://localhost:80/status",
		"http://127.0.0.1:80", "https://127.0.0.1:80/status", "http://[::1/status",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nginx_status_fetch(bad[i], 200, &status, error, sizeof(error)), -1);
	assert_int_equal(nginx_status_fetch(NULL, 200, &status, error, sizeof(error)), -1);
}

/* A one-shot server on 127.0.0.1: reads the request, answers, closes. */
static pid_t serve_once(const char *answer, int *port)
{
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t size = sizeof(address);
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(listener >= 0);
	assert_int_equal(bind(listener, (struct sockaddr *)&address, sizeof(address)), 0);
	assert_int_equal(listen(listener, 1), 0);
	assert_int_equal(getsockname(listener, (struct sockaddr *)&address, &size), 0);
	*port = ntohs(address.sin_port);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char request[512];
		int connection = accept(listener, NULL, NULL);
		ssize_t got = connection >= 0 ? read(connection, request, sizeof(request) - 1) : -1;
		int ok = got > 0 && strncmp(request, "GET /nginx-status HTTP/1.0\r\n", 28) == 0;
		if (connection >= 0 && write(connection, answer, strlen(answer)) < 0)
			ok = 0;
		_exit(ok ? 0 : 1);
	}
	close(listener);
	return child;
}

static void a_page_is_fetched_over_loopback(void **state)
{
	char answer[512], url[64], error[256];
	struct nginx_status status;
	int port = 0, exited = 0;
	(void)state;
	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n%s", page);
	pid_t child = serve_once(answer, &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/nginx-status", port);
	assert_int_equal(nginx_status_fetch(url, 2000, &status, error, sizeof(error)), 0);
	assert_int_equal(status.requests, 42);
	assert_int_equal(waitpid(child, &exited, 0), child);
	assert_true(WIFEXITED(exited) && WEXITSTATUS(exited) == 0);

	/* nginx's 404 page (the location missing from the site) is an error. */
	child = serve_once("HTTP/1.1 404 Not Found\r\n\r\nnot found", &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/nginx-status", port);
	assert_int_equal(nginx_status_fetch(url, 2000, &status, error, sizeof(error)), -1);
	assert_non_null(strstr(error, "did not answer a stub_status page"));
	waitpid(child, &exited, 0);
}

static void rendering_without_a_page_says_nginx_is_down(void **state)
{
	char *text = NULL;
	size_t length = 0;
	(void)state;
	FILE *out = open_memstream(&text, &length);
	assert_non_null(out);
	nginx_status_render(out, NULL);
	fclose(out);
	assert_non_null(strstr(text, "\nnginx_up 0\n"));
	assert_null(strstr(text, "nginx_http_requests_total"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stub_status_page_parses),
		cmocka_unit_test(other_pages_are_refused),
		cmocka_unit_test(bad_urls_are_refused_without_a_connection),
		cmocka_unit_test(a_page_is_fetched_over_loopback),
		cmocka_unit_test(rendering_without_a_page_says_nginx_is_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
