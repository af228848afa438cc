#include "coretel/trace/sampler.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace coretel::trace {

namespace {

class AlwaysOn final : public Sampler {
 public:
  SamplingResult should_sample(const SamplingParameters&) const override {
    return {SamplingDecision::kRecordAndSample, std::nullopt};
  }
  std::string description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOff final : public Sampler {
 public:
  SamplingResult should_sample(const SamplingParameters&) const override {
    return {SamplingDecision::kDrop, std::nullopt};
  }
  std::string description() const override { return "AlwaysOffSampler"; }
};

class TraceIdRatioBased final : public Sampler {
 public:
  explicit TraceIdRatioBased(double ratio)
      : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)) {
    // ratio * 2^64, exact for ratio 0 and saturating at 1 (every x < 2^64 is sampled).
    all_ = ratio_ >= 1.0;
    bound_ = all_ ? 0 : static_cast<uint64_t>(std::ldexp(ratio_, 64));
  }
  SamplingResult should_sample(const SamplingParameters& p) const override {
    uint64_t x = 0;
    for (std::size_t i = 8; i < 16; ++i) x = (x << 8) | p.trace_id.bytes[i];
    return {all_ || x < bound_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop,
            std::nullopt};
  }
  std::string description() const override {
    return fmt::format("TraceIdRatioBased{{{:.6f}}}", ratio_);
  }

 private:
  double ratio_;
  bool all_ = false;
  uint64_t bound_ = 0;
};

class ParentBased final : public Sampler {
 public:
  ParentBased(std::shared_ptr<const Sampler> root, ParentBasedOptions o)
      : root_(std::move(root)),
        remote_sampled_(o.remote_parent_sampled ? o.remote_parent_sampled : always_on()),
        remote_not_sampled_(o.remote_parent_not_sampled ? o.remote_parent_not_sampled
                                                        : always_off()),
        local_sampled_(o.local_parent_sampled ? o.local_parent_sampled : always_on()),
        local_not_sampled_(o.local_parent_not_sampled ? o.local_parent_not_sampled : always_off()) {
  }
  SamplingResult should_sample(const SamplingParameters& p) const override {
    const SpanContext* parent = p.parent;
    if (parent == nullptr || !parent->valid()) return root_->should_sample(p);
    const Sampler& delegate = parent->remote
                                  ? (parent->sampled() ? *remote_sampled_ : *remote_not_sampled_)
                                  : (parent->sampled() ? *local_sampled_ : *local_not_sampled_);
    return delegate.should_sample(p);
  }
  std::string description() const override {
    return fmt::format(
        "ParentBased{{root:{},remoteParentSampled:{},remoteParentNotSampled:{},"
        "localParentSampled:{},localParentNotSampled:{}}}",
        root_->description(), remote_sampled_->description(), remote_not_sampled_->description(),
        local_sampled_->description(), local_not_sampled_->description());
  }

 private:
  std::shared_ptr<const Sampler> root_, remote_sampled_, remote_not_sampled_, local_sampled_,
      local_not_sampled_;
};

}  // namespace

std::shared_ptr<const Sampler> always_on() {
  static const auto sampler = std::make_shared<const AlwaysOn>();
  return sampler;
}

std::shared_ptr<const Sampler> always_off() {
  static const auto sampler = std::make_shared<const AlwaysOff>();
  return sampler;
}

std::shared_ptr<const Sampler> trace_id_ratio_based(double ratio) {
  return std::make_shared<const TraceIdRatioBased>(ratio);
}

std::shared_ptr<const Sampler> parent_based(std::shared_ptr<const Sampler> root,
                                            ParentBasedOptions options) {
  return std::make_shared<const ParentBased>(root ? std::move(root) : always_on(),
                                             std::move(options));
}

std::shared_ptr<const Sampler> sampler_named(std::string_view name, double ratio) {
  if (name == "always_on") return always_on();
  if (name == "always_off") return always_off();
  if (name == "traceidratio") return trace_id_ratio_based(ratio);
  if (name == "parentbased_always_on") return parent_based(always_on());
  if (name == "parentbased_always_off") return parent_based(always_off());
  if (name == "parentbased_traceidratio") return parent_based(trace_id_ratio_based(ratio));
  return nullptr;
}

}  // namespace coretel::trace
