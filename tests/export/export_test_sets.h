// export_test_sets.h: small metric sets and helpers shared by the exporter and admin tests.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "coretel/collect/metrics_view.h"
#include "coretel/collect/pipeline.h"
#include "coretel/metrics/measurement.h"
#include "coretel/metrics/metric_set.h"

namespace coretel_export_test {

inline constexpr std::array<double, 3> kSizeBounds{0.5, 1.0, 2.5};

struct CORETEL_METRIC_SET_STRUCT(AppMetrics) {
  coretel::Counter<uint64_t> requests;
  coretel::Counter<double> sent;
  coretel::Gauge<int64_t> temperature;
  coretel::UpDownCounter<int64_t> active;
  coretel::ObserveCounter<uint64_t> cpu_time;
  coretel::Mmsc latency;
  coretel::Histogram<kSizeBounds> size;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(AppMetrics, "app.server", "An application server.",
                            CORETEL_FIELD(requests, "app.requests", "{request}",
                                          "Requests served."),
                            CORETEL_FIELD(sent, "app.sent", "By", "Bytes sent."),
                            CORETEL_FIELD(temperature, "app.temperature", "Cel",
                                          "Temperature with a \\ backslash\nand a newline."),
                            CORETEL_FIELD(active, "app.active", "{connection}",
                                          "Open connections."),
                            CORETEL_FIELD(cpu_time, "app.cpu.time", "s", "CPU time."),
                            CORETEL_FIELD(latency, "app.latency", "s", "Request latency."),
                            CORETEL_FIELD(size, "app.size", "By", "Payload size."));

// An exponential histogram of 8 buckets per range, small enough that a test's values downscale
// it.
struct CORETEL_METRIC_SET_STRUCT(DelayMetrics) {
  coretel::ExponentialHistogram<8> delay;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(DelayMetrics, "app.queue", "A queue.",
                            CORETEL_FIELD(delay, "app.queue.delay", "s", "Queueing delay."));

enum class Method : uint8_t { kGet, kPost, kOdd };
CORETEL_MEASUREMENT_ATTRIBUTE(Method, "http.request.method", "GET", "POST", "O\"D\\D");

struct CORETEL_METRIC_SET_STRUCT(HttpMetrics) {
  coretel::Counter<uint64_t> requests;
  coretel::Gauge<double> load;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(HttpMetrics, "app.http", "HTTP requests by method.",
                            CORETEL_FIELD(requests, "app.http.requests", "{request}",
                                          "HTTP requests."),
                            CORETEL_FIELD(load, "app.http.load", "1", "Load."));
using HttpByMethod = coretel::MeasuredSet<HttpMetrics, Method>;

// A set whose field brief is not UTF-8 (a stray Latin-1 byte), for the invalid-UTF-8 tests.
struct CORETEL_METRIC_SET_STRUCT(BadTextMetrics) {
  coretel::Gauge<uint64_t> value;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(BadTextMetrics, "app.bad", "Bad text.",
                            CORETEL_FIELD(value, "app.bad.value", "1",
                                          "Brief \xFF"
                                          " with a bad byte."));

/// U+FFFD REPLACEMENT CHARACTER in UTF-8, as the exporters write it for ill-formed bytes.
inline const std::string kFffd = "\xEF\xBF\xBD";

/// Entity and registration attributes with ill-formed UTF-8 (as OTEL_SERVICE_NAME or any
/// user-supplied string can hold): a lone 0xFF, a truncated 3-byte sequence, a key ending in a
/// lead byte, an encoded surrogate (three maximal subparts), beside well-formed 2- and 4-byte
/// characters and characters that need escaping.
inline coretel::Attributes bad_text_entity() {
  return {{"host", "h\xFF\""}};
}
inline coretel::Attributes bad_text_registration() {
  return {{"region", "eu\xE2\x82 \xC3\xA9 \xF0\x9F\x98\x80\\"}, {"bad.key\xC3", "v\xED\xA0\x80x"}};
}

// A set with a counter, a histogram and an Mmsc (summary), for attributes named `le` and
// `quantile`, which Prometheus reserves.
struct CORETEL_METRIC_SET_STRUCT(ReservedMetrics) {
  coretel::Counter<uint64_t> hits;
  coretel::Histogram<kSizeBounds> size;
  coretel::Mmsc wait;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(ReservedMetrics, "app.reserved", "Reserved label keys.",
                            CORETEL_FIELD(hits, "app.reserved.hits", "{hit}", "Hits."),
                            CORETEL_FIELD(size, "app.reserved.size", "By", "Sizes."),
                            CORETEL_FIELD(wait, "app.reserved.wait", "s", "Waits."));

/// A view holding only the series of `views` described by `descriptor` (the pipeline's views
/// also hold coretel's own self-metrics).
inline std::vector<coretel::MetricsViewPtr> only(std::span<const coretel::MetricsViewPtr> views,
                                                 const coretel::MetricsDescriptor& descriptor) {
  std::vector<coretel::MetricsViewPtr> out;
  for (const auto& view : views) {
    auto filtered = std::make_shared<coretel::MetricsView>();
    filtered->set_time(view->time_unix_nano());
    filtered->set_pin(view->pin());
    for (const auto& s : view->series()) {
      if (s.info->descriptor != &descriptor) continue;
      std::size_t words = std::size_t{s.info->combination_count} * s.info->words_per_combination;
      std::vector<uint8_t> observed;
      for (uint32_t b = 0; b < s.info->combination_count; ++b)
        observed.push_back(view->observed(s, b));
      filtered->add(*s.info, s.last_update_unix_nano,
                    std::span<const uint64_t>(view->combination_words(s, 0), words), observed);
    }
    out.push_back(std::move(filtered));
  }
  return out;
}

}  // namespace coretel_export_test
