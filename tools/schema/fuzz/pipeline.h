// pipeline.h: one input through every stage of the registry reader, as the fuzz target
// (registry_reader_fuzzer.cc) and its regression test (tests/schema/fuzz_regressions_test.cc)
// run it.
//
// The same bytes are read three ways: as a definition file (then validated, resolved and
// policy-checked, whatever the reader reported, so that later stages see partial and odd
// registries too), as a manifest, and as a published resolved/2.0 registry (whose groups are
// validated, resolved and policy-checked as well). No input may crash, hang or leak; a bad one
// ends as diagnostics.
#pragma once

#include <string>
#include <string_view>

#include "coretel_annotations.h"
#include "definition.h"
#include "diagnostic.h"
#include "policies.h"
#include "published_reader.h"
#include "reader.h"
#include "resolved_registry.h"
#include "resolver.h"
#include "validate.h"

namespace coretel::schema::fuzz {

struct PipelineResult {
  Diagnostics definition;  ///< read_definition_file, validate, resolve, check_policies
  Diagnostics manifest;    ///< read_manifest
  Diagnostics published;   ///< read_published_registry, validate, resolve, check_policies
  bool definition_read = false;
  bool manifest_read = false;
  bool published_read = false;
};

inline void check_read_registry(const RegistryDefinition& registry, Diagnostics& diagnostics) {
  validate(registry, diagnostics);
  ResolvedRegistry resolved = resolve(registry, diagnostics);
  check_coretel_annotations(resolved, diagnostics);
  check_policies(registry, resolved, diagnostics);
}

inline PipelineResult run_pipeline(std::string_view bytes) {
  PipelineResult result;
  {
    RegistryDefinition registry;
    result.definition_read =
        read_definition_file(bytes, "fuzz/input.yaml", registry, result.definition);
    check_read_registry(registry, result.definition);
  }
  {
    RegistryDefinition registry;
    result.manifest_read = read_manifest(bytes, "manifest.yaml", false, registry, result.manifest);
  }
  {
    RegistryDefinition registry;
    result.published_read =
        read_published_registry(bytes, "resolved.yaml", registry, result.published);
    check_read_registry(registry, result.published);
  }
  return result;
}

}  // namespace coretel::schema::fuzz
