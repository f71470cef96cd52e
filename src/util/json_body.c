/* json_body.c — media-type check, an RFC 8259 grammar check over the raw
 * bytes, then json-c to build the tree of a text already known to be JSON.
 * Invariant: json-c never sees a body the grammar check refused, so what is
 * JSON here does not depend on json-c's leniencies. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/json_body.h"
#include "util/utf8.h"

/* ---- media type ------------------------------------------------------- */

static const char json_media_type[] = "application/json";

static bool is_http_whitespace(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 tchar: what a parameter name or unquoted value is made of. */
static bool is_token_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *skip_http_whitespace(const char *p)
{
	while (is_http_whitespace(*p))
		p++;
	return p;
}

static bool charset_is_utf8(const char *value, size_t length)
{
	return (length == 5 && strncasecmp(value, "utf-8", 5) == 0) ||
	       (length == 4 && strncasecmp(value, "utf8", 4) == 0);
}

/* Reads one `name=value` parameter at *cursor; false when it is malformed
 * or declares a charset other than UTF-8. */
static bool media_parameter_ok(const char **cursor)
{
	const char *p = *cursor;
	const char *name = p;
	const char *value;
	size_t name_length, value_length;

	while (is_token_char(*p))
		p++;
	name_length = (size_t)(p - name);
	if (name_length == 0 || *p != '=')
		return false;
	p++;
	if (*p == '"') {
		/* quoted-string: the charset check compares the unescaped text, so a
		 * quoted charset may not use backslash escapes (none needs them). */
		value = ++p;
		while (*p != '"') {
			if (*p == '\0')
				return false;
			if (*p == '\\') {
				if (p[1] == '\0')
					return false;
				p++;
			}
			p++;
		}
		value_length = (size_t)(p - value);
		p++;
	} else {
		value = p;
		while (is_token_char(*p))
			p++;
		value_length = (size_t)(p - value);
		if (value_length == 0)
			return false;
	}
	if (name_length == 7 && strncasecmp(name, "charset", 7) == 0 &&
	    !charset_is_utf8(value, value_length))
		return false;
	*cursor = p;
	return true;
}

bool json_media_type_ok(const char *content_type)
{
	const char *p;

	if (!content_type)
		return false;
	p = skip_http_whitespace(content_type);
	if (strncasecmp(p, json_media_type, sizeof(json_media_type) - 1) != 0)
		return false;
	p = skip_http_whitespace(p + sizeof(json_media_type) - 1);
	while (*p == ';') {
		p = skip_http_whitespace(p + 1);
		if (*p == '\0')
			return true;	/* a trailing ";" is harmless */
		if (!media_parameter_ok(&p))
			return false;
		p = skip_http_whitespace(p);
	}
	return *p == '\0';
}

/* ---- RFC 8259 grammar check ------------------------------------------- */

struct json_scan {
	const unsigned char *text;
	size_t length;
	size_t position;
	bool has_lone_surrogate;
	/* Where each \u0000 escape inside an object key starts (see json_body.h). */
	size_t *nul_key_escapes;
	size_t nul_key_escape_count;
	bool out_of_memory;
};

static bool scan_value(struct json_scan *scan, unsigned depth);

static bool scan_at_end(const struct json_scan *scan)
{
	return scan->position >= scan->length;
}

static int scan_peek(const struct json_scan *scan)
{
	return scan_at_end(scan) ? -1 : scan->text[scan->position];
}

static bool scan_accept(struct json_scan *scan, unsigned char expected)
{
	if (scan_peek(scan) != expected)
		return false;
	scan->position++;
	return true;
}

static void scan_whitespace(struct json_scan *scan)
{
	while (!scan_at_end(scan)) {
		unsigned char c = scan->text[scan->position];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		scan->position++;
	}
}

/* Reads the 4 hex digits of a \u escape whose "\u" starts at `at`. */
static bool read_unicode_escape(const struct json_scan *scan, size_t at, unsigned *unit)
{
	unsigned value = 0;

	if (scan->length - at < 6 || scan->text[at] != '\\' || scan->text[at + 1] != 'u')
		return false;
	for (size_t i = at + 2; i < at + 6; i++) {
		int digit = hex_digit_value(scan->text[i]);

		if (digit < 0)
			return false;
		value = value * 16 + (unsigned)digit;
	}
	*unit = value;
	return true;
}

static bool remember_nul_key_escape(struct json_scan *scan, size_t at)
{
	size_t *grown = realloc(scan->nul_key_escapes, (scan->nul_key_escape_count + 1) * sizeof(*grown));
	if (!grown) {
		scan->out_of_memory = true;
		return false;
	}
	scan->nul_key_escapes = grown;
	scan->nul_key_escapes[scan->nul_key_escape_count++] = at;
	return true;
}

/* Consumes one \u escape (and its low half when it is a valid high surrogate). */
static bool scan_unicode_escape(struct json_scan *scan, bool in_key)
{
	unsigned unit, low;

	if (!read_unicode_escape(scan, scan->position, &unit))
		return false;
	if (unit == 0 && in_key && !remember_nul_key_escape(scan, scan->position))
		return false;
	scan->position += 6;
	if (unit >= 0xDC00 && unit <= 0xDFFF) {
		scan->has_lone_surrogate = true;
	} else if (unit >= 0xD800 && unit <= 0xDBFF) {
		/* A high half that is not followed by a low half is left alone:
		 * the escape after it is read on its own by the caller's loop. */
		if (read_unicode_escape(scan, scan->position, &low) && low >= 0xDC00 && low <= 0xDFFF)
			scan->position += 6;
		else
			scan->has_lone_surrogate = true;
	}
	return true;
}

/* A string at the current '"'. Bytes >= 0x80 are already known to be valid
 * UTF-8 (the whole body is checked first), so only ASCII matters here. */
static bool scan_string(struct json_scan *scan, bool in_key)
{
	if (!scan_accept(scan, '"'))
		return false;
	for (;;) {
		int c = scan_peek(scan);

		if (c < 0x20)
			return false;	/* unterminated (-1), or a raw control character */
		if (c == '"') {
			scan->position++;
			return true;
		}
		if (c != '\\') {
			scan->position++;
			continue;
		}
		if (scan->length - scan->position < 2)
			return false;
		if (scan->text[scan->position + 1] == 'u') {
			if (!scan_unicode_escape(scan, in_key))
				return false;
			continue;
		}
		if (!strchr("\"\\/bfnrt", scan->text[scan->position + 1]) ||
		    scan->text[scan->position + 1] == '\0')
			return false;
		scan->position += 2;
	}
}

static bool scan_digits(struct json_scan *scan)
{
	size_t start = scan->position;

	while (scan_peek(scan) >= '0' && scan_peek(scan) <= '9')
		scan->position++;
	return scan->position > start;
}

/* number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ("e"/"E") [ "+"/"-" ] 1*DIGIT ] */
static bool scan_number(struct json_scan *scan)
{
	scan_accept(scan, '-');
	if (!scan_accept(scan, '0') && !scan_digits(scan))
		return false;
	if (scan_accept(scan, '.') && !scan_digits(scan))
		return false;
	if (scan_accept(scan, 'e') || scan_accept(scan, 'E')) {
		if (!scan_accept(scan, '+'))
			scan_accept(scan, '-');
		if (!scan_digits(scan))
			return false;
	}
	return true;
}

static bool scan_literal(struct json_scan *scan, const char *literal)
{
	size_t length = strlen(literal);

	if (scan->length - scan->position < length ||
	    memcmp(scan->text + scan->position, literal, length) != 0)
		return false;
	scan->position += length;
	return true;
}

static bool scan_object(struct json_scan *scan, unsigned depth)
{
	scan->position++;	/* '{' */
	scan_whitespace(scan);
	if (scan_accept(scan, '}'))
		return true;
	for (;;) {
		if (!scan_string(scan, true))
			return false;
		scan_whitespace(scan);
		if (!scan_accept(scan, ':'))
			return false;
		scan_whitespace(scan);
		if (!scan_value(scan, depth))
			return false;
		scan_whitespace(scan);
		if (scan_accept(scan, '}'))
			return true;
		if (!scan_accept(scan, ','))
			return false;
		scan_whitespace(scan);
	}
}

static bool scan_array(struct json_scan *scan, unsigned depth)
{
	scan->position++;	/* '[' */
	scan_whitespace(scan);
	if (scan_accept(scan, ']'))
		return true;
	for (;;) {
		if (!scan_value(scan, depth))
			return false;
		scan_whitespace(scan);
		if (scan_accept(scan, ']'))
			return true;
		if (!scan_accept(scan, ','))
			return false;
		scan_whitespace(scan);
	}
}

/* depth counts the containers enclosing this value; the bound keeps the
 * recursion (and so the stack) small whatever the body. */
static bool scan_value(struct json_scan *scan, unsigned depth)
{

	switch (scan_peek(scan)) {
	case '{':
		return depth < JSON_BODY_MAX_DEPTH && scan_object(scan, depth + 1);
	case '[':
		return depth < JSON_BODY_MAX_DEPTH && scan_array(scan, depth + 1);
	case '"':
		return scan_string(scan, false);
	case 't':
		return scan_literal(scan, "true");
	case 'f':
		return scan_literal(scan, "false");
	case 'n':
		return scan_literal(scan, "null");
	default:
		return scan_number(scan);
	}
}

/* The whole text is one JSON value with only whitespace around it. The
 * caller frees scan->nul_key_escapes, whatever the result. */
static bool json_text_ok(const char *body, size_t length, struct json_scan *scan)
{
	*scan = (struct json_scan){.text = (const unsigned char *)body, .length = length};

	scan_whitespace(scan);
	if (!scan_value(scan, 0))
		return false;
	scan_whitespace(scan);
	return scan_at_end(scan);
}

/* The body with a backslash before each \u0000 of a key: json-c then keeps
 * the key as its escaped spelling instead of cutting it at the NUL. */
static char *escape_nul_keys(const char *body, size_t length, const struct json_scan *scan, size_t *out_length)
{
	char *copy = malloc(length + scan->nul_key_escape_count + 1);
	size_t from = 0, written = 0;
	if (!copy)
		return NULL;
	for (size_t i = 0; i < scan->nul_key_escape_count; i++) {
		size_t at = scan->nul_key_escapes[i];
		memcpy(copy + written, body + from, at - from);
		written += at - from;
		copy[written++] = '\\';
		from = at;
	}
	memcpy(copy + written, body + from, length - from);
	written += length - from;
	copy[written] = '\0';
	*out_length = written;
	return copy;
}

/* ---- parsing ---------------------------------------------------------- */

static bool only_whitespace(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (!strchr(" \t\n\r", text[i]) || text[i] == '\0')
			return false;
	return true;
}

enum json_body_status json_body_parse(const char *content_type, const char *body,
				      size_t length, struct json_body *out)
{
	enum json_body_status status = JSON_BODY_BAD_JSON;
	struct json_tokener *tokener = NULL;
	json_object *object = NULL;
	struct json_scan scan = {0};
	char *escaped = NULL;
	size_t parse_end;

	out->object = NULL;
	out->has_lone_surrogate = false;
	if (length == 0 || !body)
		goto out;
	if (!json_media_type_ok(content_type)) {
		status = JSON_BODY_UNSUPPORTED_MEDIA_TYPE;
		goto out;
	}
	/* json_tokener_parse_ex() takes an int length. */
	if (length > INT_MAX)
		goto out;
	if (!utf8_decode_count(body, length, NULL))
		goto out;
	if (!json_text_ok(body, length, &scan)) {
		if (scan.out_of_memory)
			status = JSON_BODY_NO_MEMORY;
		goto out;
	}
	if (scan.nul_key_escape_count > 0) {
		escaped = escape_nul_keys(body, length, &scan, &length);
		if (!escaped || length > INT_MAX) {
			status = JSON_BODY_NO_MEMORY;
			goto out;
		}
		body = escaped;
	}

	/* json-c counts depth differently (N allows N - 1 levels); the grammar
	 * check above is the real limit, so json-c only needs room above it. */
	tokener = json_tokener_new_ex(2 * JSON_BODY_MAX_DEPTH);
	if (!tokener) {
		status = JSON_BODY_NO_MEMORY;
		goto out;
	}
	json_tokener_set_flags(tokener, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	object = json_tokener_parse_ex(tokener, body, (int)length);
	if (json_tokener_get_error(tokener) != json_tokener_success || !object) {
		/* A text that passed the grammar check fails here only when json-c
		 * ran out of memory, which it does not tell apart: 400 is the
		 * answer that leaves no state behind either way. */
		goto out;
	}
	parse_end = json_tokener_get_parse_end(tokener);
	if (parse_end > length || !only_whitespace(body + parse_end, length - parse_end))
		goto out;
	if (!json_object_is_type(object, json_type_object))
		goto out;

	out->object = object;
	out->has_lone_surrogate = scan.has_lone_surrogate;
	object = NULL;
	status = JSON_BODY_OK;
out:
	free(scan.nul_key_escapes);
	free(escaped);
	json_object_put(object);
	if (tokener)
		json_tokener_free(tokener);
	return status;
}

void json_body_free(struct json_body *body)
{
	if (!body)
		return;
	json_object_put(body->object);
	body->object = NULL;
	body->has_lone_surrogate = false;
}
