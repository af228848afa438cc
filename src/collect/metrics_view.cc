#include "coretel/collect/metrics_view.h"

#include <cstdint>
#include <stdexcept>

namespace coretel {

void MetricsView::reserve(std::size_t series, std::size_t words, std::size_t combinations) {
  series_.reserve(series);
  words_.reserve(words);
  observed_.reserve(combinations);
}

void MetricsView::add(const SeriesInfo& info, uint64_t last_update, std::span<const uint64_t> words,
                      std::span<const uint8_t> observed) {
  const bool plain = info.measurement.empty();  // always observed: no flags to keep
  if (plain) observed = {};
  if (words_.size() + words.size() > UINT32_MAX ||
      observed_.size() + observed.size() >= SeriesView::kAlwaysObserved)
    throw std::length_error("coretel: a metrics view holds at most 2^32 words");
  series_.push_back(
      SeriesView{&info, last_update, static_cast<uint32_t>(words_.size()),
                 plain ? SeriesView::kAlwaysObserved : static_cast<uint32_t>(observed_.size())});
  words_.insert(words_.end(), words.begin(), words.end());
  observed_.insert(observed_.end(), observed.begin(), observed.end());
}

}  // namespace coretel
