#include "http/metrics.h"

#include <stdatomic.h>

/* Upper bounds of the latency buckets, seconds; the last bucket is +Inf. */
static const double bounds[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static _Atomic uint64_t by_status[600];
static _Atomic uint64_t buckets[NBOUNDS];
static _Atomic uint64_t count, errors;
static _Atomic uint64_t sum_ns, db_ns_total;

void metrics_request(unsigned status, int64_t total_ns, int64_t db_ns)
{
	double s = (double)total_ns / 1e9;

	if (status < 600)
		atomic_fetch_add(&by_status[status], 1);
	if (status >= 500)
		atomic_fetch_add(&errors, 1);
	for (size_t i = 0; i < NBOUNDS; i++)
		if (s <= bounds[i]) {
			atomic_fetch_add(&buckets[i], 1);
			break;
		}
	atomic_fetch_add(&count, 1);
	atomic_fetch_add(&sum_ns, (uint64_t)total_ns);
	atomic_fetch_add(&db_ns_total, (uint64_t)db_ns);
}

int metrics_render(struct buf *o)
{
	uint64_t cum = 0;

	buf_puts(o, "# HELP kefu_http_requests_total HTTP requests answered, by status code.\n"
		    "# TYPE kefu_http_requests_total counter\n");
	for (unsigned i = 100; i < 600; i++) {
		uint64_t n = atomic_load(&by_status[i]);

		if (n)
			buf_printf(o, "kefu_http_requests_total{code=\"%u\"} %llu\n", i,
				   (unsigned long long)n);
	}
	buf_printf(o,
		   "# HELP kefu_http_errors_total Requests answered with a 5xx status.\n"
		   "# TYPE kefu_http_errors_total counter\n"
		   "kefu_http_errors_total %llu\n",
		   (unsigned long long)atomic_load(&errors));
	buf_puts(o, "# HELP kefu_http_request_duration_seconds Time from request to answer.\n"
		    "# TYPE kefu_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < NBOUNDS; i++) {
		cum += atomic_load(&buckets[i]);
		buf_printf(o, "kefu_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			   bounds[i], (unsigned long long)cum);
	}
	buf_printf(o,
		   "kefu_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		   "kefu_http_request_duration_seconds_sum %.6f\n"
		   "kefu_http_request_duration_seconds_count %llu\n",
		   (unsigned long long)atomic_load(&count), (double)atomic_load(&sum_ns) / 1e9,
		   (unsigned long long)atomic_load(&count));
	return buf_printf(o,
			  "# HELP kefu_db_seconds_total Time requests spent in the database.\n"
			  "# TYPE kefu_db_seconds_total counter\n"
			  "kefu_db_seconds_total %.6f\n",
			  (double)atomic_load(&db_ns_total) / 1e9);
}
