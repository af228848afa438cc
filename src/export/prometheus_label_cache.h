// prometheus_label_cache.h (internal): the series label cache of the text exposition renderer
// (prometheus_text.cc). Keeps, across scrapes, the label text of every exported series bucket
// (`otel_scope_name="...",k="v"`, without braces; rules: prometheus_naming.h), back to back in
// one string (the slab), so that a scrape writes each sample from cached text.
//
// An entry per series, found by SeriesInfo::id (heads_[id] chains the entries of one id: more
// than one only while an id is reused or when views of different pipelines share ids) and told
// apart by SeriesInfo address. The entry holds a std::shared_ptr to its SeriesInfo, so that
// address cannot be reused by another series while cached. A plain set's labels are written when
// its entry is created; a measured set's bucket labels when a scrape first sees the bucket
// observed. Entries a scrape did not see are dropped at its end (end_scrape()), and the cache is
// compacted once half of its slots or of its label text is unused.
//
// Not thread-safe: owned by one PrometheusTextRenderer. Label text is UTF-8, escaped per
// Prometheus "Exposition formats", text format 0.0.4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

  /// Label text of one series bucket: text()[begin, begin + len); len == kUnrendered until the
  /// bucket is first seen observed.
  struct LabelSpan {
    std::size_t begin = 0;
    uint32_t len = kUnrendered;
  };
  /// The cached labels of one series: the part read on every scrape.
  struct Entry {
    const SeriesInfo* key = nullptr;  // identity; null for a free slot
    DescriptorFamilies* descriptor = nullptr;
    const uint32_t* offsets = nullptr;  // field word offsets of a bucket
    LabelSpan* buckets = nullptr;       // measured sets (bucket_count > 1): one span per bucket
    LabelSpan span;                     // plain sets: the labels of bucket 0
    uint32_t next = kNone;              // next entry with the same id
    uint32_t seen = 0;                  // epoch of the last scrape that saw it
  };

  /// Starts a scrape: entries not seen() before end_scrape() are dropped then.
  void begin_scrape() {
    ++epoch_;
    seen_live_ = 0;
  }
  /// The entry of series `s` of `view`, created if new (a plain set's labels are written then;
  /// `families` gives its descriptor's names and offsets), and marked seen by this scrape.
  Entry& see(const MetricsView& view, const SeriesView& s, FamilyIndex& families) {
    const SeriesInfo* info = s.info.get();
    const SeriesId id = info->id;
    uint32_t slot = id < heads_.size() ? heads_[id] : kNone;
    while (slot != kNone && entries_[slot].key != info) slot = entries_[slot].next;
    if (slot == kNone) slot = create_entry(view, s, families);
    Entry& e = entries_[slot];
    if (e.seen != epoch_) {
      e.seen = epoch_;
      ++seen_live_;
    }
    return e;
  }
  /// The labels of bucket `bucket` of a measured set's entry `e` (of series `info`), written on
  /// first call.
  LabelSpan bucket_labels(Entry& e, const SeriesInfo& info, uint32_t bucket) {
    LabelSpan& span = e.buckets[bucket];
    if (span.len == kUnrendered) span = render_labels(info, bucket);
    return span;
  }
  /// The label text the spans index; valid until the next see(), bucket_labels() or end_scrape().
  const char* text() const { return labels_.data(); }
  /// Ends a scrape: drops the entries it did not see (their series were retired) and compacts
  /// the cache once half of it is unused, so that its memory tracks the live series.
  void end_scrape();

 private:
  // The rest of an entry, touched only when it is created, dropped or compacted.
  struct Owner {
    // Keeps the SeriesInfo alive so that its address (Entry::key) cannot be reused while cached.
    std::shared_ptr<const SeriesInfo> info;
    std::unique_ptr<LabelSpan[]> buckets;
    std::vector<uint32_t> offsets;  // only when the series' offsets differ from its descriptor's
    SeriesId id = 0;
  };

  uint32_t create_entry(const MetricsView& view, const SeriesView& s, FamilyIndex& families);
  LabelSpan render_labels(const SeriesInfo& info, uint32_t bucket);
  std::size_t label_bytes(uint32_t slot) const;
  void compact();

  std::vector<uint32_t> heads_;  // by SeriesId: first entry slot, or kNone
  std::vector<Entry> entries_;   // by slot
  std::vector<Owner> owners_;    // by slot
  std::vector<uint32_t> free_slots_;
  std::string labels_;         // label text of every cached series bucket, back to back
  std::size_t garbage_ = 0;    // bytes of `labels_` no longer referenced
  std::size_t live_ = 0;       // entries in use
  std::size_t seen_live_ = 0;  // entries seen by the current scrape
  uint32_t epoch_ = 0;
  PrometheusLabelSet label_set_;  // scratch of render_labels()
};

}  // namespace coretel::prometheus
