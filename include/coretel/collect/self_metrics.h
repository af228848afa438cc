// self_metrics.h: coretel's own telemetry, declared as metric sets like any other.
//
// ReporterMetrics is owned by each Reporter (one per engine core), CollectorMetrics by each
// Collector thread, AdminMetrics by the admin server. They travel through the same rings and are
// exported beside the engine's series, so deferrals, drops and lag are visible where users look.
#pragma once

#include <cstdint>

#include "coretel/metrics/instruments.h"
#include "coretel/metrics/metric_set.h"

namespace coretel {

struct CORETEL_METRIC_SET_STRUCT(ReporterMetrics) {
  Counter<uint64_t> snapshots_sent;
  Counter<uint64_t> fields_sent;
  Counter<uint64_t> deferrals;
  Gauge<uint64_t> ring_high_water;
  Gauge<uint64_t> ring_capacity;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    ReporterMetrics, "coretel.reporter", "Snapshots one engine thread sends to its collector.",
    CORETEL_FIELD(snapshots_sent, "coretel.reporter.snapshots", "{snapshot}",
                  "Snapshot messages pushed into the ring."),
    CORETEL_FIELD(fields_sent, "coretel.reporter.fields", "{field}",
                  "Changed fields carried by those snapshots."),
    CORETEL_FIELD(deferrals, "coretel.reporter.deferrals", "{snapshot}",
                  "Snapshots that did not fit in a full ring. Nothing is lost: the set keeps "
                  "accumulating and is sent at a later report; a steady rate means the collector "
                  "is too slow or the ring too small."),
    CORETEL_FIELD(ring_high_water, "coretel.reporter.ring.high_water", "{word}",
                  "Most 64-bit words ever waiting in the ring at once; near capacity means "
                  "deferrals are close."),
    CORETEL_FIELD(ring_capacity, "coretel.reporter.ring.capacity", "{word}",
                  "Capacity of the ring in 64-bit words."));

struct CORETEL_METRIC_SET_STRUCT(CollectorMetrics) {
  Counter<uint64_t> snapshots_received;
  Counter<uint64_t> fields_received;
  Counter<uint64_t> terminal_snapshots;
  Counter<uint64_t> unknown_series;
  Mmsc lag;
  Counter<uint64_t> views_published;
  Gauge<uint64_t> series;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    CollectorMetrics, "coretel.collector", "One collector (per NUMA node) draining its rings.",
    CORETEL_FIELD(snapshots_received, "coretel.collector.snapshots", "{snapshot}",
                  "Snapshot messages drained from the rings and merged."),
    CORETEL_FIELD(fields_received, "coretel.collector.fields", "{field}",
                  "Fields merged from those snapshots."),
    CORETEL_FIELD(terminal_snapshots, "coretel.collector.terminal_snapshots", "{snapshot}",
                  "Last values of unregistered series merged."),
    CORETEL_FIELD(unknown_series, "coretel.collector.unknown_series", "{snapshot}",
                  "Snapshots naming a series this collector does not know (dropped); should stay "
                  "zero."),
    CORETEL_FIELD(lag, "coretel.collector.lag", "s",
                  "Time from a snapshot's timestamp to its merge: how stale published values are "
                  "beyond the report interval."),
    CORETEL_FIELD(views_published, "coretel.collector.views_published", "{view}",
                  "Immutable views published for scrapes."),
    CORETEL_FIELD(series, "coretel.collector.series", "{series}",
                  "Series this collector accumulates."));

struct CORETEL_METRIC_SET_STRUCT(AdminMetrics) {
  Counter<uint64_t> requests;
  Counter<uint64_t> scrapes;
  Mmsc scrape_duration;
  Counter<uint64_t> scrape_bytes;
  Counter<uint64_t> rejected_requests;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    AdminMetrics, "coretel.admin", "The admin HTTP endpoint.",
    CORETEL_FIELD(requests, "coretel.admin.requests", "{request}", "HTTP requests served."),
    CORETEL_FIELD(scrapes, "coretel.admin.scrapes", "{scrape}",
                  "Prometheus scrapes of /metrics served."),
    CORETEL_FIELD(scrape_duration, "coretel.admin.scrape.duration", "s",
                  "Time to render one /metrics response."),
    CORETEL_FIELD(scrape_bytes, "coretel.admin.scrape.size", "By", "Bytes of /metrics responses."),
    CORETEL_FIELD(rejected_requests, "coretel.admin.rejected_requests", "{request}",
                  "Requests answered with a 4xx (bad path, method, token or request)."));

}  // namespace coretel
