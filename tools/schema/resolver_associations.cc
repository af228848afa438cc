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

std::string without_prefix(const std::string& id, std::string_view prefix) {
  if (id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0) {
    return id.substr(prefix.size());
  }
  return id;
}

/// Does entity group `g` answer to `name`? An entity by its type (a v1 group by its id too, as
/// Weaver's import match keys have it); a refinement by its id without `entity.`.
bool answers_to(const Group& g, const std::string& name, bool refinement) {
  if (g.type != GroupType::kEntity) return false;
  if (refinement) return without_prefix(g.id, "entity.") == name;
  return Resolver::signal_name(g) == name ||
         (g.syntax == 1 && (g.id == name || without_prefix(g.id, "entity.") == name));
}

}  // namespace

std::string Resolver::provenance_of(const RegistryDefinition* registry) const {
  if (registry == &registry_) return "";
  return registry->manifest.schema_url.empty() ? registry->root : registry->manifest.schema_url;
}

void Resolver::resolve_entity_associations() {
  if (associated_.empty()) return;
  // The entities each registry holds as its own (defined or imported), for step 1.
  auto own_entities = [&](const RegistryDefinition& r) {
    std::vector<const Group*> out;
    if (&r == &registry_) {
      for (const Group& g : registry_.groups) {
        if (g.type == GroupType::kEntity) out.push_back(&g);
      }
      for (const Group* g : imported_) {
        if (g->type == GroupType::kEntity) out.push_back(g);
      }
    } else {
      for (const Group* g : surface_of(r).groups) {
        if (g->type == GroupType::kEntity) out.push_back(g);
      }
    }
    return out;
  };
  auto is_refinement = [&](const Group& g) { return g.is_refinement || refined_by_extends(g); };
  for (const Associated& a : associated_) {
    Signal& signal = (*a.list)[a.index];
    const RegistryDefinition& owner = *owner_.at(a.group);
    const bool report = &owner == &registry_;
    const std::vector<const Group*> locals = own_entities(owner);
    std::set<std::string> reported;
    for_each_entity(signal.entity_associations, [&](EntityAssociation& leaf) {
      const std::string& name = leaf.entity;
      for (const Group* g : locals) {
        if (answers_to(*g, name, is_refinement(*g))) {
          leaf.provenance = provenance_of(owner_.at(g));
          return;
        }
      }
      // Step 2: the direct dependencies, by declaring registry.
      std::set<const RegistryDefinition*> declared_public;
      std::set<const RegistryDefinition*> declared_private;
      for (const auto& dependency : owner.dependencies) {
        for (const Group* g : surface_of(*dependency).groups) {
          if (!answers_to(*g, name, is_refinement(*g))) continue;
          (excluded_from_dependents(g->annotations) ? declared_private : declared_public)
              .insert(owner_.at(g));
        }
      }
      if (declared_public.size() == 1) {
        leaf.provenance = provenance_of(*declared_public.begin());
        return;
      }
      if (!report || !reported.insert(name).second) return;
      const Group& g = *a.group;
      if (declared_public.size() > 1) {
        std::vector<std::string> urls;
        for (const RegistryDefinition* r : declared_public) urls.push_back(provenance_of(r));
        std::sort(urls.begin(), urls.end());
        d_.error("AmbiguousEntityAssociation", g.location, g.id,
                 fmt::format("the entity association `{}` of `{}` is ambiguous: declared by {}; "
                             "these registries declare unrelated entities under one name "
                             "(import the one you mean, or define the entity in this registry)",
                             name, g.id, fmt::join(urls, ", ")));
      } else if (!declared_private.empty()) {
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
