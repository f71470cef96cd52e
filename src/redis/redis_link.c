/* SPDX-License-Identifier: ISC */
/* redis_link.c — connection, reconnection, scripts and pipelines over hiredis. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics/metrics.h"
#include "redis/redis_link.h"

#ifdef HAVE_HIREDIS_SSL
#include <hiredis/hiredis_ssl.h>
#endif

#define REDIS_SCRIPT_MAX_ARGS 160	/* the scores pipeline: 2 keys, a deadline, 64 players */
#define SHA1_HEX_LENGTH 40

void redis_link_init(struct redis_link *link, const struct settings *settings)
{
	memset(link, 0, sizeof(*link));
	link->settings = settings;
}

void redis_link_drop(struct redis_link *link)
{
	if (link->context)
		redisFree(link->context);
	link->context = NULL;
	link->in_flight = 0;
}

/* A server that restarted (or a proxy that switched over) closed our idle
 * connection: its FIN or RST is already queued on the socket. Seen before a
 * command is sent, the link reconnects at once, and the command goes to the
 * new server instead of failing on the old socket. Only when nothing of ours
 * is in flight (a pipeline's replies would make the socket readable). */
static bool closed_by_server(const struct redis_link *link)
{
	struct pollfd events = {.fd = link->context->fd, .events = POLLIN};
	char byte;
	if (link->in_flight > 0 || poll(&events, 1, 0) <= 0)
		return false;
	if (events.revents & (POLLHUP | POLLERR))
		return true;
	ssize_t peeked = recv(link->context->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

void redis_link_close(struct redis_link *link)
{
	redis_link_drop(link);
#ifdef HAVE_HIREDIS_SSL
	if (link->tls_context)
		redisFreeSSLContext(link->tls_context);
	link->tls_context = NULL;
#endif
}

static void record_error(struct redis_link *link, const char *what)
{
	const char *detail = link->context && link->context->err ? link->context->errstr : "no connection";
	metrics_count(METRICS_REDIS_ERRORS);
	snprintf(link->error, sizeof(link->error), "redis %s: %s", what, detail);
}

#ifdef HAVE_HIREDIS_SSL
/* TLS over the new connection: the CA (or the system's), an optional client
 * certificate, and the host name checked against the server's certificate. */
static int start_tls(struct redis_link *link)
{
	const struct settings *settings = link->settings;
	if (!link->tls_context) {
		redisSSLContextError failure = REDIS_SSL_CTX_NONE;
		redisInitOpenSSL();
		link->tls_context = redisCreateSSLContext(settings->redis_tls_ca, NULL, settings->redis_tls_cert,
							  settings->redis_tls_key, settings->redis_host, &failure);
		if (!link->tls_context) {
			snprintf(link->error, sizeof(link->error), "redis tls: %s", redisSSLContextGetError(failure));
			return REDIS_LINK_ERR;
		}
	}
	if (redisInitiateSSLWithContext(link->context, link->tls_context) != REDIS_OK) {
		record_error(link, "tls");
		return REDIS_LINK_ERR;
	}
	return REDIS_LINK_OK;
}
#endif

/* One command of the connection's set-up; its reply must not be an error. */
static int set_up_command(struct redis_link *link, int argc, const char **argv, const char *what)
{
	redisReply *reply = redisCommandArgv(link->context, argc, argv, NULL);
	if (!reply) {
		record_error(link, what);
		return REDIS_LINK_ERR;
	}
	int status = reply->type == REDIS_REPLY_ERROR ? REDIS_LINK_ERR : REDIS_LINK_OK;
	if (status != REDIS_LINK_OK)
		snprintf(link->error, sizeof(link->error), "redis %s: %s", what, reply->str);
	freeReplyObject(reply);
	return status;
}

static int set_up(struct redis_link *link)
{
	const struct settings *settings = link->settings;
	char db[16];
#ifdef HAVE_HIREDIS_SSL
	if (settings->redis_tls && start_tls(link) != REDIS_LINK_OK)
		return REDIS_LINK_ERR;
#endif
	if (settings->redis_password) {
		const char *with_user[] = {"AUTH", settings->redis_user, settings->redis_password};
		const char *without_user[] = {"AUTH", settings->redis_password};
		if ((settings->redis_user ? set_up_command(link, 3, with_user, "auth")
					  : set_up_command(link, 2, without_user, "auth")) != REDIS_LINK_OK)
			return REDIS_LINK_ERR;
	}
	const char *select[] = {"SELECT", db};
	snprintf(db, sizeof(db), "%d", settings->redis_db);
	if (settings->redis_db != 0 && set_up_command(link, 2, select, "select") != REDIS_LINK_OK)
		return REDIS_LINK_ERR;
	return REDIS_LINK_OK;
}

int redis_link_ensure(struct redis_link *link)
{
	const struct settings *settings = link->settings;
	if (link->context && !link->context->err && !closed_by_server(link))
		return REDIS_LINK_OK;
	redis_link_drop(link);
	struct timeval timeout = {settings->redis_timeout_ms / 1000, (settings->redis_timeout_ms % 1000) * 1000};
	if (settings->redis_socket)
		link->context = redisConnectUnixWithTimeout(settings->redis_socket, timeout);
	else
		link->context = redisConnectWithTimeout(settings->redis_host, settings->redis_port, timeout);
	if (!link->context || link->context->err) {
		record_error(link, "connect");
		redis_link_drop(link);
		return REDIS_LINK_ERR;
	}
	if (redisSetTimeout(link->context, timeout) != REDIS_OK) {
		record_error(link, "set timeout");
		redis_link_drop(link);
		return REDIS_LINK_ERR;
	}
	if (set_up(link) != REDIS_LINK_OK) {
		redis_link_drop(link);
		return REDIS_LINK_ERR;
	}
	return REDIS_LINK_OK;
}

/* Connection-level failures drop the link; error replies are freed and reported. */
static redisReply *checked_reply(struct redis_link *link, redisReply *reply, const char *what)
{
	if (!reply) {
		record_error(link, what);
		redis_link_drop(link);
		return NULL;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		metrics_count(METRICS_REDIS_ERRORS);
		snprintf(link->error, sizeof(link->error), "redis %s: %s", what, reply->str);
		freeReplyObject(reply);
		return NULL;
	}
	return reply;
}

redisReply *redis_link_command(struct redis_link *link, const char *format, ...)
{
	va_list arguments;
	if (redis_link_ensure(link) != REDIS_LINK_OK)
		return NULL;
	va_start(arguments, format);
	redisReply *reply = redisvCommand(link->context, format, arguments);
	va_end(arguments);
	return checked_reply(link, reply, "command");
}

redisReply *redis_link_command_argv(struct redis_link *link, int argc, const char **argv, const size_t *lengths)
{
	if (redis_link_ensure(link) != REDIS_LINK_OK)
		return NULL;
	return checked_reply(link, redisCommandArgv(link->context, argc, argv, lengths), "command");
}

static struct redis_link_script_sha1 *cached_sha1(struct redis_link *link, const struct redis_script *script)
{
	for (size_t i = 0; i < REDIS_LINK_SCRIPT_CACHE; i++)
		if (link->script_sha1s[i].script == script)
			return &link->script_sha1s[i];
	return NULL;
}

/* Where a new script's SHA1 goes: a free entry, else the last one. Evicting
 * is safe: a pipeline only appends the script it loaded just before. */
static struct redis_link_script_sha1 *free_sha1_entry(struct redis_link *link)
{
	for (size_t i = 0; i < REDIS_LINK_SCRIPT_CACHE; i++)
		if (!link->script_sha1s[i].script)
			return &link->script_sha1s[i];
	return &link->script_sha1s[REDIS_LINK_SCRIPT_CACHE - 1];
}

/* SCRIPT LOAD, keeping the SHA1 Redis answers (the hex SHA1 of the source,
 * the same on every server and connection) in the link's cache. what names
 * the operation in link->error. The cache entry, or NULL. */
static const struct redis_link_script_sha1 *load_script(struct redis_link *link, const struct redis_script *script,
							 const char *what)
{
	redisReply *reply = NULL;
	struct redis_link_script_sha1 *entry = NULL;

	if (redis_link_ensure(link) != REDIS_LINK_OK)
		goto out;
	reply = checked_reply(link, redisCommand(link->context, "SCRIPT LOAD %s", script->source), what);
	if (!reply)
		goto out;
	if (reply->type != REDIS_REPLY_STRING || reply->len != SHA1_HEX_LENGTH ||
	    strspn(reply->str, "0123456789abcdef") != SHA1_HEX_LENGTH) {
		snprintf(link->error, sizeof(link->error), "redis %s: SCRIPT LOAD did not answer a SHA1", what);
		goto out;
	}
	entry = cached_sha1(link, script);
	if (!entry)
		entry = free_sha1_entry(link);
	memcpy(entry->sha1, reply->str, SHA1_HEX_LENGTH + 1);
	entry->script = script;
out:
	if (reply)
		freeReplyObject(reply);
	return entry;
}

/* EVALSHA needs the script's SHA1 on every call: Redis gives it once per
 * link (load_script), and the link's cache keeps it. */
static int script_sha1(struct redis_link *link, const struct redis_script *script, char sha1[41])
{
	const struct redis_link_script_sha1 *entry = cached_sha1(link, script);

	if (!entry)
		entry = load_script(link, script, "script");
	if (!entry)
		return REDIS_LINK_ERR;
	memcpy(sha1, entry->sha1, 41);
	return REDIS_LINK_OK;
}

static int build_script_argv(const char *sha1, int key_count, int argc, const char **argv,
			     const char **out, char *key_count_text, size_t key_count_size)
{
	if (argc + 3 > REDIS_SCRIPT_MAX_ARGS)
		return -1;
	snprintf(key_count_text, key_count_size, "%d", key_count);
	out[0] = "EVALSHA";
	out[1] = sha1;
	out[2] = key_count_text;
	for (int i = 0; i < argc; i++)
		out[3 + i] = argv[i];
	return argc + 3;
}

int redis_link_script_load(struct redis_link *link, const struct redis_script *script)
{
	return load_script(link, script, "command") ? REDIS_LINK_OK : REDIS_LINK_ERR;
}

int redis_link_append_script(struct redis_link *link, const struct redis_script *script, int key_count,
			     int argc, const char **argv)
{
	const char *full[REDIS_SCRIPT_MAX_ARGS];
	char key_count_text[16];
	const struct redis_link_script_sha1 *entry = cached_sha1(link, script);
	/* Loading here would read a reply out of the pipeline's order. */
	if (!entry) {
		snprintf(link->error, sizeof(link->error), "redis append: script not loaded on this link");
		return REDIS_LINK_ERR;
	}
	int full_count = build_script_argv(entry->sha1, key_count, argc, argv, full, key_count_text,
					   sizeof(key_count_text));
	if (full_count < 0)
		return REDIS_LINK_ERR;
	return redis_link_append_argv(link, full_count, full, NULL);
}

redisReply *redis_link_script(struct redis_link *link, const struct redis_script *script,
			      int key_count, int argc, const char **argv)
{
	const char *full[REDIS_SCRIPT_MAX_ARGS];
	char key_count_text[16];
	char sha1[41];
	if (script_sha1(link, script, sha1) != REDIS_LINK_OK)
		return NULL;
	int full_count = build_script_argv(sha1, key_count, argc, argv, full, key_count_text,
					   sizeof(key_count_text));
	if (full_count < 0 || redis_link_ensure(link) != REDIS_LINK_OK)
		return NULL;
	redisReply *reply = redisCommandArgv(link->context, full_count, full, NULL);
	/* Redis restarted or flushed its scripts: EVAL runs the source and loads
	 * it again under the same SHA1, so the cached one stays right. */
	if (reply && reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(reply);
		full[0] = "EVAL";
		full[1] = script->source;
		reply = redisCommandArgv(link->context, full_count, full, NULL);
	}
	return checked_reply(link, reply, "script");
}

int redis_link_append_argv(struct redis_link *link, int argc, const char **argv, const size_t *lengths)
{
	if (redis_link_ensure(link) != REDIS_LINK_OK)
		return REDIS_LINK_ERR;
	if (redisAppendCommandArgv(link->context, argc, argv, lengths) != REDIS_OK) {
		record_error(link, "append");
		redis_link_drop(link);
		return REDIS_LINK_ERR;
	}
	link->in_flight++;
	return REDIS_LINK_OK;
}

redisReply *redis_link_read(struct redis_link *link)
{
	void *reply = NULL;
	if (!link->context)
		return NULL;
	if (redisGetReply(link->context, &reply) != REDIS_OK || !reply) {
		record_error(link, "read");
		redis_link_drop(link);
		return NULL;
	}
	if (link->in_flight > 0)
		link->in_flight--;
	return reply;
}

/* The replies of MULTI and of each queued command are status replies
 * (+OK, +QUEUED) unless Redis refused to queue a command: the first such
 * error is kept for link->error, and EXEC then answers EXECABORT. */
redisReply *redis_link_transaction(struct redis_link *link, size_t count, const struct redis_argv *commands)
{
	static const char *multi[] = {"MULTI"};
	static const char *exec[] = {"EXEC"};
	redisReply *reply = NULL;
	char refused[sizeof(link->error)] = "";

	if (redis_link_append_argv(link, 1, multi, NULL) != REDIS_LINK_OK)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (redis_link_append_argv(link, commands[i].argc, commands[i].argv, NULL) != REDIS_LINK_OK)
			return NULL;	/* the link was dropped, and what it had appended with it */
	if (redis_link_append_argv(link, 1, exec, NULL) != REDIS_LINK_OK)
		return NULL;
	for (size_t i = 0; i <= count; i++) {
		if (!(reply = redis_link_read(link)))
			return NULL;
		if (reply->type == REDIS_REPLY_ERROR && !refused[0])
			snprintf(refused, sizeof(refused), "redis transaction: %s", reply->str);
		freeReplyObject(reply);
	}
	reply = checked_reply(link, redis_link_read(link), "transaction");
	if (reply && (reply->type != REDIS_REPLY_ARRAY || reply->elements != count)) {
		snprintf(link->error, sizeof(link->error), "redis transaction: EXEC answered no array of %zu replies",
			 count);
		freeReplyObject(reply);
		reply = NULL;
	}
	if (!reply && refused[0])
		snprintf(link->error, sizeof(link->error), "%s", refused);
	return reply;
}
