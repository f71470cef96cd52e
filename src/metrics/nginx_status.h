/* SPDX-License-Identifier: ISC */
/* nginx_status.h — nginx's stub_status page, fetched over loopback when
 * /metrics is scraped and rendered as Prometheus metrics. nginx cannot write
 * Prometheus' format itself (Debian's nginx has no njs or Lua), and its
 * totals (accepted, handled, requests) exist only on that page, not as
 * variables; the responder answering the scrape converts it, so no exporter
 * process has to run beside nginx. */
#ifndef PT_NGINX_STATUS_H
#define PT_NGINX_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nginx_status {
	uint64_t active, accepted, handled, requests, reading, writing, waiting;
};

/* Parses the body of a stub_status page. 0, or -1 when it is not one. */
int nginx_status_parse(const char *text, size_t length, struct nginx_status *status);

/* GETs url ("http://IPV4:PORT/PATH" or "http://[IPV6]:PORT/PATH", numeric
 * only: no name is resolved) within timeout_ms, and parses the page.
 * 0, or -1 with error set. */
int nginx_status_fetch(const char *url, int timeout_ms, struct nginx_status *status, char *error,
		       size_t error_size);

/* The nginx_* families; with status NULL (the fetch failed) only nginx_up 0. */
void nginx_status_render(FILE *out, const struct nginx_status *status);

#endif
