#include "metric_rows.h"

namespace coretel::otlp {

std::vector<Row> rows_of(std::span<const MetricsViewPtr> views) {
  std::vector<Row> rows;
  for (const MetricsViewPtr& view : views) {
    if (!view) continue;
    for (const SeriesView& s : view->series()) {
      for (uint32_t c = 0; c < s.info->combination_count; ++c) {
        if (!view->observed(s, c)) continue;
        rows.push_back({s.info, c, view->combination_words(s, c), s.info->start_time_unix_nano,
                        view->time_unix_nano()});
      }
    }
  }
  return rows;
}

std::vector<Row> rows_of(const ExportTransaction& transaction) {
  std::vector<Row> rows;
  rows.reserve(transaction.combinations().size());
  for (const ExportedCombination& c : transaction.combinations())
    rows.push_back({c.info, c.combination, c.words.data(), c.start_time_unix_nano,
                    transaction.time_unix_nano()});
  return rows;
}

}  // namespace coretel::otlp
