/* SPDX-License-Identifier: ISC */
/* exposition.h — Prometheus' text format (exposition format 0.0.4): each
 * family once, its HELP and TYPE lines first, histograms as cumulative
 * _bucket{le} series ending in +Inf, then _sum and _count. Pure: it writes
 * what it is given to a stream. */
#ifndef PT_EXPOSITION_H
#define PT_EXPOSITION_H

#include <stddef.h>
#include <stdio.h>

#include "metrics/metrics.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The family's "# HELP" and "# TYPE" lines. */
void exposition_family(FILE *out, const char *name, const char *type, const char *help);
/* One sample: name{labels} value; labels is "" or 'key="value",...' without braces. */
void exposition_sample(FILE *out, const char *name, const char *labels, double value);

/* Everything the segment holds: the responders' requests and durations (by
 * route label: route_labels[slot] for slot < route_count), the per-process
 * counters, the worker's counters and histograms. */
void exposition_segment(FILE *out, const struct metrics_segment *segment, const char *const *route_labels,
			size_t route_count);

#endif
