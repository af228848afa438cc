#include "coretel/collect/registry.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "coretel/collect/clock.h"
#include "id_table.h"

namespace coretel {

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
// What makes two series export the same label sets: metric set, entity, registration attributes
// and measurement keys.
std::size_t identity_hash_of(const SeriesInfo& s) noexcept {
  std::size_t h = std::hash<const void*>{}(s.descriptor);
  h = mix(h, std::hash<uint64_t>{}(s.entity->id));
  h = mix(h, hash_attributes(s.registration));
  for (const auto& m : s.measurement) h = mix(h, std::hash<std::string_view>{}(m.key));
  return h;
}
bool same_identity(const SeriesInfo& a, const SeriesInfo& b) noexcept {
  return a.descriptor == b.descriptor && a.entity->id == b.entity->id &&
         a.registration == b.registration &&
         std::equal(a.measurement.begin(), a.measurement.end(), b.measurement.begin(),
                    b.measurement.end(),
                    [](const auto& x, const auto& y) { return x.key == y.key; });
}
// A free slot of `slots` (by id): the last one freed, else a new one at the end.
template <class T>
uint32_t take_slot(std::vector<T>& slots, std::vector<uint32_t>& free) {
  if (!free.empty()) {
    const uint32_t slot = free.back();
    free.pop_back();
    return slot;
  }
  slots.emplace_back();
  return static_cast<uint32_t>(slots.size() - 1);
}
}  // namespace

struct SeriesRegistry::Indexes {
  detail::IdTable entities;    // entity slots, by attributes
  detail::IdTable identities;  // live series ids, by identity
};

SeriesRegistry::SeriesRegistry() : indexes_(std::make_unique<Indexes>()) {}
SeriesRegistry::~SeriesRegistry() = default;

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
  detail::IdTable& entity_index = indexes_->entities;
  detail::IdTable& identity_index = indexes_->identities;
  auto entity_hash_of = [this](uint32_t slot) { return entity_hash(slot); };
  const std::size_t hash = hash_attributes(entity);
  const uint32_t slot =
      entity_index.find(hash, [&](uint32_t s) { return entities_[s]->attributes == entity; });
  RegisteredEntity* registered;
  if (slot != detail::IdTable::kEmpty) {
    registered = entities_[slot];
    // Live series own it (SeriesInfo::entity), so a share of it can be had while refs > 0.
    info->entity = registered->shared_from_this();
    const std::size_t identity = identity_hash_of(*info);
    if (identity_index.find(identity, [&](SeriesId id) {
          return same_identity(*series_[id], *info);
        }) != detail::IdTable::kEmpty) {
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
    created->slot = take_slot(entities_, free_entity_slots_);
    entities_[created->slot] = created.get();
    entity_index.insert(created->slot, hash, entity_hash_of);
    registered = created.get();
    info->entity = std::move(created);
  }
  ++registered->refs;

  info->id = take_slot(series_, free_ids_);
  std::shared_ptr<const SeriesInfo> shared = std::move(info);
  series_[shared->id] = shared;
  identity_index.insert(shared->id, identity_hash_of(*shared),
                        [this](SeriesId id) { return identity_hash(id); });
  inboxes_[collector_index].added.push_back(shared);
  return shared;
}

std::size_t SeriesRegistry::entity_hash(uint32_t slot) const noexcept {
  return hash_attributes(entities_[slot]->attributes);
}

std::size_t SeriesRegistry::identity_hash(SeriesId id) const noexcept {
  return identity_hash_of(*series_[id]);
}

void SeriesRegistry::unregister(TerminalSnapshot last) {
  std::lock_guard lock(mutex_);
  if (last.series >= series_.size() || series_[last.series] == nullptr) return;
  const SeriesInfo& info = *series_[last.series];
  indexes_->identities.erase(info.id, identity_hash_of(info),
                             [this](SeriesId id) { return identity_hash(id); });
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
  // Every entity of a series was made by register_series() as a RegisteredEntity.
  const uint32_t slot = static_cast<const RegisteredEntity&>(*entity).slot;
  if (--entities_[slot]->refs == 0) {
    indexes_->entities.erase(slot, entity_hash(slot),
                             [this](uint32_t s) { return entity_hash(s); });
    entities_[slot] = nullptr;
    free_entity_slots_.push_back(slot);
  }
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
