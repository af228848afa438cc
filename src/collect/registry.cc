#include "coretel/collect/registry.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "coretel/collect/clock.h"

namespace coretel {

std::shared_ptr<const SeriesInfo> SeriesRegistry::register_series(
    const MetricsDescriptor& descriptor, Attributes entity, Attributes registration,
    std::span<const MeasurementAttributeDescriptor> measurement, uint32_t collector_index) {
  for (const auto& m : measurement) {
    if (entity.find(m.key) != nullptr || registration.find(m.key) != nullptr)
      throw std::invalid_argument(
          fmt::format("metric set '{}': measurement attribute '{}' is also an entity or "
                      "registration attribute",
                      descriptor.name, m.key));
  }
  for (const auto& r : registration) {
    if (entity.find(r.key) != nullptr)
      throw std::invalid_argument(
          fmt::format("metric set '{}': registration attribute '{}' is also an entity attribute",
                      descriptor.name, r.key));
  }

  auto info = std::make_shared<SeriesInfo>();
  info->descriptor = &descriptor;
  info->registration = std::move(registration);
  info->measurement = measurement;  // static storage: MeasuredSet::kAttributes
  info->combination_count = 1;
  for (const auto& m : measurement)
    info->combination_count *= static_cast<uint32_t>(m.values.size());
  info->words_per_combination = descriptor.total_words();
  info->start_time_unix_nano = unix_nano_now();
  info->collector_index = collector_index;

  std::lock_guard lock(mutex_);
  auto existing = entities_.find(&entity);
  if (existing != entities_.end() &&
      identities_.count(Identity{info.get(), existing->second.entity->id}) != 0) {
    std::string attributes;
    for (const auto& a : entity) attributes += fmt::format(" {}={}", a.key, to_string(a.value));
    throw std::invalid_argument(fmt::format(
        "metric set '{}' is already registered for entity{{{} }} with the same registration "
        "attributes",
        descriptor.name, attributes));
  }
  if (existing == entities_.end()) {
    auto created = std::make_shared<const Entity>(Entity{next_entity_id_++, std::move(entity)});
    existing = entities_.emplace(&created->attributes, EntityEntry{created, 0}).first;
  }
  ++existing->second.refs;
  info->entity = existing->second.entity;

  if (!free_ids_.empty()) {
    info->id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    info->id = static_cast<SeriesId>(series_.size());
    series_.emplace_back();
  }
  std::shared_ptr<const SeriesInfo> shared = std::move(info);
  series_[shared->id] = shared;
  identities_.insert(Identity{shared.get(), shared->entity->id});
  inboxes_[collector_index].added.push_back(shared);
  return shared;
}

bool SeriesRegistry::IdentityLess::operator()(const Identity& a, const Identity& b) const {
  if (a.info->descriptor != b.info->descriptor)
    return std::less<>{}(a.info->descriptor, b.info->descriptor);
  if (a.entity != b.entity) return a.entity < b.entity;
  if (a.info->registration < b.info->registration) return true;
  if (b.info->registration < a.info->registration) return false;
  return std::lexicographical_compare(a.info->measurement.begin(), a.info->measurement.end(),
                                      b.info->measurement.begin(), b.info->measurement.end(),
                                      [](const auto& x, const auto& y) { return x.key < y.key; });
}

void SeriesRegistry::unregister(TerminalSnapshot last) {
  std::lock_guard lock(mutex_);
  if (last.series >= series_.size() || series_[last.series] == nullptr) return;
  const SeriesInfo& info = *series_[last.series];
  identities_.erase(Identity{&info, info.entity->id});
  uint32_t collector = info.collector_index;
  inboxes_[collector].terminals.push_back(std::move(last));
}

SeriesRegistry::Inbox SeriesRegistry::take_inbox(uint32_t collector_index) {
  std::lock_guard lock(mutex_);
  auto it = inboxes_.find(collector_index);
  if (it == inboxes_.end()) return {};
  return std::exchange(it->second, Inbox{});
}

void SeriesRegistry::release(SeriesId id) {
  std::lock_guard lock(mutex_);
  if (id >= series_.size() || series_[id] == nullptr) return;
  auto entity = series_[id]->entity;
  series_[id] = nullptr;
  free_ids_.push_back(id);
  auto it = entities_.find(&entity->attributes);
  if (it != entities_.end() && --it->second.refs == 0) entities_.erase(it);
}

std::vector<std::shared_ptr<const SeriesInfo>> SeriesRegistry::live_series() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const SeriesInfo>> live;
  for (const auto& s : series_)
    if (s != nullptr) live.push_back(s);
  return live;
}

std::size_t SeriesRegistry::live_count() const {
  std::lock_guard lock(mutex_);
  return series_.size() - free_ids_.size();
}

}  // namespace coretel
