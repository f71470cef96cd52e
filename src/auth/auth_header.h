/* SPDX-License-Identifier: ISC */
/* auth_header.h — parses the HTTP Authorization header value into Basic
 * name:password or a Bearer token; says nothing about whether they are right. */
#ifndef PT_AUTH_HEADER_H
#define PT_AUTH_HEADER_H

/* Longest Basic credentials accepted, in decoded bytes ("name:password"). */
#define AUTH_BASIC_MAX_DECODED 1024
/* Longest Bearer token accepted, in characters. */
#define AUTH_BEARER_MAX_LENGTH 4096

enum auth_scheme {
	AUTH_SCHEME_NONE = 0,
	AUTH_SCHEME_BASIC,
	AUTH_SCHEME_BEARER,
	AUTH_SCHEME_MALFORMED
};

struct auth_credentials {
	enum auth_scheme scheme;
	char *user;		/* Basic, malloc'd: non-empty UTF-8, no control characters */
	char *password;		/* Basic, malloc'd: UTF-8 without NUL, may be empty or hold ':' */
	char *token;		/* Bearer, malloc'd: base64url characters and '.' */
};

/* header may be NULL (→ NONE). Returns 0, or -1 on allocation failure. Never fails on bad input: bad input → MALFORMED.
 * Leading and trailing spaces/tabs around the whole value are ignored (RFC 9110
 * §5.5); *out is always overwritten, and after -1 or MALFORMED holds nothing to free. */
int auth_header_parse(const char *header, struct auth_credentials *out);

void auth_credentials_free(struct auth_credentials *credentials); /* wipes the password before freeing; safe on zeroed struct */

#endif
