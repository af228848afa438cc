// metrics_encoder.h: the OTLP metrics mapping, written as one ExportMetricsServiceRequest in the
// protobuf wire format (opentelemetry-proto: collector/metrics/v1/metrics_service.proto) or in
// OTLP/JSON (the OTLP specification's JSON mapping: lowerCamelCase keys, 64-bit integers as
// decimal strings, enums as integers, non-finite doubles as "NaN", "Infinity", "-Infinity").
//
// COLD PATH (the exporter's thread). The mapping (DESIGN §4, OpenTelemetry metrics data model):
//  * one ResourceMetrics with the Resource's attributes;
//  * one ScopeMetrics per (metric set, entity): scope name = the set's name, scope attributes =
//    the entity attributes (what Prometheus shows as `otel_scope_*` labels), schema_url = the
//    set's registry schema_url;
//  * one Metric per field: name, unit and description (the field's brief) from the descriptor;
//  * one data point per registration and measurement-attribute combination: attributes = the
//    registration attributes, then the measurement attributes;
//  * Counter: monotonic Sum; UpDownCounter and ObserveUpDownCounter: non-monotonic cumulative
//    Sum; ObserveCounter: monotonic cumulative Sum; Gauge: Gauge; Histogram: Histogram with its
//    explicit bounds, bucket counts, sum and count; Mmsc: Summary with sum, count and the
//    quantiles 0 (min) and 1 (max), left out while its count is 0.
//  * u64 values go as `as_int`, except one above 2^63 - 1, which goes as `as_double` (OTLP has no
//    unsigned integer point); i64 as `as_int`; f64 as `as_double`.
// Temporality (metrics/sdk_exporters/otlp.md, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE):
// encode_cumulative() reads published views: every Sum and Histogram is CUMULATIVE from the
// series' registration. encode_delta() reads one consumer's export transaction: Counter, the
// histograms and ObserveCounter (its total minus the total last exported: ObservedTotals) are
// DELTA from the window start; up-down counters keep their cumulative meaning (start = the
// series' registration).
// Strings that are not UTF-8 (attribute keys and values, names) have each ill-formed subsequence
// replaced by U+FFFD (coretel/export/utf8.h): protobuf `string` fields and JSON must be UTF-8.
// Output is appended to `out`; each function returns the number of data points written, and
// writes nothing when that is 0 (the exporter then sends nothing: protocol/exporter.md, no
// empty envelopes). The walk itself is in metric_rows.h. Thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "coretel/collect/collector.h"
#include "coretel/collect/metrics_view.h"
#include "coretel/resource.h"
#include "metric_rows.h"
#include "observed_totals.h"

namespace coretel::otlp {

enum class Encoding : uint8_t { kProtobuf, kJson };

/// A request buffer an exporter keeps across exports. A protobuf encode writes over `storage`
/// without shrinking it (so a steady export does not zero-fill it again) and writes the
/// top-level message's length in front of its body instead of moving the body to fit it;
/// `bytes` then views the request inside `storage` (empty when nothing was written). JSON is
/// written into `storage` as is.
struct RequestBuffer {
  std::string storage;
  std::string_view bytes;
};

/// Every observed combination of every series of `views`, as cumulative points stamped with
/// each view's time.
uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                           Encoding encoding, std::string& out, Scratch& scratch);

/// Every combination of `transaction` (deltas of Counter, Mmsc and histogram fields since the
/// window start, current values of the rest), stamped with the transaction's time. With
/// `totals` (the `delta` preference), ObserveCounter totals go as deltas over it, staged there:
/// commit or roll them back with the transaction; without (`lowmemory`), they stay cumulative.
uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                      Encoding encoding, std::string& out, Scratch& scratch,
                      ObservedTotals* totals);

/// encode_cumulative and encode_delta into a RequestBuffer: the same bytes, as
/// RequestBuffer::bytes (what the exporter uses).
uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                           Encoding encoding, RequestBuffer& out, Scratch& scratch);
uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                      Encoding encoding, RequestBuffer& out, Scratch& scratch,
                      ObservedTotals* totals);

/// The same with working memory of their own and no observed totals (tests; one-off encodes).
inline uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                                  Encoding encoding, std::string& out) {
  Scratch scratch;
  return encode_cumulative(resource, views, encoding, out, scratch);
}
inline uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                             Encoding encoding, std::string& out) {
  Scratch scratch;
  return encode_delta(resource, transaction, encoding, out, scratch, nullptr);
}

/// Writes `rows` as one request; what encode_cumulative/encode_delta call.
uint64_t encode_rows(const Resource& resource, std::span<const Row> rows, Read read,
                     Encoding encoding, std::string& out, Scratch& scratch);
uint64_t encode_rows(const Resource& resource, std::span<const Row> rows, Read read,
                     Encoding encoding, RequestBuffer& out, Scratch& scratch);
/// The OTLP/JSON format of encode_rows() (metrics_json_encoder.cc).
uint64_t encode_rows_json(const Resource& resource, std::span<const Row> rows, Read read,
                          std::string& out, Scratch& scratch);

}  // namespace coretel::otlp
