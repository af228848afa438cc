// yaml_values.h: typed access to yaml-cpp nodes for the registry reader, with locations.
//
// yaml-cpp keeps every scalar as text; the YAML 1.2 core schema decides what a plain scalar
// means (`true`, `42`, `4.2`, `null`), and a quoted scalar is always a string. Conversion to
// JSON is bounded (depth and node count) so that hostile input (deep nesting, alias bombs)
// cannot exhaust the stack or memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

/// A character YAML does not allow in a stream, where it is (1-based line and column, the column
/// counted in characters) and what it is.
struct InvalidCharacter {
  int line = 0;
  int column = 0;
  std::string message;
};

/// The first byte sequence of `text` that is not valid UTF-8 or not a YAML printable character
/// (YAML 1.2 §5.1: tab, line feed, carriage return, U+0020-U+007E, U+0085, U+00A0-U+D7FF,
/// U+E000-U+FFFD, U+10000-U+10FFFF; so no NUL, other C0/C1 controls, DEL, surrogates or
/// overlong forms). yaml-cpp passes such bytes through into scalars, where they break every
/// consumer that needs valid UTF-8 (nlohmann::json throws on them); Weaver rejects the file.
std::optional<InvalidCharacter> find_invalid_character(std::string_view text);

/// The first quoted scalar of the tree `root` (parsed from `text`) that has no closing quote
/// before the end of `text`: yaml-cpp accepts one at the end of a file and makes the rest of
/// the file its value (`brief: 'x` swallowing the lines below); YAML and Weaver reject it.
std::optional<InvalidCharacter> find_unterminated_quote(const YAML::Node& root,
                                                        std::string_view text);

/// `text` parsed as one YAML document, or nullopt after a DeserializationError in `diagnostics`
/// at the problem's line and column: invalid characters, a syntax error, nesting yaml-cpp
/// refuses, more than one document (`---`; serde_yaml, so Weaver, refuses them too), or a
/// quoted scalar with no closing quote. An empty text is a null document.
std::optional<YAML::Node> load_yaml_document(std::string_view text, const std::string& file,
                                             Diagnostics& diagnostics);

/// The 1-based location of `node` in `file` (line 0 when yaml-cpp has no mark for it).
SourceLocation location_of(const std::string& file, const YAML::Node& node);

/// A plain or quoted scalar as JSON per the YAML 1.2 core schema.
Json scalar_to_json(const YAML::Node& node);

/// What the plain (unquoted) scalar `text` means per the YAML 1.2 core schema: null, a
/// boolean, an integer, a finite double, or else the string itself.
Json plain_scalar_to_json(const std::string& text);

/// Whether `text`, written as a plain scalar, reads back as that string in YAML 1.2 (so not
/// null, a boolean, an integer or a float, infinities and NaN included). Writers quote a string
/// for which this is false.
bool plain_scalar_reads_as_string(const std::string& text);

/// Limits on converting a YAML tree to JSON.
inline constexpr int kMaxYamlDepth = 64;
inline constexpr std::size_t kMaxYamlNodes = 200000;

/// `node` as JSON, or nullopt when it is nested deeper than kMaxYamlDepth, expands (through
/// aliases) to more than kMaxYamlNodes nodes, has a key that is not a scalar, or has a key
/// twice (as serde_yaml, and so Weaver, rejects); then `problem`, when given, says which, as
/// a phrase ("is nested deeper than 64 levels").
std::optional<Json> yaml_to_json(const YAML::Node& node, std::string* problem = nullptr);

/// "map", "sequence", "scalar" or "null": for "expected X, found Y" messages.
std::string_view yaml_kind(const YAML::Node& node);

}  // namespace coretel::schema
