#include "coretel/export/json.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "coretel/collect/field_values.h"

namespace coretel {

namespace {

using nlohmann::json;

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json attribute_value(AttributeValueRef value) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) {
          return number(v);
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          return json(std::string(v));
        } else {
          return json(v);
        }
      },
      static_cast<const AttributeValueRef::variant&>(value));
}

json attributes_object(const Attributes& attributes) {
  json object = json::object();
  for (const AttributeRef& a : attributes) object[std::string(a.key)] = attribute_value(a.value);
  return object;
}

json field_value(const MetricsField& field, const uint64_t* w) {
  switch (field.kind) {
    case InstrumentKind::kMmsc: {
      MmscValue v = read_mmsc(w);
      bool empty = v.count == 0;
      return json{{"min", empty ? json(nullptr) : number(v.min)},
                  {"max", empty ? json(nullptr) : number(v.max)},
                  {"sum", number(v.sum)},
                  {"count", v.count}};
    }
    case InstrumentKind::kHistogram: {
      HistogramValue h = read_histogram(field, w);
      json bounds = json::array();
      for (double b : field.bounds) bounds.push_back(number(b));
      json counts = json::array();
      for (uint64_t c : h.counts) counts.push_back(c);
      const uint64_t count = h.count();
      return json{{"bounds", std::move(bounds)},
                  {"counts", std::move(counts)},
                  {"min", count == 0 ? json(nullptr) : number(h.min)},
                  {"max", count == 0 ? json(nullptr) : number(h.max)},
                  {"sum", number(h.sum)},
                  {"count", count}};
    }
    case InstrumentKind::kExponentialHistogram: {
      const ExponentialHistogramValue h = read_exponential_histogram(field, w);
      const bool empty = h.count == 0;
      auto range = [](const ExponentialBuckets& b) {
        return json{{"offset", b.offset},
                    {"counts", std::vector<uint64_t>(b.counts.begin(), b.counts.end())}};
      };
      return json{{"scale", h.scale},
                  {"zero_count", h.zero_count},
                  {"positive", range(h.positive)},
                  {"negative", range(h.negative)},
                  {"min", empty ? json(nullptr) : number(h.min)},
                  {"max", empty ? json(nullptr) : number(h.max)},
                  {"sum", number(h.sum)},
                  {"count", h.count}};
    }
    default:
      switch (field.value_type) {
        case ValueType::kU64:
          return json(w[0]);
        case ValueType::kI64:
          return json(static_cast<int64_t>(w[0]));
        case ValueType::kF64:
          return number(word_to_double(w[0]));
      }
  }
  return json(nullptr);
}

}  // namespace

std::string render_metrics_json(const Resource& resource, std::span<const MetricsViewPtr> views) {
  uint64_t time = 0;
  json sets = json::array();
  for (const MetricsViewPtr& view : views) {
    if (view == nullptr) continue;
    time = std::max(time, view->time_unix_nano());
    for (const SeriesView& s : view->series()) {
      const SeriesInfo& info = *s.info;
      const MetricsDescriptor& descriptor = *info.descriptor;
      json combinations = json::array();  // the document's "buckets" (json.h)
      for (uint32_t b = 0; b < info.combination_count; ++b) {
        if (!view->observed(s, b)) continue;
        json measurement = json::object();
        auto values = info.combination_values(b);
        for (std::size_t m = 0; m < info.measurement.size(); ++m)
          measurement[std::string(info.measurement[m].key)] = std::string(values[m]);
        json fields = json::array();
        for (std::size_t f = 0; f < descriptor.fields.size(); ++f) {
          const MetricsField& field = descriptor.fields[f];
          fields.push_back(json{{"name", field.name},
                                {"unit", field.unit},
                                {"brief", field.brief},
                                {"instrument", to_string(field.kind)},
                                {"temporality", to_string(field.temporality)},
                                {"value_type", to_string(field.value_type)},
                                {"value", field_value(field, view->field_words(s, b, f))}});
        }
        combinations.push_back(
            json{{"attributes", std::move(measurement)}, {"fields", std::move(fields)}});
      }
      sets.push_back(json{
          {"name", descriptor.name},
          {"brief", descriptor.brief},
          {"series_id", info.id},
          {"entity", attributes_object(info.entity->attributes)},
          {"registration", attributes_object(*info.registration)},
          {"start_time_unix_nano", info.start_time_unix_nano},
          {"last_update_unix_nano", s.last_update_unix_nano},
          {"buckets", std::move(combinations)},
      });
    }
  }
  json document = {
      {"resource", attributes_object(resource.attributes)},
      {"time_unix_nano", time},
      {"metric_sets", std::move(sets)},
  };
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace coretel
