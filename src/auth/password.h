/* SPDX-License-Identifier: ISC */
/* password.h — slow salted password hashes (yescrypt through libxcrypt) and
 * their constant-time check; nothing else in the program touches crypt(3). */
#ifndef PT_PASSWORD_H
#define PT_PASSWORD_H

enum password_status {
	PASSWORD_OK = 0,
	PASSWORD_MISMATCH,
	PASSWORD_ERROR
};

/* hash_out malloc'd. Uses crypt_gensalt_ra with yescrypt ("$y$"), default cost.
 * A NULL argument, or a password of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or
 * more, is PASSWORD_ERROR with *hash_out NULL. */
enum password_status password_hash(const char *password, char **hash_out);

/* Constant-time comparison of crypt_rn(password, stored_hash) with stored_hash
 * (sodium_memcmp over equal lengths). Any crypt(3) hash libxcrypt can read is
 * accepted, not only "$y$". A stored value that is no usable hash ('*' failure
 * marker, '!' lock, empty, unknown method) and a password of 512 bytes or more
 * are PASSWORD_MISMATCH. PASSWORD_ERROR: NULL argument, or out of memory. */
enum password_status password_verify(const char *password, const char *stored_hash);

/* Runs one hash of the given password against a fixed dummy hash so a wrong
 * name costs as much time as a wrong password. Always returns PASSWORD_MISMATCH. */
enum password_status password_verify_dummy(const char *password);

#endif
