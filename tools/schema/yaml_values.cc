#include "yaml_values.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <regex>

namespace coretel::schema {
namespace {

bool is_one_of(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

std::optional<int64_t> parse_int(const std::string& s) {
  // YAML 1.2 core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
  std::string_view v = s;
  int base = 10;
  bool negative = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o')) {
    if (negative || s[0] == '+') return std::nullopt;
    base = v[1] == 'x' ? 16 : 8;
    v.remove_prefix(2);
  }
  if (v.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), magnitude, base);
  if (error != std::errc() || end != v.data() + v.size()) return std::nullopt;
  if (negative) {
    if (magnitude > uint64_t{1} << 63) return std::nullopt;
    return static_cast<int64_t>(0 - magnitude);
  }
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<double> parse_float(const std::string& s) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (is_one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return INFINITY;
  if (is_one_of(s, {"-.inf", "-.Inf", "-.INF"})) return -INFINITY;
  if (is_one_of(s, {".nan", ".NaN", ".NAN"})) return NAN;
  if (s.size() > 64 || !std::regex_match(s, kFloat)) return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) {
    // from_chars rejects a leading '+'.
    if (s[0] == '+') return parse_float(s.substr(1));
    return std::nullopt;
  }
  return value;
}

struct Converter {
  std::size_t nodes = 0;

  std::optional<Json> convert(const YAML::Node& node, int depth) {
    if (depth > kMaxYamlDepth || ++nodes > kMaxYamlNodes) return std::nullopt;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return scalar_to_json(node);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const YAML::Node& item : node) {
          auto value = convert(item, depth + 1);
          if (!value) return std::nullopt;
          out.push_back(std::move(*value));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) return std::nullopt;
          auto value = convert(entry.second, depth + 1);
          if (!value) return std::nullopt;
          out[entry.first.Scalar()] = std::move(*value);
        }
        return out;
      }
      default:
        return Json(nullptr);
    }
  }
};

}  // namespace

SourceLocation location_of(const std::string& file, const YAML::Node& node) {
  if (!node.IsDefined()) return {file, 0, 0};
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

Json scalar_to_json(const YAML::Node& node) {
  if (node.IsNull()) return nullptr;
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (is_one_of(s, {"true", "True", "TRUE"})) return true;
  if (is_one_of(s, {"false", "False", "FALSE"})) return false;
  if (is_one_of(s, {"~", "null", "Null", "NULL"}) || s.empty()) return nullptr;
  if (auto i = parse_int(s)) return *i;
  if (auto d = parse_float(s)) {
    if (std::isfinite(*d)) return *d;
    return s;  // JSON has no infinities; keep the spelling
  }
  return s;
}

std::optional<Json> yaml_to_json(const YAML::Node& node) {
  Converter converter;
  return converter.convert(node, 0);
}

std::string_view yaml_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

}  // namespace coretel::schema
