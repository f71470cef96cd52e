/* pg_migrate.c — the migration runner's PostgreSQL half (store/migrate.c is
 * the rest): running a migration's script, reading and writing
 * schema_migrations. A migration's transaction never reconnects half-way:
 * the store is told it is in one for as long as the server says so. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store/postgresql/pg_store.h"

/* Scripts go through the simple query protocol, the one that runs several
 * statements at once; they take no parameters (sql/postgresql/ files and
 * the runner's BEGIN, COMMIT, locks). */
int pg_migration_exec(struct store *store, const char *sql, char *error, size_t error_size)
{
	struct pg_store *pg = pg_of(store);
	if (!pg->in_transaction && pg_connect_if_needed(store) != STORE_OK) {
		snprintf(error, error_size, "%s", store->error);
		return -1;
	}
	PGresult *result = PQexec(pg->conn, sql);
	ExecStatusType type = PQresultStatus(result);
	PGTransactionStatusType transaction = PQtransactionStatus(pg->conn);
	pg->in_transaction = transaction == PQTRANS_INTRANS || transaction == PQTRANS_INERROR;
	if (type == PGRES_COMMAND_OK || type == PGRES_TUPLES_OK) {
		PQclear(result);
		return 0;
	}
	pg_fail_result(store, result);
	snprintf(error, error_size, "%s", store->error);
	return -1;
}

int pg_migration_recorded(struct store *store, store_migration_visitor visit, void *context, char *error,
			  size_t error_size)
{
	PGresult *result;
	if (pg_run(store, PG_MIGRATIONS_RECORDED, NULL, &result) != STORE_OK) {
		snprintf(error, error_size, "%s", store->error);
		return -1;
	}
	int status = 0;
	for (int row = 0; row < PQntuples(result) && status == 0; row++)
		status = visit(context, (int)pg_column_int64(result, row, 0), PQgetvalue(result, row, 1));
	PQclear(result);
	return status;
}

int pg_migration_record(struct store *store, int version, const char *name, char *error, size_t error_size)
{
	struct pg_params params = {0};
	pg_param_int64(&params, version);
	pg_param_text(&params, name);
	if (pg_run(store, PG_MIGRATION_RECORD, &params, NULL) != STORE_OK) {
		snprintf(error, error_size, "%s", store->error);
		return -1;
	}
	return 0;
}
