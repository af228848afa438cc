// sampler.h: the specification's built-in samplers (trace/sdk.md, "Sampling"; "Built-in
// samplers"), and the interface a user's own sampler implements.
//
//   auto sampler = coretel::trace::parent_based(coretel::trace::trace_id_ratio_based(0.1));
//   auto result = sampler->should_sample({.parent = &parent, .trace_id = id, .name = "GET"});
//
// Decisions (trace/sdk.md, "SamplingResult"): kDrop (not recording, not sampled), kRecordOnly
// (recording, not sampled), kRecordAndSample (recording and sampled); sampled without recording
// does not exist. The built-in samplers keep the parent's tracestate (result.trace_state empty).
// Thread-safety: should_sample() and description() from any thread; a Sampler is immutable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "coretel/trace/trace_context.h"

namespace coretel::trace {

enum class SamplingDecision : uint8_t { kDrop, kRecordOnly, kRecordAndSample };

/// What a sampler is asked about a span about to start.
struct SamplingParameters {
  /// The parent span's context, or nullptr for a root span (an invalid context counts as none).
  const SpanContext* parent = nullptr;
  /// The new span's trace id: the parent's, or a new one generated before sampling. Valid during
  /// should_sample() only.
  const TraceId& trace_id;
  std::string_view name;
};

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  /// A tracestate to give the span instead of the parent's; nullopt keeps the parent's.
  std::optional<TraceState> trace_state;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingResult should_sample(const SamplingParameters& parameters) const = 0;
  /// The specification's description: "AlwaysOnSampler", "TraceIdRatioBased{0.100000}",
  /// "ParentBased{root:AlwaysOnSampler,remoteParentSampled:...}".
  virtual std::string description() const = 0;
};

std::shared_ptr<const Sampler> always_on();
std::shared_ptr<const Sampler> always_off();

/// TraceIdRatioBased: samples when the trace id's bytes 8 to 15, read as a big-endian unsigned
/// 64-bit x, are below ratio * 2^64: deterministic in the trace id, ignoring the parent's
/// sampled flag, and monotonic (a higher ratio samples a superset). The specification leaves the
/// comparison open; this is OpenTelemetry Python's and, bit for bit on those bytes, the
/// rightmost bytes W3C Level 2 makes random. `ratio` is clamped to [0, 1].
std::shared_ptr<const Sampler> trace_id_ratio_based(double ratio);

/// ParentBased (trace/sdk.md, "ParentBased"): a root span asks `root`; a span with a parent asks
/// the sampler for its parent's kind: remote or local, sampled or not (defaults: AlwaysOn for a
/// sampled parent, AlwaysOff otherwise).
struct ParentBasedOptions {
  std::shared_ptr<const Sampler> remote_parent_sampled = nullptr;  ///< nullptr: the default
  std::shared_ptr<const Sampler> remote_parent_not_sampled = nullptr;
  std::shared_ptr<const Sampler> local_parent_sampled = nullptr;
  std::shared_ptr<const Sampler> local_parent_not_sampled = nullptr;
};
std::shared_ptr<const Sampler> parent_based(std::shared_ptr<const Sampler> root,
                                            ParentBasedOptions options = {});

/// OTEL_TRACES_SAMPLER's values (SDK env vars, "General SDK Configuration"): "always_on",
/// "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
/// "parentbased_traceidratio"; `ratio` is OTEL_TRACES_SAMPLER_ARG's for the ratio ones.
/// nullptr for another name.
std::shared_ptr<const Sampler> sampler_named(std::string_view name, double ratio = 1.0);

}  // namespace coretel::trace
