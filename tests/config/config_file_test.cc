// read_logs_configuration() (coretel/config/config_file.h): every key of the
// service.telemetry.logs section applied, what the file leaves out kept from the base, and each
// problem named with the file, line and column.
#include "coretel/config/config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace ev = coretel::events;
using std::chrono::milliseconds;

class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_.string();
  }
  std::string error_of(const std::string& text) {
    try {
      coretel::read_logs_configuration(write(text), {});
    } catch (const coretel::ConfigFileError& e) {
      return e.what();
    }
    return "accepted";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() /
      ("coretel-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".yaml");
};

TEST_F(ConfigFile, EveryKeyApplies) {
  const std::string path = write(R"(
exporters: {anything: {}}
service:
  telemetry:
    metrics: {level: detailed}
    logs:
      level: warn,app=debug
      queue_capacity: 100
      providers: {engine: its, admin: otlp, global: console_async, internal: noop}
      its: {ring_capacity: 64, recent_capacity: 8, interval_ms: 20, console: false, otlp: true}
      otlp: {endpoint: "http://c:4318/v1/logs", protocol: http/json, timeout_ms: 500,
             compression: gzip}
      batch: {schedule_delay_ms: 50, export_timeout_ms: 0, max_queue_size: 10,
              max_export_batch_size: 5}
)");
  const ev::EventsConfiguration c = coretel::read_logs_configuration(path, {});
  EXPECT_EQ(c.level, "warn,app=debug");
  EXPECT_EQ(c.queue_capacity, 100u);
  EXPECT_EQ(c.engine, ev::ProviderMode::kIts);
  EXPECT_EQ(c.admin, ev::ProviderMode::kOtlp);
  EXPECT_EQ(c.global, ev::ProviderMode::kConsoleAsync);
  EXPECT_EQ(c.internal, ev::ProviderMode::kNoop);
  EXPECT_EQ(c.its.ring_capacity, 64u);
  EXPECT_EQ(c.its.recent_capacity, 8u);
  EXPECT_EQ(c.its.interval, milliseconds(20));
  EXPECT_FALSE(c.its.console);
  EXPECT_TRUE(c.its.otlp);
  EXPECT_EQ(c.otlp.endpoint, "http://c:4318/v1/logs");
  EXPECT_EQ(c.otlp.protocol, coretel::OtlpProtocol::kHttpJson);
  EXPECT_EQ(c.otlp.timeout, milliseconds(500));
  EXPECT_EQ(c.otlp.compression, coretel::OtlpCompression::kGzip);
  EXPECT_EQ(c.batch.schedule_delay, milliseconds(50));
  EXPECT_EQ(c.batch.export_timeout, milliseconds(0));
  EXPECT_EQ(c.batch.max_queue_size, 10u);
  EXPECT_EQ(c.batch.max_export_batch_size, 5u);
}

TEST_F(ConfigFile, WhatTheFileLeavesOutKeepsTheBase) {
  ev::EventsConfiguration base;
  base.level = "debug";
  base.engine = ev::ProviderMode::kConsoleAsync;
  const std::string path =
      write("service:\n  telemetry:\n    logs:\n      providers: {global: its}\n");
  const ev::EventsConfiguration c = coretel::read_logs_configuration(path, base);
  EXPECT_EQ(c.level, "debug");
  EXPECT_EQ(c.engine, ev::ProviderMode::kConsoleAsync);
  EXPECT_EQ(c.global, ev::ProviderMode::kIts);
  // No section, or an empty file: the base as it is.
  EXPECT_EQ(coretel::read_logs_configuration(write("receivers: {}\n"), base).level, "debug");
  EXPECT_EQ(coretel::read_logs_configuration(write(""), base).engine,
            ev::ProviderMode::kConsoleAsync);
}

TEST_F(ConfigFile, AProtocolWithoutAnEndpointMovesADefaultEndpoint) {
  const std::string grpc =
      write("service:\n  telemetry:\n    logs:\n      otlp: {protocol: grpc}\n");
  EXPECT_EQ(coretel::read_logs_configuration(grpc, {}).otlp.endpoint, "http://localhost:4317");
  ev::EventsConfiguration base;
  base.otlp.endpoint = "http://collector:4318/v1/logs";  // not a default: kept
  EXPECT_EQ(coretel::read_logs_configuration(grpc, base).otlp.endpoint,
            "http://collector:4318/v1/logs");
  base.otlp.endpoint = "http://localhost:4317";
  base.otlp.protocol = coretel::OtlpProtocol::kGrpc;
  const std::string json =
      write("service:\n  telemetry:\n    logs:\n      otlp: {protocol: http/json}\n");
  EXPECT_EQ(coretel::read_logs_configuration(json, base).otlp.endpoint,
            "http://localhost:4318/v1/logs");
}

TEST_F(ConfigFile, EachProblemNamesTheFileLineAndWhatIsAccepted) {
  const std::string p = path_.string();
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      its: {console: maybe}\n"),
            p + ":4:22: `service.telemetry.logs.its.console` must be true or false");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      queue_capacity: -1\n"),
            p + ":4:23: `service.telemetry.logs.queue_capacity` must be a whole number");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      otlp: {protocol: http}\n"),
            p + ":4:24: `service.telemetry.logs.otlp.protocol`: unknown protocol `http` "
                "(accepted: http/protobuf, http/json, grpc)");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      its: {rings: 1}\n"),
            p + ":4:13: unknown key `rings` in `service.telemetry.logs.its` (accepted: "
                "ring_capacity, recent_capacity, interval_ms, console, otlp)");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs: [info]\n"),
            p + ":3:11: `service.telemetry.logs` must be a mapping");
  EXPECT_EQ(error_of("service: {telemetry: [\n"),
            p + ":2:1: not YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      its: {interval_ms: 3000000000}\n"),
            p + ":4:26: `service.telemetry.logs.its.interval_ms` must be at most 2147483647 ms");
  EXPECT_EQ(error_of("service:\n  telemetry:\n    logs:\n      [a]: 1\n"),
            p + ":4:7: a key of `service.telemetry.logs` is not a name");
  EXPECT_THROW(coretel::read_logs_configuration("/nonexistent/coretel.yaml", {}),
               coretel::ConfigFileError);
}

}  // namespace
