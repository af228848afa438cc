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
  if (existing != entities_.end()) {
    // Live series own it (SeriesInfo::entity), so a share of it can be had while refs > 0.
    info->entity = (*existing)->shared_from_this();
    if (identities_.count(info.get()) != 0) {
      std::string attributes;
      for (const auto& a : entity) attributes += fmt::format(" {}={}", a.key, to_string(a.value));
      throw std::invalid_argument(fmt::format(
          "metric set '{}' is already registered for entity{{{} }} with the same registration "
          "attributes",
          descriptor.name, attributes));
    }
  } else {
    auto created = std::make_shared<RegisteredEntity>();
    created->id = next_entity_id_++;
    created->attributes = std::move(entity);
    existing = entities_.insert(created.get()).first;
    info->entity = std::move(created);
  }
  ++(*existing)->refs;

  if (!free_ids_.empty()) {
    info->id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    info->id = static_cast<SeriesId>(series_.size());
    series_.emplace_back();
  }
  std::shared_ptr<const SeriesInfo> shared = std::move(info);
  series_[shared->id] = shared;
  identities_.insert(shared.get());
  inboxes_[collector_index].added.push_back(shared);
  return shared;
}

namespace {
std::size_t mix(std::size_t seed, std::size_t h) noexcept {
  return seed ^ (h + 0x9e3779b97f4a7c15u + (seed << 6) + (seed >> 2));
}
std::size_t hash_attributes(const Attributes& attributes) noexcept {
  std::size_t h = attributes.size();
  for (const Attribute& a : attributes) {
    h = mix(h, std::hash<std::string>{}(a.key));
    h = mix(h, std::hash<AttributeValue>{}(a.value));
  }
  return h;
}
}  // namespace

std::size_t SeriesRegistry::EntityHash::operator()(const Attributes* a) const noexcept {
  return hash_attributes(*a);
}

std::size_t SeriesRegistry::IdentityHash::operator()(const SeriesInfo* s) const noexcept {
  std::size_t h = std::hash<const void*>{}(s->descriptor);
  h = mix(h, std::hash<uint64_t>{}(s->entity->id));
  h = mix(h, hash_attributes(s->registration));
  for (const auto& m : s->measurement) h = mix(h, std::hash<std::string_view>{}(m.key));
  return h;
}

bool SeriesRegistry::IdentityEq::operator()(const SeriesInfo* a,
                                            const SeriesInfo* b) const noexcept {
  return a->descriptor == b->descriptor && a->entity->id == b->entity->id &&
         a->registration == b->registration &&
         std::equal(a->measurement.begin(), a->measurement.end(), b->measurement.begin(),
                    b->measurement.end(),
                    [](const auto& x, const auto& y) { return x.key == y.key; });
}

void SeriesRegistry::unregister(TerminalSnapshot last) {
  std::lock_guard lock(mutex_);
  if (last.series >= series_.size() || series_[last.series] == nullptr) return;
  const SeriesInfo& info = *series_[last.series];
  identities_.erase(&info);
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
  std::shared_ptr<const Entity> entity = series_[id]->entity;  // alive through the erase
  series_[id] = nullptr;
  free_ids_.push_back(id);
  auto it = entities_.find(&entity->attributes);
  if (it != entities_.end() && --(*it)->refs == 0) entities_.erase(it);
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
