// The rules of coretel_annotations.h. What each key may hold mirrors what generate_cpp.cc
// reads and what include/coretel/metrics/instruments.h accepts (its static_asserts).
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

constexpr std::size_t kMaxHistogramBounds = 64;  // coretel::Histogram: 1 to 64 bounds

/// The coretel instruments each semconv instrument may be declared as (`instrument:`).
const std::map<std::string_view, std::vector<std::string_view>>& allowed_instruments() {
  static const std::map<std::string_view, std::vector<std::string_view>> kAllowed{
      {"counter", {"counter", "observe_counter"}},
      {"updowncounter", {"updowncounter", "observe_updowncounter"}},
      {"gauge", {"gauge"}},
      {"histogram", {"histogram", "mmsc"}},
  };
  return kAllowed;
}

/// The value types each coretel instrument holds (`value_type:`); empty: it takes none.
const std::map<std::string_view, std::vector<std::string_view>>& value_types() {
  static const std::map<std::string_view, std::vector<std::string_view>> kTypes{
      {"counter", {"u64", "f64"}},
      {"observe_counter", {"u64", "f64"}},
      {"updowncounter", {"i64", "f64"}},
      {"observe_updowncounter", {"i64", "f64"}},
      {"gauge", {"u64", "i64", "f64"}},
      {"histogram", {}},
      {"mmsc", {}},
  };
  return kTypes;
}

std::string joined(const std::vector<std::string_view>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

bool contains(const std::vector<std::string_view>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
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

class Rules {
 public:
  Rules(const ResolvedRegistry& r, Diagnostics& d) : r_(r), d_(d) {}

  void run() {
    for (const Signal& m : r_.metrics) metric(m);
    // Catalog variants of one key share their annotations unless a reference overrode them:
    // check each distinct annotation once.
    std::set<std::pair<std::string, std::string>> seen;
    for (const CatalogAttribute& a : r_.catalog) {
      if (seen.insert({a.key, a.annotations.dump()}).second) attribute(a);
    }
    for (const MetricSet& set : r_.metric_sets) {
      fields(set);
      measurements(set);
    }
  }

 private:
  void invalid(const SourceLocation& at, const std::string& subject, std::string message) {
    d_.error("coretel_annotation_invalid", at, subject, std::move(message));
  }

  void code_generation(const Signal& m) {
    if (!m.annotations.is_object() || !m.annotations.contains("code_generation")) return;
    const Json& c = m.annotations["code_generation"];
    if (!c.is_object() || !c.contains("metric_value_type")) return;
    const Json& v = c["metric_value_type"];
    if (!v.is_string() || (v != "int" && v != "double")) {
      invalid(m.location, m.name,
              fmt::format("metric `{}`: `code_generation.metric_value_type` is {}; it is `int` "
                          "or `double`",
                          m.name, v.dump()));
    }
  }

  void metric(const Signal& m) {
    code_generation(m);
    if (!m.annotations.is_object() || !m.annotations.contains("coretel")) return;
    const Json& c = m.annotations["coretel"];
    if (!c.is_object()) {
      invalid(
          m.location, m.name,
          fmt::format("metric `{}`: `coretel` annotation must be a map, not {}", m.name, c.dump()));
      return;
    }
    static const std::set<std::string> kKeys{"metric_set", "field", "instrument",
                                             "histogram_bounds", "value_type"};
    for (const auto& [key, value] : c.items()) {
      if (!kKeys.contains(key)) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: unknown key `coretel.{}` (metric_set, field, "
                            "instrument, histogram_bounds, value_type)",
                            m.name, key));
      }
    }
    bool in_set = false;
    if (c.contains("metric_set")) {
      const Json& v = c["metric_set"];
      if (!v.is_string() || !is_dotted_name(v.get_ref<const std::string&>())) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.metric_set` is {}; it is a set name such as "
                            "`shop.sales`",
                            m.name, v.dump()));
      } else {
        in_set = true;
      }
    }
    if (!in_set) {
      for (const char* key : {"field", "instrument", "histogram_bounds", "value_type"}) {
        if (c.contains(key) && !c.contains("metric_set")) {
          d_.warning("coretel_annotation_unused", m.location, m.name,
                     fmt::format("metric `{}`: `coretel.{}` has no effect on a metric that is in "
                                 "no metric set (add `coretel.metric_set`)",
                                 m.name, key));
        }
      }
    }
    if (c.contains("field")) {
      const Json& v = c["field"];
      if (!v.is_string() || !is_identifier(v.get_ref<const std::string&>())) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.field` is {}; it is a C++ member name in "
                            "snake_case ([a-z_][a-z0-9_]*)",
                            m.name, v.dump()));
      }
    }
    std::string instrument = m.instrument;
    if (c.contains("instrument")) {
      const Json& v = c["instrument"];
      auto allowed = allowed_instruments().find(m.instrument);
      if (!v.is_string()) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.instrument` is {}; it is a string", m.name,
                            v.dump()));
      } else if (allowed != allowed_instruments().end() &&
                 !contains(allowed->second, v.get_ref<const std::string&>())) {
        d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
                 fmt::format("metric `{}`: a semconv `{}` can be the coretel instrument {}, "
                             "not `{}`",
                             m.name, m.instrument, joined(allowed->second),
                             v.get_ref<const std::string&>()));
      } else {
        instrument = v.get<std::string>();
      }
    }
    if (c.contains("value_type")) {
      const Json& v = c["value_type"];
      auto types = value_types().find(instrument);
      if (!v.is_string() || (v != "u64" && v != "i64" && v != "f64")) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.value_type` is {}; it is u64, i64 or f64",
                            m.name, v.dump()));
      } else if (types != value_types().end() &&
                 !contains(types->second, v.get_ref<const std::string&>())) {
        d_.error(
            "coretel_metric_set_instrument_mismatch", m.location, m.name,
            types->second.empty()
                ? fmt::format("metric `{}`: a coretel `{}` takes no `value_type` (it "
                              "records doubles)",
                              m.name, instrument)
                : fmt::format("metric `{}`: a coretel `{}` holds {}, not `{}`", m.name, instrument,
                              joined(types->second), v.get_ref<const std::string&>()));
      }
    }
    if (c.contains("histogram_bounds")) histogram_bounds(m, instrument, c["histogram_bounds"]);
  }

  void histogram_bounds(const Signal& m, const std::string& instrument, const Json& v) {
    if (instrument != "histogram") {
      d_.error("coretel_metric_set_instrument_mismatch", m.location, m.name,
               fmt::format("metric `{}`: `coretel.histogram_bounds` needs a histogram, and this "
                           "metric is a coretel `{}`",
                           m.name, instrument));
      return;
    }
    if (!v.is_array() || v.empty() || v.size() > kMaxHistogramBounds) {
      invalid(m.location, m.name,
              fmt::format("metric `{}`: `coretel.histogram_bounds` is a list of 1 to {} numbers",
                          m.name, kMaxHistogramBounds));
      return;
    }
    double previous = -INFINITY;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_number() || !std::isfinite(v[i].get<double>())) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.histogram_bounds[{}]` is {}; bounds are "
                            "finite numbers",
                            m.name, i, v[i].dump()));
        return;
      }
      double bound = v[i].get<double>();
      if (bound <= previous) {
        invalid(m.location, m.name,
                fmt::format("metric `{}`: `coretel.histogram_bounds` must be strictly "
                            "increasing; [{}] = {} follows {}",
                            m.name, i, bound, previous));
        return;
      }
      previous = bound;
    }
  }

  void attribute(const CatalogAttribute& a) {
    if (!a.annotations.is_object() || !a.annotations.contains("coretel")) return;
    const Json& c = a.annotations["coretel"];
    if (!c.is_object()) {
      invalid(a.location, a.key,
              fmt::format("attribute `{}`: `coretel` annotation must be a map, not {}", a.key,
                          c.dump()));
      return;
    }
    for (const auto& [key, value] : c.items()) {
      if (key != "measurement") {
        invalid(a.location, a.key,
                fmt::format("attribute `{}`: unknown key `coretel.{}` (measurement)", a.key, key));
      } else if (!value.is_boolean()) {
        invalid(a.location, a.key,
                fmt::format("attribute `{}`: `coretel.measurement` is {}; it is true or false",
                            a.key, value.dump()));
      }
    }
  }

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

void check_coretel_annotations(const ResolvedRegistry& registry, Diagnostics& diagnostics) {
  Rules(registry, diagnostics).run();
}

}  // namespace coretel::schema
