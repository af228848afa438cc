// generate_markdown.h: Markdown documentation of a resolved registry
// (`coretel-schema generate markdown`), one page per root namespace plus an index (README.md).
//
// Output is deterministic (sorted, no timestamps) so a test can compare committed docs with a
// fresh generation.
#pragma once

#include <filesystem>
#include <string>

#include "resolved_registry.h"

namespace coretel::schema {

/// Writes the pages into `out_dir` (created if missing). False with `error` set on I/O failure.
bool generate_markdown(const ResolvedRegistry& registry, const std::filesystem::path& out_dir,
                       std::string& error);

}  // namespace coretel::schema
