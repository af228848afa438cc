#include "metrics_encoder.h"

#include "metric_rows.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common_encoding.h"
#include "coretel/collect/field_values.h"
#include "coretel/export/utf8.h"
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
constexpr uint32_t kMetricName = 1, kMetricDescription = 2, kMetricUnit = 3;
constexpr uint32_t kMetricGauge = 5, kMetricSum = 7, kMetricHistogram = 9,
                   kMetricExponentialHistogram = 10, kMetricSummary = 11;
constexpr uint32_t kDataPoints = 1, kTemporality = 2, kIsMonotonic = 3;
constexpr uint32_t kNumberAttributes = 7, kNumberAsDouble = 4, kNumberAsInt = 6;
constexpr uint32_t kStartTime = 2, kTime = 3;  // the same in every data point message
constexpr uint32_t kHistogramAttributes = 9, kHistogramCount = 4, kHistogramSum = 5,
                   kHistogramBucketCounts = 6, kHistogramExplicitBounds = 7, kHistogramMin = 11,
                   kHistogramMax = 12;
constexpr uint32_t kExponentialAttributes = 1, kExponentialCount = 4, kExponentialSum = 5,
                   kExponentialScale = 6, kExponentialZeroCount = 7, kExponentialPositive = 8,
                   kExponentialNegative = 9, kExponentialMin = 12, kExponentialMax = 13;
constexpr uint32_t kBucketsOffset = 1, kBucketsCounts = 2;
constexpr uint32_t kSummaryAttributes = 7, kSummaryCount = 4, kSummarySum = 5,
                   kSummaryQuantileValues = 6;
constexpr uint32_t kQuantile = 1, kQuantileValue = 2;
}  // namespace f

void write_point_attributes(ProtobufWriter& w, uint32_t field, const Row& row) {
  for_each_point_attribute(row, [&](std::string_view key, AttributeValueRef value) {
    write_key_value(w, field, key, value);
  });
}

void write_times(ProtobufWriter& w, uint64_t start, uint64_t time) {
  if (start != 0) w.fixed64_field(f::kStartTime, start);
  w.fixed64_field(f::kTime, time);
}

void write_number(ProtobufWriter& w, ValueType type, uint64_t word) {
  const NumberValue v = number_value(type, word);
  if (v.is_double) {
    w.double_field(f::kNumberAsDouble, v.as_double);
  } else {
    w.fixed64_field(f::kNumberAsInt, static_cast<uint64_t>(v.as_int));
  }
}

// ExponentialHistogramDataPoint.Buckets; an empty range is not written (proto3 default).
void write_buckets(ProtobufWriter& w, uint32_t field, const ExponentialBuckets& b) {
  if (b.counts.empty()) return;
  const std::size_t buckets = w.begin_message(field);
  if (b.offset != 0) w.sint_field(f::kBucketsOffset, b.offset);
  const std::size_t counts = w.begin_message(f::kBucketsCounts);  // packed varints
  for (uint64_t c : b.counts) w.varint(c);
  w.end_message(counts);
  w.end_message(buckets);
}

// One data point of `field` for `row`; false (nothing written) when it has no value to show.
bool write_point(ProtobufWriter& w, const MetricsField& field, const Row& row,
                 std::size_t field_index, uint64_t start) {
  const uint64_t time = row.time;
  const uint64_t* words = row.words + row.info->field_offset(field_index);
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
      const uint64_t count = h.count();
      w.fixed64_field(f::kHistogramCount, count);
      w.double_field(f::kHistogramSum, h.sum);
      const std::size_t counts = w.begin_message(f::kHistogramBucketCounts);
      for (uint64_t c : h.counts) w.fixed64(c);
      w.end_message(counts);
      if (!field.bounds.empty()) {
        const std::size_t bounds = w.begin_message(f::kHistogramExplicitBounds);
        for (double b : field.bounds) w.fixed64(std::bit_cast<uint64_t>(b));
        w.end_message(bounds);
      }
      if (count != 0) {  // min and max are optional: an empty point has none
        w.double_field(f::kHistogramMin, h.min);
        w.double_field(f::kHistogramMax, h.max);
      }
      w.end_message(point);
      return true;
    }
    case InstrumentKind::kExponentialHistogram: {
      const ExponentialHistogramValue h = read_exponential_histogram(field, words);
      const std::size_t point = w.begin_message(f::kDataPoints);
      write_point_attributes(w, f::kExponentialAttributes, row);
      write_times(w, start, time);
      w.fixed64_field(f::kExponentialCount, h.count);
      w.double_field(f::kExponentialSum, h.sum);
      if (h.scale != 0) w.sint_field(f::kExponentialScale, h.scale);
      if (h.zero_count != 0) w.fixed64_field(f::kExponentialZeroCount, h.zero_count);
      write_buckets(w, f::kExponentialPositive, h.positive);
      write_buckets(w, f::kExponentialNegative, h.negative);
      if (h.count != 0) {
        w.double_field(f::kExponentialMin, h.min);
        w.double_field(f::kExponentialMax, h.max);
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

// The protobuf Format of walk() (metric_rows.h). What does not change from one scope to the
// next, a descriptor's scope name and each field's name, description and unit, is encoded
// (and made UTF-8) once per descriptor per request and copied from there.
class ProtobufFormat {
 public:
  explicit ProtobufFormat(std::string& out) : w_(out) {}
  /// Writes over `storage` from its start; the request is then bytes().
  ProtobufFormat(std::string& storage, ProtobufWriter::Reuse)
      : w_(storage, 0, ProtobufWriter::kReuse), storage_(&storage) {}

  /// Reuse mode: the request written (empty when nothing was kept).
  std::string_view bytes() const noexcept {
    return std::string_view(storage_->data() + begin_, w_.size() - begin_);
  }

  void begin_request(const Resource& resource) {
    request_start_ = w_.size();
    // In reuse mode the one top-level message is written in front, so that its body (the whole
    // request) is never moved to fit the length.
    resource_metrics_ = storage_ != nullptr ? w_.begin_front_message(f::kRequestResourceMetrics)
                                            : w_.begin_message(f::kRequestResourceMetrics);
    const std::size_t r = w_.begin_message(f::kResourceMetricsResource);
    write_attributes(w_, f::kResourceAttributes, resource.attributes);
    w_.end_message(r);
  }
  void end_request(bool keep) {
    if (storage_ != nullptr) {
      begin_ = w_.end_front_message(resource_metrics_);
    } else {
      w_.end_message(resource_metrics_);
    }
    if (!keep) {
      w_.truncate(request_start_);
      begin_ = request_start_;
    }
    w_.finish();
  }
  void begin_scope(const MetricsDescriptor& descriptor, const Entity& entity) {
    cached_ = &cache_for(descriptor);
    scope_start_ = w_.size();
    scope_metrics_ = w_.begin_message(f::kResourceMetricsScopeMetrics);
    const std::size_t scope = w_.begin_message(f::kScopeMetricsScope);
    w_.raw(cached_->scope_name);
    write_attributes(w_, f::kScopeAttributes, entity.attributes);
    w_.end_message(scope);
    field_ = 0;
  }
  void end_scope(const MetricsDescriptor&, bool keep) {
    w_.raw(cached_->schema_url);
    w_.end_message(scope_metrics_);
    if (!keep) w_.truncate(scope_start_);
  }
  void begin_metric(const MetricsField&, const Shape& shape) {
    metric_start_ = w_.size();
    metric_ = w_.begin_message(f::kScopeMetricsMetrics);
    w_.raw(cached_->field_headers[field_++]);
    data_ = w_.begin_message(data_field(shape.kind));
  }
  void end_metric(const Shape& shape, bool keep) {
    if (shape.temporality != 0) w_.varint_field(f::kTemporality, shape.temporality);
    if (shape.monotonic) w_.varint_field(f::kIsMonotonic, 1);
    w_.end_message(data_);
    w_.end_message(metric_);
    if (!keep) w_.truncate(metric_start_);
  }
  bool point(const MetricsField& field, const Shape&, const Row& row, std::size_t f,
             uint64_t start) {
    return write_point(w_, field, row, f, start);
  }

 private:
  struct Cached {
    std::string scope_name;                  // InstrumentationScope.name, tagged
    std::string schema_url;                  // ScopeMetrics.schema_url, tagged (or empty)
    std::vector<std::string> field_headers;  // Metric.name, description, unit, tagged
  };

  static uint32_t data_field(DataKind kind) {
    switch (kind) {
      case DataKind::kGauge:
        return f::kMetricGauge;
      case DataKind::kSum:
        return f::kMetricSum;
      case DataKind::kHistogram:
        return f::kMetricHistogram;
      case DataKind::kExponentialHistogram:
        return f::kMetricExponentialHistogram;
      case DataKind::kSummary:
        return f::kMetricSummary;
    }
    return f::kMetricGauge;
  }

  const Cached& cache_for(const MetricsDescriptor& descriptor) {
    if (last_descriptor_ == &descriptor) return *cached_;
    last_descriptor_ = &descriptor;
    auto [it, inserted] = cache_.try_emplace(&descriptor);
    if (inserted) {
      Cached& c = it->second;
      encode_into(c.scope_name,
                  [&](ProtobufWriter& w) { write_string(w, f::kScopeName, descriptor.name); });
      encode_into(c.schema_url, [&](ProtobufWriter& w) {
        if (!descriptor.schema_url.empty())
          write_string(w, f::kScopeMetricsSchemaUrl, descriptor.schema_url);
      });
      for (const MetricsField& field : descriptor.fields) {
        encode_into(c.field_headers.emplace_back(), [&](ProtobufWriter& w) {
          write_string(w, f::kMetricName, field.name);
          if (!field.brief.empty()) write_string(w, f::kMetricDescription, field.brief);
          if (!field.unit.empty()) write_string(w, f::kMetricUnit, field.unit);
        });
      }
    }
    return it->second;
  }
  template <class Fn>
  static void encode_into(std::string& out, Fn&& fn) {
    ProtobufWriter w(out);
    fn(w);
  }

  ProtobufWriter w_;
  std::unordered_map<const MetricsDescriptor*, Cached> cache_;
  const MetricsDescriptor* last_descriptor_ = nullptr;
  const Cached* cached_ = nullptr;
  std::size_t field_ = 0;
  std::string* storage_ = nullptr;  // reuse mode
  std::size_t begin_ = 0;           // reuse mode: where the request begins
  std::size_t request_start_ = 0, resource_metrics_ = 0;
  std::size_t scope_start_ = 0, scope_metrics_ = 0;
  std::size_t metric_start_ = 0, metric_ = 0, data_ = 0;
};

}  // namespace

uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                           Encoding encoding, std::string& out, Scratch& scratch) {
  rows_of(views, scratch.rows);
  return encode_rows(resource, scratch.rows, kCumulativeRead, encoding, out, scratch);
}

uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                      Encoding encoding, std::string& out, Scratch& scratch,
                      ObservedTotals* totals) {
  rows_of(transaction, scratch.rows);
  if (totals != nullptr) totals->to_deltas(scratch.rows, scratch.observed_words);
  return encode_rows(resource, scratch.rows, Read{true, totals != nullptr}, encoding, out, scratch);
}

uint64_t encode_rows(const Resource& resource, std::span<const Row> rows, Read read,
                     Encoding encoding, std::string& out, Scratch& scratch) {
  if (encoding == Encoding::kJson) return encode_rows_json(resource, rows, read, out, scratch);
  ProtobufFormat format(out);
  return walk(resource, rows, read, format, scratch);
}

uint64_t encode_rows(const Resource& resource, std::span<const Row> rows, Read read,
                     Encoding encoding, RequestBuffer& out, Scratch& scratch) {
  if (encoding == Encoding::kJson) {  // JSON appends: nothing to gain from reuse here
    out.storage.clear();
    const uint64_t points = encode_rows_json(resource, rows, read, out.storage, scratch);
    out.bytes = out.storage;
    return points;
  }
  ProtobufFormat format(out.storage, ProtobufWriter::kReuse);
  const uint64_t points = walk(resource, rows, read, format, scratch);
  out.bytes = points == 0 ? std::string_view() : format.bytes();
  return points;
}

uint64_t encode_cumulative(const Resource& resource, std::span<const MetricsViewPtr> views,
                           Encoding encoding, RequestBuffer& out, Scratch& scratch) {
  rows_of(views, scratch.rows);
  return encode_rows(resource, scratch.rows, kCumulativeRead, encoding, out, scratch);
}

uint64_t encode_delta(const Resource& resource, const ExportTransaction& transaction,
                      Encoding encoding, RequestBuffer& out, Scratch& scratch,
                      ObservedTotals* totals) {
  rows_of(transaction, scratch.rows);
  if (totals != nullptr) totals->to_deltas(scratch.rows, scratch.observed_words);
  return encode_rows(resource, scratch.rows, Read{true, totals != nullptr}, encoding, out, scratch);
}

}  // namespace coretel::otlp
