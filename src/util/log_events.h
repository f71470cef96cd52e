/* SPDX-License-Identifier: ISC */
/* log_events.h — the events an operator looks for, one row each:
 *   X(NAME, MESSAGE_ID, priority)
 * Under systemd each is sent to the journal with its MESSAGE_ID (a fixed
 * 128-bit id, as systemd's catalog uses: `journalctl MESSAGE_ID=...` finds
 * every such event whatever its text) and its fields; elsewhere it is the
 * usual one stderr line. An id is never changed or reused: a new kind of
 * event gets a new id (`systemd-id128 new`). Priorities are syslog's. */
#ifndef PT_LOG_EVENTS_H
#define PT_LOG_EVENTS_H

#define PT_LOG_EVENTS(X) \
	X(AUTH_FAILURE, "28cb3c729bd446a8afd5ccb1434d120a", 6) \
	X(REQUEST_UNAVAILABLE, "c3f4742888e94022900b6d13d0b2fd2a", 3) \
	X(REDIS_FAULT, "6df1b0058a7a4d8d89b897159ecdfcfd", 3) \
	X(STORE_FAULT, "db59869e5d7a466ea5b88b46afffa39a", 3) \
	X(BATCH_FAILED, "f98d6679da1b41fda9eb6181a2b6a1f9", 3) \
	X(BATCH_UNACKNOWLEDGED, "912185577a4542deafbd08179d1c4d1c", 3) \
	X(LEADERBOARD_REBUILT, "49612dfdd6284618b529457ea4d50786", 6) \
	X(WORKER_STARTED, "2a5bcdfb193f44909202a6e225882d4b", 6) \
	X(WORKER_STOPPED, "89f66efa510c40e2b3b6a24b305a3694", 6)

#define PT_LOG_EVENT_ENUM(name, id, priority) LOG_EVENT_##name,
enum log_event {
	PT_LOG_EVENTS(PT_LOG_EVENT_ENUM)
	LOG_EVENT__COUNT
};
#undef PT_LOG_EVENT_ENUM

#endif
