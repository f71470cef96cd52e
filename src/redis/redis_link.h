/* SPDX-License-Identifier: ISC */
/* redis_link.h — one persistent Redis connection per process or thread,
 * reconnected on the next call after any failure. Like hiredis itself,
 * calls return OK/ERR and leave the detail in link->error. */
#ifndef PT_REDIS_LINK_H
#define PT_REDIS_LINK_H

#include <stddef.h>
#include <hiredis/hiredis.h>

#include "config/settings.h"

#define REDIS_LINK_OK 0
#define REDIS_LINK_ERR (-1)

#define REDIS_LINK_SCRIPT_CACHE 8

struct redis_link_script_sha1 {
	const void *script;	/* a struct redis_script, by address */
	char sha1[41];
};

struct redis_link {
	redisContext *context;
	const struct settings *settings;
	void *tls_context;	/* a redisSSLContext, made on the first TLS connect (HAVE_HIREDIS_SSL) */
	int in_flight;		/* pipelined commands appended and not yet read */
	/* SHA1s Redis answered to this link's SCRIPT LOADs (content hashes, so
	 * valid across reconnects): a link belongs to one thread, so the cache
	 * needs no lock. */
	struct redis_link_script_sha1 script_sha1s[REDIS_LINK_SCRIPT_CACHE];
	char error[256];
};

/* A Lua script run by SHA1 (EVALSHA), loaded again when Redis answers NOSCRIPT. */
struct redis_script {
	const char *source;
};

void redis_link_init(struct redis_link *link, const struct settings *settings);
void redis_link_close(struct redis_link *link);

/* Connects if needed: TLS when the settings say rediss://, then AUTH when
 * a password is set (AUTH USER PASSWORD with a user: Redis 6 ACLs), then
 * SELECT when a database other than 0 is. REDIS_LINK_OK or REDIS_LINK_ERR. */
int redis_link_ensure(struct redis_link *link);

/* Runs one command. NULL on a connection failure (the link is dropped and
 * reconnects next time) or when Redis answers with an error reply. */
redisReply *redis_link_command(struct redis_link *link, const char *format, ...);
redisReply *redis_link_command_argv(struct redis_link *link, int argc, const char **argv, const size_t *lengths);

/* Runs a script: keys then arguments, all as strings. Same failure rules. */
redisReply *redis_link_script(struct redis_link *link, const struct redis_script *script,
			      int key_count, int argc, const char **argv);

/* Loads a script so that pipelined EVALSHAs find it, and caches its SHA1 on
 * the link; call before a pipeline. */
int redis_link_script_load(struct redis_link *link, const struct redis_script *script);

/* Pipelining: append commands, then read their replies in order. A script
 * must have been loaded on this link first (redis_link_script_load, or an
 * earlier redis_link_script): appending fails otherwise. */
int redis_link_append_argv(struct redis_link *link, int argc, const char **argv, const size_t *lengths);
int redis_link_append_script(struct redis_link *link, const struct redis_script *script, int key_count,
			     int argc, const char **argv);
/* NULL on failure; error replies are returned as replies here, for the caller to judge. */
redisReply *redis_link_read(struct redis_link *link);

/* One command of a transaction: its words, as strings. */
struct redis_argv {
	int argc;
	const char **argv;
};

/* MULTI, the commands, EXEC, written at once: Redis runs the commands one
 * after another with no other client's in between, as it runs a script,
 * without the script machinery (for a few plain reads a third less of the
 * server's CPU; BENCHMARKS.md, "Issue 16: the leaderboard page"). The EXEC
 * reply, an array of one reply per command (an element is an error reply
 * when its command failed as it ran); NULL when the transaction did not
 * run, with the detail in link->error. */
redisReply *redis_link_transaction(struct redis_link *link, size_t count, const struct redis_argv *commands);

/* Drops the connection, e.g. after a pipeline went wrong half-way. */
void redis_link_drop(struct redis_link *link);

#endif
