/* SPDX-License-Identifier: ISC */
/* exposition.c — renders the metrics segment in Prometheus' text format.
 * Values are read with relaxed atomic loads while processes keep counting;
 * a histogram's buckets are read once and its _count is their sum, so every
 * rendered histogram is self-consistent (cumulative, +Inf == _count). */
#include "config.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>

#include "metrics/exposition.h"

#define REQUESTS_METRIC "platform_test_http_requests_total"

static uint64_t load(const _Atomic uint64_t *value)
{
	return atomic_load_explicit(value, memory_order_relaxed);
}

void exposition_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void exposition_sample(FILE *out, const char *name, const char *labels, double value)
{
	if (labels && *labels)
		fprintf(out, "%s{%s} %.17g\n", name, labels, value);
	else
		fprintf(out, "%s %.17g\n", name, value);
}

static void counter_sample(FILE *out, const char *name, const char *labels, uint64_t value)
{
	if (labels && *labels)
		fprintf(out, "%s{%s} %" PRIu64 "\n", name, labels, value);
	else
		fprintf(out, "%s %" PRIu64 "\n", name, value);
}

/* One histogram's series; labels ("" or 'key="value"') go before le. */
static void histogram_series(FILE *out, const struct metrics_histogram_spec *spec,
			     const struct metrics_histogram *histogram, const char *labels)
{
	uint64_t buckets[METRICS_BUCKETS_MAX];
	uint64_t cumulative = 0;
	const char *comma = *labels ? "," : "";
	for (size_t b = 0; b <= spec->bound_count; b++)
		buckets[b] = load(&histogram->buckets[b]);
	for (size_t b = 0; b <= spec->bound_count; b++) {
		cumulative += buckets[b];
		if (b < spec->bound_count)
			fprintf(out, "%s_bucket{%s%sle=\"%.9g\"} %" PRIu64 "\n", spec->name, labels, comma,
				(double)spec->bounds[b] * spec->scale, cumulative);
		else
			fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", spec->name, labels, comma, cumulative);
	}
	/* A sum in a base unit of its own (battles) stays an integer. */
	if (spec->scale == 1.0)
		fprintf(out, *labels ? "%s_sum{%s} %" PRIu64 "\n" : "%s_sum%s %" PRIu64 "\n", spec->name, labels,
			load(&histogram->sum));
	else
		fprintf(out, *labels ? "%s_sum{%s} %.9f\n" : "%s_sum%s %.9f\n", spec->name, labels,
			(double)load(&histogram->sum) * spec->scale);
	fprintf(out, *labels ? "%s_count{%s} %" PRIu64 "\n" : "%s_count%s %" PRIu64 "\n", spec->name, labels,
		cumulative);
}

static uint64_t route_total(const struct metrics_segment *segment, size_t slot)
{
	uint64_t total = 0;
	for (size_t b = 0; b < METRICS_BUCKETS_MAX; b++)
		total += load(&segment->request_duration[slot].buckets[b]);
	return total;
}

/* Series of routes that have answered nothing yet are left out: a dozen
 * routes by seventeen statuses would be mostly zeros. */
static void requests(FILE *out, const struct metrics_segment *segment, const char *const *route_labels,
		     size_t route_count)
{
	char labels[128];
	exposition_family(out, REQUESTS_METRIC, "counter",
			  "Requests the responders answered, by route (endpoint, or unmatched) and status code.");
	for (size_t slot = 0; slot < route_count; slot++)
		for (size_t s = 0; s < METRICS_STATUS_SLOTS; s++) {
			uint64_t value = load(&segment->requests[slot][s]);
			if (value == 0)
				continue;
			if (s < METRICS_STATUS_SLOTS - 1)
				snprintf(labels, sizeof(labels), "route=\"%s\",code=\"%d\"", route_labels[slot],
					 metrics_statuses[s]);
			else
				snprintf(labels, sizeof(labels), "route=\"%s\",code=\"other\"", route_labels[slot]);
			counter_sample(out, REQUESTS_METRIC, labels, value);
		}
	exposition_family(out, metrics_duration_spec.name, "histogram", metrics_duration_spec.help);
	for (size_t slot = 0; slot < route_count; slot++) {
		if (route_total(segment, slot) == 0)
			continue;
		snprintf(labels, sizeof(labels), "route=\"%s\"", route_labels[slot]);
		histogram_series(out, &metrics_duration_spec, &segment->request_duration[slot], labels);
	}
}

#define PT_EXPOSITION_COUNTER_ROW(name, metric, help) {metric, help},
static const struct {
	const char *name, *help;
} process_counters[METRICS_COUNTER__COUNT] = {PT_METRICS_PROCESS_COUNTERS(PT_EXPOSITION_COUNTER_ROW)},
  worker_counters[METRICS_WORKER_COUNTER__COUNT] = {PT_METRICS_WORKER_COUNTERS(PT_EXPOSITION_COUNTER_ROW)};
#undef PT_EXPOSITION_COUNTER_ROW

void exposition_segment(FILE *out, const struct metrics_segment *segment, const char *const *route_labels,
			size_t route_count)
{
	char labels[64];
	requests(out, segment, route_labels, route_count);
	for (size_t c = 0; c < METRICS_COUNTER__COUNT; c++) {
		exposition_family(out, process_counters[c].name, "counter", process_counters[c].help);
		for (size_t p = 0; p < METRICS_PROCESS__COUNT; p++) {
			snprintf(labels, sizeof(labels), "process=\"%s\"", metrics_process_label((enum metrics_process)p));
			counter_sample(out, process_counters[c].name, labels, load(&segment->counters[p][c]));
		}
	}
	for (size_t c = 0; c < METRICS_WORKER_COUNTER__COUNT; c++) {
		exposition_family(out, worker_counters[c].name, "counter", worker_counters[c].help);
		counter_sample(out, worker_counters[c].name, "", load(&segment->worker_counters[c]));
	}
	for (size_t h = 0; h < METRICS_HISTOGRAM__COUNT; h++) {
		const struct metrics_histogram_spec *spec = &metrics_histogram_specs[h];
		exposition_family(out, spec->name, "histogram", spec->help);
		histogram_series(out, spec, &segment->histograms[h], "");
	}
}
