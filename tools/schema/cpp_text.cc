// cpp_text.cc: the text helpers of cpp_text.h.
#include "cpp_text.h"

#include <cctype>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace coretel::schema::cpp {

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

std::string string_constant(const std::string& name, const std::string& value) {
  std::string head = fmt::format("inline constexpr std::string_view {} =", name);
  std::string text = literal(value);
  return head.size() + 2 + text.size() > 100 ? fmt::format("{}\n    {};\n", head, text)
                                             : fmt::format("{} {};\n", head, text);
}

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

std::string line_comment(const std::string& text, const std::string& indent) {
  return fmt::format("{}// {}\n", indent, fmt::join(comment_words(text), " "));
}

std::string stability_enum(std::optional<RegistryStability> stability) {
  // Indexed by coretel::Stability.
  static constexpr std::string_view kEnumerators[] = {"kDevelopment", "kAlpha", "kBeta",
                                                      "kReleaseCandidate", "kStable"};
  coretel::Stability level = runtime_stability(stability.value_or(RegistryStability::kDevelopment));
  return fmt::format("::coretel::Stability::{}", kEnumerators[static_cast<std::size_t>(level)]);
}

std::string requirement_level_enum(RequirementLevel level) {
  // Indexed by coretel::RequirementLevel.
  static constexpr std::string_view kEnumerators[] = {"kRequired", "kConditionallyRequired",
                                                      "kRecommended", "kOptIn"};
  return fmt::format("::coretel::RequirementLevel::{}",
                     kEnumerators[static_cast<std::size_t>(level)]);
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

}  // namespace coretel::schema::cpp
