#include "coretel/collect/registry.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "coretel/collect/clock.h"
#include "id_table.h"
#include "slot_table.h"

namespace coretel {

namespace {
std::size_t mix(std::size_t seed, std::size_t h) noexcept {
  return seed ^ (h + 0x9e3779b97f4a7c15u + (seed << 6) + (seed >> 2));
}
std::size_t hash_attributes(const Attributes& attributes) noexcept {
  std::size_t h = attributes.size();
  for (const AttributeRef& a : attributes) {
    h = mix(h, std::hash<std::string_view>{}(a.key));
    h = mix(h, std::hash<AttributeValueRef::variant>{}(a.value));
  }
  return h;
}
// What makes two series export the same label sets: metric set, entity, registration attributes
// and measurement keys.
std::size_t identity_hash_of(const SeriesInfo& s) noexcept {
  std::size_t h = std::hash<const void*>{}(s.descriptor);
  h = mix(h, std::hash<uint64_t>{}(s.entity->id));
  h = mix(h, hash_attributes(*s.registration));
  for (const auto& m : s.measurement) h = mix(h, std::hash<std::string_view>{}(m.key));
  return h;
}
bool same_identity(const SeriesInfo& a, const SeriesInfo& b) noexcept {
  return a.descriptor == b.descriptor && a.entity->id == b.entity->id &&
         *a.registration == *b.registration &&
         std::equal(a.measurement.begin(), a.measurement.end(), b.measurement.begin(),
                    b.measurement.end(),
                    [](const auto& x, const auto& y) { return x.key == y.key; });
}
// Makes room for one more element (doubling), so that the push_back that follows cannot throw.
template <class T>
void reserve_one(std::vector<T>& v) {
  if (v.size() == v.capacity()) v.reserve(std::max<std::size_t>(16, v.capacity() * 2));
}
// Serials are unique in the process, across registries (SeriesInfo::serial).
std::atomic<uint64_t> next_serial{1};
}  // namespace

// An entity with the number of series records that point at it.
struct RegisteredEntity : Entity {
  uint32_t refs = 0;  // guarded by the registry's mutex; 0 for a free slot
  uint32_t slot = 0;  // in State::entities
};

// What a series without registration attributes points at.
const Attributes kNoAttributes;

struct SeriesRegistry::State {
  enum Status : uint8_t { kFree, kLive, kUnregistered, kRetired };

  mutable std::mutex mutex;
  // The records in place (src/collect/slot_table.h): series by id, entities by slot.
  detail::SlotTable<SeriesInfo> series;
  std::vector<uint8_t> status;  // by id
  std::size_t live = 0;         // kLive or kUnregistered
  detail::SlotTable<RegisteredEntity> entities;
  uint64_t next_entity_id = 1;
  std::map<uint32_t, Inbox> inboxes;
  // Hash indexes over the records (src/collect/id_table.h: 4-byte slots, where
  // std::unordered_set took a 32-byte node and a bucket per entry): entities by their
  // attributes, and registered series by what makes two of them export the same label sets
  // (metric set, entity, registration attributes and measurement keys).
  detail::IdTable entity_index;
  detail::IdTable identity_index;
  // What pin() hands out; retire() chains a new one after it (Generation).
  std::shared_ptr<Generation> current;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    for (SeriesId id = 0; id < series.size(); ++id) delete_registration(series[id]);
  }

  SeriesInfo& record(SeriesId id) noexcept { return series[id]; }
  SeriesId take_id();
  std::size_t entity_hash(uint32_t slot) const noexcept {
    return hash_attributes(entities[slot].attributes);
  }
  // Frees a record's registration attributes (none, or kNoAttributes, are fine).
  static void delete_registration(SeriesInfo& info) noexcept {
    if (info.registration != &kNoAttributes) delete info.registration;
    info.registration = nullptr;
  }
  std::size_t identity_hash(SeriesId id) noexcept { return identity_hash_of(record(id)); }
  void erase_identity(SeriesId id) noexcept {
    identity_index.erase(id, identity_hash(id), [this](SeriesId i) { return identity_hash(i); });
  }
  // Frees a retired record: its id becomes free, its entity loses a reference.
  void free_record(SeriesId id) noexcept;
  // Drops a reference to `entity`, freeing it with the last one.
  void drop_entity(RegisteredEntity* entity) noexcept;
};

// What a pin holds. Generations form a chain from older to newer (`next`), so holding one keeps
// every later one alive: the ids retired into a generation are freed when it dies, which is
// after every pin taken before their retirement is gone.
struct SeriesRegistry::Generation {
  std::shared_ptr<State> state;
  std::shared_ptr<Generation> next;  // set once, under the state's mutex, while current
  std::vector<SeriesId> retired;
  explicit Generation(std::shared_ptr<State> s) : state(std::move(s)) {}
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;
  ~Generation();
};

SeriesRegistry::Generation::~Generation() {
  // `retired` and `next` were written under the state's mutex: read them under it too.
  std::shared_ptr<Generation> n;
  {
    std::lock_guard lock(state->mutex);
    for (SeriesId id : retired) state->free_record(id);
    n = std::move(next);
  }
  // Unwinds the chain in a loop rather than by recursion: many generations may go at once when
  // an old pin is dropped. A generation whose only owner is `n` is unreachable by anyone else
  // (a pin is only ever copied from the current one, which the state also owns).
  while (n != nullptr && n.use_count() == 1) {
    std::shared_ptr<Generation> after;
    {
      std::lock_guard lock(n->state->mutex);
      after = std::move(n->next);
    }
    n.reset();  // frees its ids; its `next` is empty, so no recursion
    n = std::move(after);
  }
}

SeriesId SeriesRegistry::State::take_id() {
  reserve_one(status);
  const SeriesId id = series.take();
  if (id == status.size()) status.push_back(kFree);
  return id;
}

void SeriesRegistry::State::free_record(SeriesId id) noexcept {
  SeriesInfo& r = record(id);
  // Every entity of a series was made by register_series() as a RegisteredEntity.
  auto* entity = const_cast<RegisteredEntity*>(static_cast<const RegisteredEntity*>(r.entity));
  delete_registration(r);
  series.give_back(id);
  status[id] = kFree;
  drop_entity(entity);
}

void SeriesRegistry::State::drop_entity(RegisteredEntity* entity) noexcept {
  if (--entity->refs != 0) return;
  const uint32_t slot = entity->slot;
  entity_index.erase(slot, entity_hash(slot), [this](uint32_t s) { return entity_hash(s); });
  entities.give_back(slot);
}

SeriesRegistry::SeriesRegistry() : state_(std::make_shared<State>()) {
  state_->current = std::make_shared<Generation>(state_);
}

SeriesRegistry::~SeriesRegistry() {
  std::shared_ptr<Generation> current;
  {
    std::lock_guard lock(state_->mutex);
    current = std::move(state_->current);  // breaks the State -> Generation -> State cycle
  }
}

const SeriesInfo* SeriesRegistry::register_series(
    const MetricsDescriptor& descriptor, Attributes entity, Attributes registration,
    std::span<const MeasurementAttributeDescriptor> measurement, uint32_t collector_index) {
  for (const auto& m : measurement) {
    if (entity.find(m.key) || registration.find(m.key))
      throw std::invalid_argument(
          fmt::format("metric set '{}': measurement attribute '{}' is also an entity or "
                      "registration attribute",
                      descriptor.name, m.key));
  }
  for (const auto& r : registration) {
    if (entity.find(r.key))
      throw std::invalid_argument(
          fmt::format("metric set '{}': registration attribute '{}' is also an entity attribute",
                      descriptor.name, r.key));
  }

  SeriesInfo info;
  info.descriptor = &descriptor;
  info.measurement = measurement;  // static storage: MeasuredSet::kAttributes
  info.combination_count = 1;
  for (const auto& m : measurement)
    info.combination_count *= static_cast<uint32_t>(m.values.size());
  info.words_per_combination = descriptor.total_words();
  info.start_time_unix_nano = unix_nano_now();
  info.collector_index = collector_index;

  State& st = *state_;
  std::lock_guard lock(st.mutex);
  auto entity_hash_of = [&st](uint32_t slot) { return st.entity_hash(slot); };
  const std::size_t hash = hash_attributes(entity);
  const uint32_t slot =
      st.entity_index.find(hash, [&](uint32_t s) { return st.entities[s].attributes == entity; });
  RegisteredEntity* registered;
  info.registration = &registration;  // for the identity check; owned copy below
  if (slot != detail::IdTable::kEmpty) {
    registered = &st.entities[slot];
    info.entity = registered;
    const std::size_t identity = identity_hash_of(info);
    if (st.identity_index.find(identity, [&](SeriesId id) {
          return same_identity(st.record(id), info);
        }) != detail::IdTable::kEmpty) {
      std::string attributes;
      for (const auto& a : entity) attributes += fmt::format(" {}={}", a.key, to_string(a.value));
      throw std::invalid_argument(fmt::format(
          "metric set '{}' is already registered for entity{{{} }} with the same registration "
          "attributes",
          descriptor.name, attributes));
    }
  } else {
    // Room first, so that nothing below can throw once the entity is in the tables.
    st.entity_index.reserve_one(entity_hash_of);
    const uint32_t created = st.entities.take();
    registered = &st.entities[created];
    registered->id = st.next_entity_id++;
    registered->attributes = std::move(entity);
    registered->slot = created;
    st.entity_index.insert(created, hash, entity_hash_of);
    info.entity = registered;
  }
  ++registered->refs;

  // Room for everything below first: past this point nothing throws.
  SeriesId id;
  try {
    reserve_one(st.inboxes[collector_index].added);
    st.identity_index.reserve_one([&st](SeriesId i) { return st.identity_hash(i); });
    info.registration =
        registration.empty() ? &kNoAttributes : new Attributes(std::move(registration));
    id = st.take_id();
  } catch (...) {
    if (info.registration != &registration) State::delete_registration(info);
    st.drop_entity(registered);
    throw;
  }
  info.id = id;
  info.serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  SeriesInfo& record = st.record(id);
  record = std::move(info);
  st.status[id] = State::kLive;
  ++st.live;
  st.identity_index.insert(id, identity_hash_of(record),
                           [&st](SeriesId i) { return st.identity_hash(i); });
  st.inboxes[collector_index].added.push_back(&record);
  return &record;
}

void SeriesRegistry::unregister(TerminalSnapshot last) {
  State& st = *state_;
  std::lock_guard lock(st.mutex);
  if (last.series >= st.status.size() || st.status[last.series] != State::kLive) return;
  st.erase_identity(last.series);
  st.status[last.series] = State::kUnregistered;
  const uint32_t collector = st.record(last.series).collector_index;
  st.inboxes[collector].terminals.push_back(std::move(last));
}

SeriesRegistry::Inbox SeriesRegistry::take_inbox(uint32_t collector_index) {
  State& st = *state_;
  std::lock_guard lock(st.mutex);
  auto it = st.inboxes.find(collector_index);
  if (it == st.inboxes.end()) return {};
  return std::exchange(it->second, Inbox{});
}

void SeriesRegistry::retire(std::span<const SeriesId> ids) {
  if (ids.empty()) return;
  State& st = *state_;
  auto fresh = std::make_shared<Generation>(state_);
  std::shared_ptr<Generation> previous;
  {
    std::lock_guard lock(st.mutex);
    previous = st.current;
    previous->retired.reserve(previous->retired.size() + ids.size());
    for (SeriesId id : ids) {
      if (id >= st.status.size()) continue;
      const uint8_t status = st.status[id];
      if (status == State::kFree || status == State::kRetired) continue;
      if (status == State::kLive) st.erase_identity(id);
      st.status[id] = State::kRetired;
      --st.live;
      previous->retired.push_back(id);
    }
    previous->next = fresh;
    st.current = std::move(fresh);
  }
  // Outside the lock: when nothing pins it, `previous` goes here and frees its ids (which locks).
}

SeriesPin SeriesRegistry::pin() const {
  std::lock_guard lock(state_->mutex);
  return state_->current;
}

SeriesRegistry::LiveSeries SeriesRegistry::live_series() const {
  State& st = *state_;
  LiveSeries live;
  std::lock_guard lock(st.mutex);
  live.pin = st.current;
  live.series.reserve(st.live);
  for (SeriesId id = 0; id < st.status.size(); ++id)
    if (st.status[id] == State::kLive || st.status[id] == State::kUnregistered)
      live.series.push_back(&st.record(id));
  return live;
}

std::size_t SeriesRegistry::live_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->live;
}

}  // namespace coretel
