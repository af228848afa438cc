// number_format.h (internal): the one formatter of numbers as text, for attribute values and
// every exporter.
//
// Doubles are written in their shortest round-trip form: std::to_chars without a format, i.e.
// the fewest significant digits that read back as the same double, in fixed or scientific
// notation, whichever is shorter (fixed on a tie). So an integral value is written as an integer
// ("3", "-0", "100"), 0.1 as "0.1", 1e15 as "1e+15". Integers are written in decimal.
// Non-finite doubles are spelled per NonFiniteStyle:
//  - kPrometheus: `NaN`, `+Inf`, `-Inf`, the spellings of Prometheus "Exposition formats", text
//    format 0.0.4 (sample values and the `le` bounds of histogram buckets).
//  - kAttribute: `NaN`, `Infinity`, `-Infinity`, the label-value form of a double attribute value
//    (OTel spec, compatibility/prometheus_and_openmetrics.md, "Metric Attributes", which defers to
//    common/mapping-to-non-otlp.md).
// Users: the Prometheus text exporter (values, bounds, double label values), the console
// exporter (values, kPrometheus) and to_string(const AttributeValue&) (kAttribute). The JSON
// exporters do not use it: JSON has no spelling for non-finite numbers (they write null), and
// nlohmann::json writes finite numbers itself.
//
// Pure functions, no allocation beyond `out` growing; any thread may call them.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace coretel {

enum class NonFiniteStyle : uint8_t {
  kPrometheus,  // NaN, +Inf, -Inf
  kAttribute,   // NaN, Infinity, -Infinity
};

/// Upper bound of the characters any format_*() below writes: 20 for a 64-bit integer, 24 for a
/// shortest round-trip double ("-2.2250738585072014e-308"), 9 for "-Infinity".
inline constexpr std::size_t kMaxNumberChars = 32;

/// Writes `v` at `p` (room for kMaxNumberChars needed) and returns the end of what it wrote.
inline char* format_double(char* p, double v, NonFiniteStyle style) noexcept {
  if (!std::isfinite(v)) {
    std::string_view s = std::isnan(v) ? "NaN"
                         : style == NonFiniteStyle::kPrometheus
                             ? (v > 0 ? "+Inf" : "-Inf")
                             : (v > 0 ? "Infinity" : "-Infinity");
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }
  return std::to_chars(p, p + kMaxNumberChars, v).ptr;
}
inline char* format_u64(char* p, uint64_t v) noexcept {
  return std::to_chars(p, p + kMaxNumberChars, v).ptr;
}
inline char* format_i64(char* p, int64_t v) noexcept {
  return std::to_chars(p, p + kMaxNumberChars, v).ptr;
}

/// Appends `v` to `out` as format_double() writes it.
inline void append_double(std::string& out, double v, NonFiniteStyle style) {
  char buf[kMaxNumberChars];
  out.append(buf, format_double(buf, v, style));
}
/// Appends `v` to `out` in decimal.
inline void append_i64(std::string& out, int64_t v) {
  char buf[kMaxNumberChars];
  out.append(buf, format_i64(buf, v));
}

}  // namespace coretel
