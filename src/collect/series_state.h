// series_state.h (internal): what a Collector keeps per series, packed into one block.
//
// One block per series, from the collector's BlockPool (block_pool.h): this header, then the
// cumulative words, then per delta consumer its delta words and window starts, then the byte
// flags (observed per combination, for a measured set only: a plain set is observed from
// registration on; per consumer dirty and in-flight per combination). A one-counter series with
// no delta consumer is one 32-byte block (24 of header, one word), with no malloc header; before
// it was packed it was three heap blocks (a SeriesState with three vectors) of 136 bytes
// requested. Whatever only a retiring series needs is kept beside, in Collector::retiring_.
//
// Owned by its Collector (Collector::series_); read and written under the collector's rules
// (collector.h: the collecting thread, and delta_mutex_ for the delta parts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "block_pool.h"
#include "coretel/collect/collector.h"
#include "coretel/collect/series.h"

namespace coretel::detail {

/// The delta accumulator of one export consumer for one series: spans into the series' block.
struct DeltaState {
  std::span<uint64_t> words;         // combinations x words_per_combination
  std::span<uint64_t> window_start;  // per combination
  std::span<uint8_t> dirty;          // per combination
  std::span<uint8_t> in_flight;      // per combination
};

class SeriesState {
 public:
  /// Allocates the block for `info` with `consumers` delta accumulators from `pool`; every word
  /// and flag is zero. Throws std::bad_alloc.
  static SeriesState* create(BlockPool& pool, const SeriesInfo& info, uint32_t consumers);
  /// Destroys a block made by create() and gives it back to the same `pool`.
  static void destroy(BlockPool& pool, SeriesState* state) noexcept;

  const SeriesInfo* info() const noexcept { return info_; }
  /// combinations x words_per_combination, never reset.
  std::span<uint64_t> cumulative() noexcept { return {words(), combination_words()}; }
  /// Per combination: whether it ever received a value. Empty for a plain set, which is
  /// observed from registration on (MetricsView::add keeps no flags for it either).
  std::span<const uint8_t> observed() noexcept {
    if (!measured()) return {};
    return {flags(), combinations()};
  }
  /// Records that combination `b` received a value.
  void mark_observed(uint32_t b) noexcept {
    if (measured()) flags()[b] = 1;
  }
  DeltaState delta(uint32_t consumer) noexcept;

 private:
  const SeriesInfo* info_;  // the registry's record, valid while this state exists

 public:
  // 24 bytes of header: it is kept once per series.
  uint64_t last_update = 0;

 private:
  uint32_t consumers_;

  explicit SeriesState(const SeriesInfo& info, uint32_t consumers) noexcept
      : info_(&info), consumers_(consumers) {}
  // A measured set (measurement attributes) keeps observed flags; a plain set needs none.
  bool measured() const noexcept { return !info_->measurement.empty(); }
  static std::size_t observed_flags(const SeriesInfo& info) noexcept {
    return info.measurement.empty() ? 0 : info.combination_count;
  }
  std::size_t combinations() const noexcept { return info_->combination_count; }
  std::size_t combination_words() const noexcept {
    return std::size_t{info_->combination_count} * info_->words_per_combination;
  }
  static std::size_t word_count(const SeriesInfo& info, uint32_t consumers) noexcept;
  static std::size_t flag_count(const SeriesInfo& info, uint32_t consumers) noexcept;
  static std::size_t block_bytes(const SeriesInfo& info, uint32_t consumers) noexcept;
  uint64_t* words() noexcept { return reinterpret_cast<uint64_t*>(this + 1); }
  uint8_t* flags() noexcept {
    return reinterpret_cast<uint8_t*>(words() + word_count(*info_, consumers_));
  }
};

}  // namespace coretel::detail
