// reporter.h: Reporter (one per engine thread) and Registration<Set> (the handle a component
// keeps and records into).
//
// The hot path is the Registration: `reg->field.add(v)` is a plain add on the set, which the
// Registration owns (allocated by the registering thread: first touch places it on that thread's
// NUMA node when registration runs on the owning core).
// Reporting is the owning thread's job, at its own cadence: tick(now) reports every set when the
// interval has elapsed. A report sends only the fields that changed, allocates nothing, and
// resets only the delta fields it sent. A full ring defers: nothing is reset, the set keeps
// accumulating, and the deferral is counted (coretel.reporter.deferrals). A set whose largest
// message could never fit in the ring is refused at registration.
// report_all() also exports the measurements the calling (owning) thread's instruments ignored
// as invalid (instruments.h) as coretel.reporter.invalid_measurements.
//
// Thread-safety: recording and report*/tick are owning-thread only. register_set and destroying
// a Registration may happen on any thread (an internal mutex guards the set list; report_all()
// takes it once, report() of one set and records never do), but the set must not be recorded
// into or reported concurrently with its destruction. Why one owner and plain adds:
// docs/why-sets-are-single-owner.md.
//
// Memory: a registration is one block from the reporter's pool (src/collect/block_pool.h):
// the set, then the reporter's record of it (detail::SetBinding), then the last-sent current
// values when the set has any. The pool keeps the sets of different reporters on different cache
// lines.
//
// Audience: code that records. This header brings the metric-set declarations
// (coretel/metrics/*) and the series' metadata (series.h) and nothing of the pipeline's
// internals: the ring (report_ring.h), the registry (registry.h), the reporter's per-set record
// (src/collect/set_binding.h) and the generated self-metric sets (self_metrics.h) are only
// declared here.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

#include "coretel/collect/self_metrics_fwd.h"
#include "coretel/collect/series.h"
#include "coretel/metrics/measurement.h"
#include "coretel/metrics/metric_set.h"

namespace coretel {

struct ReporterOptions {
  /// Report cadence for tick().
  std::chrono::nanoseconds interval = std::chrono::milliseconds(100);
  /// Ring size in 64-bit words (default 512 KiB). Every registered set's largest message
  /// (snapshot_message.h: max_snapshot_words) must fit, the reporter's own sets included.
  std::size_t ring_words = std::size_t{1} << 16;
  /// Whether report_all() takes the calling thread's invalid-measurement counts
  /// (take_invalid_measurements) into this reporter's coretel.reporter.invalid_measurements.
  /// Leave it on for engine threads; off for a reporter that may run on a thread whose
  /// records belong to another reporter (the collectors' own reporters).
  bool take_invalid_measurements = true;
};

/// Result of reporting one set.
enum class ReportOutcome : uint8_t {
  kUnchanged,  ///< nothing changed since the last report: nothing sent
  kSent,       ///< every changed combination was sent
  kDeferred,   ///< the ring was full: unsent values stay in the set for the next report
};

class Reporter;

class ReportRing;
class SeriesRegistry;

namespace detail {
/// The reporter's record of one registered set (src/collect/set_binding.h). It lives in the same
/// allocation as the set, right after it.
struct SetBinding;
class BlockPool;
/// The series of a registered set.
const SeriesInfo& series_of(const SetBinding& binding) noexcept;

/// How the reporter builds, finds and destroys one set type inside a registration's block.
/// One constant per type (kPlainSetType, kMeasuredSetType).
struct SetType {
  std::size_t size;   ///< sizeof of the registered object (a set, or a MeasuredSet)
  std::size_t align;  ///< its alignof
  void (*construct)(std::byte*) noexcept;
  void (*destroy)(std::byte*) noexcept;
  /// Where the touched-combination bitmap starts in the object, or 0 when it keeps none.
  /// Combination 0 starts the object.
  std::size_t touched_offset;
  std::size_t stride;          ///< bytes between combinations (sizeof the set)
  uint32_t combination_count;  ///< 1 for a plain set
};

template <class T>
void construct_set(std::byte* p) noexcept {
  static_assert(std::is_nothrow_default_constructible_v<T>);
  new (p) T();
}
template <class T>
void destroy_set(std::byte* p) noexcept {
  std::launder(reinterpret_cast<T*>(p))->~T();
}

template <class Set>
inline constexpr SetType kPlainSetType{.size = sizeof(Set),
                                       .align = alignof(Set),
                                       .construct = &construct_set<Set>,
                                       .destroy = &destroy_set<Set>,
                                       .touched_offset = 0,
                                       .stride = sizeof(Set),
                                       .combination_count = 1};

template <class Measured>
requires(Measured::combinations_offset() == 0)  // combination 0 starts the object
    inline constexpr SetType kMeasuredSetType{
        .size = sizeof(Measured),
        .align = alignof(Measured),
        .construct = &construct_set<Measured>,
        .destroy = &destroy_set<Measured>,
        .touched_offset = Measured::kTracksTouched ? Measured::touched_offset() : 0,
        .stride = sizeof(typename Measured::set_type),
        .combination_count = static_cast<uint32_t>(Measured::kCardinality)};
}  // namespace detail

/// Owns one registered metric set (plain or MeasuredSet) and keeps it registered. Move-only.
/// Destroying it unregisters the series: its last values are handed to the collector first,
/// published views show them until a reader took one, every attached export consumer gets
/// them, and then the series leaves the views (both waits bounded by
/// CollectorOptions::max_lag_cycles; see collector.h). Keep it alive as long as the series
/// should be scraped: a Registration dropped where it is returned unregisters at once, so the
/// type is [[nodiscard]].
template <class Set>
class [[nodiscard]] Registration {
 public:
  Registration() = default;
  Registration(Registration&& other) noexcept
      : reporter_(std::exchange(other.reporter_, nullptr)),
        binding_(std::exchange(other.binding_, nullptr)),
        storage_(std::exchange(other.storage_, nullptr)) {}
  Registration& operator=(Registration&& other) noexcept {
    if (this != &other) {
      reset();
      reporter_ = std::exchange(other.reporter_, nullptr);
      binding_ = std::exchange(other.binding_, nullptr);
      storage_ = std::exchange(other.storage_, nullptr);
    }
    return *this;
  }
  ~Registration() { reset(); }

  Set* operator->() noexcept { return std::launder(reinterpret_cast<Set*>(storage_)); }
  Set& operator*() noexcept { return *operator->(); }
  const SeriesInfo& series() const noexcept { return detail::series_of(*binding_); }
  explicit operator bool() const noexcept { return binding_ != nullptr; }

  /// Unregisters now (as the destructor does).
  void reset();

 private:
  friend class Reporter;
  Registration(Reporter* reporter, detail::SetBinding* binding, std::byte* storage)
      : reporter_(reporter), binding_(binding), storage_(storage) {}
  Reporter* reporter_ = nullptr;
  detail::SetBinding* binding_ = nullptr;
  std::byte* storage_ = nullptr;  // the set object: the start of the registration's block
};

class Reporter {
 public:
  /// Normally made by CollectionPipeline::make_reporter. `self_entity` identifies this reporter
  /// in its own self-metrics (e.g. {cpu.logical_number: 3}).
  Reporter(SeriesRegistry& registry, std::shared_ptr<ReportRing> ring, uint32_t collector_index,
           Attributes self_entity, ReporterOptions options = {});
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  /// Registers a plain metric set. Any thread. Throws what SeriesRegistry::register_series
  /// throws, and std::invalid_argument when the set's largest snapshot message (every field
  /// changed: max_snapshot_words) is larger than the ring, since it could never be sent:
  ///   metric set 'NAME': a snapshot message takes up to W words but the reporter's ring
  ///   holds C words; raise ReporterOptions::ring_words to at least W
  template <MetricSet Set>
  [[nodiscard]] Registration<Set> register_set(Attributes entity, Attributes registration = {}) {
    auto [binding, storage] = bind(Set::descriptor, std::move(entity), std::move(registration), {},
                                   detail::kPlainSetType<Set>);
    return Registration<Set>(this, binding, storage);
  }

  /// Registers a plain set whose descriptor is made at run time (a language binding's
  /// instruments, python/src/instruments.cc): `Set` gives the memory (its size and its
  /// construction), `descriptor` the fields in it. Any thread; throws as register_set().
  /// `descriptor` must describe Set's layout (fields inside sizeof(Set), at their instruments'
  /// offsets) and outlive every series registered with it and the views that show them: keep
  /// it for the life of the process.
  template <class Set>
  requires std::is_standard_layout_v<Set>
  [[nodiscard]] Registration<Set> register_described(const MetricsDescriptor& descriptor,
                                                     Attributes entity,
                                                     Attributes registration = {}) {
    auto [binding, storage] = bind(descriptor, std::move(entity), std::move(registration), {},
                                   detail::kPlainSetType<Set>);
    return Registration<Set>(this, binding, storage);
  }

  /// Registers a MeasuredSet (one copy of the set per measurement-attribute combination). Any
  /// thread.
  template <class Measured>
  requires requires {
    typename Measured::set_type;
    Measured::kCardinality;
  }
  [[nodiscard]] Registration<Measured> register_set(Attributes entity,
                                                    Attributes registration = {}) {
    using Set = typename Measured::set_type;
    auto [binding, storage] = bind(Set::descriptor, std::move(entity), std::move(registration),
                                   Measured::kAttributes, detail::kMeasuredSetType<Measured>);
    return Registration<Measured>(this, binding, storage);
  }

  /// Reports every set if `interval` has elapsed since the last report. Owning thread.
  /// Returns true when it reported.
  bool tick(std::chrono::steady_clock::time_point now);
  /// Reports every registered set now, this reporter's own self-metric sets among them (in no
  /// set order: the counts one report adds to coretel.reporter.* are sent by that report or the
  /// next one). Owning thread.
  /// First moves the thread's invalid-measurement counts into coretel.reporter.
  /// invalid_measurements (unless ReporterOptions::take_invalid_measurements is off); report()
  /// of a single set does not.
  void report_all();
  /// Reports one set now. Owning thread.
  template <class Set>
  ReportOutcome report(Registration<Set>& registration) {
    return report_one(*registration.binding_);
  }

  const ReporterOptions& options() const noexcept { return options_; }
  /// This reporter's self-metrics (owning thread; for tests and diagnostics).
  const ReporterMetrics& self_metrics() const noexcept;
  uint32_t collector_index() const noexcept { return collector_index_; }

 private:
  template <class>
  friend class Registration;

  struct Bound {
    detail::SetBinding* binding;
    std::byte* storage;
  };
  // Allocates the registration's block (the set, then its binding, then the binding's
  // current-value shadow), builds the set and registers its series.
  Bound bind(const MetricsDescriptor& descriptor, Attributes entity, Attributes registration,
             std::span<const MeasurementAttributeDescriptor> measurement,
             const detail::SetType& type);
  void unbind(detail::SetBinding* binding);
  ReportOutcome report_one(detail::SetBinding& binding);
  // report_all() holds bindings_mutex_; report_one() needs no lock (see there).
  ReportOutcome report_binding(detail::SetBinding& binding, uint64_t now);
  // Encodes combination `b` into `message` (room for max_snapshot_words of the set); returns
  // the message length in words (0: nothing changed).
  static std::size_t encode_combination(const detail::SetBinding& binding, uint32_t b, uint64_t now,
                                        uint64_t* message) noexcept;
  // After a successful push of `message`: resets the delta fields it carried and records the
  // current values it carried as sent.
  static void commit_combination(detail::SetBinding& binding, uint32_t b,
                                 const uint64_t* message) noexcept;

  SeriesRegistry& registry_;
  std::shared_ptr<ReportRing> ring_;
  uint32_t collector_index_;
  ReporterOptions options_;
  std::mutex bindings_mutex_;  // guards bindings_ and blocks_ (registration and unregistration)
  std::vector<detail::SetBinding*> bindings_;
  // Where the registrations' blocks come from (src/collect/block_pool.h).
  std::unique_ptr<detail::BlockPool> blocks_;
  // One message, for the owning thread's reports. Sized to the ring (no message is larger:
  // bind() refuses such a set) and never reallocated, so a report of one set needs no lock;
  // allocated uninitialised, so only the pages the largest message touched are resident.
  std::unique_ptr<uint64_t[]> scratch_;

  std::chrono::steady_clock::time_point last_report_{};
  struct SelfSets;  // this reporter's own metric sets (reporter.cc)
  std::unique_ptr<SelfSets> self_;
};

template <class Set>
void Registration<Set>::reset() {
  if (binding_ != nullptr) {
    reporter_->unbind(binding_);
    binding_ = nullptr;
    reporter_ = nullptr;
  }
}

}  // namespace coretel
