// cpp_attributes.cc: attribute key constants (`namespace attributes`) and one `enum class` per
// enum attribute with its string form (to_string, and for string enums the value table and
// member descriptors metric sets point at). Enum type names are chosen first (name_enums), so
// the other stages can refer to them in any order.
#include "cpp_generator.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "cpp_text.h"

namespace coretel::schema::cpp {

/// Enum type names first, so records and sets can refer to them in any order.
void CppGenerator::name_enums() {
  for (std::size_t index : r_.attributes) {
    const CatalogAttribute& a = r_.catalog[index];
    if (!a.type.is_enum()) continue;
    enum_names_[a.key] = unique("type", pascal_case(a.key));
  }
}

CppGenerator::EnumKind CppGenerator::enum_kind(const CatalogAttribute& a) {
  const auto& members = a.type.members;
  if (members.empty()) return EnumKind::kOther;
  auto all = [&](auto predicate) { return std::all_of(members.begin(), members.end(), predicate); };
  if (all([](const EnumMember& m) { return m.value.is_string(); })) return EnumKind::kString;
  if (all([](const EnumMember& m) { return m.value.is_number_integer(); })) {
    return EnumKind::kInteger;
  }
  return EnumKind::kOther;
}

bool CppGenerator::string_enum(const CatalogAttribute& a) {
  return enum_kind(a) == EnumKind::kString;
}

/// A C++ expression of type ::coretel::AttributeValue holding `value` as the registry typed
/// it.
std::string CppGenerator::attribute_value_literal(const Json& value) {
  if (value.is_string()) return fmt::format("std::string({})", literal(value.get<std::string>()));
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return fmt::format("int64_t{{{}}}", value.dump());
  if (value.is_number()) return fmt::format("double{{{}}}", value.dump());
  return fmt::format("std::string({})", literal(value.dump()));
}

void CppGenerator::attribute_constant(const CatalogAttribute& a) {
  Section& s = sections_[root_of(a.key)];
  std::string name = unique("attribute", fmt::format("k{}", pascal_case(a.key)));
  std::string doc = a.brief;
  if (a.type.is_template()) doc += " Template: the key is followed by `.<suffix>`.";
  s.attribute_constants += doc_comment(doc, "");
  s.attribute_constants += doc_comment(
      fmt::format("Type: {}. Stability: {}.", a.type.is_enum() ? enum_names_[a.key] : a.type.name,
                  stability_or_development(a.stability)),
      "");
  if (a.deprecated) {
    s.attribute_constants +=
        fmt::format("[[deprecated({})]]\n", literal(deprecation_text(*a.deprecated)));
  }
  s.attribute_constants += string_constant(name, a.key) + "\n";
}

void CppGenerator::enum_type(const CatalogAttribute& a) {
  if (!a.type.is_enum()) return;
  Section& s = sections_[root_of(a.key)];
  const std::string& type = enum_names_[a.key];
  const EnumKind kind = enum_kind(a);
  std::set<std::string> used;
  std::vector<std::string> enumerators;
  for (const EnumMember& m : a.type.members) {
    // fmt rather than operator+ chains: g++ 12 -O3 reports a false -Wrestrict on those.
    const std::string base = fmt::format("k{}", pascal_case(m.id));
    std::string e = base;
    for (int n = 2; !used.insert(e).second; ++n) e = fmt::format("{}_{}", base, n);
    enumerators.push_back(e);
  }
  s.enums += doc_comment(a.brief, "");
  s.enums += doc_comment(fmt::format("Values of `{}`.", a.key), "");
  if (kind == EnumKind::kString) {
    s.enums += "/// The registry allows other values too (enums are open).\n";
  }
  s.enums += fmt::format("enum class {} : {} {{\n", type,
                         kind == EnumKind::kInteger ? "int64_t" : "uint16_t");
  for (std::size_t i = 0; i < a.type.members.size(); ++i) {
    const EnumMember& m = a.type.members[i];
    std::string doc = m.brief;
    if (m.deprecated) {
      if (!doc.empty()) doc += ' ';
      doc += deprecation_text(*m.deprecated);
    }
    s.enums += doc_comment(doc, "  ");
    if (kind == EnumKind::kInteger) {
      s.enums += fmt::format("  {} = {},\n", enumerators[i], m.value.dump());
    } else {
      s.enums +=
          fmt::format("  {},  // {}\n", enumerators[i],
                      m.value.is_string() ? literal(m.value.get<std::string>()) : m.value.dump());
    }
  }
  s.enums += "};\n";
  if (kind == EnumKind::kString) {
    std::vector<std::string> values;
    for (const EnumMember& m : a.type.members)
      values.push_back(literal(m.value.get<std::string>()));
    // Enumerators are 0..N-1 in member order, so the value table doubles as to_string().
    values.insert(values.begin(), {type, literal(a.key)});
    s.enums += wrap_list("", "CORETEL_MEASUREMENT_ATTRIBUTE(", values, ");");
    // Ids and stability, for the descriptors of the sets that use the attribute.
    const std::string table_head = fmt::format(
        "inline constexpr ::coretel::EnumMemberDescriptor {}_coretel_members[] = {{", type);
    s.enums += (table_head.size() > 100
                    ? fmt::format("inline constexpr ::coretel::EnumMemberDescriptor\n    "
                                  "{}_coretel_members[] = {{",
                                  type)
                    : table_head) +
               "\n";
    for (const EnumMember& m : a.type.members) {
      std::vector<std::string> items{".id = " + literal(m.id),
                                     ".value = " + literal(m.value.get<std::string>())};
      std::string stability = stability_enum(m.stability);
      if (stability != kDefaultStability) items.push_back(".stability = " + stability);
      s.enums += wrap_list("    ", "{", items, "},");
    }
    s.enums += "};\n";
    s.enums += fmt::format(
        "/// The value the registry gives `value`; empty for a value outside the enum.\n"
        "constexpr std::string_view to_string({0} value) noexcept {{\n"
        "  const auto index = static_cast<std::size_t>(value);\n"
        "  if (index >= std::size({0}_coretel_values)) return {{}};\n"
        "  return {0}_coretel_values[index];\n}}\n\n",
        type);
    s.needs_coretel = true;  // CORETEL_MEASUREMENT_ATTRIBUTE
    return;
  }
  // Integer enumerators that repeat an earlier member's value are the same C++ value: a
  // second `case` for it would not compile, and the first member's id is the answer.
  std::vector<bool> repeats(enumerators.size(), false);
  if (kind == EnumKind::kInteger) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < enumerators.size(); ++i) {
      repeats[i] = !seen.insert(a.type.members[i].value.dump()).second;
    }
  }
  // A function of the enum: one `case` per distinct enumerator returning `result(i)`.
  auto switch_function = [&](const std::string& head, auto result) {
    std::string out = head + " {\n  switch (value) {\n";
    for (std::size_t i = 0; i < enumerators.size(); ++i) {
      if (repeats[i]) continue;
      out += fmt::format("    case {}::{}:\n      return {};\n", type, enumerators[i], result(i));
    }
    return out + "  }\n  return {};\n}\n\n";
  };
  s.enums += switch_function(fmt::format("/// The member id of `value`.\n"
                                         "constexpr std::string_view to_string({} value) noexcept",
                                         type),
                             [&](std::size_t i) { return literal(a.type.members[i].id); });
  if (kind == EnumKind::kOther) {
    s.enums += switch_function(
        fmt::format("/// The value the registry gives `value`, with the type the registry "
                    "gives it.\ninline ::coretel::AttributeValue to_attribute_value({} value)",
                    type),
        [&](std::size_t i) { return attribute_value_literal(a.type.members[i].value); });
    s.needs_coretel = true;  // ::coretel::AttributeValue
  }
}

}  // namespace coretel::schema::cpp
