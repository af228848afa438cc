// cpp_text.h: the text pieces every part of the C++ generator (generate_cpp.h) writes with:
// identifiers from registry names, string literals, comments that cannot break the code around
// them, wrapped lists, and the spelling of coretel's enums. Pure functions; internal to the
// schema tool.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "definition.h"

namespace coretel::schema::cpp {

/// The alphanumeric runs of `text`.
std::vector<std::string> words_of(const std::string& text);

/// `text`'s words, each capitalised, joined ("http.request" -> HttpRequest); digit runs of two
/// words stay apart ("http_1_1" -> Http_1_1). "Unnamed" when `text` has no word.
std::string pascal_case(const std::string& text);

/// A C++ keyword, or a name the generated code reserves (`descriptor`).
bool is_keyword(const std::string& s);

/// `text`'s words, lowercased, joined by `_`; "v_" before a leading digit, "_" after a keyword;
/// "unnamed" when `text` has no word.
std::string snake_case(const std::string& text);

/// A C++ string literal with the text escaped.
std::string literal(const std::string& text);

/// Whitespace collapsed to single spaces: a brief as one line.
std::string one_line(const std::string& text);

/// `indent` + `open` + the items joined by ", " + `close`, as one line when it fits in 100
/// columns, else wrapped between items with continuation lines at `indent` + 4 spaces (an item
/// longer than a line, such as a long string literal, stays whole). Ends with a newline.
std::string wrap_list(std::string_view indent, std::string_view open,
                      const std::vector<std::string>& items, std::string_view close);

/// `inline constexpr std::string_view <name> = "<value>";`, the literal on its own line when
/// the declaration would pass 100 columns.
std::string string_constant(const std::string& name, const std::string& value);

/// The words of `text` (split at any whitespace, line breaks included) as they may appear in a
/// `//` comment: a word that ends in a backslash is put in backticks (`C:\` becomes "`C:\`"),
/// because a backslash at the end of a line splices the next line into the comment (C++
/// [lex.phases] phase 2), which would swallow the declaration that follows.
std::vector<std::string> comment_words(const std::string& text);

/// `text` as `///` comment lines at `indent`, wrapped at 100 columns; whitespace, line breaks
/// included, collapses to single spaces and no line ends in a backslash (comment_words).
std::string doc_comment(const std::string& text, const std::string& indent);

/// `text` as one `//` comment line at `indent` (not wrapped), made safe as doc_comment does.
std::string line_comment(const std::string& text, const std::string& indent);

/// The default of the `stability` member of coretel's descriptors (descriptor.h): a designated
/// initialiser leaves it out.
inline constexpr std::string_view kDefaultStability = "::coretel::Stability::kDevelopment";

/// The ::coretel::Stability enumerator of a registry stability (runtime_stability);
/// kDevelopment for none.
std::string stability_enum(std::optional<RegistryStability> stability);

/// The ::coretel::RequirementLevel enumerator of a level.
std::string requirement_level_enum(RequirementLevel level);

/// The file (root namespace) a name belongs to: its first segment, in snake_case.
std::string root_of(const std::string& name);

/// One line saying why and since what `d` deprecates an item ([[deprecated]] text).
std::string deprecation_text(const Deprecated& d);

}  // namespace coretel::schema::cpp
