#include "observed_totals.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "coretel/collect/field_values.h"

namespace coretel::otlp {

namespace {
bool has_observed_total(const MetricsDescriptor& d) {
  return std::any_of(d.fields.begin(), d.fields.end(), [](const MetricsField& f) {
    return f.kind == InstrumentKind::kObserveCounter;
  });
}
}  // namespace

void ObservedTotals::to_deltas(std::vector<Row>& rows, std::vector<uint64_t>& storage) {
  staged_.clear();
  std::size_t words = 0;
  for (const Row& row : rows)
    if (has_observed_total(*row.info->descriptor)) words += row.info->words_per_combination;
  storage.resize(words);  // sized first: the rows point into it
  std::size_t used = 0;
  for (Row& row : rows) {
    const MetricsDescriptor& d = *row.info->descriptor;
    if (!has_observed_total(d)) continue;
    uint64_t* copy = storage.data() + used;
    std::memcpy(copy, row.words, row.info->words_per_combination * sizeof(uint64_t));
    used += row.info->words_per_combination;
    for (uint32_t f = 0; f < d.fields.size(); ++f) {
      const MetricsField& field = d.fields[f];
      if (field.kind != InstrumentKind::kObserveCounter) continue;
      uint64_t& word = copy[row.info->field_offset(f)];
      const Key key{row.info->serial, row.combination, f};
      const uint64_t total = word;
      staged_.emplace_back(key, total);
      const auto it = committed_.find(key);
      if (it == committed_.end()) continue;  // first export: the whole total
      if (field.value_type == ValueType::kF64) {
        const double now = word_to_double(total), before = word_to_double(it->second);
        word = to_word(now >= before ? now - before : now);  // below: the source was reset
      } else {
        word = total >= it->second ? total - it->second : total;
      }
    }
    row.words = copy;
  }
}

void ObservedTotals::commit() {
  for (const auto& [key, total] : staged_) committed_[key] = total;
  staged_.clear();
}

void ObservedTotals::prune(const SeriesRegistry& registry) {
  if (committed_.empty()) return;
  const SeriesRegistry::LiveSeries live = registry.live_series();
  std::unordered_set<uint64_t> serials;
  serials.reserve(live.series.size());
  for (const SeriesInfo* s : live.series) serials.insert(s->serial);
  std::erase_if(committed_,
                [&](const auto& entry) { return !serials.contains(entry.first.serial); });
}

}  // namespace coretel::otlp
