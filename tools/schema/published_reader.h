// published_reader.h: reads a published registry (a `manifest/2.0` manifest naming a
// `resolved/2.0` file through `resolved_registry_uri`, as `weaver registry package` writes
// them; Weaver's manifest and resolved-registry docs) back into definitions, so that `check`,
// `diff` and `generate` accept published registries as well as definition folders.
//
// The catalog entries listed in `registry.attributes` become attribute definitions; signals
// reference them by key with their requirement level (and entity role). Per-signal overrides
// of brief/note/examples are kept when they differ from the definition.
#pragma once

#include <string>
#include <string_view>

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

/// False when the file is not a readable resolved/2.0 document (diagnostics say why): among
/// others an InvalidFileFormat error for a `stability`, `instrument` or `requirement_level`
/// that is none of the vocabulary's words (vocabulary.h). An absent or empty stability or
/// instrument reads as none.
bool read_published_registry(std::string_view text, const std::string& file,
                             RegistryDefinition& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
