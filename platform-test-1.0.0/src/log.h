/* log.h — one-line log records to stderr (journald picks them up under systemd). */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <stdio.h>

void log_set_program(const char *program);
void log_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Info lines collected and written with one write(): a worker batch logs
 * hundreds of lines, and one system call per line is measurable. */
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
