// instruments.cc: the ignored path of the instruments (instruments.h, "Invalid measurements").
#include "coretel/metrics/instruments.h"

namespace coretel {

namespace {
// Plain per-thread counters: only the recording thread writes them, and only the reporter on
// that same thread takes them, so no atomic is needed.
thread_local InvalidMeasurementCounts t_invalid;
}  // namespace

namespace detail {
void count_invalid(double v) noexcept {
  if (v == 0.0) return;  // -0.0 from Counter<double>: a valid zero increment
  InvalidReason reason = std::isnan(v)   ? InvalidReason::kNan
                         : std::isinf(v) ? InvalidReason::kInfinity
                                         : InvalidReason::kNegative;
  ++t_invalid.by_reason[static_cast<std::size_t>(reason)];
}
}  // namespace detail

InvalidMeasurementCounts take_invalid_measurements() noexcept {
  InvalidMeasurementCounts taken = t_invalid;
  t_invalid = {};
  return taken;
}

InvalidMeasurementCounts peek_invalid_measurements() noexcept {
  return t_invalid;
}

}  // namespace coretel
