// metric_rows.h (internal): the OTLP metrics mapping shared by the protobuf and JSON encoders:
// which rows (series combinations) an export holds, what each field becomes (Shape), and the one
// walk that groups rows into scopes and metrics and asks a format to write them. Scopes and
// points follow the order of the views (or transaction) read: collector, then series order.
//
// A Format provides, each returning nothing unless said:
//   begin_request(const Resource&)                  ResourceMetrics opened, resource written
//   begin_scope(const MetricsDescriptor&, const Entity&)
//   begin_metric(const MetricsField&, const Shape&)
//   bool point(const MetricsField&, const Shape&, const Row&, std::size_t field, uint64_t start)
//                                                   false: nothing written (no value to show)
//   end_metric(const Shape&, bool keep)             keep == false: remove the metric entirely
//   end_scope(const MetricsDescriptor&, bool keep)
//   end_request(bool keep)
// COLD PATH (an exporter's thread). Thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "coretel/collect/collector.h"
#include "coretel/collect/field_values.h"
#include "coretel/collect/metrics_view.h"
#include "coretel/resource.h"

namespace coretel::otlp {

/// One combination of one series, wherever it was read from.
struct Row {
  const SeriesInfo* info;
  uint32_t combination;
  const uint64_t* words;  ///< the combination's value block
  uint64_t window_start;  ///< delta fields' window start (the registration for cumulative reads)
  uint64_t time;          ///< when the values were read (the view's or transaction's time)
};

/// The OTLP data a field becomes (metrics data model; metrics/sdk_exporters/otlp.md).
enum class DataKind : uint8_t { kGauge, kSum, kHistogram, kExponentialHistogram, kSummary };
/// AggregationTemporality values (metrics.proto): 0 = none written.
inline constexpr uint32_t kTemporalityDelta = 1, kTemporalityCumulative = 2;

struct Shape {
  DataKind kind;
  uint32_t temporality;  ///< 0 for gauges and summaries (they carry none)
  bool monotonic;
  bool delta_window;  ///< the point starts at the row's window start, not at the registration
};

/// What a read holds: cumulative values (views), or an export transaction's deltas; and whether
/// its ObserveCounter totals were turned into deltas (ObservedTotals, observed_totals.h: the
/// `delta` preference; `lowmemory` keeps them cumulative).
struct Read {
  bool delta = false;
  bool observed_delta = false;
};
inline constexpr Read kCumulativeRead{false, false};

/// What `kind` becomes in `read`: Counter and the histograms follow the read, ObserveCounter
/// too when read.observed_delta; up-down counters stay cumulative; Gauge is a Gauge; Mmsc is a
/// Summary.
constexpr Shape shape_of(InstrumentKind kind, Read read) noexcept {
  const uint32_t accumulated = read.delta ? kTemporalityDelta : kTemporalityCumulative;
  switch (kind) {
    case InstrumentKind::kCounter:
      return {DataKind::kSum, accumulated, true, true};
    case InstrumentKind::kObserveCounter:
      return read.observed_delta ? Shape{DataKind::kSum, kTemporalityDelta, true, true}
                                 : Shape{DataKind::kSum, kTemporalityCumulative, true, false};
    case InstrumentKind::kUpDownCounter:
    case InstrumentKind::kObserveUpDownCounter:
      return {DataKind::kSum, kTemporalityCumulative, false, false};
    case InstrumentKind::kGauge:
      return {DataKind::kGauge, 0, false, false};
    case InstrumentKind::kMmsc:
      return {DataKind::kSummary, 0, false, true};
    case InstrumentKind::kHistogram:
      return {DataKind::kHistogram, accumulated, false, true};
    case InstrumentKind::kExponentialHistogram:
      return {DataKind::kExponentialHistogram, accumulated, false, true};
  }
  return {DataKind::kGauge, 0, false, false};
}

/// Calls fn(key, AttributeValueRef) for each attribute of a row's data points: the registration
/// attributes, then the combination's measurement attributes (the first is the lowest mixed-radix
/// digit of the combination, as SeriesInfo::combination_values() decodes it, without allocating).
template <class Fn>
void for_each_point_attribute(const Row& row, Fn&& fn) {
  for (const AttributeRef& a : *row.info->registration) fn(a.key, a.value);
  uint32_t combination = row.combination;
  for (const MeasurementAttributeDescriptor& m : row.info->measurement) {
    const auto radix = static_cast<uint32_t>(m.values.size());
    fn(m.key, AttributeValueRef(m.values[combination % radix]));
    combination /= radix;
  }
}

/// A scalar field's value as an OTLP NumberDataPoint carries it: `as_int`, or `as_double` for
/// doubles and for a u64 above 2^63 - 1 (OTLP has no unsigned integer point).
struct NumberValue {
  bool is_double;
  int64_t as_int;
  double as_double;
};
inline NumberValue number_value(ValueType type, uint64_t word) noexcept {
  if (type == ValueType::kF64) return {true, 0, word_to_double(word)};
  if (type == ValueType::kU64 && word > static_cast<uint64_t>(INT64_MAX))
    return {true, 0, static_cast<double>(word)};
  return {false, static_cast<int64_t>(word), 0.0};
}

/// Working memory of one encode, kept by an exporter between exports so that a steady export
/// allocates nothing (its vectors keep the capacity of the largest export so far: tens of bytes
/// per row).
struct Scratch {
  struct Slot {
    const MetricsDescriptor* descriptor;
    const Entity* entity;
    uint32_t group;
    uint32_t epoch;  ///< the slot is taken in this encode when it equals Scratch::epoch
  };
  std::vector<Row> rows;
  /// After group_rows(): the row indexes of group g are order[group_begin[g]] ..
  /// order[group_begin[g + 1] - 1].
  std::vector<uint32_t> order, group_begin;
  std::vector<Slot> table;  ///< cleared by a new epoch, not by writing every slot
  uint32_t epoch = 0;
  std::vector<uint32_t> group_of, next;
  std::vector<uint64_t> observed_words;  ///< rows rewritten by ObservedTotals::to_deltas
};

/// Sets `rows` to every observed combination of every series of `views`, stamped with its
/// view's time.
void rows_of(std::span<const MetricsViewPtr> views, std::vector<Row>& rows);
/// Sets `rows` to every combination of `transaction`, stamped with its time.
void rows_of(const ExportTransaction& transaction, std::vector<Row>& rows);

/// Groups `rows` by (metric set, entity) into scratch.order and scratch.group_begin. Groups come
/// in the order their first row comes, rows within a group in their order: the output follows
/// the views' order, with no sort (O(rows), one hash probe per row).
void group_rows(std::span<const Row> rows, Scratch& scratch);

/// Has `format` write one request holding `rows`, one scope per (metric set, entity); returns
/// the data points written (0: the format was told to keep nothing).
template <class Format>
uint64_t walk(const Resource& resource, std::span<const Row> rows, Read read, Format& format,
              Scratch& scratch) {
  if (rows.empty()) return 0;
  group_rows(rows, scratch);
  const Scratch& grouped = scratch;
  uint64_t points = 0;
  format.begin_request(resource);
  for (std::size_t g = 0; g + 1 < grouped.group_begin.size(); ++g) {
    const uint32_t* begin = grouped.order.data() + grouped.group_begin[g];
    const uint32_t* end = grouped.order.data() + grouped.group_begin[g + 1];
    const SeriesInfo& first = *rows[*begin].info;
    const MetricsDescriptor& descriptor = *first.descriptor;
    uint64_t scope_points = 0;
    format.begin_scope(descriptor, *first.entity);
    for (std::size_t f = 0; f < descriptor.fields.size(); ++f) {
      const MetricsField& field = descriptor.fields[f];
      const Shape shape = shape_of(field.kind, read);
      uint64_t metric_points = 0;
      format.begin_metric(field, shape);
      for (const uint32_t* r = begin; r != end; ++r) {
        const Row& row = rows[*r];
        const uint64_t start = shape.kind == DataKind::kGauge ? 0
                               : shape.delta_window           ? row.window_start
                                                              : row.info->start_time_unix_nano;
        metric_points += format.point(field, shape, row, f, start) ? 1 : 0;
      }
      format.end_metric(shape, metric_points > 0);
      scope_points += metric_points;
    }
    format.end_scope(descriptor, scope_points > 0);
    points += scope_points;
  }
  format.end_request(points > 0);
  return points;
}

}  // namespace coretel::otlp
