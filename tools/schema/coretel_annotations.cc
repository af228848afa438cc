// The parser and rules of coretel_annotations.h. What each key may hold is what
// include/coretel/metrics/instruments.h accepts (its static_asserts), read from
// kInstrumentCatalog (instrument_catalog.h).
#include "coretel_annotations.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "generate_cpp.h"

namespace coretel::schema {
namespace {

/// The coretel instruments a semconv instrument may be declared as (`coretel.instrument:`):
/// the kind of the same name first (the default), then the others in catalog order. Empty for
/// a metric without one.
std::vector<std::string_view> kinds_declarable_as(std::optional<SemconvInstrument> instrument) {
  std::vector<std::string_view> names;
  if (!instrument) return names;
  for (const InstrumentInfo& i : kInstrumentCatalog) {
    if (i.semconv_instrument != *instrument) continue;
    if (i.name == to_string(*instrument)) {
      names.insert(names.begin(), i.name);
    } else {
      names.push_back(i.name);
    }
  }
  return names;
}

/// "u64, f64": the value types of `types`, in ValueType order.
std::string value_type_names(ValueTypes types) {
  std::vector<std::string_view> names;
  for (ValueType t : {ValueType::kU64, ValueType::kI64, ValueType::kF64}) {
    if (types.contains(t)) names.push_back(to_string(t));
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// A name of the registry's naming pattern: lowercase words joined by `.` or `_`.
bool is_dotted_name(const std::string& s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  char previous = 0;
  for (char c : s) {
    bool separator = c == '.' || c == '_';
    if (!separator && !std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
    if (separator && (previous == '.' || previous == '_')) return false;
    previous = c;
  }
  return previous != '.' && previous != '_';
}

void invalid(Diagnostics& d, const SourceLocation& at, const std::string& subject,
             std::string message) {
  d.error("coretel_annotation_invalid", at, subject, std::move(message));
}

/// Parses the `coretel` annotations of one registry, reporting what is wrong with each.
class Parser {
 public:
  explicit Parser(Diagnostics& d) : d_(d) {}

  /// Signal::coretel of metric `m`.
  std::optional<CoretelMetricAnnotation> metric(const Signal& m) {
    const bool double_values = code_generation_double(m);
    if (!m.annotations.is_object() || !m.annotations.contains("coretel")) return std::nullopt;
    const Json& c = m.annotations["coretel"];
    if (!c.is_object()) {
      invalid(
          d_, m.location, m.name,
          fmt::format("metric `{}`: `coretel` annotation must be a map, not {}", m.name, c.dump()));
      return std::nullopt;
    }
    static const std::set<std::string> kKeys{"metric_set",       "field",      "instrument",
                                             "histogram_bounds", "value_type", "max_size"};
    for (const auto& [key, value] : c.items()) {
      if (!kKeys.contains(key)) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: unknown key `coretel.{}` (metric_set, field, "
                            "instrument, histogram_bounds, value_type, max_size)",
                            m.name, key));
      }
    }
    CoretelMetricAnnotation out;
    // A string that is no set name is reported, and still names the set: resolution builds it,
    // so that its members are checked together all the same.
    bool in_set = false;
    if (c.contains("metric_set")) {
      const Json& v = c["metric_set"];
      if (v.is_string()) out.metric_set = v.get<std::string>();
      if (!v.is_string() || !is_dotted_name(out.metric_set)) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.metric_set` is {}; it is a set name such as "
                            "`shop.sales`",
                            m.name, v.dump()));
      }
      in_set = v.is_string();
    }
    if (!c.contains("metric_set")) {
      for (const char* key :
           {"field", "instrument", "histogram_bounds", "value_type", "max_size"}) {
        if (c.contains(key)) {
          d_.warning("coretel_annotation_unused", m.location, m.name,
                     fmt::format("metric `{}`: `coretel.{}` has no effect on a metric that is in "
                                 "no metric set (add `coretel.metric_set`)",
                                 m.name, key));
        }
      }
    }
    if (c.contains("field")) {
      const Json& v = c["field"];
      if (v.is_string()) out.field = v.get<std::string>();
      if (!v.is_string() || !is_identifier(*out.field)) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.field` is {}; it is a C++ member name in "
                            "snake_case ([a-z_][a-z0-9_]*)",
                            m.name, v.dump()));
      }
    }
    // The kind, and its name for messages (the semconv instrument's when it has no kind).
    std::optional<InstrumentKind> kind;
    std::string kind_name = instrument_text(m.instrument);
    const std::vector<std::string_view> allowed = kinds_declarable_as(m.instrument);
    if (!allowed.empty()) kind = instrument_kind_named(allowed.front());
    if (c.contains("instrument")) {
      const Json& v = c["instrument"];
      if (!v.is_string()) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.instrument` is {}; it is a string", m.name,
                            v.dump()));
      } else if (!allowed.empty() && std::find(allowed.begin(), allowed.end(),
                                               v.get_ref<const std::string&>()) == allowed.end()) {
        d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
                 fmt::format("metric `{}`: a semconv `{}` can be the coretel instrument {}, "
                             "not `{}`",
                             m.name, instrument_text(m.instrument), fmt::join(allowed, ", "),
                             v.get_ref<const std::string&>()));
      } else {
        kind_name = v.get<std::string>();
        kind = instrument_kind_named(kind_name);
      }
    }
    if (in_set && !kind) {
      // Only a registry the reader already rejected, or a published one, gets here.
      d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
               fmt::format("metric `{}`: a metric set member is a semconv counter, "
                           "updowncounter, gauge or histogram, and `{}` has no coretel "
                           "instrument",
                           m.name, kind_name));
    }
    out.instrument = kind.value_or(InstrumentKind::kCounter);
    out.value_type = double_values ? ValueType::kF64 : info(out.instrument).default_value_type;
    if (c.contains("value_type")) {
      const Json& v = c["value_type"];
      std::optional<ValueType> type =
          v.is_string() ? value_type_named(v.get_ref<const std::string&>()) : std::nullopt;
      if (!type) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.value_type` is {}; it is u64, i64 or f64",
                            m.name, v.dump()));
      } else if (kind && !info(*kind).value_types.contains(*type)) {
        d_.error(
            "coretel_metric_set_instrument_mismatch", m.location, m.name,
            info(*kind).value_types.empty()
                ? fmt::format("metric `{}`: a coretel `{}` takes no `value_type` (it "
                              "records doubles)",
                              m.name, kind_name)
                : fmt::format("metric `{}`: a coretel `{}` holds {}, not `{}`", m.name, kind_name,
                              value_type_names(info(*kind).value_types), to_string(*type)));
      } else {
        out.value_type = *type;
      }
    }
    if (kind == InstrumentKind::kHistogram) out.histogram_bounds = kDefaultHistogramBounds;
    if (c.contains("histogram_bounds")) {
      histogram_bounds(m, kind, kind_name, c["histogram_bounds"], out.histogram_bounds);
    }
    if (kind == InstrumentKind::kExponentialHistogram)
      out.max_size = kDefaultExponentialHistogramSize;
    if (c.contains("max_size")) max_size(m, kind, kind_name, c["max_size"], out.max_size);
    if (!in_set) return std::nullopt;
    return out;
  }

  /// CatalogAttribute::coretel of `a`.
  CoretelAttributeAnnotation attribute(const CatalogAttribute& a) {
    CoretelAttributeAnnotation out;
    if (!a.annotations.is_object() || !a.annotations.contains("coretel")) return out;
    const Json& c = a.annotations["coretel"];
    if (!c.is_object()) {
      invalid(d_, a.location, a.key,
              fmt::format("attribute `{}`: `coretel` annotation must be a map, not {}", a.key,
                          c.dump()));
      return out;
    }
    for (const auto& [key, value] : c.items()) {
      if (key != "measurement" && key != "registration") {
        invalid(d_, a.location, a.key,
                fmt::format("attribute `{}`: unknown key `coretel.{}` (measurement, registration)",
                            a.key, key));
      } else if (!value.is_boolean()) {
        invalid(d_, a.location, a.key,
                fmt::format("attribute `{}`: `coretel.{}` is {}; it is true or false", a.key, key,
                            value.dump()));
      } else {
        (key == "measurement" ? out.measurement : out.registration) = value.get<bool>();
      }
    }
    if (out.measurement && out.registration) {
      invalid(d_, a.location, a.key,
              fmt::format("attribute `{}`: `coretel.measurement` and `coretel.registration` are "
                          "both true; an attribute is chosen per record or at registration",
                          a.key));
      out = {};  // the entity tuple: one finding, not one more per placement rule
    }
    return out;
  }

 private:
  /// True when `code_generation.metric_value_type` is `double`; reports a value other than
  /// `int` or `double`.
  bool code_generation_double(const Signal& m) {
    if (!m.annotations.is_object() || !m.annotations.contains("code_generation")) return false;
    const Json& c = m.annotations["code_generation"];
    if (!c.is_object() || !c.contains("metric_value_type")) return false;
    const Json& v = c["metric_value_type"];
    if (!v.is_string() || (v != "int" && v != "double")) {
      invalid(d_, m.location, m.name,
              fmt::format("metric `{}`: `code_generation.metric_value_type` is {}; it is `int` "
                          "or `double`",
                          m.name, v.dump()));
      return false;
    }
    return v == "double";
  }

  /// Parses `coretel.max_size` into `size` when it is valid (else leaves it).
  void max_size(const Signal& m, std::optional<InstrumentKind> kind, const std::string& kind_name,
                const Json& v, std::size_t& size) {
    if (kind != InstrumentKind::kExponentialHistogram) {
      d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
               fmt::format("metric `{}`: `coretel.max_size` needs an exponential_histogram, and "
                           "this metric is a coretel `{}`",
                           m.name, kind_name));
      return;
    }
    if (!v.is_number_integer() || v.get<int64_t>() < int64_t{kMinExponentialHistogramSize} ||
        v.get<int64_t>() > int64_t{kMaxExponentialHistogramSize}) {
      invalid(d_, m.location, m.name,
              fmt::format("metric `{}`: `coretel.max_size` is {}; it is an integer from {} to {} "
                          "(buckets per range)",
                          m.name, v.dump(), kMinExponentialHistogramSize,
                          kMaxExponentialHistogramSize));
      return;
    }
    size = static_cast<std::size_t>(v.get<int64_t>());
  }

  /// Parses `coretel.histogram_bounds` into `bounds` when it is valid (else leaves it).
  void histogram_bounds(const Signal& m, std::optional<InstrumentKind> kind,
                        const std::string& kind_name, const Json& v, std::vector<double>& bounds) {
    if (kind != InstrumentKind::kHistogram) {
      d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
               fmt::format("metric `{}`: `coretel.histogram_bounds` needs a histogram, and this "
                           "metric is a coretel `{}`",
                           m.name, kind_name));
      return;
    }
    if (!v.is_array() || v.empty() || v.size() > kMaxHistogramBounds) {
      invalid(d_, m.location, m.name,
              fmt::format("metric `{}`: `coretel.histogram_bounds` is a list of 1 to {} numbers",
                          m.name, kMaxHistogramBounds));
      return;
    }
    std::vector<double> parsed;
    double previous = -INFINITY;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_number() || !std::isfinite(v[i].get<double>())) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.histogram_bounds[{}]` is {}; bounds are "
                            "finite numbers",
                            m.name, i, v[i].dump()));
        return;
      }
      double bound = v[i].get<double>();
      if (bound <= previous) {
        invalid(d_, m.location, m.name,
                fmt::format("metric `{}`: `coretel.histogram_bounds` must be strictly "
                            "increasing; [{}] = {} follows {}",
                            m.name, i, bound, previous));
        return;
      }
      parsed.push_back(bound);
      previous = bound;
    }
    bounds = std::move(parsed);
  }

  Diagnostics& d_;
};

/// The rules across the members of a metric set.
class SetRules {
 public:
  SetRules(const ResolvedRegistry& r, Diagnostics& d) : r_(r), d_(d) {}

  void run() {
    for (const MetricSet& set : r_.metric_sets) {
      fields(set);
      measurements(set);
    }
  }

 private:
  void fields(const MetricSet& set) {
    std::map<std::string, const Signal*> by_field;
    for (std::size_t index : set.metrics) {
      const Signal& m = r_.metrics[index];
      auto [it, inserted] = by_field.emplace(metric_set_field_name(set, m), &m);
      if (!inserted) {
        d_.error("coretel_metric_set_field_collision", m.location, m.name,
                 fmt::format("metric `{}` and metric `{}` of metric set `{}` both become the "
                             "C++ member `{}`; set `coretel: {{field: NAME}}` on one of them",
                             it->second->name, m.name, set.name, it->first));
      }
    }
  }

  void measurements(const MetricSet& set) {
    for (const AttributeRef& ref : set.measurement_attributes) {
      const CatalogAttribute& a = r_.attribute(ref);
      if (!a.type.is_enum()) {
        d_.error("coretel_metric_set_measurement_not_enum", set.location, a.key,
                 fmt::format("measurement attribute `{}` of metric set `{}` must be an enum "
                             "(its values bound the set's cardinality)",
                             a.key, set.name));
        continue;
      }
      bool strings = !a.type.members.empty() &&
                     std::all_of(a.type.members.begin(), a.type.members.end(),
                                 [](const EnumMember& m) { return m.value.is_string(); });
      if (!strings) {
        d_.error("coretel_metric_set_measurement_not_enum", a.location, a.key,
                 fmt::format("measurement attribute `{}` of metric set `{}` must be an enum "
                             "with at least one member and string values (each value is a "
                             "bucket and its label)",
                             a.key, set.name));
      }
    }
  }

  const ResolvedRegistry& r_;
  Diagnostics& d_;
};

}  // namespace

void parse_coretel_annotations(ResolvedRegistry& registry, Diagnostics& diagnostics) {
  Parser parser(diagnostics);
  for (Signal& m : registry.metrics) m.coretel = parser.metric(m);
  // Catalog variants of one key share their annotations unless a reference overrode them:
  // parse (and report) each distinct annotation once.
  std::map<std::pair<std::string, std::string>, CoretelAttributeAnnotation> parsed;
  for (CatalogAttribute& a : registry.catalog) {
    auto [it, inserted] = parsed.try_emplace({a.key, a.annotations.dump()});
    if (inserted) it->second = parser.attribute(a);
    a.coretel = it->second;
  }
}

void check_coretel_annotations(const ResolvedRegistry& registry, Diagnostics& diagnostics) {
  SetRules(registry, diagnostics).run();
}

}  // namespace coretel::schema
