#include "diff.h"

namespace coretel::schema {

bool RegistryDiff::breaks_stable() const noexcept {
  return false;
}
RegistryDiff diff_registries(const ResolvedRegistry&, const ResolvedRegistry&) {
  return {};
}
std::string format_diff_text(const RegistryDiff&) {
  return "";
}
std::string format_diff_json(const RegistryDiff&) {
  return "{}";
}

}  // namespace coretel::schema
