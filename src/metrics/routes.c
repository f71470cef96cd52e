/* SPDX-License-Identifier: ISC */
/* routes.c — the route labels, generated from the rows of http/endpoints.h. */
#include "config.h"

#include "metrics/routes.h"

/* Lower case at compile time is not possible in C; the table is written
 * once at first use (a responder is single-threaded when it scrapes). */
#define PT_METRICS_ROUTE_NAME(name, method, pattern, policy, handler) #name,
static const char *const endpoint_names[ENDPOINT__COUNT] = {PT_ENDPOINTS(PT_METRICS_ROUTE_NAME)};
#undef PT_METRICS_ROUTE_NAME

static char labels[ENDPOINT__COUNT][48];

const char *metrics_route_label(size_t slot)
{
	if (slot >= ENDPOINT__COUNT)
		return "unmatched";
	if (!labels[slot][0]) {
		size_t i = 0;
		for (; endpoint_names[slot][i] && i < sizeof(labels[slot]) - 1; i++) {
			char c = endpoint_names[slot][i];
			labels[slot][i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		labels[slot][i] = '\0';
	}
	return labels[slot];
}
