// resolver_signals.cc: resolved signals. Emits each metric, span, event, entity and public
// attribute group with its interned attributes, pulls dependencies' signals selected by v2
// `imports:` (UnmatchedImport), applies refinements of its own and its direct dependencies'
// signals (UnresolvedExtendsRef, InvalidRefinement, EntityRefinementChangedIdentity,
// ExcludedFromDependencyResolution) and reports duplicate names.
#include "resolver_impl.h"

#include <fmt/format.h>

namespace coretel::schema::resolution {

std::string Resolver::signal_name(const Group& g) {
  switch (g.type) {
    case GroupType::kMetric:
      return g.metric_name;
    case GroupType::kEvent:
      return g.name.empty() ? g.id : g.name;
    case GroupType::kSpan:
      return g.name.empty() ? without_prefix(g.id, "span.") : g.name;
    case GroupType::kEntity:
      return g.name.empty() ? without_prefix(g.id, "entity.") : g.name;
    default:
      return g.id;
  }
}

SignalKind Resolver::kind_of(GroupType type) {
  switch (type) {
    case GroupType::kMetric:
      return SignalKind::kMetric;
    case GroupType::kSpan:
      return SignalKind::kSpan;
    case GroupType::kEvent:
      return SignalKind::kEvent;
    case GroupType::kEntity:
      return SignalKind::kEntity;
    default:
      return SignalKind::kAttributeGroup;
  }
}

std::vector<Signal>* Resolver::list_for(GroupType type, bool refinement) {
  switch (type) {
    case GroupType::kAttributeGroup:
      return refinement ? nullptr : &out_.attribute_groups;
    case GroupType::kMetric:
      return refinement ? &out_.metric_refinements : &out_.metrics;
    case GroupType::kSpan:
      return refinement ? &out_.span_refinements : &out_.spans;
    case GroupType::kEvent:
      return refinement ? &out_.event_refinements : &out_.events;
    case GroupType::kEntity:
      return refinement ? &out_.entity_refinements : &out_.entities;
    default:
      return nullptr;
  }
}

Signal Resolver::base_signal(const Group& g) {
  Signal s;
  s.group_id = g.id;
  s.name = signal_name(g);
  s.brief = g.brief.value_or("");
  s.note = g.note;
  s.stability = g.stability;
  s.deprecated = g.deprecated;
  s.annotations = g.annotations;
  s.entity_associations = g.entity_associations;
  s.display_name = g.display_name;
  s.instrument = g.instrument;
  s.unit = g.unit;
  s.span_kind = g.span_kind;
  s.span_name_note = g.span_name_note;
  s.requirement_level = g.signal_requirement_level.value_or("");
  s.location = g.location;
  return s;
}

std::vector<AttributeRef> Resolver::intern_all(const Uses& uses, bool entity) {
  std::vector<AttributeRef> refs;
  for (const Use& u : uses) {
    AttributeRef ref = u.ref;
    ref.base = intern(u.attribute);
    // An entity's attribute without a role (a v1 `type: resource` group's) describes it:
    // Weaver's v1 -> v2 conversion puts every non-identifying attribute in `description`.
    if (entity && ref.role.empty()) ref.role = "descriptive";
    refs.push_back(std::move(ref));
  }
  if (!refs.empty() && refs.front().role.size()) {
    std::stable_sort(refs.begin(), refs.end(), [](const AttributeRef& a, const AttributeRef& b) {
      return (a.role == "identifying") > (b.role == "identifying");
    });
  }
  return refs;
}

void Resolver::emit_signal(const Group& g, bool from_dependency) {
  std::vector<Signal>* list = list_for(g.type, false);
  if (!list) {
    attributes_of(g);
    return;
  }
  Signal s = base_signal(g);
  s.kind = kind_of(g.type);
  s.from_dependency = from_dependency;
  const Uses& uses = attributes_of(g);
  s.attributes = intern_all(uses, g.type == GroupType::kEntity);
  s.replaced = replaced_of(uses);
  signal_uses_[{g.type, s.name}] = uses;
  list->push_back(std::move(s));
  if (g.has_entity_associations) associated_.push_back({list, list->size() - 1, &g});
}

/// The signals and attribute groups of the dependencies that `imports:` globs select
/// (UnmatchedImport for a glob that selects nothing).
void Resolver::apply_imports() {
  // A signal is imported once, however many globs or dependency paths select it, and not at
  // all when the registry defines one of that name itself (its own definition wins). Two
  // registries' signals of one name are both imported, each with its provenance, as Weaver
  // keeps them, and CollidingV2SignalId says so: they are not merged into one.
  std::map<std::pair<GroupType, std::string>, const RegistryDefinition*> present;
  for (GroupType t : {GroupType::kMetric, GroupType::kEvent, GroupType::kSpan, GroupType::kEntity,
                      GroupType::kAttributeGroup}) {
    if (const std::vector<Signal>* list = list_for(t, false)) {
      for (const Signal& signal : *list) present.emplace(std::pair{t, signal.name}, &registry_);
    }
  }
  std::set<const Group*> done;
  for (const Import& import : registry_.imports) {
    GroupType type = import_type(import);
    bool matched = false;
    // Only what the direct dependencies expose: their own groups and what they import.
    for (const Group* g : visible_.groups) {
      if (!import_selects(import, *g) || excluded_from_dependents(g->annotations)) continue;
      matched = true;
      if (done.count(g)) continue;
      const RegistryDefinition* from = owner_.at(g);
      auto [first, inserted] = present.emplace(std::pair{type, signal_name(*g)}, from);
      if (!inserted) {
        if (first->second == &registry_ || first->second == from) continue;
        d_.warning("CollidingV2SignalId", import.location, signal_name(*g),
                   fmt::format("`{}` ({}) is declared by both `{}` and `{}`, and both are "
                               "imported: they stay two signals, and a consumer keyed by name "
                               "sees one of them (import only the one you mean)",
                               signal_name(*g), to_string(type), provenance_of(first->second),
                               provenance_of(from)));
      }
      done.insert(g);
      imported_.push_back(g);
      emit_signal(*g, /*from_dependency=*/true);
    }
    if (!matched) {
      d_.warning("UnmatchedImport", import.location, import.pattern,
                 fmt::format("`imports.{}: {}` matches nothing in the registry's dependencies",
                             import.section, import.pattern));
    }
  }
}

void Resolver::emit_refinement(const Group& g) {
  std::vector<Signal>* bases = list_for(g.type, false);
  std::vector<Signal>* list = list_for(g.type, true);
  const Signal* base = nullptr;
  if (bases) {
    if (auto it = signal_index_.find({g.type, g.refines}); it != signal_index_.end()) {
      base = &(*bases)[it->second];
    }
  }
  // Not defined or imported here: a signal a direct dependency exposes can be refined without
  // importing it (Weaver's resolver looks the refined signal up in the dependencies).
  Signal from_dependency;
  const Group* dependency_base = nullptr;
  if (!base && list) {
    if (auto it = visible_signals_.find({g.type, g.refines}); it != visible_signals_.end()) {
      dependency_base = it->second;
    }
  }
  if (dependency_base) {
    if (hidden(g, fmt::format("{} `{}`", to_string(g.type), g.refines),
               dependency_base->annotations, true, g.location)) {
      return;
    }
    from_dependency = base_signal(*dependency_base);
    from_dependency.kind = kind_of(g.type);
    from_dependency.from_dependency = true;
    signal_uses_[{g.type, from_dependency.name}] = attributes_of(*dependency_base);
    base = &from_dependency;
  }
  if (!base || !list) {
    // A signal of another kind by that name is an InvalidRefinement; no signal at all, an
    // unresolved reference (Weaver turns a refinement into an `extends` of its signal).
    for (GroupType other :
         {GroupType::kMetric, GroupType::kSpan, GroupType::kEvent, GroupType::kEntity}) {
      if (other == g.type) continue;
      bool named =
          signal_index_.count({other, g.refines}) || visible_signals_.count({other, g.refines});
      if (named) {
        d_.error("InvalidRefinement", g.location, g.id,
                 fmt::format("Refinement `{}` of type `{}` cannot refine signal `{}` of type `{}`.",
                             g.id, to_string(g.type), g.refines, to_string(other)));
        return;
      }
    }
    d_.error("UnresolvedExtendsRef", g.location, g.id,
             fmt::format("`ref: {}` names no {} that this registry defines or imports, or that "
                         "its direct dependencies expose",
                         g.refines, to_string(g.type)));
    return;
  }
  if (!dependency_base) exposes_excluded(g, base->annotations, base->name);
  Signal s = *base;
  s.from_dependency = false;  // the refinement is this registry's, whoever owns the base
  s.group_id = g.id;
  s.refines = base->name;
  s.location = g.location;
  if (g.brief) s.brief = *g.brief;
  if (!g.note.empty()) s.note = g.note;
  if (g.stability) s.stability = *g.stability;
  if (g.deprecated) s.deprecated = g.deprecated;
  deep_merge(s.annotations, g.annotations);
  // A refinement has the associations it declares, not its signal's (Weaver's resolver does
  // not inherit them).
  s.entity_associations = g.entity_associations;
  Uses uses = signal_uses_[{g.type, base->name}];
  for (Use& u : uses) u.via_group.clear();
  if (g.type == GroupType::kEntity) check_entity_refinement(g, uses);
  apply_specs(g, g.attributes, uses);
  charge(g, uses);
  s.attributes = intern_all(uses, g.type == GroupType::kEntity);
  s.replaced = replaced_of(uses);
  list->push_back(std::move(s));
  if (g.has_entity_associations) associated_.push_back({list, list->size() - 1, &g});
}

const Group* Resolver::refined_by_extends(const Group& g) const {
  bool signal = g.type == GroupType::kMetric || g.type == GroupType::kSpan ||
                g.type == GroupType::kEvent || g.type == GroupType::kEntity;
  if (!signal || g.syntax != 1 || g.is_refinement || g.extends.empty()) return nullptr;
  auto parent = groups_.find(g.extends);
  if (parent == groups_.end() || parent->second->type != g.type) return nullptr;
  return parent->second;
}

void Resolver::emit_extends_refinement(const Group& g, const Group& parent) {
  if (!from_dependency_.count(&parent))
    exposes_excluded(g, parent.annotations, signal_name(parent));
  Signal s = base_signal(g);
  s.kind = kind_of(g.type);
  s.refines = signal_name(parent);
  // A span or entity refinement has the refined signal's type; a metric or event refinement
  // keeps its own metric or event name (Weaver's convert_v1_to_v2).
  if (g.type == GroupType::kSpan || g.type == GroupType::kEntity) s.name = s.refines;
  const Uses& uses = attributes_of(g);
  s.attributes = intern_all(uses, g.type == GroupType::kEntity);
  s.replaced = replaced_of(uses);
  std::vector<Signal>* list = list_for(g.type, true);
  list->push_back(std::move(s));
  if (g.has_entity_associations) associated_.push_back({list, list->size() - 1, &g});
}

/// ExcludedFromDependencyResolution when refinement `g` of this registry, not excluded itself,
/// refines `base` of this registry, which is: it would expose `base` to the registries that
/// depend on this one (Weaver's resolver refuses such a leak within one registry too).
void Resolver::exposes_excluded(const Group& g, const Json& base_annotations,
                                const std::string& base) {
  if (!excluded_from_dependents(base_annotations) || excluded_from_dependents(g.annotations)) {
    return;
  }
  d_.error("ExcludedFromDependencyResolution", g.location, g.id,
           fmt::format("{} `{}` has `dependency_resolution: {{exclude: true}}`; refinement `{}` "
                       "would expose it to the registries that depend on this one (exclude the "
                       "refinement too)",
                       to_string(g.type), base, g.id));
}

/// A refinement may refine identity attributes only under `identity`, and may add only
/// descriptive attributes (Weaver resolver tests v2-6/7/8).
void Resolver::check_entity_refinement(const Group& g, const Uses& base) {
  for (const AttributeSpec& a : g.attributes) {
    if (a.form != AttributeSpec::Form::kReference || !a.role) continue;
    Use* existing = find_use(const_cast<Uses&>(base), a.key);
    std::string base_role = existing ? existing->ref.role : "";
    if (existing && base_role.empty()) base_role = "descriptive";  // as intern_all() says
    bool changed = existing ? base_role != *a.role : *a.role == "identifying";
    if (changed) {
      d_.error("EntityRefinementChangedIdentity", a.location, g.id + "/" + a.key,
               fmt::format("refinement `{}` makes `{}` {}; a refinement cannot change an "
                           "entity's identity",
                           g.id, a.key, *a.role));
    }
  }
}

void Resolver::check_duplicate_names() {
  auto check = [&](const std::vector<Signal>& signals, const char* id, const char* what) {
    std::map<std::string, std::vector<const Signal*>> by_name;
    for (const Signal& s : signals) by_name[s.name].push_back(&s);
    for (const Signal& s : signals) {
      const auto& same = by_name[s.name];
      if (same.size() < 2 || same[1] != &s) continue;
      std::vector<std::string> places;
      for (const Signal* other : same) {
        places.push_back(fmt::format("`{}` ({}:{})", other->group_id, other->location.file,
                                     other->location.line));
      }
      d_.warning(id, s.location, s.group_id,
                 fmt::format("{} `{}` is declared {} times, by {}", what, s.name, same.size(),
                             fmt::join(places, ", ")));
    }
  };
  check(out_.metrics, "DuplicateMetricName", "metric");
  check(out_.events, "DuplicateGroupName", "event");
  check(out_.entities, "DuplicateGroupName", "entity");
}

}  // namespace coretel::schema::resolution
