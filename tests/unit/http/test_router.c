/* SPDX-License-Identifier: ISC */
/* test_router.c — the route table: exact raw-path matching, ids, 404 vs 405 and Allow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/router.h"

static void expect_endpoint(const char *method, const char *path, enum endpoint endpoint, int64_t id)
{
	struct route_match match;
	assert_int_equal(router_match(http_method_parse(method), path, &match), ROUTER_FOUND);
	assert_int_equal(match.endpoint, endpoint);
	assert_int_equal(match.id, id);
}

static void expect_result(const char *method, const char *path, enum router_result expected)
{
	struct route_match match;
	assert_int_equal(router_match(http_method_parse(method), path, &match), expected);
}

static void every_endpoint_is_reachable(void **state)
{
	(void)state;
	expect_endpoint("GET", "/heartbeat", ENDPOINT_GET_HEARTBEAT, 0);
	expect_endpoint("POST", "/players", ENDPOINT_CREATE_PLAYER, 0);
	expect_endpoint("GET", "/players/1", ENDPOINT_GET_PLAYER, 1);
	expect_endpoint("GET", "/players/123456789012345678", ENDPOINT_GET_PLAYER, 123456789012345678LL);
	expect_endpoint("GET", "/players/42/battles", ENDPOINT_LIST_PLAYER_BATTLES, 42);
	expect_endpoint("POST", "/sessions", ENDPOINT_CREATE_SESSION, 0);
	expect_endpoint("POST", "/battles", ENDPOINT_SUBMIT_BATTLE, 0);
	expect_endpoint("GET", "/battles/7", ENDPOINT_GET_BATTLE, 7);
	expect_endpoint("GET", "/leaderboard", ENDPOINT_GET_LEADERBOARD, 0);
	expect_endpoint("DELETE", "/sessions/current", ENDPOINT_END_SESSION, 0);
	expect_endpoint("DELETE", "/players/9/sessions", ENDPOINT_END_PLAYER_SESSIONS, 9);
	expect_endpoint("PUT", "/players/12/password", ENDPOINT_CHANGE_PASSWORD, 12);
}

static void unknown_paths_are_not_found(void **state)
{
	(void)state;
	const char *paths[] = {
		"", "/", "/nope", "/heartbeat/", "/heartbeats", "//players", "/players/", "/players/0",
		"/players/-1", "/players/01", "/players/1e3", "/players/1%00", "/players/1/../1",
		"/players/99999999999999999999", "/players/1/battles/", "/players/1/battle", "/Players",
		"/battles/abc", "/leaderboard/1", "/players/1234567890123456789",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		expect_result("GET", paths[i], ROUTER_NOT_FOUND);
	expect_result("DELETE", "/nope", ROUTER_NOT_FOUND);
	expect_result("GET", NULL, ROUTER_NOT_FOUND);
}

static void wrong_methods_are_405_with_allow(void **state)
{
	(void)state;
	struct route_match match;
	assert_int_equal(router_match(http_method_parse("DELETE"), "/heartbeat", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "GET");
	assert_int_equal(router_match(http_method_parse("GET"), "/players", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "POST");
	assert_int_equal(router_match(http_method_parse("POST"), "/players/3", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "GET");
	assert_int_equal(router_match(http_method_parse("PUT"), "/battles", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "POST");
	assert_int_equal(router_match(http_method_parse("HEAD"), "/leaderboard", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(router_match(http_method_parse("get"), "/leaderboard", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(router_match(http_method_parse(NULL), "/sessions", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "POST");
	assert_int_equal(router_match(http_method_parse("GET"), "/sessions/current", &match), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "DELETE");
	assert_int_equal(router_match(http_method_parse("POST"), "/players/3/password", &match),
			 ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(match.allow, "PUT");
}

static void auth_policies_follow_the_contract(void **state)
{
	(void)state;
	assert_int_equal(endpoint_table[ENDPOINT_GET_HEARTBEAT].policy, AUTH_POLICY_PUBLIC);
	assert_int_equal(endpoint_table[ENDPOINT_CREATE_PLAYER].policy, AUTH_POLICY_ADMIN);
	assert_int_equal(endpoint_table[ENDPOINT_CREATE_SESSION].policy, AUTH_POLICY_PLAYER_BASIC);
	assert_int_equal(endpoint_table[ENDPOINT_END_SESSION].policy, AUTH_POLICY_PLAYER_BEARER);
	for (int e = ENDPOINT_GET_PLAYER; e < ENDPOINT__COUNT; e++) {
		if (e == ENDPOINT_CREATE_SESSION || e == ENDPOINT_END_SESSION)
			continue;
		assert_int_equal(endpoint_table[e].policy, AUTH_POLICY_ADMIN_OR_PLAYER);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_endpoint_is_reachable),
		cmocka_unit_test(unknown_paths_are_not_found),
		cmocka_unit_test(wrong_methods_are_405_with_allow),
		cmocka_unit_test(auth_policies_follow_the_contract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
