/*
 * metrics — counters for GET /metrics in Prometheus text format.
 *
 * Lock-free: each worker adds to atomic counters; a scrape reads them.
 * Recorded per request: the status code, the latency (histogram) and the
 * time spent in the database.
 */
#ifndef KEFU_HTTP_METRICS_H
#define KEFU_HTTP_METRICS_H

#include <stdint.h>

#include "core/buf.h"

void metrics_request(unsigned status, int64_t total_ns, int64_t db_ns);
int metrics_render(struct buf *out);

#endif
