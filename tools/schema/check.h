// check.h: the whole check pipeline of one registry, stage by stage, as `coretel-schema check`
// runs it: read (parse) -> validate -> resolve (+ coretel_annotations.h) -> policies
// [-> compatibility vs a baseline].
//
// A parse-stage error stops the pipeline (the registry is not what its author wrote, and
// resolving it would only add noise); later stages run whatever the earlier ones found.
#pragma once

#include <filesystem>

#include "definition.h"
#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

struct CheckOptions {
  bool policies = true;  ///< run the semantic-conventions policy rules (policies.h)
};

struct LoadedRegistry {
  RegistryDefinition definition;
  ResolvedRegistry resolved;
  bool parsed = false;       ///< no parse-stage error
  bool resolved_ok = false;  ///< parsed, and resolution found no error
};

/// Reads, validates, resolves and (optionally) policy-checks the registry in `root`.
LoadedRegistry load_registry(const std::filesystem::path& root, Diagnostics& diagnostics,
                             const CheckOptions& options = {});

}  // namespace coretel::schema
