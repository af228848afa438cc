#include "stats.h"

#include <fmt/format.h>

namespace coretel::schema {

Json registry_stats(const RegistryDefinition& definition, const ResolvedRegistry& r) {
  std::size_t deprecated_attributes = 0;
  for (std::size_t index : r.attributes)
    deprecated_attributes += r.catalog[index].deprecated ? 1 : 0;
  auto deprecated = [](const std::vector<Signal>& signals) {
    std::size_t n = 0;
    for (const Signal& s : signals) n += s.deprecated ? 1 : 0;
    return n;
  };
  std::size_t attribute_groups = 0;
  for (const Group& g : definition.groups) {
    if (g.type != GroupType::kAttributeGroup || g.is_refinement) continue;
    bool synthetic = g.syntax == 2 && g.visibility == "internal" && !g.attributes.empty() &&
                     g.attributes.front().form == AttributeSpec::Form::kDefinition;
    attribute_groups += synthetic ? 0 : 1;
  }
  Json instruments = Json::object();
  for (const Signal& m : r.metrics) {
    const std::string instrument = instrument_text(m.instrument);
    instruments[instrument] = instruments.value(instrument, 0) + 1;
  }
  return {{"attributes", r.attributes.size()},
          {"metrics", r.metrics.size()},
          {"events", r.events.size()},
          {"spans", r.spans.size()},
          {"entities", r.entities.size()},
          {"attribute_groups", attribute_groups},
          {"metric_sets", r.metric_sets.size()},
          {"deprecated_attributes", deprecated_attributes},
          {"deprecated_metrics", deprecated(r.metrics)},
          {"deprecated_events", deprecated(r.events)},
          {"deprecated_spans", deprecated(r.spans)},
          {"deprecated_entities", deprecated(r.entities)},
          {"metric_refinements", r.metric_refinements.size()},
          {"span_refinements", r.span_refinements.size()},
          {"files", definition.files.size()},
          {"instruments", instruments}};
}

std::string format_stats_text(const Json& stats) {
  std::string out;
  for (const auto& [key, value] : stats.items()) {
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) {
        out += fmt::format("{:<24}{}\n", key + "." + k, v.dump());
      }
    } else {
      out += fmt::format("{:<24}{}\n", key, value.dump());
    }
  }
  return out;
}

}  // namespace coretel::schema
