#include "yaml_values.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

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

/// Whether `s` matches the YAML 1.2 core schema's float form
/// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?. Hand-written: a std::regex here ran for
/// every plain scalar and dominated reading time.
bool is_float_syntax(std::string_view s) {
  std::size_t i = 0;
  auto sign = [&] {
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  };
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  sign();
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    sign();
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::optional<double> parse_float(const std::string& s) {
  if (is_one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return INFINITY;
  if (is_one_of(s, {"-.inf", "-.Inf", "-.INF"})) return -INFINITY;
  if (is_one_of(s, {".nan", ".NaN", ".NAN"})) return NAN;
  if (s.size() > 64 || !is_float_syntax(s)) return std::nullopt;
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
  std::string problem;

  std::optional<Json> fail(std::string why) {
    problem = std::move(why);
    return std::nullopt;
  }

  std::optional<Json> convert(const YAML::Node& node, int depth) {
    if (depth > kMaxYamlDepth) {
      return fail(fmt::format("is nested deeper than {} levels", kMaxYamlDepth));
    }
    if (++nodes > kMaxYamlNodes) {
      return fail(fmt::format("expands (through aliases) to more than {} nodes", kMaxYamlNodes));
    }
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
        // Json's ordered map finds a key by linear search: keep the keys seen in a set and
        // append, so that a map with many keys converts in n log n, not n^2.
        auto& object = out.get_ref<Json::object_t&>();
        std::set<std::string_view> seen;
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) {
            YAML::Mark at = entry.first.Mark();
            return fail(fmt::format("has a key that is not a string (line {}, column {})",
                                    at.line + 1, at.column + 1));
          }
          const std::string& key = entry.first.Scalar();
          if (!seen.insert(key).second) return fail(fmt::format("has the key `{}` twice", key));
          auto value = convert(entry.second, depth + 1);
          if (!value) return std::nullopt;
          object.emplace_back(key, std::move(*value));
        }
        return out;
      }
      default:
        return Json(nullptr);
    }
  }
};

/// Decodes the UTF-8 sequence at `text[i]`: its code point and length, or a length of 0 when the
/// bytes there are not valid UTF-8 (truncated, overlong, a surrogate, above U+10FFFF).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) return {0, 0};
  char32_t cp = lead & (0x3F >> (length - 1));
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, length};
}

bool yaml_printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

std::optional<InvalidCharacter> find_unterminated_quote(const YAML::Node& root,
                                                        std::string_view text) {
  // Where a quoted scalar that starts at `begin` ends (one past its closing quote), or npos.
  auto closing = [&](std::size_t begin) {
    const char quote = text[begin];
    for (std::size_t i = begin + 1; i < text.size(); ++i) {
      if (quote == '"' && text[i] == '\\') {
        ++i;  // an escape: the next character is not the end
      } else if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' is a quote inside a single-quoted scalar
        } else {
          return i + 1;
        }
      }
    }
    return std::string_view::npos;
  };
  std::vector<YAML::Node> stack{root};
  std::size_t visited = 0;
  while (!stack.empty() && ++visited <= kMaxYamlNodes) {
    YAML::Node node = stack.back();
    stack.pop_back();
    if (node.IsSequence()) {
      for (const YAML::Node& child : node) stack.push_back(child);
    } else if (node.IsMap()) {
      for (const auto& entry : node) {
        stack.push_back(entry.first);
        stack.push_back(entry.second);
      }
    } else if (node.IsScalar() && node.Tag() == "!") {
      const YAML::Mark mark = node.Mark();
      if (mark.is_null() || mark.pos < 0) continue;
      const auto begin = static_cast<std::size_t>(mark.pos);
      if (begin >= text.size() || (text[begin] != '"' && text[begin] != '\'')) continue;
      if (closing(begin) == std::string_view::npos) {
        return InvalidCharacter{mark.line + 1, mark.column + 1,
                                fmt::format("the quoted scalar that starts here has no closing "
                                            "{}",
                                            text[begin] == '"' ? "`\"`" : "`'`")};
      }
    }
  }
  return std::nullopt;
}

std::optional<InvalidCharacter> find_invalid_character(std::string_view text) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < text.size();) {
    auto [cp, length] = decode_utf8(text, i);
    if (length == 0) {
      return InvalidCharacter{
          line, column,
          fmt::format("invalid UTF-8 (byte 0x{:02X}); registry files are UTF-8 text",
                      static_cast<unsigned char>(text[i]))};
    }
    if (!yaml_printable(cp)) {  // a leading byte order mark (U+FEFF) is printable
      return InvalidCharacter{
          line, column,
          fmt::format("character U+{:04X} is not allowed in YAML; write it as an escape in a "
                      "double-quoted string",
                      static_cast<uint32_t>(cp))};
    }
    if (cp == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return std::nullopt;
}

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
  return plain_scalar_to_json(s);
}

bool plain_scalar_reads_as_string(const std::string& s) {
  if (!plain_scalar_to_json(s).is_string()) return false;
  // Infinities, NaN and out-of-range numbers are kept as strings by plain_scalar_to_json (JSON
  // has no such numbers), but every YAML 1.2 reader, Weaver's included, reads them as floats.
  return !parse_float(s) && !is_float_syntax(s);
}

Json plain_scalar_to_json(const std::string& s) {
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

std::optional<Json> yaml_to_json(const YAML::Node& node, std::string* problem) {
  Converter converter;
  auto json = converter.convert(node, 0);
  if (!json && problem) *problem = std::move(converter.problem);
  return json;
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

namespace {

/// Records where each document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// The 1-based number of the first line of `text` that holds more than blanks, a comment, a
/// document marker or an explicit null (`~`, `null`): nullopt for a text that is an empty
/// document.
std::optional<int> first_content_line(std::string_view text) {
  int number = 1;
  for (std::size_t at = 0; at <= text.size(); ++number) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') {
      std::string_view rest = line.substr(first);
      const std::size_t last = rest.find_last_not_of(" \t\r");
      rest = rest.substr(0, last + 1);
      if (rest != "---" && rest != "..." && rest != "~" && rest != "null" && rest != "Null" &&
          rest != "NULL") {
        return number;
      }
    }
    at = end + 1;
  }
  return std::nullopt;
}

/// Where a second YAML document starts in `text`, if there is one. Only a line beginning with
/// a document marker (`---` or `...`) can start one, so text without such a line is not parsed
/// here. yaml-cpp's LoadAll is not used: on some malformed input it produces documents without
/// end (found by the fuzzer); here the parser is asked for two at most.
std::optional<YAML::Mark> second_document_start(std::string_view text) {
  bool marker = false;
  for (std::size_t at = 0; !marker;) {
    const std::string_view start = text.substr(at, 3);
    marker = start == "---" || start == "...";
    at = text.find('\n', at);
    if (at == std::string_view::npos) break;
    ++at;
  }
  if (!marker) return std::nullopt;
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts events;
  for (int i = 0; i < 2 && parser.HandleNextDocument(events); ++i) {
  }
  if (events.starts.size() < 2) return std::nullopt;
  return events.starts[1];
}

}  // namespace

std::optional<YAML::Node> load_yaml_document(std::string_view text, const std::string& file,
                                             Diagnostics& diagnostics) {
  if (auto bad = find_invalid_character(text)) {
    diagnostics.error("DeserializationError", {file, bad->line, bad->column}, "",
                      fmt::format("invalid YAML: {}", bad->message));
    return std::nullopt;
  }
  // yaml-cpp skips a leading byte order mark and leaves it out of its marks' offsets: drop it
  // here so that offsets index `text` (find_unterminated_quote reads the text at them).
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    text.remove_prefix(kByteOrderMark.size());
  }
  try {
    if (auto second = second_document_start(text)) {
      // serde_yaml (Weaver) refuses these; yaml-cpp's Load would silently drop all but the
      // first document, unknown keys and all.
      diagnostics.error("DeserializationError", {file, second->line + 1, second->column + 1}, "",
                        "invalid YAML: more than one document (`---`); a registry file holds "
                        "one document");
      return std::nullopt;
    }
    YAML::Node document = YAML::Load(std::string(text));
    if (document.IsNull()) {
      if (auto line = first_content_line(text)) {
        // yaml-cpp returns an empty document for some malformed streams (one starting with
        // a stray `,`, for instance) instead of an error: the whole file would be ignored.
        diagnostics.error("DeserializationError", {file, *line, 1}, "",
                          "invalid YAML: the file has content but no document could be read "
                          "from it");
        return std::nullopt;
      }
    }
    if (auto bad = find_unterminated_quote(document, text)) {
      diagnostics.error("DeserializationError", {file, bad->line, bad->column}, "",
                        fmt::format("invalid YAML: {}", bad->message));
      return std::nullopt;
    }
    return document;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against stack exhaustion; its message is just "bad file".
    diagnostics.error(
        "DeserializationError",
        {file, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1},
        "", fmt::format("invalid YAML: nested more than {} levels deep", e.depth()));
  } catch (const YAML::Exception& e) {
    diagnostics.error(
        "DeserializationError",
        {file, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1},
        "", fmt::format("invalid YAML: {}", e.msg));
  } catch (const std::exception& e) {
    diagnostics.error("DeserializationError", {file, 0, 0}, "",
                      fmt::format("invalid YAML: {}", e.what()));
  }
  return std::nullopt;
}

}  // namespace coretel::schema
