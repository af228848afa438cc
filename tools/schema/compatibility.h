// compatibility.h: the backward-compatibility rules of semantic-conventions
// (weaver-packages policies/check/backwards-compatibility, `comparison_after_resolution`),
// comparing a registry against an older baseline. Rule ids are the policy finding ids
// (`compatibility_*`, Weaver's `registry check` docs); every finding is an error. What "breaks"
// follows the stability rules: stable items may not be removed or changed incompatibly; deprecating
// is fine (semantic conventions deprecate and never delete).
#pragma once

#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

void check_compatibility(const ResolvedRegistry& baseline, const ResolvedRegistry& current,
                         Diagnostics& diagnostics);

}  // namespace coretel::schema
