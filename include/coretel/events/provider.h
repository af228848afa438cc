// provider.h: where events go. Every thread has an *aspect*; each aspect has one provider.
//
// Aspects (the engine this design comes from names the same four):
//  * engine:   the engine's threads (the demo's workers call set_thread_aspect(Aspect::kEngine));
//  * admin:    the admin endpoint's and the collectors' threads (coretel sets it on them);
//  * global:   every other thread, the default (start-up, libraries, the main thread);
//  * internal: coretel's own export threads (the periodic reader): an event there must not
//              feed the pipeline it comes from, so only console_direct and noop are accepted.
// A thread's aspect is set by the code that starts the thread (set_thread_aspect()); a thread
// nobody set is `global`.
//
// Provider modes:
//  * noop:           events are dropped before their arguments are evaluated;
//  * console_direct: the emitting thread formats the record (console_format.h) and writes it
//                    to stderr in one write(2): simple, and it may block on a slow stderr;
//  * console_async:  the emitting thread copies the record into a bounded queue (one for the
//                    process, EventsConfiguration::queue_capacity events) and returns; a
//                    background thread formats and writes to stderr. A full queue drops the
//                    event and counts it (dropped_events()); once a second at most, stderr says
//                    how many were dropped. Queued events are written at shutdown_events() and
//                    at exit (at most 1 s);
//  * its:            the internal telemetry system (its_provider in docs/events.md): the emitting
//                    thread copies the record into its own bounded ring (single producer, single
//                    consumer: no lock, no shared counter; EventsConfiguration::its.
//                    ring_capacity events per thread), and one collector thread drains every ring
//                    each its.interval (sooner when a ring is half full) into what `its` is
//                    configured to feed: the console (the console format, on stderr), the OTLP
//                    logs exporter, and the recent-events view the admin endpoint serves at
//                    /api/v1/telemetry/events
//                    (recent_events_json()). A full ring drops the event and counts it;
//  * otlp:           the emitting thread copies the record into the OTLP logs exporter's batch
//                    processor queue (one for the process, EventsConfiguration::batch: the
//                    OTEL_BLRP_* variables); its thread exports a batch each schedule_delay, or
//                    sooner when a batch is full, over OTLP (EventsConfiguration::otlp: the
//                    OTEL_EXPORTER_OTLP_[LOGS_]* variables) with the OTLP retries. A full queue
//                    drops the event, a batch the server refused for good or that ran out of
//                    retry time is dropped, each counted.
// Defaults: console_direct for engine, admin and global; noop for internal; the filter of
// CORETEL_LOG (filter.h), else `info`. configure_events() replaces all of it, one configuration at
// a time (an event emitted during the call may still reach an aspect's previous provider); until it
// runs, CORETEL_LOG is read from the environment when the first event is emitted.
// Every drop is counted by the aspect of the emitting thread and the reason (dropped_events(), and
// coretel's self-metric coretel.events.dropped), and once a second at most a line on stderr says
// how many were dropped. (Log records an OTLP server accepted but rejected in a partial success
// are not drops: its answer is printed on stderr.)
//
// Thread-safety: configure_events(), set_provider() from any thread, at any time (a provider
// replaced while an event is being written to it stays alive: providers are never freed);
// set_thread_aspect() affects the calling thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/config/otlp_options.h"
#include "coretel/events/record.h"

namespace coretel {
struct Resource;
}  // namespace coretel

namespace coretel::events {

enum class Aspect : uint8_t { kEngine, kAdmin, kGlobal, kInternal };
inline constexpr std::size_t kAspects = 4;
enum class ProviderMode : uint8_t { kNoop, kConsoleDirect, kConsoleAsync, kIts, kOtlp };

/// "engine", "admin", "global", "internal".
std::string_view to_string(Aspect aspect) noexcept;
/// "noop", "console_direct", "console_async", "its", "otlp".
std::string_view to_string(ProviderMode mode) noexcept;
/// The mode the configuration spells `name`; nullopt for anything else.
std::optional<ProviderMode> provider_mode_named(std::string_view name) noexcept;

/// Receives the records of the aspects it is set for. emit() runs on the emitting thread and
/// must not throw; it may run on several threads at once.
class EventProvider {
 public:
  virtual ~EventProvider() = default;
  virtual void emit(const EventRecord& record) noexcept = 0;
};

/// Why an event was dropped.
enum class DropReason : uint8_t {
  kQueueFull,     ///< the console_async queue, the thread's its ring or the otlp queue was full
  kShutdown,      ///< emitted into an asynchronous provider after shutdown_events() stopped it
  kExportFailed,  ///< in an OTLP logs batch refused for good or out of retry time
};
inline constexpr std::size_t kDropReasons = 3;
/// "queue_full", "shutdown", "export_failed".
std::string_view to_string(DropReason reason) noexcept;
/// Events dropped so far in this process, by the aspect of the emitting thread and the reason.
uint64_t dropped_events(Aspect aspect, DropReason reason) noexcept;

/// The `its` provider's options.
struct ItsOptions {
  /// Events each emitting thread's ring holds (2 to 65536).
  std::size_t ring_capacity = 1024;
  /// Events the recent-events view keeps, the newest (0 to 65536; 0: no view).
  std::size_t recent_capacity = 256;
  /// Between two drains of the rings (1 ms to 10 s); a ring half full starts one sooner.
  std::chrono::milliseconds interval{100};
  /// Where the collector sends each event besides the recent-events view: the console (stderr,
  /// console_format.h) and the OTLP logs exporter (through the batch processor, as `otlp`).
  bool console = true;
  bool otlp = false;
};

/// The OTLP logs exporter's batch processor: OTEL_BLRP_* (SDK env vars, "Batch LogRecord
/// Processor"), with the specification's defaults.
struct BatchLogProcessorOptions {
  /// Between two exports (> 0).
  std::chrono::milliseconds schedule_delay{1000};
  /// Of one export, retries included (0: no limit but the exporter's per-request timeout).
  std::chrono::milliseconds export_timeout{30000};
  /// Events the queue holds (1 to 65534: Boost.Lockfree's fixed-size limit).
  std::size_t max_queue_size = 2048;
  /// Events per export request (1 to max_queue_size).
  std::size_t max_export_batch_size = 512;
};

/// What configure_events() applies: `level` in CORETEL_LOG's syntax (filter.h), one mode per
/// aspect, and the options of the modes that have some.
struct EventsConfiguration {
  std::string level = "info";
  /// console_async: events the queue holds (1 to 65534).
  std::size_t queue_capacity = 2048;
  ProviderMode engine = ProviderMode::kConsoleDirect;
  ProviderMode admin = ProviderMode::kConsoleDirect;
  ProviderMode global = ProviderMode::kConsoleDirect;
  ProviderMode internal = ProviderMode::kNoop;
  ItsOptions its;
  /// The OTLP logs exporter (used by `otlp`, and by `its` when its.otlp).
  OtlpExporterOptions otlp = default_logs_exporter_options();
  BatchLogProcessorOptions batch;
  /// The resource of the OTLP log records; nullptr: Resource::detect("unknown_service").
  std::shared_ptr<const Resource> resource;

  /// OtlpExporterOptions with the logs endpoint, http://localhost:4318/v1/logs.
  static OtlpExporterOptions default_logs_exporter_options();
};

/// Checks `config` and applies it. Throws std::invalid_argument, applying nothing, when a mode
/// is not accepted for its aspect (internal: console_direct or noop) or an option is out of
/// range; the message names the aspect, the mode and the accepted modes, or the option and its
/// range. Throws std::runtime_error when the OTLP logs exporter cannot start (libcurl, a TLS
/// file). Each asynchronous provider (console_async, its, otlp) is made by the first
/// configuration that uses it, with that configuration's options, and made again after
/// shutdown_events(); a later configuration's options for a running one are not applied.
/// Returns the filter's warnings (skipped directives), which the caller reports.
std::vector<std::string> configure_events(const EventsConfiguration& config);

/// Sends `aspect`'s events to `provider` (nullptr: noop), whatever its configured mode, until
/// the next configure_events() or set_provider(). For embedding and tests.
void set_provider(Aspect aspect, std::shared_ptr<EventProvider> provider);

/// Waits until the asynchronous providers wrote every event queued before the call (console
/// lines written, the its collector's drain done, OTLP batches exported or dropped), at most
/// `timeout`; false when the time ran out. The providers keep running.
bool flush_events(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

/// Writes what the asynchronous providers hold, waiting at most `timeout`, and stops their
/// threads; events emitted after are dropped and counted. Returns false when the time ran out
/// (a stderr that does not drain). Idempotent.
bool shutdown_events(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

/// In a child process after fork(): forgets the asynchronous providers (their threads are the
/// parent's and do not exist here) without touching them, so that nothing waits for those
/// threads at exit, and sends every aspect to noop until the next configure_events(), which
/// makes new ones. For a language binding's at-fork handler (Python's os.register_at_fork);
/// call it in the child before any other thread starts. Events the parent had queued are the
/// parent's to export.
void forget_providers_after_fork() noexcept;

/// The recent-events view of the `its` provider as JSON, newest last:
///   {"enabled": true, "capacity": 256, "events": [{"time_unix_nano": "1700000000000000000",
///    "observed_time_unix_nano": "...", "severity_number": 9, "severity_text": "INFO",
///    "event_name": "syslog.receiver.start", "scope": "syslog.receiver", "aspect": "global",
///    "body": "...", "attributes": {"key": value, ...}, "dropped_attributes_count": 0,
///    "trace_id": "<32 hex>", "span_id": "<16 hex>"}, ...]}
/// (body only when not empty, the ids only with a trace context; attribute values as JSON
/// strings, numbers, booleans, with non-finite doubles as null). {"enabled": false, ...,
/// "events": []} when no `its` provider runs (none was configured, or shutdown_events() stopped
/// it); one that a later configuration no longer uses keeps its view. At most `limit` events,
/// the newest. Thread-safe; it never waits for a flush or a shutdown.
std::string recent_events_json(std::size_t limit = 65536);

/// The calling thread's aspect from now on.
void set_thread_aspect(Aspect aspect) noexcept;
/// The calling thread's aspect (global unless set).
Aspect thread_aspect() noexcept;

}  // namespace coretel::events
