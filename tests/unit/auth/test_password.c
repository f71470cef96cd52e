/* SPDX-License-Identifier: ISC */
/* test_password.c — yescrypt hashing, verification, and the dummy check that
 * makes an unknown name cost as much as a wrong password. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth/password.h"

#define PASSWORD "s3cret-Pässwörd"

static char *hash_of(const char *password)
{
	char *hash = NULL;

	assert_int_equal(password_hash(password, &hash), PASSWORD_OK);
	assert_non_null(hash);
	return hash;
}

static void test_hash_then_verify(void **state)
{
	char *hash = hash_of(PASSWORD);

	(void)state;
	assert_int_equal(password_verify(PASSWORD, hash), PASSWORD_OK);
	free(hash);
}

static void test_wrong_password(void **state)
{
	char *hash = hash_of(PASSWORD);

	(void)state;
	assert_int_equal(password_verify("s3cret-Pässwörd ", hash), PASSWORD_MISMATCH);
	assert_int_equal(password_verify("s3cret-Pässwör", hash), PASSWORD_MISMATCH);
	assert_int_equal(password_verify("", hash), PASSWORD_MISMATCH);
	free(hash);
}

static void test_hash_is_yescrypt_without_password(void **state)
{
	char *hash = hash_of(PASSWORD);

	(void)state;
	assert_memory_equal(hash, "$y$", 3);
	assert_null(strstr(hash, PASSWORD));
	assert_null(strstr(hash, "s3cret"));
	free(hash);
}

static void test_hashes_are_salted(void **state)
{
	char *first = hash_of(PASSWORD);
	char *second = hash_of(PASSWORD);

	(void)state;
	assert_string_not_equal(first, second);
	assert_int_equal(password_verify(PASSWORD, first), PASSWORD_OK);
	assert_int_equal(password_verify(PASSWORD, second), PASSWORD_OK);
	free(first);
	free(second);
}

static void test_unusable_stored_hash_is_mismatch(void **state)
{
	static const char *const unusable[] = {
		"*", "*0", "*1", "", "!", "!$y$j9T$klKMoNqPmpK9oJqQop0Nh/$x", "$unknown$abc",
	};

	(void)state;
	for (size_t i = 0; i < sizeof unusable / sizeof unusable[0]; i++)
		assert_int_equal(password_verify(PASSWORD, unusable[i]), PASSWORD_MISMATCH);
}

static void test_truncated_hash_is_mismatch(void **state)
{
	char *hash = hash_of(PASSWORD);

	(void)state;
	hash[strlen(hash) - 1] = '\0';
	assert_int_not_equal(password_verify(PASSWORD, hash), PASSWORD_OK);
	free(hash);
}

static void test_other_methods_still_verify(void **state)
{
	/* Hashes made by libxcrypt itself with bcrypt: a migrated row must keep working. */
	char *setting = crypt_gensalt_ra("$2b$", 4, NULL, 0);
	struct crypt_data *data = calloc(1, sizeof *data);
	const char *hash;

	(void)state;
	assert_non_null(setting);
	assert_non_null(data);
	hash = crypt_rn(PASSWORD, setting, data, (int)sizeof *data);
	assert_non_null(hash);
	assert_int_equal(password_verify(PASSWORD, hash), PASSWORD_OK);
	assert_int_equal(password_verify("nope", hash), PASSWORD_MISMATCH);
	free(data);
	free(setting);
}

static void test_dummy_is_mismatch(void **state)
{
	(void)state;
	assert_int_equal(password_verify_dummy(PASSWORD), PASSWORD_MISMATCH);
	assert_int_equal(password_verify_dummy(""), PASSWORD_MISMATCH);
	assert_int_equal(password_verify_dummy(NULL), PASSWORD_MISMATCH);
}

static double seconds_now(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loose on purpose (the machine may be loaded): this catches a dummy that
 * silently skips the hash, not small differences. */
static void test_dummy_costs_a_hash(void **state)
{
	char *hash = hash_of(PASSWORD);
	double start, verify_time, dummy_time;

	(void)state;
	start = seconds_now();
	assert_int_equal(password_verify("wrong password", hash), PASSWORD_MISMATCH);
	verify_time = seconds_now() - start;
	start = seconds_now();
	assert_int_equal(password_verify_dummy("wrong password"), PASSWORD_MISMATCH);
	dummy_time = seconds_now() - start;
	assert_true(dummy_time > verify_time / 10);
	start = seconds_now();
	assert_int_equal(password_verify("wrong password", "*"), PASSWORD_MISMATCH);
	assert_true(seconds_now() - start > verify_time / 10);
	free(hash);
}

static void test_null_arguments(void **state)
{
	char *hash = (char *)"unchanged";

	(void)state;
	assert_int_equal(password_hash(NULL, &hash), PASSWORD_ERROR);
	assert_null(hash);
	assert_int_equal(password_hash(PASSWORD, NULL), PASSWORD_ERROR);
	assert_int_equal(password_verify(NULL, "$y$j9T$klKMoNqPmpK9oJqQop0Nh/$x"), PASSWORD_ERROR);
	assert_int_equal(password_verify(PASSWORD, NULL), PASSWORD_ERROR);
}

static void test_overlong_password(void **state)
{
	char *hash = hash_of(PASSWORD);
	char *longest = malloc(CRYPT_MAX_PASSPHRASE_SIZE);
	char *too_long = malloc(CRYPT_MAX_PASSPHRASE_SIZE + 1);
	char *out = NULL;
	char *longest_hash;

	(void)state;
	assert_non_null(longest);
	assert_non_null(too_long);
	memset(longest, 'x', CRYPT_MAX_PASSPHRASE_SIZE - 1);
	longest[CRYPT_MAX_PASSPHRASE_SIZE - 1] = '\0';
	memset(too_long, 'x', CRYPT_MAX_PASSPHRASE_SIZE);
	too_long[CRYPT_MAX_PASSPHRASE_SIZE] = '\0';

	longest_hash = hash_of(longest);
	assert_int_equal(password_verify(longest, longest_hash), PASSWORD_OK);
	assert_int_equal(password_hash(too_long, &out), PASSWORD_ERROR);
	assert_null(out);
	assert_int_equal(password_verify(too_long, hash), PASSWORD_MISMATCH);
	assert_int_equal(password_verify(too_long, longest_hash), PASSWORD_MISMATCH);
	assert_int_equal(password_verify_dummy(too_long), PASSWORD_MISMATCH);
	free(longest_hash);
	free(longest);
	free(too_long);
	free(hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_then_verify),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_hash_is_yescrypt_without_password),
		cmocka_unit_test(test_hashes_are_salted),
		cmocka_unit_test(test_unusable_stored_hash_is_mismatch),
		cmocka_unit_test(test_truncated_hash_is_mismatch),
		cmocka_unit_test(test_other_methods_still_verify),
		cmocka_unit_test(test_dummy_is_mismatch),
		cmocka_unit_test(test_dummy_costs_a_hash),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_overlong_password),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "test_password: cannot initialise libsodium\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
