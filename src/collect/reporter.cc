#include "coretel/collect/reporter.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "block_pool.h"
#include "coretel/collect/clock.h"
#include "coretel/collect/field_values.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/report_ring.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/collect/snapshot_message.h"
#include "coretel/metrics/exponential_histogram.h"
#include "set_binding.h"

namespace coretel {

namespace {

uint64_t load_word(const std::byte* p) noexcept {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// InvalidReason (instruments.h) indexes the registry's enum of the same values, in order.
static_assert(telemetry::to_string(InvalidReasonAttribute::kNan) == "nan" &&
              static_cast<std::size_t>(InvalidReason::kNan) ==
                  static_cast<std::size_t>(InvalidReasonAttribute::kNan));
static_assert(telemetry::to_string(InvalidReasonAttribute::kInfinity) == "infinity" &&
              static_cast<std::size_t>(InvalidReason::kInfinity) ==
                  static_cast<std::size_t>(InvalidReasonAttribute::kInfinity));
static_assert(telemetry::to_string(InvalidReasonAttribute::kNegative) == "negative" &&
              static_cast<std::size_t>(InvalidReason::kNegative) ==
                  static_cast<std::size_t>(InvalidReasonAttribute::kNegative));
static_assert(ReporterInvalidMetrics::kCardinality == kInvalidReasons);

bool has_current_values(const MetricsDescriptor& d) {
  return std::any_of(d.layout.begin(), d.layout.end(),
                     [](const FieldLayout& f) { return !f.accumulates; });
}

// The words of a registration's current-value shadow: one per field and combination, or none.
std::size_t shadow_words(const MetricsDescriptor& d, const detail::SetType& type) {
  return has_current_values(d) ? std::size_t{type.combination_count} * d.fields.size() : 0;
}

// The bytes of a registration's block: the set, its binding, the shadow.
std::size_t block_bytes(const MetricsDescriptor& d, const detail::SetType& type) {
  return detail::SetBinding::set_bytes(type) + sizeof(detail::SetBinding) +
         shadow_words(d, type) * sizeof(uint64_t);
}

}  // namespace

struct Reporter::SelfSets {
  Registration<ReporterMetrics> metrics;
  Registration<ReporterInvalidMetrics> invalid;
};

Reporter::Reporter(SeriesRegistry& registry, std::shared_ptr<ReportRing> ring,
                   uint32_t collector_index, Attributes self_entity, ReporterOptions options)
    : registry_(registry),
      ring_(std::move(ring)),
      collector_index_(collector_index),
      options_(options),
      blocks_(std::make_unique<detail::BlockPool>()),
      scratch_(new uint64_t[ring_->capacity_words()]) {
  auto metrics = register_set<ReporterMetrics>(self_entity);
  metrics->ring_capacity.set(ring_->capacity_words());
  auto invalid = register_set<ReporterInvalidMetrics>(std::move(self_entity));
  self_ = std::make_unique<SelfSets>(SelfSets{std::move(metrics), std::move(invalid)});
}

Reporter::~Reporter() {
  self_.reset();  // unregisters them while the reporter is whole
  ring_->close();
}

const ReporterMetrics& Reporter::self_metrics() const noexcept {
  return *self_->metrics;
}

const SeriesInfo& detail::series_of(const SetBinding& binding) noexcept {
  return *binding.info;
}

Reporter::Bound Reporter::bind(const MetricsDescriptor& descriptor, Attributes entity,
                               Attributes registration,
                               std::span<const MeasurementAttributeDescriptor> measurement,
                               const detail::SetType& type) {
  for (const auto& field : descriptor.fields)
    if (field.words > kMaxFieldWords)
      throw std::invalid_argument(fmt::format("metric set '{}': field '{}' is larger than {} words",
                                              descriptor.name, field.name, kMaxFieldWords));
  const std::size_t message_words = max_snapshot_words(descriptor);
  if (message_words > ring_->capacity_words())
    throw std::invalid_argument(fmt::format(
        "metric set '{}': a snapshot message takes up to {} words but the reporter's ring "
        "holds {} words; raise ReporterOptions::ring_words to at least {}",
        descriptor.name, message_words, ring_->capacity_words(), message_words));

  const std::size_t shadow = shadow_words(descriptor, type);
  const std::size_t set_bytes = detail::SetBinding::set_bytes(type);
  const std::size_t bytes = block_bytes(descriptor, type);
  const std::size_t align = detail::SetBinding::block_align(type);
  std::byte* block;
  {
    std::lock_guard lock(bindings_mutex_);
    block = blocks_->allocate(bytes, align);
  }
  type.construct(block);
  auto* binding = new (block + set_bytes) detail::SetBinding();
  binding->type = &type;
  binding->has_shadow = shadow != 0;
  if (shadow != 0) std::fill_n(binding->shadow(), shadow, uint64_t{0});
  try {
    binding->info = registry_.register_series(
        descriptor, std::move(entity), std::move(registration), measurement, collector_index_);
    std::lock_guard lock(bindings_mutex_);
    binding->index = static_cast<uint32_t>(bindings_.size());
    bindings_.push_back(binding);
  } catch (...) {
    if (binding->info != nullptr) registry_.unregister(TerminalSnapshot{binding->info->id, {}});
    binding->~SetBinding();
    type.destroy(block);
    std::lock_guard lock(bindings_mutex_);
    blocks_->deallocate(block, bytes, align);
    throw;
  }
  return {binding, block};
}

void Reporter::unbind(detail::SetBinding* binding) {
  // The last values: every combination's changed fields, handed to the registry rather than the
  // ring so that unregistration never fails for lack of ring space. Encoded under the bindings
  // mutex, which report_all() holds while it reports every set: a Registration destroyed on
  // another thread is then either reported by report_all() or encoded here, never both. Into a
  // buffer of its own: report() of another set (the owning thread, no lock) uses scratch_.
  const SeriesInfo& info = *binding->info;
  const detail::SetType& type = *binding->type;
  // Before unregister(): the registry may free `info` as soon as the collector merged `last`.
  const std::size_t bytes = block_bytes(*info.descriptor, type);
  TerminalSnapshot last{info.id, {}};
  std::vector<uint64_t> message(max_snapshot_words(*info.descriptor));
  {
    std::lock_guard lock(bindings_mutex_);
    uint64_t now = unix_nano_now();
    for (uint32_t b = 0; b < info.combination_count; ++b) {
      std::size_t words = encode_combination(*binding, b, now, message.data());
      last.messages.insert(last.messages.end(), message.begin(),
                           message.begin() + static_cast<std::ptrdiff_t>(words));
    }
    // O(1): move the last binding into this one's place.
    const uint32_t index = binding->index;
    if (index + 1 != bindings_.size()) {
      bindings_[index] = bindings_.back();
      bindings_[index]->index = index;
    }
    bindings_.pop_back();
  }
  registry_.unregister(std::move(last));
  std::byte* block = binding->storage();
  binding->~SetBinding();
  type.destroy(block);
  std::lock_guard lock(bindings_mutex_);
  blocks_->deallocate(block, bytes, detail::SetBinding::block_align(type));
}

std::size_t Reporter::encode_combination(const detail::SetBinding& binding, uint32_t b,
                                         uint64_t now, uint64_t* message) noexcept {
  const MetricsDescriptor& d = *binding.info->descriptor;
  const std::byte* combination_base = binding.base() + std::size_t{b} * binding.stride();
  const uint64_t* shadow =
      !binding.has_shadow ? nullptr : binding.shadow() + std::size_t{b} * d.layout.size();
  uint64_t* out = message + kSnapshotHeaderWords;
  uint32_t count = 0;
  // Locals, not d.layout[i]: stores through `out` may alias the descriptor as far as the
  // compiler knows, which would reload the table pointer for every field.
  const FieldLayout* const layout = d.layout.data();
  const uint32_t n = static_cast<uint32_t>(d.layout.size());
  for (uint32_t i = 0; i < n; ++i) {
    const FieldLayout& f = layout[i];
    const std::byte* src = combination_base + f.offset;
    if (f.words == 1) {
      // Scalars: the pair is always written and kept only when the value changed (a delta is
      // non-zero, a current value differs from the one last sent). g++ 12 compiles the advance
      // to a branch, which the predictor learns when the same fields change report after
      // report; forcing arithmetic selection (the top bit of diff | -diff) measured slower in
      // an experiment not kept in the tree (BENCHMARKS.md, run of 2026-12-03): every store's
      // address then waits for the previous field's compare.
      const uint64_t w = load_word(src);
      const uint64_t sent = f.accumulates ? 0 : shadow[i];
      const bool changed = w != sent;
      out[0] = i;
      out[1] = w;
      out += changed ? 2 : 0;
      count += changed ? 1 : 0;
    } else if (f.kind == InstrumentKind::kMmsc) {
      if (load_word(src + 3 * sizeof(uint64_t)) == 0) continue;  // count
      out[0] = i;
      std::memcpy(out + 1, src, 4 * sizeof(uint64_t));
      out += 5;
      ++count;
    } else if (f.kind == InstrumentKind::kExponentialHistogram) {
      if (load_word(src + expo::kCount * sizeof(uint64_t)) == 0) continue;
      out[0] = i;
      std::memcpy(out + 1, src, f.words * sizeof(uint64_t));
      out += 1 + f.words;
      ++count;
    } else {  // histogram: empty when every bucket count is zero
      std::memcpy(out + 1, src, f.words * sizeof(uint64_t));
      uint64_t any = 0;
      for (uint32_t k = 0; k + 3 < f.words; ++k) any |= out[1 + k];  // the bucket counts
      if (any == 0) continue;
      out[0] = i;
      out += 1 + f.words;
      ++count;
    }
  }
  if (count == 0) return 0;
  message[0] = encode_snapshot_header(binding.info->id, b, count);
  message[1] = now;
  return static_cast<std::size_t>(out - message);
}

void Reporter::commit_combination(detail::SetBinding& binding, uint32_t b,
                                  const uint64_t* message) noexcept {
  const MetricsDescriptor& d = *binding.info->descriptor;
  std::byte* combination_base = binding.base() + std::size_t{b} * binding.stride();
  uint64_t* shadow =
      !binding.has_shadow ? nullptr : binding.shadow() + std::size_t{b} * d.layout.size();
  uint32_t count = decode_snapshot_header(message[0]).field_count;
  std::size_t pos = kSnapshotHeaderWords;
  uint64_t empty[kMaxFieldWords];
  const FieldLayout* const layout = d.layout.data();  // hoisted: the resets below alias anything
  for (uint32_t k = 0; k < count; ++k) {
    const uint64_t i = message[pos];
    const FieldLayout& f = layout[i];
    if (!f.accumulates) {
      shadow[i] = message[pos + 1];
    } else if (f.words == 1) {
      std::memset(combination_base + f.offset, 0, sizeof(uint64_t));
    } else if (f.kind == InstrumentKind::kExponentialHistogram) {
      // Keeps the scale and the windows: the next interval's values mostly land in place. The
      // instrument's storage is an array of uint64_t (exponential_histogram.h).
      expo::clear(reinterpret_cast<uint64_t*>(combination_base + f.offset),
                  exponential_histogram_size(d.fields[i]));
    } else {
      reset_field(d.fields[i], empty);
      std::memcpy(combination_base + f.offset, empty, f.words * sizeof(uint64_t));
    }
    pos += 1 + f.words;
  }
}

ReportOutcome Reporter::report_binding(detail::SetBinding& binding, uint64_t now) {
  ReportOutcome outcome = ReportOutcome::kUnchanged;
  uint64_t sent_snapshots = 0, sent_fields = 0, deferrals = 0;
  uint64_t* const message = scratch_.get();
  auto send = [&](uint32_t b) -> bool {  // false: the ring is full
    std::size_t words = encode_combination(binding, b, now, message);
    if (words == 0) return true;
    if (!ring_->try_push(std::span<const uint64_t>(message, words))) {
      ++deferrals;
      outcome = ReportOutcome::kDeferred;
      return false;
    }
    sent_fields += decode_snapshot_header(message[0]).field_count;
    ++sent_snapshots;
    commit_combination(binding, b, message);
    if (outcome == ReportOutcome::kUnchanged) outcome = ReportOutcome::kSent;
    return true;
  };

  uint64_t* const touched = binding.touched();
  if (touched == nullptr) {
    // A plain set (one combination), or a small MeasuredSet without a touched bitmap: every
    // combination is checked.
    const uint32_t combinations = binding.info->combination_count;
    for (uint32_t b = 0; b < combinations; ++b)
      if (!send(b)) break;
  } else {
    std::size_t words = (binding.info->combination_count + 63) / 64;
    for (std::size_t w = 0; w < words && outcome != ReportOutcome::kDeferred; ++w) {
      while (touched[w] != 0) {
        uint32_t bit = static_cast<uint32_t>(std::countr_zero(touched[w]));
        if (!send(static_cast<uint32_t>(w * 64 + bit))) break;
        touched[w] &= touched[w] - 1;  // clear the lowest set bit
      }
    }
  }

  // Self-metrics are recorded after the commit above, so a report of the self set itself never
  // resets what it is about to count.
  if (self_) {
    ReporterMetrics& self = *self_->metrics;
    self.snapshots_sent.add(sent_snapshots);
    self.fields_sent.add(sent_fields);
    self.deferrals.add(deferrals);
    uint64_t used = ring_->used_words();
    if (used > self.ring_high_water.value()) self.ring_high_water.set(used);
  }
  return outcome;
}

ReportOutcome Reporter::report_one(detail::SetBinding& binding) {
  // No lock: the binding is the caller's (its registration is not being destroyed meanwhile,
  // reporter.h) and scratch_ is never reallocated.
  return report_binding(binding, unix_nano_now());
}

void Reporter::report_all() {
  std::lock_guard lock(bindings_mutex_);
  if (options_.take_invalid_measurements && self_) {
    InvalidMeasurementCounts invalid = take_invalid_measurements();
    for (std::size_t r = 0; r < kInvalidReasons; ++r)
      if (invalid.by_reason[r] != 0)
        self_->invalid->with(static_cast<InvalidReasonAttribute>(r))
            .measurements.add(invalid.by_reason[r]);
  }
  uint64_t now = unix_nano_now();
  for (detail::SetBinding* binding : bindings_) report_binding(*binding, now);
}

bool Reporter::tick(std::chrono::steady_clock::time_point now) {
  if (now - last_report_ < options_.interval) return false;
  last_report_ = now;
  report_all();
  return true;
}

}  // namespace coretel
