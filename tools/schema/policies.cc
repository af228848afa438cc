#include "policies.h"

#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace coretel::schema {
namespace {

// The naming pattern of the naming_conventions package.
constexpr const char* kNamePattern = "^[a-z][a-z0-9]*([._][a-z0-9]+)*$";

/// Whether `name` matches kNamePattern: a lowercase letter, then lowercase letters, digits and
/// single `.` / `_` separators, not at the end. Hand-written: libstdc++'s std::regex recurses
/// once per character and overflows the stack on a long name (a 40,000-character key did).
bool matches_name_pattern(std::string_view name) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !lower(name.front())) return false;
  bool after_separator = false;
  for (char c : name.substr(1)) {
    if (c == '.' || c == '_') {
      if (after_separator) return false;
      after_separator = true;
    } else if (lower(c) || digit(c)) {
      after_separator = false;
    } else {
      return false;
    }
  }
  return !after_separator;
}

/// `annotations.<package>.policy_exceptions` lists finding ids without their package prefix.
bool excepted(const Json& annotations, const std::string& id) {
  if (!annotations.is_object()) return false;
  for (const auto& [package, value] : annotations.items()) {
    if (!value.is_object() || !value.contains("policy_exceptions")) continue;
    const Json& list = value["policy_exceptions"];
    if (!list.is_array()) continue;
    for (const Json& e : list) {
      if (!e.is_string()) continue;
      const std::string& name = e.get_ref<const std::string&>();
      if (id == name || (id.size() > name.size() && id.ends_with("_" + name))) return true;
    }
  }
  return false;
}

std::string constant_of(const std::string& name) {
  std::string c = name;
  for (char& ch : c) {
    if (ch == '.' || ch == '-') ch = '_';
  }
  return c;
}

class Policies {
 public:
  Policies(const ResolvedRegistry& resolved, Diagnostics& d) : r_(resolved), d_(d) {}

  void run() {
    attributes();
    signals();
    collisions();
  }

 private:
  void violation(const std::string& id, const SourceLocation& at, const std::string& subject,
                 const Json& annotations, std::string message) {
    if (excepted(annotations, id)) return;
    d_.error(id, at, subject, std::move(message));
  }

  void attributes() {
    for (std::size_t index : r_.attributes) {
      const CatalogAttribute& a = r_.catalog[index];
      if (a.from_dependency) continue;  // the dependency's own policies check it
      if (a.deprecated) {
        // Deprecated attributes are kept forever as written; naming rules apply to new ones.
      } else if (a.key.find('.') == std::string::npos) {
        violation("naming_convention_attr_has_namespace", a.location, a.key, a.annotations,
                  fmt::format("attribute `{}` has no namespace; keys are namespace.name", a.key));
      } else if (!matches_name_pattern(a.key)) {
        violation("naming_convention_attribute_name", a.location, a.key, a.annotations,
                  fmt::format("attribute `{}` does not match {}", a.key, kNamePattern));
      }
      if (a.brief.empty() && !a.deprecated) {
        violation("brief_required", a.location, a.key, a.annotations,
                  "attributes need a non-empty brief");
      }
      if (a.deprecated && a.deprecated->reason == "renamed") {
        const CatalogAttribute* target = r_.find_attribute(a.deprecated->renamed_to);
        if (!target || target->deprecated) {
          violation(
              "deprecation_attribute_renamed_to_invalid", a.location, a.key, a.annotations,
              fmt::format("`renamed_to: {}` names no current attribute", a.deprecated->renamed_to));
        } else if (target->type.name != a.type.name && !target->type.is_enum() &&
                   !a.type.is_enum()) {
          violation("deprecation_attribute_renamed_to_type_mismatch", a.location, a.key,
                    a.annotations,
                    fmt::format("renamed to `{}`, whose type {} differs from {}", target->key,
                                target->type.name, a.type.name));
        }
      }
      enum_members(a);
    }
  }

  void enum_members(const CatalogAttribute& a) {
    std::map<std::string, std::string> ids, values, constants;
    for (const EnumMember& m : a.type.members) {
      std::string subject = a.key + "/" + m.id;
      if (!matches_name_pattern(m.id)) {
        violation("naming_convention_enum_id", m.location, subject, m.annotations,
                  fmt::format("enum member id `{}` does not match {}", m.id, kNamePattern));
      }
      std::string value = m.value.is_string() ? m.value.get<std::string>() : m.value.dump();
      bool live = !m.deprecated;
      if (live && (!ids.emplace(m.id, m.id).second || !values.emplace(value, m.id).second ||
                   !constants.emplace(constant_of(m.id), m.id).second)) {
        violation("naming_convention_enum_member_collision", m.location, subject, m.annotations,
                  fmt::format("enum member `{}` collides with another member of `{}` by id, "
                              "value or constant name",
                              m.id, a.key));
      }
      if (m.deprecated && m.deprecated->reason == "renamed") {
        bool found = false;
        for (const EnumMember& other : a.type.members) {
          if (other.id == m.deprecated->renamed_to && !other.deprecated) found = true;
        }
        if (!found) {
          violation("deprecation_enum_member_renamed_to_invalid", m.location, subject,
                    m.annotations,
                    fmt::format("`renamed_to: {}` names no current member of `{}`",
                                m.deprecated->renamed_to, a.key));
        }
      }
    }
  }

  void signal_rules(const std::vector<Signal>& signals, const std::string& kind,
                    const char* naming_id) {
    std::set<std::string> names;
    for (const Signal& s : signals) names.insert(s.name);
    for (const Signal& s : signals) {
      if (s.from_dependency) continue;  // imported: the dependency's own policies check it
      const std::string& subject = s.name;
      if (naming_id && !matches_name_pattern(s.name)) {
        violation(naming_id, s.location, subject, s.annotations,
                  fmt::format("{} name `{}` does not match {}", kind, s.name, kNamePattern));
      }
      if (s.brief.empty() && !s.deprecated) {
        violation("brief_required", s.location, subject, s.annotations,
                  fmt::format("{}s need a non-empty brief", kind));
      }
      if (kind == "metric" && !s.brief.empty() && !s.brief.ends_with(".") && !s.deprecated) {
        std::string trimmed = s.brief;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
          trimmed.pop_back();
        }
        if (!trimmed.ends_with(".")) {
          violation("naming_convention_metric_brief_period", s.location, subject, s.annotations,
                    "a metric's brief ends with a period");
        }
      }
      int rank = stability_rank(s.stability);
      // Every reference the signal makes, those a later reference to the same key replaced
      // included (a duplicate reference reports once when both break a rule alike).
      std::set<std::pair<std::string, std::string>> reported;
      auto reference_rules = [&](const CatalogAttribute& a, const AttributeRef& ref) {
        auto report = [&](const std::string& id, std::string message) {
          if (reported.emplace(id, message).second) {
            violation(id, s.location, subject, s.annotations, std::move(message));
          }
        };
        if (rank >= 3 && stability_rank(a.stability) < rank &&
            ref.requirement_level.level != RequirementLevel::kOptIn) {
          report(fmt::format("stability_{}_lower_stability_attribute", kind),
                 fmt::format("{} `{}` is {} but references {} attribute `{}` at level {}; "
                             "reference it as opt_in or stabilise the attribute",
                             kind, s.name, stability_text(s.stability),
                             a.stability ? to_string(*a.stability) : "unstable", a.key,
                             to_string(ref.requirement_level.level)));
        }
        bool complex = a.type.name == "any" || a.type.name == "template[any]";
        bool forbidden = kind == "metric" || kind == "attribute_group" ||
                         (kind == "entity" && ref.role == "identifying");
        if (complex && forbidden) {
          report("naming_convention_attribute_complex_type_violation",
                 fmt::format("`{}` has type {}, allowed only on spans and events", a.key,
                             a.type.name));
        }
      };
      for (const AttributeRef& ref : s.attributes) reference_rules(r_.catalog[ref.base], ref);
      for (const ReplacedReference& replaced : s.replaced) {
        reference_rules(replaced.attribute, replaced.ref);
      }
      if (s.deprecated && s.deprecated->reason == "renamed" &&
          !names.count(s.deprecated->renamed_to)) {
        violation(fmt::format("deprecation_{}_renamed_to_invalid", kind), s.location, subject,
                  s.annotations,
                  fmt::format("`renamed_to: {}` names no {} in the registry",
                              s.deprecated->renamed_to, kind));
      }
      if (kind == "entity") {
        bool identity = false;
        for (const AttributeRef& ref : s.attributes) identity |= ref.role == "identifying";
        if (!identity && stability_rank(s.stability) >= 3) {
          violation("stability_entity_no_identity", s.location, subject, s.annotations,
                    "a stable or release-candidate entity needs at least one identifying "
                    "attribute");
        }
      }
    }
  }

  void signals() {
    signal_rules(r_.metrics, "metric", "naming_convention_metric_name");
    signal_rules(r_.spans, "span", "naming_convention_span_type");
    signal_rules(r_.events, "event", "naming_convention_event_name");
    signal_rules(r_.entities, "entity", "naming_convention_entity_type");
    signal_rules(r_.attribute_groups, "attribute_group", nullptr);
  }

  /// `.`->`_` constant collisions and namespace collisions, among current (non-deprecated)
  /// items.
  void collisions() {
    struct Item {
      std::string name;
      SourceLocation at;
      const Json* annotations;
    };
    auto check = [&](const std::vector<Item>& items, const std::string& what) {
      std::map<std::string, const Item*> constants;
      std::set<std::string> names;
      for (const Item& i : items) names.insert(i.name);
      for (const Item& i : items) {
        auto [it, inserted] = constants.emplace(constant_of(i.name), &i);
        if (!inserted && it->second->name != i.name) {
          violation(fmt::format("naming_convention_{}_constant_collision", what), i.at, i.name,
                    *i.annotations,
                    fmt::format("`{}` and `{}` map to the same constant name `{}`", i.name,
                                it->second->name, it->first));
        }
        if (what == "attribute" || what == "metric") {
          if (names.lower_bound(i.name + ".") != names.end() &&
              names.lower_bound(i.name + ".")->rfind(i.name + ".", 0) == 0) {
            violation(fmt::format("naming_convention_{}_namespace_collision", what), i.at, i.name,
                      *i.annotations,
                      fmt::format("`{}` is also used as a namespace (by `{}`)", i.name,
                                  *names.lower_bound(i.name + ".")));
          }
        }
      }
    };
    std::vector<Item> attributes, metrics, events, entities;
    for (std::size_t index : r_.attributes) {
      const CatalogAttribute& a = r_.catalog[index];
      if (!a.deprecated && !a.from_dependency) {
        attributes.push_back({a.key, a.location, &a.annotations});
      }
    }
    auto collect = [](const std::vector<Signal>& signals, std::vector<Item>& into) {
      for (const Signal& s : signals) {
        if (!s.deprecated && !s.from_dependency) {
          into.push_back({s.name, s.location, &s.annotations});
        }
      }
    };
    collect(r_.metrics, metrics);
    collect(r_.events, events);
    collect(r_.entities, entities);
    check(attributes, "attribute");
    check(metrics, "metric");
    check(events, "event");
    check(entities, "entity");
  }

  const ResolvedRegistry& r_;
  Diagnostics& d_;
};

}  // namespace

void check_policies(const RegistryDefinition& /*definition*/, const ResolvedRegistry& resolved,
                    Diagnostics& diagnostics) {
  // Every current rule reads the resolved registry; the definition is there for rules that
  // need what the author wrote.
  Policies(resolved, diagnostics).run();
}

}  // namespace coretel::schema
