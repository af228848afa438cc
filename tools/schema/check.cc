#include "check.h"

#include "coretel_annotations.h"
#include "policies.h"
#include "reader.h"
#include "resolver.h"
#include "validate.h"

namespace coretel::schema {

LoadedRegistry load_registry(const std::filesystem::path& root, Diagnostics& diagnostics,
                             const CheckOptions& options) {
  LoadedRegistry loaded;
  // "dir/" and "dir" name the same registry; without the trailing separator, files at its
  // root (the manifest) are recognised as such.
  std::filesystem::path normalized = root.lexically_normal();
  if (!normalized.has_filename() && normalized.has_parent_path()) {
    normalized = normalized.parent_path();
  }
  loaded.definition = read_registry(normalized, diagnostics);
  loaded.parsed = !diagnostics.failed();
  // Validate what could be read even after a parse error: the author sees every problem at
  // once. Resolution needs the whole registry, so it waits for a clean parse.
  validate(loaded.definition, diagnostics);
  if (!loaded.parsed) return loaded;
  Diagnostics resolution;
  loaded.resolved = resolve(loaded.definition, resolution);
  // coretel's annotation rules run with resolution, policies or not: `generate cpp` relies on
  // them to refuse what would not compile.
  check_coretel_annotations(loaded.resolved, resolution);
  loaded.resolved_ok = !resolution.failed();
  for (const Diagnostic& d : resolution.all()) diagnostics.add(d);
  if (options.policies && loaded.resolved_ok) {
    check_policies(loaded.definition, loaded.resolved, diagnostics);
  }
  return loaded;
}

}  // namespace coretel::schema
