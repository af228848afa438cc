// vocabulary.h: the semantic-conventions words coretel's descriptors use, as enums.
//
// Each enum has exactly one spelling per value: `to_string` writes it and `*_named` reads it
// back (nullopt for a word that is not one of the values). The runtime (descriptor.h, live
// schema) and the schema tool (its reader and generators) share these; none restates the
// spellings.
//
// Header-only and constexpr: the schema tool includes it without linking the runtime.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace coretel {

/// Stability of a metric, metric set, attribute or enum member: the semantic-conventions
/// maturity levels (OpenTelemetry specification, "Versioning and stability", and the semantic
/// conventions' `stability` field).
enum class Stability : uint8_t { kDevelopment, kAlpha, kBeta, kReleaseCandidate, kStable };

/// How much an attribute is expected on a signal (semantic conventions, "Requirement levels").
/// A registry may attach an explanation to the level; the runtime keeps only the level.
enum class RequirementLevel : uint8_t { kRequired, kConditionallyRequired, kRecommended, kOptIn };

/// The semantic-conventions instrument a metric is declared as (`instrument:` of a metric
/// group; OpenTelemetry metrics API instruments).
enum class SemconvInstrument : uint8_t { kCounter, kUpDownCounter, kGauge, kHistogram };

namespace detail {
inline constexpr std::array<std::string_view, 5> kStabilityNames{"development", "alpha", "beta",
                                                                 "release_candidate", "stable"};
inline constexpr std::array<std::string_view, 4> kRequirementLevelNames{
    "required", "conditionally_required", "recommended", "opt_in"};
inline constexpr std::array<std::string_view, 4> kSemconvInstrumentNames{"counter", "updowncounter",
                                                                         "gauge", "histogram"};

/// The enumerator whose name in `names` is `name`, or nullopt.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> named(const std::array<std::string_view, N>& names,
                                    std::string_view name) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}
}  // namespace detail

/// "development", "alpha", "beta", "release_candidate" or "stable".
constexpr std::string_view to_string(Stability stability) noexcept {
  return detail::kStabilityNames[static_cast<std::size_t>(stability)];
}

/// The Stability spelled `name` (as to_string writes it), or nullopt.
constexpr std::optional<Stability> stability_named(std::string_view name) noexcept {
  return detail::named<Stability>(detail::kStabilityNames, name);
}

/// "required", "conditionally_required", "recommended" or "opt_in".
constexpr std::string_view to_string(RequirementLevel level) noexcept {
  return detail::kRequirementLevelNames[static_cast<std::size_t>(level)];
}

/// The RequirementLevel spelled `name` (as to_string writes it), or nullopt.
constexpr std::optional<RequirementLevel> requirement_level_named(std::string_view name) noexcept {
  return detail::named<RequirementLevel>(detail::kRequirementLevelNames, name);
}

/// "counter", "updowncounter", "gauge" or "histogram".
constexpr std::string_view to_string(SemconvInstrument instrument) noexcept {
  return detail::kSemconvInstrumentNames[static_cast<std::size_t>(instrument)];
}

/// The SemconvInstrument spelled `name` (as to_string writes it), or nullopt.
constexpr std::optional<SemconvInstrument> semconv_instrument_named(
    std::string_view name) noexcept {
  return detail::named<SemconvInstrument>(detail::kSemconvInstrumentNames, name);
}

}  // namespace coretel
