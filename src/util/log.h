/* SPDX-License-Identifier: ISC */
/* log.h — log records: one line each on stderr, or, when stderr is the
 * journal (systemd sets JOURNAL_STREAM to its device:inode), one journal
 * entry each with its PRIORITY, SYSLOG_IDENTIFIER and, for the events of
 * log_events.h, a MESSAGE_ID and structured fields. MESSAGE is the same
 * text in both (a fail2ban filter matches the auth failure line). */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/uio.h>

#include "util/log_events.h"

/* Names the program and decides, once, where records go. Call it first. */
void log_set_program(const char *program);
/* Whether records go to the journal (see log_set_program). */
bool log_to_journal(void);

void log_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A journal field of an event: NAME (upper case, digits, _) and its value. */
struct log_field {
	const char *name;
	const char *value;
};
#define LOG_EVENT_FIELDS_MAX 6

/* One event of log_events.h; fields (at most LOG_EVENT_FIELDS_MAX, ended by
 * {NULL, NULL}; or NULL) go to the journal only, so the message text must
 * say what an operator reading the line needs. */
void log_event(enum log_event event, const struct log_field *fields, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

const char *log_event_message_id(enum log_event event);
int log_event_priority(enum log_event event);

/* The journal entry of a record, as the iovecs sd_journal_sendv sends
 * (exposed for the tests). Fields with a bad name are left out. */
struct log_journal_entry {
	struct iovec iov[LOG_EVENT_FIELDS_MAX + 4];
	char *strings[LOG_EVENT_FIELDS_MAX + 4];
	size_t count;
};
/* message_id may be NULL. 0, or -1 when memory ran out. */
int log_journal_entry_build(struct log_journal_entry *entry, int priority, const char *message_id,
			    const struct log_field *fields, const char *message);
void log_journal_entry_free(struct log_journal_entry *entry);

/* Info lines collected and written with one write(): a worker batch logs
 * hundreds of lines, and one system call per line is measurable. Under the
 * journal they still go to stderr (its stream), one write for them all. */
struct log_batch {
	FILE *stream;
	char *buffer;
	size_t length;
};

int log_batch_open(struct log_batch *batch);
void log_batch_info(struct log_batch *batch, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Writes what was collected and frees it. */
void log_batch_flush(struct log_batch *batch);

#endif
