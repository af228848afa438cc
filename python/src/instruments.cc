#include "instruments.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include <fmt/format.h>

#include "coretel/collect/reporter.h"
#include "coretel/metrics/metric_set.h"

namespace coretel::python {

namespace {

// Semantic conventions' advice for durations in seconds (http.server.request.duration,
// rpc.server.call.duration), and the SDK's default explicit bounds.
constexpr std::array<double, 14> kSecondsBounds{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                                0.5,   0.75, 1,     2.5,  5,     7.5, 10};
constexpr std::array<double, 15> kDefaultBounds{0,   5,   10,   25,   50,   75,   100,  250,
                                                500, 750, 1000, 2500, 5000, 7500, 10000};

// The sets: one instrument each, at offset 0.
struct CounterIntSet {
  Counter<uint64_t> value;
};
struct CounterFloatSet {
  Counter<double> value;
};
struct UpDownIntSet {
  UpDownCounter<int64_t> value;
};
struct UpDownFloatSet {
  UpDownCounter<double> value;
};
struct SecondsHistogramSet {
  Histogram<kSecondsBounds> value;
};
struct DefaultHistogramSet {
  Histogram<kDefaultBounds> value;
};

// The package's reporter and the thread that reports for it.
struct MetricsCore {
  CollectionPipeline pipeline{[] {
    PipelineOptions options;
    options.delta_consumers = 1;  // for OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta
    return options;
  }()};
  std::mutex mutex;  // the reporter's owning "thread": whoever holds this
  std::unique_ptr<Reporter> reporter = pipeline.make_reporter(kUnpinned);
  std::condition_variable wake;
  bool stopping = false;
  bool stopped = false;
  // Set in a forked child: this core's threads are the parent's; its series record nothing.
  std::atomic<bool> forgotten{false};
  std::thread ticker;

  MetricsCore() {
    pipeline.start();
    ticker = std::thread([this] {
      std::unique_lock lock(mutex);
      while (!stopping) {
        wake.wait_for(lock, reporter->options().interval, [this] { return stopping; });
        reporter->report_all();
      }
    });
  }
};

std::atomic<MetricsCore*> core{nullptr};
std::mutex core_mutex;  // makes and stops the core

MetricsCore& the_core() {
  if (MetricsCore* c = core.load(std::memory_order_acquire)) return *c;
  std::lock_guard lock(core_mutex);
  if (MetricsCore* c = core.load(std::memory_order_relaxed)) return *c;
  auto* made = new MetricsCore();  // never freed (runtime.h)
  core.store(made, std::memory_order_release);
  return *made;
}

template <class Set>
class SeriesOf final : public Series {
  using T = typename decltype(Set::value)::value_type;
  static constexpr InstrumentKind kKind = decltype(Set::value)::kKind;

 public:
  SeriesOf(const MetricsDescriptor& descriptor, Attributes attributes) : core_(the_core()) {
    std::lock_guard lock(core_.mutex);
    registration_ = core_.reporter->register_described<Set>(descriptor, {}, std::move(attributes));
  }
  ~SeriesOf() override {
    if (core_.forgotten.load(std::memory_order_relaxed)) {
      // Unregistering takes the reporter's locks, which a thread of the parent may have held
      // at fork(): the registration is left behind instead.
      new Registration<Set>(std::move(registration_));
      return;
    }
    std::lock_guard lock(core_.mutex);
    registration_.reset();
  }
  void add(double value) override {
    if constexpr (kKind == InstrumentKind::kHistogram) {
      throw std::invalid_argument("add() is for counters; a histogram records: record()");
    } else if constexpr (!std::is_floating_point_v<T>) {
      throw std::invalid_argument("this instrument takes integers (value_type=int)");
    } else {
      if (!std::isfinite(value)) throw std::invalid_argument("the value is not finite");
      if (kKind == InstrumentKind::kCounter && value < 0)
        throw std::invalid_argument("a counter only adds non-negative values");
      locked([&](Set& s) { s.value.add(value); });
    }
  }
  void add_int(int64_t value) override {
    if constexpr (kKind == InstrumentKind::kHistogram) {
      record(static_cast<double>(value));
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      if (value < 0) throw std::invalid_argument("a counter only adds non-negative values");
      locked([&](Set& s) { s.value.add(static_cast<uint64_t>(value)); });
    } else if constexpr (std::is_same_v<T, int64_t>) {
      locked([&](Set& s) { s.value.add(value); });
    } else {
      add(static_cast<double>(value));
    }
  }
  void record(double value) override {
    if constexpr (kKind != InstrumentKind::kHistogram) {
      throw std::invalid_argument("record() is for histograms; a counter adds: add()");
    } else {
      if (!std::isfinite(value)) throw std::invalid_argument("the value is not finite");
      locked([&](Set& s) { s.value.record(value); });
    }
  }

 private:
  template <class F>
  void locked(F&& f) {
    if (core_.forgotten.load(std::memory_order_relaxed)) return;  // a forked child's
    std::lock_guard lock(core_.mutex);
    f(*registration_);
  }
  MetricsCore& core_;
  Registration<Set> registration_;
};

std::mutex instruments_mutex;
std::deque<Instrument>* instruments = new std::deque<Instrument>();  // never freed

std::string_view unit_problem(std::string_view unit) {
  if (unit.empty()) return "is empty (say \"1\" for a dimensionless value)";
  return "must be printable ASCII without spaces, with balanced {annotations}";
}

}  // namespace

struct Instrument::Described {
  std::string meter, name, unit, brief;
  MetricsField field{};
  FieldLayout layout{};
  MetricsDescriptor descriptor{};
};

Instrument::Instrument() = default;
Instrument::~Instrument() = default;

CollectionPipeline& metrics_pipeline() {
  return the_core().pipeline;
}

void stop_metrics() {
  std::lock_guard lock(core_mutex);
  MetricsCore* c = core.load(std::memory_order_acquire);
  if (c == nullptr || c->stopped) return;
  {
    std::lock_guard core_lock(c->mutex);
    c->stopping = true;
  }
  c->wake.notify_all();
  c->ticker.join();
  {
    std::lock_guard core_lock(c->mutex);
    c->reporter->report_all();  // what was recorded since the last tick
  }
  c->pipeline.stop();
  c->stopped = true;
}

void flush_metrics() {
  std::lock_guard lock(core_mutex);
  MetricsCore* c = core.load(std::memory_order_acquire);
  if (c == nullptr || c->stopped) return;
  {
    std::lock_guard core_lock(c->mutex);
    c->reporter->report_all();
  }
  c->pipeline.collect_now();
}

bool renew_metrics_if_stopped() {
  std::lock_guard lock(core_mutex);
  MetricsCore* c = core.load(std::memory_order_acquire);
  if (c == nullptr || !c->stopped) return false;
  c->forgotten.store(true);  // left allocated: its series may still be held
  core.store(nullptr, std::memory_order_release);
  return true;
}

void forget_metrics_after_fork() noexcept {
  // The parent's threads may have held these at fork(): they are made anew, not unlocked.
  new (&core_mutex) std::mutex();
  if (MetricsCore* c = core.exchange(nullptr)) c->forgotten.store(true);  // left allocated
}

Instrument& make_instrument(const std::string& meter, const std::string& name,
                            const std::string& unit, const std::string& description,
                            InstrumentType type) {
  if (!detail::valid_metric_name(name))
    throw std::invalid_argument(fmt::format(
        "instrument name '{}': must be lowercase ASCII letters, digits, '_' and '.', start with "
        "a letter, at most 255 characters, with no empty segment and no '.' or '_' at the end "
        "(semantic conventions, metric naming)",
        name));
  if (!detail::valid_unit(unit))
    throw std::invalid_argument(
        fmt::format("instrument '{}': unit '{}' {} (UCUM)", name, unit, unit_problem(unit)));
  if (meter.empty() || meter.size() > 255)
    throw std::invalid_argument(
        fmt::format("instrument '{}': the meter name must be 1 to 255 "
                    "characters",
                    name));
  std::lock_guard lock(instruments_mutex);
  for (Instrument& existing : *instruments) {
    if (existing.described_->meter != meter || existing.name_ != name) continue;
    if (existing.type_ != type || existing.described_->unit != unit)
      throw std::invalid_argument(
          fmt::format("instrument '{}' of meter '{}' exists with another kind or unit ('{}')", name,
                      meter, existing.described_->unit));
    return existing;
  }
  if (instruments->size() >= kMaxInstruments)
    throw std::invalid_argument(
        fmt::format("instrument '{}': this process has {} instruments, the most the package keeps",
                    name, kMaxInstruments));
  Instrument& made = instruments->emplace_back();
  made.type_ = type;
  made.name_ = name;
  made.described_ = std::make_unique<Instrument::Described>();
  Instrument::Described& d = *made.described_;
  d.meter = meter;
  d.name = name;
  d.unit = unit;
  d.brief = description;
  auto describe = [&d]<class Set>(std::type_identity<Set>) {
    using I = decltype(Set::value);
    d.field = MetricsField{.name = d.name,
                           .unit = d.unit,
                           .brief = d.brief,
                           .kind = I::kKind,
                           .temporality = I::kTemporality,
                           .value_type = detail::value_type_of<typename I::value_type>(),
                           .offset = 0,
                           .bounds = detail::bounds_of<I>(),
                           .words = I::kWords,
                           .stability = Stability::kDevelopment};
    d.layout = FieldLayout{.offset = 0,
                           .word_offset = 0,
                           .words = static_cast<uint16_t>(I::kWords),
                           .kind = I::kKind,
                           .accumulates = accumulates(I::kKind)};
    d.descriptor = MetricsDescriptor{.name = d.meter,
                                     .brief = d.brief,
                                     .fields = std::span<const MetricsField>(&d.field, 1),
                                     .layout = std::span<const FieldLayout>(&d.layout, 1),
                                     .set_size = sizeof(Set)};
  };
  switch (type) {
    case InstrumentType::kCounterInt:
      describe(std::type_identity<CounterIntSet>{});
      break;
    case InstrumentType::kCounterFloat:
      describe(std::type_identity<CounterFloatSet>{});
      break;
    case InstrumentType::kUpDownInt:
      describe(std::type_identity<UpDownIntSet>{});
      break;
    case InstrumentType::kUpDownFloat:
      describe(std::type_identity<UpDownFloatSet>{});
      break;
    case InstrumentType::kHistogram:
      if (unit == "s")
        describe(std::type_identity<SecondsHistogramSet>{});
      else
        describe(std::type_identity<DefaultHistogramSet>{});
      break;
  }
  return made;
}

std::unique_ptr<Series> Instrument::series(Attributes attributes) {
  const MetricsDescriptor& descriptor = described_->descriptor;
  switch (type_) {
    case InstrumentType::kCounterInt:
      return std::make_unique<SeriesOf<CounterIntSet>>(descriptor, std::move(attributes));
    case InstrumentType::kCounterFloat:
      return std::make_unique<SeriesOf<CounterFloatSet>>(descriptor, std::move(attributes));
    case InstrumentType::kUpDownInt:
      return std::make_unique<SeriesOf<UpDownIntSet>>(descriptor, std::move(attributes));
    case InstrumentType::kUpDownFloat:
      return std::make_unique<SeriesOf<UpDownFloatSet>>(descriptor, std::move(attributes));
    case InstrumentType::kHistogram:
      if (described_->unit == "s")
        return std::make_unique<SeriesOf<SecondsHistogramSet>>(descriptor, std::move(attributes));
      return std::make_unique<SeriesOf<DefaultHistogramSet>>(descriptor, std::move(attributes));
  }
  throw std::logic_error("unknown instrument type");
}

}  // namespace coretel::python
