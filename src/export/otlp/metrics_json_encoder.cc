// The OTLP/JSON format of the metrics encoder (metrics_encoder.h): the same walk as protobuf
// (metric_rows.h), written per the OTLP specification's JSON mapping ("JSON Protobuf Encoding"):
// lowerCamelCase keys, int64/uint64/fixed64 values as decimal strings, enums as integers,
// doubles as JSON numbers or "NaN" / "Infinity" / "-Infinity" (proto3 JSON), fields at their
// proto3 default left out where the protobuf encoder leaves them out.
#include <cmath>
#include <variant>

#include "../../metrics/number_format.h"
#include "common_encoding.h"
#include "coretel/collect/field_values.h"
#include "coretel/export/utf8.h"
#include "metrics_encoder.h"

namespace coretel::otlp {

namespace {

// ExponentialHistogramDataPoint.Buckets (offset: int32, a JSON number); an empty range is left
// out.
void append_buckets(std::string& out, std::string_view name, const ExponentialBuckets& b) {
  if (b.counts.empty()) return;
  out.append(",\"");
  out.append(name);
  out.append("\":{\"offset\":");
  append_i64(out, b.offset);
  out.append(",\"bucketCounts\":[");
  for (std::size_t i = 0; i < b.counts.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_u64(out, b.counts[i]);
  }
  out.append("]}");
}

void append_point_attributes(std::string& out, const Row& row) {
  out.append("\"attributes\":[");
  bool first = true;
  for_each_point_attribute(row, [&](std::string_view key, AttributeValueRef value) {
    append_key_value(out, first, key, value);
  });
  out.push_back(']');
}

void append_times(std::string& out, uint64_t start, uint64_t time) {
  if (start != 0) {
    out.append(",\"startTimeUnixNano\":");
    append_json_u64(out, start);
  }
  out.append(",\"timeUnixNano\":");
  append_json_u64(out, time);
}

class JsonFormat {
 public:
  explicit JsonFormat(std::string& out) : out_(out) {}

  void begin_request(const Resource& resource) {
    request_start_ = out_.size();
    out_.append("{\"resourceMetrics\":[{\"resource\":{");
    append_attributes(out_, resource.attributes);
    out_.append("},\"scopeMetrics\":[");
    first_scope_ = true;
  }
  void end_request(bool keep) {
    out_.append("]}]}");
    if (!keep) out_.resize(request_start_);
  }
  void begin_scope(const MetricsDescriptor& descriptor, const Entity& entity) {
    scope_start_ = out_.size();
    scope_was_first_ = first_scope_;
    if (!first_scope_) out_.push_back(',');
    first_scope_ = false;
    out_.append("{\"scope\":{\"name\":");
    append_json_string(out_, descriptor.name);
    out_.push_back(',');
    append_attributes(out_, entity.attributes);
    out_.append("},\"metrics\":[");
    first_metric_ = true;
  }
  void end_scope(const MetricsDescriptor& descriptor, bool keep) {
    out_.push_back(']');
    if (!descriptor.schema_url.empty()) {
      out_.append(",\"schemaUrl\":");
      append_json_string(out_, descriptor.schema_url);
    }
    out_.push_back('}');
    if (!keep) {
      out_.resize(scope_start_);
      first_scope_ = scope_was_first_;
    }
  }
  void begin_metric(const MetricsField& field, const Shape& shape) {
    metric_start_ = out_.size();
    metric_was_first_ = first_metric_;
    if (!first_metric_) out_.push_back(',');
    first_metric_ = false;
    out_.append("{\"name\":");
    append_json_string(out_, field.name);
    if (!field.brief.empty()) {
      out_.append(",\"description\":");
      append_json_string(out_, field.brief);
    }
    if (!field.unit.empty()) {
      out_.append(",\"unit\":");
      append_json_string(out_, field.unit);
    }
    switch (shape.kind) {
      case DataKind::kGauge:
        out_.append(",\"gauge\":{\"dataPoints\":[");
        break;
      case DataKind::kSum:
        out_.append(",\"sum\":{\"dataPoints\":[");
        break;
      case DataKind::kHistogram:
        out_.append(",\"histogram\":{\"dataPoints\":[");
        break;
      case DataKind::kExponentialHistogram:
        out_.append(",\"exponentialHistogram\":{\"dataPoints\":[");
        break;
      case DataKind::kSummary:
        out_.append(",\"summary\":{\"dataPoints\":[");
        break;
    }
    first_point_ = true;
  }
  void end_metric(const Shape& shape, bool keep) {
    out_.push_back(']');
    if (shape.temporality != 0) {
      out_.append(",\"aggregationTemporality\":");
      out_.push_back(static_cast<char>('0' + shape.temporality));
    }
    if (shape.monotonic) out_.append(",\"isMonotonic\":true");
    out_.append("}}");
    if (!keep) {
      out_.resize(metric_start_);
      first_metric_ = metric_was_first_;
    }
  }
  bool point(const MetricsField& field, const Shape&, const Row& row, std::size_t f,
             uint64_t start) {
    const uint64_t* words = row.words + row.info->field_offset(f);
    if (field.kind == InstrumentKind::kMmsc && read_mmsc(words).count == 0) return false;
    if (!first_point_) out_.push_back(',');
    first_point_ = false;
    out_.push_back('{');
    append_point_attributes(out_, row);
    append_times(out_, start, row.time);
    switch (field.kind) {
      case InstrumentKind::kMmsc: {
        const MmscValue v = read_mmsc(words);
        out_.append(",\"count\":");
        append_json_u64(out_, v.count);
        out_.append(",\"sum\":");
        append_json_double(out_, v.sum);
        out_.append(",\"quantileValues\":[{\"quantile\":0,\"value\":");
        append_json_double(out_, v.min);
        out_.append("},{\"quantile\":1,\"value\":");
        append_json_double(out_, v.max);
        out_.append("}]");
        break;
      }
      case InstrumentKind::kHistogram: {
        const HistogramValue h = read_histogram(field, words);
        const uint64_t count = h.count();
        out_.append(",\"count\":");
        append_json_u64(out_, count);
        out_.append(",\"sum\":");
        append_json_double(out_, h.sum);
        out_.append(",\"bucketCounts\":[");
        for (std::size_t i = 0; i < h.counts.size(); ++i) {
          if (i > 0) out_.push_back(',');
          append_json_u64(out_, h.counts[i]);
        }
        out_.push_back(']');
        if (!field.bounds.empty()) {
          out_.append(",\"explicitBounds\":[");
          for (std::size_t i = 0; i < field.bounds.size(); ++i) {
            if (i > 0) out_.push_back(',');
            append_json_double(out_, field.bounds[i]);
          }
          out_.push_back(']');
        }
        if (count != 0) {
          out_.append(",\"min\":");
          append_json_double(out_, h.min);
          out_.append(",\"max\":");
          append_json_double(out_, h.max);
        }
        break;
      }
      case InstrumentKind::kExponentialHistogram: {
        const ExponentialHistogramValue h = read_exponential_histogram(field, words);
        out_.append(",\"count\":");
        append_json_u64(out_, h.count);
        out_.append(",\"sum\":");
        append_json_double(out_, h.sum);
        out_.append(",\"scale\":");
        append_i64(out_, h.scale);  // int32: a JSON number
        out_.append(",\"zeroCount\":");
        append_json_u64(out_, h.zero_count);
        append_buckets(out_, "positive", h.positive);
        append_buckets(out_, "negative", h.negative);
        if (h.count != 0) {
          out_.append(",\"min\":");
          append_json_double(out_, h.min);
          out_.append(",\"max\":");
          append_json_double(out_, h.max);
        }
        break;
      }
      default:
        if (const NumberValue v = number_value(field.value_type, words[0]); v.is_double) {
          out_.append(",\"asDouble\":");
          append_json_double(out_, v.as_double);
        } else {
          out_.append(",\"asInt\":");
          append_json_i64(out_, v.as_int);
        }
        break;
    }
    out_.push_back('}');
    return true;
  }

 private:
  std::string& out_;
  std::size_t request_start_ = 0, scope_start_ = 0, metric_start_ = 0;
  bool first_scope_ = true, scope_was_first_ = true;
  bool first_metric_ = true, metric_was_first_ = true;
  bool first_point_ = true;
};

}  // namespace

uint64_t encode_rows_json(const Resource& resource, std::span<const Row> rows, Read read,
                          std::string& out, Scratch& scratch) {
  JsonFormat format(out);
  return walk(resource, rows, read, format, scratch);
}

}  // namespace coretel::otlp
