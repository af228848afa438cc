// The backward-compatibility rules, after weaver-packages
// policies/check/backwards-compatibility/compat.rego (`comparison_after_resolution`):
//
//   attributes       may not be removed (any stability); a stable one keeps its type and its
//                    stability; enum members may not be removed (any stability); a stable
//                    enum's stable members stay stable and keep their values.
//   metrics          may not be removed; a stable one keeps its stability, instrument, unit and
//                    its set of required/recommended (non-opt_in) attributes.
//   spans            may not be removed; a stable one keeps its stability, kind, attributes.
//   events           may not be removed; a stable one keeps its stability and attributes.
//   entities         may not be removed; a stable one keeps its identity and description
//                    attributes and adds no identity attribute.
//   attribute groups (public) may not be removed; a stable one keeps its stability and its
//                    attributes and adds no required/recommended attribute.
//
// A removed signal may be excused the way the policy allows it: a refinement of the same kind
// in `current` whose id is the removed name (or `<kind>.<name>`), annotated
// `compatibility: {policy_exceptions: [<kind>_missing]}`; for entities also a public attribute
// group with the entity's type as id and the same annotation.
#include "compatibility.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "compatibility_rules.h"

namespace coretel::schema {
namespace detail {
namespace {

using KeySet = std::set<std::string>;  // sorted: messages list keys in a stable order

bool is_stable(std::optional<RegistryStability> stability) {
  return stability == RegistryStability::kStable;
}

std::string shown_stability(std::optional<RegistryStability> stability) {
  return stability ? fmt::format("'{}'", to_string(*stability)) : "none";
}

std::string type_string(const AttributeType& type) {
  return type.is_enum() ? "enum" : type.name;
}

std::string shown_value(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

KeySet difference(const KeySet& a, const KeySet& b) {
  KeySet out;
  for (const std::string& key : a) {
    if (!b.contains(key)) out.insert(key);
  }
  return out;
}

std::string joined(const KeySet& keys) {
  return fmt::format("{}", fmt::join(keys, ", "));
}

/// Does `annotations.compatibility.policy_exceptions` list `exception`?
bool has_exception(const Json& annotations, const std::string& exception) {
  if (!annotations.is_object() || !annotations.contains("compatibility")) return false;
  const Json& compatibility = annotations["compatibility"];
  if (!compatibility.is_object() || !compatibility.contains("policy_exceptions")) return false;
  const Json& list = compatibility["policy_exceptions"];
  if (!list.is_array()) return false;
  for (const Json& e : list) {
    if (e.is_string() && e.get_ref<const std::string&>() == exception) return true;
  }
  return false;
}

template <typename T>
std::map<std::string, const T*> by_name(const std::vector<T>& items) {
  std::map<std::string, const T*> out;
  for (const T& item : items) out.emplace(item.name, &item);  // first wins, as in lookups
  return out;
}

class Rules {
 public:
  Rules(const ResolvedRegistry& baseline, const ResolvedRegistry& current)
      : base_(baseline), cur_(current) {}

  std::vector<CompatibilityFinding> run() {
    attributes();
    metrics();
    spans();
    events();
    entities();
    attribute_groups();
    return std::move(out_);
  }

 private:
  void add(const char* kind, const std::string& name, bool stable, const char* id,
           const SourceLocation& location, std::string message) {
    CompatibilityFinding f;
    f.kind = kind;
    f.name = name;
    f.stable = stable;
    f.diagnostic.id = id;
    f.diagnostic.severity = Severity::kError;
    f.diagnostic.location = location;
    f.diagnostic.subject = name;
    f.diagnostic.message = std::move(message);
    out_.push_back(std::move(f));
  }

  /// Keys of a signal's attributes that satisfy `keep(ref)`.
  template <typename Pred>
  static KeySet keys(const ResolvedRegistry& r, const Signal& s, Pred keep) {
    KeySet out;
    for (const AttributeRef& ref : s.attributes) {
      if (keep(ref)) out.insert(r.attribute(ref).key);
    }
    return out;
  }
  static bool any(const AttributeRef&) { return true; }
  static bool not_opt_in(const AttributeRef& ref) {
    return ref.requirement_level.level != RequirementLevel::kOptIn;
  }
  static bool identifying(const AttributeRef& ref) { return ref.role != "descriptive"; }
  static bool descriptive(const AttributeRef& ref) { return ref.role == "descriptive"; }

  /// Is the removal of `name` excused by a refinement (or, for entities, a public attribute
  /// group) of `current` carrying the `<kind>_missing` exception?
  bool removal_excused(const char* kind, const std::vector<Signal>& refinements,
                       const std::string& name) const {
    std::string exception = fmt::format("{}_missing", kind);
    std::string prefixed = fmt::format("{}.{}", kind, name);
    for (const Signal& r : refinements) {
      if ((r.group_id == name || r.group_id == prefixed) &&
          has_exception(r.annotations, exception)) {
        return true;
      }
    }
    if (std::string_view(kind) == "entity") {
      for (const Signal& g : cur_.attribute_groups) {
        if (g.name == name && has_exception(g.annotations, exception)) return true;
      }
    }
    return false;
  }

  void attributes() {
    std::map<std::string, const CatalogAttribute*> current;
    for (std::size_t index : cur_.attributes)
      current.emplace(cur_.catalog[index].key, &cur_.catalog[index]);
    for (std::size_t index : base_.attributes) {
      const CatalogAttribute& a = base_.catalog[index];
      bool stable = is_stable(a.stability);
      auto it = current.find(a.key);
      if (it == current.end()) {
        add("attribute", a.key, stable, "compatibility_removed_attribute", a.location,
            fmt::format("Attribute '{}' no longer exists in the attribute registry", a.key));
        continue;
      }
      const CatalogAttribute& n = *it->second;
      if (stable && n.stability != a.stability) {
        add("attribute", a.key, stable, "compatibility_stable_attribute_now_unstable", n.location,
            fmt::format("Attribute '{}' was stable, but has new stability {}", a.key,
                        shown_stability(n.stability)));
      }
      if (stable && type_string(a.type) != type_string(n.type)) {
        add("attribute", a.key, stable, "compatibility_stable_attribute_changed_type", n.location,
            fmt::format("Attribute '{}' was '{}', but has new type '{}'", a.key,
                        type_string(a.type), type_string(n.type)));
      }
      if (a.type.is_enum() && n.type.is_enum()) enum_members(a, n, stable);
    }
  }

  void enum_members(const CatalogAttribute& a, const CatalogAttribute& n, bool stable) {
    std::map<std::string, const EnumMember*> current;
    for (const EnumMember& m : n.type.members) current.emplace(m.id, &m);
    for (const EnumMember& m : a.type.members) {
      auto it = current.find(m.id);
      if (it == current.end()) {
        add("attribute", a.key, stable, "compatibility_stable_enum_member_missing", n.location,
            fmt::format("Enum '{}' had member '{}', but is no longer defined", a.key, m.id));
        continue;
      }
      if (!stable) continue;
      const EnumMember& nm = *it->second;
      if (is_stable(m.stability) && !is_stable(nm.stability)) {
        add("attribute", a.key, stable, "compatibility_stable_enum_member_changed_from_stable",
            n.location,
            fmt::format("Enum '{}' had stable member '{}', but is no longer stable (now {})", a.key,
                        m.id, shown_stability(nm.stability)));
      }
      if (m.value != nm.value) {
        add("attribute", a.key, stable, "compatibility_stable_enum_member_changed_from_stable",
            n.location,
            fmt::format("Enum '{}' member '{}' had value '{}', but is now '{}'", a.key, m.id,
                        shown_value(m.value), shown_value(nm.value)));
      }
    }
  }

  /// The rule shared by every signal kind: a signal stable in the baseline stays stable.
  void stability(const char* kind, const char* id, const char* label, const Signal& s,
                 const Signal& n) {
    if (is_stable(n.stability)) return;
    add(kind, s.name, true, id, n.location,
        fmt::format("{} '{}' cannot change from stable (now {})", label, s.name,
                    shown_stability(n.stability)));
  }

  void metrics() {
    auto current = by_name(cur_.metrics);
    for (const Signal& m : base_.metrics) {
      bool stable = is_stable(m.stability);
      auto it = current.find(m.name);
      if (it == current.end()) {
        if (!removal_excused("metric", cur_.metric_refinements, m.name)) {
          add("metric", m.name, stable, "compatibility_metric_missing", m.location,
              fmt::format("Metric '{}' no longer exists in the registry", m.name));
        }
        continue;
      }
      if (!stable) continue;
      const Signal& n = *it->second;
      stability("metric", "compatibility_metric_changed_stability", "Metric", m, n);
      if (n.instrument != m.instrument) {
        add("metric", m.name, true, "compatibility_metric_changed_instrument", n.location,
            fmt::format("Metric '{}' cannot change instrument (was '{}', now '{}')", m.name,
                        instrument_text(m.instrument), instrument_text(n.instrument)));
      }
      if (n.unit != m.unit) {
        add("metric", m.name, true, "compatibility_metric_changed_unit", n.location,
            fmt::format("Metric '{}' cannot change unit (was '{}', now '{}')", m.name, m.unit,
                        n.unit));
      }
      KeySet before = keys(base_, m, not_opt_in), after = keys(cur_, n, not_opt_in);
      if (KeySet missing = difference(before, after); !missing.empty()) {
        add("metric", m.name, true, "compatibility_metric_changed_attributes", n.location,
            fmt::format("Metric '{}' cannot change required/recommended attributes (missing {})",
                        m.name, joined(missing)));
      }
      if (KeySet added = difference(after, before); !added.empty()) {
        add("metric", m.name, true, "compatibility_metric_added_attributes", n.location,
            fmt::format("Metric '{}' cannot change required/recommended attributes (added {})",
                        m.name, joined(added)));
      }
    }
  }

  void spans() {
    auto current = by_name(cur_.spans);
    for (const Signal& s : base_.spans) {
      bool stable = is_stable(s.stability);
      auto it = current.find(s.name);
      if (it == current.end()) {
        if (!removal_excused("span", cur_.span_refinements, s.name)) {
          add("span", s.name, stable, "compatibility_span_missing", s.location,
              fmt::format("Span '{}' no longer exists in the registry", s.name));
        }
        continue;
      }
      if (!stable) continue;
      const Signal& n = *it->second;
      stability("span", "compatibility_span_changed_stability", "Span", s, n);
      if (n.span_kind != s.span_kind) {
        add("span", s.name, true, "compatibility_span_changed_kind", n.location,
            fmt::format("Span '{}' cannot change kind (was '{}', now '{}')", s.name, s.span_kind,
                        n.span_kind));
      }
      if (KeySet missing = difference(keys(base_, s, any), keys(cur_, n, any)); !missing.empty()) {
        add("span", s.name, true, "compatibility_span_dropped_attributes", n.location,
            fmt::format("Span '{}' cannot remove attributes (missing {})", s.name,
                        joined(missing)));
      }
    }
  }

  void events() {
    auto current = by_name(cur_.events);
    for (const Signal& e : base_.events) {
      bool stable = is_stable(e.stability);
      auto it = current.find(e.name);
      if (it == current.end()) {
        if (!removal_excused("event", cur_.event_refinements, e.name)) {
          add("event", e.name, stable, "compatibility_event_removed", e.location,
              fmt::format("Event '{}' no longer exists in the registry", e.name));
        }
        continue;
      }
      if (!stable) continue;
      const Signal& n = *it->second;
      stability("event", "compatibility_event_changed_stability", "Event", e, n);
      if (KeySet missing = difference(keys(base_, e, any), keys(cur_, n, any)); !missing.empty()) {
        add("event", e.name, true, "compatibility_event_dropped_attributes", n.location,
            fmt::format("Event '{}' cannot remove attributes (missing {})", e.name,
                        joined(missing)));
      }
    }
  }

  void entities() {
    auto current = by_name(cur_.entities);
    for (const Signal& e : base_.entities) {
      bool stable = is_stable(e.stability);
      auto it = current.find(e.name);
      if (it == current.end()) {
        if (!removal_excused("entity", cur_.entity_refinements, e.name)) {
          add("entity", e.name, stable, "compatibility_entity_missing", e.location,
              fmt::format("Entity '{}' no longer exists in the registry", e.name));
        }
        continue;
      }
      if (!stable) continue;
      const Signal& n = *it->second;
      KeySet identity_before = keys(base_, e, identifying);
      KeySet identity_after = keys(cur_, n, identifying);
      if (KeySet missing = difference(identity_before, identity_after); !missing.empty()) {
        add("entity", e.name, true, "compatibility_entity_missing_attribute", n.location,
            fmt::format("Entity '{}' cannot remove attributes from identity (missing {})", e.name,
                        joined(missing)));
      }
      if (KeySet missing = difference(keys(base_, e, descriptive), keys(cur_, n, descriptive));
          !missing.empty()) {
        add("entity", e.name, true, "compatibility_entity_missing_attribute", n.location,
            fmt::format("Entity '{}' cannot remove attributes from description (missing {})",
                        e.name, joined(missing)));
      }
      if (KeySet added = difference(identity_after, identity_before); !added.empty()) {
        add("entity", e.name, true, "compatibility_entity_changed_identity", n.location,
            fmt::format("Entity '{}' cannot change identity (added {})", e.name, joined(added)));
      }
    }
  }

  void attribute_groups() {
    auto current = by_name(cur_.attribute_groups);
    for (const Signal& g : base_.attribute_groups) {
      bool stable = is_stable(g.stability);
      auto it = current.find(g.name);
      if (it == current.end()) {
        add("attribute_group", g.name, stable, "compatibility_attribute_group_removed", g.location,
            fmt::format("Attribute group '{}' no longer exists in the registry", g.name));
        continue;
      }
      if (!stable) continue;
      const Signal& n = *it->second;
      stability("attribute_group", "compatibility_attribute_group_changed_stability",
                "Attribute group", g, n);
      if (KeySet missing = difference(keys(base_, g, any), keys(cur_, n, any)); !missing.empty()) {
        add("attribute_group", g.name, true, "compatibility_attribute_group_dropped_attributes",
            n.location,
            fmt::format("Attribute group '{}' cannot remove attributes (missing {})", g.name,
                        joined(missing)));
      }
      if (KeySet added = difference(keys(cur_, n, not_opt_in), keys(base_, g, not_opt_in));
          !added.empty()) {
        add("attribute_group", g.name, true, "compatibility_attribute_group_added_attributes",
            n.location,
            fmt::format(
                "Attribute group '{}' cannot add required/recommended attributes (added {})",
                g.name, joined(added)));
      }
    }
  }

  const ResolvedRegistry& base_;
  const ResolvedRegistry& cur_;
  std::vector<CompatibilityFinding> out_;
};

}  // namespace

std::vector<CompatibilityFinding> compatibility_findings(const ResolvedRegistry& baseline,
                                                         const ResolvedRegistry& current) {
  return Rules(baseline, current).run();
}

}  // namespace detail

void check_compatibility(const ResolvedRegistry& baseline, const ResolvedRegistry& current,
                         Diagnostics& diagnostics) {
  for (detail::CompatibilityFinding& f : detail::compatibility_findings(baseline, current)) {
    diagnostics.add(std::move(f.diagnostic));
  }
}

}  // namespace coretel::schema
