/* pg_pipeline.c — the worker's write transaction (STORE_APPLY_BATCH) in a
 * few round trips instead of one per statement: libpq's pipeline mode sends
 * a batch's reports and balances without waiting for each answer, and the
 * answers are checked together, every PG_PIPELINE_SEGMENT statements and
 * before COMMIT. On one connection round trips are what a batch costs (a
 * thousand battles write about three thousand rows); SQLite, in-process,
 * has no such cost, so only this backend needs it.
 *
 * The outcome is the same as one statement at a time: the first failure
 * (a row no longer 'queued', a CHECK, a lost connection) makes the commit
 * fail and the transaction roll back, so nothing of the batch is written. */
#include "config.h"

#include <string.h>

#include "store/postgresql/pg_store.h"

/* Answers read this often: the server stops sending when its socket buffer
 * is full, so an unread pipeline must stay well below that. */
#define PG_PIPELINE_SEGMENT 256

static enum store_status lost(struct pg_store *store)
{
	store->pipelined = false;
	store->reset_needed = true;
	return pg_fail_result(&store->base, NULL);
}

/* Ends the current segment and reads its answers: each statement must have
 * changed exactly one row. The first failure is kept in pipeline_status. */
static enum store_status read_segment(struct pg_store *store)
{
	if (PQpipelineSync(store->conn) != 1)
		return store->pipeline_status = lost(store);
	for (;;) {
		PGresult *result = PQgetResult(store->conn);
		if (!result) {
			/* The end of one statement's answers; another follows. */
			if (PQstatus(store->conn) != CONNECTION_OK)
				return store->pipeline_status = lost(store);
			continue;
		}
		ExecStatusType type = PQresultStatus(result);
		if (type == PGRES_PIPELINE_SYNC) {
			PQclear(result);
			break;
		}
		bool changed_one_row = type == PGRES_COMMAND_OK && strcmp(PQcmdTuples(result), "1") == 0;
		/* After the first failure the rest are aborted: only the first counts. */
		if (changed_one_row || store->pipeline_status != STORE_OK) {
			PQclear(result);
		} else if (type == PGRES_COMMAND_OK) {
			PQclear(result);
			store->pipeline_status = store_fail(&store->base, STORE_NOT_FOUND,
							    "postgresql: a battle of the batch was no longer queued");
		} else {
			store->pipeline_status = pg_fail_result(&store->base, result);
		}
	}
	store->pipeline_pending = 0;
	return store->pipeline_status;
}

enum store_status pg_pipeline_begin(struct pg_store *store)
{
	static const enum pg_statement writes[] = {PG_BATTLE_APPLY, PG_PLAYER_UPDATE_BALANCES};
	/* Prepared first: a statement cannot be prepared synchronously inside. */
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		enum store_status status = pg_prepare(store, writes[i]);
		if (status != STORE_OK)
			return status;
	}
	if (PQenterPipelineMode(store->conn) != 1)
		return store_fail(&store->base, STORE_UNAVAILABLE, "postgresql: cannot enter pipeline mode");
	store->pipelined = true;
	store->pipeline_pending = 0;
	store->pipeline_status = STORE_OK;
	return STORE_OK;
}

enum store_status pg_pipeline_send(struct pg_store *store, enum pg_statement which, const struct pg_params *params)
{
	char name[16];
	if (store->pipeline_status != STORE_OK)
		return STORE_OK;	/* reported by pg_pipeline_finish */
	pg_statement_name(which, name, sizeof(name));
	if (PQsendQueryPrepared(store->conn, name, params->count, params->values, NULL, NULL, 0) != 1) {
		store->pipeline_status = lost(store);
		return STORE_OK;
	}
	if (++store->pipeline_pending >= PG_PIPELINE_SEGMENT)
		read_segment(store);
	return STORE_OK;
}

enum store_status pg_pipeline_finish(struct pg_store *store)
{
	if (!store->pipelined)
		return STORE_OK;
	/* Every answer is read, also after a failure: pipeline mode can be left
	 * only then (the first failure is what read_segment returns). */
	enum store_status status =
		PQstatus(store->conn) == CONNECTION_OK ? read_segment(store) : (store->pipeline_status = lost(store));
	if (store->pipelined && PQexitPipelineMode(store->conn) != 1)
		status = lost(store);
	store->pipelined = false;
	return status;
}
