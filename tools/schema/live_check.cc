#include "live_check.h"

#include <istream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace coretel::schema {

namespace {

using nlohmann::json;

// An OTLP/JSON AnyValue, or a value of the events view: its attribute type and its JSON value.
struct Value {
  std::string type;  // string, int, double, boolean, array, other
  json value;
};

Value from_any_value(const json& any) {
  if (!any.is_object() || any.empty()) return {"other", nullptr};
  const auto first = any.begin();  // an AnyValue has one member: its kind
  const std::string& kind = first.key();
  const json& v = first.value();
  if (kind == "stringValue") return {"string", v};
  if (kind == "boolValue") return {"boolean", v};
  if (kind == "intValue") {  // an int64: a decimal string in OTLP/JSON
    if (v.is_string()) {
      try {
        return {"int", json(std::stoll(v.get<std::string>()))};
      } catch (...) {
        return {"other", v};
      }
    }
    return {"int", v};
  }
  if (kind == "doubleValue") return {"double", v};
  if (kind == "arrayValue") return {"array", v};
  return {"other", v};
}

Value from_plain(const json& v) {
  if (v.is_string()) return {"string", v};
  if (v.is_boolean()) return {"boolean", v};
  if (v.is_number_integer()) return {"int", v};
  if (v.is_number_float() || v.is_null()) return {"double", v};  // null: a non-finite double
  return {"other", v};
}

class Checker {
 public:
  explicit Checker(const std::vector<const ResolvedRegistry*>& registries) {
    for (const ResolvedRegistry* r : registries) {
      for (const CatalogAttribute& a : r->catalog) attributes_.emplace(a.key, &a);  // first wins
      for (const Signal& m : r->metrics) metrics_.emplace(m.name, Owned{&m, r});
      for (const Signal& e : r->events) events_.emplace(e.name, Owned{&e, r});
    }
  }

  LiveCheckResult result;

  void document(const json& doc) {
    if (doc.contains("request") && doc["request"].is_object()) return document(doc["request"]);
    if (doc.contains("resourceMetrics")) return resource_metrics(doc["resourceMetrics"]);
    if (doc.contains("resourceLogs")) return resource_logs(doc["resourceLogs"]);
    if (doc.contains("events") && doc["events"].is_array()) return events_view(doc["events"]);
    throw std::runtime_error(
        "not an OTLP/JSON request, a coretel-otlp-sink line or the events view");
  }

 private:
  struct Owned {
    const Signal* signal;
    const ResolvedRegistry* registry;
  };
  using Attrs = std::vector<std::pair<std::string, Value>>;

  void find(const std::string& id, const std::string& level, const std::string& signal,
            const std::string& detail, const std::string& message) {
    const std::string key = id + '\n' + signal + '\n' + detail;
    auto it = index_.find(key);
    if (it == index_.end()) {
      it = index_.emplace(key, result.findings.size()).first;
      result.findings.push_back({id, level, signal, detail, message, 0});
    }
    ++result.findings[it->second].samples;
  }

  static Attrs otlp_attributes(const json& list) {
    Attrs out;
    if (!list.is_array()) return out;
    for (const json& kv : list)
      if (kv.contains("key"))
        out.emplace_back(kv["key"].get<std::string>(),
                         from_any_value(kv.value("value", json::object())));
    return out;
  }

  // The registry's checks of one attribute, wherever it is.
  void attribute(const std::string& signal, const std::string& key, const Value& v) {
    auto it = attributes_.find(key);
    if (it == attributes_.end()) {
      find("missing_attribute", "violation", signal, key,
           fmt::format("attribute `{}` is not declared by the registry", key));
      return;
    }
    const CatalogAttribute& a = *it->second;
    if (a.type.is_enum()) {
      if (v.type != "string" && v.type != "int") {
        find("type_mismatch", "violation", signal, key,
             fmt::format("attribute `{}` is an enum: a string or an int, not {}", key, v.type));
        return;
      }
      bool member = false;
      for (const EnumMember& m : a.type.members) member = member || m.value == v.value;
      if (!member)
        find("undefined_enum_variant", "information", signal, key,
             fmt::format("attribute `{}` has the value {}, not one of its members", key,
                         v.value.dump()));
      return;
    }
    std::string expected = a.type.is_template() ? a.type.value_type() : a.type.name;
    if (expected.ends_with("[]")) expected = "array";
    if (expected != v.type)
      find("type_mismatch", "violation", signal, key,
           fmt::format("attribute `{}` is declared {}, emitted as {}", key, expected, v.type));
  }

  // A metric's or event's attributes against what it declares (`owner`: its registry).
  void against_signal(const std::string& signal, const Owned& owner, const Attrs& attrs) {
    std::set<std::string> declared;
    for (const AttributeRef& ref : owner.signal->attributes)
      declared.insert(owner.registry->attribute(ref).key);
    std::set<std::string> present;
    for (const auto& [key, v] : attrs) {
      present.insert(key);
      attribute(signal, key, v);
      if (attributes_.count(key) != 0 && declared.count(key) == 0)
        find(
            "undeclared_attribute", "violation", signal, key,
            fmt::format("attribute `{}` is declared by the registry, but not for {}", key, signal));
    }
    for (const AttributeRef& ref : owner.signal->attributes) {
      const std::string& key = owner.registry->attribute(ref).key;
      if (ref.requirement_level.level == RequirementLevel::kRequired && present.count(key) == 0)
        find("required_attribute_not_present", "violation", signal, key,
             fmt::format("required attribute `{}` is absent", key));
    }
  }

  void resource(const json& r) {
    for (const auto& [key, v] : otlp_attributes(r.value("attributes", json::array())))
      attribute("resource", key, v);
  }

  void resource_metrics(const json& list) {
    for (const json& rm : list) {
      resource(rm.value("resource", json::object()));
      for (const json& sm : rm.value("scopeMetrics", json::array())) {
        const Attrs scope =
            otlp_attributes(sm.value("scope", json::object()).value("attributes", json::array()));
        for (const json& m : sm.value("metrics", json::array())) metric(m, scope);
      }
    }
  }

  void metric(const json& m, const Attrs& scope) {
    ++result.metrics;
    const std::string name = m.value("name", "");
    const std::string signal = "metric " + name;
    auto it = metrics_.find(name);
    if (it == metrics_.end()) {
      find("missing_metric", "violation", signal, name,
           fmt::format("metric `{}` is not declared by the registry", name));
      for (const auto& [key, v] : scope) attribute(signal, key, v);
      return;
    }
    const Signal& declared = *it->second.signal;
    const std::string unit = m.value("unit", "");
    if (unit != declared.unit)
      find("unit_mismatch", "violation", signal, unit,
           fmt::format("unit `{}`, declared `{}`", unit, declared.unit));
    std::string kind;
    const json* data = nullptr;
    for (const char* k : {"sum", "gauge", "histogram", "exponentialHistogram", "summary"})
      if (m.contains(k)) kind = k, data = &m[k];
    if (data == nullptr) return;  // a metric without data: nothing to say about its instrument
    std::string instrument = kind == "sum"
                                 ? (data->value("isMonotonic", false) ? "counter" : "updowncounter")
                             : kind == "gauge"   ? "gauge"
                             : kind == "summary" ? "summary"
                                                 : "histogram";
    const bool mmsc = declared.coretel && declared.coretel->instrument == InstrumentKind::kMmsc;
    const std::string expected = instrument_text(declared.instrument);
    if (!(instrument == expected || (instrument == "summary" && mmsc)))
      find("unexpected_instrument", "violation", signal, instrument,
           fmt::format("emitted as {}, declared {}", instrument, expected));
    for (const json& p : data->value("dataPoints", json::array())) {
      Attrs attrs = scope;
      for (auto& a : otlp_attributes(p.value("attributes", json::array())))
        attrs.push_back(std::move(a));
      against_signal(signal, it->second, attrs);
    }
  }

  void event(const std::string& name, const Attrs& attrs) {
    ++result.events;
    const std::string signal = "event " + name;
    auto it = events_.find(name);
    if (it == events_.end()) {
      find("missing_event", "violation", signal, name,
           fmt::format("event `{}` is not declared by the registry", name));
      for (const auto& [key, v] : attrs) attribute(signal, key, v);
      return;
    }
    against_signal(signal, it->second, attrs);
  }

  void resource_logs(const json& list) {
    for (const json& rl : list) {
      resource(rl.value("resource", json::object()));
      for (const json& sl : rl.value("scopeLogs", json::array()))
        for (const json& rec : sl.value("logRecords", json::array())) {
          const Attrs attrs = otlp_attributes(rec.value("attributes", json::array()));
          const std::string name = rec.value("eventName", "");
          if (name.empty()) {  // a log without an event name: its attributes only
            for (const auto& [key, v] : attrs) attribute("log", key, v);
          } else {
            event(name, attrs);
          }
        }
    }
  }

  void events_view(const json& list) {
    for (const json& e : list) {
      Attrs attrs;
      const json attributes = e.value("attributes", json::object());
      for (const auto& [key, v] : attributes.items()) attrs.emplace_back(key, from_plain(v));
      event(e.value("event_name", ""), attrs);
    }
  }

  std::map<std::string, const CatalogAttribute*> attributes_;
  std::map<std::string, Owned> metrics_, events_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace

bool LiveCheckResult::violation() const {
  for (const LiveFinding& f : findings)
    if (f.level == "violation") return true;
  return !unreadable.empty();
}

LiveCheckResult live_check(const std::vector<const ResolvedRegistry*>& registries,
                           std::istream& input) {
  Checker checker(registries);
  std::string line;
  uint64_t number = 0;
  while (std::getline(input, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++checker.result.lines;
    try {
      checker.document(json::parse(line));
    } catch (const std::exception& e) {
      checker.result.unreadable.push_back(fmt::format("{}: {}", number, e.what()));
    }
  }
  return checker.result;
}

std::string format_live_check(const LiveCheckResult& result) {
  std::string out;
  for (const std::string& u : result.unreadable) out += fmt::format("unreadable line {}\n", u);
  for (const LiveFinding& f : result.findings)
    out += fmt::format("{} {} {}: {} ({} sample{})\n", f.level, f.id, f.signal, f.message,
                       f.samples, f.samples == 1 ? "" : "s");
  std::size_t violations = 0;
  for (const LiveFinding& f : result.findings) violations += f.level == "violation" ? 1 : 0;
  out += fmt::format(
      "coretel-schema live-check: {} lines, {} metrics, {} events; {} findings, {} violations\n",
      result.lines, result.metrics, result.events, result.findings.size(), violations);
  return out;
}

}  // namespace coretel::schema
