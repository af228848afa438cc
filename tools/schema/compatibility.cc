#include "compatibility.h"

namespace coretel::schema {

void check_compatibility(const ResolvedRegistry&, const ResolvedRegistry&, Diagnostics&) {}

}  // namespace coretel::schema
