// prometheus_label_cache.cc: the series label cache of the text exposition renderer
// (prometheus_label_cache.h).
#include "prometheus_label_cache.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace coretel::prometheus {

namespace {

// Makes room for one more element of a full vector by a quarter of its size rather than the
// usual doubling: the per-series vectors stay within 1.25x of the series they hold, and growth
// costs only scrapes that add series.
template <class T>
void grow(std::vector<T>& v) {
  if (v.size() == v.capacity()) v.reserve(v.size() + v.size() / 4 + 16);
}

}  // namespace

LabelCache::~LabelCache() {
  for (Entry& e : entries_)
    if (e.serial != 0) release(e);
}

uint32_t LabelCache::create_entry(const SeriesView& s, FamilyIndex& families) {
  const SeriesInfo& info = *s.info;
  Entry entry;
  entry.descriptor = &families.descriptor(info.descriptor);
  std::unique_ptr<LabelSpan[]> buckets;
  if (measured(info)) {
    buckets = std::make_unique<LabelSpan[]>(info.combination_count);
  } else {
    entry.span = render_labels(info, 0, entry.descriptor->scope_labels);
  }

  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    grow(entries_);
    entries_.emplace_back();
    slot = static_cast<uint32_t>(entries_.size() - 1);
  }
  if (info.id >= heads_.size()) {
    if (info.id >= heads_.capacity())
      heads_.reserve(std::max(std::size_t{info.id} + 1, heads_.size() + heads_.size() / 4 + 16));
    heads_.resize(std::size_t{info.id} + 1, kNone);
  }
  entry.serial = info.serial;
  entry.id = info.id;
  entry.bucket_count = info.combination_count;
  entry.seen = epoch_ - 1;  // not yet seen by this scrape
  entry.next = heads_[info.id];
  heads_[info.id] = slot;
  if (buckets != nullptr) entry.buckets = buckets.release();
  entries_[slot] = entry;
  ++live_;
  return slot;
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
  for (const AttributeRef& a : info.registration) set.add({}, a.key, a.value, Group::kPoint);
  for (const MeasurementAttributeDescriptor& attribute : info.measurement) {
    const auto radix = static_cast<uint32_t>(attribute.values.size());
    set.add_text({}, attribute.key, attribute.values[bucket % radix], Group::kPoint, attribute.key);
    bucket /= radix;
  }
  const std::size_t begin = labels_.size();
  set.append_to(labels_);
  uint32_t full = kFullLabels;
  if (std::string_view(labels_).substr(begin).starts_with(scope)) {
    labels_.erase(begin, scope.size());
    full = 0;
  }
  const std::size_t len = labels_.size() - begin;
  if (labels_.size() > UINT32_MAX || len >= kFullLabels - 1) {
    labels_.resize(begin);
    throw std::length_error("coretel: Prometheus label cache text exceeds 4 GiB");
  }
  LabelSpan span;
  span.begin = static_cast<uint32_t>(begin);
  span.len = static_cast<uint32_t>(len) | full;
  return span;
}

std::size_t LabelCache::label_bytes(const Entry& e) const {
  if (!e.measured()) return e.span.len & ~kFullLabels;
  std::size_t bytes = 0;
  for (uint32_t b = 0; b < e.bucket_count; ++b)
    if (e.buckets[b].len != kUnrendered) bytes += e.buckets[b].len & ~kFullLabels;
  return bytes;
}

// Frees what entry `e` owns.
void LabelCache::release(Entry& e) {
  if (e.measured()) delete[] e.buckets;
}

void LabelCache::end_scrape() {
  if (seen_live_ != live_) {
    for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
      Entry& e = entries_[slot];
      if (e.serial == 0 || e.seen == epoch_) continue;
      uint32_t* link = &heads_[e.id];
      while (*link != slot) link = &entries_[*link].next;
      *link = e.next;
      garbage_ += label_bytes(e);
      release(e);
      e = Entry{};
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
  std::string new_labels;
  new_entries.reserve(live_);
  new_labels.reserve(labels_.size() - garbage_);
  auto move_span = [&](LabelSpan& span) {
    if (span.len == kUnrendered) return;
    const auto begin = static_cast<uint32_t>(new_labels.size());  // <= labels_.size()
    new_labels.append(labels_, span.begin, span.len & ~kFullLabels);
    span.begin = begin;
  };
  std::size_t id_end = 0;
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    Entry& e = entries_[slot];
    if (e.serial == 0) continue;
    if (!e.measured()) {
      move_span(e.span);
    } else {
      for (uint32_t b = 0; b < e.bucket_count; ++b) move_span(e.buckets[b]);
    }
    id_end = std::max(id_end, std::size_t{e.id} + 1);
    new_entries.push_back(e);
  }
  std::vector<uint32_t> new_heads(id_end, kNone);
  for (uint32_t slot = 0; slot < new_entries.size(); ++slot) {
    SeriesId id = new_entries[slot].id;
    new_entries[slot].next = new_heads[id];
    new_heads[id] = slot;
  }
  heads_ = std::move(new_heads);
  entries_ = std::move(new_entries);
  labels_ = std::move(new_labels);
  free_slots_ = {};
  garbage_ = 0;
}

}  // namespace coretel::prometheus
