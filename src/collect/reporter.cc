#include "coretel/collect/reporter.h"

#include <algorithm>
#include <cstring>

#include "coretel/collect/field_values.h"
#include "coretel/collect/snapshot_message.h"

namespace coretel {

namespace {
constexpr std::size_t kMaxFieldWords = 66;  // a 64-bound histogram
}

Reporter::Reporter(SeriesRegistry& registry, std::shared_ptr<ReportRing> ring,
                   uint32_t collector_index, Attributes self_entity, ReporterOptions options)
    : registry_(registry),
      ring_(std::move(ring)),
      collector_index_(collector_index),
      options_(options) {
  self_ = register_set<ReporterMetrics>(std::move(self_entity));
  self_->ring_capacity.set(ring_->capacity_words());
}

Reporter::~Reporter() {
  self_.reset();
  ring_->close();
}

uint64_t Reporter::now_unix_nano() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

detail::SetBinding* Reporter::bind(const MetricsDescriptor& descriptor, Attributes entity,
                                   Attributes registration,
                                   std::span<const MeasurementAttributeDescriptor> measurement,
                                   std::byte* storage, void (*destroy)(std::byte*),
                                   std::size_t stride, uint32_t buckets, uint64_t* touched) {
  auto binding = std::make_unique<detail::SetBinding>();
  binding->storage = storage;
  binding->destroy = destroy;
  binding->base = storage;
  binding->stride = stride;
  binding->touched = touched;
  try {
    binding->info = registry_.register_series(
        descriptor, std::move(entity), std::move(registration), measurement, collector_index_);
  } catch (...) {
    destroy(storage);
    throw;
  }
  binding->shadow.assign(std::size_t{buckets} * descriptor.fields.size(), 0);
  for (const auto& field : descriptor.fields)
    if (field.words > kMaxFieldWords) throw std::invalid_argument("field too large");

  std::lock_guard lock(bindings_mutex_);
  // Size the scratch buffers once here so that reports never allocate.
  scratch_.resize(std::max<std::size_t>(scratch_.size(), max_snapshot_words(descriptor)));
  changed_fields_.reserve(std::max(changed_fields_.capacity(), descriptor.fields.size()));
  bindings_.push_back(std::move(binding));
  return bindings_.back().get();
}

void Reporter::unbind(detail::SetBinding* binding) {
  std::unique_lock lock(bindings_mutex_);
  // The last values: every bucket's changed fields, handed to the registry rather than the ring
  // so that unregistration never fails for lack of ring space.
  TerminalSnapshot last{binding->info->id, {}};
  uint64_t now = now_unix_nano();
  for (uint32_t b = 0; b < binding->info->bucket_count; ++b) {
    std::size_t words = encode_bucket(*binding, b, now);
    last.messages.insert(last.messages.end(), scratch_.begin(), scratch_.begin() + words);
  }
  auto it = std::find_if(bindings_.begin(), bindings_.end(),
                         [&](const auto& b) { return b.get() == binding; });
  std::unique_ptr<detail::SetBinding> owned = std::move(*it);
  bindings_.erase(it);
  lock.unlock();

  registry_.unregister(std::move(last));
  owned->destroy(owned->storage);
}

std::size_t Reporter::encode_bucket(detail::SetBinding& binding, uint32_t b, uint64_t now) {
  const MetricsDescriptor& d = *binding.info->descriptor;
  const std::byte* bucket_base = binding.base + std::size_t{b} * binding.stride;
  const uint64_t* shadow = binding.shadow.data() + std::size_t{b} * d.fields.size();
  uint64_t* out = scratch_.data() + kSnapshotHeaderWords;
  changed_fields_.clear();
  for (uint32_t i = 0; i < d.fields.size(); ++i) {
    const MetricsField& f = d.fields[i];
    uint64_t* value = out + 1;
    std::memcpy(value, bucket_base + f.offset, f.words * sizeof(uint64_t));
    if (accumulates(f.kind) ? is_empty_field(f, value) : *value == shadow[i]) continue;
    out[0] = i;
    out = value + f.words;
    changed_fields_.push_back(i);
  }
  if (changed_fields_.empty()) return 0;
  scratch_[0] =
      encode_snapshot_header(binding.info->id, b, static_cast<uint32_t>(changed_fields_.size()));
  scratch_[1] = now;
  return static_cast<std::size_t>(out - scratch_.data());
}

void Reporter::commit_bucket(detail::SetBinding& binding, uint32_t b) {
  const MetricsDescriptor& d = *binding.info->descriptor;
  std::byte* bucket_base = binding.base + std::size_t{b} * binding.stride;
  uint64_t* shadow = binding.shadow.data() + std::size_t{b} * d.fields.size();
  uint64_t empty[kMaxFieldWords];
  for (uint32_t i : changed_fields_) {
    const MetricsField& f = d.fields[i];
    if (accumulates(f.kind)) {
      reset_field(f, empty);
      std::memcpy(bucket_base + f.offset, empty, f.words * sizeof(uint64_t));
    } else {
      std::memcpy(&shadow[i], bucket_base + f.offset, sizeof(uint64_t));
    }
  }
}

ReportOutcome Reporter::report_binding(detail::SetBinding& binding, uint64_t now) {
  ReportOutcome outcome = ReportOutcome::kUnchanged;
  uint64_t sent_snapshots = 0, sent_fields = 0, deferrals = 0;
  auto send = [&](uint32_t b) -> bool {  // false: the ring is full
    std::size_t words = encode_bucket(binding, b, now);
    if (words == 0) return true;
    if (!ring_->try_push(std::span<const uint64_t>(scratch_.data(), words))) {
      ++deferrals;
      outcome = ReportOutcome::kDeferred;
      return false;
    }
    sent_fields += changed_fields_.size();
    ++sent_snapshots;
    commit_bucket(binding, b);
    if (outcome == ReportOutcome::kUnchanged) outcome = ReportOutcome::kSent;
    return true;
  };

  if (binding.touched == nullptr) {
    send(0);
  } else {
    std::size_t words = (binding.info->bucket_count + 63) / 64;
    for (std::size_t w = 0; w < words && outcome != ReportOutcome::kDeferred; ++w) {
      while (binding.touched[w] != 0) {
        uint32_t bit = static_cast<uint32_t>(std::countr_zero(binding.touched[w]));
        if (!send(static_cast<uint32_t>(w * 64 + bit))) break;
        binding.touched[w] &= binding.touched[w] - 1;  // clear the lowest set bit
      }
    }
  }

  // Self-metrics are recorded after the commit above, so a report of the self set itself never
  // resets what it is about to count.
  if (self_) {
    self_->snapshots_sent.add(sent_snapshots);
    self_->fields_sent.add(sent_fields);
    self_->deferrals.add(deferrals);
    uint64_t used = ring_->used_words();
    if (used > self_->ring_high_water.value()) self_->ring_high_water.set(used);
  }
  return outcome;
}

ReportOutcome Reporter::report_one(detail::SetBinding& binding) {
  std::lock_guard lock(bindings_mutex_);
  return report_binding(binding, now_unix_nano());
}

void Reporter::report_all() {
  std::lock_guard lock(bindings_mutex_);
  uint64_t now = now_unix_nano();
  for (auto& binding : bindings_) report_binding(*binding, now);
}

bool Reporter::tick(std::chrono::steady_clock::time_point now) {
  if (now - last_report_ < options_.interval) return false;
  last_report_ = now;
  report_all();
  return true;
}

}  // namespace coretel
