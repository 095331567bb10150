/* metrics.h — request counters and latency histograms of this process, and
 * GET /api/v1/metrics (admin) in the Prometheus text exposition format. */
#ifndef TRIPOD_METRICS_H
#define TRIPOD_METRICS_H

#include "api/api.h"

/* Counts one answered request: METHOD and ROUTE (a route pattern such as
 * "/api/v1/bookings/{id}", or a fixed label like "page"; a static string,
 * kept by pointer) answered STATUS after MS milliseconds.
 * Thread-safe; never fails (series beyond a fixed bound are counted apart). */
void metrics_request(const char *method, const char *route, int status, double ms);

/* GET /api/v1/metrics. */
extern const api_route api_routes_metrics[];

#endif
