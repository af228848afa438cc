#include "generate_python.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <string_view>

#include <fmt/format.h>

namespace coretel::schema {

namespace {

// Python's keywords and soft keywords: an identifier made from a key gets a trailing '_'.
constexpr std::array<std::string_view, 39> kKeywords{
    "False",  "None",     "True",   "and", "as",   "assert", "async",  "await",    "break", "case",
    "class",  "continue", "def",    "del", "elif", "else",   "except", "finally",  "for",   "from",
    "global", "if",       "import", "in",  "is",   "lambda", "match",  "nonlocal", "not",   "or",
    "pass",   "raise",    "return", "try", "type", "while",  "with",   "yield",    "_"};

std::string identifier(std::string_view key) {
  std::string out;
  for (char c : key) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out = "_" + out;
  if (std::find(kKeywords.begin(), kKeywords.end(), out) != kKeywords.end()) out += '_';
  return out;
}

std::string constant(std::string_view key) {
  std::string out = identifier(key);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string class_name(std::string_view metric) {
  std::string out;
  bool upper = true;
  for (char c : metric) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// A Python string literal (JSON's escapes are Python's).
std::string literal(std::string_view text) {
  return Json(std::string(text)).dump();
}

// Text for a docstring: one line, backslashes and quotes that would end it escaped.
std::string doc(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ' ';
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The Python type of a scalar attribute; "" for arrays and templates.
std::string python_type(const AttributeType& type) {
  if (type.is_template() || type.is_array()) return "";
  if (type.name == "string") return "str";
  if (type.name == "int") return "int";
  if (type.name == "double") return "float";
  if (type.name == "boolean") return "bool";
  if (type.is_enum()) {
    bool all_int = !type.members.empty();
    for (const EnumMember& m : type.members) all_int = all_int && m.value.is_number_integer();
    return all_int ? "int" : "str";
  }
  return "";
}

bool float_values(const Signal& m) {
  if (m.coretel) return m.coretel->value_type == ValueType::kF64;
  if (!m.annotations.is_object() || !m.annotations.contains("code_generation")) return false;
  const Json& c = m.annotations["code_generation"];
  return c.is_object() && c.contains("metric_value_type") && c["metric_value_type"] == "double";
}

void metric_class(const ResolvedRegistry& r, const Signal& m, std::string& out) {
  const SemconvInstrument instrument = *m.instrument;
  const std::string name = class_name(m.name);
  if (instrument == SemconvInstrument::kGauge) {
    out += fmt::format("\n# {} (gauge, {}): not generated, the Python API has no gauge.\n", m.name,
                       m.unit);
    return;
  }
  struct Param {
    std::string key, id, type;
    bool required;
    std::string brief, level;
  };
  std::vector<Param> params;
  std::vector<std::string> left_out;
  for (const AttributeRef& ref : m.attributes) {
    const CatalogAttribute& a = r.attribute(ref);
    const std::string type = python_type(a.type);
    if (type.empty()) {
      left_out.push_back(a.key);
      continue;
    }
    params.push_back({a.key, identifier(a.key), type,
                      ref.requirement_level.level == RequirementLevel::kRequired, a.brief,
                      std::string(to_string(ref.requirement_level.level))});
  }
  std::stable_sort(params.begin(), params.end(), [](const Param& a, const Param& b) {
    if (a.required != b.required) return a.required;
    return a.key < b.key;
  });
  const bool histogram = instrument == SemconvInstrument::kHistogram;
  const std::string kind(to_string(instrument));
  out += fmt::format("\n\nclass {}:\n", name);
  out += fmt::format("    \"\"\"{} ({}, unit {}): {}\n", m.name, kind, m.unit, doc(m.brief));
  if (!params.empty() || !left_out.empty()) {
    out += "\n    Attributes:\n";
    for (const Param& p : params)
      out += fmt::format("        {} ({}, {}): {}\n", p.key, p.type, p.level, doc(p.brief));
    for (const std::string& key : left_out)
      out += fmt::format("        {}: not a parameter (not a scalar value)\n", key);
  }
  out += "    \"\"\"\n\n";
  std::string brief = m.brief;
  while (!brief.empty() && std::isspace(static_cast<unsigned char>(brief.back()))) brief.pop_back();
  out += fmt::format("    NAME = {}\n    UNIT = {}\n    DESCRIPTION = {}\n\n", literal(m.name),
                     literal(m.unit), literal(brief));
  const char* factory = histogram                                         ? "create_histogram"
                        : instrument == SemconvInstrument::kUpDownCounter ? "create_up_down_counter"
                                                                          : "create_counter";
  // A sum takes float values when the registry says so (coretel.value_type of a metric-set
  // member, else code_generation.metric_value_type: double), int otherwise.
  const bool float_sum = !histogram && float_values(m);
  out += "    def __init__(self, meter: coretel.Meter) -> None:\n";
  out += fmt::format(
      "        self._instrument = meter.{}(\n            self.NAME, unit=self.UNIT, "
      "description=self.DESCRIPTION{}\n        )\n\n",
      factory, float_sum ? ", value_type=float" : "");
  std::string signature = histogram   ? "    def record(self, value: float"
                          : float_sum ? "    def add(self, value: float"
                                      : "    def add(self, value: int";
  if (instrument == SemconvInstrument::kCounter) signature += float_sum ? " = 1.0" : " = 1";
  if (!params.empty()) signature += ", *";
  for (const Param& p : params)
    signature += p.required ? fmt::format(", {}: {}", p.id, p.type)
                            : fmt::format(", {}: {} | None = None", p.id, p.type);
  signature += ") -> None:\n";
  out += signature;
  out += fmt::format("        \"\"\"{} one measurement with these attributes.\"\"\"\n",
                     histogram ? "Records" : "Adds");
  out += "        attributes: dict[str, str | int | float | bool] = {";
  bool first = true;
  for (const Param& p : params) {
    if (!p.required) continue;
    out += fmt::format("{}{}: {}", first ? "" : ", ", constant(p.key), p.id);
    first = false;
  }
  out += "}\n";
  for (const Param& p : params) {
    if (p.required) continue;
    out += fmt::format("        if {} is not None:\n            attributes[{}] = {}\n", p.id,
                       constant(p.key), p.id);
  }
  out +=
      fmt::format("        self._instrument.{}(value, attributes)\n", histogram ? "record" : "add");
}

}  // namespace

std::string python_module(const ResolvedRegistry& r) {
  std::vector<const Signal*> metrics;
  for (const Signal& m : r.metrics)
    if (!m.deprecated && m.instrument) metrics.push_back(&m);
  std::sort(metrics.begin(), metrics.end(),
            [](const Signal* a, const Signal* b) { return a->name < b->name; });
  std::map<std::string, std::string> keys;  // key -> constant
  for (const Signal* m : metrics)
    for (const AttributeRef& ref : m->attributes) {
      const CatalogAttribute& a = r.attribute(ref);
      if (!python_type(a.type).empty()) keys.emplace(a.key, constant(a.key));
    }

  std::string out;
  out += "# Generated by `coretel-schema generate python`; do not edit: change the registry and\n";
  out += "# generate again.\n";
  out += fmt::format("\"\"\"Typed instruments of the registry {}.\n\n", doc(r.schema_url));
  if (!r.description.empty()) out += doc(r.description) + "\n\n";
  out +=
      "Each class makes its instrument on a coretel Meter and records with the attributes the\n"
      "registry declares, as keyword arguments: a required attribute has no default, the\n"
      "others are left out when None.\n\"\"\"\n\n";
  out += "from __future__ import annotations\n\nimport coretel\n\n";
  out += fmt::format("SCHEMA_URL = {}\n", literal(r.schema_url));
  if (!keys.empty()) out += "\n# Attribute keys.\n";
  for (const auto& [key, name] : keys) out += fmt::format("{} = {}\n", name, literal(key));
  for (const Signal* m : metrics) metric_class(r, *m, out);
  return out;
}

bool generate_python(const ResolvedRegistry& registry, const std::filesystem::path& out_file,
                     std::string& error) {
  const std::string text = python_module(registry);
  std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    error = fmt::format("cannot write {}", out_file.string());
    return false;
  }
  return true;
}

}  // namespace coretel::schema
