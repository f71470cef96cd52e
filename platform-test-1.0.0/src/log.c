/* log.c — stderr logging; one write per record so lines from threads never interleave. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

static const char *log_program = "platform-test";

void log_set_program(const char *program)
{
	log_program = program;
}

static void log_write(const char *level, const char *format, va_list arguments)
{
	char line[1024];
	int used = snprintf(line, sizeof(line), "%s[%ld] %s: ", log_program, (long)getpid(), level);
	if (used < 0)
		return;
	int more = vsnprintf(line + used, sizeof(line) - (size_t)used - 1, format, arguments);
	if (more < 0)
		return;
	size_t length = (size_t)used + (size_t)more;
	if (length > sizeof(line) - 2)
		length = sizeof(line) - 2;
	line[length++] = '\n';
	ssize_t ignored = write(STDERR_FILENO, line, length);
	(void)ignored;
}

void log_info(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	log_write("info", format, arguments);
	va_end(arguments);
}

void log_error(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	log_write("error", format, arguments);
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
