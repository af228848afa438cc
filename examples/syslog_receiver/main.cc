// coretel-demo: a thread-per-core syslog receiver instrumented with coretel.
//
//   coretel-demo --listen 127.0.0.1:5514 --admin 127.0.0.1:9464 --cores N [--replay FILE]
//
// One worker per core (pinned), each with UDP and TCP sockets on the same address
// (SO_REUSEPORT). Metrics: http://ADMIN/metrics (Prometheus), /api/v1/telemetry/metrics (JSON).
// OTLP push (metrics over OTLP/HTTP with protobuf or JSON, or OTLP/gRPC) is configured by the
// standard variables, with no flag: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (or
// OTEL_METRICS_EXPORTER=otlp) turns it on; OTEL_METRIC_EXPORT_INTERVAL, OTEL_EXPORTER_OTLP_* and
// OTEL_SERVICE_NAME tune it (docs/configuration.md). Without them nothing is pushed. SIGINT or
// SIGTERM stops it cleanly: workers drain what is still in their sockets (bounded by
// --drain-timeout-ms) and report their last values, the collectors merge them, the console
// exporter prints them, the OTLP exporter sends them (bounded by OTEL_METRIC_EXPORT_TIMEOUT),
// then the admin endpoint closes. Events (docs/events.md) go to stderr, filtered by CORETEL_LOG;
// the workers' through the console_async queue. `--config FILE` reads a YAML file's
// service.telemetry.logs section (coretel/config/config_file.h): the providers per aspect (its
// feeds the console, /api/v1/telemetry/events and, with OTEL_LOGS_EXPORTER=otlp or an OTLP
// endpoint, OTLP logs).
//
// Bounds (each worker): --read-budget-bytes per socket per loop turn (fairness),
// --max-connections, --idle-timeout-ms; running out of descriptors refuses connections without
// spinning (worker.h).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "coretel/admin/admin_server.h"
#include "coretel/collect/pipeline.h"
#include "coretel/config/config_file.h"
#include "coretel/config/environment.h"
#include "coretel/events/emit.h"
#include "coretel/export/console.h"
#include "coretel/export/otlp_metric_exporter.h"
#include "coretel/export/periodic_exporting_reader.h"
#include "coretel/resource.h"
#include "replay.h"
#include "worker.h"

namespace {

struct Options {
  std::string listen = "127.0.0.1:5514";
  std::string admin = "127.0.0.1:9464";
  std::string admin_token;
  int cores = 0;
  std::string replay;
  std::string config;
  int report_interval_ms = 100;
  int console_interval_ms = 0;
  std::size_t read_budget_bytes = 64 * 1024;
  std::size_t max_connections = 1024;
  int idle_timeout_ms = 300000;
  int drain_timeout_ms = 1000;
  std::string telemetry = "on";
  bool exit_after_replay = false;
};

namespace ev = coretel::events;

// Totals per transport from the final views: messages accepted and rejected.
struct Totals {
  uint64_t messages[2] = {}, errors[2] = {};  // [0] udp, [1] tcp
};
Totals totals(const coretel::CollectionPipeline& pipeline) {
  Totals out;
  auto& messages = out.messages;
  auto& errors = out.errors;
  for (const auto& view : pipeline.views()) {
    for (const auto& s : view->series()) {
      const auto transport = s.info->entity->attributes.find("network.transport");
      if (!transport) continue;
      int t = std::get<std::string_view>(*transport) == "tcp" ? 1 : 0;
      std::string_view set = s.info->descriptor->name;
      uint64_t* total = set == "syslog.receiver.messages" ? &messages[t]
                        : set == "syslog.receiver.errors" ? &errors[t]
                                                          : nullptr;
      if (total == nullptr) continue;
      for (uint32_t b = 0; b < s.info->combination_count; ++b)
        if (view->observed(s, b)) *total += view->field_words(s, b, 0)[0];
    }
  }
  return out;
}

uint64_t message_total(const coretel::CollectionPipeline& pipeline) {
  const Totals t = totals(pipeline);
  return t.messages[0] + t.messages[1];
}

// The shutdown line's totals.
std::string summary(const coretel::CollectionPipeline& pipeline) {
  const Totals t = totals(pipeline);
  const auto& messages = t.messages;
  const auto& errors = t.errors;
  return fmt::format("udp: {} messages, {} rejected; tcp: {} messages, {} rejected", messages[0],
                     errors[0], messages[1], errors[1]);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"coretel-demo: a thread-per-core syslog receiver instrumented with coretel"};
  app.add_option("--listen", options.listen, "UDP and TCP syslog address, HOST:PORT")
      ->capture_default_str();
  app.add_option("--admin", options.admin, "admin HTTP endpoint (metrics), HOST:PORT")
      ->capture_default_str();
  app.add_option("--admin-token", options.admin_token,
                 "require 'Authorization: Bearer TOKEN' on the admin endpoint");
  app.add_option("--cores", options.cores, "worker threads, one per core (0: every core)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app.add_option("--replay", options.replay,
                 "stream this text file through the TCP socket, one syslog message per line")
      ->check(CLI::ExistingFile);
  app.add_option("--config", options.config,
                 "YAML file: its service.telemetry.logs section configures events "
                 "(docs/events.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--report-interval-ms", options.report_interval_ms,
                 "how often each worker reports its metric sets")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  app.add_option("--console-interval-ms", options.console_interval_ms,
                 "print changed series to stdout at this interval (0: off)")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--read-budget-bytes", options.read_budget_bytes,
                 "bytes a worker reads from one TCP connection (or its UDP socket, which also "
                 "stops after 256 datagrams) per event-loop turn before serving the next ready "
                 "socket and ticking its reporter: one busy sender cannot starve the others")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections,
                 "TCP connections per worker; more are accepted and closed at once, counted in "
                 "syslog.receiver.connections.refused (reason connection_limit)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--idle-timeout-ms", options.idle_timeout_ms,
                 "close a TCP connection that sent nothing for this long (0: never); counted in "
                 "syslog.receiver.connections.closed (reason idle_timeout)")
      ->check(CLI::Range(0, 86400000))
      ->capture_default_str();
  app.add_option("--drain-timeout-ms", options.drain_timeout_ms,
                 "on SIGINT/SIGTERM, how long each worker may spend reading what is still in its "
                 "sockets (FIN sent, read until the sender closes) before closing them")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  app.add_option("--telemetry", options.telemetry,
                 "on: workers count every message (and time one in 256) and report; unreported: "
                 "the same records, never reported; off: they parse the same messages without "
                 "per-message telemetry and never report (the baselines of "
                 "bench/demo_throughput.sh)")
      ->check(CLI::IsMember({"on", "unreported", "off"}))
      ->capture_default_str();
  auto* replay_option = app.get_option("--replay");
  app.add_flag("--exit-after-replay", options.exit_after_replay,
               "stop once the workers processed every replayed line (waiting at most 60 s), "
               "then print each worker's records per CPU-second")
      ->needs(replay_option);
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait() below; every thread started after this inherits the mask.
  // A shell may start us with SIGINT ignored (a background job): restore the default first, or
  // an ignored signal would never reach sigwait().
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    sockaddr_in listen = coretel_demo::parse_address(options.listen);
    sockaddr_in admin_address = coretel_demo::parse_address(options.admin);

    // OTEL_* variables: read once, problems printed once.
    const coretel::SdkConfiguration otel = coretel::read_sdk_configuration();
    coretel::report_configuration_warnings(otel);
    // Events: CORETEL_LOG's level and the OTEL_* logs variables; the workers (engine aspect)
    // only enqueue their events, a background thread writes them (console_async), so a slow
    // stderr never stalls a worker; then what --config sets.
    const coretel::Resource resource = coretel::Resource::detect("coretel-demo");
    coretel::events::EventsConfiguration events = otel.events;
    events.engine = coretel::events::ProviderMode::kConsoleAsync;
    events.resource = std::make_shared<const coretel::Resource>(resource);
    if (!options.config.empty())
      events = coretel::read_logs_configuration(options.config, std::move(events));
    for (const std::string& warning : coretel::events::configure_events(events))
      fmt::print(stderr, "coretel: {}\n", warning);
    const bool push = otel.otlp_metrics_enabled;
    const bool push_deltas =
        push && otel.otlp_metrics.temporality != coretel::TemporalityPreference::kCumulative;

    coretel::PipelineOptions pipeline_options;
    pipeline_options.reporter.interval = std::chrono::milliseconds(options.report_interval_ms);
    // Export consumers: the console's deltas (0), then the OTLP exporter's when it pushes deltas.
    const uint32_t console_consumer = 0;
    const uint32_t otlp_consumer = options.console_interval_ms > 0 ? 1 : 0;
    pipeline_options.delta_consumers = otlp_consumer + (push_deltas ? 1 : 0);
    coretel::CollectionPipeline pipeline(pipeline_options);

    const auto& cpus = pipeline.topology().cpus();
    int available = std::max<int>(static_cast<int>(cpus.size()), 1);
    int cores = options.cores == 0 ? available : options.cores;
    if (cores > available) {  // one worker per core: more would share cores and identities
      fmt::print(stderr, "coretel-demo: --cores {} but {} CPUs are available; using {}\n", cores,
                 available, available);
      cores = available;
    }
    coretel_demo::WorkerOptions worker_options;
    worker_options.read_budget_bytes = options.read_budget_bytes;
    worker_options.max_connections = options.max_connections;
    worker_options.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
    worker_options.drain_timeout = std::chrono::milliseconds(options.drain_timeout_ms);
    worker_options.record = options.telemetry != "off";
    worker_options.report = options.telemetry == "on";
    std::vector<std::unique_ptr<coretel_demo::Worker>> workers;
    for (int i = 0; i < cores; ++i) {
      int cpu = cpus.empty() ? -1 : cpus[static_cast<std::size_t>(i)];
      workers.push_back(
          std::make_unique<coretel_demo::Worker>(cpu, listen, pipeline, worker_options));
    }

    coretel::AdminOptions admin_options;
    admin_options.host = options.admin.substr(0, options.admin.rfind(':'));
    admin_options.port = ntohs(admin_address.sin_port);
    admin_options.bearer_token = options.admin_token;
    // OTEL_SDK_DISABLED=true: every exporter is a no-op (no push, no console, empty scrapes).
    admin_options.metrics_enabled = !otel.sdk_disabled;
    coretel::AdminServer admin(admin_options, pipeline, resource);

    pipeline.start();
    admin.start();
    std::unique_ptr<coretel::ConsoleExporter> console;
    if (options.console_interval_ms > 0 && !otel.sdk_disabled) {
      console = std::make_unique<coretel::ConsoleExporter>(
          pipeline, console_consumer, std::chrono::milliseconds(options.console_interval_ms),
          stdout);
      console->start();
    }
    std::unique_ptr<coretel::OtlpMetricExporter> otlp;
    std::unique_ptr<coretel::PeriodicExportingMetricReader> otlp_reader;
    if (push) {
      otlp = std::make_unique<coretel::OtlpMetricExporter>(
          pipeline, resource, otel.otlp_metrics,
          push_deltas ? std::optional<uint32_t>(otlp_consumer) : std::nullopt);
      otlp_reader =
          std::make_unique<coretel::PeriodicExportingMetricReader>(*otlp, otel.metric_reader);
      otlp_reader->start();
      fmt::print(stderr, "coretel-demo: pushing metrics every {} ms to {} ({}, {})\n",
                 otel.metric_reader.interval.count(), otel.otlp_metrics.endpoint,
                 coretel::to_string(otel.otlp_metrics.protocol),
                 coretel::to_string(otel.otlp_metrics.temporality));
    }

    // The sockets are bound (by the workers' constructors): the receiver is listening.
    CORETEL_EMIT(ev::Severity::kInfo, coretel_demo::telemetry::SyslogReceiverStartEvent,
                 coretel_demo::host_of(listen), ntohs(listen.sin_port), cores);
    std::atomic<bool> stop{false};
    std::atomic<int> exit_code{0};
    std::vector<std::thread> threads;
    for (auto& worker : workers) {
      threads.emplace_back([&w = *worker, &stop, &exit_code] {
        try {
          w.run(stop);
        } catch (const std::exception& e) {  // a worker that cannot run stops the process
          fmt::print(stderr, "coretel-demo: worker failed: {}\n", e.what());
          exit_code = 1;
          ::kill(::getpid(), SIGTERM);
        }
      });
    }

    fmt::print(stderr,
               "coretel-demo: {} workers receiving syslog on udp+tcp {}\n"
               "coretel-demo: metrics at http://{}:{}/metrics (JSON: /api/v1/telemetry/metrics); "
               "Ctrl-C stops\n",
               cores, coretel_demo::to_string(listen), admin_options.host, admin.port());
    if (otel.sdk_disabled)
      fmt::print(stderr, "coretel-demo: OTEL_SDK_DISABLED=true: every exporter is a no-op\n");

    std::thread replayer;
    std::atomic<bool> cancel_replay{false};
    if (!options.replay.empty()) {
      replayer = std::thread([&] {
        try {
          auto result = coretel_demo::replay_file(options.replay, listen, cancel_replay);
          fmt::print(stderr, "coretel-demo: {} {} lines ({} bytes) of {}\n",
                     result.cancelled ? "replay stopped after" : "replayed", result.lines,
                     result.bytes, options.replay);
          if (options.exit_after_replay && !result.cancelled) {
            // Every line is one record; wait until the workers took them all, then stop.
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            auto processed = [&] {
              uint64_t total = 0;
              for (const auto& w : workers) total += w->records_processed();
              return total;
            };
            while (processed() < result.lines && std::chrono::steady_clock::now() < deadline &&
                   !cancel_replay.load())
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ::kill(::getpid(), SIGTERM);
          }
        } catch (const std::exception& e) {
          fmt::print(stderr, "coretel-demo: replay failed: {}\n", e.what());
          if (options.exit_after_replay) {  // nothing to wait for: stop, and say it failed
            exit_code = 1;
            ::kill(::getpid(), SIGTERM);
          }
        }
      });
    }

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    fmt::print(stderr, "coretel-demo: {} received, stopping\n", strsignal(signal_number));

    // The replay stops at its next line; the workers are still running and read what it sent.
    cancel_replay = true;
    if (replayer.joinable()) replayer.join();
    stop = true;
    for (auto& t : threads) t.join();
    coretel::events::flush_events();  // the workers' queued events, before the last lines
    // Each worker reported its sets one last time as it stopped: the collectors' final cycle
    // merges those values, the console prints them, and only then do the series go away.
    pipeline.stop();
    if (console) console->stop();
    if (otlp_reader) {
      const coretel::ExportResult last = otlp_reader->shutdown();
      const coretel::OtlpExportStats st = otlp->stats();
      fmt::print(stderr,
                 "coretel-demo: OTLP: final export {}; {} data points exported, {} rejected, {} "
                 "dropped in {} requests\n",
                 coretel::to_string(last), st.data_points_exported, st.data_points_rejected,
                 st.data_points_dropped, st.requests);
    }
    fmt::print(stderr, "coretel-demo: stopped; {}\n", summary(pipeline));
    CORETEL_EMIT(ev::Severity::kInfo, coretel_demo::telemetry::SyslogReceiverStopEvent,
                 static_cast<int64_t>(message_total(pipeline)));
    // The asynchronous providers write (and its OTLP logs send) what they hold, stop included.
    coretel::events::shutdown_events(std::chrono::milliseconds(5000));
    if (options.exit_after_replay) {
      for (std::size_t i = 0; i < workers.size(); ++i) {
        coretel_demo::WorkerThroughput t = workers[i]->throughput();
        fmt::print(stderr,
                   "coretel-demo: throughput: worker {} processed {} records in {:.3f} s of CPU: "
                   "{:.0f} records per CPU-second (telemetry {})\n",
                   i, t.records, t.cpu_seconds,
                   t.cpu_seconds > 0 ? static_cast<double>(t.records) / t.cpu_seconds : 0.0,
                   options.telemetry);
      }
    }
    workers.clear();
    admin.stop();
    return exit_code.load();
  } catch (const std::exception& e) {
    fmt::print(stderr, "coretel-demo: {}\n", e.what());
    return 1;
  }
}
