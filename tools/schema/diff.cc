// The diff of two resolved registries. Top-level changes follow `weaver registry diff` (notes
// §6.5); `updated` goes further than Weaver's placeholder and lists the field changes. Whether
// a change breaks is not decided here: it is whatever compatibility_findings() (the rules of
// compatibility.cc) reports about that item, counted only when the baseline item was stable.
#include "diff.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "compatibility_rules.h"

namespace coretel::schema {
namespace {

using detail::CompatibilityFinding;

std::string shown(const std::string& value) {
  return value.empty() ? "none" : value;
}

std::string type_string(const AttributeType& type) {
  return type.is_enum() ? "enum" : type.name;
}

std::string shown_value(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  return fmt::format("{}", fmt::join(parts, separator));
}

/// Adds "<label>: old -> new" when the values differ.
void field(std::vector<std::string>& details, std::string_view label, const std::string& before,
           const std::string& after) {
  if (before != after)
    details.push_back(fmt::format("{}: {} -> {}", label, shown(before), shown(after)));
}

/// Adds "<label> added: ..." / "<label> removed: ..." for two ordered key lists.
void key_sets(std::vector<std::string>& details, std::string_view label,
              const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::set<std::string> b(before.begin(), before.end()), a(after.begin(), after.end());
  std::vector<std::string> added, removed;
  for (const std::string& k : after) {
    if (!b.contains(k)) added.push_back(k);
  }
  for (const std::string& k : before) {
    if (!a.contains(k)) removed.push_back(k);
  }
  if (!added.empty()) details.push_back(fmt::format("{} added: {}", label, joined(added, ", ")));
  if (!removed.empty()) {
    details.push_back(fmt::format("{} removed: {}", label, joined(removed, ", ")));
  }
}

/// The change a newly deprecated item makes (Weaver: the type is `deprecated.reason`, the note
/// defaults per reason).
Change deprecation_change(std::string kind, std::string name, const Deprecated& d) {
  Change c;
  c.kind = std::move(kind);
  c.name = std::move(name);
  if (d.reason == "renamed") {
    c.type = "renamed";
    c.new_name = d.renamed_to;
    c.detail = d.note.empty() ? fmt::format("Replaced by `{}`.", d.renamed_to) : d.note;
  } else if (d.reason == "obsoleted") {
    c.type = "obsoleted";
    c.detail = d.note.empty() ? "Obsoleted." : d.note;
  } else {  // uncategorized, or a legacy free-text deprecation
    c.type = "uncategorized";
    c.detail = d.note.empty() ? "Uncategorized." : d.note;
  }
  return c;
}

class Differ {
 public:
  Differ(const ResolvedRegistry& old_registry, const ResolvedRegistry& new_registry)
      : old_(old_registry), new_(new_registry) {}

  std::vector<Change> run() {
    attributes();
    signals("metric", old_.metrics, new_.metrics);
    signals("span", old_.spans, new_.spans);
    signals("event", old_.events, new_.events);
    signals("entity", old_.entities, new_.entities);
    signals("attribute_group", old_.attribute_groups, new_.attribute_groups);
    mark_breaking();
    return std::move(changes_);
  }

 private:
  void add(std::string kind, std::string type, std::string name, std::string detail = "") {
    Change c;
    c.kind = std::move(kind);
    c.type = std::move(type);
    c.name = std::move(name);
    c.detail = std::move(detail);
    changes_.push_back(std::move(c));
  }

  /// added / removed / newly deprecated / updated, for one kind of item.
  template <typename T, typename Details>
  void compare(const char* kind, const std::vector<const T*>& before,
               const std::vector<const T*>& after, Details details) {
    std::map<std::string, const T*> old_by_name, new_by_name;
    for (const T* item : before) old_by_name.emplace(name_of(*item), item);
    for (const T* item : after) new_by_name.emplace(name_of(*item), item);
    for (const T* item : before) {
      const std::string& name = name_of(*item);
      if (old_by_name[name] != item) continue;  // a duplicate name: the first one counts
      auto it = new_by_name.find(name);
      if (it == new_by_name.end()) {
        add(kind, "removed", name);
        continue;
      }
      const T& now = *it->second;
      if (!item->deprecated && now.deprecated) {
        changes_.push_back(deprecation_change(kind, name, *now.deprecated));
      }
      std::vector<std::string> d;
      details(*item, now, d);
      if (!d.empty()) add(kind, "updated", name, joined(d, "; "));
    }
    for (const T* item : after) {
      const std::string& name = name_of(*item);
      if (new_by_name[name] == item && !old_by_name.contains(name)) add(kind, "added", name);
    }
  }

  static const std::string& name_of(const CatalogAttribute& a) { return a.key; }
  static const std::string& name_of(const Signal& s) { return s.name; }

  static std::vector<const CatalogAttribute*> definitions(const ResolvedRegistry& r) {
    std::vector<const CatalogAttribute*> out;
    for (std::size_t index : r.attributes) out.push_back(&r.catalog[index]);
    return out;
  }

  void attributes() {
    compare<CatalogAttribute>(
        "attribute", definitions(old_), definitions(new_),
        [](const CatalogAttribute& a, const CatalogAttribute& n, std::vector<std::string>& d) {
          field(d, "type", type_string(a.type), type_string(n.type));
          field(d, "stability", stability_text(a.stability), stability_text(n.stability));
          if (!a.type.is_enum() || !n.type.is_enum()) return;
          std::vector<std::string> before, after;
          std::map<std::string, const EnumMember*> now;
          for (const EnumMember& m : a.type.members) before.push_back(m.id);
          for (const EnumMember& m : n.type.members) {
            after.push_back(m.id);
            now.emplace(m.id, &m);
          }
          key_sets(d, "enum members", before, after);
          for (const EnumMember& m : a.type.members) {
            auto it = now.find(m.id);
            if (it == now.end()) continue;
            if (m.value != it->second->value) {
              d.push_back(fmt::format("enum member {} value: {} -> {}", m.id, shown_value(m.value),
                                      shown_value(it->second->value)));
            }
            field(d, fmt::format("enum member {} stability", m.id), stability_text(m.stability),
                  stability_text(it->second->stability));
          }
        });
  }

  void signals(const char* kind, const std::vector<Signal>& before,
               const std::vector<Signal>& after) {
    std::vector<const Signal*> b, a;
    for (const Signal& s : before) b.push_back(&s);
    for (const Signal& s : after) a.push_back(&s);
    bool entity = std::string_view(kind) == "entity";
    compare<Signal>(kind, b, a, [&](const Signal& s, const Signal& n, std::vector<std::string>& d) {
      field(d, "stability", stability_text(s.stability), stability_text(n.stability));
      field(d, "instrument", instrument_text(s.instrument), instrument_text(n.instrument));
      field(d, "unit", s.unit, n.unit);
      field(d, "kind", s.span_kind, n.span_kind);
      if (entity) {
        key_sets(d, "identity", keys(old_, s, "identity"), keys(new_, n, "identity"));
        key_sets(d, "description", keys(old_, s, "description"), keys(new_, n, "description"));
      } else {
        key_sets(d, "attributes", keys(old_, s, ""), keys(new_, n, ""));
      }
      std::map<std::string, RequirementLevel> levels;
      for (const AttributeRef& ref : s.attributes) {
        levels.emplace(old_.attribute(ref).key, ref.requirement_level.level);
      }
      for (const AttributeRef& ref : n.attributes) {
        const std::string& key = new_.attribute(ref).key;
        auto it = levels.find(key);
        if (it != levels.end()) {
          field(d, fmt::format("{} requirement_level", key), std::string(to_string(it->second)),
                std::string(to_string(ref.requirement_level.level)));
        }
      }
    });
  }

  /// A signal's attribute keys in order; entities: "identity" or "description" only.
  static std::vector<std::string> keys(const ResolvedRegistry& r, const Signal& s,
                                       std::string_view part) {
    std::vector<std::string> out;
    for (const AttributeRef& ref : s.attributes) {
      bool descriptive = ref.role == "descriptive";
      if (part == "identity" && descriptive) continue;
      if (part == "description" && !descriptive) continue;
      out.push_back(r.attribute(ref).key);
    }
    return out;
  }

  /// Marks the removed/updated change of every item a compatibility rule flags on a stable
  /// baseline item. A flagged item with no field change listed (not expected) gets an
  /// `updated` change carrying the findings, so no break goes unreported.
  void mark_breaking() {
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> breaks;
    for (const CompatibilityFinding& f : detail::compatibility_findings(old_, new_)) {
      if (f.stable) breaks[{f.kind, f.name}].push_back(f.diagnostic.message);
    }
    for (auto& [item, messages] : breaks) {
      auto it = std::find_if(changes_.begin(), changes_.end(), [&](const Change& c) {
        return c.kind == item.first && c.name == item.second &&
               (c.type == "removed" || c.type == "updated");
      });
      if (it == changes_.end()) {
        add(item.first, "updated", item.second, joined(messages, "; "));
        it = std::prev(changes_.end());
      }
      it->breaking = true;
    }
  }

  const ResolvedRegistry& old_;
  const ResolvedRegistry& new_;
  std::vector<Change> changes_;
};

int kind_rank(const std::string& kind) {
  static const char* const kOrder[] = {"attribute", "metric", "span",
                                       "event",     "entity", "attribute_group"};
  for (int i = 0; i < 6; ++i) {
    if (kind == kOrder[i]) return i;
  }
  return 6;
}

int type_rank(const std::string& type) {
  static const char* const kOrder[] = {"removed",       "renamed", "obsoleted",
                                       "uncategorized", "updated", "added"};
  for (int i = 0; i < 6; ++i) {
    if (type == kOrder[i]) return i;
  }
  return 6;
}

}  // namespace

bool RegistryDiff::breaks_stable() const noexcept {
  return std::any_of(changes.begin(), changes.end(), [](const Change& c) { return c.breaking; });
}

RegistryDiff diff_registries(const ResolvedRegistry& old_registry,
                             const ResolvedRegistry& new_registry) {
  RegistryDiff diff;
  diff.old_schema_url = old_registry.schema_url;
  diff.new_schema_url = new_registry.schema_url;
  diff.changes = Differ(old_registry, new_registry).run();
  // By kind (attributes, metrics, spans, events, entities, attribute groups), then name, then
  // change type: the order of a release note, and stable across runs.
  std::stable_sort(diff.changes.begin(), diff.changes.end(), [](const Change& a, const Change& b) {
    return std::tuple(kind_rank(a.kind), a.name, type_rank(a.type)) <
           std::tuple(kind_rank(b.kind), b.name, type_rank(b.type));
  });
  return diff;
}

std::string format_diff_text(const RegistryDiff& diff) {
  auto url = [](const std::string& u) { return u.empty() ? std::string("(no schema_url)") : u; };
  std::string out = fmt::format("{} -> {}\n", url(diff.old_schema_url), url(diff.new_schema_url));
  std::size_t breaking = 0;
  for (const Change& c : diff.changes) {
    std::string line = fmt::format("  {:<15} {:<13} {}", c.kind, c.type, c.name);
    if (!c.new_name.empty()) line += " -> " + c.new_name;
    if (!c.detail.empty()) line += ": " + c.detail;
    if (c.breaking) line += "  [BREAKING]";
    out += line + "\n";
    breaking += c.breaking;
  }
  if (diff.changes.empty()) out += "  no changes\n";
  if (breaking > 0) {
    out += fmt::format("verdict: breaking ({} change{} break{} a stable item)\n", breaking,
                       breaking == 1 ? "" : "s", breaking == 1 ? "s" : "");
  } else {
    out += fmt::format("verdict: compatible ({} change{})\n", diff.changes.size(),
                       diff.changes.size() == 1 ? "" : "s");
  }
  return out;
}

std::string format_diff_json(const RegistryDiff& diff) {
  Json doc = Json::object();
  doc["old_schema_url"] = diff.old_schema_url;
  doc["new_schema_url"] = diff.new_schema_url;
  doc["verdict"] = diff.breaks_stable() ? "breaking" : "compatible";
  Json changes = Json::array();
  for (const Change& c : diff.changes) {
    Json j = Json::object();
    j["kind"] = c.kind;
    j["type"] = c.type;
    j["name"] = c.name;
    if (!c.new_name.empty()) j["new_name"] = c.new_name;
    if (!c.detail.empty()) j["detail"] = c.detail;
    j["breaking"] = c.breaking;
    changes.push_back(std::move(j));
  }
  doc["changes"] = std::move(changes);
  return doc.dump(2);
}

}  // namespace coretel::schema
