// instruments.h: metric instruments made at run time by Python code (coretel.get_meter(...)
// .create_counter(...)): counters, up-down counters and histograms, each a metric set of one
// field whose MetricsDescriptor is built here from the name, unit and description Python gives,
// registered in the package's CollectionPipeline and exported with the native metrics.
//
// Series: one Registration per distinct attribute set (the Python side caches them per
// instrument, and caps their number). Recording takes one mutex (the package's Reporter serves
// every Python thread; its ticker thread reports what was recorded every
// ReporterOptions::interval, 100 ms). Descriptors and their strings are kept for the life of the
// process: at most kMaxInstruments of them.
//
// Histograms use explicit buckets with fixed bounds: those the HTTP and RPC semantic conventions
// advise for durations in seconds (0.005 .. 10) when the unit is "s", else OpenTelemetry's default
// bounds (metrics/sdk.md, "Explicit Bucket Histogram Aggregation": 0, 5, 10, 25, 50, 75, 100,
// 250, 500, 750, 1000, 2500, 5000, 7500, 10000).
//
// Thread-safety: every function from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "coretel/collect/pipeline.h"
#include "coretel/metrics/attributes.h"

namespace coretel::python {

enum class InstrumentType : uint8_t {
  kCounterInt,
  kCounterFloat,
  kUpDownInt,
  kUpDownFloat,
  kHistogram
};

/// The package's metrics pipeline, started at the first use (an instrument made before
/// enable_telemetry() records from the start); never freed (runtime.h says why).
CollectionPipeline& metrics_pipeline();
/// Stops the ticker and reports what is left, then stops the pipeline's collectors (their last
/// collection publishes it). Idempotent.
void stop_metrics();
/// When stop_metrics() stopped the pipeline (a shutdown() before this enable_telemetry()):
/// leaves it behind, as after a fork, so that the next use makes a new one. True when it did:
/// the series registered on the old one record nothing more, and the caller registers them again.
bool renew_metrics_if_stopped();
/// Reports what Python recorded and collects it now, so that the next export carries it.
void flush_metrics();
/// In a forked child: leaves the parent's pipeline alone for good (its threads are not here; its
/// series record nothing more) and makes a new one at the next use, so series registered
/// from then on are exported by the child.
void forget_metrics_after_fork() noexcept;

inline constexpr std::size_t kMaxInstruments = 1024;

class Series;

/// One instrument. Made by make_instrument(); lives for the process.
class Instrument {
 public:
  Instrument();
  ~Instrument();
  Instrument(const Instrument&) = delete;
  Instrument& operator=(const Instrument&) = delete;
  InstrumentType type() const noexcept { return type_; }
  const std::string& name() const noexcept { return name_; }
  /// The series of `attributes` (a new registration each call: the caller keeps it).
  /// Throws std::invalid_argument when the registry refuses it.
  std::unique_ptr<Series> series(Attributes attributes);

 private:
  friend Instrument& make_instrument(const std::string&, const std::string&, const std::string&,
                                     const std::string&, InstrumentType);
  struct Described;  // the descriptor and its strings
  InstrumentType type_{};
  std::string name_;
  std::unique_ptr<Described> described_;
};

/// The instrument `name` of meter (scope) `meter`; the same one when asked again with the same
/// type and unit. Throws std::invalid_argument: a name or unit against the semantic conventions'
/// rules ("instrument name 'X': ..."), the same name with another type or unit, or more than
/// kMaxInstruments instruments.
Instrument& make_instrument(const std::string& meter, const std::string& name,
                            const std::string& unit, const std::string& description,
                            InstrumentType type);

/// One attribute set of an instrument. Recording is a plain add under the package's reporter
/// mutex.
class Series {
 public:
  virtual ~Series() = default;
  /// Counters and up-down counters; a negative value for a counter, or a non-finite one, is
  /// refused (std::invalid_argument) rather than counted silently.
  virtual void add(double value) = 0;
  virtual void add_int(int64_t value) = 0;
  /// Histograms.
  virtual void record(double value) = 0;
};

}  // namespace coretel::python
