/* SPDX-License-Identifier: ISC */
/* password.c — yescrypt password hashing and verification through libxcrypt;
 * the clear password lives only in the caller's buffer and in scratch we wipe. */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/password.h"

#define PASSWORD_METHOD "$y$"

/* The dummy's salt need not be secret or unique: only its method and cost
 * matter, and crypt_gensalt_rn gives them the same defaults password_hash
 * uses, so both paths cost the same even if libxcrypt's default changes. */
static const char dummy_salt_bytes[] = "platform-test dummy salt";
/* yescrypt at libxcrypt 4.4's default cost: used only if gensalt fails. */
static const char dummy_setting_fallback[] = "$y$j9T$klKMoNqPmpK9oJqQop0Nh/";

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_setting[CRYPT_GENSALT_OUTPUT_SIZE];

static void dummy_setting_init(void)
{
	if (!crypt_gensalt_rn(PASSWORD_METHOD, 0, dummy_salt_bytes, sizeof dummy_salt_bytes - 1,
			      dummy_setting, sizeof dummy_setting))
		memcpy(dummy_setting, dummy_setting_fallback, sizeof dummy_setting_fallback);
}

/* 32 KiB: too big for the small stacks of worker threads, so always on the heap. */
static struct crypt_data *crypt_data_new(void)
{
	return calloc(1, sizeof(struct crypt_data));
}

/* The scratch area holds the passphrase and intermediate state. */
static void crypt_data_free(struct crypt_data *data)
{
	if (!data)
		return;
	sodium_memzero(data, sizeof *data);
	free(data);
}

/* libxcrypt refuses longer phrases (ERANGE); checking first tells that case
 * apart from a real failure. */
static int passphrase_fits(const char *password)
{
	return strnlen(password, CRYPT_MAX_PASSPHRASE_SIZE) < CRYPT_MAX_PASSPHRASE_SIZE;
}

enum password_status password_hash(const char *password, char **hash_out)
{
	enum password_status status = PASSWORD_ERROR;
	struct crypt_data *data = NULL;
	char *setting = NULL;
	const char *hashed;
	char *copy;

	if (!hash_out)
		return PASSWORD_ERROR;
	*hash_out = NULL;
	if (!password || !passphrase_fits(password))
		return PASSWORD_ERROR;

	/* NULL random bytes: libxcrypt draws the salt from the OS (getentropy). */
	setting = crypt_gensalt_ra(PASSWORD_METHOD, 0, NULL, 0);
	if (!setting)
		goto out;
	data = crypt_data_new();
	if (!data)
		goto out;
	hashed = crypt_rn(password, setting, data, (int)sizeof *data);
	if (!hashed || strncmp(hashed, PASSWORD_METHOD, strlen(PASSWORD_METHOD)) != 0)
		goto out;
	copy = strdup(hashed);
	if (!copy)
		goto out;
	*hash_out = copy;
	status = PASSWORD_OK;
out:
	crypt_data_free(data);
	free(setting);
	return status;
}

enum password_status password_verify(const char *password, const char *stored_hash)
{
	enum password_status status = PASSWORD_ERROR;
	struct crypt_data *data = NULL;
	const char *computed;
	size_t length;

	if (!password || !stored_hash)
		return PASSWORD_ERROR;
	/* No password can match these; spend the usual time so that a locked
	 * account looks like any other wrong password. */
	if (stored_hash[0] == '*' || stored_hash[0] == '\0')
		return password_verify_dummy(password);
	if (!passphrase_fits(password))
		return PASSWORD_MISMATCH;

	data = crypt_data_new();
	if (!data)
		goto out;
	errno = 0;
	computed = crypt_rn(password, stored_hash, data, (int)sizeof *data);
	if (!computed) {
		/* EINVAL: not a hash libxcrypt can use (a '!' lock, a disabled
		 * method); anything else is a real failure such as ENOMEM. */
		if (errno == EINVAL)
			status = password_verify_dummy(password);
		goto out;
	}
	length = strlen(stored_hash);
	/* Lengths are public (fixed by the method); the bytes are compared in constant time. */
	if (computed[0] != '*' && strlen(computed) == length &&
	    sodium_memcmp(computed, stored_hash, length) == 0)
		status = PASSWORD_OK;
	else
		status = PASSWORD_MISMATCH;
out:
	crypt_data_free(data);
	return status;
}

enum password_status password_verify_dummy(const char *password)
{
	struct crypt_data *data;

	if (!password || !passphrase_fits(password))
		return PASSWORD_MISMATCH;
	if (pthread_once(&dummy_once, dummy_setting_init) != 0)
		return PASSWORD_MISMATCH;
	data = crypt_data_new();
	if (!data)
		return PASSWORD_MISMATCH;
	/* Only the time spent matters; the result is thrown away. */
	(void)crypt_rn(password, dummy_setting, data, (int)sizeof *data);
	crypt_data_free(data);
	return PASSWORD_MISMATCH;
}
