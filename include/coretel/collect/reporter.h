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
// a Registration may happen on any thread (an internal mutex guards the set list; it is taken
// once per report, never per record), but the set must not be recorded into concurrently with
// its destruction. Why one owner and plain adds: docs/why-sets-are-single-owner.md.
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
#include <span>
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
/// The reporter's record of one registered set (src/collect/set_binding.h).
struct SetBinding;
/// The series of a registered set.
const SeriesInfo& series_of(const SetBinding& binding) noexcept;
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
  std::byte* storage_ = nullptr;  // the set object (owned by the binding)
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
    std::byte* storage = allocate<Set>();
    auto* binding = bind(Set::descriptor, std::move(entity), std::move(registration), {}, storage,
                         storage, &destroy<Set>, sizeof(Set), 1, nullptr);
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
    std::byte* storage = allocate<Measured>();
    auto* measured = std::launder(reinterpret_cast<Measured*>(storage));
    auto* binding =
        bind(Set::descriptor, std::move(entity), std::move(registration), Measured::kAttributes,
             storage, reinterpret_cast<std::byte*>(&measured->combination(0)), &destroy<Measured>,
             sizeof(Set), Measured::kCardinality, measured->touched_words());
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

  template <class T>
  static std::byte* allocate() {
    auto* p = static_cast<std::byte*>(::operator new (sizeof(T), std::align_val_t{alignof(T)}));
    new (p) T();
    return p;
  }
  template <class T>
  static void destroy(std::byte* p) noexcept {
    std::launder(reinterpret_cast<T*>(p))->~T();
    ::operator delete (p, std::align_val_t{alignof(T)});
  }
  detail::SetBinding* bind(const MetricsDescriptor& descriptor, Attributes entity,
                           Attributes registration,
                           std::span<const MeasurementAttributeDescriptor> measurement,
                           std::byte* storage, std::byte* base, void (*destroy)(std::byte*),
                           std::size_t stride, uint32_t combinations, uint64_t* touched);
  void unbind(detail::SetBinding* binding);
  ReportOutcome report_one(detail::SetBinding& binding);
  // Callers hold bindings_mutex_.
  ReportOutcome report_binding(detail::SetBinding& binding, uint64_t now);
  // Encodes combination `b` into scratch_; returns the message length in words (0: nothing
  // changed).
  std::size_t encode_combination(const detail::SetBinding& binding, uint32_t b, uint64_t now);
  // After a successful push of scratch_: resets the delta fields it carried and records the
  // current values it carried as sent.
  void commit_combination(detail::SetBinding& binding, uint32_t b);

  SeriesRegistry& registry_;
  std::shared_ptr<ReportRing> ring_;
  uint32_t collector_index_;
  ReporterOptions options_;
  std::mutex bindings_mutex_;
  std::vector<std::unique_ptr<detail::SetBinding>> bindings_;
  std::vector<uint64_t> scratch_;  // one message; grown only at registration

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
