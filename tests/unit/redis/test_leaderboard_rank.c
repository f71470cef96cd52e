/* SPDX-License-Identifier: ISC */
/* test_leaderboard_rank.c — member encoding order, competition ranks with
 * ties. The around-window runs in Redis: test_leaderboard_script.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "redis/leaderboard.h"

static void members_sort_by_score_then_id(void **state)
{
	(void)state;
	char high[LEADERBOARD_MEMBER_MAX], low[LEADERBOARD_MEMBER_MAX];
	char tie_first[LEADERBOARD_MEMBER_MAX], tie_second[LEADERBOARD_MEMBER_MAX];
	assert_int_equal(leaderboard_member_encode(5120, 7, "zed", high, sizeof(high)), 0);
	assert_int_equal(leaderboard_member_encode(900, 3, "amy", tie_first, sizeof(tie_first)), 0);
	assert_int_equal(leaderboard_member_encode(900, 9, "bob", tie_second, sizeof(tie_second)), 0);
	assert_int_equal(leaderboard_member_encode(0, 1, "a", low, sizeof(low)), 0);
	assert_true(strcmp(high, tie_first) < 0);
	assert_true(strcmp(tie_first, tie_second) < 0);
	assert_true(strcmp(tie_second, low) < 0);
	/* a larger id with a name sorting first still comes after a smaller id */
	char other[LEADERBOARD_MEMBER_MAX];
	assert_int_equal(leaderboard_member_encode(900, 10, "AAA", other, sizeof(other)), 0);
	assert_true(strcmp(tie_second, other) < 0);
}

static void members_round_trip(void **state)
{
	(void)state;
	char member[LEADERBOARD_MEMBER_MAX];
	struct leaderboard_entry entry;
	const char *name = "\xc3\xa9l\xc3\xa8ve:x";	/* UTF-8, and a ':' never confuses decoding */
	assert_int_equal(leaderboard_member_encode(123456789012LL, 42, name, member, sizeof(member)), 0);
	assert_int_equal(leaderboard_member_decode(member, strlen(member), &entry), 0);
	assert_int_equal(entry.score, 123456789012LL);
	assert_int_equal(entry.player_id, 42);
	assert_string_equal(entry.name, name);
	assert_int_equal(leaderboard_member_decode("garbage", 7, &entry), -1);
	assert_int_equal(leaderboard_member_encode(-1, 1, "x", member, sizeof(member)), -1);
	assert_int_equal(leaderboard_member_encode(1, 0, "x", member, sizeof(member)), -1);
	assert_int_equal(leaderboard_member_encode(1, 1, "x", member, 10), -1);
}

static void set_scores(struct leaderboard_page *page, int64_t offset, const int64_t *scores, size_t count)
{
	memset(page, 0, sizeof(*page));
	page->offset = offset;
	page->count = count;
	for (size_t i = 0; i < count; i++) {
		page->entries[i].score = scores[i];
		page->entries[i].player_id = (int64_t)i + 1;
	}
}

static void ties_share_a_rank(void **state)
{
	(void)state;
	struct leaderboard_page page;
	const int64_t scores[] = {5120, 900, 900, 10, 10, 10, 0};
	const int64_t ranks[] = {1, 2, 2, 4, 4, 4, 7};
	set_scores(&page, 0, scores, 7);
	leaderboard_assign_ranks(&page, 1);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(page.entries[i].rank, ranks[i]);
}

static void a_page_starting_inside_a_tie_uses_the_first_rank(void **state)
{
	(void)state;
	struct leaderboard_page page;
	/* the board is 50, 40, 40, 40, 30: page from offset 2 */
	const int64_t scores[] = {40, 40, 30};
	set_scores(&page, 2, scores, 3);
	leaderboard_assign_ranks(&page, 2);	/* 1 + one strictly higher score */
	assert_int_equal(page.entries[0].rank, 2);
	assert_int_equal(page.entries[1].rank, 2);
	assert_int_equal(page.entries[2].rank, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(members_sort_by_score_then_id),
		cmocka_unit_test(members_round_trip),
		cmocka_unit_test(ties_share_a_rank),
		cmocka_unit_test(a_page_starting_inside_a_tie_uses_the_first_rank),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
