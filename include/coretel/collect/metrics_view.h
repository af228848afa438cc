// metrics_view.h: MetricsView, an immutable published snapshot of cumulative values.
//
// Built by a collector after it merged new snapshots, then published as
// std::shared_ptr<const MetricsView>. Readers (scrapes, JSON, console) hold it as long as they
// like, from any thread; the collector never waits for them. Values are cumulative since each
// series' registration (deltas added up, current values as last reported). A view pins the
// series records it points at (SeriesPin, registry.h): they stay valid while it is held.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "coretel/collect/field_values.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/series.h"

namespace coretel {

struct SeriesView {
  /// observed_offset of a plain set: it has no observed flags (always observed).
  static constexpr uint32_t kAlwaysObserved = UINT32_MAX;
  const SeriesInfo* info;  ///< valid while the view is held (its pin)
  uint64_t last_update_unix_nano = 0;
  uint32_t words_offset = 0;     ///< into the view's words
  uint32_t observed_offset = 0;  ///< into the view's observed flags, or kAlwaysObserved
};

class MetricsView {
 public:
  MetricsView() = default;
  MetricsView(const MetricsView&) = delete;
  MetricsView& operator=(const MetricsView&) = delete;

  uint64_t time_unix_nano() const noexcept { return time_unix_nano_; }
  const std::vector<SeriesView>& series() const noexcept { return series_; }

  /// The words of one combination of a series (SeriesInfo::words_per_combination of them).
  const uint64_t* combination_words(const SeriesView& s, uint32_t combination) const noexcept {
    return words_.data() + s.words_offset +
           std::size_t{combination} * s.info->words_per_combination;
  }
  /// Whether the combination ever received a value. Always true for a plain (combination-less) set,
  /// which is exported from registration on; a MeasuredSet's combination appears once first
  /// recorded.
  bool observed(const SeriesView& s, uint32_t combination) const noexcept {
    return s.observed_offset == SeriesView::kAlwaysObserved ||
           observed_[s.observed_offset + combination] != 0;
  }
  /// The words of field `f` of a combination.
  const uint64_t* field_words(const SeriesView& s, uint32_t combination,
                              std::size_t f) const noexcept {
    return combination_words(s, combination) + s.info->field_offset(f);
  }

  /// What keeps the records of series() valid (registry.h).
  const SeriesPin& pin() const noexcept { return pin_; }

  /// Builder interface for collectors.
  void set_time(uint64_t t) noexcept { time_unix_nano_ = t; }
  /// Sets the pin that keeps the records of the series added valid: one taken from their
  /// registry before any of them could be retired (another view's pin will do).
  void set_pin(SeriesPin pin) noexcept { pin_ = std::move(pin); }
  void reserve(std::size_t series, std::size_t words, std::size_t combinations);
  /// Appends a series with its combination words and observed flags (copied; those of a plain
  /// set are ignored: it is always observed). Throws std::length_error beyond 2^32 words or flags
  /// in one view.
  void add(const SeriesInfo& info, uint64_t last_update, std::span<const uint64_t> words,
           std::span<const uint8_t> observed);

 private:
  SeriesPin pin_;
  uint64_t time_unix_nano_ = 0;
  std::vector<SeriesView> series_;
  std::vector<uint64_t> words_;
  std::vector<uint8_t> observed_;
};

using MetricsViewPtr = std::shared_ptr<const MetricsView>;

}  // namespace coretel
