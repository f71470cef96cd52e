/* SPDX-License-Identifier: ISC */
/* test_auth_header.c — Authorization header parsing: the Basic and Bearer
 * forms we accept, and malformed input that must never reach a credential check. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth_header.h"

/* "Basic " + standard base64 of length bytes of raw; malloc'd. */
static char *basic_header_of(const char *scheme, const void *raw, size_t length)
{
	size_t capacity = strlen(scheme) + 1 + (length + 2) / 3 * 4 + 1;
	char *header = malloc(capacity);
	size_t prefix;

	assert_non_null(header);
	prefix = (size_t)snprintf(header, capacity, "%s ", scheme);
	assert_non_null(sodium_bin2base64(header + prefix, capacity - prefix, raw, length,
					  sodium_base64_VARIANT_ORIGINAL));
	return header;
}

static void parse_ok(const char *header, struct auth_credentials *out)
{
	assert_int_equal(auth_header_parse(header, out), 0);
}

static void expect_malformed(const char *header)
{
	struct auth_credentials credentials;

	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_MALFORMED);
	assert_null(credentials.user);
	assert_null(credentials.password);
	assert_null(credentials.token);
	auth_credentials_free(&credentials);
}

static void expect_basic_raw_malformed(const void *raw, size_t length)
{
	char *header = basic_header_of("Basic", raw, length);

	expect_malformed(header);
	free(header);
}

static void expect_basic(const char *header, const char *user, const char *password)
{
	struct auth_credentials credentials;

	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BASIC);
	assert_string_equal(credentials.user, user);
	assert_string_equal(credentials.password, password);
	assert_null(credentials.token);
	auth_credentials_free(&credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_NONE);
	assert_null(credentials.user);
	assert_null(credentials.password);
}

static void test_null_header(void **state)
{
	struct auth_credentials credentials;

	(void)state;
	memset(&credentials, 0xA5, sizeof credentials);
	parse_ok(NULL, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_NONE);
	assert_null(credentials.user);
	assert_null(credentials.password);
	assert_null(credentials.token);
	auth_credentials_free(&credentials);
}

static void test_basic_ok(void **state)
{
	(void)state;
	/* "alice:wonderland" */
	expect_basic("Basic YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
	/* "Aladdin:open sesame", RFC 7617's example */
	expect_basic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame");
}

static void test_scheme_case_insensitive(void **state)
{
	(void)state;
	expect_basic("basic YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
	expect_basic("BASIC YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
	expect_basic("bAsIc YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
}

static void test_blanks(void **state)
{
	(void)state;
	expect_basic("Basic  \t YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
	expect_basic("Basic\tYWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland");
	expect_basic("  Basic YWxpY2U6d29uZGVybGFuZA==  ", "alice", "wonderland");
	expect_malformed("BasicYWxpY2U6d29uZGVybGFuZA==");
	expect_malformed("Basic YWxpY2U6 d29uZGVybGFuZA==");
	expect_malformed("Basic YWxpY2U6d29uZGVybGFuZA== x");
}

static void test_password_with_colons(void **state)
{
	(void)state;
	/* "bob:pa:ss:word" */
	expect_basic("Basic Ym9iOnBhOnNzOndvcmQ=", "bob", "pa:ss:word");
	/* "bob::" */
	expect_basic("Basic Ym9iOjo=", "bob", ":");
}

static void test_empty_password_is_parsed(void **state)
{
	(void)state;
	/* "bob:" — well-formed; it is the password check that will refuse it. */
	expect_basic("Basic Ym9iOg==", "bob", "");
}

static void test_no_colon(void **state)
{
	(void)state;
	/* "alicewonderland" */
	expect_malformed("Basic YWxpY2V3b25kZXJsYW5k");
}

static void test_empty_user(void **state)
{
	(void)state;
	/* ":secret" */
	expect_malformed("Basic OnNlY3JldA==");
	/* ":" */
	expect_malformed("Basic Og==");
}

static void test_invalid_base64(void **state)
{
	(void)state;
	expect_malformed("Basic !!!!");
	expect_malformed("Basic YWxpY2U6d29uZGVybGFuZA");	/* missing padding */
	expect_malformed("Basic YWxpY2U6d29uZGVybGFuZA=");	/* short padding */
	expect_malformed("Basic YWxpY2U6d29uZGVybGFuZA===");
	expect_malformed("Basic YW=pY2U6d29uZGVybGFuZA==");	/* '=' inside */
	expect_malformed("Basic YWxpY2U6d29uZGVybGFuZB==");	/* non-zero bits under the padding */
	expect_malformed("Basic YWxpY2U6d29u-GVybGFuZA==");	/* base64url character */
	expect_malformed("Basic ====");
	expect_malformed("Basic =");
}

static void test_non_utf8_user(void **state)
{
	static const char latin1[] = "j\xf6rg:secret";	/* ISO-8859-1 'ö' */
	static const char overlong[] = "\xc0\xafuser:secret";
	static const char surrogate[] = "\xed\xa0\x80:secret";
	static const char truncated[] = "ab\xe2\x82:secret";

	(void)state;
	expect_basic_raw_malformed(latin1, sizeof latin1 - 1);
	expect_basic_raw_malformed(overlong, sizeof overlong - 1);
	expect_basic_raw_malformed(surrogate, sizeof surrogate - 1);
	expect_basic_raw_malformed(truncated, sizeof truncated - 1);
}

static void test_non_utf8_password(void **state)
{
	static const char raw[] = "alice:s\xff" "cret";

	(void)state;
	expect_basic_raw_malformed(raw, sizeof raw - 1);
}

static void test_nul_and_control_characters(void **state)
{
	static const char nul_user[] = "al\0ce:secret";
	static const char nul_password[] = "alice:sec\0ret";
	static const char tab_user[] = "al\tce:secret";
	static const char del_user[] = "al\x7f" "ce:secret";
	static const char c1_user[] = "al\xc2\x85" "ce:secret";	/* U+0085 NEL */
	static const char tab_password[] = "alice:se\tcret";
	char *header;
	struct auth_credentials credentials;

	(void)state;
	expect_basic_raw_malformed(nul_user, sizeof nul_user - 1);
	expect_basic_raw_malformed(nul_password, sizeof nul_password - 1);
	expect_basic_raw_malformed(tab_user, sizeof tab_user - 1);
	expect_basic_raw_malformed(del_user, sizeof del_user - 1);
	expect_basic_raw_malformed(c1_user, sizeof c1_user - 1);
	/* Control characters are refused in names only; a password is opaque bytes. */
	header = basic_header_of("Basic", tab_password, sizeof tab_password - 1);
	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BASIC);
	assert_string_equal(credentials.password, "se\tcret");
	auth_credentials_free(&credentials);
	free(header);
}

static void test_utf8_multibyte_name(void **state)
{
	static const char raw[] = "J\xc3\xb6rg \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x90\x89:p\xc3\xa4ss";
	char *header = basic_header_of("Basic", raw, sizeof raw - 1);

	(void)state;
	expect_basic(header, "J\xc3\xb6rg \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x90\x89", "p\xc3\xa4ss");
	free(header);
}

static void test_basic_length_limit(void **state)
{
	char raw[AUTH_BASIC_MAX_DECODED + 1];
	char *header;
	struct auth_credentials credentials;

	(void)state;
	memset(raw, 'p', sizeof raw);
	memcpy(raw, "alice:", 6);
	header = basic_header_of("Basic", raw, AUTH_BASIC_MAX_DECODED);
	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BASIC);
	assert_int_equal(strlen(credentials.password), AUTH_BASIC_MAX_DECODED - 6);
	auth_credentials_free(&credentials);
	free(header);

	header = basic_header_of("Basic", raw, AUTH_BASIC_MAX_DECODED + 1);
	expect_malformed(header);
	free(header);
}

static void test_bearer_ok(void **state)
{
	static const char token[] =
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
		".eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ"
		".cAILY82Ze3HEVUXWAkatiQPqm0cFgoKo365VwtZsi3U";
	char header[512];
	struct auth_credentials credentials;

	(void)state;
	snprintf(header, sizeof header, "Bearer %s", token);
	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BEARER);
	assert_string_equal(credentials.token, token);
	assert_null(credentials.user);
	assert_null(credentials.password);
	auth_credentials_free(&credentials);
	assert_null(credentials.token);

	snprintf(header, sizeof header, "bearer\t\t%s ", token);
	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BEARER);
	assert_string_equal(credentials.token, token);
	auth_credentials_free(&credentials);
}

static void test_bearer_bad_characters(void **state)
{
	(void)state;
	expect_malformed("Bearer abc+def");
	expect_malformed("Bearer abc/def");
	expect_malformed("Bearer abc=");
	expect_malformed("Bearer abc def");
	expect_malformed("Bearer abc,def");
	expect_malformed("Bearer abc\"def");
	expect_malformed("Bearer \xc3\xa9t\xc3\xa9");
	expect_malformed("Bearer abc\r\n");
}

static void test_bearer_length_limit(void **state)
{
	char *header = malloc(7 + AUTH_BEARER_MAX_LENGTH + 2);
	struct auth_credentials credentials;

	(void)state;
	assert_non_null(header);
	memcpy(header, "Bearer ", 7);
	memset(header + 7, 'a', AUTH_BEARER_MAX_LENGTH + 1);
	header[7 + AUTH_BEARER_MAX_LENGTH] = '\0';
	parse_ok(header, &credentials);
	assert_int_equal(credentials.scheme, AUTH_SCHEME_BEARER);
	auth_credentials_free(&credentials);
	header[7 + AUTH_BEARER_MAX_LENGTH] = 'a';
	header[7 + AUTH_BEARER_MAX_LENGTH + 1] = '\0';
	expect_malformed(header);
	free(header);
}

static void test_unknown_scheme(void **state)
{
	(void)state;
	expect_malformed("Digest x");
	expect_malformed("Digest username=\"alice\", realm=\"x\"");
	expect_malformed("Basicx YWxpY2U6d29uZGVybGFuZA==");
	expect_malformed("Bear abc");
	expect_malformed("Token abc");
	expect_malformed("YWxpY2U6d29uZGVybGFuZA==");
}

static void test_scheme_alone(void **state)
{
	(void)state;
	expect_malformed("Basic");
	expect_malformed("Basic ");
	expect_malformed("Basic \t ");
	expect_malformed("Bearer");
	expect_malformed("Bearer ");
	expect_malformed("");
	expect_malformed("   ");
}

static void test_free_is_safe(void **state)
{
	struct auth_credentials credentials;

	(void)state;
	memset(&credentials, 0, sizeof credentials);
	auth_credentials_free(&credentials);
	auth_credentials_free(&credentials);
	auth_credentials_free(NULL);
	assert_int_equal(auth_header_parse("Basic x", NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_header),
		cmocka_unit_test(test_basic_ok),
		cmocka_unit_test(test_scheme_case_insensitive),
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_password_with_colons),
		cmocka_unit_test(test_empty_password_is_parsed),
		cmocka_unit_test(test_no_colon),
		cmocka_unit_test(test_empty_user),
		cmocka_unit_test(test_invalid_base64),
		cmocka_unit_test(test_non_utf8_user),
		cmocka_unit_test(test_non_utf8_password),
		cmocka_unit_test(test_nul_and_control_characters),
		cmocka_unit_test(test_utf8_multibyte_name),
		cmocka_unit_test(test_basic_length_limit),
		cmocka_unit_test(test_bearer_ok),
		cmocka_unit_test(test_bearer_bad_characters),
		cmocka_unit_test(test_bearer_length_limit),
		cmocka_unit_test(test_unknown_scheme),
		cmocka_unit_test(test_scheme_alone),
		cmocka_unit_test(test_free_is_safe),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "test_auth_header: cannot initialise libsodium\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
