/* admin_credential.c — see admin_credential.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/admin_credential.h"
#include "auth/password.h"

struct admin_credential {
	char *hash;		/* yescrypt of the configured password */
	unsigned char key[crypto_generichash_KEYBYTES];	/* random, this process's own */
	unsigned char verified[crypto_generichash_BYTES];	/* keyed digest of the last good password */
	bool have_verified;
};

static struct admin_credential credential;

static void digest(const char *password, unsigned char out[crypto_generichash_BYTES])
{
	crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)password, strlen(password),
			   credential.key, sizeof(credential.key));
}

bool admin_credential_matches(char *configured, const char *given)
{
	unsigned char given_digest[crypto_generichash_BYTES];
	if (!credential.hash) {
		if (!configured || password_hash(configured, &credential.hash) != PASSWORD_OK)
			return false;
		sodium_memzero(configured, strlen(configured));
		randombytes_buf(credential.key, sizeof(credential.key));
	}
	digest(given, given_digest);
	if (credential.have_verified &&
	    sodium_memcmp(given_digest, credential.verified, sizeof(given_digest)) == 0)
		return true;
	if (password_verify(given, credential.hash) != PASSWORD_OK)
		return false;
	memcpy(credential.verified, given_digest, sizeof(given_digest));
	credential.have_verified = true;
	return true;
}
