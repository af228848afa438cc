// resolver_associations.cc: entity associations (`entity_associations` of metrics, spans, events
// and their refinements), each entity leaf resolved to the registry that declares the entity, as
// Weaver's resolver does (crates/weaver_resolver: `resolve_entity_associations`,
// `resolve_entity`):
//   1. a name the registry defines or imports as an entity type (or as an entity refinement's
//      id) is its own: no dependency is asked, and a dependency's entity of the same type is
//      not merged with it;
//   2. otherwise every direct dependency is asked for what it exposes (its own entities and
//      those it imports), and the answers are counted by the registry that declares the entity,
//      so one definition reached along two paths counts once: one public declaration resolves;
//      several are AmbiguousEntityAssociation; only excluded ones
//      (`dependency_resolution: {exclude: true}`) are ExcludedFromDependencyResolution; none is
//      UnresolvedEntityAssociation.
// An association does not import the entity: the leaf records where it lives (provenance).
#include "resolver_impl.h"

#include <fmt/format.h>

namespace coretel::schema::resolution {
namespace {

/// The names entity group `g` answers to: an entity its type (a v1 group its id too, as
/// Weaver's import match keys have it); a refinement its id without `entity.`.
std::vector<std::string> names_of(const Group& g, bool refinement) {
  if (refinement) return {without_prefix(g.id, "entity.")};
  std::vector<std::string> names{Resolver::signal_name(g)};
  if (g.syntax == 1) {
    names.push_back(g.id);
    names.push_back(without_prefix(g.id, "entity."));
  }
  return names;
}

}  // namespace

std::string Resolver::provenance_of(const RegistryDefinition* registry) const {
  if (registry == &registry_) return "";
  return registry->manifest.schema_url.empty() ? registry->root : registry->manifest.schema_url;
}

void Resolver::resolve_entity_associations() {
  if (associated_.empty()) return;
  auto is_refinement = [&](const Group& g) { return g.is_refinement || refined_by_extends(g); };
  // Step 1: the entities each registry holds as its own (defined or imported), by name; the
  // first in order wins. Built once per registry.
  std::map<const RegistryDefinition*, std::unordered_map<std::string, const Group*>> own;
  auto own_entities = [&](const RegistryDefinition& r) -> const auto& {
    auto emplaced = own.try_emplace(&r);
    auto& by_name = emplaced.first->second;
    if (!emplaced.second) return by_name;
    auto add = [&](const Group* g) {
      if (g->type != GroupType::kEntity) return;
      for (std::string& name : names_of(*g, is_refinement(*g))) by_name.emplace(name, g);
    };
    if (&r == &registry_) {
      for (const Group& g : registry_.groups) add(&g);
      for (const Group* g : imported_) add(g);
    } else {
      for (const Group* g : surface_of(r).groups) add(g);
    }
    return by_name;
  };
  // Step 2: the registries declaring `name` among what `r`'s direct dependencies expose,
  // public and excluded ones apart. Built once per registry.
  struct Declared {
    std::set<const RegistryDefinition*> in_public, in_private;
  };
  std::map<const RegistryDefinition*, std::unordered_map<std::string, Declared>> declared;
  auto declared_in_dependencies = [&](const RegistryDefinition& r) -> const auto& {
    auto emplaced = declared.try_emplace(&r);
    auto& by_name = emplaced.first->second;
    if (!emplaced.second) return by_name;
    for (const auto& dependency : r.dependencies) {
      for (const Group* g : surface_of(*dependency).groups) {
        if (g->type != GroupType::kEntity) continue;
        for (const std::string& name : names_of(*g, is_refinement(*g))) {
          Declared& d = by_name[name];
          (excluded_from_dependents(g->annotations) ? d.in_private : d.in_public)
              .insert(owner_.at(g));
        }
      }
    }
    return by_name;
  };
  for (const Associated& a : associated_) {
    Signal& signal = (*a.list)[a.index];
    const RegistryDefinition& owner = *owner_.at(a.group);
    const bool report = &owner == &registry_;
    const auto& locals = own_entities(owner);
    const auto& below = declared_in_dependencies(owner);
    std::set<std::string> reported;
    for_each_entity(signal.entity_associations, [&](EntityAssociation& leaf) {
      const std::string& name = leaf.entity;
      if (auto local = locals.find(name); local != locals.end()) {
        leaf.provenance = provenance_of(owner_.at(local->second));
        return;
      }
      static const Declared kNone;
      auto found = below.find(name);
      const Declared& d = found == below.end() ? kNone : found->second;
      if (d.in_public.size() == 1) {
        leaf.provenance = provenance_of(*d.in_public.begin());
        return;
      }
      if (!report || !reported.insert(name).second) return;
      const Group& g = *a.group;
      if (d.in_public.size() > 1) {
        std::vector<std::string> urls;
        for (const RegistryDefinition* r : d.in_public) urls.push_back(provenance_of(r));
        std::sort(urls.begin(), urls.end());
        d_.error("AmbiguousEntityAssociation", g.location, g.id,
                 fmt::format("the entity association `{}` of `{}` is ambiguous: declared by {}; "
                             "these registries declare unrelated entities under one name "
                             "(import the one you mean, or define the entity in this registry)",
                             name, g.id, fmt::join(urls, ", ")));
      } else if (!d.in_private.empty()) {
        d_.error("ExcludedFromDependencyResolution", g.location, g.id,
                 fmt::format("entity `{}` is marked as excluded from dependency resolution and "
                             "cannot be used by `{}`",
                             name, g.id));
      } else {
        d_.error("UnresolvedEntityAssociation", g.location, g.id,
                 fmt::format("the entity association `{}` of `{}` names no entity this registry "
                             "defines or imports, or that a direct dependency exposes (check the "
                             "spelling; define the entity, or depend on a registry that defines "
                             "it)",
                             name, g.id));
      }
    });
  }
}

}  // namespace coretel::schema::resolution
