// The aspect table, configuration, and the path of a record from a call site to its provider.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "callsite_registry.h"
#include "console_async.h"
#include "coretel/events/console_format.h"
#include "coretel/events/emit.h"
#include "coretel/events/provider.h"

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
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n < 0 && errno == EINTR) continue;  // a signal: the rest of the line still goes out
      if (n <= 0) return;                     // a closed or failing stderr loses the event
      p += n;
      left -= static_cast<std::size_t>(n);
    }
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

// The console_async provider: made by the first configuration that asks for it, and again by
// the first one after shutdown_events() stopped it; never destroyed (a thread may still be
// emitting into it: a stopped one drops and counts); stopped by shutdown_events() or at exit.
std::mutex async_mutex;
ConsoleAsyncProvider* console_async = nullptr;  // guarded by async_mutex

void stop_at_exit() {
  shutdown_events(std::chrono::milliseconds(1000));
}

ConsoleAsyncProvider* console_async_provider(std::size_t capacity) {
  std::lock_guard lock(async_mutex);
  if (console_async == nullptr || console_async->stopping()) {
    if (console_async == nullptr) {
      std::atexit(stop_at_exit);
    } else {
      static auto* retired = new std::vector<ConsoleAsyncProvider*>();
      retired->push_back(console_async);  // stopped, unused, still reachable
    }
    console_async = new ConsoleAsyncProvider(capacity);
  }
  return console_async;
}

EventProvider* provider_for(ProviderMode mode, std::size_t capacity) {
  switch (mode) {
    case ProviderMode::kConsoleDirect:
      return &console_direct;
    case ProviderMode::kConsoleAsync:
      return console_async_provider(capacity);
    default:
      return nullptr;
  }
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
    if (mode == ProviderMode::kIts || mode == ProviderMode::kOtlp)
      throw std::invalid_argument(
          fmt::format("coretel: events provider `{}` for aspect `{}` is not available in this "
                      "version; use console_direct, console_async or noop",
                      to_string(mode), to_string(aspect)));
  }
  if (config.queue_capacity < 1 || config.queue_capacity > 65534)
    throw std::invalid_argument(fmt::format(
        "coretel: events queue_capacity {} is out of range (1 to 65534)", config.queue_capacity));
  EventFilter filter = EventFilter::parse(config.level);
  std::vector<std::string> warnings = filter.warnings();
  // Everything that may throw first (a provider's thread), then publish: one configuration at
  // a time, whole.
  std::lock_guard lock(configure_mutex);
  EventProvider* chosen[kAspects] = {};
  for (const auto& [aspect, mode] : modes)
    chosen[static_cast<std::size_t>(aspect)] = provider_for(mode, config.queue_capacity);
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

bool flush_events(std::chrono::milliseconds timeout) {
  std::lock_guard lock(async_mutex);
  return console_async == nullptr || console_async->flush(timeout);
}

bool shutdown_events(std::chrono::milliseconds timeout) {
  std::lock_guard lock(async_mutex);
  return console_async == nullptr || console_async->stop(timeout);
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
