// generate_cpp.h: C++ headers from a resolved registry (`coretel-schema generate cpp`).
//
// Output (docs/schema-tool.md shows an example):
//   <root namespace>.h  per root namespace: attribute key constants, `enum class` for enum
//                       attributes with their string forms, metric name constants, typed event
//                       records, attribute-set structs and coretel metric sets;
//   registry.h          includes them all;
//   registry_stamp.h    a content hash every header includes (for build systems).
// Metric sets are declared with CORETEL_METRIC_SET_STRUCT /
// CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY, exactly as a hand-declared set, so the two are
// interchangeable. Output is deterministic, formatted and commented with the registry's briefs.
#pragma once

#include <filesystem>
#include <string>

#include "resolved_registry.h"

namespace coretel::schema {

struct CppOptions {
  std::string cpp_namespace = "semconv";  ///< may be nested: "coretel::telemetry"
};

/// Writes the headers into `out_dir` (created if missing); files whose content is unchanged
/// are not rewritten, so builds do not redo work. False with `error` set on failure.
bool generate_cpp(const ResolvedRegistry& registry, const std::filesystem::path& out_dir,
                  const CppOptions& options, std::string& error);

}  // namespace coretel::schema
