// events_bench.cc: emitting an event (coretel/events/emit.h) beside spdlog (Debian's
// libspdlog-dev, comparison only) with the same name and attributes, in the same run:
//  * BM_coretel_event_disabled / BM_spdlog_disabled: a debug event below an info filter (the
//    call site's cached interest; spdlog's level check). Target: at most 0.5 ns.
//  * BM_coretel_event_enabled_discarded: an enabled event built and handed to a provider that
//    keeps nothing (the emitting side alone: timestamp, record, dispatch).
//  * BM_coretel_event_console_direct / BM_spdlog_sync_file: formatted and written in one
//    write(2) to /dev/null (coretel's console_direct on stderr redirected there; spdlog's
//    basic file sink on /dev/null, flushed on every record like stderr).
//  * BM_coretel_event_console_async_throughput: 10,000 events pushed into console_async (queue
//    of 65,534: none dropped), then flush_events() waits until the writer thread wrote them
//    all to /dev/null: the whole cost per event, both threads (on the one core taskset gives).
//  * BM_coretel_event_its / BM_spdlog_async: the emitting thread's cost of an enabled event into
//    an asynchronous pipeline: coretel's its ring (one SPSC ring per thread) and spdlog's async
//    logger (its thread pool's MPMC queue; overflow policy overrun_oldest, never blocking), both
//    of 1,024 events. Each iteration emits 1,000 events into an empty queue, then, with the
//    timer paused, waits until the consumer thread took them: the emit side alone, nothing
//    dropped. Target: at most 50 ns.
// ns_per_op = ns per event.
#define CORETEL_EVENT_SCOPE "bench.events"
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include <benchmark/benchmark.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "bench_common.h"
#include "coretel/events/emit.h"

namespace {

namespace ev = coretel::events;
using coretel_bench::report_per_op;

class Discard final : public ev::EventProvider {
 public:
  void emit(const ev::EventRecord& record) noexcept override {
    benchmark::DoNotOptimize(record.attributes.data());
  }
};

void configure(ev::ProviderMode global) {
  ev::EventsConfiguration c;
  c.level = "info";
  c.global = global;
  ev::configure_events(c);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
}

std::shared_ptr<spdlog::logger> spdlog_devnull() {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>("/dev/null");
  auto logger = std::make_shared<spdlog::logger>("bench", sink);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

void BM_coretel_event_disabled(benchmark::State& state) {
  configure(ev::ProviderMode::kConsoleDirect);
  int64_t port = 514;
  for (auto _ : state) {
    CORETEL_DEBUG("syslog.receiver.parse.fail", ev::kv("network.transport", "udp"),
                  ev::kv("server.port", port));
    benchmark::ClobberMemory();
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_event_disabled);

void BM_spdlog_disabled(benchmark::State& state) {
  auto logger = spdlog_devnull();
  int64_t port = 514;
  for (auto _ : state) {
    logger->debug("syslog.receiver.parse.fail network.transport={} server.port={}", "udp", port);
    benchmark::ClobberMemory();
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_spdlog_disabled);

void BM_coretel_event_enabled_discarded(benchmark::State& state) {
  configure(ev::ProviderMode::kConsoleDirect);
  ev::set_provider(ev::Aspect::kGlobal, std::make_shared<Discard>());
  int64_t port = 514;
  for (auto _ : state) {
    CORETEL_WARN("syslog.receiver.parse.fail", ev::kv("network.transport", "udp"),
                 ev::kv("server.port", port));
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_event_enabled_discarded);

void BM_coretel_event_console_direct(benchmark::State& state) {
  configure(ev::ProviderMode::kConsoleDirect);
  const int saved = ::dup(STDERR_FILENO);
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ::dup2(devnull, STDERR_FILENO);
  int64_t port = 514;
  for (auto _ : state) {
    CORETEL_WARN("syslog.receiver.parse.fail", ev::kv("network.transport", "udp"),
                 ev::kv("server.port", port));
  }
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(devnull);
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_event_console_direct);

// Redirects stderr to /dev/null for the scope's life.
struct StderrToDevNull {
  int saved = ::dup(STDERR_FILENO);
  StderrToDevNull() {
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(devnull, STDERR_FILENO);
    ::close(devnull);
  }
  ~StderrToDevNull() {
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
  }
};

void BM_coretel_event_console_async_throughput(benchmark::State& state) {
  constexpr int64_t kEvents = 10000;
  StderrToDevNull quiet;
  ev::EventsConfiguration c;
  c.level = "info";
  c.global = ev::ProviderMode::kConsoleAsync;
  c.queue_capacity = 65534;
  ev::configure_events(c);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  const uint64_t dropped_before =
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kQueueFull);
  for (auto _ : state) {
    for (int64_t i = 0; i < kEvents; ++i)
      CORETEL_WARN("syslog.receiver.parse.fail", ev::kv("network.transport", "udp"),
                   ev::kv("server.port", i));
    ev::flush_events(std::chrono::seconds(10));  // waits until the writer wrote them all
  }
  report_per_op(state, kEvents);
  state.counters["dropped"] = static_cast<double>(
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kQueueFull) - dropped_before);
}
BENCHMARK(BM_coretel_event_console_async_throughput)->Unit(benchmark::kMillisecond);

// Events per iteration: within the default ring (1,024 events, 512 KiB: the cache-resident size
// a thread writes through), and spdlog's queue of the same size.
constexpr int64_t kAsyncBatch = 1000;

void BM_coretel_event_its(benchmark::State& state) {
  StderrToDevNull quiet;
  ev::shutdown_events();  // a fresh its provider with the options below
  ev::EventsConfiguration c;
  c.level = "info";
  c.global = ev::ProviderMode::kIts;
  c.its.ring_capacity = 1024;
  c.its.recent_capacity = 0;
  c.its.console = false;
  ev::configure_events(c);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  const uint64_t dropped_before =
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kQueueFull);
  int64_t port = 514;
  for (auto _ : state) {
    for (int64_t i = 0; i < kAsyncBatch; ++i)
      CORETEL_WARN("syslog.receiver.parse.fail", ev::kv("network.transport", "udp"),
                   ev::kv("server.port", port));
    state.PauseTiming();
    ev::flush_events(std::chrono::seconds(10));  // the collector drained the ring
    state.ResumeTiming();
  }
  report_per_op(state, kAsyncBatch);
  state.counters["dropped"] = static_cast<double>(
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kQueueFull) - dropped_before);
  ev::shutdown_events();
}
BENCHMARK(BM_coretel_event_its);

void BM_spdlog_async(benchmark::State& state) {
  auto pool = std::make_shared<spdlog::details::thread_pool>(1024, 1);
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>("/dev/null");
  auto logger = std::make_shared<spdlog::async_logger>(
      "bench_async", sink, pool, spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::info);
  int64_t port = 514;
  for (auto _ : state) {
    for (int64_t i = 0; i < kAsyncBatch; ++i)
      logger->warn("syslog.receiver.parse.fail network.transport={} server.port={}", "udp", port);
    state.PauseTiming();
    while (pool->queue_size() != 0) std::this_thread::yield();
    state.ResumeTiming();
  }
  report_per_op(state, kAsyncBatch);
  state.counters["dropped"] = static_cast<double>(pool->overrun_counter());
}
BENCHMARK(BM_spdlog_async);

void BM_spdlog_sync_file(benchmark::State& state) {
  auto logger = spdlog_devnull();
  int64_t port = 514;
  for (auto _ : state) {
    logger->warn("syslog.receiver.parse.fail network.transport={} server.port={}", "udp", port);
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_spdlog_sync_file);

}  // namespace
