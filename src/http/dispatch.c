/* SPDX-License-Identifier: ISC */
/* dispatch.c — the handler table generated from endpoints.h, and the steps
 * every request goes through before its handler runs. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "http/dispatch.h"
#include "http/handlers.h"
#include "redis/auth_throttle.h"
#include "util/log.h"
#include "util/timefmt.h"

/* Indexed by enum endpoint, like endpoint_table in router.c. */
#define PT_HANDLER_ROW(name, method, pattern, policy, handler) [ENDPOINT_##name] = (handler),
static const handler_function handler_table[ENDPOINT__COUNT] = {
	PT_ENDPOINTS(PT_HANDLER_ROW)
};
#undef PT_HANDLER_ROW

void handler_unavailable(struct response *response, const char *detail)
{
	/* Every caller passes the failing call's detail; an empty one is a bug
	 * in that call, said as such rather than logged as nothing. */
	const char *known = detail && *detail ? detail : "(no detail recorded: a bug)";
	log_event(LOG_EVENT_REQUEST_UNAVAILABLE, (const struct log_field[]){{"ERROR", known}, {NULL, NULL}},
		  "unavailable: %s", known);
	response_error(response, API_ERROR_UNAVAILABLE, NULL, NULL);
}

void handler_outcome_unknown(struct response *response, const char *detail)
{
	log_error("outcome unknown: %s", detail);
	response_error(response, API_ERROR_OUTCOME_UNKNOWN, NULL, NULL);
}

void handler_respond(struct response *response, int status, json_object *body)
{
	if (!body || response_json(response, status, body) != 0)
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
}

void handler_invalid_field(struct response *response, const char *field, const char *message)
{
	json_object *fields = NULL;
	if (field_error_add(&fields, field, message) != 0) {
		json_object_put(fields);
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
}

int handler_parse_body(const struct request *request, struct response *response, struct json_body *body)
{
	switch (json_body_parse(request->content_type, request->body, request->body_length, body)) {
	case JSON_BODY_OK:
		return 0;
	case JSON_BODY_UNSUPPORTED_MEDIA_TYPE:
		response_error(response, API_ERROR_UNSUPPORTED_MEDIA_TYPE, NULL, NULL);
		return -1;
	case JSON_BODY_BAD_JSON:
		response_error(response, API_ERROR_BAD_JSON, NULL, NULL);
		return -1;
	default:
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return -1;
	}
}

/* 0 when the address may try credentials; else the response is a 429.
 * Redis unreachable: the throttle is defence in depth, so the request goes
 * on (and the failure is logged) rather than every route failing with it. */
static int check_throttle(struct app *app, const struct request *request, struct response *response)
{
	bool blocked = false;
	int64_t retry_after = 0;
	char seconds[24];
	if (auth_throttle_check(&app->redis, request->remote_addr, &blocked, &retry_after) != REDIS_LINK_OK) {
		log_event(LOG_EVENT_REDIS_FAULT, (const struct log_field[]){{"ERROR", app->redis.error}, {NULL, NULL}},
			  "auth throttle not checked: %s", app->redis.error);
		return 0;
	}
	if (!blocked)
		return 0;
	snprintf(seconds, sizeof(seconds), "%" PRId64, retry_after);
	if (response_error(response, API_ERROR_TOO_MANY_REQUESTS, "too many failed authentications, retry later",
			   NULL) == 0)
		response_set_header(response, "Retry-After", seconds);
	return -1;
}

/* One line per failure for fail2ban (docs/operations.md): the address, the
 * route and the time; never what was sent. */
static void record_failure(struct app *app, const struct request *request)
{
	char when[TIMEFMT_LENGTH], route[900];
	const char *address = request->remote_addr ? request->remote_addr : "-";
	if (timefmt_rfc3339(request->now, when) != 0)
		when[0] = '\0';
	snprintf(route, sizeof(route), "%s %s", request->method ? request->method : "-", request->path);
	log_event(LOG_EVENT_AUTH_FAILURE, (const struct log_field[]){{"ADDRESS", address}, {"ROUTE", route}, {NULL, NULL}},
		  "auth failure: address=%s route=\"%s\" time=%s", address, route, when);
	if (request->auth_throttle && auth_throttle_record_failure(&app->redis, request->remote_addr) != REDIS_LINK_OK)
		log_event(LOG_EVENT_REDIS_FAULT, (const struct log_field[]){{"ERROR", app->redis.error}, {NULL, NULL}},
			  "auth failure not counted: %s", app->redis.error);
}

static int authorize(struct app *app, const struct request *request, enum auth_policy policy,
		     struct caller *caller, struct response *response)
{
	if (policy != AUTH_POLICY_PUBLIC && request->auth_throttle && check_throttle(app, request, response) != 0)
		return -1;
	switch (auth_authorize(app, policy, request->authorization, request->now, caller)) {
	case AUTH_ALLOWED:
		return 0;
	case AUTH_FORBIDDEN:
		response_error(response, API_ERROR_FORBIDDEN, NULL, NULL);
		return -1;
	case AUTH_UNAVAILABLE:
		handler_unavailable(response, store_error(app->store));
		return -1;
	case AUTH_UNAUTHORIZED:
	default:
		/* Presented credentials that failed count; a request without any
		 * (a browser's first try) does not. */
		if (request->authorization && request->authorization[0])
			record_failure(app, request);
		response_error(response, API_ERROR_UNAUTHORIZED, NULL, NULL);
		return -1;
	}
}

enum endpoint dispatch(struct app *app, const struct request *request, struct response *response)
{
	struct route_match match;
	struct caller caller;

	switch (router_match(http_method_parse(request->method), request->path, &match)) {
	case ROUTER_NOT_FOUND:
		response_error(response, API_ERROR_NOT_FOUND, NULL, NULL);
		return ENDPOINT__COUNT;
	case ROUTER_METHOD_NOT_ALLOWED:
		if (response_error(response, API_ERROR_METHOD_NOT_ALLOWED, NULL, NULL) == 0)
			response_set_header(response, "Allow", match.allow);
		return ENDPOINT__COUNT;
	case ROUTER_FOUND:
		break;
	}
	if (authorize(app, request, endpoint_table[match.endpoint].policy, &caller, response) != 0)
		return match.endpoint;
	if (request->body_too_large) {
		response_error(response, API_ERROR_PAYLOAD_TOO_LARGE, NULL, NULL);
		return match.endpoint;
	}
	handler_table[match.endpoint](app, request, &match, &caller, response);
	return match.endpoint;
}
