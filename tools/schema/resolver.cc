// resolver.cc: resolve() (resolver.h), and the order of its stages (Resolver::run). The stages
// live in resolver_catalog.cc, resolver_groups.cc, resolver_signals.cc and
// resolver_metric_sets.cc (resolver_impl.h lists them).
#include "resolver.h"

#include <fmt/format.h>

#include "coretel_annotations.h"
#include "resolver_impl.h"

namespace coretel::schema {
namespace resolution {

ResolvedRegistry Resolver::run() {
  out_.schema_url = registry_.manifest.schema_url;
  out_.description = registry_.manifest.description;
  out_.stability = registry_.manifest.stability;
  std::set<const RegistryDefinition*> seen;
  collect_dependency_groups(registry_, dependency_groups_, seen);
  for (const Group* g : dependency_groups_) from_dependency_.insert(g);
  for (const Group& g : registry_.groups) owner_.emplace(&g, &registry_);
  for (const RegistryDefinition* r : seen) {
    for (const Group& g : r->groups) owner_.emplace(&g, r);
  }
  visible_ = direct_surface(registry_);
  visible_groups_.insert(visible_.groups.begin(), visible_.groups.end());
  for (const Group* g : visible_.groups) {
    if (!g->is_refinement) visible_signals_.emplace(std::pair{g->type, signal_name(*g)}, g);
  }
  index_groups();
  index_definitions();
  for (const Group& g : registry_.groups) {
    if (g.is_refinement || refined_by_extends(g)) continue;  // emitted after the signals
    if (g.type == GroupType::kAttributeGroup) {
      // Groups that define attributes (v1 `registry.*` groups, v2 `attributes:` sections)
      // are the attribute registry itself, not attribute groups signals share.
      bool defines = std::any_of(g.attributes.begin(), g.attributes.end(), [](const auto& a) {
        return a.form == AttributeSpec::Form::kDefinition;
      });
      if (defines) {
        attributes_of(g);
        continue;
      }
      // v1 attribute groups and v2 internal ones are authoring aids that signals include;
      // only v2 public groups are part of the resolved registry (resolved/2.0).
      if (g.syntax == 1 || g.visibility != "public") {
        attributes_of(g);  // resolve for its diagnostics; not part of the output
        continue;
      }
    }
    emit_signal(g);
  }
  apply_imports();
  for (GroupType t :
       {GroupType::kMetric, GroupType::kSpan, GroupType::kEvent, GroupType::kEntity}) {
    const std::vector<Signal>& list = *list_for(t, false);
    for (std::size_t i = 0; i < list.size(); ++i) signal_index_[{t, list[i].name}] = i;
  }
  for (const Group& g : registry_.groups) {
    if (g.is_refinement) {
      emit_refinement(g);
    } else if (const Group* parent = refined_by_extends(g)) {
      emit_extends_refinement(g, *parent);
    }
  }
  resolve_entity_associations();
  check_duplicate_names();
  // coretel's annotations are parsed once, here; their diagnostics follow the metric sets'
  // (the order `check` has always reported them in).
  Diagnostics annotations;
  parse_coretel_annotations(out_, annotations);
  build_metric_sets();
  for (const Diagnostic& d : annotations.all()) d_.add(d);
  return std::move(out_);
}

}  // namespace resolution

ResolvedRegistry resolve(const RegistryDefinition& registry, Diagnostics& diagnostics) {
  return resolution::Resolver(registry, diagnostics).run();
}

}  // namespace coretel::schema
