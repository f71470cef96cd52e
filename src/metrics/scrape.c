/* SPDX-License-Identifier: ISC */
/* scrape.c — assembles one scrape. A dependency that does not answer leaves
 * its families out (queue depth) or says so (nginx_up 0); the segment's
 * counters are always there, since they are this host's memory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "metrics/exposition.h"
#include "metrics/nginx_status.h"
#include "metrics/routes.h"
#include "metrics/scrape.h"
#include "redis/battle_queue.h"
#include "util/log.h"

#define NGINX_STATUS_TIMEOUT_MS 500

static void queue_depth(FILE *out, struct app *app)
{
	int64_t queued = 0, processing = 0;
	if (battle_queue_depth(&app->redis, &queued, &processing) != REDIS_LINK_OK)
		return;
	exposition_family(out, "platform_test_battle_queue_depth", "gauge",
			  "Battle ids in Redis: waiting in the queue, or taken by the worker and not yet acknowledged.");
	exposition_sample(out, "platform_test_battle_queue_depth", "list=\"queued\"", (double)queued);
	exposition_sample(out, "platform_test_battle_queue_depth", "list=\"processing\"", (double)processing);
}

static void nginx_figures(FILE *out, const char *url)
{
	struct nginx_status status;
	char error[256];
	if (url && nginx_status_fetch(url, NGINX_STATUS_TIMEOUT_MS, &status, error, sizeof(error)) == 0) {
		nginx_status_render(out, &status);
		return;
	}
	if (url)
		log_error("metrics: nginx status not read: %s", error);
	nginx_status_render(out, NULL);
}

int metrics_scrape(struct app *app, const char *nginx_status_url, char **text, size_t *length)
{
	const struct metrics_segment *segment = metrics_segment();
	const char *labels[METRICS_ROUTE_COUNT];
	FILE *out;
	*text = NULL;
	*length = 0;
	if (!segment)
		return -1;
	out = open_memstream(text, length);
	if (!out)
		return -1;
	for (size_t slot = 0; slot < METRICS_ROUTE_COUNT; slot++)
		labels[slot] = metrics_route_label(slot);
	exposition_segment(out, segment, labels, METRICS_ROUTE_COUNT);
	queue_depth(out, app);
	nginx_figures(out, nginx_status_url);
	if (fclose(out) != 0) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}
