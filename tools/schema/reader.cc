// reader.cc: one definition file (reader.h, read_definition_file).
//
// Reads: a definition file's text: parsed by load_yaml_document, then `file_format` (absent or
// `definition/1`: read_v1_groups.cc; `definition/2`: read_v2_sections.cc).
// Produces: the file's groups and imports, added to the registry only when the file is sound
// (no structural error): Weaver rejects a file with one as a whole.
// Diagnostics: the parse errors of load_yaml_document (DeserializationError), InvalidFileFormat
// for another `file_format`, InvalidSemConvSpec for a document that is not a map, a
// DeserializationError for what yaml-cpp throws on a malformed tree, and the diagnostics of the
// v1 or v2 reader. The folder walk and the dependencies are dependencies.cc's; the manifest is
// read_manifest.cc's.
#include <exception>
#include <string>

#include <fmt/format.h>

#include "reader.h"
#include "reader_internal.h"
#include "yaml_values.h"

namespace coretel::schema {

bool read_definition_file(std::string_view text, const std::string& file,
                          RegistryDefinition& registry, Diagnostics& diagnostics) {
  auto doc = load_yaml_document(text, file, diagnostics);
  if (!doc) return false;
  FileReader r(file, diagnostics);
  RegistryDefinition read;  // groups land here first; kept only when the file is sound
  try {
    if (doc->IsNull()) return true;  // an empty file defines nothing
    if (!r.expect_map(*doc, "", "a registry file")) return false;
    // The format, as Weaver detects it (weaver_semconv, semconv.rs `FileFormat::detect`):
    // `file_format: definition/2` or the legacy `version: '2'` is definition/2; `definition/1`,
    // `version: '1'` or neither is definition/1. `version` counts only as a YAML string (an
    // unquoted `version: 2` is a number and is ignored, as Weaver ignores it) and is deprecated
    // whatever its value.
    const std::optional<std::string> format = r.string(*doc, "file_format", "");
    std::optional<std::string> version;
    if (YAML::Node v = (*doc)["version"]; v.IsDefined() && v.IsScalar()) {
      if (Json value = scalar_to_json(v); value.is_string()) version = value.get<std::string>();
    }
    if (version) {
      r.warning("DeprecatedVersionField", (*doc)["version"], "",
                fmt::format("`version` is deprecated; use `file_format: definition/{}`",
                            *version == "2" ? 2 : 1));
    }
    int syntax = 1;
    if (format == "definition/2" || version == "2") {
      syntax = 2;
    } else if (!(format == "definition/1" || version == "1" || (!format && !version))) {
      const bool by_version = version.has_value();
      diagnostics.error(
          "InvalidFileFormat", r.at((*doc)[by_version ? "version" : "file_format"]), "",
          fmt::format("Invalid file format: `{}: {}`. Expected 'file_format: definition/1' or "
                      "'file_format: definition/2'",
                      by_version ? "version" : "file_format", by_version ? *version : *format));
      return false;
    }
    if (syntax == 1) {
      read_v1_groups(r, *doc, read);
    } else {
      read_v2_sections(r, *doc, read);
    }
  } catch (const std::exception& e) {
    // yaml-cpp throws on some malformed trees (e.g. a key that is not a scalar).
    diagnostics.error("DeserializationError", {file, 0, 0}, "",
                      fmt::format("unreadable registry file: {}", e.what()));
    return false;
  }
  if (r.fatal()) return false;
  for (Group& g : read.groups) registry.groups.push_back(std::move(g));
  for (Import& i : read.imports) registry.imports.push_back(std::move(i));
  return true;
}

}  // namespace coretel::schema
