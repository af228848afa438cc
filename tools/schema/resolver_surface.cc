// resolver_surface.cc: what a registry's dependencies let it name. Weaver resolves each
// dependency first and looks a dependent's names up in that resolved schema only: a registry
// sees its direct dependencies' own groups, the groups they import (re-export), and the
// attributes they define or use; a registry further down the chain is reachable only through
// what the one in between re-exports (Weaver's resolver, crates/weaver_resolver: "Imports are
// not transitive"; `lookup_attribute` of a definition registry falls back to the attributes its
// groups use).
#include "resolver_impl.h"

#include <fnmatch.h>

namespace coretel::schema::resolution {
namespace {

/// The groups a surface computation looks names up in: by id, and signals by (type, name) for
/// the refinements that name them.
struct GroupIndex {
  std::unordered_map<std::string, const Group*> by_id;
  std::map<std::pair<GroupType, std::string>, std::vector<const Group*>> signals_by_name;

  void add(const Group* g) {
    if (!by_id.emplace(g->id, g).second) return;  // the first of an id wins
    if (!g->is_refinement) signals_by_name[{g->type, Resolver::signal_name(*g)}].push_back(g);
  }
};

/// Collects into `keys` every attribute key group `g` defines or references, and those of the
/// groups it `extends`, includes (`ref_group`) or refines, found in `index`. Iterative: a chain
/// of any length cannot overflow the stack; each group is visited once.
void collect_keys(const Group& g, const GroupIndex& index, std::set<const Group*>& visited,
                  std::set<std::string>& keys) {
  std::vector<const Group*> stack{&g};
  while (!stack.empty()) {
    const Group* x = stack.back();
    stack.pop_back();
    if (!visited.insert(x).second) continue;
    auto push = [&](const std::string& id) {
      if (auto it = index.by_id.find(id); it != index.by_id.end()) stack.push_back(it->second);
    };
    if (!x->extends.empty()) push(x->extends);
    if (x->is_refinement) {
      auto refined = index.signals_by_name.find({x->type, x->refines});
      if (refined != index.signals_by_name.end()) {
        stack.insert(stack.end(), refined->second.begin(), refined->second.end());
      }
    }
    for (const AttributeSpec& a : x->attributes) {
      if (a.form == AttributeSpec::Form::kGroupReference) {
        push(a.key);
      } else {
        keys.insert(a.key);
        if (a.embedded_from) keys.insert(*a.embedded_from);
      }
    }
  }
}

}  // namespace

GroupType Resolver::import_type(const Import& import) {
  return import.section == "metrics"    ? GroupType::kMetric
         : import.section == "events"   ? GroupType::kEvent
         : import.section == "spans"    ? GroupType::kSpan
         : import.section == "entities" ? GroupType::kEntity
                                        : GroupType::kAttributeGroup;
}

bool Resolver::import_selects(const Import& import, const Group& g) {
  if (g.is_refinement || g.type != import_type(import)) return false;
  if (g.type == GroupType::kAttributeGroup &&
      std::any_of(g.attributes.begin(), g.attributes.end(),
                  [](const auto& a) { return a.form == AttributeSpec::Form::kDefinition; })) {
    return false;  // an attribute registry, not a group signals share
  }
  // Weaver matches a v1 span or attribute group by its id, a v2 signal by its name.
  return fnmatch(import.pattern.c_str(), signal_name(g).c_str(), 0) == 0 ||
         fnmatch(import.pattern.c_str(), g.id.c_str(), 0) == 0;
}

const Surface& Resolver::surface_of(const RegistryDefinition& registry) {
  if (auto it = surfaces_.find(&registry); it != surfaces_.end()) return it->second;
  Surface below = direct_surface(registry);
  Surface s;
  GroupIndex index;
  for (const Group& g : registry.groups) {
    s.groups.push_back(&g);
    index.add(&g);
  }
  for (const Group* g : below.groups) index.add(g);  // its own ids win
  // A group it exposes may extend or include a group further down that it does not expose:
  // the attributes that brings are used, so they are exposed too (Weaver's resolved schema
  // holds every signal's attributes inlined).
  std::vector<const Group*> everything;
  std::set<const RegistryDefinition*> seen;
  collect_dependency_groups(registry, everything, seen);
  for (const Group* g : everything) index.add(g);
  // What it imports from its own dependencies it re-exports (an excluded one is not imported).
  std::set<const Group*> imported;
  for (const Import& import : registry.imports) {
    for (const Group* g : below.groups) {
      if (import_selects(import, *g) && !excluded_from_dependents(g->annotations) &&
          imported.insert(g).second) {
        s.groups.push_back(g);
      }
    }
  }
  std::set<const Group*> visited;
  for (const Group* g : s.groups) collect_keys(*g, index, visited, s.attribute_keys);
  return surfaces_.emplace(&registry, std::move(s)).first->second;
}

Surface Resolver::direct_surface(const RegistryDefinition& registry) {
  Surface out;
  std::set<const Group*> seen;
  for (const auto& dependency : registry.dependencies) {
    const Surface& s = surface_of(*dependency);
    for (const Group* g : s.groups) {
      if (seen.insert(g).second) out.groups.push_back(g);
    }
    out.attribute_keys.insert(s.attribute_keys.begin(), s.attribute_keys.end());
  }
  return out;
}

}  // namespace coretel::schema::resolution
