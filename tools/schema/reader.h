// reader.h: reads a semantic-conventions registry folder into a RegistryDefinition.
//
// Walks `root` recursively (hidden entries skipped, files in path order), reads every
// `*.yaml` / `*.yml` as a v1 (`groups:`) or v2 (`file_format: definition/2`) definition file,
// and `manifest.yaml` (or the legacy `registry_manifest.yaml`) as the manifest; `schema-next.yaml`
// is skipped, as Weaver does (Weaver's `registry check` docs).
//
// Strict like Weaver: an unknown key, a missing required field or a value of the wrong type is
// an error naming the file, line, column and the group/attribute, with Weaver's rule id
// (`InvalidSemConvSpec`, `InvalidFileFormat`, `DeserializationError`, ...). A file with such an
// error contributes no groups. No input crashes the reader or makes it loop: YAML nesting
// and alias expansion are bounded.
//
// The manifest's `dependencies:` with a local `registry_path` are read the same way, recursively,
// into RegistryDefinition::dependencies (CircularDependency, MaximumDependencyDepth past 10,
// DependencyNotFound: errors; a remote registry_path is not fetched: DependencyNotLocal, a
// warning). docs/schema-tool.md, "Dependencies and imports". Each registry folder is read once
// however many paths of dependencies reach it (by canonical path), so reading is linear in the
// number of registries, not in the number of paths.
//
// Bounded input: a file larger than kMaxFileBytes is not read (coretel_file_too_large, an
// error), nor is any file once the registry and its dependencies hold more than
// kMaxRegistryBytes (coretel_registry_too_large, an error, reported once). docs/schema-tool.md,
// "Limits".
//
// Not thread-safe per call; independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

/// The largest registry file read (a definition file, a manifest or a published resolved/2.0
/// file): 16 MiB, 190 times the largest file of the semantic-conventions model and 8 times the
/// whole model resolved (about 2 MB). Parsing such a file takes about 15 s and 1 GB.
inline constexpr std::uint64_t kMaxFileBytes = 16u << 20;

/// The most bytes read over a registry and all its dependencies together: 32 MiB, 14 times the
/// whole semantic-conventions model (2.3 MB). Checking that much takes under a minute and about
/// 1.2 GB (docs/schema-tool.md, "Limits").
inline constexpr std::uint64_t kMaxRegistryBytes = 32u << 20;

/// Reads the registry in `root`. Errors go to `diagnostics`; what could be read is returned.
RegistryDefinition read_registry(const std::filesystem::path& root, Diagnostics& diagnostics);

/// Reads one definition file's text (named `file` in diagnostics) into `registry`.
/// Returns false when the file had a fatal (parse-stage) error and contributed nothing.
bool read_definition_file(std::string_view text, const std::string& file,
                          RegistryDefinition& registry, Diagnostics& diagnostics);

/// Reads a manifest's text into `registry.manifest`.
bool read_manifest(std::string_view text, const std::string& file, bool legacy_file_name,
                   RegistryDefinition& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
