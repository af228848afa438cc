#include "metric_rows.h"

#include <algorithm>

namespace coretel::otlp {

void rows_of(std::span<const MetricsViewPtr> views, std::vector<Row>& rows) {
  rows.clear();
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
}

void rows_of(const ExportTransaction& transaction, std::vector<Row>& rows) {
  rows.clear();
  rows.reserve(transaction.combinations().size());
  for (const ExportedCombination& c : transaction.combinations())
    rows.push_back({c.info, c.combination, c.words.data(), c.start_time_unix_nano,
                    transaction.time_unix_nano()});
}

void group_rows(std::span<const Row> rows, Scratch& scratch) {
  // Open addressing over (descriptor, entity), at most half full. A slot is taken when its epoch
  // is this encode's: moving to a new epoch empties the table without touching it.
  std::size_t capacity = 16;
  while (capacity < 2 * rows.size()) capacity *= 2;
  auto& table = scratch.table;
  if (table.size() < capacity || ++scratch.epoch == 0) {
    table.assign(std::max(capacity, table.size()), Scratch::Slot{nullptr, nullptr, 0, 0});
    scratch.epoch = 1;
  }
  capacity = table.size();
  const uint32_t epoch = scratch.epoch;
  auto& group_of = scratch.group_of;
  group_of.resize(rows.size());
  auto& begin = scratch.group_begin;  // counts first, then starts
  begin.assign(1, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const MetricsDescriptor* d = rows[r].info->descriptor;
    const Entity* e = rows[r].info->entity;
    uint64_t h = reinterpret_cast<uintptr_t>(d) * 0x9E3779B97F4A7C15ull ^
                 reinterpret_cast<uintptr_t>(e) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    std::size_t i = h & (capacity - 1);
    while (table[i].epoch == epoch && (table[i].descriptor != d || table[i].entity != e))
      i = (i + 1) & (capacity - 1);
    if (table[i].epoch != epoch) {
      table[i] = {d, e, static_cast<uint32_t>(begin.size() - 1), epoch};
      begin.push_back(0);
    }
    group_of[r] = table[i].group;
    ++begin[group_of[r] + 1];
  }
  for (std::size_t g = 1; g < begin.size(); ++g) begin[g] += begin[g - 1];
  scratch.next.assign(begin.begin(), begin.end() - 1);
  scratch.order.resize(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    scratch.order[scratch.next[group_of[r]]++] = static_cast<uint32_t>(r);
}

}  // namespace coretel::otlp
