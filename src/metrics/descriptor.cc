#include "coretel/metrics/descriptor.h"

namespace coretel {

std::string_view to_string(InstrumentKind kind) noexcept {
  switch (kind) {
    case InstrumentKind::kCounter:
      return "counter";
    case InstrumentKind::kUpDownCounter:
      return "updowncounter";
    case InstrumentKind::kGauge:
      return "gauge";
    case InstrumentKind::kObserveCounter:
      return "observe_counter";
    case InstrumentKind::kObserveUpDownCounter:
      return "observe_updowncounter";
    case InstrumentKind::kMmsc:
      return "mmsc";
    case InstrumentKind::kHistogram:
      return "histogram";
  }
  return "unknown";
}

std::string_view to_string(Temporality temporality) noexcept {
  switch (temporality) {
    case Temporality::kNone:
      return "none";
    case Temporality::kDelta:
      return "delta";
    case Temporality::kCumulative:
      return "cumulative";
  }
  return "unknown";
}

std::string_view to_string(ValueType value_type) noexcept {
  switch (value_type) {
    case ValueType::kU64:
      return "u64";
    case ValueType::kI64:
      return "i64";
    case ValueType::kF64:
      return "f64";
  }
  return "unknown";
}

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
