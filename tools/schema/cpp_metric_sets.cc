// cpp_metric_sets.cc: metric name constants (`namespace metrics`) and each coretel metric set:
// its struct of instruments (types from the typed `coretel:` annotation and kInstrumentCatalog),
// histogram bounds, attribute descriptors (designated initialisers, defaults omitted), the
// CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY descriptor, the MeasuredSet alias and the typed
// entity tuple. Assumes a checked registry (generate_cpp.h).
#include "cpp_generator.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "cpp_text.h"

namespace coretel::schema::cpp {

void CppGenerator::metric_constant(const Signal& m) {
  Section& s = sections_[root_of(m.name)];
  std::string name = unique("metric", fmt::format("k{}", pascal_case(m.name)));
  s.metric_constants += doc_comment(m.brief, "");
  s.metric_constants += doc_comment(
      fmt::format("Instrument: {}. Unit: `{}`. Stability: {}.", instrument_text(m.instrument),
                  m.unit, stability_or_development(m.stability)),
      "");
  if (m.deprecated) {
    s.metric_constants +=
        fmt::format("[[deprecated({})]]\n", literal(deprecation_text(*m.deprecated)));
  }
  s.metric_constants += string_constant(name, m.name) + "\n";
}

bool CppGenerator::metric_set(const MetricSet& set, std::string& error) {
  Section& s = sections_[root_of(set.name)];
  s.needs_coretel = true;
  std::string type = unique("type", pascal_case(set.name) + "Metrics");
  std::string bounds_code, members, fields;
  std::optional<RegistryStability> stability = RegistryStability::kStable;
  for (std::size_t index : set.metrics) {
    const Signal& m = r_.metrics[index];
    if (!m.coretel) {  // resolve() builds sets from Signal::coretel: cannot happen
      error = fmt::format(
          "internal error: metric `{}` of metric set `{}` has no coretel "
          "annotation",
          m.name, set.name);
      return false;
    }
    const CoretelMetricAnnotation& c = *m.coretel;
    // check made the fields unique (coretel_metric_set_field_collision).
    std::string field = metric_set_field_name(set, m);
    const InstrumentInfo& kind = info(c.instrument);
    std::string cpp;
    if (c.instrument == InstrumentKind::kHistogram) {
      std::string bounds_name = type + "_" + field + "_bounds";
      std::vector<std::string> texts;
      for (double b : c.histogram_bounds) texts.push_back(fmt::format("{}", b));
      bounds_code +=
          doc_comment(fmt::format("Bucket bounds of `{}`, in `{}`.", m.name, m.unit), "");
      bounds_code += wrap_list("",
                               fmt::format("inline constexpr std::array<double, {}> {}{{",
                                           c.histogram_bounds.size(), bounds_name),
                               texts, "};");
      cpp = fmt::format("::coretel::{}<{}>", kind.cpp_type, bounds_name);
    } else if (c.instrument == InstrumentKind::kExponentialHistogram) {
      cpp = c.max_size == kDefaultExponentialHistogramSize
                ? fmt::format("::coretel::{}<>", kind.cpp_type)  // the SDK's default, 160
                : fmt::format("::coretel::{}<{}>", kind.cpp_type, c.max_size);
    } else if (kind.value_types.empty()) {
      cpp = fmt::format("::coretel::{}", kind.cpp_type);  // Mmsc: records doubles
    } else {
      cpp = fmt::format("::coretel::{}<{}>", kind.cpp_type, cpp_type(c.value_type));
    }
    members += doc_comment(m.brief, "  ");
    members += fmt::format("  {} {};\n", cpp, field);
    fields += ",\n" + wrap_list("    ", "CORETEL_FIELD(",
                                {field, literal(m.name), literal(m.unit),
                                 literal(one_line(m.brief)), stability_enum(m.stability)},
                                ")");
    fields.pop_back();  // the newline: the next field or `);` follows
    if (stability_rank(m.stability) < stability_rank(stability)) stability = m.stability;
  }
  std::string attributes;
  std::vector<const AttributeRef*> all;
  for (const AttributeRef& ref : set.attributes) all.push_back(&ref);
  for (const AttributeRef& ref : set.measurement_attributes) all.push_back(&ref);
  for (const AttributeRef& ref : set.registration_attributes) all.push_back(&ref);
  auto in = [](const std::vector<AttributeRef>& refs, const AttributeRef* ref) {
    return std::find_if(refs.begin(), refs.end(),
                        [&](const AttributeRef& x) { return &x == ref; }) != refs.end();
  };
  for (const AttributeRef* ref : all) {
    const CatalogAttribute& a = r_.attribute(*ref);
    const bool measurement = in(set.measurement_attributes, ref);
    const bool registration = in(set.registration_attributes, ref);
    const bool strings = a.type.is_enum() && string_enum(a);
    if (a.type.is_enum()) s.needs.insert(root_of(a.key));
    // Designated initialisers, defaults omitted (AttributeDescriptor's member initialisers);
    // key, type and brief have none, so they are always written.
    std::vector<std::string> items{".key = " + literal(a.key), ".type = " + literal(a.type.name),
                                   ".brief = " + literal(one_line(a.brief))};
    if (std::string stability = stability_enum(a.stability); stability != kDefaultStability) {
      items.push_back(".stability = " + stability);
    }
    if (ref->requirement_level.level != RequirementLevel::kRecommended) {
      items.push_back(".requirement_level = " +
                      requirement_level_enum(ref->requirement_level.level));
    }
    // The tables CORETEL_MEASUREMENT_ATTRIBUTE and enum_type() declare, as arrays: each
    // converts to its span member.
    if (strings) items.push_back(fmt::format(".values = {}_coretel_values", enum_names_[a.key]));
    if (measurement) items.push_back(".measurement = true");
    if (registration) items.push_back(".registration = true");
    if (strings) {
      items.push_back(fmt::format(".members = {}_coretel_members", enum_names_[a.key]));
    }
    attributes += wrap_list("    ", "{", items, "},");
  }
  s.metric_sets += bounds_code;
  s.metric_sets += doc_comment(set.brief, "");
  s.metric_sets += doc_comment(
      fmt::format("Metric set `{}`: {} sharing one attribute tuple.", set.name,
                  set.metrics.size() == 1 ? std::string("1 instrument")
                                          : fmt::format("{} instruments", set.metrics.size())),
      "");
  s.metric_sets += fmt::format(
      "struct CORETEL_METRIC_SET_STRUCT({}) {{\n{}  CORETEL_METRIC_SET_DESCRIPTOR;\n}};\n", type,
      members);
  std::string attributes_span = "std::span<const ::coretel::AttributeDescriptor>()";
  if (!attributes.empty()) {
    s.metric_sets +=
        fmt::format("inline constexpr ::coretel::AttributeDescriptor {}_attributes[] = {{\n{}}};\n",
                    type, attributes);
    attributes_span =
        fmt::format("std::span<const ::coretel::AttributeDescriptor>({}_attributes)", type);
  }
  s.metric_sets += "CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY(\n";
  s.metric_sets +=
      wrap_list("    ", "", {type, literal(set.name), literal(one_line(set.brief))}, ",");
  s.metric_sets += wrap_list("    ", "", {stability_enum(stability), attributes_span}, ",");
  s.metric_sets += fmt::format("    std::string_view({}){});\n", literal(r_.schema_url), fields);
  if (!set.measurement_attributes.empty()) {
    std::vector<std::string> enums, by;
    // check made each a string enum (coretel_metric_set_measurement_not_enum).
    for (const AttributeRef& ref : set.measurement_attributes) {
      const CatalogAttribute& a = r_.attribute(ref);
      enums.push_back(enum_names_[a.key]);
      by.push_back(enum_names_[a.key]);
    }
    s.metric_sets += fmt::format(
        "/// `{}` with one bucket per combination of its measurement attributes.\n", type);
    enums.insert(enums.begin(), type);
    s.metric_sets += wrap_list("",
                               fmt::format("using {}By{} = ::coretel::MeasuredSet<",
                                           type.substr(0, type.size() - 7), fmt::join(by, "And")),
                               enums, ">;");
  }
  // The entity tuple, typed: what a registration of the set carries.
  if (!set.attributes.empty()) {
    std::string attrs_type = unique("type", pascal_case(set.name) + "Attributes");
    s.metric_sets +=
        fmt::format("/// The attributes each `{}` series is registered with.\nstruct {} {{\n", type,
                    attrs_type);
    s.metric_sets += record_body(set.attributes, s, false);
    s.metric_sets += "};\n";
  }
  // The registration attributes, typed: carried by each data point of one registration.
  if (!set.registration_attributes.empty()) {
    std::string attrs_type = unique("type", pascal_case(set.name) + "RegistrationAttributes");
    s.metric_sets += fmt::format(
        "/// The attributes each `{}` registration carries on its data points\n"
        "/// (Reporter::register_set's second argument).\nstruct {} {{\n",
        type, attrs_type);
    s.metric_sets += record_body(set.registration_attributes, s, false);
    s.metric_sets += "};\n";
  }
  s.metric_sets += "\n";
  return true;
}

}  // namespace coretel::schema::cpp

namespace coretel::schema {

std::string metric_set_field_name(const MetricSet& set, const Signal& metric) {
  const std::string set_prefix = set.name + ".";
  std::string field = metric.coretel && metric.coretel->field
                          ? *metric.coretel->field
                          : (metric.name.rfind(set_prefix, 0) == 0
                                 ? metric.name.substr(set_prefix.size())
                                 : metric.name.substr(metric.name.rfind('.') + 1));
  return cpp::snake_case(field);
}

}  // namespace coretel::schema
