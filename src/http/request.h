/* SPDX-License-Identifier: ISC */
/* request.h — a request as the handlers see it, already taken out of FastCGI. */
#ifndef PT_REQUEST_H
#define PT_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

struct write_group;

#define REQUEST_BODY_MAX 65536

struct request {
	const char *method;		/* REQUEST_METHOD */
	const char *path;		/* raw path of REQUEST_URI, without the query */
	const char *query;		/* QUERY_STRING, never NULL */
	const char *content_type;	/* may be NULL */
	const char *authorization;	/* may be NULL */
	const char *idempotency_key;	/* may be NULL */
	const char *remote_addr;	/* REMOTE_ADDR, the client as nginx saw it; may be NULL */
	bool auth_throttle;		/* the site's limits are on (PLATFORM_TEST_AUTH_THROTTLE=1, a FastCGI parameter from nginx) */
	const char *body;		/* body_length bytes, not NUL-terminated */
	size_t body_length;
	bool body_too_large;		/* CONTENT_LENGTH over REQUEST_BODY_MAX: body not read */
	int64_t now;			/* unix seconds when the request arrived */
	/* The responder's write group, which a create or submission joins
	 * (http/write_group.h); NULL when it has no room: write alone. */
	struct write_group *group;
};

#endif
