/* SPDX-License-Identifier: ISC */
/* test_metrics.c — the shared segment and its exposition: two processes
 * count into one file and one scrape sees both; a segment of another
 * layout is replaced, never misread; histograms land in the right bucket
 * and render cumulative with _count == +Inf; counting without a segment is
 * a no-op. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics/exposition.h"
#include "metrics/metrics.h"
#include "metrics/routes.h"

static char directory[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(directory, sizeof(directory), "/tmp/pt-test-metrics.XXXXXX");
	if (!mkdtemp(directory))
		return -1;
	snprintf(path, sizeof(path), "%s/metrics", directory);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	metrics_close();
	unlink(path);
	rmdir(directory);
	return 0;
}

/* The scrape text of the open segment. */
static char *render(void)
{
	const char *labels[METRICS_ROUTE_COUNT];
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	assert_non_null(out);
	for (size_t slot = 0; slot < METRICS_ROUTE_COUNT; slot++)
		labels[slot] = metrics_route_label(slot);
	exposition_segment(out, metrics_segment(), labels, METRICS_ROUTE_COUNT);
	assert_int_equal(fclose(out), 0);
	return text;
}

static void assert_line(const char *text, const char *line)
{
	char *wanted = NULL;
	assert_true(asprintf(&wanted, "\n%s\n", line) > 0);
	if (!strstr(text, wanted))
		fail_msg("missing line: %s", line);
	free(wanted);
}

static void counting_without_a_segment_is_a_no_op(void **state)
{
	(void)state;
	assert_null(metrics_segment());
	metrics_count(METRICS_REDIS_ERRORS);
	metrics_observe_request(0, 200, 1000);
	metrics_observe(METRICS_HISTOGRAM_BATCH_SIZE, 3);
}

static void two_processes_count_into_one_segment(void **state)
{
	char error[256];
	(void)state;
	assert_int_equal(metrics_open(path, METRICS_PROCESS_RESPONDER, METRICS_ROUTE_LAYOUT, error, sizeof(error)), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Another process: its own mapping of the same file. */
		int status = metrics_open(path, METRICS_PROCESS_WORKER, METRICS_ROUTE_LAYOUT, error, sizeof(error));
		for (int i = 0; status == 0 && i < 1000; i++) {
			metrics_observe_request(ENDPOINT_GET_HEARTBEAT, 200, 200000);
			metrics_count(METRICS_REDIS_ERRORS);
		}
		metrics_worker_add(METRICS_BATTLES_APPLIED, 7);
		_exit(status == 0 ? 0 : 1);
	}
	for (int i = 0; i < 1000; i++)
		metrics_observe_request(ENDPOINT_GET_HEARTBEAT, 200, 3000000000ULL);
	metrics_observe_request(METRICS_ROUTE_UNMATCHED, 404, 50000);
	metrics_observe_request(ENDPOINT_GET_PLAYER, 418, 50000);
	metrics_count(METRICS_SQLITE_BUSY);
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	char *text = render();
	assert_line(text, "platform_test_http_requests_total{route=\"get_heartbeat\",code=\"200\"} 2000");
	assert_line(text, "platform_test_http_requests_total{route=\"unmatched\",code=\"404\"} 1");
	assert_line(text, "platform_test_http_requests_total{route=\"get_player\",code=\"other\"} 1");
	/* 1000 at 0.2 ms (le 0.00025), 1000 at 3 s (only +Inf). */
	assert_line(text, "platform_test_http_request_duration_seconds_bucket{route=\"get_heartbeat\",le=\"0.0001\"} 0");
	assert_line(text, "platform_test_http_request_duration_seconds_bucket{route=\"get_heartbeat\",le=\"0.00025\"} 1000");
	assert_line(text, "platform_test_http_request_duration_seconds_bucket{route=\"get_heartbeat\",le=\"2.5\"} 1000");
	assert_line(text, "platform_test_http_request_duration_seconds_bucket{route=\"get_heartbeat\",le=\"+Inf\"} 2000");
	assert_line(text, "platform_test_http_request_duration_seconds_sum{route=\"get_heartbeat\"} 3000.200000000");
	assert_line(text, "platform_test_http_request_duration_seconds_count{route=\"get_heartbeat\"} 2000");
	assert_line(text, "platform_test_redis_errors_total{process=\"worker\"} 1000");
	assert_line(text, "platform_test_redis_errors_total{process=\"responder\"} 0");
	assert_line(text, "platform_test_sqlite_busy_total{process=\"responder\"} 1");
	assert_line(text, "platform_test_battles_applied_total 7");
	/* Routes that answered nothing have no series. */
	assert_null(strstr(text, "route=\"create_session\""));
	assert_line(text, "# TYPE platform_test_battle_lag_seconds histogram");
	free(text);
}

static void worker_histograms_and_restarts(void **state)
{
	char error[256];
	(void)state;
	assert_int_equal(metrics_open(path, METRICS_PROCESS_WORKER, METRICS_ROUTE_LAYOUT, error, sizeof(error)), 0);
	assert_int_equal(metrics_open(path, METRICS_PROCESS_WORKER, METRICS_ROUTE_LAYOUT, error, sizeof(error)), 0);
	metrics_observe(METRICS_HISTOGRAM_BATCH_SIZE, 3);	/* le 4 */
	metrics_observe(METRICS_HISTOGRAM_BATCH_SIZE, 4);	/* le 4: bounds are inclusive */
	metrics_observe(METRICS_HISTOGRAM_BATTLE_LAG, 1500);	/* 1.5 s: le 2 */
	char *text = render();
	assert_line(text, "platform_test_worker_restarts_total 1");
	assert_line(text, "platform_test_battle_batch_size_bucket{le=\"2\"} 0");
	assert_line(text, "platform_test_battle_batch_size_bucket{le=\"4\"} 2");
	assert_line(text, "platform_test_battle_batch_size_bucket{le=\"+Inf\"} 2");
	assert_line(text, "platform_test_battle_batch_size_sum 7");
	assert_line(text, "platform_test_battle_batch_size_count 2");
	assert_line(text, "platform_test_battle_lag_seconds_bucket{le=\"1\"} 0");
	assert_line(text, "platform_test_battle_lag_seconds_bucket{le=\"2\"} 1");
	assert_line(text, "platform_test_battle_lag_seconds_sum 1.500000000");
	free(text);
}

static void another_layout_is_replaced(void **state)
{
	char error[256];
	struct stat before, after;
	(void)state;
	assert_int_equal(metrics_open(path, METRICS_PROCESS_RESPONDER, "A,B,UNMATCHED", error, sizeof(error)), 0);
	metrics_observe_request(0, 200, 1);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(metrics_open(path, METRICS_PROCESS_RESPONDER, METRICS_ROUTE_LAYOUT, error, sizeof(error)), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	char *text = render();
	assert_null(strstr(text, "platform_test_http_requests_total{"));
	free(text);
	/* A file of the wrong size (damaged, or not ours) is replaced too. */
	metrics_close();
	FILE *junk = fopen(path, "w");
	assert_non_null(junk);
	fputs("not a segment", junk);
	fclose(junk);
	assert_int_equal(metrics_open(path, METRICS_PROCESS_RESPONDER, METRICS_ROUTE_LAYOUT, error, sizeof(error)), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, (off_t)sizeof(struct metrics_segment));
}

static void an_unusable_path_is_an_error(void **state)
{
	char error[256] = "";
	(void)state;
	assert_int_equal(metrics_open("/nonexistent-dir/metrics", METRICS_PROCESS_RESPONDER, METRICS_ROUTE_LAYOUT,
				      error, sizeof(error)), -1);
	assert_non_null(strstr(error, "/nonexistent-dir/metrics"));
	assert_null(metrics_segment());
}

static void route_labels_follow_the_endpoint_rows(void **state)
{
	(void)state;
	assert_string_equal(metrics_route_label(ENDPOINT_GET_HEARTBEAT), "get_heartbeat");
	assert_string_equal(metrics_route_label(ENDPOINT_CHANGE_PASSWORD), "change_password");
	assert_string_equal(metrics_route_label(METRICS_ROUTE_UNMATCHED), "unmatched");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counting_without_a_segment_is_a_no_op),
		cmocka_unit_test_setup_teardown(two_processes_count_into_one_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(worker_histograms_and_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(another_layout_is_replaced, setup, teardown),
		cmocka_unit_test(an_unusable_path_is_an_error),
		cmocka_unit_test(route_labels_follow_the_endpoint_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
