// resolver_metric_sets.cc: coretel metric sets (docs/metric-sets-in-the-registry.md), built from
// the typed `coretel:` annotations (Signal::coretel, CatalogAttribute::coretel): members share
// one attribute group (coretel_metric_set_attributes_differ), measurement and registration
// attributes are split from the entity tuple.
#include "resolver_impl.h"

#include <fmt/format.h>

namespace coretel::schema::resolution {

/// The attribute group a metric's set tuple comes from: its `extends` (v1) or its one
/// `ref_group` (v2).
std::string Resolver::shared_group_of(const Group& g) {
  if (!g.extends.empty()) return g.extends;
  for (const AttributeSpec& a : g.attributes) {
    if (a.form == AttributeSpec::Form::kGroupReference) return a.key;
  }
  return "";
}

void Resolver::build_metric_sets() {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < out_.metrics.size(); ++i) {
    const Signal& m = out_.metrics[i];
    if (!m.coretel) continue;
    const std::string& name = m.coretel->metric_set;
    const Group& g = *groups_.at(m.group_id);
    std::string shared = shared_group_of(g);
    auto [it, inserted] = index.emplace(name, out_.metric_sets.size());
    if (inserted) {
      MetricSet set;
      set.name = name;
      set.attribute_group = shared;
      set.location = m.location;
      set.brief = m.brief;
      if (auto grp = groups_.find(shared); grp != groups_.end() && grp->second->brief) {
        set.brief = *grp->second->brief;
      }
      for (const AttributeRef& ref : m.attributes) {
        const CoretelAttributeAnnotation& placement = out_.catalog[ref.base].coretel;
        (placement.measurement    ? set.measurement_attributes
         : placement.registration ? set.registration_attributes
                                  : set.attributes)
            .push_back(ref);
      }
      out_.metric_sets.push_back(std::move(set));
    } else {
      MetricSet& set = out_.metric_sets[it->second];
      const Signal& first = out_.metrics[set.metrics.front()];
      std::set<std::string> a_keys, b_keys;
      for (const AttributeRef& r : first.attributes) a_keys.insert(out_.catalog[r.base].key);
      for (const AttributeRef& r : m.attributes) b_keys.insert(out_.catalog[r.base].key);
      if (a_keys != b_keys || shared != set.attribute_group) {
        d_.error("coretel_metric_set_attributes_differ", m.location, m.name,
                 fmt::format("metric `{}` is in metric set `{}` but its attributes differ from "
                             "`{}`'s; members of a set share one attribute group",
                             m.name, name, first.name));
      }
    }
    out_.metric_sets[it->second].metrics.push_back(i);
  }
}

}  // namespace coretel::schema::resolution
