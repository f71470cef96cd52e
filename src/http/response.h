/* SPDX-License-Identifier: ISC */
/* response.h — the HTTP response a handler builds: status, JSON body, extra headers.
 * Invariant: every 4xx/5xx body is the contract's error object, and only
 * response_error() builds one, so no handler can invent another shape. */
#ifndef PT_RESPONSE_H
#define PT_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

enum api_error {
	API_ERROR_BAD_JSON,
	API_ERROR_UNAUTHORIZED,
	API_ERROR_FORBIDDEN,
	API_ERROR_NOT_FOUND,
	API_ERROR_METHOD_NOT_ALLOWED,
	API_ERROR_CONFLICT,
	API_ERROR_PAYLOAD_TOO_LARGE,
	API_ERROR_UNSUPPORTED_MEDIA_TYPE,
	API_ERROR_INVALID_FIELD,
	API_ERROR_TOO_MANY_REQUESTS,
	API_ERROR_UNAVAILABLE,
	API_ERROR_OUTCOME_UNKNOWN,	/* 502: the store did not confirm a commit */
	API_ERROR_INTERNAL,
	API_ERROR__COUNT
};

#define RESPONSE_MAX_HEADERS 6

struct response_header {
	const char *name;	/* static string */
	char *value;		/* owned */
};

struct response {
	int status;
	json_object *body;	/* owned; NULL until set */
	struct response_header headers[RESPONSE_MAX_HEADERS];
	size_t header_count;
	/* Joined a write group (http/write_group.h): not answered yet; the
	 * group's writer sets the status and body once the group is written. */
	bool deferred;
};

void response_init(struct response *response);
void response_reset(struct response *response);

/* Sets status and body; takes ownership of body even on failure. 0 or -1. */
int response_json(struct response *response, int status, json_object *body);

/* 204: no body (Content-Type application/json all the same). 0 or -1. */
int response_no_content(struct response *response);

/* The contract's error body. message NULL means the code's default message.
 * fields (taken, may be NULL) is kept only for API_ERROR_INVALID_FIELD.
 * Headers the contract ties to a status (WWW-Authenticate on 401) are added here. */
int response_error(struct response *response, enum api_error error,
		   const char *message, json_object *fields);

/* Adds or replaces a header; value is copied. 0 or -1. */
int response_set_header(struct response *response, const char *name, const char *value);

int api_error_status(enum api_error error);
const char *api_error_code(enum api_error error);
const char *http_status_text(int status);

/* CGI-style header block ("Status: 200 OK\r\n...\r\n\r\n") followed by the body.
 * *out is malloc'd; the caller frees it. 0 or -1. */
int response_serialize(const struct response *response, char **out, size_t *out_length);

/* Adds "name": "message" to *fields, creating the object on first use. 0 or -1. */
int field_error_add(json_object **fields, const char *name, const char *message);

#endif
