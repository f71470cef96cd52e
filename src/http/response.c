/* SPDX-License-Identifier: ISC */
/* response.c — builds and serialises responses; owns the contract's error table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

struct api_error_info {
	int status;
	const char *code;
	const char *message;
};

/* Indexed by enum api_error: the contract's table of statuses and codes. */
static const struct api_error_info api_errors[API_ERROR__COUNT] = {
	[API_ERROR_BAD_JSON] = {400, "bad_json", "request body is not a valid JSON object"},
	[API_ERROR_UNAUTHORIZED] = {401, "unauthorized", "missing, malformed, wrong or expired credentials"},
	[API_ERROR_FORBIDDEN] = {403, "forbidden", "not allowed to do this"},
	[API_ERROR_NOT_FOUND] = {404, "not_found", "no such resource"},
	[API_ERROR_METHOD_NOT_ALLOWED] = {405, "method_not_allowed", "method not allowed on this resource"},
	[API_ERROR_CONFLICT] = {409, "conflict", "conflicts with the current state"},
	[API_ERROR_PAYLOAD_TOO_LARGE] = {413, "payload_too_large", "request body is larger than 64 KiB"},
	[API_ERROR_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported_media_type", "request body must be application/json"},
	[API_ERROR_INVALID_FIELD] = {422, "invalid_field", "one or more fields are invalid"},
	[API_ERROR_TOO_MANY_REQUESTS] = {429, "too_many_requests", "too many requests, retry later"},
	[API_ERROR_UNAVAILABLE] = {503, "unavailable", "a dependency is unavailable, nothing was changed"},
	/* The code and meaning of nginx's own 502 (a responder died mid-request). */
	[API_ERROR_OUTCOME_UNKNOWN] = {502, "bad_gateway",
				       "the database did not confirm the write, so it may or may not have happened: "
				       "retry with an Idempotency-Key"},
	[API_ERROR_INTERNAL] = {500, "internal", "internal error, nothing was changed"},
};

struct http_status_info {
	int status;
	const char *text;
};

static const struct http_status_info http_statuses[] = {
	{200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
	{400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
	{404, "Not Found"}, {405, "Method Not Allowed"}, {409, "Conflict"},
	{413, "Payload Too Large"}, {415, "Unsupported Media Type"},
	{422, "Unprocessable Entity"}, {429, "Too Many Requests"},
	{500, "Internal Server Error"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
};

const char *http_status_text(int status)
{
	for (size_t i = 0; i < sizeof(http_statuses) / sizeof(http_statuses[0]); i++)
		if (http_statuses[i].status == status)
			return http_statuses[i].text;
	return "Unknown";
}

int api_error_status(enum api_error error)
{
	if ((unsigned)error >= API_ERROR__COUNT)
		error = API_ERROR_INTERNAL;
	return api_errors[error].status;
}

const char *api_error_code(enum api_error error)
{
	if ((unsigned)error >= API_ERROR__COUNT)
		error = API_ERROR_INTERNAL;
	return api_errors[error].code;
}

void response_init(struct response *response)
{
	memset(response, 0, sizeof(*response));
	response->status = 500;
}

void response_reset(struct response *response)
{
	json_object_put(response->body);
	for (size_t i = 0; i < response->header_count; i++)
		free(response->headers[i].value);
	response_init(response);
}

int response_json(struct response *response, int status, json_object *body)
{
	json_object_put(response->body);
	response->body = body;
	response->status = status;
	return body ? 0 : -1;
}

/* Content-Type too: the contract gives every response one. */
int response_no_content(struct response *response)
{
	json_object_put(response->body);
	response->body = NULL;
	response->status = 204;
	return response_set_header(response, "Content-Type", "application/json");
}

int response_set_header(struct response *response, const char *name, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -1;
	for (size_t i = 0; i < response->header_count; i++) {
		if (strcmp(response->headers[i].name, name) == 0) {
			free(response->headers[i].value);
			response->headers[i].value = copy;
			return 0;
		}
	}
	if (response->header_count == RESPONSE_MAX_HEADERS) {
		free(copy);
		return -1;
	}
	response->headers[response->header_count].name = name;
	response->headers[response->header_count].value = copy;
	response->header_count++;
	return 0;
}

int field_error_add(json_object **fields, const char *name, const char *message)
{
	if (!*fields && !(*fields = json_object_new_object()))
		return -1;
	json_object *text = json_object_new_string(message);
	if (!text || json_object_object_add(*fields, name, text) != 0) {
		json_object_put(text);
		return -1;
	}
	return 0;
}

int response_error(struct response *response, enum api_error error,
		   const char *message, json_object *fields)
{
	if ((unsigned)error >= API_ERROR__COUNT)
		error = API_ERROR_INTERNAL;
	const struct api_error_info *info = &api_errors[error];
	json_object *detail = json_object_new_object();
	json_object *body = json_object_new_object();
	if (!detail || !body)
		goto fail;
	json_object_object_add(detail, "status", json_object_new_int(info->status));
	json_object_object_add(detail, "code", json_object_new_string(info->code));
	json_object_object_add(detail, "message", json_object_new_string(message ? message : info->message));
	if (error == API_ERROR_INVALID_FIELD) {
		if (!fields)
			fields = json_object_new_object();
		json_object_object_add(detail, "fields", fields);
		fields = NULL;
	}
	json_object_object_add(body, "error", detail);
	detail = NULL;
	if (error == API_ERROR_UNAUTHORIZED &&
	    response_set_header(response, "WWW-Authenticate",
				"Basic realm=\"platform-test\", charset=\"UTF-8\"") != 0)
		goto fail;
	json_object_put(fields);
	return response_json(response, info->status, body);
fail:
	json_object_put(fields);
	json_object_put(detail);
	json_object_put(body);
	return -1;
}

int response_serialize(const struct response *response, char **out, size_t *out_length)
{
	const char *body = "";
	size_t body_length = 0;
	char *buffer = NULL;
	size_t buffer_length = 0;
	FILE *stream = NULL;
	int result = -1;

	if (response->body) {
		body = json_object_to_json_string_length(response->body,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &body_length);
		if (!body)
			goto out;
	}
	stream = open_memstream(&buffer, &buffer_length);
	if (!stream)
		goto out;
	fprintf(stream, "Status: %d %s\r\n", response->status, http_status_text(response->status));
	if (response->body)
		fputs("Content-Type: application/json\r\n", stream);
	for (size_t i = 0; i < response->header_count; i++)
		fprintf(stream, "%s: %s\r\n", response->headers[i].name, response->headers[i].value);
	fprintf(stream, "Content-Length: %zu\r\n\r\n", body_length);
	fwrite(body, 1, body_length, stream);
	if (fclose(stream) != 0) {
		stream = NULL;
		goto out;
	}
	stream = NULL;
	*out = buffer;
	*out_length = buffer_length;
	buffer = NULL;
	result = 0;
out:
	if (stream)
		(void)fclose(stream);	/* already failing: the buffer is discarded either way */
	free(buffer);
	return result;
}
