/* store_backend.h — what store.c dispatches to, seen only by src/store/:
 * a backend is one row, a struct store_backend of function pointers, and
 * every backend's connection begins with a struct store (the row it belongs
 * to and the last error), so store.c can forward each call of store.h
 * without knowing any engine. Adding a backend is a folder under src/store/
 * defining one such row and a line in store.c's table. */
#ifndef PT_STORE_BACKEND_H
#define PT_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_ERROR_SIZE 256

/* The head of every backend's connection (struct sqlite_store, struct
 * pg_store, ...): their first member, so a pointer to one is a pointer to
 * the other. */
struct store {
	const struct store_backend *backend;
	char error[STORE_ERROR_SIZE];
};

/* Every call of store.h that returns a store_status, forwarded as is:
 * X(name, parameters, arguments) for store_NAME. store.c generates the
 * forwarding functions and struct store_backend its members from this list,
 * so a new call is one row here and one function per backend. */
#define STORE_OPERATIONS(X) \
	X(begin, (struct store *store, enum store_intent intent), (store, intent)) \
	X(commit, (struct store *store), (store)) \
	X(wait_for_submissions, (struct store *store), (store)) \
	X(take_housekeeping, (struct store *store), (store)) \
	X(housekeeping, (struct store *store), (store)) \
	X(ping, (struct store *store), (store)) \
	X(writable, (struct store *store), (store)) \
	X(claim_worker, (struct store *store, bool *active), (store, active)) \
	X(player_insert, \
	  (struct store *store, const struct player_create *player, const char *stored_hash, const char *created_at, \
	   int64_t *id_out), \
	  (store, player, stored_hash, created_at, id_out)) \
	X(player_get, (struct store *store, int64_t id, struct player_record *out), (store, id, out)) \
	X(player_exists, (struct store *store, int64_t id), (store, id)) \
	X(players_exist, (struct store *store, const int64_t *ids, size_t count, bool *exists), \
	  (store, ids, count, exists)) \
	X(player_credentials, (struct store *store, const char *name, struct player_credentials *out), \
	  (store, name, out)) \
	X(player_credentials_by_id, (struct store *store, int64_t id, struct player_credentials *out), \
	  (store, id, out)) \
	X(session_check, \
	  (struct store *store, int64_t player_id, const unsigned char token_id[32], int64_t *session_version, \
	   bool *revoked), \
	  (store, player_id, token_id, session_version, revoked)) \
	X(session_revoke, \
	  (struct store *store, int64_t player_id, const unsigned char token_id[32], int64_t expires_at, \
	   int64_t now), \
	  (store, player_id, token_id, expires_at, now)) \
	X(player_revoke_sessions, (struct store *store, int64_t player_id), (store, player_id)) \
	X(player_set_password, (struct store *store, int64_t player_id, const char *stored_hash), \
	  (store, player_id, stored_hash)) \
	X(players_any, (struct store *store, bool *any), (store, any)) \
	X(player_count, (struct store *store, int64_t *count), (store, count)) \
	X(players_scan, (struct store *store, store_player_visitor visit, void *context), (store, visit, context)) \
	X(battle_get, (struct store *store, int64_t id, struct battle_record *out), (store, id, out)) \
	X(battle_status, (struct store *store, int64_t id, enum battle_status_value *status), (store, id, status)) \
	X(battle_insert, \
	  (struct store *store, int64_t attacker_id, int64_t defender_id, const char *submitted_at, int64_t *id_out), \
	  (store, attacker_id, defender_id, submitted_at, id_out)) \
	X(player_battle_count, (struct store *store, int64_t player_id, int64_t *total), (store, player_id, total)) \
	X(player_battles, \
	  (struct store *store, const struct battle_page_request *page, store_battle_visitor visit, void *context), \
	  (store, page, visit, context)) \
	X(idempotency_get, \
	  (struct store *store, const char *caller, const char *key, struct idempotency_record *out), \
	  (store, caller, key, out)) \
	X(idempotency_delete, (struct store *store, const char *caller, const char *key), (store, caller, key)) \
	X(idempotency_insert, \
	  (struct store *store, const char *caller, const char *key, const struct idempotency_record *record), \
	  (store, caller, key, record)) \
	X(players_state, (struct store *store, const int64_t *ids, size_t count, struct player_state *out), \
	  (store, ids, count, out)) \
	X(player_state_save, (struct store *store, const struct player_state *player), (store, player)) \
	X(queued_battles, \
	  (struct store *store, int64_t max_id, size_t limit, store_battle_visitor visit, void *context), \
	  (store, max_id, limit, visit, context)) \
	X(queued_battles_scan, (struct store *store, store_id_visitor visit, void *context), (store, visit, context)) \
	X(battle_apply, (struct store *store, const struct battle_record *battle), (store, battle))

/* A recorded migration, as store_migration_ops.recorded reports it. */
typedef int (*store_migration_visitor)(void *context, int version, const char *name);

/* The engine-specific half of `platform-test-admin migrate`; migrate.c has
 * the rest (listing sql/DIALECT/, ordering, refusing unknown versions).
 * Each function returns 0, or -1 with the reason in error. */
struct store_migration_ops {
	const char *create_table_sql;	/* schema_migrations, if it does not exist */
	const char *lock_sql;		/* run before anything else: NULL when begin_sql is lock enough */
	const char *unlock_sql;
	const char *begin_sql;		/* one migration's transaction */
	/* Runs a script of one or more statements without parameters. */
	int (*exec)(struct store *store, const char *sql, char *error, size_t error_size);
	/* Calls visit for every recorded migration, in version order. */
	int (*recorded)(struct store *store, store_migration_visitor visit, void *context, char *error,
			size_t error_size);
	int (*record)(struct store *store, int version, const char *name, char *error, size_t error_size);
};

/* The parameter list is spliced in whole, as a function pointer's: wrapped
 * in parentheses it would stop being one (hence the NOLINT). */
#define STORE_BACKEND_MEMBER(name, parameters, arguments) \
	enum store_status(*name) parameters; /* NOLINT(bugprone-macro-parentheses) */

struct store_backend {
	const char *name;		/* also the migrations' folder: sql/NAME/ */
	bool (*chosen)(const struct settings *settings);
	enum store_status (*open)(const struct settings *settings, struct store **out, char *error,
				  size_t error_size);
	void (*close)(struct store *store);
	void (*rollback)(struct store *store);
	STORE_OPERATIONS(STORE_BACKEND_MEMBER)
	struct store_migration_ops migration;
};

extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_postgresql;

/* A player's state (the worker's view) from its record. */
void store_state_from_record(const struct player_record *record, struct player_state *out);

/* Records a message as the store's error (store_error) and returns status. */
enum store_status store_fail(struct store *store, enum store_status status, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

#endif
