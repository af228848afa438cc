#include "coretel/export/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coretel/collect/field_values.h"

namespace coretel {

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

void append_u64(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void append_i64(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// Sample values: shortest round-trip, with Prometheus' spellings of the special values.
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
  }
}

void append_scalar(std::string& out, ValueType type, uint64_t word) {
  switch (type) {
    case ValueType::kU64:
      append_u64(out, word);
      return;
    case ValueType::kI64:
      append_i64(out, static_cast<int64_t>(word));
      return;
    case ValueType::kF64:
      append_double(out, word_to_double(word));
      return;
  }
}

// Attribute values as label text (unescaped). OTel spec,
// compatibility/prometheus_and_openmetrics.md.
void append_attribute_text(std::string& out, const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    out.append(*s);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    append_i64(out, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    if (std::isnan(*d)) {
      out.append("NaN");
    } else if (std::isinf(*d)) {
      out.append(*d > 0 ? "Infinity" : "-Infinity");
    } else {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), *d);
      out.append(buf, r.ptr);
    }
  } else {
    out.append(std::get<bool>(value) ? "true" : "false");
  }
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

// Appends a sanitised label key to `out`: `prefix` (already valid, e.g. "otel_scope_") then
// `key`; a key without prefix that starts with a digit gets a leading '_'.
void append_label_key(std::string& out, std::string_view prefix, std::string_view key) {
  std::size_t begin = out.size();
  out.append(prefix);
  if (prefix.empty() && !key.empty() && is_digit(key.front())) out.push_back('_');
  append_sanitised(out, key, false, begin);
}

enum class FamilyType : uint8_t { kCounter, kGauge, kHistogram, kSummary };
enum class Role : uint8_t { kScalar, kHistogram, kMmscSummary, kMmscMin, kMmscMax };

std::string_view to_string(FamilyType type) {
  switch (type) {
    case FamilyType::kCounter:
      return "counter";
    case FamilyType::kGauge:
      return "gauge";
    case FamilyType::kHistogram:
      return "histogram";
    case FamilyType::kSummary:
      return "summary";
  }
  return "untyped";
}

}  // namespace

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
  if (slash == std::string_view::npos) return unit_part(u, false);
  std::string numerator = unit_part(u.substr(0, slash), false);
  std::string denominator = unit_part(u.substr(slash + 1), true);
  if (denominator.empty()) return numerator;
  if (numerator.empty()) return "per_" + denominator;
  return numerator + "_per_" + denominator;
}

std::string prometheus_metric_name(const MetricsField& field) {
  std::string name;
  if (!field.name.empty() && is_digit(field.name.front())) name.push_back('_');
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
  append_label_key(out, {}, key);
  return out;
}

std::string prometheus_label_value(const AttributeValue& value) {
  std::string out;
  append_attribute_text(out, value);
  return out;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.data() + start, i - start);
    out.append(c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
    start = i + 1;
  }
  out.append(value.data() + start, value.size() - start);
}

struct PrometheusTextRenderer::Impl {
  // Sample names of one field, computed once per descriptor.
  struct FieldNames {
    std::string base;             // family name (scalars: with _total for counters)
    std::string bucket;           // histogram: <base>_bucket
    std::string sum;              // histogram and Mmsc: <base>_sum
    std::string count;            // histogram and Mmsc: <base>_count
    std::string min;              // Mmsc: <base>_min
    std::string max;              // Mmsc: <base>_max
    std::vector<std::string> le;  // histogram: `,le="<bound>"} ` per bucket, +Inf last
  };
  struct DescriptorCache {
    const MetricsDescriptor* descriptor = nullptr;
    std::vector<FieldNames> fields;
    std::vector<std::size_t> rows;  // this render's rows of this descriptor
  };
  struct Member {
    DescriptorCache* cache;
    uint32_t field;
    Role role;
  };
  struct Family {
    FamilyType type;
    std::string header;  // # HELP and # TYPE lines
    std::vector<Member> members;
  };
  // One exported series bucket: its words and its label text (labels_[begin, end)).
  struct Row {
    const MetricsView* view;
    const SeriesView* series;
    uint32_t bucket;
    std::size_t label_begin, label_end;
  };
  // One label of the series being labelled. Keys and non-measurement values live in
  // key_buf_/value_buf_; measurement values come from the bucket.
  struct Part {
    uint32_t key_begin, key_end;
    uint32_t value_begin, value_end;
    int32_t measurement;  // index into SeriesInfo::measurement, or -1
    uint8_t group;        // 0 scope name, 1 entity, 2 registration and measurement
    std::string_view original;
  };

  std::unordered_map<const MetricsDescriptor*, std::unique_ptr<DescriptorCache>> descriptors;
  std::vector<DescriptorCache*> descriptor_order;  // first seen first
  std::vector<Family> families;                    // sorted by name
  bool families_dirty = false;

  std::vector<Row> rows;
  std::string labels;
  std::size_t last_size = 0;

  std::vector<Part> parts;
  std::string key_buf;
  std::string value_buf;
  std::vector<std::string_view> measurement_values;
  std::vector<uint32_t> order;

  DescriptorCache& cache_for(const MetricsDescriptor* descriptor) {
    auto it = descriptors.find(descriptor);
    if (it != descriptors.end()) return *it->second;
    auto cache = std::make_unique<DescriptorCache>();
    cache->descriptor = descriptor;
    for (const MetricsField& field : descriptor->fields) {
      FieldNames names;
      names.base = prometheus_metric_name(field);
      if (field.kind == InstrumentKind::kHistogram) {
        names.bucket = names.base + "_bucket";
        for (double bound : field.bounds) {
          std::string le = ",le=\"";
          append_double(le, bound);
          le.append("\"} ");
          names.le.push_back(std::move(le));
        }
        names.le.push_back(",le=\"+Inf\"} ");
      }
      if (field.kind == InstrumentKind::kHistogram || field.kind == InstrumentKind::kMmsc) {
        names.sum = names.base + "_sum";
        names.count = names.base + "_count";
      }
      if (field.kind == InstrumentKind::kMmsc) {
        names.min = names.base + "_min";
        names.max = names.base + "_max";
      }
      cache->fields.push_back(std::move(names));
    }
    DescriptorCache& ref = *cache;
    descriptors.emplace(descriptor, std::move(cache));
    descriptor_order.push_back(&ref);
    families_dirty = true;
    return ref;
  }

  void rebuild_families() {
    std::map<std::string, Family, std::less<>> by_name;
    auto add = [&](const std::string& name, FamilyType type, std::string_view brief,
                   DescriptorCache* cache, uint32_t field, Role role) {
      auto [it, inserted] = by_name.try_emplace(name);
      Family& family = it->second;
      if (inserted) {
        family.type = type;
        family.header = "# HELP " + name + " ";
        append_escaped_help(family.header, brief);
        family.header.append("\n# TYPE ").append(name).append(" ");
        family.header.append(to_string(type)).append("\n");
      } else {
        // Conflicting TYPE: the family seen later is dropped. Within one descriptor, two fields
        // mapping to one name would duplicate every series: the later field is dropped.
        if (family.type != type) return;
        for (const Member& m : family.members)
          if (m.cache == cache) return;
      }
      family.members.push_back({cache, field, role});
    };
    for (DescriptorCache* cache : descriptor_order) {
      const auto& fields = cache->descriptor->fields;
      for (uint32_t f = 0; f < fields.size(); ++f) {
        const MetricsField& field = fields[f];
        const FieldNames& names = cache->fields[f];
        switch (field.kind) {
          case InstrumentKind::kCounter:
          case InstrumentKind::kObserveCounter:
            add(names.base, FamilyType::kCounter, field.brief, cache, f, Role::kScalar);
            break;
          case InstrumentKind::kUpDownCounter:
          case InstrumentKind::kObserveUpDownCounter:
          case InstrumentKind::kGauge:
            add(names.base, FamilyType::kGauge, field.brief, cache, f, Role::kScalar);
            break;
          case InstrumentKind::kHistogram:
            add(names.base, FamilyType::kHistogram, field.brief, cache, f, Role::kHistogram);
            break;
          case InstrumentKind::kMmsc:
            add(names.base, FamilyType::kSummary, field.brief, cache, f, Role::kMmscSummary);
            add(names.min, FamilyType::kGauge, field.brief, cache, f, Role::kMmscMin);
            add(names.max, FamilyType::kGauge, field.brief, cache, f, Role::kMmscMax);
            break;
        }
      }
    }
    families.clear();
    families.reserve(by_name.size());
    for (auto& [name, family] : by_name) families.push_back(std::move(family));
    families_dirty = false;
  }

  // --- labels

  // Adds a label: key `key_prefix` + sanitised `key`; value `text` (or the attribute's text,
  // or, for a measurement attribute, the bucket's value).
  void add_part(std::string_view key_prefix, std::string_view key, const AttributeValue* value,
                std::string_view text, int32_t measurement, uint8_t group,
                std::string_view original) {
    Part p;
    p.key_begin = static_cast<uint32_t>(key_buf.size());
    append_label_key(key_buf, key_prefix, key);
    p.key_end = static_cast<uint32_t>(key_buf.size());
    p.value_begin = static_cast<uint32_t>(value_buf.size());
    if (value != nullptr) {
      append_attribute_text(value_buf, *value);
    } else {
      value_buf.append(text);
    }
    p.value_end = static_cast<uint32_t>(value_buf.size());
    p.measurement = measurement;
    p.group = group;
    p.original = original;
    parts.push_back(p);
  }

  std::string_view key_of(const Part& p) const {
    return std::string_view(key_buf).substr(p.key_begin, p.key_end - p.key_begin);
  }
  std::string_view value_of(const Part& p) const {
    if (p.measurement >= 0) return measurement_values[static_cast<std::size_t>(p.measurement)];
    return std::string_view(value_buf).substr(p.value_begin, p.value_end - p.value_begin);
  }

  bool parts_collide() const {
    for (std::size_t i = 0; i < parts.size(); ++i)
      for (std::size_t j = i + 1; j < parts.size(); ++j)
        if (key_of(parts[i]) == key_of(parts[j])) return true;
    return false;
  }

  void append_part(std::string& out, const Part& p, bool first) const {
    if (!first) out.push_back(',');
    out.append(key_of(p));
    out.append("=\"");
    append_escaped_label_value(out, value_of(p));
    out.push_back('"');
  }

  // Colliding keys: one label per distinct key (sorted by key), values joined with ';' in the
  // order of the original keys (scope name, then entity, then the rest).
  void append_joined(std::string& out) {
    order.resize(parts.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Part& x = parts[a];
      const Part& y = parts[b];
      if (auto c = key_of(x) <=> key_of(y); c != 0) return c < 0;
      if (x.group != y.group) return x.group < y.group;
      return x.original < y.original;
    });
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Part& p = parts[order[i]];
      bool continues = i > 0 && key_of(parts[order[i - 1]]) == key_of(p);
      if (continues) {
        out.push_back(';');
      } else {
        if (i > 0) out.append("\",");
        out.append(key_of(p));
        out.append("=\"");
      }
      append_escaped_label_value(out, value_of(p));
    }
    if (!order.empty()) out.push_back('"');
  }

  void fill_measurement_values(const SeriesInfo& info, uint32_t bucket) {
    measurement_values.clear();
    for (const auto& attribute : info.measurement) {
      uint32_t radix = static_cast<uint32_t>(attribute.values.size());
      measurement_values.push_back(attribute.values[bucket % radix]);
      bucket /= radix;
    }
  }

  // Adds one row per observed bucket of `s`, with its label text built once.
  void add_series(const MetricsView& view, const SeriesView& s, DescriptorCache& cache) {
    const SeriesInfo& info = *s.info;
    parts.clear();
    key_buf.clear();
    value_buf.clear();
    add_part("otel_scope_name", {}, nullptr, info.descriptor->name, -1, 0, "otel.scope.name");
    if (info.entity != nullptr)
      for (const Attribute& a : info.entity->attributes)
        add_part("otel_scope_", a.key, &a.value, {}, -1, 1, a.key);
    for (const Attribute& a : info.registration) add_part({}, a.key, &a.value, {}, -1, 2, a.key);
    std::size_t fixed = parts.size();
    for (std::size_t m = 0; m < info.measurement.size(); ++m)
      add_part({}, info.measurement[m].key, nullptr, {}, static_cast<int32_t>(m), 2,
               info.measurement[m].key);
    bool collide = parts_collide();

    std::size_t prefix_begin = 0, prefix_len = 0;
    bool have_prefix = false;
    for (uint32_t b = 0; b < info.bucket_count; ++b) {
      if (!view.observed(s, b)) continue;
      fill_measurement_values(info, b);
      std::size_t begin = labels.size();
      if (collide) {
        append_joined(labels);
      } else {
        if (have_prefix) {
          labels.append(labels, prefix_begin, prefix_len);
        } else {
          for (std::size_t i = 0; i < fixed; ++i) append_part(labels, parts[i], i == 0);
          prefix_begin = begin;
          prefix_len = labels.size() - begin;
          have_prefix = true;
        }
        for (std::size_t i = fixed; i < parts.size(); ++i) append_part(labels, parts[i], i == 0);
      }
      cache.rows.push_back(rows.size());
      rows.push_back(Row{&view, &s, b, begin, labels.size()});
    }
  }

  // --- samples

  void sample_head(std::string& out, const std::string& name, const Row& row) const {
    out.append(name);
    out.push_back('{');
    out.append(labels, row.label_begin, row.label_end - row.label_begin);
  }

  void emit(std::string& out, const Member& member) const {
    const MetricsField& field = member.cache->descriptor->fields[member.field];
    const FieldNames& names = member.cache->fields[member.field];
    for (std::size_t index : member.cache->rows) {
      const Row& row = rows[index];
      const uint64_t* w = row.view->field_words(*row.series, row.bucket, member.field);
      switch (member.role) {
        case Role::kScalar:
          sample_head(out, names.base, row);
          out.append("} ");
          append_scalar(out, field.value_type, w[0]);
          out.push_back('\n');
          break;
        case Role::kHistogram: {
          HistogramValue h = read_histogram(field, w);
          uint64_t cumulative = 0;
          for (std::size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            sample_head(out, names.bucket, row);
            out.append(names.le[i]);
            append_u64(out, cumulative);
            out.push_back('\n');
          }
          sample_head(out, names.sum, row);
          out.append("} ");
          append_double(out, h.sum);
          out.push_back('\n');
          sample_head(out, names.count, row);
          out.append("} ");
          append_u64(out, cumulative);
          out.push_back('\n');
          break;
        }
        case Role::kMmscSummary: {
          MmscValue v = read_mmsc(w);
          sample_head(out, names.sum, row);
          out.append("} ");
          append_double(out, v.sum);
          out.push_back('\n');
          sample_head(out, names.count, row);
          out.append("} ");
          append_u64(out, v.count);
          out.push_back('\n');
          break;
        }
        case Role::kMmscMin:
        case Role::kMmscMax: {
          MmscValue v = read_mmsc(w);
          if (v.count == 0) break;
          bool min = member.role == Role::kMmscMin;
          sample_head(out, min ? names.min : names.max, row);
          out.append("} ");
          append_double(out, min ? v.min : v.max);
          out.push_back('\n');
          break;
        }
      }
    }
  }

  void render_target_info(const Resource& resource, std::string& out) {
    if (resource.attributes.empty()) return;
    parts.clear();
    key_buf.clear();
    value_buf.clear();
    for (const Attribute& a : resource.attributes) add_part({}, a.key, &a.value, {}, -1, 2, a.key);
    out.append("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{");
    if (parts_collide()) {
      append_joined(out);
    } else {
      for (std::size_t i = 0; i < parts.size(); ++i) append_part(out, parts[i], i == 0);
    }
    out.append("} 1\n");
  }

  void render(const Resource& resource, std::span<const MetricsViewPtr> views, std::string& out) {
    std::size_t start = out.size();
    out.reserve(start + last_size + last_size / 8);
    rows.clear();
    labels.clear();
    for (DescriptorCache* cache : descriptor_order) cache->rows.clear();

    const MetricsDescriptor* last_descriptor = nullptr;
    DescriptorCache* last_cache = nullptr;
    for (const MetricsViewPtr& view : views) {
      if (view == nullptr) continue;
      for (const SeriesView& s : view->series()) {
        const MetricsDescriptor* descriptor = s.info->descriptor;
        if (descriptor != last_descriptor) {
          last_cache = &cache_for(descriptor);
          last_descriptor = descriptor;
        }
        add_series(*view, s, *last_cache);
      }
    }
    if (families_dirty) rebuild_families();

    render_target_info(resource, out);
    for (const Family& family : families) {
      bool any = false;
      for (const Member& m : family.members) any = any || !m.cache->rows.empty();
      if (!any) continue;
      out.append(family.header);
      for (const Member& m : family.members) emit(out, m);
    }
    last_size = out.size() - start;
  }
};

PrometheusTextRenderer::PrometheusTextRenderer() : impl_(std::make_unique<Impl>()) {}
PrometheusTextRenderer::~PrometheusTextRenderer() = default;

void PrometheusTextRenderer::render(const Resource& resource, std::span<const MetricsViewPtr> views,
                                    std::string& out) {
  impl_->render(resource, views, out);
}

}  // namespace coretel
