// vocabulary.h: the registry words the schema tool keeps as enums, parsed once by the readers.
//
// A requirement level and a metric's semconv instrument are the runtime's enums
// (coretel/metrics/vocabulary.h: RequirementLevel, SemconvInstrument, with their one
// to_string and *_named). A registry's stability is RegistryStability: the runtime's levels
// plus the legacy `deprecated`, which a registry may still write (validate warns about it) and
// every output repeats as written; the C++ generator maps it to a runtime coretel::Stability.
//
// Source: OpenTelemetry Weaver, crates/weaver_semconv/src/stability.rs (Weaver v0.25.1): the
// accepted values, `experimental` read as `development`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "coretel/metrics/vocabulary.h"

namespace coretel::schema {

using coretel::RequirementLevel;
using coretel::SemconvInstrument;

/// A registry's `stability`: the five levels of coretel::Stability, in the same order and
/// spelling, then the legacy `deprecated`.
enum class RegistryStability : uint8_t {
  kDevelopment,
  kAlpha,
  kBeta,
  kReleaseCandidate,
  kStable,
  kDeprecated,
};

static_assert(static_cast<int>(RegistryStability::kStable) ==
                  static_cast<int>(coretel::Stability::kStable),
              "RegistryStability shares coretel::Stability's levels and order");

/// The spelling: coretel::Stability's for the levels it shares, "deprecated" for kDeprecated.
constexpr std::string_view to_string(RegistryStability stability) noexcept {
  if (stability == RegistryStability::kDeprecated) return "deprecated";
  return coretel::to_string(static_cast<coretel::Stability>(stability));
}

/// The RegistryStability spelled `name` (to_string's spelling, or Weaver's alias
/// `experimental` for kDevelopment), or nullopt for any other word.
constexpr std::optional<RegistryStability> registry_stability_named(
    std::string_view name) noexcept {
  if (name == "deprecated") return RegistryStability::kDeprecated;
  if (name == "experimental") return RegistryStability::kDevelopment;
  if (auto level = coretel::stability_named(name)) {
    return static_cast<RegistryStability>(*level);
  }
  return std::nullopt;
}

/// The runtime stability a registry stability is emitted as in generated descriptors:
/// kDeprecated becomes kDevelopment (the runtime has no such level).
constexpr coretel::Stability runtime_stability(RegistryStability stability) noexcept {
  if (stability == RegistryStability::kDeprecated) return coretel::Stability::kDevelopment;
  return static_cast<coretel::Stability>(stability);
}

/// The order of the stability rules (policies, a metric set's stability): stable 4,
/// release_candidate 3, beta 2, alpha 1; development, deprecated and none 0.
constexpr int stability_rank(std::optional<RegistryStability> stability) noexcept {
  if (!stability || *stability == RegistryStability::kDeprecated) return 0;
  return static_cast<int>(*stability);
}

/// A stability as the outputs and messages write it: "" when there is none.
inline std::string stability_text(std::optional<RegistryStability> stability) {
  return stability ? std::string(to_string(*stability)) : std::string();
}

/// A stability with the registry default: "development" when there is none.
inline std::string stability_or_development(std::optional<RegistryStability> stability) {
  return std::string(to_string(stability.value_or(RegistryStability::kDevelopment)));
}

/// A metric's instrument as the outputs and messages write it: "" when there is none.
inline std::string instrument_text(std::optional<SemconvInstrument> instrument) {
  return instrument ? std::string(to_string(*instrument)) : std::string();
}

}  // namespace coretel::schema
