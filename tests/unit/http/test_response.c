/* SPDX-License-Identifier: ISC */
/* test_response.c — the error body of the contract, headers and serialisation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/response.h"

static json_object *serialized_body(const struct response *response, char **text)
{
	size_t length = 0;
	assert_int_equal(response_serialize(response, text, &length), 0);
	assert_int_equal(strlen(*text), length);
	const char *body = strstr(*text, "\r\n\r\n");
	assert_non_null(body);
	return json_tokener_parse(body + 4);
}

static void every_error_has_the_contract_shape(void **state)
{
	(void)state;
	static const struct {
		enum api_error error;
		int status;
		const char *code;
	} table[] = {
		{API_ERROR_BAD_JSON, 400, "bad_json"},
		{API_ERROR_UNAUTHORIZED, 401, "unauthorized"},
		{API_ERROR_FORBIDDEN, 403, "forbidden"},
		{API_ERROR_NOT_FOUND, 404, "not_found"},
		{API_ERROR_METHOD_NOT_ALLOWED, 405, "method_not_allowed"},
		{API_ERROR_CONFLICT, 409, "conflict"},
		{API_ERROR_PAYLOAD_TOO_LARGE, 413, "payload_too_large"},
		{API_ERROR_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type"},
		{API_ERROR_INVALID_FIELD, 422, "invalid_field"},
		{API_ERROR_TOO_MANY_REQUESTS, 429, "too_many_requests"},
		{API_ERROR_UNAVAILABLE, 503, "unavailable"},
		{API_ERROR_OUTCOME_UNKNOWN, 502, "bad_gateway"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct response response;
		char *text = NULL;
		response_init(&response);
		assert_int_equal(response_error(&response, table[i].error, NULL, NULL), 0);
		assert_int_equal(response.status, table[i].status);
		json_object *body = serialized_body(&response, &text);
		json_object *error = json_object_object_get(body, "error");
		assert_non_null(error);
		assert_int_equal(json_object_get_int(json_object_object_get(error, "status")), table[i].status);
		assert_string_equal(json_object_get_string(json_object_object_get(error, "code")), table[i].code);
		assert_true(json_object_is_type(json_object_object_get(error, "message"), json_type_string));
		/* fields only on 422 */
		assert_int_equal(json_object_object_get_ex(error, "fields", NULL), table[i].status == 422);
		assert_non_null(strstr(text, "Content-Type: application/json\r\n"));
		assert_int_equal(strstr(text, "WWW-Authenticate: ") != NULL, table[i].status == 401);
		json_object_put(body);
		free(text);
		response_reset(&response);
	}
}

static void invalid_field_keeps_the_fields(void **state)
{
	(void)state;
	struct response response;
	json_object *fields = NULL;
	char *text = NULL;
	response_init(&response);
	assert_int_equal(field_error_add(&fields, "name", "must be 1 to 20 characters"), 0);
	assert_int_equal(field_error_add(&fields, "luck", "must be between 0 and 90"), 0);
	assert_int_equal(response_error(&response, API_ERROR_INVALID_FIELD, NULL, fields), 0);
	json_object *body = serialized_body(&response, &text);
	json_object *got = json_object_object_get(json_object_object_get(body, "error"), "fields");
	assert_string_equal(json_object_get_string(json_object_object_get(got, "name")), "must be 1 to 20 characters");
	assert_string_equal(json_object_get_string(json_object_object_get(got, "luck")), "must be between 0 and 90");
	assert_non_null(strstr(text, "Status: 422 Unprocessable Entity\r\n"));
	json_object_put(body);
	free(text);
	response_reset(&response);
}

static void fields_are_dropped_outside_422(void **state)
{
	(void)state;
	struct response response;
	json_object *fields = NULL;
	char *text = NULL;
	response_init(&response);
	assert_int_equal(field_error_add(&fields, "x", "y"), 0);
	assert_int_equal(response_error(&response, API_ERROR_CONFLICT, "name taken", fields), 0);
	json_object *body = serialized_body(&response, &text);
	json_object *error = json_object_object_get(body, "error");
	assert_false(json_object_object_get_ex(error, "fields", NULL));
	assert_string_equal(json_object_get_string(json_object_object_get(error, "message")), "name taken");
	json_object_put(body);
	free(text);
	response_reset(&response);
}

static void headers_are_set_replaced_and_serialised(void **state)
{
	(void)state;
	struct response response;
	char *text = NULL;
	size_t length = 0;
	response_init(&response);
	assert_int_equal(response_json(&response, 201, json_tokener_parse("{\"id\":1}")), 0);
	assert_int_equal(response_set_header(&response, "Location", "/players/2"), 0);
	assert_int_equal(response_set_header(&response, "Location", "/players/1"), 0);
	assert_int_equal(response.header_count, 1);
	assert_int_equal(response_serialize(&response, &text, &length), 0);
	assert_string_equal(text, "Status: 201 Created\r\nContent-Type: application/json\r\nLocation: /players/1\r\n"
				  "Content-Length: 8\r\n\r\n{\"id\":1}");
	free(text);
	response_reset(&response);
}

static void status_texts(void **state)
{
	(void)state;
	assert_string_equal(http_status_text(405), "Method Not Allowed");
	assert_string_equal(http_status_text(202), "Accepted");
	assert_string_equal(http_status_text(599), "Unknown");
	assert_int_equal(api_error_status((enum api_error)1000), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_error_has_the_contract_shape),
		cmocka_unit_test(invalid_field_keeps_the_fields),
		cmocka_unit_test(fields_are_dropped_outside_422),
		cmocka_unit_test(headers_are_set_replaced_and_serialised),
		cmocka_unit_test(status_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
