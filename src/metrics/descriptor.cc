#include "coretel/metrics/descriptor.h"

namespace coretel {

std::string_view to_string(Stability stability) noexcept {
  switch (stability) {
    case Stability::kDevelopment:
      return "development";
    case Stability::kAlpha:
      return "alpha";
    case Stability::kBeta:
      return "beta";
    case Stability::kReleaseCandidate:
      return "release_candidate";
    case Stability::kStable:
      return "stable";
  }
  return "unknown";
}

}  // namespace coretel
