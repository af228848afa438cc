// resolver_catalog.cc: the attribute catalog. Indexes the registry's own attribute definitions
// (DuplicateAttributeId) and its dependencies' (joining the output only when used), interns
// each distinct attribute (definition + overrides) once, and refuses items a dependency
// excludes (ExcludedFromDependencyResolution).
#include "resolver_impl.h"

#include <fmt/format.h>

namespace coretel::schema::resolution {

void Resolver::index_definitions() {
  std::map<std::string, std::vector<const Group*>> defined_in;
  for (const Group& g : registry_.groups) {
    for (const AttributeSpec& a : g.attributes) {
      if (a.form != AttributeSpec::Form::kDefinition) continue;
      auto& groups = defined_in[a.key];
      groups.push_back(&g);
      if (groups.size() == 1) {
        definitions_.emplace(a.key, &a);
        auto shared = std::make_shared<const CatalogAttribute>(definition_attribute(a));
        definition_attributes_.emplace(a.key, shared);
        std::size_t index = intern(shared);
        definition_index_.emplace(a.key, index);
        out_.attributes.push_back(index);
      }
    }
  }
  for (const auto& [key, groups] : defined_in) {
    if (groups.size() < 2) continue;
    std::vector<std::string> ids;
    for (const Group* g : groups) ids.push_back(g->id);
    d_.error("DuplicateAttributeId", groups[1]->location, key,
             fmt::format("attribute `{}` is defined more than once, in groups [{}]", key,
                         fmt::join(ids, ", ")));
  }
  // Dependency attributes can be referenced; they join the resolved registry only when used
  // (use_dependency_attribute). The registry's own definitions win.
  for (const Group* g : dependency_groups_) {
    for (const AttributeSpec& a : g->attributes) {
      if (a.form != AttributeSpec::Form::kDefinition || definitions_.count(a.key)) continue;
      definitions_.emplace(a.key, &a);
      CatalogAttribute c = definition_attribute(a);
      c.from_dependency = true;
      definition_attributes_.emplace(a.key, std::make_shared<const CatalogAttribute>(c));
      dependency_keys_.insert(a.key);
    }
  }
  index_embedded_references();
}

void Resolver::index_embedded_references() {
  // A `ref` with `prefix: true` defines `<prefix>.<ref>`: the referenced attribute with the
  // reference's overrides, which other groups may reference in turn. As Weaver's resolver, in
  // rounds until none is left that can be made (an embedding of an embedding waits for it); the
  // ones left name nothing and are UnresolvedAttributeRef where they are applied.
  std::vector<const AttributeSpec*> pending;
  for (const Group& g : registry_.groups) {
    for (const AttributeSpec& a : g.attributes) {
      if (a.form == AttributeSpec::Form::kReference && a.embedded_from) pending.push_back(&a);
    }
  }
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const AttributeSpec& a = **it;
      auto base = definition_attributes_.find(*a.embedded_from);
      if (base == definition_attributes_.end()) {
        ++it;
        continue;
      }
      if (!definition_attributes_.count(a.key)) {
        CatalogAttribute c = *base->second;
        c.key = a.key;
        c.from_dependency = false;
        apply_overrides(a, c);
        c.location = a.location;
        definitions_.emplace(a.key, &a);
        definition_attributes_.emplace(a.key, std::make_shared<const CatalogAttribute>(c));
      }
      it = pending.erase(it);
      progress = true;
    }
  }
}

/// A dependency's definition of `key` is used: it becomes part of the resolved registry.
void Resolver::use_dependency_attribute(const std::string& key) {
  if (!used_dependency_keys_.insert(key).second) return;
  out_.attributes.push_back(intern(definition_attributes_.at(key)));
}

/// ExcludedFromDependencyResolution when group `from` of this registry names `target`, an
/// item of a dependency annotated `dependency_resolution: {exclude: true}`.
bool Resolver::hidden(const Group& from, const std::string& what, const Json& target_annotations,
                      bool target_from_dependency, const SourceLocation& at) {
  if (!target_from_dependency || from_dependency_.count(&from) ||
      !excluded_from_dependents(target_annotations)) {
    return false;
  }
  d_.error("ExcludedFromDependencyResolution", at, from.id,
           fmt::format("{} is defined by a dependency with `dependency_resolution: {{exclude: "
                       "true}}`: it cannot be used by registries that depend on it",
                       what));
  return true;
}

CatalogAttribute Resolver::definition_attribute(const AttributeSpec& a) {
  CatalogAttribute c;
  c.key = a.key;
  c.type = a.type.value_or(AttributeType{"string", {}});
  c.brief = a.brief.value_or("");
  c.note = a.note.value_or("");
  c.examples = a.examples.value_or(Json());
  c.stability = a.stability;
  c.deprecated = a.deprecated;
  c.annotations = a.annotations.value_or(Json::object());
  c.location = a.location;
  return c;
}

Json Resolver::catalog_identity(const CatalogAttribute& c) {
  Json members = Json::array();
  for (const EnumMember& m : c.type.members) {
    members.push_back(
        {m.id, m.value, m.brief, m.note, stability_text(m.stability),
         m.deprecated ? m.deprecated->reason + m.deprecated->renamed_to + m.deprecated->note : "",
         m.annotations});
  }
  return Json::array(
      {c.key, c.type.name, members, c.brief, c.note, c.examples, stability_text(c.stability),
       c.deprecated
           ? Json::array({c.deprecated->reason, c.deprecated->renamed_to, c.deprecated->note})
           : Json(),
       c.annotations});
}

std::size_t Resolver::intern(const CatalogAttribute& c) {
  std::string identity = catalog_identity(c).dump();
  auto [it, inserted] = catalog_index_.emplace(identity, out_.catalog.size());
  if (inserted) out_.catalog.push_back(c);
  return it->second;
}

/// Interns a shared attribute once, however many signals use it.
std::size_t Resolver::intern(const std::shared_ptr<const CatalogAttribute>& c) {
  auto [it, inserted] = interned_.emplace(c, 0);
  if (inserted) it->second = intern(*c);
  return it->second;
}

}  // namespace coretel::schema::resolution
