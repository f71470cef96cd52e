/* SPDX-License-Identifier: ISC */
/* log.c — log records to stderr or the journal; one write (or one journal
 * datagram) per record, so lines from threads never interleave. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "util/digits.h"
#include "util/log.h"

#define PRIORITY_ERROR 3
#define PRIORITY_INFO 6
#define LINE_MAX_BYTES 1024

static const char *log_program = "platform-test";
static bool journal;

#define PT_LOG_EVENT_ROW(name, id, priority) [LOG_EVENT_##name] = {id, priority},
static const struct {
	const char *message_id;
	int priority;
} events[LOG_EVENT__COUNT] = {PT_LOG_EVENTS(PT_LOG_EVENT_ROW)};
#undef PT_LOG_EVENT_ROW

const char *log_event_message_id(enum log_event event)
{
	return (unsigned)event < LOG_EVENT__COUNT ? events[event].message_id : NULL;
}

int log_event_priority(enum log_event event)
{
	return (unsigned)event < LOG_EVENT__COUNT ? events[event].priority : PRIORITY_ERROR;
}

/* systemd's documented test (systemd.exec(5), JOURNAL_STREAM): the variable
 * names the device and inode of the stream it connected to stderr; if fd 2
 * is still that stream, stderr is the journal. sd_booted() alone would say
 * yes for an admin command run by hand in a terminal. */
static bool stderr_is_journal(void)
{
#ifdef HAVE_LIBSYSTEMD
	const char *stream = getenv("JOURNAL_STREAM");
	const char *colon = stream ? strchr(stream, ':') : NULL;
	int64_t device = 0, inode = 0;
	struct stat status;
	if (!colon || digits_parse(stream, (size_t)(colon - stream), &device) != DIGITS_OK ||
	    digits_parse(colon + 1, strlen(colon + 1), &inode) != DIGITS_OK || fstat(STDERR_FILENO, &status) != 0)
		return false;
	return (uint64_t)status.st_dev == (uint64_t)device && (uint64_t)status.st_ino == (uint64_t)inode;
#else
	return false;
#endif
}

void log_set_program(const char *program)
{
	log_program = program;
	journal = stderr_is_journal();
}

bool log_to_journal(void)
{
	return journal;
}

static const char *level_name(int priority)
{
	switch (priority) {
	case PRIORITY_INFO:
		return "info";
	case 5:
		return "notice";
	case 4:
		return "warning";
	default:
		return priority < PRIORITY_ERROR ? "critical" : "error";
	}
}

static void write_line(int priority, const char *message)
{
	char line[LINE_MAX_BYTES];
	int length = snprintf(line, sizeof(line) - 1, "%s[%ld] %s: %s", log_program, (long)getpid(),
			      level_name(priority), message);
	if (length < 0)
		return;
	if ((size_t)length > sizeof(line) - 2)
		length = (int)sizeof(line) - 2;
	line[length++] = '\n';
	ssize_t ignored = write(STDERR_FILENO, line, (size_t)length);
	(void)ignored;
}

static bool field_name_ok(const char *name)
{
	if (!name || !*name || *name == '_' || strlen(name) > 64)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(name);
}

static int entry_add(struct log_journal_entry *entry, const char *name, const char *value)
{
	char *text = NULL;
	if (asprintf(&text, "%s=%s", name, value ? value : "") < 0)
		return -1;
	entry->strings[entry->count] = text;
	entry->iov[entry->count].iov_base = text;
	entry->iov[entry->count].iov_len = strlen(text);
	entry->count++;
	return 0;
}

int log_journal_entry_build(struct log_journal_entry *entry, int priority, const char *message_id,
			    const struct log_field *fields, const char *message)
{
	char number[4];
	memset(entry, 0, sizeof(*entry));
	snprintf(number, sizeof(number), "%d", priority);
	if (entry_add(entry, "MESSAGE", message) != 0 || entry_add(entry, "PRIORITY", number) != 0 ||
	    entry_add(entry, "SYSLOG_IDENTIFIER", log_program) != 0 ||
	    (message_id && entry_add(entry, "MESSAGE_ID", message_id) != 0))
		goto fail;
	for (size_t i = 0; fields && fields[i].name && i < LOG_EVENT_FIELDS_MAX; i++)
		if (field_name_ok(fields[i].name) && entry_add(entry, fields[i].name, fields[i].value) != 0)
			goto fail;
	return 0;
fail:
	log_journal_entry_free(entry);
	return -1;
}

void log_journal_entry_free(struct log_journal_entry *entry)
{
	for (size_t i = 0; i < entry->count; i++)
		free(entry->strings[i]);
	entry->count = 0;
}

/* To the journal when stderr is it, else (or when the journal refuses) the line. */
static void emit(int priority, const char *message_id, const struct log_field *fields, const char *message)
{
#ifdef HAVE_LIBSYSTEMD
	struct log_journal_entry entry;
	if (journal && log_journal_entry_build(&entry, priority, message_id, fields, message) == 0) {
		int sent = sd_journal_sendv(entry.iov, (int)entry.count);
		log_journal_entry_free(&entry);
		if (sent >= 0)
			return;
	}
#else
	(void)message_id;
	(void)fields;
#endif
	write_line(priority, message);
}

static void log_write(int priority, const char *message_id, const struct log_field *fields, const char *format,
		      va_list arguments)
{
	char message[LINE_MAX_BYTES];
	if (vsnprintf(message, sizeof(message), format, arguments) < 0)
		return;
	emit(priority, message_id, fields, message);
}

void log_info(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	log_write(PRIORITY_INFO, NULL, NULL, format, arguments);
	va_end(arguments);
}

void log_error(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	log_write(PRIORITY_ERROR, NULL, NULL, format, arguments);
	va_end(arguments);
}

void log_event(enum log_event event, const struct log_field *fields, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	log_write(log_event_priority(event), log_event_message_id(event), fields, format, arguments);
	va_end(arguments);
}

int log_batch_open(struct log_batch *batch)
{
	batch->buffer = NULL;
	batch->length = 0;
	batch->stream = open_memstream(&batch->buffer, &batch->length);
	return batch->stream ? 0 : -1;
}

void log_batch_info(struct log_batch *batch, const char *format, ...)
{
	va_list arguments;
	if (!batch->stream)
		return;
	fprintf(batch->stream, "%s[%ld] info: ", log_program, (long)getpid());
	va_start(arguments, format);
	vfprintf(batch->stream, format, arguments);
	va_end(arguments);
	fputc('\n', batch->stream);
}

void log_batch_flush(struct log_batch *batch)
{
	if (!batch->stream)
		return;
	if (fclose(batch->stream) == 0) {
		for (size_t written = 0; written < batch->length;) {
			ssize_t result = write(STDERR_FILENO, batch->buffer + written, batch->length - written);
			if (result <= 0)
				break;
			written += (size_t)result;
		}
	}
	free(batch->buffer);
	batch->stream = NULL;
	batch->buffer = NULL;
	batch->length = 0;
}
