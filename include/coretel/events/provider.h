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
//  * its, otlp:      not in this version; asking for one is a configuration error that says so.
// Defaults: console_direct for engine, admin and global; noop for internal; the filter of
// CORETEL_LOG (filter.h), else `info`. configure_events() replaces all of it, one configuration at
// a time (an event emitted during the call may still reach an aspect's previous provider); until it
// runs, CORETEL_LOG is read from the environment when the first event is emitted.
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

#include "coretel/events/record.h"

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
  kQueueFull,  ///< console_async: the queue held queue_capacity events
  kShutdown,   ///< emitted into console_async after shutdown_events() stopped its writer
};
inline constexpr std::size_t kDropReasons = 2;
/// "queue_full", "shutdown".
std::string_view to_string(DropReason reason) noexcept;
/// Events dropped so far in this process, by the aspect of the emitting thread and the reason.
uint64_t dropped_events(Aspect aspect, DropReason reason) noexcept;

/// What configure_events() applies: `level` in CORETEL_LOG's syntax (filter.h) and one mode per
/// aspect.
struct EventsConfiguration {
  std::string level = "info";
  /// console_async: events the queue holds (1 to 65534).
  std::size_t queue_capacity = 2048;
  ProviderMode engine = ProviderMode::kConsoleDirect;
  ProviderMode admin = ProviderMode::kConsoleDirect;
  ProviderMode global = ProviderMode::kConsoleDirect;
  ProviderMode internal = ProviderMode::kNoop;
};

/// Checks `config` and applies it. Throws std::invalid_argument, applying nothing, when a mode
/// is not accepted for its aspect (internal: console_direct or noop) or not in this version
/// (its, otlp), or queue_capacity is out of range; the message names the aspect, the mode and
/// the accepted modes. The console_async queue is made with the first capacity asked for, and
/// made again after shutdown_events().
/// Returns the filter's warnings (skipped directives), which the caller reports.
std::vector<std::string> configure_events(const EventsConfiguration& config);

/// Sends `aspect`'s events to `provider` (nullptr: noop), whatever its configured mode, until
/// the next configure_events() or set_provider(). For embedding and tests.
void set_provider(Aspect aspect, std::shared_ptr<EventProvider> provider);

/// Waits until the asynchronous providers wrote every event queued before the call, at most
/// `timeout`; false when the time ran out. The providers keep running.
bool flush_events(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

/// Writes what the asynchronous providers hold, waiting at most `timeout`, and stops their
/// threads; events emitted after are dropped and counted. Returns false when the time ran out
/// (a stderr that does not drain). Idempotent.
bool shutdown_events(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

/// The calling thread's aspect from now on.
void set_thread_aspect(Aspect aspect) noexcept;
/// The calling thread's aspect (global unless set).
Aspect thread_aspect() noexcept;

}  // namespace coretel::events
