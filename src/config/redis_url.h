/* redis_url.h — PT_REDIS_URL, read the way redis-cli -u and most clients
 * read it: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (rediss:// for TLS)
 * or unix://PATH[?db=DB]. HOST may be [IPv6]; USER and PASSWORD may be
 * percent-encoded. Pure: no I/O. */
#ifndef PT_REDIS_URL_H
#define PT_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

struct redis_url {
	char *socket;		/* unix:// only */
	char *host;		/* redis://, rediss:// */
	int port;		/* 6379 unless given */
	char *user;		/* NULL unless given */
	char *password;		/* NULL unless given */
	int db;			/* 0 unless given */
	bool tls;		/* rediss:// */
};

/* 0, or -1 with a reason (never the password) in error; *out is then empty. */
int redis_url_parse(const char *text, struct redis_url *out, char *error, size_t error_size);
void redis_url_free(struct redis_url *url);

#endif
