// prometheus_label_cache.cc: the series label cache of the text exposition renderer
// (prometheus_label_cache.h).
#include "prometheus_label_cache.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace coretel::prometheus {

void LabelCache::begin_scrape() {
  seen_.assign((slots_.size() + 63) / 64, 0);
  seen_live_ = 0;
}

void LabelCache::write_slot(const SeriesInfo& info, const DescriptorFamilies& families) {
  const SeriesId id = info.id;
  if (id >= slots_.size()) {
    // Grows by a quarter, not the usual doubling: the slots stay within 1.25x of the ids.
    if (id >= slots_.capacity())
      slots_.reserve(std::max(std::size_t{id} + 1, slots_.size() + slots_.size() / 4 + 16));
    slots_.resize(std::size_t{id} + 1);
    seen_.resize((slots_.size() + 63) / 64, 0);
  }
  Slot& slot = slots_[id];
  // Its id's previous series, or a series of another pipeline: if this scrape saw that one, the
  // seen bit and count carry over to this one.
  if (slot.serial != 0) release(slot);
  Slot fresh;
  if (measured(info)) {
    fresh.span.begin = static_cast<uint32_t>(buckets_.size());
    fresh.span.len = kMeasured | info.combination_count;
    buckets_.resize(buckets_.size() + info.combination_count);  // kUnrendered each
  } else {
    fresh.span = render_labels(info, 0, families.scope_labels);
  }
  fresh.serial = info.serial;
  slot = fresh;
  ++live_;
}

// Appends the label text of one bucket of a series (without braces) to `labels_`, less its
// leading `scope` label (the descriptor's) when it starts with it.
LabelCache::LabelSpan LabelCache::render_labels(const SeriesInfo& info, uint32_t bucket,
                                                std::string_view scope) {
  using Group = PrometheusLabelSet::Group;
  PrometheusLabelSet& set = label_set_;
  set.clear();
  set.add_text("otel_scope_name", {}, info.descriptor->name, Group::kScopeName, "otel.scope.name");
  for (const AttributeRef& a : info.entity->attributes)
    set.add("otel_scope_", a.key, a.value, Group::kEntity);
  for (const AttributeRef& a : *info.registration) set.add({}, a.key, a.value, Group::kPoint);
  for (const MeasurementAttributeDescriptor& attribute : info.measurement) {
    const auto radix = static_cast<uint32_t>(attribute.values.size());
    set.add_text({}, attribute.key, attribute.values[bucket % radix], Group::kPoint, attribute.key);
    bucket /= radix;
  }
  const std::size_t begin = labels_.size();
  // Grows by a quarter, not the usual doubling: the text stays within 1.25x of what it holds.
  if (labels_.capacity() - labels_.size() < 4096)
    labels_.reserve(labels_.size() + labels_.size() / 4 + 4096);
  set.append_to(labels_);
  uint32_t full = kFullLabels;
  if (std::string_view(labels_).substr(begin).starts_with(scope)) {
    labels_.erase(begin, scope.size());
    full = 0;
  }
  const std::size_t len = labels_.size() - begin;
  if (labels_.size() > UINT32_MAX || len >= kMeasured) {
    labels_.resize(begin);
    throw std::length_error("coretel: Prometheus label cache text exceeds 4 GiB (1 GiB a bucket)");
  }
  LabelSpan span;
  span.begin = static_cast<uint32_t>(begin);
  span.len = static_cast<uint32_t>(len) | full;
  return span;
}

void LabelCache::release(Slot& slot) {
  if (slot.measured()) {
    const uint32_t count = slot.bucket_count();
    for (uint32_t b = 0; b < count; ++b) {
      const LabelSpan& span = buckets_[slot.span.begin + b];
      if (span.len != kUnrendered) garbage_ += span.len & ~kFullLabels;
    }
    bucket_garbage_ += count;
  } else {
    garbage_ += slot.span.len & ~kFullLabels;
  }
  slot = Slot{};
  --live_;
}

void LabelCache::end_scrape() {
  std::size_t id_end = slots_.size();  // past the largest live id, once known
  if (seen_live_ != live_) {
    id_end = 0;
    for (std::size_t id = 0; id < slots_.size(); ++id) {
      if (slots_[id].serial == 0) continue;
      if ((seen_[id / 64] >> (id % 64) & 1) == 0)
        release(slots_[id]);
      else
        id_end = id + 1;
    }
  }
  const bool sparse_labels = garbage_ > 4096 && garbage_ > labels_.size() / 2;
  const bool sparse_buckets = bucket_garbage_ > 512 && bucket_garbage_ > buckets_.size() / 2;
  const bool sparse_slots = slots_.size() > 64 && id_end < slots_.size() / 2;
  if (sparse_labels || sparse_buckets || sparse_slots) compact();
}

// Rebuilds the text and bucket spans without what is no longer referenced, and trims the slots
// to the largest live id.
void LabelCache::compact() {
  std::string new_labels;
  std::vector<LabelSpan> new_buckets;
  new_labels.reserve(labels_.size() - garbage_);
  new_buckets.reserve(buckets_.size() - bucket_garbage_);
  auto move_span = [&](LabelSpan& span) {
    if (span.len == kUnrendered) return;
    const auto begin = static_cast<uint32_t>(new_labels.size());  // <= labels_.size()
    new_labels.append(labels_, span.begin, span.len & ~kFullLabels);
    span.begin = begin;
  };
  std::size_t id_end = 0;
  for (std::size_t id = 0; id < slots_.size(); ++id) {
    Slot& slot = slots_[id];
    if (slot.serial == 0) continue;
    id_end = id + 1;
    if (!slot.measured()) {
      move_span(slot.span);
      continue;
    }
    const auto begin = static_cast<uint32_t>(new_buckets.size());
    for (uint32_t b = 0; b < slot.bucket_count(); ++b) {
      LabelSpan span = buckets_[slot.span.begin + b];
      move_span(span);
      new_buckets.push_back(span);
    }
    slot.span.begin = begin;
  }
  slots_.resize(id_end);
  slots_.shrink_to_fit();
  seen_.resize((slots_.size() + 63) / 64);
  seen_.shrink_to_fit();
  labels_ = std::move(new_labels);
  buckets_ = std::move(new_buckets);
  garbage_ = 0;
  bucket_garbage_ = 0;
}

}  // namespace coretel::prometheus
