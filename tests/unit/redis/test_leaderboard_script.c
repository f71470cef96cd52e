/* SPDX-License-Identifier: ISC */
/* test_leaderboard_script.c — the leaderboard's Lua scripts as they run, on
 * a real redis-server started in a temporary directory and stopped by pid:
 * the contract's around-window, max(0, min(i − ⌊n/2⌋, total − n)), ranks
 * with ties, monotonic updates, the first page's transaction against the
 * script, and the damage a read sees. Skips (77) when
 * redis-server is missing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/settings.h"
#include "redis/leaderboard.h"
#include "util/clock.h"

static char directory[] = "/tmp/pt-leaderboard-test-XXXXXX";
static char socket_path[128];
static pid_t server;
static struct settings settings;
static struct redis_link board;

static int start_redis(void)
{
	if (!mkdtemp(directory))
		return -1;
	snprintf(socket_path, sizeof(socket_path), "%s/redis.sock", directory);
	server = fork();
	if (server < 0)
		return -1;
	if (server == 0) {
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", socket_path, "--save", "",
		       "--appendonly", "no", "--dir", directory, "--loglevel", "warning", (char *)NULL);
		_exit(127);
	}
	settings.redis_socket = socket_path;
	settings.redis_timeout_ms = 2000;
	redis_link_init(&board, &settings);
	for (int tries = 0; tries < 100; tries++) {
		struct stat info;
		if (stat(socket_path, &info) == 0 && redis_link_ensure(&board) == REDIS_LINK_OK)
			return 0;
		clock_sleep_ms(50);
	}
	return -1;
}

static void stop_redis(void)
{
	redis_link_close(&board);
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	unlink(socket_path);
	rmdir(directory);
}

static void expect_reply(redisReply *reply)
{
	assert_non_null(reply);
	freeReplyObject(reply);
}

static void flush(void)
{
	expect_reply(redis_link_command(&board, "FLUSHALL"));
}

static void mark_built(void)
{
	expect_reply(redis_link_command(&board, "SET %s 1", LEADERBOARD_BUILT_KEY));
}

/* total players with distinct scores: position i holds player i + 1. */
static void fill_board(int64_t total)
{
	char name[24];
	flush();
	for (int64_t i = 0; i < total; i++) {
		snprintf(name, sizeof(name), "p%lld", (long long)i + 1);
		assert_int_equal(leaderboard_set_score(&board, i + 1, name, 10 * (total - i), 0), LEADERBOARD_OK);
	}
	mark_built();
}

static int64_t around_offset(int64_t position, int64_t limit)
{
	struct leaderboard_page page;
	assert_int_equal(leaderboard_read_around(&board, position + 1, limit, &page), LEADERBOARD_OK);
	/* The window holds the player, where the offset says. */
	assert_true(position >= page.offset && position < page.offset + (int64_t)page.count);
	assert_int_equal(page.entries[position - page.offset].player_id, position + 1);
	return page.offset;
}

static void around_window_stays_full_at_both_ends(void **state)
{
	(void)state;
	fill_board(100);
	assert_int_equal(around_offset(0, 10), 0);
	assert_int_equal(around_offset(99, 10), 90);
	assert_int_equal(around_offset(50, 10), 45);
	assert_int_equal(around_offset(50, 11), 45);
	assert_int_equal(around_offset(95, 10), 90);
	for (int64_t i = 0; i < 100; i++) {
		int64_t offset = around_offset(i, 10);
		assert_true(offset <= i && i < offset + 10);
		assert_true(offset >= 0 && offset + 10 <= 100);
	}
	fill_board(5);
	assert_int_equal(around_offset(3, 10), 0);
	fill_board(1);
	assert_int_equal(around_offset(0, 1), 0);
}

static void pages_rank_ties_and_ignore_lower_scores(void **state)
{
	(void)state;
	struct leaderboard_page page;
	flush();
	const int64_t scores[] = {50, 70, 70, 10, 70};
	for (int64_t i = 0; i < 5; i++)
		assert_int_equal(leaderboard_set_score(&board, i + 1, "x", scores[i], 0), LEADERBOARD_OK);
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &page), LEADERBOARD_NOT_BUILT);
	mark_built();
	/* A lower score never moves a player back; a higher one replaces it. */
	assert_int_equal(leaderboard_set_score(&board, 4, "x", 5, 0), LEADERBOARD_OK);
	assert_int_equal(leaderboard_set_score(&board, 1, "x", 60, 0), LEADERBOARD_OK);
	assert_int_equal(leaderboard_read_page(&board, 1, 10, &page), LEADERBOARD_OK);
	assert_int_equal(page.total, 5);
	assert_int_equal(page.count, 4);
	/* 70 70 70 60 10: the page from offset 1 starts inside the tie at rank 1. */
	const int64_t ids[] = {3, 5, 1, 4}, ranks[] = {1, 1, 4, 5}, expected_scores[] = {70, 70, 60, 10};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(page.entries[i].player_id, ids[i]);
		assert_int_equal(page.entries[i].rank, ranks[i]);
		assert_int_equal(page.entries[i].score, expected_scores[i]);
	}
	assert_int_equal(leaderboard_read_around(&board, 99, 3, &page), LEADERBOARD_NOT_FOUND);
}

/* The first page is read by a transaction of plain commands, every other
 * page by the script: at offset 0 both give the same page (the script's
 * through around= of the first player), ties and ranks included; a key of
 * the wrong type is an error that leaves the link usable. */
static void first_page_reads_as_the_script_does(void **state)
{
	(void)state;
	struct leaderboard_page first, scripted;
	flush();
	mark_built();
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &first), LEADERBOARD_OK);
	assert_int_equal(first.total, 0);
	assert_int_equal(first.count, 0);
	const int64_t scores[] = {70, 50, 70, 70, 10, 50};
	for (int64_t i = 0; i < 6; i++)
		assert_int_equal(leaderboard_set_score(&board, i + 1, "x", scores[i], 0), LEADERBOARD_OK);
	for (int64_t limit = 1; limit <= 7; limit++) {
		assert_int_equal(leaderboard_read_page(&board, 0, limit, &first), LEADERBOARD_OK);
		/* Player 1 leads (70, the smallest id of the tie): around= it starts at 0. */
		assert_int_equal(leaderboard_read_around(&board, 1, limit, &scripted), LEADERBOARD_OK);
		assert_int_equal(scripted.offset, 0);
		assert_int_equal(first.total, 6);
		assert_int_equal(first.offset, 0);
		assert_int_equal(first.count, scripted.count);
		assert_int_equal(first.count, limit < 6 ? limit : 6);
		for (size_t i = 0; i < first.count; i++) {
			assert_int_equal(first.entries[i].player_id, scripted.entries[i].player_id);
			assert_int_equal(first.entries[i].rank, scripted.entries[i].rank);
			assert_int_equal(first.entries[i].score, scripted.entries[i].score);
			assert_string_equal(first.entries[i].name, scripted.entries[i].name);
		}
	}
	/* 70 70 70 50 50 10: ranks 1 1 1 4 4 6. */
	const int64_t ranks[] = {1, 1, 1, 4, 4, 6}, ids[] = {1, 3, 4, 2, 6, 5};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(first.entries[i].rank, ranks[i]);
		assert_int_equal(first.entries[i].player_id, ids[i]);
	}
	expect_reply(redis_link_command(&board, "DEL %s", LEADERBOARD_BUILT_KEY));
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &first), LEADERBOARD_NOT_BUILT);
	flush();
	mark_built();
	expect_reply(redis_link_command(&board, "SET %s not-a-set", LEADERBOARD_KEY));
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &first), LEADERBOARD_UNAVAILABLE);
	assert_non_null(strstr(board.error, "WRONGTYPE"));
	expect_reply(redis_link_command(&board, "PING"));
}

/* Damage a read sees: the set and the hash disagreeing, a member that does
 * not decode, a player whose member left the set. Each says what it found,
 * and a set-score puts a lost member back. */
static void reads_see_damage(void **state)
{
	(void)state;
	struct leaderboard_page page;
	struct leaderboard_census census;
	flush();
	for (int64_t i = 0; i < 3; i++)
		assert_int_equal(leaderboard_set_score(&board, i + 1, "x", 10 * (i + 1), 0), LEADERBOARD_OK);
	mark_built();
	assert_int_equal(leaderboard_census(&board, &census), LEADERBOARD_OK);
	assert_true(census.built);
	assert_int_equal(census.members, 3);
	assert_int_equal(census.entries, 3);
	expect_reply(redis_link_command(&board, "HDEL %s 2", LEADERBOARD_MEMBERS_KEY));
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &page), LEADERBOARD_DAMAGED);
	assert_non_null(strstr(board.error, "the set holds 3 members, the members hash 2"));
	assert_int_equal(leaderboard_read_around(&board, 2, 3, &page), LEADERBOARD_NOT_FOUND);
	assert_non_null(strstr(board.error, "no entry in the members hash"));
	/* The member of player 3 (score 30) leaves the set; its hash entry stays. */
	assert_int_equal(leaderboard_reset(&board), LEADERBOARD_OK);
	for (int64_t i = 0; i < 3; i++)
		assert_int_equal(leaderboard_set_score(&board, i + 1, "x", 10 * (i + 1), 0), LEADERBOARD_OK);
	mark_built();
	expect_reply(redis_link_command(&board, "ZREMRANGEBYRANK %s 0 0", LEADERBOARD_KEY));
	assert_int_equal(leaderboard_read_around(&board, 3, 3, &page), LEADERBOARD_NOT_FOUND);
	assert_non_null(strstr(board.error, "its member is missing from the set"));
	assert_int_equal(leaderboard_set_score(&board, 3, "x", 30, 0), LEADERBOARD_OK);
	assert_int_equal(leaderboard_read_around(&board, 3, 3, &page), LEADERBOARD_OK);
	assert_int_equal(page.entries[0].player_id, 3);
	expect_reply(redis_link_command(&board, "ZADD %s 0 garbage", LEADERBOARD_KEY));
	expect_reply(redis_link_command(&board, "HSET %s 9 garbage", LEADERBOARD_MEMBERS_KEY));
	assert_int_equal(leaderboard_read_page(&board, 0, 10, &page), LEADERBOARD_DAMAGED);
	assert_non_null(strstr(board.error, "the member at position 3 does not decode"));
}

/* The scores pipeline sends players LEADERBOARD_SCORES_PER_RUN at a time in
 * one script run: more than two runs' worth, with a partial last one, all
 * land with their scores; a lower score sent later is ignored as by the
 * single set-score; a deadline already past changes nothing and fails. */
static void scores_pipeline_sets_every_player(void **state)
{
	(void)state;
	struct leaderboard_scores scores;
	struct leaderboard_page page;
	const int64_t total = 2 * LEADERBOARD_SCORES_PER_RUN + 7;
	char name[24];
	flush();
	assert_int_equal(leaderboard_scores_begin(&scores, &board), LEADERBOARD_OK);
	for (int64_t i = 0; i < total; i++) {
		snprintf(name, sizeof(name), "p%lld", (long long)i + 1);
		assert_int_equal(leaderboard_scores_add(&scores, i + 1, name, 10 * (total - i)), LEADERBOARD_OK);
	}
	assert_int_equal(leaderboard_scores_finish(&scores), LEADERBOARD_OK);
	mark_built();
	redisReply *count = redis_link_command(&board, "ZCARD %s", LEADERBOARD_KEY);
	assert_non_null(count);
	assert_int_equal(count->integer, total);
	freeReplyObject(count);
	assert_int_equal(leaderboard_read_page(&board, total - 3, 3, &page), LEADERBOARD_OK);
	assert_int_equal(page.count, 3);
	assert_int_equal(page.entries[2].player_id, total);
	assert_int_equal(page.entries[2].score, 10);
	/* Lower than stored: ignored. */
	assert_int_equal(leaderboard_scores_begin(&scores, &board), LEADERBOARD_OK);
	assert_int_equal(leaderboard_scores_add(&scores, 1, "p1", 1), LEADERBOARD_OK);
	assert_int_equal(leaderboard_scores_finish(&scores), LEADERBOARD_OK);
	assert_int_equal(leaderboard_read_page(&board, 0, 1, &page), LEADERBOARD_OK);
	assert_int_equal(page.entries[0].player_id, 1);
	assert_int_equal(page.entries[0].score, 10 * total);
	/* A deadline in the past: refused, nothing written. */
	assert_int_equal(leaderboard_scores_begin(&scores, &board), LEADERBOARD_OK);
	scores.deadline_ms = 1;
	assert_int_equal(leaderboard_scores_add(&scores, total + 1, "late", 999999), LEADERBOARD_OK);
	assert_int_equal(leaderboard_scores_finish(&scores), LEADERBOARD_UNAVAILABLE);
	count = redis_link_command(&board, "ZCARD %s", LEADERBOARD_KEY);
	assert_non_null(count);
	assert_int_equal(count->integer, total);
	freeReplyObject(count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(around_window_stays_full_at_both_ends),
		cmocka_unit_test(pages_rank_ties_and_ignore_lower_scores),
		cmocka_unit_test(first_page_reads_as_the_script_does),
		cmocka_unit_test(reads_see_damage),
		cmocka_unit_test(scores_pipeline_sets_every_player),
	};
	if (system("command -v redis-server >/dev/null 2>&1") != 0) {
		printf("SKIP: redis-server not installed (Debian: redis-server)\n");
		return 77;
	}
	if (start_redis() != 0) {
		fprintf(stderr, "cannot start redis-server in %s\n", directory);
		stop_redis();
		return 1;
	}
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	stop_redis();
	return failed;
}
