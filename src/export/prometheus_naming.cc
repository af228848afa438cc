// prometheus_naming.cc: OpenTelemetry -> Prometheus names and label text (prometheus_naming.h),
// and the naming functions of coretel/export/prometheus_text.h.
#include "prometheus_naming.h"

#include <algorithm>
#include <utility>

#include "../metrics/number_format.h"
#include "coretel/export/prometheus_text.h"
#include "coretel/export/utf8.h"

namespace coretel {

namespace prometheus {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Appends `s` with characters outside [a-zA-Z0-9_] (and ':' when `allow_colon`) replaced by '_',
// collapsing runs of '_' within out[token_begin, end) (a prefix already there counts, so
// "otel_scope_" + "_x" gives "otel_scope_x").
void append_sanitised(std::string& out, std::string_view s, bool allow_colon,
                      std::size_t token_begin = 0) {
  for (char c : s) {
    char x = is_alnum(c) || c == '_' || (allow_colon && c == ':') ? c : '_';
    if (x == '_' && out.size() > token_begin && out.back() == '_') continue;
    out.push_back(x);
  }
}

// Whether `name` is `word` or ends with '_' + `word`.
bool ends_with_word(std::string_view name, std::string_view word) {
  if (name == word) return true;
  return name.size() > word.size() && name.ends_with(word) &&
         name[name.size() - word.size() - 1] == '_';
}

std::string_view unit_word(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
      {"d", "days"},          {"h", "hours"},         {"min", "minutes"},    {"s", "seconds"},
      {"ms", "milliseconds"}, {"us", "microseconds"}, {"ns", "nanoseconds"}, {"By", "bytes"},
      {"KiBy", "kibibytes"},  {"MiBy", "mebibytes"},  {"GiBy", "gibibytes"}, {"TiBy", "tebibytes"},
      {"KBy", "kilobytes"},   {"kBy", "kilobytes"},   {"MBy", "megabytes"},  {"GBy", "gigabytes"},
      {"TBy", "terabytes"},   {"m", "meters"},        {"V", "volts"},        {"A", "amperes"},
      {"J", "joules"},        {"W", "watts"},         {"g", "grams"},        {"Cel", "celsius"},
      {"Hz", "hertz"},        {"%", "percent"},
  };
  for (const auto& [ucum, word] : kUnits)
    if (ucum == unit) return word;
  return {};
}

std::string_view per_unit_word(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
      {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
      {"w", "week"},   {"mo", "month"}, {"y", "year"},
  };
  for (const auto& [ucum, word] : kUnits)
    if (ucum == unit) return word;
  return unit_word(unit);
}

// One side of a unit ("By", "s", "1", ""), annotations already removed.
std::string unit_part(std::string_view unit, bool per) {
  if (unit.empty() || unit == "1") return {};
  std::string_view word = per ? per_unit_word(unit) : unit_word(unit);
  std::string out;
  append_sanitised(out, word.empty() ? unit : word, false);
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace

void append_label_key(std::string& out, std::string_view prefix, std::string_view key) {
  std::size_t begin = out.size();
  out.append(prefix);
  if (prefix.empty() && !key.empty() && is_digit(key.front())) out.push_back('_');
  append_sanitised(out, key, false, begin);
  std::string_view label = std::string_view(out).substr(begin);
  if (label == "le" || label == "quantile") out.insert(begin, kReservedLabelPrefix);
}

void append_attribute_text(std::string& out, AttributeValueRef value) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    out.append(*s);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    append_i64(out, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    append_double(out, *d, NonFiniteStyle::kAttribute);
  } else {
    out.append(std::get<bool>(value) ? "true" : "false");
  }
}

void append_escaped(std::string& out, std::string_view text, bool quote) {
  std::size_t start = 0;  // start of the pending run copied as it is
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      Utf8Step step = next_utf8_step(text, i);
      if (!step.valid) {
        out.append(text.data() + start, i - start);
        out.append(kUtf8Replacement);
        start = i + step.length;
      }
      i += step.length;
      continue;
    }
    if (c == '\\' || c == '\n' || (quote && c == '"')) {
      out.append(text.data() + start, i - start);
      out.append(c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
      start = i + 1;
    }
    ++i;
  }
  out.append(text.data() + start, text.size() - start);
}

// --- PrometheusLabelSet

void PrometheusLabelSet::clear() {
  labels_.clear();
  key_buf_.clear();
  value_buf_.clear();
}

void PrometheusLabelSet::add(std::string_view prefix, std::string_view key, AttributeValueRef value,
                             Group group) {
  Label label;
  label.key_begin = static_cast<uint32_t>(key_buf_.size());
  append_label_key(key_buf_, prefix, key);
  label.key_end = static_cast<uint32_t>(key_buf_.size());
  label.value_begin = static_cast<uint32_t>(value_buf_.size());
  append_attribute_text(value_buf_, value);
  label.value_end = static_cast<uint32_t>(value_buf_.size());
  label.text = nullptr;
  label.group = group;
  label.original = key;
  labels_.push_back(label);
}

void PrometheusLabelSet::add_text(std::string_view prefix, std::string_view key,
                                  std::string_view value, Group group, std::string_view original) {
  Label label;
  label.key_begin = static_cast<uint32_t>(key_buf_.size());
  append_label_key(key_buf_, prefix, key);
  label.key_end = static_cast<uint32_t>(key_buf_.size());
  label.value_begin = 0;
  label.value_end = static_cast<uint32_t>(value.size());
  label.text = value.data();
  label.group = group;
  label.original = original;
  labels_.push_back(label);
}

std::string_view PrometheusLabelSet::key_of(const Label& label) const {
  return std::string_view(key_buf_).substr(label.key_begin, label.key_end - label.key_begin);
}

std::string_view PrometheusLabelSet::value_of(const Label& label) const {
  if (label.text != nullptr) return std::string_view(label.text, label.value_end);
  return std::string_view(value_buf_)
      .substr(label.value_begin, label.value_end - label.value_begin);
}

bool PrometheusLabelSet::keys_collide() const {
  for (std::size_t i = 0; i < labels_.size(); ++i)
    for (std::size_t j = i + 1; j < labels_.size(); ++j)
      if (key_of(labels_[i]) == key_of(labels_[j])) return true;
  return false;
}

void PrometheusLabelSet::append_to(std::string& out) {
  if (keys_collide()) {
    append_joined(out);
    return;
  }
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(key_of(labels_[i]));
    out.append("=\"");
    append_escaped(out, value_of(labels_[i]), true);
    out.push_back('"');
  }
}

// Colliding keys: one label per distinct key (sorted by key), values joined with ';' in the
// order of the original keys (scope name, then entity, then the rest).
void PrometheusLabelSet::append_joined(std::string& out) {
  order_.resize(labels_.size());
  for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    const Label& x = labels_[a];
    const Label& y = labels_[b];
    if (auto c = key_of(x) <=> key_of(y); c != 0) return c < 0;
    if (x.group != y.group) return x.group < y.group;
    return x.original < y.original;
  });
  for (std::size_t i = 0; i < order_.size(); ++i) {
    const Label& label = labels_[order_[i]];
    bool continues = i > 0 && key_of(labels_[order_[i - 1]]) == key_of(label);
    if (continues) {
      out.push_back(';');
    } else {
      if (i > 0) out.append("\",");
      out.append(key_of(label));
      out.append("=\"");
    }
    append_escaped(out, value_of(label), true);
  }
  if (!order_.empty()) out.push_back('"');
}

}  // namespace prometheus

// --- the naming functions of coretel/export/prometheus_text.h

std::string prometheus_unit_suffix(std::string_view ucum_unit) {
  // Drop every {annotation}.
  std::string unit;
  int depth = 0;
  for (char c : ucum_unit) {
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      unit.push_back(c);
    }
  }
  std::string_view u = unit;
  auto slash = u.find('/');
  if (slash == std::string_view::npos) return prometheus::unit_part(u, false);
  std::string numerator = prometheus::unit_part(u.substr(0, slash), false);
  std::string denominator = prometheus::unit_part(u.substr(slash + 1), true);
  if (denominator.empty()) return numerator;
  if (numerator.empty()) return "per_" + denominator;
  return numerator + "_per_" + denominator;
}

std::string prometheus_metric_name(const MetricsField& field) {
  using prometheus::append_sanitised;
  using prometheus::ends_with_word;
  std::string name;
  if (!field.name.empty() && prometheus::is_digit(field.name.front())) name.push_back('_');
  append_sanitised(name, field.name, true);
  std::string suffix = prometheus_unit_suffix(field.unit);
  if (!suffix.empty() && !ends_with_word(name, suffix)) {
    name.push_back('_');
    append_sanitised(name, suffix, true);
  }
  if ((field.kind == InstrumentKind::kCounter || field.kind == InstrumentKind::kObserveCounter) &&
      !ends_with_word(name, "total")) {
    append_sanitised(name, "_total", true);
  }
  return name;
}

std::string prometheus_label_key(std::string_view key) {
  std::string out;
  prometheus::append_label_key(out, {}, key);
  return out;
}

std::string prometheus_label_value(AttributeValueRef value) {
  std::string out;
  prometheus::append_attribute_text(out, value);
  return out;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  prometheus::append_escaped(out, value, true);
}

}  // namespace coretel
