/* admin_credential.h — the admin's Basic password, checked against a slow
 * hash. The configured password is hashed with yescrypt once per process
 * and then wiped from memory; a password that verified once is remembered
 * as a keyed digest, so the honest admin pays the slow hash once per
 * process while every wrong guess pays it each time. */
#ifndef PT_ADMIN_CREDENTIAL_H
#define PT_ADMIN_CREDENTIAL_H

#include <stdbool.h>

/* Hashes configured (and wipes it) on the first call; later calls ignore it.
 * False for a wrong password and when the hash cannot be made. Not
 * thread-safe: one responder serves one request at a time. */
bool admin_credential_matches(char *configured, const char *given);

#endif
