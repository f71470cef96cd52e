/* SPDX-License-Identifier: ISC */
/* test_log_events.c — the message-id table (every id a valid, distinct
 * 128-bit id), the stderr line of an event (the same text as before the
 * journal, which the fail2ban filter matches), the journal entry an event
 * becomes (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID, its fields),
 * and how stderr is recognised as the journal (JOURNAL_STREAM). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-id128.h>
#endif

#include "util/log.h"

static void message_ids_are_distinct_128_bit_ids(void **state)
{
	(void)state;
	for (int event = 0; event < LOG_EVENT__COUNT; event++) {
		const char *id = log_event_message_id((enum log_event)event);
		assert_non_null(id);
		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		assert_true(strspn(id, "0") < 32);
#ifdef HAVE_LIBSYSTEMD
		sd_id128_t parsed;
		assert_int_equal(sd_id128_from_string(id, &parsed), 0);
#endif
		for (int other = 0; other < event; other++)
			assert_string_not_equal(id, log_event_message_id((enum log_event)other));
		int priority = log_event_priority((enum log_event)event);
		assert_true(priority == 3 || priority == 6);
	}
	assert_null(log_event_message_id(LOG_EVENT__COUNT));
}

/* Runs one event with stderr on a file; returns what was written. */
static char *stderr_of_event(void)
{
	char name[] = "/tmp/pt-test-log.XXXXXX", *text = calloc(1, 2048);
	int file = mkstemp(name), saved = dup(STDERR_FILENO);
	assert_true(file >= 0 && saved >= 0 && text);
	assert_int_equal(dup2(file, STDERR_FILENO), STDERR_FILENO);
	log_set_program("pt-test");
	log_event(LOG_EVENT_AUTH_FAILURE,
		  (const struct log_field[]){{"ADDRESS", "203.0.113.9"}, {"ROUTE", "GET /players/1"}, {NULL, NULL}},
		  "auth failure: address=%s route=\"%s\" time=%s", "203.0.113.9", "GET /players/1", "2026-12-01T07:45:33Z");
	log_error("plain %s", "error");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	assert_true(pread(file, text, 2047, 0) > 0);
	close(saved);
	close(file);
	unlink(name);
	return text;
}

static void outside_the_journal_an_event_is_the_usual_line(void **state)
{
	char expected[512];
	(void)state;
	unsetenv("JOURNAL_STREAM");
	char *text = stderr_of_event();
	assert_false(log_to_journal());
	snprintf(expected, sizeof(expected),
		 "pt-test[%ld] info: auth failure: address=203.0.113.9 route=\"GET /players/1\" time=2026-12-01T07:45:33Z\n"
		 "pt-test[%ld] error: plain error\n", (long)getpid(), (long)getpid());
	assert_string_equal(text, expected);
	free(text);
}

static void an_event_becomes_a_journal_entry_with_its_id(void **state)
{
	struct log_journal_entry entry;
	char expected_id[64];
	(void)state;
	log_set_program("platform-test-responder");
	assert_int_equal(log_journal_entry_build(&entry, log_event_priority(LOG_EVENT_AUTH_FAILURE),
						 log_event_message_id(LOG_EVENT_AUTH_FAILURE),
						 (const struct log_field[]){{"ADDRESS", "203.0.113.9"},
									    {"bad name", "left out"},
									    {"_PID", "left out"},
									    {"ROUTE", "GET /x"},
									    {NULL, NULL}},
						 "auth failure: address=203.0.113.9 route=\"GET /x\" time=T"),
			 0);
	snprintf(expected_id, sizeof(expected_id), "MESSAGE_ID=%s", log_event_message_id(LOG_EVENT_AUTH_FAILURE));
	assert_int_equal(entry.count, 6);
	assert_string_equal(entry.strings[0], "MESSAGE=auth failure: address=203.0.113.9 route=\"GET /x\" time=T");
	assert_string_equal(entry.strings[1], "PRIORITY=6");
	assert_string_equal(entry.strings[2], "SYSLOG_IDENTIFIER=platform-test-responder");
	assert_string_equal(entry.strings[3], expected_id);
	assert_string_equal(entry.strings[4], "ADDRESS=203.0.113.9");
	assert_string_equal(entry.strings[5], "ROUTE=GET /x");
	for (size_t i = 0; i < entry.count; i++)
		assert_int_equal(entry.iov[i].iov_len, strlen(entry.strings[i]));
	log_journal_entry_free(&entry);
}

static void journal_stream_names_the_journal_only_when_it_is_stderr(void **state)
{
	char name[] = "/tmp/pt-test-log.XXXXXX", value[64];
	struct stat status;
	int file = mkstemp(name), saved = dup(STDERR_FILENO);
	(void)state;
	assert_true(file >= 0 && saved >= 0);
	assert_int_equal(dup2(file, STDERR_FILENO), STDERR_FILENO);
	assert_int_equal(fstat(file, &status), 0);
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)status.st_dev,
		 (unsigned long long)status.st_ino);
	setenv("JOURNAL_STREAM", value, 1);
	log_set_program("pt-test");
#ifdef HAVE_LIBSYSTEMD
	bool expected = true;
#else
	bool expected = false;	/* without libsystemd there is no journal to write to */
#endif
	bool detected = log_to_journal();
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)status.st_dev,
		 (unsigned long long)status.st_ino + 1);
	setenv("JOURNAL_STREAM", value, 1);
	log_set_program("pt-test");
	bool other_stream = log_to_journal();
	setenv("JOURNAL_STREAM", "not-a-stream", 1);
	log_set_program("pt-test");
	bool garbage = log_to_journal();
	unsetenv("JOURNAL_STREAM");
	log_set_program("pt-test");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(file);
	unlink(name);
	assert_int_equal(detected, expected);
	assert_false(other_stream);
	assert_false(garbage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(message_ids_are_distinct_128_bit_ids),
		cmocka_unit_test(outside_the_journal_an_event_is_the_usual_line),
		cmocka_unit_test(an_event_becomes_a_journal_entry_with_its_id),
		cmocka_unit_test(journal_stream_names_the_journal_only_when_it_is_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
