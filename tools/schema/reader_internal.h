// reader_internal.h: the parts of the registry reader (reader.h), one job per source file.
//
//   file_reader.{h,cc}    typed, located fields of one file, with diagnostics
//   reader.cc             one definition file: parse, dispatch on `file_format`, keep or drop
//   read_v1_groups.cc     `groups:` (definition/1)
//   read_v2_sections.cc   definition/2 sections (attributes, attribute_groups, signals and
//                         their refinements)
//   read_manifest.cc      the manifest and definition/2 `imports:`: what comes from elsewhere
//   dependencies.cc       the registry folder, its file limits and its dependencies, recursively
//
// Each reader below adds what it reads to `out` and reports through `r` (an error makes the file
// fatal, and reader.cc then keeps none of it). None throws on its own; yaml-cpp may throw on a
// malformed tree, which read_definition_file catches.
#pragma once

#include <yaml-cpp/yaml.h>

#include "definition.h"
#include "file_reader.h"

namespace coretel::schema {

/// The body of a definition/1 file (`doc`, a map): `groups:` into `out.groups`.
void read_v1_groups(FileReader& r, const YAML::Node& doc, RegistryDefinition& out);

/// The body of a definition/2 file (`doc`, a map): its sections into `out.groups` and its
/// `imports:` into `out.imports`.
void read_v2_sections(FileReader& r, const YAML::Node& doc, RegistryDefinition& out);

/// A definition/2 file's `imports:` value (`node`, possibly undefined or null) into
/// `out.imports`.
void read_imports(FileReader& r, const YAML::Node& node, RegistryDefinition& out);

}  // namespace coretel::schema
