#include "coretel/export/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coretel/collect/field_values.h"
#include "coretel/export/utf8.h"

namespace coretel {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// What a label key that Prometheus reserves (`le`, `quantile`) is prefixed with.
constexpr std::string_view kReservedLabelPrefix = "exported_";

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

// Appends `text` with `\` and newline escaped (and `"` too when `quote`), and each ill-formed
// UTF-8 subsequence replaced by U+FFFD (utf8.h): text format 0.0.4 is UTF-8.
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

void append_escaped_help(std::string& out, std::string_view help) {
  append_escaped(out, help, false);
}

// Appends a sanitised label key to `out`: `prefix` (already valid, e.g. "otel_scope_") then
// `key`; a key without prefix that starts with a digit gets a leading '_'.
// A sanitised key that is `le` or `quantile` becomes `exported_le` / `exported_quantile` (see
// prometheus_label_key()).
void append_label_key(std::string& out, std::string_view prefix, std::string_view key) {
  std::size_t begin = out.size();
  out.append(prefix);
  if (prefix.empty() && !key.empty() && is_digit(key.front())) out.push_back('_');
  append_sanitised(out, key, false, begin);
  std::string_view label = std::string_view(out).substr(begin);
  if (label == "le" || label == "quantile") out.insert(begin, kReservedLabelPrefix);
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
  append_escaped(out, value, true);
}

namespace {

// Upper bound of a formatted sample value: 20 characters for any 64-bit integer, 24 for a
// shortest round-trip double ("-2.2250738585072014e-308").
constexpr std::size_t kMaxValueChars = 32;

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
char* put_u64(char* p, uint64_t v) {
  return std::to_chars(p, p + kMaxValueChars, v).ptr;
}
char* put_i64(char* p, int64_t v) {
  return std::to_chars(p, p + kMaxValueChars, v).ptr;
}
char* put_double(char* p, double v) {
  if (std::isnan(v)) return put(p, "NaN");
  if (std::isinf(v)) return put(p, v > 0 ? "+Inf" : "-Inf");
  return std::to_chars(p, p + kMaxValueChars, v).ptr;
}

// Appends to a std::string through a raw cursor. The string is grown in chunks small enough to
// stay in cache (resize() zero-fills them, and they are overwritten while still cached), so
// writing costs no per-piece capacity checks; finish() trims the unused tail.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out), pos_(out.size()) {}
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  /// A cursor with room for `n` characters; pass the advanced cursor to commit().
  char* room(std::size_t n) {
    if (out_.size() - pos_ < n) out_.resize(pos_ + std::max(n, kChunk));
    return out_.data() + pos_;
  }
  void commit(const char* p) { pos_ = static_cast<std::size_t>(p - out_.data()); }
  void append(std::string_view s) { commit(put(room(s.size()), s)); }
  void finish() { out_.resize(pos_); }

 private:
  static constexpr std::size_t kChunk = 16 * 1024;
  std::string& out_;
  std::size_t pos_;
};

}  // namespace

struct PrometheusTextRenderer::Impl {
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kUnrendered = UINT32_MAX;

  // Sample names of one field, computed once per descriptor.
  struct FieldNames {
    std::string base;             // family name (scalars: with _total for counters)
    std::string min;              // Mmsc: <base>_min (a family name)
    std::string max;              // Mmsc: <base>_max (a family name)
    std::string open_base;        // sample heads: the sample name then '{'
    std::string open_bucket;      // histogram: <base>_bucket{
    std::string open_sum;         // histogram and Mmsc: <base>_sum{
    std::string open_count;       // histogram and Mmsc: <base>_count{
    std::string open_min;         // Mmsc: <base>_min{
    std::string open_max;         // Mmsc: <base>_max{
    std::vector<std::string> le;  // histogram: `,le="<bound>"} ` per bucket, +Inf last
  };
  // One exported series bucket of this scrape: its words and its label text
  // (labels[label_begin, label_begin + label_len)).
  struct Row {
    const uint64_t* words;    // the bucket's words in its view
    const uint32_t* offsets;  // word offset of each field inside a bucket
    std::size_t label_begin;
    std::size_t label_len;
  };
  struct DescriptorCache {
    const MetricsDescriptor* descriptor = nullptr;
    std::vector<FieldNames> fields;
    // Field word offsets, taken from the first series seen (every series of a descriptor has
    // them in practice; a series that differs keeps its own copy).
    std::vector<uint32_t> offsets;
    bool has_offsets = false;
    std::vector<Row> rows;  // this render's rows of this descriptor
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

  // Label text of one series bucket in `labels`; len == kUnrendered until first observed.
  struct LabelSpan {
    std::size_t begin = 0;
    uint32_t len = kUnrendered;
  };
  // The cached labels of one series: the part read on every scrape. Entries live in `entries`
  // (a slot each) and are chained per SeriesId from heads[id]: a chain holds more than one entry
  // only while an id is reused (the retired series is dropped at the end of the scrape) or when
  // views of different pipelines share ids.
  struct Entry {
    const SeriesInfo* key = nullptr;  // identity; null for a free slot
    DescriptorCache* cache = nullptr;
    const uint32_t* offsets = nullptr;
    LabelSpan* buckets = nullptr;  // measured sets (bucket_count > 1): one span per bucket
    LabelSpan span;                // plain sets: the labels of bucket 0
    uint32_t next = kNone;         // next entry with the same id
    uint32_t seen = 0;             // epoch of the last scrape that saw it
  };
  // The rest of an entry, touched only when it is created, dropped or compacted.
  struct Owner {
    // Keeps the SeriesInfo alive so that its address (Entry::key) cannot be reused while cached.
    std::shared_ptr<const SeriesInfo> info;
    std::unique_ptr<LabelSpan[]> buckets;
    std::vector<uint32_t> offsets;  // only when the series' offsets differ from its descriptor's
    SeriesId id = 0;
  };
  // One label of the series being labelled. Keys and non-measurement values live in
  // key_buf/value_buf; measurement values come from the bucket.
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

  // Series label cache.
  std::vector<uint32_t> heads;  // by SeriesId: first entry slot, or kNone
  std::vector<Entry> entries;   // by slot
  std::vector<Owner> owners;    // by slot
  std::vector<uint32_t> free_slots;
  std::string labels;         // label text of every cached series bucket, back to back
  std::size_t garbage = 0;    // bytes of `labels` no longer referenced
  std::size_t live = 0;       // entries in use
  std::size_t seen_live = 0;  // entries seen by the current scrape
  uint32_t epoch = 0;

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
      names.open_base = names.base + "{";
      if (field.kind == InstrumentKind::kHistogram) {
        names.open_bucket = names.base + "_bucket{";
        for (double bound : field.bounds) {
          std::string le = ",le=\"";
          append_double(le, bound);
          le.append("\"} ");
          names.le.push_back(std::move(le));
        }
        names.le.push_back(",le=\"+Inf\"} ");
      }
      if (field.kind == InstrumentKind::kHistogram || field.kind == InstrumentKind::kMmsc) {
        names.open_sum = names.base + "_sum{";
        names.open_count = names.base + "_count{";
      }
      if (field.kind == InstrumentKind::kMmsc) {
        names.min = names.base + "_min";
        names.max = names.base + "_max";
        names.open_min = names.min + "{";
        names.open_max = names.max + "{";
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

  // --- label text

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

  // Appends the label text of one bucket of a series (without braces) to `labels`.
  LabelSpan render_labels(const SeriesInfo& info, uint32_t bucket) {
    parts.clear();
    key_buf.clear();
    value_buf.clear();
    add_part("otel_scope_name", {}, nullptr, info.descriptor->name, -1, 0, "otel.scope.name");
    if (info.entity != nullptr)
      for (const Attribute& a : info.entity->attributes)
        add_part("otel_scope_", a.key, &a.value, {}, -1, 1, a.key);
    for (const Attribute& a : info.registration) add_part({}, a.key, &a.value, {}, -1, 2, a.key);
    for (std::size_t m = 0; m < info.measurement.size(); ++m)
      add_part({}, info.measurement[m].key, nullptr, {}, static_cast<int32_t>(m), 2,
               info.measurement[m].key);
    measurement_values.clear();
    for (const auto& attribute : info.measurement) {
      uint32_t radix = static_cast<uint32_t>(attribute.values.size());
      measurement_values.push_back(attribute.values[bucket % radix]);
      bucket /= radix;
    }
    LabelSpan span;
    span.begin = labels.size();
    if (parts_collide()) {
      append_joined(labels);
    } else {
      for (std::size_t i = 0; i < parts.size(); ++i) append_part(labels, parts[i], i == 0);
    }
    span.len = static_cast<uint32_t>(labels.size() - span.begin);
    return span;
  }

  // --- series cache

  // Caches a series first seen by this scrape (or whose id now names another series).
  uint32_t create_entry(const MetricsView& view, const SeriesView& s) {
    const SeriesInfo& info = *s.info;
    DescriptorCache& cache = cache_for(info.descriptor);
    const std::size_t field_count = info.descriptor->fields.size();
    const uint64_t* base = view.combination_words(s, 0);
    if (!cache.has_offsets) {
      for (std::size_t f = 0; f < field_count; ++f)
        cache.offsets.push_back(static_cast<uint32_t>(view.field_words(s, 0, f) - base));
      cache.has_offsets = true;
    }
    Owner owner;
    for (std::size_t f = 0; f < field_count; ++f) {
      if (static_cast<uint32_t>(view.field_words(s, 0, f) - base) == cache.offsets[f]) continue;
      for (std::size_t g = 0; g < field_count; ++g)
        owner.offsets.push_back(static_cast<uint32_t>(view.field_words(s, 0, g) - base));
      break;
    }
    Entry entry;
    entry.cache = &cache;
    entry.offsets = owner.offsets.empty() ? cache.offsets.data() : owner.offsets.data();
    if (info.combination_count > 1) {
      owner.buckets = std::make_unique<LabelSpan[]>(info.combination_count);
      entry.buckets = owner.buckets.get();
    } else {
      entry.span = render_labels(info, 0);
    }
    owner.info = s.info;
    owner.id = info.id;

    uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      entries.emplace_back();
      owners.emplace_back();
      slot = static_cast<uint32_t>(entries.size() - 1);
    }
    if (info.id >= heads.size()) heads.resize(std::size_t{info.id} + 1, kNone);
    entry.key = &info;
    entry.seen = epoch - 1;  // not yet seen by this scrape
    entry.next = heads[info.id];
    heads[info.id] = slot;
    entries[slot] = std::move(entry);
    owners[slot] = std::move(owner);
    ++live;
    return slot;
  }

  // Adds the rows of series `s` (one per observed bucket) to its descriptor's rows.
  void add_series(const MetricsView& view, const SeriesView& s) {
    const SeriesInfo* info = s.info.get();
    const SeriesId id = info->id;
    uint32_t slot = id < heads.size() ? heads[id] : kNone;
    while (slot != kNone && entries[slot].key != info) slot = entries[slot].next;
    if (slot == kNone) slot = create_entry(view, s);
    Entry& e = entries[slot];
    if (e.seen != epoch) {
      e.seen = epoch;
      ++seen_live;
    }
    std::vector<Row>& rows = e.cache->rows;
    if (e.buckets == nullptr) {
      if (view.observed(s, 0))
        rows.push_back(Row{view.combination_words(s, 0), e.offsets, e.span.begin, e.span.len});
      return;
    }
    for (uint32_t b = 0; b < info->combination_count; ++b) {
      if (!view.observed(s, b)) continue;
      LabelSpan& span = e.buckets[b];
      if (span.len == kUnrendered) span = render_labels(*info, b);
      rows.push_back(Row{view.combination_words(s, b), e.offsets, span.begin, span.len});
    }
  }

  std::size_t label_bytes(uint32_t slot) const {
    const Entry& e = entries[slot];
    if (e.buckets == nullptr) return e.span.len;
    std::size_t bytes = 0;
    for (uint32_t b = 0; b < owners[slot].info->combination_count; ++b)
      if (e.buckets[b].len != kUnrendered) bytes += e.buckets[b].len;
    return bytes;
  }

  // Drops the entries this scrape did not see (their series were retired) and compacts the
  // cache once half of it is unused, so that its memory tracks the live series.
  void drop_unseen() {
    if (seen_live != live) {
      for (uint32_t slot = 0; slot < entries.size(); ++slot) {
        Entry& e = entries[slot];
        if (e.key == nullptr || e.seen == epoch) continue;
        uint32_t* link = &heads[owners[slot].id];
        while (*link != slot) link = &entries[*link].next;
        *link = e.next;
        garbage += label_bytes(slot);
        e = Entry{};
        owners[slot] = Owner{};
        free_slots.push_back(slot);
        --live;
      }
    }
    bool sparse_labels = garbage > 4096 && garbage > labels.size() / 2;
    bool sparse_slots = free_slots.size() > 64 && free_slots.size() > entries.size() / 2;
    if (sparse_labels || sparse_slots) compact();
  }

  // Rebuilds the cache without free slots and unreferenced label text.
  void compact() {
    std::vector<Entry> new_entries;
    std::vector<Owner> new_owners;
    std::string new_labels;
    new_entries.reserve(live);
    new_owners.reserve(live);
    new_labels.reserve(labels.size() - garbage);
    auto move_span = [&](LabelSpan& span) {
      if (span.len == kUnrendered) return;
      std::size_t begin = new_labels.size();
      new_labels.append(labels, span.begin, span.len);
      span.begin = begin;
    };
    std::size_t id_end = 0;
    for (uint32_t slot = 0; slot < entries.size(); ++slot) {
      Entry& e = entries[slot];
      if (e.key == nullptr) continue;
      Owner& o = owners[slot];
      if (e.buckets == nullptr) {
        move_span(e.span);
      } else {
        for (uint32_t b = 0; b < o.info->combination_count; ++b) move_span(e.buckets[b]);
      }
      id_end = std::max(id_end, std::size_t{o.id} + 1);
      new_entries.push_back(std::move(e));
      new_owners.push_back(std::move(o));
    }
    std::vector<uint32_t> new_heads(id_end, kNone);
    for (uint32_t slot = 0; slot < new_entries.size(); ++slot) {
      SeriesId id = new_owners[slot].id;
      new_entries[slot].next = new_heads[id];
      new_heads[id] = slot;
    }
    heads = std::move(new_heads);
    entries = std::move(new_entries);
    owners = std::move(new_owners);
    labels = std::move(new_labels);
    free_slots = {};
    garbage = 0;
  }

  // --- samples

  std::string_view label_of(const Row& row) const {
    return std::string_view(labels.data() + row.label_begin, row.label_len);
  }

  template <class Format>
  void emit_scalars(TextWriter& w, std::string_view head, const std::vector<Row>& rows,
                    uint32_t field, Format format) const {
    for (const Row& row : rows) {
      char* p = w.room(head.size() + row.label_len + 3 + kMaxValueChars);
      p = put(p, head);
      p = put(p, label_of(row));
      *p++ = '}';
      *p++ = ' ';
      p = format(p, row.words[row.offsets[field]]);
      *p++ = '\n';
      w.commit(p);
    }
  }

  // `head` + labels + "} " + value + '\n'.
  void emit_double(TextWriter& w, std::string_view head, const Row& row, double v) const {
    char* p = w.room(head.size() + row.label_len + 3 + kMaxValueChars);
    p = put(p, head);
    p = put(p, label_of(row));
    *p++ = '}';
    *p++ = ' ';
    p = put_double(p, v);
    *p++ = '\n';
    w.commit(p);
  }
  void emit_u64(TextWriter& w, std::string_view head, const Row& row, std::string_view tail,
                uint64_t v) const {
    char* p = w.room(head.size() + row.label_len + tail.size() + 1 + kMaxValueChars);
    p = put(p, head);
    p = put(p, label_of(row));
    p = put(p, tail);
    p = put_u64(p, v);
    *p++ = '\n';
    w.commit(p);
  }

  void emit(TextWriter& w, const Member& member) const {
    const MetricsField& field = member.cache->descriptor->fields[member.field];
    const FieldNames& names = member.cache->fields[member.field];
    const std::vector<Row>& rows = member.cache->rows;
    const uint32_t f = member.field;
    switch (member.role) {
      case Role::kScalar:
        switch (field.value_type) {
          case ValueType::kU64:
            emit_scalars(w, names.open_base, rows, f,
                         [](char* p, uint64_t x) { return put_u64(p, x); });
            return;
          case ValueType::kI64:
            emit_scalars(w, names.open_base, rows, f,
                         [](char* p, uint64_t x) { return put_i64(p, static_cast<int64_t>(x)); });
            return;
          case ValueType::kF64:
            emit_scalars(w, names.open_base, rows, f,
                         [](char* p, uint64_t x) { return put_double(p, word_to_double(x)); });
            return;
        }
        return;
      case Role::kHistogram:
        for (const Row& row : rows) {
          HistogramValue h = read_histogram(field, row.words + row.offsets[f]);
          uint64_t cumulative = 0;
          for (std::size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            emit_u64(w, names.open_bucket, row, names.le[i], cumulative);
          }
          emit_double(w, names.open_sum, row, h.sum);
          emit_u64(w, names.open_count, row, "} ", cumulative);
        }
        return;
      case Role::kMmscSummary:
        for (const Row& row : rows) {
          MmscValue v = read_mmsc(row.words + row.offsets[f]);
          emit_double(w, names.open_sum, row, v.sum);
          emit_u64(w, names.open_count, row, "} ", v.count);
        }
        return;
      case Role::kMmscMin:
      case Role::kMmscMax: {
        const bool min = member.role == Role::kMmscMin;
        for (const Row& row : rows) {
          MmscValue v = read_mmsc(row.words + row.offsets[f]);
          if (v.count == 0) continue;
          emit_double(w, min ? names.open_min : names.open_max, row, min ? v.min : v.max);
        }
        return;
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
    ++epoch;
    seen_live = 0;
    for (DescriptorCache* cache : descriptor_order) cache->rows.clear();

    for (const MetricsViewPtr& view : views) {
      if (view == nullptr) continue;
      for (const SeriesView& s : view->series()) add_series(*view, s);
    }
    if (families_dirty) rebuild_families();

    render_target_info(resource, out);
    TextWriter w(out);
    for (const Family& family : families) {
      bool any = false;
      for (const Member& m : family.members) any = any || !m.cache->rows.empty();
      if (!any) continue;
      w.append(family.header);
      for (const Member& m : family.members) emit(w, m);
    }
    w.finish();
    last_size = out.size() - start;

    drop_unseen();
    for (DescriptorCache* cache : descriptor_order) {
      std::vector<Row>& rows = cache->rows;
      if (rows.capacity() > 1024 && rows.capacity() / 4 > rows.size()) {
        rows.clear();
        rows.shrink_to_fit();
      }
    }
  }
};

PrometheusTextRenderer::PrometheusTextRenderer() : impl_(std::make_unique<Impl>()) {}
PrometheusTextRenderer::~PrometheusTextRenderer() = default;

void PrometheusTextRenderer::render(const Resource& resource, std::span<const MetricsViewPtr> views,
                                    std::string& out) {
  impl_->render(resource, views, out);
}

}  // namespace coretel
