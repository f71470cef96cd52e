/* SPDX-License-Identifier: ISC */
/* utf8.h — strict UTF-8 checks for text that came off the wire.
 * "Strict" means RFC 3629: no overlong forms, no surrogates (U+D800–U+DFFF),
 * nothing above U+10FFFF, no truncated sequence. Lengths are always explicit,
 * so text may hold NUL bytes and need not be NUL-terminated. */
#ifndef PT_UTF8_H
#define PT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when text[0..length) is valid UTF-8; *code_points (may be NULL) then
 * holds how many code points it encodes. text may be NULL when length is 0. */
bool utf8_decode_count(const char *text, size_t length, size_t *code_points);

/* True when the text holds a control character: C0 (U+0000–U+001F, NUL
 * included), DEL (U+007F) or C1 (U+0080–U+009F). Exact for valid UTF-8;
 * on other input it still reads only text[0..length). */
bool utf8_has_control(const char *text, size_t length);

#endif
