#include "metrics_encoder.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <variant>
#include <vector>

#include "coretel/collect/field_values.h"
#include "protobuf_wire.h"

namespace coretel::otlp {

namespace {

// Field numbers (opentelemetry-proto v1; proto/ has the messages).
namespace f {
constexpr uint32_t kRequestResourceMetrics = 1;
constexpr uint32_t kResourceMetricsResource = 1, kResourceMetricsScopeMetrics = 2;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kScopeMetricsScope = 1, kScopeMetricsMetrics = 2, kScopeMetricsSchemaUrl = 3;
constexpr uint32_t kScopeName = 1, kScopeAttributes = 3;
constexpr uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4;
constexpr uint32_t kMetricName = 1, kMetricDescription = 2, kMetricUnit = 3;
constexpr uint32_t kMetricGauge = 5, kMetricSum = 7, kMetricHistogram = 9, kMetricSummary = 11;
constexpr uint32_t kDataPoints = 1, kTemporality = 2, kIsMonotonic = 3;
constexpr uint32_t kNumberAttributes = 7, kNumberAsDouble = 4, kNumberAsInt = 6;
constexpr uint32_t kStartTime = 2, kTime = 3;  // the same in every data point message
constexpr uint32_t kHistogramAttributes = 9, kHistogramCount = 4, kHistogramSum = 5,
                   kHistogramBucketCounts = 6, kHistogramExplicitBounds = 7;
constexpr uint32_t kSummaryAttributes = 7, kSummaryCount = 4, kSummarySum = 5,
                   kSummaryQuantileValues = 6;
constexpr uint32_t kQuantile = 1, kQuantileValue = 2;
}  // namespace f

enum AggregationTemporality : uint64_t { kDelta = 1, kCumulative = 2 };

// One combination of one series, wherever it was read from.
struct Row {
  const SeriesInfo* info;
  uint32_t combination;
  const uint64_t* words;  // the combination's value block
  uint64_t window_start;  // delta fields' window start (the registration for cumulative reads)
  uint64_t time;          // when the values were read (the view's or transaction's time)
};

void write_any_value(ProtobufWriter& w, AttributeValueRef value) {
  const std::size_t mark = w.begin_message(f::kKeyValueValue);
  std::visit(
      [&w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          w.bytes_field(f::kAnyString, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          w.varint_field(f::kAnyBool, v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w.varint_field(f::kAnyInt, static_cast<uint64_t>(v));
        } else {
          w.double_field(f::kAnyDouble, v);
        }
      },
      static_cast<const std::variant<std::string_view, int64_t, double, bool>&>(value));
  w.end_message(mark);
}

void write_key_value(ProtobufWriter& w, uint32_t field, std::string_view key,
                     AttributeValueRef value) {
  const std::size_t mark = w.begin_message(field);
  w.bytes_field(f::kKeyValueKey, key);
  write_any_value(w, value);
  w.end_message(mark);
}

void write_attributes(ProtobufWriter& w, uint32_t field, const Attributes& attributes) {
  for (const AttributeRef& a : attributes) write_key_value(w, field, a.key, a.value);
}

// Registration attributes, then the combination's measurement attributes.
void write_point_attributes(ProtobufWriter& w, uint32_t field, const Row& row) {
  write_attributes(w, field, *row.info->registration);
  uint32_t combination = row.combination;
  for (const MeasurementAttributeDescriptor& m : row.info->measurement) {
    const auto radix = static_cast<uint32_t>(m.values.size());
    write_key_value(w, field, m.key, AttributeValueRef(m.values[combination % radix]));
    combination /= radix;
  }
}

void write_times(ProtobufWriter& w, uint64_t start, uint64_t time) {
  if (start != 0) w.fixed64_field(f::kStartTime, start);
  w.fixed64_field(f::kTime, time);
}

void write_number(ProtobufWriter& w, ValueType type, uint64_t word) {
  switch (type) {
    case ValueType::kU64:
      if (word > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        w.double_field(f::kNumberAsDouble, static_cast<double>(word));
      } else {
        w.fixed64_field(f::kNumberAsInt, word);
      }
      break;
    case ValueType::kI64:
      w.fixed64_field(f::kNumberAsInt, word);
      break;
    case ValueType::kF64:
      w.double_field(f::kNumberAsDouble, word_to_double(word));
      break;
  }
}

// What one field becomes.
struct Shape {
  uint32_t data_field;   // Metric.gauge / sum / histogram / summary
  uint64_t temporality;  // 0: none written (gauge, summary)
  bool monotonic;
  bool delta_window;  // its start is the row's window start, not the registration
};

Shape shape_of(InstrumentKind kind, bool delta_read) {
  const uint64_t accumulated = delta_read ? kDelta : kCumulative;
  switch (kind) {
    case InstrumentKind::kCounter:
      return {f::kMetricSum, accumulated, true, true};
    case InstrumentKind::kObserveCounter:
      return {f::kMetricSum, kCumulative, true, false};
    case InstrumentKind::kUpDownCounter:
    case InstrumentKind::kObserveUpDownCounter:
      return {f::kMetricSum, kCumulative, false, false};
    case InstrumentKind::kGauge:
      return {f::kMetricGauge, 0, false, false};
    case InstrumentKind::kMmsc:
      return {f::kMetricSummary, 0, false, true};
    case InstrumentKind::kHistogram:
      return {f::kMetricHistogram, accumulated, false, true};
  }
  return {f::kMetricGauge, 0, false, false};
}

// One data point of `field` for `row`; false (nothing written) when it has no value to show.
bool write_point(ProtobufWriter& w, const MetricsField& field, const Shape& shape, const Row& row,
                 std::size_t field_index) {
  const uint64_t time = row.time;
  const uint64_t* words = row.words + row.info->field_offset(field_index);
  const uint64_t start = shape.data_field == f::kMetricGauge ? 0
                         : shape.delta_window                ? row.window_start
                                                             : row.info->start_time_unix_nano;
  switch (field.kind) {
    case InstrumentKind::kMmsc: {
      const MmscValue v = read_mmsc(words);
      if (v.count == 0) return false;
      const std::size_t point = w.begin_message(f::kDataPoints);
      write_point_attributes(w, f::kSummaryAttributes, row);
      write_times(w, start, time);
      w.fixed64_field(f::kSummaryCount, v.count);
      w.double_field(f::kSummarySum, v.sum);
      const std::size_t q0 = w.begin_message(f::kSummaryQuantileValues);
      w.double_field(f::kQuantileValue, v.min);  // quantile 0: the proto3 default, not written
      w.end_message(q0);
      const std::size_t q1 = w.begin_message(f::kSummaryQuantileValues);
      w.double_field(f::kQuantile, 1.0);
      w.double_field(f::kQuantileValue, v.max);
      w.end_message(q1);
      w.end_message(point);
      return true;
    }
    case InstrumentKind::kHistogram: {
      const HistogramValue h = read_histogram(field, words);
      const std::size_t point = w.begin_message(f::kDataPoints);
      write_point_attributes(w, f::kHistogramAttributes, row);
      write_times(w, start, time);
      w.fixed64_field(f::kHistogramCount, h.count());
      w.double_field(f::kHistogramSum, h.sum);
      const std::size_t counts = w.begin_message(f::kHistogramBucketCounts);
      for (uint64_t c : h.counts) w.fixed64(c);
      w.end_message(counts);
      if (!field.bounds.empty()) {
        const std::size_t bounds = w.begin_message(f::kHistogramExplicitBounds);
        for (double b : field.bounds) w.fixed64(std::bit_cast<uint64_t>(b));
        w.end_message(bounds);
      }
      w.end_message(point);
      return true;
    }
    default: {
      const std::size_t point = w.begin_message(f::kDataPoints);
      write_point_attributes(w, f::kNumberAttributes, row);
      write_times(w, start, time);
      write_number(w, field.value_type, words[0]);
      w.end_message(point);
      return true;
    }
  }
}

// Writes one ResourceMetrics holding every row; rows are sorted here.
uint64_t encode_rows(const Resource& resource, std::vector<Row>& rows, bool delta_read,
                     std::string& out) {
  if (rows.empty()) return 0;
  // Group by (metric set, entity) in a stable order: set name, entity, series, combination.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.info->descriptor != b.info->descriptor) {
      if (a.info->descriptor->name != b.info->descriptor->name)
        return a.info->descriptor->name < b.info->descriptor->name;
      return a.info->descriptor < b.info->descriptor;
    }
    if (a.info->entity != b.info->entity) return a.info->entity->id < b.info->entity->id;
    if (a.info->serial != b.info->serial) return a.info->serial < b.info->serial;
    return a.combination < b.combination;
  });

  ProtobufWriter w(out);
  const std::size_t request_start = out.size();
  uint64_t points = 0;
  const std::size_t resource_metrics = w.begin_message(f::kRequestResourceMetrics);
  const std::size_t resource_mark = w.begin_message(f::kResourceMetricsResource);
  write_attributes(w, f::kResourceAttributes, resource.attributes);
  w.end_message(resource_mark);

  for (std::size_t begin = 0; begin < rows.size();) {
    const MetricsDescriptor& descriptor = *rows[begin].info->descriptor;
    const Entity* entity = rows[begin].info->entity;
    std::size_t end = begin + 1;
    while (end < rows.size() && rows[end].info->descriptor == &descriptor &&
           rows[end].info->entity == entity)
      ++end;

    const std::size_t scope_start = out.size();
    const std::size_t scope_metrics = w.begin_message(f::kResourceMetricsScopeMetrics);
    const std::size_t scope = w.begin_message(f::kScopeMetricsScope);
    w.bytes_field(f::kScopeName, descriptor.name);
    write_attributes(w, f::kScopeAttributes, entity->attributes);
    w.end_message(scope);
    uint64_t scope_points = 0;
    for (std::size_t fi = 0; fi < descriptor.fields.size(); ++fi) {
      const MetricsField& field = descriptor.fields[fi];
      const Shape shape = shape_of(field.kind, delta_read);
      const std::size_t metric_start = out.size();
      const std::size_t metric = w.begin_message(f::kScopeMetricsMetrics);
      w.bytes_field(f::kMetricName, field.name);
      if (!field.brief.empty()) w.bytes_field(f::kMetricDescription, field.brief);
      if (!field.unit.empty()) w.bytes_field(f::kMetricUnit, field.unit);
      const std::size_t data = w.begin_message(shape.data_field);
      uint64_t metric_points = 0;
      for (std::size_t r = begin; r < end; ++r)
        metric_points += write_point(w, field, shape, rows[r], fi) ? 1 : 0;
      if (shape.temporality != 0) w.varint_field(f::kTemporality, shape.temporality);
      if (shape.monotonic) w.varint_field(f::kIsMonotonic, 1);
      w.end_message(data);
      w.end_message(metric);
      if (metric_points == 0) out.resize(metric_start);  // no empty metric
      scope_points += metric_points;
    }
    if (!descriptor.schema_url.empty())
      w.bytes_field(f::kScopeMetricsSchemaUrl, descriptor.schema_url);
    w.end_message(scope_metrics);
    if (scope_points == 0) out.resize(scope_start);
    points += scope_points;
    begin = end;
  }
  w.end_message(resource_metrics);
  if (points == 0) out.resize(request_start);
  return points;
}

}  // namespace

uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                           std::string& out) {
  std::vector<Row> rows;
  for (const MetricsViewPtr& view : views) {
    if (!view) continue;
    for (const SeriesView& s : view->series()) {
      for (uint32_t c = 0; c < s.info->combination_count; ++c) {
        if (!view->observed(s, c)) continue;
        rows.push_back({s.info, c, view->combination_words(s, c), s.info->start_time_unix_nano,
                        view->time_unix_nano()});
      }
    }
  }
  return encode_rows(resource, rows, false, out);
}

uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                      std::string& out) {
  std::vector<Row> rows;
  rows.reserve(transaction.combinations().size());
  for (const ExportedCombination& c : transaction.combinations())
    rows.push_back({c.info, c.combination, c.words.data(), c.start_time_unix_nano,
                    transaction.time_unix_nano()});
  return encode_rows(resource, rows, true, out);
}

}  // namespace coretel::otlp
