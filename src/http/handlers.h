/* SPDX-License-Identifier: ISC */
/* handlers.h — one handler per endpoint (endpoints.h), in one file per
 * resource. A handler always leaves a complete response (success or the
 * contract's error). */
#ifndef PT_HANDLERS_H
#define PT_HANDLERS_H

#include "app/app.h"
#include "auth/auth.h"
#include "util/json_body.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

typedef void (*handler_function)(struct app *app, const struct request *request,
				 const struct route_match *match, const struct caller *caller,
				 struct response *response);

/* One handler per row of endpoints.h. */
#define PT_HANDLER_DECLARATION(name, method, pattern, policy, handler) \
	void handler(struct app *app, const struct request *request, const struct route_match *match, \
		     const struct caller *caller, struct response *response);
PT_ENDPOINTS(PT_HANDLER_DECLARATION)
#undef PT_HANDLER_DECLARATION

/* Shared by handlers (dispatch.c). */
/* Parses the JSON body; on failure the response holds 400/415/503 and -1 is returned. */
int handler_parse_body(const struct request *request, struct response *response, struct json_body *body);
/* Sets 503 for an unavailable dependency, logging the detail. */
void handler_unavailable(struct response *response, const char *detail);
/* 502: a commit the store could not confirm (STORE_UNKNOWN), logged. */
void handler_outcome_unknown(struct response *response, const char *detail);
/* Sets the response's body (201/200/202) or, when body is NULL, a 500. */
void handler_respond(struct response *response, int status, json_object *body);
/* A 422 with one field. */
void handler_invalid_field(struct response *response, const char *field, const char *message);

#endif
