/* SPDX-License-Identifier: ISC */
/* test_views.c — the leaderboard page's own serializer against json-c: for
 * the same page it must write, byte for byte, what json-c writes for the
 * tree of objects the contract describes, names that need escaping
 * included, with the flags it is given. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/response.h"
#include "http/views.h"

/* The page as json-c's own objects, the way views.c built it before. */
static json_object *page_as_tree(const struct leaderboard_page *page)
{
	json_object *object = json_object_new_object();
	json_object *entries = json_object_new_array();
	assert_non_null(object);
	assert_non_null(entries);
	json_object_object_add(object, "total", json_object_new_int64(page->total));
	json_object_object_add(object, "offset", json_object_new_int64(page->offset));
	for (size_t i = 0; i < page->count; i++) {
		json_object *item = json_object_new_object();
		assert_non_null(item);
		json_object_object_add(item, "rank", json_object_new_int64(page->entries[i].rank));
		json_object_object_add(item, "player_id", json_object_new_int64(page->entries[i].player_id));
		json_object_object_add(item, "name", json_object_new_string(page->entries[i].name));
		json_object_object_add(item, "score", json_object_new_int64(page->entries[i].score));
		assert_int_equal(json_object_array_add(entries, item), 0);
	}
	json_object_object_add(object, "entries", entries);
	return object;
}

static void expect_as_json_c(const struct leaderboard_page *page)
{
	static const int flag_sets[] = {JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, JSON_C_TO_STRING_PLAIN};
	json_object *view = view_leaderboard(page);
	json_object *tree = page_as_tree(page);
	assert_non_null(view);
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		size_t view_length = 0, tree_length = 0;
		const char *written = json_object_to_json_string_length(view, flag_sets[i], &view_length);
		const char *expected = json_object_to_json_string_length(tree, flag_sets[i], &tree_length);
		assert_non_null(written);
		assert_non_null(expected);
		assert_int_equal(view_length, tree_length);
		assert_string_equal(written, expected);
	}
	json_object_put(tree);
	json_object_put(view);
}

static void set_entry(struct leaderboard_page *page, size_t index, int64_t rank, int64_t id, const char *name,
		      int64_t score)
{
	page->entries[index].rank = rank;
	page->entries[index].player_id = id;
	page->entries[index].score = score;
	snprintf(page->entries[index].name, sizeof(page->entries[index].name), "%s", name);
}

static void pages_are_written_as_json_c_writes_them(void **state)
{
	static struct leaderboard_page page;
	static const char *const names[] = {
		"alice", "quote \" in", "back\\slash", "a/b", "new\nline", "tab\tand\x01\x1f", "\x7f del",
		"caf\xc3\xa9", "\xf0\x9f\x8e\xae game", "",
	};
	(void)state;
	memset(&page, 0, sizeof(page));
	expect_as_json_c(&page);
	page.total = 9223372036854775807LL;
	page.offset = 999999999999999LL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		set_entry(&page, i, (int64_t)i + 1, 1000 + (int64_t)i, names[i], 9223372036854775807LL - (int64_t)i);
	page.count = sizeof(names) / sizeof(names[0]);
	expect_as_json_c(&page);
	for (size_t i = 0; i < LEADERBOARD_PAGE_MAX; i++)
		set_entry(&page, i, 1, (int64_t)i + 1, "tie", 0);
	page.count = LEADERBOARD_PAGE_MAX;
	expect_as_json_c(&page);
}

/* Through the response: the body parses back to the page. */
static void the_response_carries_the_page(void **state)
{
	static struct leaderboard_page page;
	struct response response;
	char *text = NULL;
	size_t length = 0;
	(void)state;
	memset(&page, 0, sizeof(page));
	page.total = 2;
	page.count = 2;
	set_entry(&page, 0, 1, 7, "x\"y", 30);
	set_entry(&page, 1, 2, 3, "z", 20);
	response_init(&response);
	assert_int_equal(response_json(&response, 200, view_leaderboard(&page)), 0);
	assert_int_equal(response_serialize(&response, &text, &length), 0);
	const char *body = strstr(text, "\r\n\r\n");
	assert_non_null(body);
	json_object *parsed = json_tokener_parse(body + 4);
	assert_non_null(parsed);
	json_object *entries = json_object_object_get(parsed, "entries");
	assert_int_equal(json_object_array_length(entries), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(json_object_array_get_idx(entries, 0), "name")),
			    "x\"y");
	assert_int_equal(json_object_get_int64(json_object_object_get(parsed, "total")), 2);
	json_object_put(parsed);
	free(text);
	response_reset(&response);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages_are_written_as_json_c_writes_them),
		cmocka_unit_test(the_response_carries_the_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
