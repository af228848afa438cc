#include "check.h"

#include "policies.h"
#include "reader.h"
#include "resolver.h"
#include "validate.h"

namespace coretel::schema {

LoadedRegistry load_registry(const std::filesystem::path& root, Diagnostics& diagnostics,
                             const CheckOptions& options) {
  LoadedRegistry loaded;
  loaded.definition = read_registry(root, diagnostics);
  if (diagnostics.failed()) return loaded;
  loaded.parsed = true;
  validate(loaded.definition, diagnostics);
  Diagnostics resolution;
  loaded.resolved = resolve(loaded.definition, resolution);
  loaded.resolved_ok = !resolution.failed();
  for (const Diagnostic& d : resolution.all()) diagnostics.add(d);
  if (options.policies && loaded.resolved_ok) {
    check_policies(loaded.definition, loaded.resolved, diagnostics);
  }
  return loaded;
}

}  // namespace coretel::schema
