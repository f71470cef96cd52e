/* SPDX-License-Identifier: ISC */
/* sqlite_gate.h — the writers' gate: a process-shared, robust mutex in a
 * small file beside the database (DATABASE.gate) that every write
 * transaction of the program takes before BEGIN IMMEDIATE and gives back
 * once it ended.
 *
 * SQLite's write lock still keeps every guarantee; the gate changes only
 * how a writer waits. Without it, a writer that finds the lock taken polls
 * it through the busy handler (a yield or a 50 µs nap, then try again):
 * with four responders and the worker writing, that polling was 13 % of a
 * responder's time on POST /battles (measured, BENCHMARKS.md). At the gate
 * a writer sleeps in the kernel (a futex) until the holder leaves.
 *
 * Invariants: the gate is held only around a transaction of this process;
 * a holder that dies (kill -9) leaves it to the next taker (a robust mutex:
 * SQLite itself rolls the dead writer's transaction back); a file left
 * from another boot is replaced (its mutex may name a holder that no
 * longer exists). A process without the gate (it could not be made, or an
 * older build, or sqlite3's shell) still writes correctly: it polls. */
#ifndef PT_SQLITE_GATE_H
#define PT_SQLITE_GATE_H

#include <stdbool.h>
#include <stddef.h>

struct sqlite_gate;

/* Maps DATABASE.gate, making it when it is missing or from another boot.
 * NULL when it cannot (error says why): the caller writes without it. */
struct sqlite_gate *sqlite_gate_open(const char *database_path, char *error, size_t error_size);
void sqlite_gate_close(struct sqlite_gate *gate);

enum sqlite_gate_result {
	SQLITE_GATE_ENTERED,
	SQLITE_GATE_TIMEOUT,	/* another writer held it for timeout_ms */
	SQLITE_GATE_BROKEN,	/* the mutex cannot be used: write without it */
};
/* *waited: whether another writer held it when asked (for the metrics). */
enum sqlite_gate_result sqlite_gate_enter(struct sqlite_gate *gate, int timeout_ms, bool *waited);
void sqlite_gate_leave(struct sqlite_gate *gate);

#endif
