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
  if (suffix == "Event") {
    s.records +=
        "\n  /// Emits this event through `emitter`, anything with\n"
        "  /// `emit(std::string_view name, const coretel::Attributes&)`.\n"
        "  template <class Emitter>\n"
        "  void emit(Emitter& emitter) const {\n"
        "    emitter.emit(kName, attributes());\n  }\n";
  }
  s.records += "};\n\n";
}

}  // namespace coretel::schema::cpp
