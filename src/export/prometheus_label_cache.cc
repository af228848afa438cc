// prometheus_label_cache.cc: the series label cache of the text exposition renderer
// (prometheus_label_cache.h).
#include "prometheus_label_cache.h"

#include <algorithm>
#include <utility>

namespace coretel::prometheus {

uint32_t LabelCache::create_entry(const MetricsView& view, const SeriesView& s,
                                  FamilyIndex& families) {
  const SeriesInfo& info = *s.info;
  DescriptorFamilies& cache = families.descriptor(info.descriptor);
  const std::size_t field_count = info.descriptor->fields.size();
  const uint64_t* base = view.combination_words(s, 0);
  if (!cache.has_offsets) {
    for (std::size_t f = 0; f < field_count; ++f)
      cache.offsets.push_back(static_cast<uint32_t>(view.field_words(s, 0, f) - base));
    cache.has_offsets = true;
  }
  Owner owner;
  for (std::size_t f = 0; f < field_count; ++f) {
    if (static_cast<uint32_t>(view.field_words(s, 0, f) - base) == cache.offsets[f]) continue;
    for (std::size_t g = 0; g < field_count; ++g)
      owner.offsets.push_back(static_cast<uint32_t>(view.field_words(s, 0, g) - base));
    break;
  }
  Entry entry;
  entry.descriptor = &cache;
  entry.offsets = owner.offsets.empty() ? cache.offsets.data() : owner.offsets.data();
  if (info.combination_count > 1) {
    owner.buckets = std::make_unique<LabelSpan[]>(info.combination_count);
    entry.buckets = owner.buckets.get();
  } else {
    entry.span = render_labels(info, 0);
  }
  owner.info = s.info;
  owner.id = info.id;

  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    entries_.emplace_back();
    owners_.emplace_back();
    slot = static_cast<uint32_t>(entries_.size() - 1);
  }
  if (info.id >= heads_.size()) heads_.resize(std::size_t{info.id} + 1, kNone);
  entry.key = &info;
  entry.seen = epoch_ - 1;  // not yet seen by this scrape
  entry.next = heads_[info.id];
  heads_[info.id] = slot;
  entries_[slot] = std::move(entry);
  owners_[slot] = std::move(owner);
  ++live_;
  return slot;
}

// Appends the label text of one bucket of a series (without braces) to `labels_`.
LabelCache::LabelSpan LabelCache::render_labels(const SeriesInfo& info, uint32_t bucket) {
  using Group = PrometheusLabelSet::Group;
  PrometheusLabelSet& set = label_set_;
  set.clear();
  set.add_text("otel_scope_name", {}, info.descriptor->name, Group::kScopeName, "otel.scope.name");
  if (info.entity != nullptr)
    for (const Attribute& a : info.entity->attributes)
      set.add("otel_scope_", a.key, a.value, Group::kEntity);
  for (const Attribute& a : info.registration) set.add({}, a.key, a.value, Group::kPoint);
  for (const MeasurementAttributeDescriptor& attribute : info.measurement) {
    const auto radix = static_cast<uint32_t>(attribute.values.size());
    set.add_text({}, attribute.key, attribute.values[bucket % radix], Group::kPoint, attribute.key);
    bucket /= radix;
  }
  LabelSpan span;
  span.begin = labels_.size();
  set.append_to(labels_);
  span.len = static_cast<uint32_t>(labels_.size() - span.begin);
  return span;
}

std::size_t LabelCache::label_bytes(uint32_t slot) const {
  const Entry& e = entries_[slot];
  if (e.buckets == nullptr) return e.span.len;
  std::size_t bytes = 0;
  for (uint32_t b = 0; b < owners_[slot].info->combination_count; ++b)
    if (e.buckets[b].len != kUnrendered) bytes += e.buckets[b].len;
  return bytes;
}

void LabelCache::end_scrape() {
  if (seen_live_ != live_) {
    for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
      Entry& e = entries_[slot];
      if (e.key == nullptr || e.seen == epoch_) continue;
      uint32_t* link = &heads_[owners_[slot].id];
      while (*link != slot) link = &entries_[*link].next;
      *link = e.next;
      garbage_ += label_bytes(slot);
      e = Entry{};
      owners_[slot] = Owner{};
      free_slots_.push_back(slot);
      --live_;
    }
  }
  bool sparse_labels = garbage_ > 4096 && garbage_ > labels_.size() / 2;
  bool sparse_slots = free_slots_.size() > 64 && free_slots_.size() > entries_.size() / 2;
  if (sparse_labels || sparse_slots) compact();
}

// Rebuilds the cache without free slots and unreferenced label text.
void LabelCache::compact() {
  std::vector<Entry> new_entries;
  std::vector<Owner> new_owners;
  std::string new_labels;
  new_entries.reserve(live_);
  new_owners.reserve(live_);
  new_labels.reserve(labels_.size() - garbage_);
  auto move_span = [&](LabelSpan& span) {
    if (span.len == kUnrendered) return;
    std::size_t begin = new_labels.size();
    new_labels.append(labels_, span.begin, span.len);
    span.begin = begin;
  };
  std::size_t id_end = 0;
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    Entry& e = entries_[slot];
    if (e.key == nullptr) continue;
    Owner& o = owners_[slot];
    if (e.buckets == nullptr) {
      move_span(e.span);
    } else {
      for (uint32_t b = 0; b < o.info->combination_count; ++b) move_span(e.buckets[b]);
    }
    id_end = std::max(id_end, std::size_t{o.id} + 1);
    new_entries.push_back(std::move(e));
    new_owners.push_back(std::move(o));
  }
  std::vector<uint32_t> new_heads(id_end, kNone);
  for (uint32_t slot = 0; slot < new_entries.size(); ++slot) {
    SeriesId id = new_owners[slot].id;
    new_entries[slot].next = new_heads[id];
    new_heads[id] = slot;
  }
  heads_ = std::move(new_heads);
  entries_ = std::move(new_entries);
  owners_ = std::move(new_owners);
  labels_ = std::move(new_labels);
  free_slots_ = {};
  garbage_ = 0;
}

}  // namespace coretel::prometheus
