#include "coretel/collect/metrics_view.h"

namespace coretel {

void MetricsView::reserve(std::size_t series, std::size_t words, std::size_t combinations) {
  series_.reserve(series);
  words_.reserve(words);
  observed_.reserve(combinations);
}

void MetricsView::add(std::shared_ptr<const SeriesInfo> info, uint64_t last_update,
                      std::span<const uint64_t> words, std::span<const uint8_t> observed) {
  series_.push_back(SeriesView{std::move(info), last_update, words_.size(), observed_.size()});
  words_.insert(words_.end(), words.begin(), words.end());
  observed_.insert(observed_.end(), observed.begin(), observed.end());
}

}  // namespace coretel
