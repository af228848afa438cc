// prometheus_label_cache.h (internal): the series label cache of the text exposition renderer
// (prometheus_text.cc). Keeps, across scrapes, the label text of every exported series bucket
// (`otel_scope_name="...",k="v"`, without braces; rules: prometheus_naming.h), back to back in
// one string (the slab), so that a scrape writes each sample from cached text. The leading scope
// label, the same for every series of a descriptor, is left out of the cached text and written
// from the descriptor's sample heads instead (kFullLabels, prometheus_families.h); a series
// whose text does not start with it (colliding keys) keeps its full text.
//
// One 16-byte slot per SeriesId, holding the SeriesInfo::serial it was written for (unique in
// the process: ids are reused, serials never) and the span of its text; a series whose serial
// differs from its id's slot is written afresh. The cache never points at a SeriesInfo. A
// plain set's labels are written when its slot is; a measured set's slot points at one span per
// bucket (in `buckets_`), each written when a scrape first sees the bucket observed. Slots a
// scrape did not see are freed at its end (end_scrape()), and the text and bucket spans are
// compacted once half of them is unused. Views of two pipelines rendered together may share
// ids: their series then take turns in the slot (correct, only rewritten more often).
//
// Memory per cached series: its slot (the slots grow by a quarter when full, up to the largest
// id), a bit of the scrape's seen set, its label text (less the scope label; the text grows by a
// quarter), and for a measured set 8 bytes per bucket. Label text is indexed by 32-bit offsets:
// the text of all cached buckets is limited to 4 GiB, one bucket's to 1 GiB
// (std::length_error beyond).
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
  static constexpr uint32_t kUnrendered = UINT32_MAX;

  /// Label text of one series bucket: text()[begin, begin + (len & ~kFullLabels)), without the
  /// scope label unless len has kFullLabels (Row::label_len).
  struct LabelSpan {
    uint32_t begin = 0;
    uint32_t len = kUnrendered;
  };
  /// The cached labels of one series (16 bytes, by SeriesId).
  struct Slot {
    uint64_t serial = 0;  // SeriesInfo::serial; 0 for a free slot
    // A plain set: the labels of bucket 0. A measured set: begin indexes buckets_, len is
    // kMeasured | its bucket count.
    LabelSpan span;
    bool measured() const noexcept { return (span.len & kMeasured) != 0; }
    uint32_t bucket_count() const noexcept { return measured() ? span.len & ~kMeasured : 1; }
  };

  LabelCache() = default;
  LabelCache(const LabelCache&) = delete;
  LabelCache& operator=(const LabelCache&) = delete;

  /// Whether series `info` is a measured set (one span per bucket) rather than a plain one.
  static bool measured(const SeriesInfo& info) { return info.combination_count > 1; }

  /// Starts a scrape: slots not seen() before end_scrape() are freed then.
  void begin_scrape();
  /// The slot of series `info`, written if new (a plain set's labels then; `families` is its
  /// descriptor's), and marked seen by this scrape. Valid until the next see().
  Slot& see(const SeriesInfo& info, const DescriptorFamilies& families) {
    const SeriesId id = info.id;
    if (id >= slots_.size() || slots_[id].serial != info.serial) write_slot(info, families);
    uint64_t& word = seen_[id / 64];
    const uint64_t bit = uint64_t{1} << (id % 64);
    seen_live_ += (word & bit) == 0;
    word |= bit;
    return slots_[id];
  }
  /// The labels of bucket `bucket` of measured series `info`, whose slot see() returned;
  /// written on first call.
  LabelSpan bucket_labels(const Slot& slot, const SeriesInfo& info, uint32_t bucket,
                          const DescriptorFamilies& families) {
    LabelSpan& span = buckets_[slot.span.begin + bucket];
    if (span.len == kUnrendered) span = render_labels(info, bucket, families.scope_labels);
    return span;
  }
  /// The label text the spans index; valid until the next see(), bucket_labels() or end_scrape().
  const char* text() const { return labels_.data(); }
  /// Ends a scrape: frees the slots it did not see (their series were retired) and compacts the
  /// cache once half of it is unused, so that its memory tracks the live series.
  void end_scrape();

 private:
  static constexpr uint32_t kMeasured = 0x40000000u;  // in Slot::span.len
  // Makes slot info.id that of `info` (growing the slots, freeing the slot's previous series)
  // and writes a plain set's labels.
  void write_slot(const SeriesInfo& info, const DescriptorFamilies& families);
  LabelSpan render_labels(const SeriesInfo& info, uint32_t bucket, std::string_view scope);
  // Frees a slot's text and bucket spans (garbage until compaction).
  void release(Slot& slot);
  void compact();

  std::vector<Slot> slots_;         // by SeriesId
  std::vector<uint64_t> seen_;      // by SeriesId: bit set when the current scrape saw it
  std::vector<LabelSpan> buckets_;  // measured sets' bucket spans, back to back
  std::string labels_;              // label text of every cached series bucket, back to back
  std::size_t garbage_ = 0;         // bytes of `labels_` no longer referenced
  std::size_t bucket_garbage_ = 0;  // entries of `buckets_` no longer referenced
  std::size_t live_ = 0;            // slots in use
  std::size_t seen_live_ = 0;       // slots seen by the current scrape
  PrometheusLabelSet label_set_;    // scratch of render_labels()
};

}  // namespace coretel::prometheus
