// file_reader.h: typed, located access to the fields of one registry file (internal to the
// reader, see reader.h).
//
// Reads: yaml-cpp nodes of one parsed file (a definition file or a manifest).
// Produces: the fields the definitions are made of (strings, booleans, free-form JSON,
// stability, deprecation, requirement level, attribute type with enum members, entity
// associations), each at its source location.
// Diagnostics: structural errors with Weaver's rule ids, at the node's line and column:
// InvalidSemConvSpec (unknown or duplicate key, missing required field, value of the wrong type
// or outside its set, JSON conversion past the yaml_values.h limits), which make the file
// fatal() (Weaver rejects such a file as a whole); InvalidGroup (an empty `one_of`/`all_of`
// entity association), an error that leaves the file sound; and, as a warning,
// UnstructuredDeprecatedProperty.
//
// Throws nothing of its own on any input: values are converted only after their kind is checked
// (yaml-cpp's as<T>() and nlohmann::json's get<T>() throw on a mismatch). The reader catches
// what yaml-cpp itself may throw on a malformed tree.
//
// Not thread-safe: one FileReader per file being read.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

/// Weaver's rule id for structural errors (serde + JSON schema).
inline constexpr const char* kInvalidSemConvSpec = "InvalidSemConvSpec";

/// The keys a map may hold.
using KeyList = std::span<const std::string_view>;

/// Whether `map` has no `key`, or a null one: a missing field. A present value of the wrong
/// type is reported where it is read, and not again as missing.
bool absent(const YAML::Node& map, const char* key);

/// Reading state for one file: its name, the diagnostics, and whether an error made it fatal.
class FileReader {
 public:
  FileReader(const std::string& file, Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  bool fatal() const { return fatal_; }
  const std::string& file() const { return file_; }

  SourceLocation at(const YAML::Node& node) const;

  /// An error at `node` about `subject`; the file becomes fatal.
  void error(const YAML::Node& node, const std::string& subject, std::string message,
             const char* id = kInvalidSemConvSpec);
  /// A warning at `node` about `subject`; the file stays sound.
  void warning(const char* id, const YAML::Node& node, const std::string& subject,
               std::string message);

  /// Whether `node` is a map; else an error "<what> must be a map, found <kind>".
  bool expect_map(const YAML::Node& node, const std::string& subject, std::string_view what);

  /// Unknown keys are errors, as with Weaver's `deny_unknown_fields`; so is a key written twice
  /// (serde's "duplicate field": yaml-cpp would silently keep the first), or a key that is not a
  /// scalar.
  void check_keys(const YAML::Node& map, KeyList allowed, const std::string& subject);
  void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                  const std::string& subject) {
    check_keys(map, KeyList(allowed.begin(), allowed.size()), subject);
  }

  /// A string field: nullopt when absent or null; an error when required and missing, or when
  /// not a scalar.
  std::optional<std::string> string(const YAML::Node& map, const char* key,
                                    const std::string& subject, bool required = false);
  /// A boolean field (YAML 1.2 core schema `true`/`false`): nullopt when absent or null or not a
  /// boolean (an error).
  std::optional<bool> boolean(const YAML::Node& map, const char* key, const std::string& subject);
  /// Any value as JSON: nullopt when absent, or past the yaml_to_json limits (an error).
  std::optional<Json> any(const YAML::Node& map, const char* key, const std::string& subject);
  /// `annotations`: a map, as JSON.
  std::optional<Json> annotations(const YAML::Node& map, const std::string& subject);
  /// `stability` (registry_stability_named: `experimental` reads as `development`); nullopt
  /// when absent, or unknown (an error).
  std::optional<RegistryStability> stability(const YAML::Node& map, const std::string& subject);
  /// `deprecated`: a {reason, renamed_to, note} map, or a plain string (a warning).
  std::optional<Deprecated> deprecated(const YAML::Node& map, const std::string& subject);
  /// An attribute's `requirement_level`: a level, or a one-entry {level: text} map.
  std::optional<Requirement> requirement_level(const YAML::Node& map, const std::string& subject);
  /// A metric's `instrument` (`value`, as read from `map` with string()) into `g.instrument`
  /// and `g.has_instrument`: nullopt when empty, or unknown (an error).
  void instrument(const YAML::Node& map, const std::string& subject, const std::string& value,
                  Group& g);
  /// An attribute's `type`: a primitive, `template[...]` of one, or an enum {members, ...}.
  std::optional<AttributeType> type(const YAML::Node& map, const std::string& subject);

  /// Reads the override fields shared by attribute definitions and references.
  void common_attribute_fields(const YAML::Node& node, const std::string& subject,
                               AttributeSpec& spec);

  /// `entity_associations` of `map` into `g` (Weaver's syntax: a list of entity names and
  /// `{one_of: [...]}` / `{all_of: [...]}`, nested to any depth up to kMaxAssociationDepth). An
  /// empty combinator or a blank name is InvalidGroup (as Weaver's
  /// `validate_entity_association`); a value of another shape, InvalidSemConvSpec.
  void entity_associations(const YAML::Node& map, const std::string& subject, Group& g);

  /// How deep `one_of` / `all_of` may nest (deeper: InvalidSemConvSpec; yaml-cpp's own limit
  /// is a few hundred levels).
  static constexpr int kMaxAssociationDepth = 32;

 private:
  const std::string& file_;
  Diagnostics& diagnostics_;
  bool fatal_ = false;
};

}  // namespace coretel::schema
