/* log.h — one-line log records to stderr (journald picks them up under systemd). */
#ifndef PT_LOG_H
#define PT_LOG_H

void log_set_program(const char *program);
void log_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
