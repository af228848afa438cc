#include "generate_cpp.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

namespace coretel::schema {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ text helpers

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current += c;
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

std::string pascal_case(const std::string& text) {
  std::string out;
  for (std::string w : words_of(text)) {
    w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    // Keep digit runs apart ("http_1_1" -> Http_1_1) so that 1.1 and 11 differ.
    if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.back())) &&
        std::isdigit(static_cast<unsigned char>(w[0]))) {
      out += '_';
    }
    out += w;
  }
  return out.empty() ? "Unnamed" : out;
}

bool is_keyword(const std::string& s) {
  static const std::set<std::string> kKeywords{
      "alignas",  "alignof",  "and",       "asm",       "auto",      "bool",          "break",
      "case",     "catch",    "char",      "class",     "const",     "continue",      "default",
      "delete",   "do",       "double",    "else",      "enum",      "explicit",      "export",
      "extern",   "false",    "float",     "for",       "friend",    "goto",          "if",
      "inline",   "int",      "long",      "mutable",   "namespace", "new",           "noexcept",
      "not",      "nullptr",  "operator",  "or",        "private",   "protected",     "public",
      "register", "return",   "short",     "signed",    "sizeof",    "static",        "struct",
      "switch",   "template", "this",      "throw",     "true",      "try",           "typedef",
      "typeid",   "typename", "union",     "unsigned",  "using",     "virtual",       "void",
      "volatile", "while",    "xor",       "concept",   "requires",  "co_await",      "co_return",
      "co_yield", "char8_t",  "consteval", "constinit", "constexpr", "static_assert", "descriptor"};
  return kKeywords.count(s) > 0;
}

std::string snake_case(const std::string& text) {
  std::string out;
  for (const std::string& w : words_of(text)) {
    if (!out.empty()) out += '_';
    for (char c : w) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.empty()) out = "unnamed";
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "v_" + out;
  if (is_keyword(out)) out += '_';
  return out;
}

/// A C++ string literal with the text escaped.
std::string literal(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\{:03o}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

/// Whitespace collapsed to single spaces: a brief as one line.
std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      out += c;
      space = false;
    }
  }
  return out;
}

/// `indent` + `open` + the items joined by ", " + `close`, as one line when it fits in 100
/// columns, else wrapped between items with continuation lines at `indent` + 4 spaces (an item
/// longer than a line, such as a long string literal, stays whole). Ends with a newline.
std::string wrap_list(std::string_view indent, std::string_view open,
                      const std::vector<std::string>& items, std::string_view close) {
  constexpr std::size_t kWidth = 100;
  const std::string continuation = std::string(indent) + "    ";
  std::string out = std::string(indent) + std::string(open);
  std::size_t column = out.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string piece = items[i] + std::string(i + 1 == items.size() ? close : ",");
    if (i == 0 && !open.empty() && column + piece.size() > kWidth) {
      out += "\n" + continuation;
      column = continuation.size();
    } else if (i > 0) {
      if (column + 1 + piece.size() > kWidth) {
        out += "\n" + continuation;
        column = continuation.size();
      } else {
        out += ' ';
        ++column;
      }
    }
    out += piece;
    column += piece.size();
  }
  if (items.empty()) out += close;
  return out + "\n";
}

/// `inline constexpr std::string_view <name> = "<value>";`, the literal on its own line when
/// the declaration would pass 100 columns.
std::string string_constant(const std::string& name, const std::string& value) {
  std::string head = fmt::format("inline constexpr std::string_view {} =", name);
  std::string text = literal(value);
  return head.size() + 2 + text.size() > 100 ? fmt::format("{}\n    {};\n", head, text)
                                             : fmt::format("{} {};\n", head, text);
}

/// The words of `text` (split at any whitespace, line breaks included) as they may appear in a
/// `//` comment: a word that ends in a backslash is put in backticks (`C:\` becomes "`C:\`"),
/// because a backslash at the end of a line splices the next line into the comment (C++
/// [lex.phases] phase 2), which would swallow the declaration that follows.
std::vector<std::string> comment_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    if (word.back() == '\\') word = "`" + word + "`";
    words.push_back(std::move(word));
  }
  return words;
}

/// `text` as `///` comment lines at `indent`, wrapped at 100 columns; whitespace, line breaks
/// included, collapses to single spaces and no line ends in a backslash (comment_words).
std::string doc_comment(const std::string& text, const std::string& indent) {
  std::string out;
  std::string current;
  std::size_t width = 100 - indent.size() - 4;
  for (const std::string& word : comment_words(text)) {
    if (!current.empty() && current.size() + 1 + word.size() > width) {
      out += indent + "/// " + current + "\n";
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
  }
  if (!current.empty()) out += indent + "/// " + current + "\n";
  return out;
}

/// `text` as one `//` comment line at `indent` (not wrapped), made safe as doc_comment does.
std::string line_comment(const std::string& text, const std::string& indent) {
  return fmt::format("{}// {}\n", indent, fmt::join(comment_words(text), " "));
}

/// The default of the `stability` member of coretel's descriptors (descriptor.h): a designated
/// initialiser leaves it out.
constexpr std::string_view kDefaultStability = "::coretel::Stability::kDevelopment";

std::string stability_enum(const std::string& stability) {
  if (stability == "stable") return "::coretel::Stability::kStable";
  if (stability == "release_candidate") return "::coretel::Stability::kReleaseCandidate";
  if (stability == "beta") return "::coretel::Stability::kBeta";
  if (stability == "alpha") return "::coretel::Stability::kAlpha";
  return "::coretel::Stability::kDevelopment";
}

std::string root_of(const std::string& name) {
  std::string root = name.substr(0, name.find('.'));
  return snake_case(root);
}

std::string deprecation_text(const Deprecated& d) {
  if (d.reason == "renamed") return "Deprecated: renamed to " + d.renamed_to + ".";
  return one_line("Deprecated: " + (d.note.empty() ? d.reason : d.note));
}

// ------------------------------------------------------------------ the generator

class CppGenerator {
 public:
  CppGenerator(const ResolvedRegistry& r, const CppOptions& options) : r_(r), options_(options) {}

  /// file name -> content.
  std::map<std::string, std::string> run(std::string& error) {
    name_enums();
    for (std::size_t index : r_.attributes) attribute_constant(r_.catalog[index]);
    for (std::size_t index : r_.attributes) enum_type(r_.catalog[index]);
    std::vector<const Signal*> metrics;
    for (const Signal& m : r_.metrics) metrics.push_back(&m);
    std::sort(metrics.begin(), metrics.end(),
              [](const Signal* a, const Signal* b) { return a->name < b->name; });
    for (const Signal* m : metrics) metric_constant(*m);
    for (const Signal& e : r_.events) record_struct(e, "Event", e.attributes);
    for (const Signal& e : r_.entities) record_struct(e, "Entity", e.attributes);
    for (const MetricSet& set : r_.metric_sets) {
      if (!metric_set(set, error)) return {};
    }
    return assemble();
  }

 private:
  struct Section {
    std::string attribute_constants;
    std::string enums;
    std::string metric_constants;
    std::string records;
    std::string metric_sets;
    std::set<std::string> needs;  // other root namespaces whose enums this file uses
    bool needs_coretel = false;
  };

  /// A unique C++ identifier for `wanted` in the namespace-wide space `space`.
  std::string unique(const std::string& space, const std::string& wanted) {
    std::string name = wanted;
    for (int n = 2; !names_[space].insert(name).second; ++n)
      name = wanted + "_" + std::to_string(n);
    return name;
  }

  /// Enum type names first, so records and sets can refer to them in any order.
  void name_enums() {
    for (std::size_t index : r_.attributes) {
      const CatalogAttribute& a = r_.catalog[index];
      if (!a.type.is_enum()) continue;
      enum_names_[a.key] = unique("type", pascal_case(a.key));
    }
  }

  /// How an enum attribute is generated:
  ///   kString   every member value is a string: enumerators 0..N-1 in member order, a value
  ///             table (CORETEL_MEASUREMENT_ATTRIBUTE) doubling as to_string(); usable as a
  ///             measurement attribute.
  ///   kInteger  every member value is an integer: the enumerators carry the values.
  ///   kOther    booleans, doubles, values of mixed types, or no members at all: enumerators
  ///             0..N-1 with to_string() giving the member id and to_attribute_value() the
  ///             value with the type the registry wrote.
  enum class EnumKind { kString, kInteger, kOther };

  static EnumKind enum_kind(const CatalogAttribute& a) {
    const auto& members = a.type.members;
    if (members.empty()) return EnumKind::kOther;
    auto all = [&](auto predicate) {
      return std::all_of(members.begin(), members.end(), predicate);
    };
    if (all([](const EnumMember& m) { return m.value.is_string(); })) return EnumKind::kString;
    if (all([](const EnumMember& m) { return m.value.is_number_integer(); })) {
      return EnumKind::kInteger;
    }
    return EnumKind::kOther;
  }

  static bool string_enum(const CatalogAttribute& a) { return enum_kind(a) == EnumKind::kString; }

  /// A C++ expression of type ::coretel::AttributeValue holding `value` as the registry typed
  /// it.
  static std::string attribute_value_literal(const Json& value) {
    if (value.is_string()) return fmt::format("std::string({})", literal(value.get<std::string>()));
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number_integer()) return fmt::format("int64_t{{{}}}", value.dump());
    if (value.is_number()) return fmt::format("double{{{}}}", value.dump());
    return fmt::format("std::string({})", literal(value.dump()));
  }

  void attribute_constant(const CatalogAttribute& a) {
    Section& s = sections_[root_of(a.key)];
    std::string name = unique("attribute", "k" + pascal_case(a.key));
    std::string doc = a.brief;
    if (a.type.is_template()) doc += " Template: the key is followed by `.<suffix>`.";
    s.attribute_constants += doc_comment(doc, "");
    s.attribute_constants += doc_comment(
        fmt::format("Type: {}. Stability: {}.", a.type.is_enum() ? enum_names_[a.key] : a.type.name,
                    a.stability.empty() ? "development" : a.stability),
        "");
    if (a.deprecated) {
      s.attribute_constants +=
          fmt::format("[[deprecated({})]]\n", literal(deprecation_text(*a.deprecated)));
    }
    s.attribute_constants += string_constant(name, a.key) + "\n";
  }

  void enum_type(const CatalogAttribute& a) {
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
      if (m.deprecated) doc += (doc.empty() ? "" : " ") + deprecation_text(*m.deprecated);
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
        std::string stability = stability_enum(m.stability.value_or("development"));
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
    s.enums +=
        switch_function(fmt::format("/// The member id of `value`.\n"
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

  void metric_constant(const Signal& m) {
    Section& s = sections_[root_of(m.name)];
    std::string name = unique("metric", "k" + pascal_case(m.name));
    s.metric_constants += doc_comment(m.brief, "");
    s.metric_constants +=
        doc_comment(fmt::format("Instrument: {}. Unit: `{}`. Stability: {}.", m.instrument, m.unit,
                                m.stability.empty() ? "development" : m.stability),
                    "");
    if (m.deprecated) {
      s.metric_constants +=
          fmt::format("[[deprecated({})]]\n", literal(deprecation_text(*m.deprecated)));
    }
    s.metric_constants += string_constant(name, m.name) + "\n";
  }

  struct FieldType {
    std::string cpp;       // "" when not representable (templates, any)
    std::string to_value;  // expression building an AttributeValue from `v`, "" for arrays
  };

  FieldType field_type(const CatalogAttribute& a, Section& s) {
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
  std::string record_body(const std::vector<AttributeRef>& refs, Section& s, bool optional_all) {
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
      bool required = ref.requirement_level.level == "required" && !optional_all;
      std::string doc = a.brief;
      doc += fmt::format(" Requirement level: {}.", ref.requirement_level.level);
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

  void record_struct(const Signal& signal, const std::string& suffix,
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

  bool metric_set(const MetricSet& set, std::string& error) {
    Section& s = sections_[root_of(set.name)];
    s.needs_coretel = true;
    std::string type = unique("type", pascal_case(set.name) + "Metrics");
    std::string bounds_code, members, fields;
    std::string stability = "stable";
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
    for (const AttributeRef* ref : all) {
      const CatalogAttribute& a = r_.attribute(*ref);
      bool measurement = std::find_if(set.measurement_attributes.begin(),
                                      set.measurement_attributes.end(), [&](const AttributeRef& x) {
                                        return &x == ref;
                                      }) != set.measurement_attributes.end();
      const bool strings = a.type.is_enum() && string_enum(a);
      if (a.type.is_enum()) s.needs.insert(root_of(a.key));
      // Designated initialisers, defaults omitted (AttributeDescriptor's member initialisers);
      // key, type and brief have none, so they are always written.
      std::vector<std::string> items{".key = " + literal(a.key), ".type = " + literal(a.type.name),
                                     ".brief = " + literal(one_line(a.brief))};
      if (std::string stability = stability_enum(a.stability); stability != kDefaultStability) {
        items.push_back(".stability = " + stability);
      }
      if (ref->requirement_level.level != "recommended") {
        items.push_back(".requirement_level = " + literal(ref->requirement_level.level));
      }
      // The tables CORETEL_MEASUREMENT_ATTRIBUTE and enum_type() declare, as arrays: each
      // converts to its span member.
      if (strings) items.push_back(fmt::format(".values = {}_coretel_values", enum_names_[a.key]));
      if (measurement) items.push_back(".measurement = true");
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
      s.metric_sets += fmt::format(
          "inline constexpr ::coretel::AttributeDescriptor {}_attributes[] = {{\n{}}};\n", type,
          attributes);
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
          fmt::format("/// The attributes each `{}` series is registered with.\nstruct {} {{\n",
                      type, attrs_type);
      s.metric_sets += record_body(set.attributes, s, false);
      s.metric_sets += "};\n";
    }
    s.metric_sets += "\n";
    return true;
  }

  static int stability_rank(const std::string& s) {
    if (s == "stable") return 4;
    if (s == "release_candidate") return 3;
    if (s == "beta") return 2;
    if (s == "alpha") return 1;
    return 0;
  }

  std::vector<std::string> namespace_parts() const {
    std::vector<std::string> parts;
    std::string ns = options_.cpp_namespace;
    std::size_t pos = 0;
    while ((pos = ns.find("::")) != std::string::npos) {
      parts.push_back(ns.substr(0, pos));
      ns = ns.substr(pos + 2);
    }
    parts.push_back(ns);
    return parts;
  }

  std::map<std::string, std::string> assemble() {
    std::map<std::string, std::string> files;
    std::string ns = options_.cpp_namespace;
    std::string header =
        "// Generated by coretel-schema from the registry\n" +
        fmt::format("//   {}\n", fmt::join(comment_words(r_.schema_url.empty() ? "(no schema_url)"
                                                                               : r_.schema_url),
                                           " ")) +
        "// Do not edit: change the registry and regenerate (docs/schema-tool.md).\n";
    std::string index = header + "#pragma once\n\n";
    for (auto& [root, s] : sections_) {
      std::string out =
          header +
          "#pragma once\n\n#include <array>\n#include <cstdint>\n#include <optional>\n#include "
          "<span>\n#include <string>\n#include <string_view>\n#include <vector>\n\n";
      if (s.needs_coretel) {
        out +=
            "#include \"coretel/metrics/attributes.h\"\n#include "
            "\"coretel/metrics/measurement.h\"\n"
            "#include \"coretel/metrics/metric_set.h\"\n";
      }
      out += "#include \"registry_stamp.h\"\n";
      for (const std::string& other : s.needs) {
        if (other != root) out += fmt::format("#include \"{}.h\"\n", other);
      }
      out += fmt::format("\nnamespace {} {{\n\n", ns);
      if (!s.attribute_constants.empty()) {
        out += "// Attribute keys.\nnamespace attributes {\n\n" + s.attribute_constants +
               "}  // namespace attributes\n\n";
      }
      out += s.enums;
      if (!s.metric_constants.empty()) {
        out += "// Metric names.\nnamespace metrics {\n\n" + s.metric_constants +
               "}  // namespace metrics\n\n";
      }
      out += s.records;
      out += s.metric_sets;
      out += fmt::format("}}  // namespace {}\n", ns);
      files[root + ".h"] = out;
      index += fmt::format("#include \"{}.h\"\n", root);
    }
    files["registry.h"] = index;
    // Every header includes the stamp, and the stamp changes whenever any header does: a build
    // system that knows only the stamp as the generator's output (coretel_generate_registry)
    // still rebuilds whatever includes a changed header.
    uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
    for (const auto& [name, content] : files) {
      for (unsigned char c : name + content) hash = (hash ^ c) * 1099511628211ull;
    }
    files["registry_stamp.h"] =
        header + fmt::format("// Content hash: {:016x}\n#pragma once\n", hash);
    return files;
  }

  const ResolvedRegistry& r_;
  const CppOptions& options_;
  std::map<std::string, Section> sections_;
  std::map<std::string, std::set<std::string>> names_;
  std::map<std::string, std::string> enum_names_;
};

bool valid_namespace(const std::string& ns) {
  if (ns.empty()) return false;
  std::size_t i = 0;
  while (i < ns.size()) {
    std::size_t end = ns.find("::", i);
    std::string part = ns.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0])) || is_keyword(part))
      return false;
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    if (end == std::string::npos) break;
    i = end + 2;
  }
  return true;
}

}  // namespace

std::string metric_set_field_name(const MetricSet& set, const Signal& metric) {
  const std::string set_prefix = set.name + ".";
  std::string field = metric.coretel && metric.coretel->field
                          ? *metric.coretel->field
                          : (metric.name.rfind(set_prefix, 0) == 0
                                 ? metric.name.substr(set_prefix.size())
                                 : metric.name.substr(metric.name.rfind('.') + 1));
  return snake_case(field);
}

bool generate_cpp(const ResolvedRegistry& registry, const fs::path& out_dir,
                  const CppOptions& options, std::string& error) {
  if (!valid_namespace(options.cpp_namespace)) {
    error = fmt::format("`{}` is not a C++ namespace name", options.cpp_namespace);
    return false;
  }
  std::map<std::string, std::string> files = CppGenerator(registry, options).run(error);
  if (!error.empty()) return false;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    error = fmt::format("cannot create {}: {}", out_dir.string(), ec.message());
    return false;
  }
  for (const auto& [name, content] : files) {
    fs::path path = out_dir / name;
    std::ifstream existing(path, std::ios::binary);
    std::stringstream old;
    old << existing.rdbuf();
    if (existing && old.str() == content) continue;  // unchanged: keep the timestamp
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) {
      error = fmt::format("cannot write {}", path.string());
      return false;
    }
  }
  // Headers an earlier run generated for namespaces the registry no longer has: a stale one
  // would still compile into what includes it. Only files that start as ours are removed.
  for (const fs::directory_entry& entry : fs::directory_iterator(out_dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() != ".h" || files.contains(path.filename().string())) continue;
    std::ifstream in(path, std::ios::binary);
    std::string first_line;
    std::getline(in, first_line);
    in.close();
    if (first_line.rfind("// Generated by coretel-schema", 0) == 0) fs::remove(path, ec);
  }
  return true;
}

}  // namespace coretel::schema
