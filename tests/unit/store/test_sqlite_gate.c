/* SPDX-License-Identifier: ISC */
/* test_sqlite_gate.c — the writers' gate (store/sqlite/sqlite_gate.h) across
 * real processes: one holder at a time, a waiter that times out, a holder
 * killed inside (the next one enters), and a file that is not this boot's
 * gate replaced rather than trusted. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/sqlite/sqlite_gate.h"

struct fixture {
	char directory[64];
	char database[128];
	char gate_path[160];
};

static int setup(void **state)
{
	struct fixture *fixture = calloc(1, sizeof(*fixture));
	if (!fixture)
		return -1;
	snprintf(fixture->directory, sizeof(fixture->directory), "/tmp/pt-gate-XXXXXX");
	if (!mkdtemp(fixture->directory)) {
		free(fixture);
		return -1;
	}
	snprintf(fixture->database, sizeof(fixture->database), "%s/test.db", fixture->directory);
	snprintf(fixture->gate_path, sizeof(fixture->gate_path), "%s.gate", fixture->database);
	*state = fixture;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fixture = *state;
	unlink(fixture->gate_path);
	rmdir(fixture->directory);
	free(fixture);
	return 0;
}

static struct sqlite_gate *open_gate(const struct fixture *fixture)
{
	char error[256];
	struct sqlite_gate *gate = sqlite_gate_open(fixture->database, error, sizeof(error));
	if (!gate)
		print_error("sqlite_gate_open: %s\n", error);
	return gate;
}

/* A child that enters the gate, tells the parent through the pipe, then
 * either waits to be killed (die_inside) or leaves after hold_ms and exits. */
static pid_t holder(const struct fixture *fixture, bool die_inside, int hold_ms)
{
	int ready[2];
	char byte = 0;
	if (pipe(ready) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		bool waited;
		struct sqlite_gate *gate = open_gate(fixture);
		if (!gate || sqlite_gate_enter(gate, 1000, &waited) != SQLITE_GATE_ENTERED)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		if (die_inside)
			for (;;)
				pause();
		usleep((useconds_t)hold_ms * 1000);
		sqlite_gate_leave(gate);
		sqlite_gate_close(gate);
		_exit(0);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &byte, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

static void one_process_enters_and_leaves(void **state)
{
	struct fixture *fixture = *state;
	bool waited = true;
	struct sqlite_gate *gate = open_gate(fixture);
	assert_non_null(gate);
	assert_int_equal(access(fixture->gate_path, R_OK | W_OK), 0);
	assert_int_equal(sqlite_gate_enter(gate, 100, &waited), SQLITE_GATE_ENTERED);
	assert_false(waited);
	sqlite_gate_leave(gate);
	/* A second mapping of the same file is the same gate. */
	struct sqlite_gate *again = open_gate(fixture);
	assert_non_null(again);
	assert_int_equal(sqlite_gate_enter(again, 100, &waited), SQLITE_GATE_ENTERED);
	sqlite_gate_leave(again);
	sqlite_gate_close(again);
	sqlite_gate_close(gate);
}

static void a_waiter_times_out_then_enters(void **state)
{
	struct fixture *fixture = *state;
	int status = -1;
	bool waited = false;
	struct sqlite_gate *gate = open_gate(fixture);
	assert_non_null(gate);
	pid_t child = holder(fixture, false, 600);
	assert_true(child > 0);
	assert_int_equal(sqlite_gate_enter(gate, 100, &waited), SQLITE_GATE_TIMEOUT);
	assert_true(waited);
	/* The holder leaves after 600 ms: a long enough wait gets in. */
	assert_int_equal(sqlite_gate_enter(gate, 5000, &waited), SQLITE_GATE_ENTERED);
	assert_true(waited);
	sqlite_gate_leave(gate);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sqlite_gate_close(gate);
}

static void a_holder_killed_inside_lets_the_next_in(void **state)
{
	struct fixture *fixture = *state;
	bool waited = false;
	struct sqlite_gate *gate = open_gate(fixture);
	assert_non_null(gate);
	pid_t child = holder(fixture, true, 0);
	assert_true(child > 0);
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(sqlite_gate_enter(gate, 1000, &waited), SQLITE_GATE_ENTERED);
	sqlite_gate_leave(gate);
	/* And it stays usable: enter again, no waiting. */
	assert_int_equal(sqlite_gate_enter(gate, 1000, &waited), SQLITE_GATE_ENTERED);
	assert_false(waited);
	sqlite_gate_leave(gate);
	sqlite_gate_close(gate);
}

static void a_file_that_is_no_gate_is_replaced(void **state)
{
	struct fixture *fixture = *state;
	bool waited = false;
	char junk[4096];
	memset(junk, 0xff, sizeof(junk));	/* a wrong magic, or another boot's: not trusted */
	int fd = open(fixture->gate_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	struct sqlite_gate *gate = open_gate(fixture);
	assert_non_null(gate);
	assert_int_equal(sqlite_gate_enter(gate, 100, &waited), SQLITE_GATE_ENTERED);
	sqlite_gate_leave(gate);
	sqlite_gate_close(gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(one_process_enters_and_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(a_waiter_times_out_then_enters, setup, teardown),
		cmocka_unit_test_setup_teardown(a_holder_killed_inside_lets_the_next_in, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_is_no_gate_is_replaced, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
