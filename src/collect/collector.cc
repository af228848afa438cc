#include "coretel/collect/collector.h"

#include <algorithm>
#include <condition_variable>

#include "block_pool.h"
#include "coretel/collect/clock.h"
#include "coretel/collect/field_values.h"
#include "coretel/collect/report_ring.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/collect/snapshot_message.h"
#include "coretel/collect/topology.h"
#include "coretel/events/provider.h"
#include "series_state.h"

namespace coretel {

struct Collector::EventDrops {
  using Set = telemetry::CoretelEventsByCoretelEventsAspectAndCoretelEventsDropReason;
  Registration<Set> set;

  // Every count of events::dropped_events(), observed.
  void observe() noexcept {
    for (std::size_t a = 0; a < events::kAspects; ++a)
      for (std::size_t r = 0; r < events::kDropReasons; ++r)
        set->with(static_cast<telemetry::CoretelEventsAspect>(a),
                  static_cast<telemetry::CoretelEventsDropReason>(r))
            .dropped.observe(events::dropped_events(static_cast<events::Aspect>(a),
                                                    static_cast<events::DropReason>(r)));
  }
};

// ---------------------------------------------------------------------------------------------
// ExportTransaction

ExportTransaction::ExportTransaction(ExportTransaction&& other) noexcept
    : combinations_(std::move(other.combinations_)),
      parts_(std::exchange(other.parts_, {})),
      pins_(std::move(other.pins_)),
      time_unix_nano_(other.time_unix_nano_),
      detached_(other.detached_) {}

ExportTransaction& ExportTransaction::operator=(ExportTransaction&& other) noexcept {
  if (this != &other) {
    rollback();
    combinations_ = std::move(other.combinations_);
    parts_ = std::exchange(other.parts_, {});
    pins_ = std::move(other.pins_);
    time_unix_nano_ = other.time_unix_nano_;
    detached_ = other.detached_;
  }
  return *this;
}

ExportTransaction::~ExportTransaction() {
  rollback();
}

void ExportTransaction::commit() noexcept {
  for (const Part& p : parts_) p.collector->commit(combinations_, p);
  parts_.clear();
}

void ExportTransaction::rollback() noexcept {
  for (const Part& p : parts_) p.collector->rollback(combinations_, p);
  parts_.clear();
}

void ExportTransaction::absorb(ExportTransaction&& other) {
  std::size_t base = combinations_.size();
  for (auto& b : other.combinations_) combinations_.push_back(std::move(b));
  for (Part p : other.parts_) {
    p.first += base;
    parts_.push_back(p);
  }
  for (SeriesPin& pin : other.pins_) pins_.push_back(std::move(pin));
  time_unix_nano_ = std::max(time_unix_nano_, other.time_unix_nano_);
  detached_ = detached_ || other.detached_;
  other.combinations_.clear();
  other.parts_.clear();
  other.pins_.clear();
}

// ---------------------------------------------------------------------------------------------
// Collector

Collector::Collector(SeriesRegistry& registry, uint32_t index, uint32_t delta_consumers,
                     CollectorOptions options)
    : registry_(registry),
      index_(index),
      delta_consumers_(delta_consumers),
      options_(options),
      consumers_(delta_consumers) {
  blocks_ = std::make_unique<detail::BlockPool>();
  auto ring = std::make_shared<ReportRing>(std::size_t{1} << 12);
  attach(ring);
  Attributes entity{
      {std::string(telemetry::attributes::kCoretelNumaNodeLogicalNumber), int64_t{index}}};
  // collect_once() may run on an engine thread (collect_now()): this reporter must not take
  // that thread's invalid-measurement counts, which belong to the engine's reporter.
  ReporterOptions self_options;
  self_options.take_invalid_measurements = false;
  self_reporter_ = std::make_unique<Reporter>(registry_, ring, index_, entity, self_options);
  self_ = self_reporter_->register_set<CollectorMetrics>(entity);
  if (index == 0) {  // process-wide: one collector reports them
    event_drops_ = std::make_unique<EventDrops>();
    event_drops_->set = self_reporter_->register_set<EventDrops::Set>({});
  }
  view_ = std::make_shared<const MetricsView>();
}

Collector::~Collector() {
  stop();
  for (detail::SeriesState* s : series_)
    if (s != nullptr) detail::SeriesState::destroy(*blocks_, s);
}

void Collector::attach(std::shared_ptr<ReportRing> ring) {
  std::lock_guard lock(rings_mutex_);
  rings_.push_back(std::move(ring));
}

detail::SeriesState* Collector::find(SeriesId id) {
  return id < series_.size() ? series_[id] : nullptr;
}

void Collector::take_registrations(std::vector<TerminalSnapshot>& terminals) {
  std::lock_guard lock(delta_mutex_);
  take_registrations_locked(terminals);
}

void Collector::take_registrations_locked(std::vector<TerminalSnapshot>& terminals) {
  SeriesRegistry::Inbox inbox = registry_.take_inbox(index_);
  for (const SeriesInfo* info : inbox.added) insert_series_locked(*info);
  for (auto& t : inbox.terminals) terminals.push_back(std::move(t));
  if (!inbox.added.empty()) view_dirty_ = true;
}

void Collector::insert_series_locked(const SeriesInfo& info) {
  const SeriesInfo& s = info;
  SeriesId id = s.id;
  if (id >= series_.size()) series_.resize(id + 1);  // first: a throw leaves nothing to undo
  detail::SeriesState* state = detail::SeriesState::create(*blocks_, info, delta_consumers_);
  std::span<uint64_t> cumulative = state->cumulative();
  for (uint32_t b = 0; b < s.combination_count; ++b)
    for (std::size_t f = 0; f < s.descriptor->fields.size(); ++f)
      reset_field(s.descriptor->fields[f],
                  cumulative.data() + std::size_t{b} * s.words_per_combination + s.field_offset(f));
  // A plain set is visible from registration on (its values start at zero: SeriesState::observed
  // is always true for it); a measured set's combinations appear once first recorded.
  state->last_update = s.start_time_unix_nano;
  for (uint32_t c = 0; c < delta_consumers_; ++c) {
    detail::DeltaState d = state->delta(c);
    std::ranges::copy(cumulative, d.words.begin());
    std::ranges::fill(d.window_start, s.start_time_unix_nano);
  }
  series_[id] = state;
  ++series_count_;
}

std::size_t Collector::merge_messages(const uint64_t* words, std::size_t count, uint64_t now) {
  std::size_t snapshots = 0, fields = 0;
  bool refreshed = false;
  std::lock_guard lock(delta_mutex_);
  std::size_t pos = 0;
  while (pos + kSnapshotHeaderWords <= count) {
    SnapshotHeader h = decode_snapshot_header(words[pos]);
    uint64_t timestamp = words[pos + 1];
    detail::SeriesState* s = find(h.series);
    if (s == nullptr && !refreshed) {
      // Registered after this cycle took its registrations: everything in this batch was
      // registered before it was pushed, so one more look at the registry finds it.
      refreshed = true;
      take_registrations_locked(deferred_terminals_);
      s = find(h.series);
    }
    if (s == nullptr || h.combination >= s->info()->combination_count) {
      // Without the descriptor the message length is unknown: the rest of this batch is lost.
      self_->unknown_series.inc();
      break;
    }
    const SeriesInfo& info = *s->info();
    const auto& fields_of = info.descriptor->fields;
    std::size_t combination_offset = std::size_t{h.combination} * info.words_per_combination;
    pos += kSnapshotHeaderWords;
    bool corrupt = false;
    for (uint32_t k = 0; k < h.field_count; ++k) {
      uint64_t index = pos < count ? words[pos] : fields_of.size();
      if (index >= fields_of.size() || pos + 1 + fields_of[index].words > count) {
        corrupt = true;
        break;
      }
      const MetricsField& field = fields_of[index];
      const uint64_t* in = words + pos + 1;
      std::size_t at = combination_offset + info.field_offset(index);
      merge_field(field, s->cumulative().data() + at, in);
      for (uint32_t c = 0; c < delta_consumers_; ++c) {
        if (consumers_[c].detached) continue;  // holds nothing until it re-attaches
        detail::DeltaState d = s->delta(c);
        merge_field(field, d.words.data() + at, in);
        d.dirty[h.combination] = 1;
      }
      pos += 1 + field.words;
      ++fields;
    }
    if (corrupt) {
      self_->unknown_series.inc();
      break;
    }
    s->mark_observed(h.combination);
    s->last_update = std::max(s->last_update, timestamp);
    self_->lag.record(now > timestamp ? static_cast<double>(now - timestamp) * 1e-9 : 0.0);
    ++snapshots;
    view_dirty_ = true;
  }
  self_->snapshots_received.add(snapshots);
  self_->fields_received.add(fields);
  return snapshots;
}

void Collector::collect_once() {
  // Terminal snapshots taken now are merged after this cycle's drain, which reaches every ring
  // message their series pushed before unregistering (see registry.h).
  std::vector<TerminalSnapshot> terminals = std::exchange(deferred_terminals_, {});
  take_registrations(terminals);

  std::vector<std::shared_ptr<ReportRing>> rings;
  {
    std::lock_guard lock(rings_mutex_);
    rings = rings_;
  }
  std::vector<ReportRing*> finished;
  for (const auto& ring : rings) {
    if (drain_buffer_.size() < ring->capacity_words()) drain_buffer_.resize(ring->capacity_words());
    bool closed = ring->closed();  // read before popping: a closed ring has no further pushes
    std::size_t n = ring->pop_all(drain_buffer_.data());
    if (n > 0) merge_messages(drain_buffer_.data(), n, unix_nano_now());
    if (closed) finished.push_back(ring.get());
  }
  if (!finished.empty()) {
    std::lock_guard lock(rings_mutex_);
    std::erase_if(rings_, [&](const auto& r) {
      return std::find(finished.begin(), finished.end(), r.get()) != finished.end();
    });
  }

  for (const TerminalSnapshot& t : terminals) {
    detail::SeriesState* s = find(t.series);
    if (s == nullptr) continue;
    merge_messages(t.messages.data(), t.messages.size(), unix_nano_now());
    retiring_.push_back(Retiring{t.series});
    self_->terminal_snapshots.inc();
    view_dirty_ = true;
  }
  retire_finished();  // only series whose last values an earlier cycle already published

  uint64_t now = unix_nano_now();
  if (view_dirty_) publish(now);
  self_->series.set(series_count_);
  if (event_drops_) event_drops_->observe();
  self_reporter_->tick(std::chrono::steady_clock::now());
}

void Collector::detach_lagging_locked() {
  for (uint32_t c = 0; c < delta_consumers_; ++c) {
    ConsumerState& consumer = consumers_[c];
    if (consumer.detached || cycle_ - consumer.caught_up_cycle <= options_.max_lag_cycles) continue;
    // Drop what it holds back: its deltas stop accumulating and no longer keep unregistered
    // series alive. Transactions it still has open become stale (epoch).
    consumer.detached = true;
    ++consumer.epoch;
    for (auto& s : series_) {
      if (s == nullptr) continue;
      detail::DeltaState d = s->delta(c);
      std::fill(d.dirty.begin(), d.dirty.end(), 0);
      std::fill(d.in_flight.begin(), d.in_flight.end(), 0);
    }
    self_->detached_consumers.inc();
  }
}

void Collector::reattach_locked(uint32_t c, uint64_t now) {
  for (auto& s : series_) {
    if (s == nullptr) continue;
    const SeriesInfo& info = *s->info();
    detail::DeltaState d = s->delta(c);
    // Deltas start from empty; current values from the cumulative ones, so that a later
    // message that only carries deltas does not export stale current values.
    std::ranges::copy(s->cumulative(), d.words.begin());
    for (uint32_t b = 0; b < info.combination_count; ++b)
      for (std::size_t f = 0; f < info.descriptor->fields.size(); ++f)
        if (accumulates(info.descriptor->fields[f].kind))
          reset_field(
              info.descriptor->fields[f],
              d.words.data() + std::size_t{b} * info.words_per_combination + info.field_offset(f));
    std::fill(d.dirty.begin(), d.dirty.end(), 0);
    std::fill(d.in_flight.begin(), d.in_flight.end(), 0);
    std::fill(d.window_start.begin(), d.window_start.end(), now);
  }
  consumers_[c].detached = false;
  consumers_[c].caught_up_cycle = cycle_;
}

void Collector::retire_finished() {
  uint64_t read;
  {
    std::lock_guard lock(view_mutex_);
    read = read_seq_;
  }
  std::vector<SeriesId> retired;
  {
    std::lock_guard lock(delta_mutex_);
    ++cycle_;
    detach_lagging_locked();
    std::erase_if(retiring_, [&](const Retiring& r) {
      // Last values stay visible in at least one published view before the series goes, and
      // until a reader took such a view (if any reader exists), within the lag bound.
      if (!r.published) return false;
      bool seen = read == 0 || read >= r.view || cycle_ - r.cycle > options_.max_lag_cycles;
      if (!seen) return false;
      detail::SeriesState* s = series_[r.id];
      for (uint32_t c = 0; c < delta_consumers_; ++c) {
        if (consumers_[c].detached) continue;
        const detail::DeltaState d = s->delta(c);
        for (uint32_t b = 0; b < s->info()->combination_count; ++b)
          if (d.dirty[b] != 0 || d.in_flight[b] != 0) return false;
      }
      retired.push_back(r.id);
      detail::SeriesState::destroy(*blocks_, s);
      series_[r.id] = nullptr;
      --series_count_;
      return true;
    });
  }
  registry_.retire(retired);
  if (!retired.empty()) view_dirty_ = true;
}

void Collector::publish(uint64_t now) {
  auto view = std::make_shared<MetricsView>();
  std::size_t words = 0, combinations = 0;
  for (const auto& s : series_) {
    if (s == nullptr) continue;
    words += s->cumulative().size();
    combinations += s->observed().size();
  }
  view->reserve(series_count_, words, combinations);
  view->set_time(now);
  view->set_pin(registry_.pin());  // this thread retires our series: none of these is retired
  uint64_t seq = ++next_seq_;
  for (const auto& s : series_) {
    if (s == nullptr) continue;
    view->add(*s->info(), s->last_update, s->cumulative(), s->observed());
  }
  for (Retiring& r : retiring_) {
    if (r.published) continue;
    r.published = true;  // merged before this publication: this view holds the last values
    r.view = seq;
    r.cycle = cycle_;
  }
  std::shared_ptr<const MetricsView> published = std::move(view);
  {
    std::lock_guard lock(view_mutex_);
    view_.swap(published);
    view_seq_ = seq;
  }  // the previous view is released here, outside the lock
  view_dirty_ = false;
  self_->views_published.inc();
}

MetricsViewPtr Collector::view() const {
  std::lock_guard lock(view_mutex_);
  read_seq_ = view_seq_;
  return view_;
}

ExportTransaction Collector::begin_export(uint32_t consumer) {
  ExportTransaction tx;
  uint64_t now = unix_nano_now();
  tx.time_unix_nano_ = now;
  if (consumer >= delta_consumers_) return tx;
  // Taken before the lock: a series seen under it is retired only after (retire_finished).
  tx.pins_.push_back(registry_.pin());
  std::lock_guard lock(delta_mutex_);
  ConsumerState& state = consumers_[consumer];
  if (state.detached) {
    reattach_locked(consumer, now);
    tx.detached_ = true;
    return tx;
  }
  bool in_flight = false;
  for (auto& s : series_) {
    if (s == nullptr) continue;
    detail::DeltaState d = s->delta(consumer);
    const SeriesInfo& info = *s->info();
    for (uint32_t b = 0; b < info.combination_count; ++b) {
      in_flight = in_flight || d.in_flight[b] != 0;
      if (d.dirty[b] == 0 || d.in_flight[b] != 0) continue;
      uint64_t* words = d.words.data() + std::size_t{b} * info.words_per_combination;
      tx.combinations_.push_back(
          ExportedCombination{s->info(), b, d.window_start[b],
                              std::vector<uint64_t>(words, words + info.words_per_combination)});
      for (std::size_t f = 0; f < info.descriptor->fields.size(); ++f) {
        const MetricsField& field = info.descriptor->fields[f];
        if (accumulates(field.kind)) reset_field(field, words + info.field_offset(f));
      }
      d.dirty[b] = 0;
      d.in_flight[b] = 1;
      d.window_start[b] = now;
    }
  }
  if (!tx.combinations_.empty())
    tx.parts_.push_back({this, consumer, state.epoch, 0, tx.combinations_.size()});
  else if (!in_flight)
    state.caught_up_cycle = cycle_;  // holds nothing back
  return tx;
}

void Collector::commit(std::vector<ExportedCombination>& combinations,
                       const ExportTransaction::Part& part) noexcept {
  std::lock_guard lock(delta_mutex_);
  ConsumerState& state = consumers_[part.consumer];
  if (state.epoch != part.epoch) return;  // detached meanwhile: its deltas were dropped
  state.caught_up_cycle = cycle_;
  const uint32_t consumer = part.consumer;
  for (std::size_t i = part.first; i < part.first + part.count; ++i) {
    detail::SeriesState* s = find(combinations[i].info->id);
    if (s != nullptr && s->info() == combinations[i].info)
      s->delta(consumer).in_flight[combinations[i].combination] = 0;
  }
}

void Collector::rollback(std::vector<ExportedCombination>& combinations,
                         const ExportTransaction::Part& part) noexcept {
  std::lock_guard lock(delta_mutex_);
  if (consumers_[part.consumer].epoch != part.epoch) return;  // detached meanwhile
  const uint32_t consumer = part.consumer;
  for (std::size_t i = part.first; i < part.first + part.count; ++i) {
    const ExportedCombination& e = combinations[i];
    detail::SeriesState* s = find(e.info->id);
    if (s == nullptr || s->info() != e.info) continue;
    detail::DeltaState d = s->delta(consumer);
    const SeriesInfo& info = *e.info;
    uint64_t* words = d.words.data() + std::size_t{e.combination} * info.words_per_combination;
    for (std::size_t f = 0; f < info.descriptor->fields.size(); ++f) {
      const MetricsField& field = info.descriptor->fields[f];
      // Deltas merge back under what arrived meanwhile; current values keep the newest.
      if (accumulates(field.kind))
        merge_field(field, words + info.field_offset(f), e.words.data() + info.field_offset(f));
    }
    d.dirty[e.combination] = 1;
    d.in_flight[e.combination] = 0;
    d.window_start[e.combination] = e.start_time_unix_nano;
  }
}

void Collector::start(std::vector<int> cpus) {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this, cpus = std::move(cpus)] {
    events::set_thread_aspect(events::Aspect::kAdmin);
    if (!cpus.empty()) pin_current_thread(cpus);
    while (running_.load(std::memory_order_acquire)) {
      collect_once();
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, options_.interval,
                     [this] { return !running_.load(std::memory_order_acquire); });
    }
  });
}

void Collector::stop() {
  if (!running_.exchange(false)) return;
  { std::lock_guard lock(wake_mutex_); }
  wake_.notify_all();
  thread_.join();
  collect_once();  // whatever was reported before stop() is merged and published
}

}  // namespace coretel
