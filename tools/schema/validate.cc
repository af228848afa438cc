#include "validate.h"

#include <set>

#include <fmt/format.h>

namespace coretel::schema {
namespace {

/// Whether `value` is a valid single example for a value of `type` ("string", "int[]", ...).
bool example_matches(const std::string& type, const Json& value) {
  if (type == "string") return value.is_string();
  if (type == "int") return value.is_number_integer();
  if (type == "double") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  return true;
}

/// InvalidExampleError / InvalidExampleWarning for one attribute's examples (Weaver's
/// weaver_semconv validation).
void check_examples(const Group& group, const AttributeSpec& a, const AttributeType& type,
                    Diagnostics& d) {
  if (!a.examples || type.is_enum() || type.name == "any" || type.name == "template[any]") return;
  std::string value_type = type.value_type();
  const Json& ex = *a.examples;
  std::string subject = group.id + "/" + a.key;
  bool array = value_type.size() > 2 && value_type.ends_with("[]");
  std::string element = array ? value_type.substr(0, value_type.size() - 2) : value_type;
  auto mismatch = [&](const Json& v) {
    d.error("InvalidExampleError", a.location, subject,
            fmt::format("example {} is not a valid {} value", v.dump(), value_type));
  };
  if (!array) {
    const Json& list = ex;
    if (list.is_array()) {
      for (const Json& v : list) {
        if (!example_matches(element, v)) return mismatch(v);
      }
    } else if (!example_matches(element, list)) {
      mismatch(list);
    }
    return;
  }
  // Arrays: the examples are a list of arrays ([["a","b"]]); a flat list or a single value is
  // the legacy form, accepted with a warning.
  if (ex.is_array() && !ex.empty() && ex.front().is_array()) {
    for (const Json& arr : ex) {
      if (!arr.is_array()) return mismatch(arr);
      for (const Json& v : arr) {
        if (!example_matches(element, v)) return mismatch(v);
      }
    }
    return;
  }
  const Json flat = ex.is_array() ? ex : Json::array({ex});
  for (const Json& v : flat) {
    if (!example_matches(element, v)) return mismatch(v);
  }
  d.warning("InvalidExampleWarning", a.location, subject,
            fmt::format("examples of a {} attribute should be a list of arrays, e.g. [[...]]",
                        value_type));
}

void validate_attribute(const Group& group, const AttributeSpec& a, Diagnostics& d) {
  std::string subject = group.id + "/" + a.key;
  if (a.form != AttributeSpec::Form::kDefinition) return;
  if (!a.brief && !a.deprecated) {
    d.error("InvalidAttribute", a.location, subject,
            "This attribute is not deprecated and does not contain a brief field.");
  }
  if (a.type) {
    std::string value_type = a.type->value_type();
    // Only the v1 syntax asks strings for examples: Weaver's definition/2 validation checks
    // requirement levels and identity/description overlap, not examples.
    if (group.syntax == 1 && (value_type == "string" || value_type == "string[]") &&
        !a.type->is_enum() && !a.examples && !a.deprecated) {
      d.warning(
          "InvalidExampleWarning", a.location, subject,
          fmt::format("This attribute is a {} but it does not contain any examples.", value_type));
    }
    check_examples(group, a, *a.type, d);
    for (const EnumMember& m : a.type->members) {
      if (!m.stability) {
        d.warning("InvalidAttributeWarning", m.location, subject + "/" + m.id,
                  "This enum member does not contain a stability field.");
      }
    }
  }
  if (!a.stability) {
    d.warning("InvalidAttributeWarning", a.location, subject, "Missing stability field.");
  } else if (*a.stability == RegistryStability::kDeprecated) {
    d.warning("InvalidAttributeWarning", a.location, subject,
              "`stability: deprecated` is not a stability; use the `deprecated` field.");
  }
}

void validate_group(const Group& g, Diagnostics& d) {
  const SourceLocation& at = g.location;
  const std::string& s = g.id;
  bool is_internal_v2_group =
      g.syntax == 2 && g.type == GroupType::kAttributeGroup && g.visibility != "public";
  if (g.type != GroupType::kAttributeGroup && g.type != GroupType::kMissing && !g.is_refinement &&
      !g.stability) {
    d.warning("InvalidGroupStability", at, s, "This group does not contain a stability field.");
  }
  if (g.stability == RegistryStability::kDeprecated) {
    d.warning("InvalidGroupStability", at, s,
              "`stability: deprecated` is not a stability; use the `deprecated` field.");
  }
  if (!g.prefix.empty()) {
    d.warning("InvalidGroupUsesPrefix", at, s,
              "`prefix` is deprecated; write the full attribute key in `id`.");
  }
  if (g.type == GroupType::kSpan && g.span_kind.empty() && !g.is_refinement) {
    d.warning("InvalidSpanMissingSpanKind", at, s,
              "This group is a Span but the span_kind is not set.");
  }
  if (g.type != GroupType::kSpan && (!g.span_kind.empty() || !g.span_events.empty())) {
    d.error("InvalidGroup", at, s, "`span_kind` and `events` are only allowed on span groups.");
  }
  if (g.type != GroupType::kEvent && !g.body.is_null()) {
    d.error("InvalidGroup", at, s, "`body` is only allowed on event groups.");
  }
  if (g.type == GroupType::kEvent && g.syntax == 1 && g.name.empty()) {
    d.error("InvalidGroup", at, s, "This event group does not contain a `name`.");
  }
  if (g.has_entity_associations && g.type != GroupType::kMetric && g.type != GroupType::kEvent &&
      g.type != GroupType::kSpan) {
    d.error("InvalidGroup", at, s,
            "`entity_associations` are only allowed on metric, event and span groups.");
  }
  if (g.type == GroupType::kMetric && !g.is_refinement) {
    for (const char* field : {"metric_name", "instrument", "unit"}) {
      const bool missing = field[0] == 'm'   ? g.metric_name.empty()
                           : field[0] == 'i' ? !g.has_instrument
                                             : g.unit.empty();
      if (missing) {
        d.error("InvalidMetric", at, s, fmt::format("This metric group has no `{}`.", field));
      }
    }
  }
  if (g.syntax == 1 && g.type != GroupType::kMetric && g.type != GroupType::kEvent &&
      g.type != GroupType::kMissing && g.extends.empty() && !g.has_attributes_key) {
    d.warning("InvalidGroupMissingExtendsOrAttributes", at, s,
              "This group has neither `extends` nor `attributes`.");
  }
  if (g.syntax == 2 && !g.is_refinement && g.type != GroupType::kAttributeGroup &&
      !g.signal_requirement_level) {
    d.warning("MissingRequirementLevelWarning", at, s,
              "This signal has no `requirement_level`; it defaults to recommended.");
  }
  (void)is_internal_v2_group;
  std::set<std::string> refs;
  std::set<std::string> identity;
  for (const AttributeSpec& a : g.attributes) {
    if (a.form == AttributeSpec::Form::kReference && !refs.insert(a.key).second &&
        !(g.type == GroupType::kEntity && g.syntax == 2)) {
      d.warning("InvalidGroupDuplicateAttributeRef", a.location, s + "/" + a.key,
                "This attribute is referenced more than once in the group.");
    }
    if (g.type == GroupType::kEntity && g.syntax == 2 && a.role) {
      if (*a.role == "identifying") {
        identity.insert(a.key);
      } else if (identity.count(a.key)) {
        d.error("AttributeInIdentityAndDescription", a.location, s + "/" + a.key,
                "This attribute is both in the entity's identity and in its description.");
      }
    }
    validate_attribute(g, a, d);
  }
  if (g.type == GroupType::kMissing) {
    d.warning("InvalidGroupMissingType", at, s, "This group does not contain a type field.");
  }
}

}  // namespace

void validate(const RegistryDefinition& registry, Diagnostics& diagnostics) {
  for (const Group& g : registry.groups) validate_group(g, diagnostics);
}

}  // namespace coretel::schema
