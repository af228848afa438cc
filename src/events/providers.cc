// The aspect table, configuration, and the path of a record from a call site to its provider.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "../export/otlp/log_batch_processor.h"
#include "callsite_registry.h"
#include "console_async.h"
#include "coretel/events/console_format.h"
#include "coretel/events/emit.h"
#include "coretel/events/provider.h"
#include "coretel/resource.h"
#include "encoded_event.h"
#include "its_provider.h"

namespace coretel::events {

namespace {

// console_direct: formats on the emitting thread and writes the line in one write(2) to stderr
// (a line under PIPE_BUF bytes is never interleaved with another thread's on a pipe).
class ConsoleDirectProvider final : public EventProvider {
 public:
  void emit(const EventRecord& record) noexcept override {
    thread_local std::string line;
    line.clear();
    try {
      format_console(record, line);
    } catch (...) {  // out of memory: the event is lost, the caller is not
      return;
    }
    write_to_stderr(line);
  }
};

// Never destroyed: providers[] points to it for as long as anything may emit, static
// destructors and threads still running at exit included.
union NeverDestroyed {
  ConsoleDirectProvider provider;
  constexpr NeverDestroyed() : provider() {}
  ~NeverDestroyed() {}
};
constinit NeverDestroyed console_direct_storage;
constexpr ConsoleDirectProvider& console_direct = console_direct_storage.provider;

// The provider of each aspect; nullptr is noop. Providers set here are kept alive for good
// (kept_), so a thread still writing to a replaced one is safe.
constinit std::atomic<EventProvider*> providers[kAspects] = {&console_direct, &console_direct,
                                                             &console_direct, nullptr};
std::mutex configure_mutex;  // one configure_events() or set_provider() at a time
std::mutex kept_mutex;
std::vector<std::shared_ptr<EventProvider>>& kept() {
  static auto* k = new std::vector<std::shared_ptr<EventProvider>>();
  return *k;
}

thread_local Aspect current_aspect = Aspect::kGlobal;
std::atomic<TraceContextSource> trace_source{nullptr};

// The asynchronous providers (console_async, the OTLP logs batch processor, its): each made by
// the first configuration that asks for it, and again by the first one after
// shutdown_events() stopped it; never destroyed (a thread may still be emitting into one: a
// stopped one drops and counts); stopped by shutdown_events() or at exit.
std::mutex async_mutex;
ConsoleAsyncProvider* console_async = nullptr;  // guarded by async_mutex
otlp::LogBatchProcessor* otlp_logs = nullptr;   // guarded by async_mutex
ItsProvider* its = nullptr;                     // guarded by async_mutex
// The same, for the admin endpoint's reads: they never wait for a flush or a shutdown.
std::atomic<ItsProvider*> its_for_view{nullptr};
bool exit_hook = false;  // guarded by async_mutex

void stop_at_exit() {
  shutdown_events(std::chrono::milliseconds(1000));
}

// Keeps a stopped provider reachable (a thread may still emit into it) and says whether `p`
// needs making: absent, or stopped.
template <class P>
bool needs_making(P*& p) {
  if (!exit_hook) {
    std::atexit(stop_at_exit);
    exit_hook = true;
  }
  if (p != nullptr && !p->stopping()) return false;
  if (p != nullptr) {
    static auto* retired = new std::vector<void*>();
    retired->push_back(p);  // stopped, unused, still reachable
    p = nullptr;
  }
  return true;
}

// What configure_events() will use, made now (before anything is published) when missing.
struct AsyncProviders {
  ConsoleAsyncProvider* console_async = nullptr;
  otlp::LogBatchProcessor* otlp_logs = nullptr;
  ItsProvider* its = nullptr;
};

AsyncProviders async_providers_for(const EventsConfiguration& config, bool want_console_async,
                                   bool want_otlp, bool want_its) {
  std::lock_guard lock(async_mutex);
  if (want_console_async && needs_making(console_async))
    console_async = new ConsoleAsyncProvider(config.queue_capacity);
  if ((want_otlp || (want_its && config.its.otlp)) && needs_making(otlp_logs)) {
    Resource resource = config.resource ? *config.resource : Resource::detect("unknown_service");
    otlp_logs = new otlp::LogBatchProcessor(config.otlp, config.batch, std::move(resource));
  }
  if (want_its && needs_making(its)) {
    its = new ItsProvider(config.its, otlp_logs);
    its_for_view.store(its, std::memory_order_release);
  }
  return {console_async, otlp_logs, its};
}

EventProvider* provider_for(ProviderMode mode, const AsyncProviders& made) {
  switch (mode) {
    case ProviderMode::kConsoleDirect:
      return &console_direct;
    case ProviderMode::kConsoleAsync:
      return made.console_async;
    case ProviderMode::kOtlp:
      return made.otlp_logs;
    case ProviderMode::kIts:
      return made.its;
    case ProviderMode::kNoop:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

std::string_view to_string(Aspect aspect) noexcept {
  switch (aspect) {
    case Aspect::kEngine:
      return "engine";
    case Aspect::kAdmin:
      return "admin";
    case Aspect::kGlobal:
      return "global";
    case Aspect::kInternal:
      return "internal";
  }
  return "global";
}

std::string_view to_string(ProviderMode mode) noexcept {
  switch (mode) {
    case ProviderMode::kNoop:
      return "noop";
    case ProviderMode::kConsoleDirect:
      return "console_direct";
    case ProviderMode::kConsoleAsync:
      return "console_async";
    case ProviderMode::kIts:
      return "its";
    case ProviderMode::kOtlp:
      return "otlp";
  }
  return "noop";
}

std::optional<ProviderMode> provider_mode_named(std::string_view name) noexcept {
  for (ProviderMode m : {ProviderMode::kNoop, ProviderMode::kConsoleDirect,
                         ProviderMode::kConsoleAsync, ProviderMode::kIts, ProviderMode::kOtlp})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

std::vector<std::string> configure_events(const EventsConfiguration& config) {
  const std::pair<Aspect, ProviderMode> modes[] = {{Aspect::kEngine, config.engine},
                                                   {Aspect::kAdmin, config.admin},
                                                   {Aspect::kGlobal, config.global},
                                                   {Aspect::kInternal, config.internal}};
  for (const auto& [aspect, mode] : modes) {
    if (aspect == Aspect::kInternal && mode != ProviderMode::kConsoleDirect &&
        mode != ProviderMode::kNoop)
      throw std::invalid_argument(fmt::format(
          "coretel: events provider `{}` for aspect `internal`: coretel's own export threads "
          "would feed their events back into the pipeline they export; use console_direct or "
          "noop",
          to_string(mode)));
  }
  if (config.queue_capacity < 1 || config.queue_capacity > 65534)
    throw std::invalid_argument(fmt::format(
        "coretel: events queue_capacity {} is out of range (1 to 65534)", config.queue_capacity));
  EventFilter filter = EventFilter::parse(config.level);
  std::vector<std::string> warnings = filter.warnings();
  // Everything that may throw first (a provider's thread), then publish: one configuration at
  // a time, whole.
  std::lock_guard lock(configure_mutex);
  bool want[5] = {};
  for (const auto& [aspect, mode] : modes) want[static_cast<std::size_t>(mode)] = true;
  // Every option checked before anything is made: a refused configuration starts nothing.
  const bool want_its = want[static_cast<std::size_t>(ProviderMode::kIts)];
  if (want_its) ItsProvider::check(config.its);
  if (want[static_cast<std::size_t>(ProviderMode::kOtlp)] || (want_its && config.its.otlp))
    otlp::check_batch_options(config.batch);
  const AsyncProviders made =
      async_providers_for(config, want[static_cast<std::size_t>(ProviderMode::kConsoleAsync)],
                          want[static_cast<std::size_t>(ProviderMode::kOtlp)],
                          want[static_cast<std::size_t>(ProviderMode::kIts)]);
  EventProvider* chosen[kAspects] = {};
  for (const auto& [aspect, mode] : modes)
    chosen[static_cast<std::size_t>(aspect)] = provider_for(mode, made);
  for (std::size_t a = 0; a < kAspects; ++a)
    providers[a].store(chosen[a], std::memory_order_release);
  CallsiteRegistry::instance().set_filter(std::move(filter));
  return warnings;
}

void set_provider(Aspect aspect, std::shared_ptr<EventProvider> provider) {
  std::lock_guard configuring(configure_mutex);
  EventProvider* raw = provider.get();
  if (provider) {
    std::lock_guard lock(kept_mutex);
    kept().push_back(std::move(provider));
  }
  providers[static_cast<std::size_t>(aspect)].store(raw, std::memory_order_release);
}

namespace {

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

}  // namespace

// its first: its last drain feeds the OTLP processor, which goes next.
bool flush_events(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::lock_guard lock(async_mutex);
  bool ok = true;
  if (its != nullptr && !its->stopping()) ok = its->flush(left_until(deadline)) && ok;
  if (otlp_logs != nullptr && !otlp_logs->stopping())
    ok = otlp_logs->flush(left_until(deadline)) && ok;
  if (console_async != nullptr && !console_async->stopping())
    ok = console_async->flush(left_until(deadline)) && ok;
  return ok;
}

bool shutdown_events(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::lock_guard lock(async_mutex);
  bool ok = true;
  if (its != nullptr) ok = its->stop(left_until(deadline)) && ok;
  if (otlp_logs != nullptr) ok = otlp_logs->stop(left_until(deadline)) && ok;
  if (console_async != nullptr) ok = console_async->stop(left_until(deadline)) && ok;
  return ok;
}

std::string recent_events_json(std::size_t limit) {
  // Providers are never destroyed: the pointer stays valid without the lock.
  const ItsProvider* view = its_for_view.load(std::memory_order_acquire);
  if (view != nullptr && !view->stopping()) return view->recent_json(limit);
  return R"({"enabled":false,"capacity":0,"events":[]})";
}

OtlpExporterOptions EventsConfiguration::default_logs_exporter_options() {
  OtlpExporterOptions options;
  options.endpoint = "http://localhost:4318/v1/logs";
  return options;
}

void set_thread_aspect(Aspect aspect) noexcept {
  current_aspect = aspect;
}
Aspect thread_aspect() noexcept {
  return current_aspect;
}

void set_trace_context_source(TraceContextSource source) noexcept {
  trace_source.store(source, std::memory_order_release);
}

void forget_providers_after_fork() noexcept {
  // A thread of the parent may have held these at fork(): they are made anew, not unlocked.
  new (&configure_mutex) std::mutex();
  new (&kept_mutex) std::mutex();
  new (&async_mutex) std::mutex();
  for (auto& p : providers) p.store(nullptr, std::memory_order_release);
  console_async = nullptr;  // left allocated, never stopped: their threads are not here
  otlp_logs = nullptr;
  its = nullptr;
  its_for_view.store(nullptr, std::memory_order_release);
  forget_spills_after_fork();
}

void emit_record(EventRecord record) noexcept {
  EventProvider* provider =
      providers[static_cast<std::size_t>(current_aspect)].load(std::memory_order_acquire);
  if (provider == nullptr) return;
  if (record.observed_time_unix_nano == 0)
    record.observed_time_unix_nano =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  provider->emit(record);
}

namespace detail {

bool thread_has_provider() noexcept {
  return providers[static_cast<std::size_t>(current_aspect)].load(std::memory_order_relaxed) !=
         nullptr;
}

void dispatch(const Callsite& site, std::string_view body,
              std::span<const AttributeRef> attributes) noexcept {
  EventProvider* provider =
      providers[static_cast<std::size_t>(current_aspect)].load(std::memory_order_acquire);
  if (provider == nullptr) return;
  EventRecord record;
  record.time_unix_nano =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  record.observed_time_unix_nano = record.time_unix_nano;
  record.severity = site.severity();
  record.name = site.name();
  record.scope = site.scope();
  record.body = body;
  record.attributes = attributes;
  if (TraceContextSource source = trace_source.load(std::memory_order_acquire))
    source(record.trace);
  provider->emit(record);
}

}  // namespace detail

}  // namespace coretel::events
