// cpp_records.cc: a typed struct per event (`<Name>Event`, with emit()) and per entity
// (`<Name>Entity`): one member per attribute (required plain, others optional) and
// attributes() building coretel::Attributes; a metric set's entity tuple uses the same body.
#include "cpp_generator.h"

#include <set>

#include <fmt/format.h>

#include "cpp_text.h"

namespace coretel::schema::cpp {

CppGenerator::FieldType CppGenerator::field_type(const CatalogAttribute& a, Section& s) {
  if (a.type.is_enum()) {
    s.needs.insert(root_of(a.key));
    const std::string& type = enum_names_[a.key];
    switch (enum_kind(a)) {
      case EnumKind::kString:
        return {type, "std::string(to_string(v))"};
      case EnumKind::kInteger:
        return {type, "static_cast<int64_t>(v)"};
      case EnumKind::kOther:
        break;
    }
    return {type, "to_attribute_value(v)"};
  }
  const std::string& t = a.type.name;
  if (t == "string") return {"std::string", "v"};
  if (t == "int") return {"int64_t", "v"};
  if (t == "double") return {"double", "v"};
  if (t == "boolean") return {"bool", "v"};
  if (t == "string[]") return {"std::vector<std::string>", ""};
  if (t == "int[]") return {"std::vector<int64_t>", ""};
  if (t == "double[]") return {"std::vector<double>", ""};
  if (t == "boolean[]") return {"std::vector<bool>", ""};
  return {"", ""};
}

/// A struct with one typed member per attribute (required ones plain, others optional) and
/// `attributes()` building coretel::Attributes from the ones set.
std::string CppGenerator::record_body(const std::vector<AttributeRef>& refs, Section& s,
                                      bool optional_all) {
  std::string members, build;
  std::set<std::string> used;
  for (const AttributeRef& ref : refs) {
    const CatalogAttribute& a = r_.attribute(ref);
    FieldType type = field_type(a, s);
    std::string field = snake_case(a.key);
    for (int n = 2; !used.insert(field).second; ++n)
      field = snake_case(a.key) + "_" + std::to_string(n);
    if (type.cpp.empty()) {
      members += line_comment(fmt::format("`{}` ({}) has no typed member: set it through "
                                          "attributes().",
                                          a.key, a.type.name),
                              "  ");
      continue;
    }
    bool required = ref.requirement_level.level == RequirementLevel::kRequired && !optional_all;
    std::string doc = a.brief;
    doc += fmt::format(" Requirement level: {}.", to_string(ref.requirement_level.level));
    members += doc_comment(doc, "  ");
    members += fmt::format("  {} {}{{}};\n",
                           required ? type.cpp : "std::optional<" + type.cpp + ">", field);
    if (type.to_value.empty()) {
      build += line_comment(
          fmt::format("`{}`: arrays are not a coretel::AttributeValue yet.", a.key), "    ");
    } else if (required) {
      build += fmt::format(
          "    {{\n      const auto& v = {};\n      out.push_back({{{}, {}}});\n    }}\n", field,
          literal(a.key), type.to_value);
    } else {
      build += fmt::format(
          "    if ({}) {{\n      const auto& v = *{};\n      out.push_back({{{}, {}}});\n    "
          "}}\n",
          field, field, literal(a.key), type.to_value);
    }
  }
  s.needs_coretel = true;
  return members +
         "\n  /// The attributes that are set, as coretel::Attributes.\n"
         "  ::coretel::Attributes attributes() const {\n"
         "    std::vector<::coretel::Attribute> out;\n" +
         build + "    return ::coretel::Attributes(std::move(out));\n  }\n";
}

/// The typed emitter of an event: `static void emit(const Callsite&, ...)`, one parameter per
/// attribute (required ones first, then the others as std::optional defaulting to none), for
/// CORETEL_EMIT (coretel/events/emit.h). Attributes with no scalar view (arrays, enums of mixed
/// value types) are not parameters: a comment says so.
std::string CppGenerator::typed_emitter(const std::vector<AttributeRef>& refs, Section& s) {
  struct Param {
    std::string decl, push;
  };
  std::vector<Param> required, optional;
  std::string skipped;
  // The emitter's own names: an attribute spelt like one gets a suffix.
  std::set<std::string> used = {"site", "attributes", "n", "v"};
  for (const AttributeRef& ref : refs) {
    const CatalogAttribute& a = r_.attribute(ref);
    std::string name = snake_case(a.key);
    for (int n = 2; !used.insert(name).second; ++n)
      name = snake_case(a.key) + "_" + std::to_string(n);
    std::string type, value;
    if (a.type.is_enum()) {
      const EnumKind kind = enum_kind(a);
      if (kind != EnumKind::kOther) {
        s.needs.insert(root_of(a.key));
        type = enum_names_[a.key];
        value = kind == EnumKind::kString ? "to_string(v)" : "static_cast<int64_t>(v)";
      }
    } else if (a.type.name == "string") {
      type = "std::string_view", value = "v";
    } else if (a.type.name == "int") {
      type = "int64_t", value = "v";
    } else if (a.type.name == "double") {
      type = "double", value = "v";
    } else if (a.type.name == "boolean") {
      type = "bool", value = "v";
    }
    if (type.empty()) {
      skipped +=
          fmt::format("  // `{}` ({}) is not a parameter: no scalar value.\n", a.key, a.type.name);
      continue;
    }
    const std::string set = fmt::format(
        "attributes[n++] = {{{}, ::coretel::AttributeValueRef({})}};", literal(a.key), value);
    if (ref.requirement_level.level == RequirementLevel::kRequired) {
      required.push_back(
          {fmt::format("{} {}", type, name),
           fmt::format("    {{\n      const auto& v = {};\n      {}\n    }}\n", name, set)});
    } else {
      optional.push_back(
          {fmt::format("std::optional<{}> {} = std::nullopt", type, name),
           fmt::format("    if ({}) {{\n      const auto& v = *{};\n      {}\n    }}\n", name, name,
                       set)});
    }
  }
  s.needs_events = true;
  std::string params = "const ::coretel::events::Callsite& site";
  std::string pushes;
  for (const auto* group : {&required, &optional})
    for (const Param& p : *group) {
      params += ", " + p.decl;
      pushes += p.push;
    }
  const std::size_t count = required.size() + optional.size();
  return fmt::format(
      "\n  /// Emits this event through coretel's events (coretel/events/emit.h): use\n"
      "  /// CORETEL_EMIT(severity, ThisType, args...), which filters the call site first.\n"
      "{}"
      "  static void emit({}) noexcept {{\n"
      "    std::array<::coretel::AttributeRef, {}> attributes;\n"
      "    std::size_t n = 0;\n"
      "{}"
      "    ::coretel::events::detail::dispatch(site, {{}}, std::span<const "
      "::coretel::AttributeRef>(attributes.data(), n));\n"
      "  }}\n",
      skipped, params, std::max<std::size_t>(count, 1), pushes);
}

void CppGenerator::record_struct(const Signal& signal, const std::string& suffix,
                                 const std::vector<AttributeRef>& refs) {
  Section& s = sections_[root_of(signal.name)];
  std::string type = unique("type", pascal_case(signal.name) + suffix);
  s.records += doc_comment(signal.brief, "");
  if (signal.deprecated) s.records += doc_comment(deprecation_text(*signal.deprecated), "");
  s.records += fmt::format("struct {} {{\n", type);
  s.records +=
      fmt::format("  static constexpr std::string_view kName = {};\n\n", literal(signal.name));
  s.records += record_body(refs, s, false);
  if (suffix == "Event") s.records += typed_emitter(refs, s);
  s.records += "};\n\n";
}

}  // namespace coretel::schema::cpp
