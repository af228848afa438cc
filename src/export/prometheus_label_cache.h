// prometheus_label_cache.h (internal): the series label cache of the text exposition renderer
// (prometheus_text.cc). Keeps, across scrapes, the label text of every exported series bucket
// (`otel_scope_name="...",k="v"`, without braces; rules: prometheus_naming.h), back to back in
// one string (the slab), so that a scrape writes each sample from cached text. The leading scope
// label, the same for every series of a descriptor, is left out of the cached text and written
// from the descriptor's sample heads instead (kFullLabels, prometheus_families.h); a series
// whose text does not start with it (colliding keys) keeps its full text.
//
// An entry per series, found by SeriesInfo::id (heads_[id] chains the entries of one id: more
// than one only while an id is reused or when views of different pipelines share ids) and told
// apart by SeriesInfo::serial, unique in the process: an entry never points at its SeriesInfo,
// which may be freed and its id reused between two scrapes. A plain set's labels are written
// when its entry is created; a measured set's bucket labels when a scrape first sees the bucket
// observed. Entries a scrape did not see are dropped at its end (end_scrape()), and the cache is
// compacted once half of its slots or of its label text is unused.
//
// Memory per cached series: a 40-byte Entry, 4 bytes of heads_ per SeriesId up to the largest
// one, its label text (less the scope label), and for a measured set 8 bytes per bucket. The slots
// and heads_ grow by a quarter when full (up to 1.25x of what they hold), the label text by
// doubling. Label text is indexed by 32-bit offsets: the text of all cached buckets is limited to 4
// GiB (std::length_error beyond).
//
// Not thread-safe: owned by one PrometheusTextRenderer. Label text is UTF-8, escaped per
// Prometheus "Exposition formats", text format 0.0.4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/collect/metrics_view.h"
#include "prometheus_families.h"
#include "prometheus_naming.h"

namespace coretel::prometheus {

class LabelCache {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kUnrendered = UINT32_MAX;

  /// Label text of one series bucket: text()[begin, begin + (len & ~kFullLabels)), without the
  /// scope label unless len has kFullLabels (Row::label_len); len == kUnrendered until the bucket
  /// is first seen observed.
  struct LabelSpan {
    uint32_t begin = 0;
    uint32_t len = kUnrendered;
  };
  /// Whether series `info` is a measured set (its entry has one LabelSpan per bucket) rather
  /// than a plain one (its entry has the span of bucket 0).
  static bool measured(const SeriesInfo& info) { return info.combination_count > 1; }
  /// The cached labels of one series: the part read on every scrape (40 bytes).
  struct Entry {
    uint64_t serial = 0;  // SeriesInfo::serial; 0 for a free slot
    DescriptorFamilies* descriptor = nullptr;
    union {
      LabelSpan span{};    // plain sets (buckets == 1): the labels of bucket 0
      LabelSpan* buckets;  // measured sets: one span per bucket, owned by the cache
    };
    SeriesId id = 0;
    uint32_t bucket_count = 1;  // SeriesInfo::combination_count
    uint32_t next = kNone;      // next entry with the same id
    uint32_t seen = 0;          // epoch of the last scrape that saw it
    bool measured() const noexcept { return bucket_count > 1; }
  };
  static_assert(sizeof(Entry) <= 40);

  LabelCache() = default;
  LabelCache(const LabelCache&) = delete;
  LabelCache& operator=(const LabelCache&) = delete;
  ~LabelCache();

  /// Starts a scrape: entries not seen() before end_scrape() are dropped then.
  void begin_scrape() {
    ++epoch_;
    seen_live_ = 0;
  }
  /// The entry of series `s`, created if new (a plain set's labels are written then; `families`
  /// gives its descriptor's names and field offsets), and marked seen by this scrape.
  Entry& see(const SeriesView& s, FamilyIndex& families) {
    const SeriesInfo* info = s.info;
    const SeriesId id = info->id;
    uint32_t slot = id < heads_.size() ? heads_[id] : kNone;
    while (slot != kNone && entries_[slot].serial != info->serial) slot = entries_[slot].next;
    if (slot == kNone) slot = create_entry(s, families);
    Entry& e = entries_[slot];
    if (e.seen != epoch_) {
      e.seen = epoch_;
      ++seen_live_;
    }
    return e;
  }
  /// The labels of bucket `bucket` of a measured set's entry `e` (of series `info`,
  /// measured(info)), written on first call.
  LabelSpan bucket_labels(Entry& e, const SeriesInfo& info, uint32_t bucket) {
    LabelSpan& span = e.buckets[bucket];
    if (span.len == kUnrendered) span = render_labels(info, bucket, e.descriptor->scope_labels);
    return span;
  }
  /// The label text the spans index; valid until the next see(), bucket_labels() or end_scrape().
  const char* text() const { return labels_.data(); }
  /// Ends a scrape: drops the entries it did not see (their series were retired) and compacts
  /// the cache once half of it is unused, so that its memory tracks the live series.
  void end_scrape();

 private:
  uint32_t create_entry(const SeriesView& s, FamilyIndex& families);
  LabelSpan render_labels(const SeriesInfo& info, uint32_t bucket, std::string_view scope);
  std::size_t label_bytes(const Entry& e) const;
  void release(Entry& e);
  void compact();

  std::vector<uint32_t> heads_;  // by SeriesId: first entry slot, or kNone
  std::vector<Entry> entries_;   // by slot
  std::vector<uint32_t> free_slots_;
  std::string labels_;         // label text of every cached series bucket, back to back
  std::size_t garbage_ = 0;    // bytes of `labels_` no longer referenced
  std::size_t live_ = 0;       // entries in use
  std::size_t seen_live_ = 0;  // entries seen by the current scrape
  uint32_t epoch_ = 0;
  PrometheusLabelSet label_set_;  // scratch of render_labels()
};

}  // namespace coretel::prometheus
