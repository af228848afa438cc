// prometheus_naming.h (internal): OpenTelemetry names and attributes -> Prometheus names and
// label text, for the text exposition renderer (prometheus_text.cc).
//
// Rules: OTel spec, compatibility/prometheus_and_openmetrics.md ("Metric Metadata", "Metric
// Attributes", "Sums"): names and label keys sanitised to [a-zA-Z_:][a-zA-Z0-9_:]* (labels
// without ':'), runs of '_' collapsed, unit suffixes and `_total`, label keys that collide after
// sanitising joined into one label with their values separated by `;`. Label keys `le` and
// `quantile`, reserved by Prometheus, become `exported_le` / `exported_quantile` (see
// coretel/export/prometheus_text.h). Escaping and UTF-8: Prometheus "Exposition formats", text
// format 0.0.4 (label values escape `\`, `"` and newline; HELP text escapes `\` and newline;
// ill-formed UTF-8 becomes U+FFFD, coretel/export/utf8.h).
// The public entry points (prometheus_metric_name() and the other free functions of
// coretel/export/prometheus_text.h) are defined in prometheus_naming.cc.
//
// Thread-safety: the free functions are pure (any thread may call them); a PrometheusLabelSet
// keeps scratch buffers and belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/metrics/attributes.h"

namespace coretel::prometheus {

/// What a label key that Prometheus reserves (`le`, `quantile`) is prefixed with.
inline constexpr std::string_view kReservedLabelPrefix = "exported_";

/// Appends a sanitised label key to `out`: `prefix` (already valid, e.g. "otel_scope_") then
/// `key` with characters outside [a-zA-Z0-9_] replaced by '_' and runs of '_' collapsed (across
/// the prefix too: "otel_scope_" + "_x" gives "otel_scope_x"); a key without prefix that starts
/// with a digit gets a leading '_'. A result of `le` or `quantile` becomes `exported_le` /
/// `exported_quantile`.
void append_label_key(std::string& out, std::string_view prefix, std::string_view key);

/// Appends the label-value text of an attribute value (unescaped): strings as they are, integers
/// in decimal, doubles in shortest round-trip form with `NaN`, `Infinity`, `-Infinity`
/// (number_format.h, NonFiniteStyle::kAttribute), booleans as `true`/`false`.
void append_attribute_text(std::string& out, AttributeValueRef value);

/// Appends `text` with `\` and newline escaped (and `"` too when `quote`: label values), each
/// ill-formed UTF-8 subsequence replaced by U+FFFD.
void append_escaped(std::string& out, std::string_view text, bool quote);

/// The label set of one sample (or of `target_info`), built label by label and then written as
/// label text without braces: `k1="v1",k2="v2"`. Labels are written in the order added unless
/// two sanitised keys collide; then every label is written once per distinct key, sorted by key,
/// with the values of a key joined by `;` in the order of their groups (scope name, then entity,
/// then the point's own attributes) and, within a group, of their original keys.
/// Reuses its buffers: no allocation once they have grown to the largest label set.
class PrometheusLabelSet {
 public:
  /// Join order of colliding keys.
  enum class Group : uint8_t { kScopeName, kEntity, kPoint };

  void clear();
  /// Adds key `prefix` + sanitised `key` (append_label_key()) with the attribute's text.
  void add(std::string_view prefix, std::string_view key, AttributeValueRef value, Group group);
  /// Adds key `prefix` + sanitised `key` with `value`, which must stay valid until the next
  /// clear(); `original` is the key colliding values are ordered by within a group.
  void add_text(std::string_view prefix, std::string_view key, std::string_view value, Group group,
                std::string_view original);
  /// Appends the label text (escaped, without braces) to `out`.
  void append_to(std::string& out);

 private:
  struct Label {
    uint32_t key_begin, key_end;      // in key_buf_
    uint32_t value_begin, value_end;  // in value_buf_, unless `text`
    const char* text;                 // value given by add_text(), or null
    Group group;
    std::string_view original;
  };
  std::string_view key_of(const Label& label) const;
  std::string_view value_of(const Label& label) const;
  bool keys_collide() const;
  void append_joined(std::string& out);

  std::vector<Label> labels_;
  std::string key_buf_;
  std::string value_buf_;
  std::vector<uint32_t> order_;
};

}  // namespace coretel::prometheus
