// ConsoleExporter: the printed blocks, delta semantics, and rollback on a failed write.
#include "coretel/export/console.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "export_test_sets.h"

namespace coretel_export_test {
namespace {

// An open_memstream FILE whose text is read back after each export.
struct MemoryFile {
  char* data = nullptr;
  std::size_t size = 0;
  FILE* file = open_memstream(&data, &size);
  ~MemoryFile() {
    std::fclose(file);
    std::free(data);
  }
  std::string text() {
    std::fflush(file);
    return std::string(data, size);
  }
};

// The block of `set_name` (header without its "[time] " prefix, then the field lines) in `text`.
std::vector<std::string> block_of(const std::string& text, std::string_view set_name,
                                  std::string_view combination_suffix = {}) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      if (inside) break;
      std::string header = line.substr(line.find("] ") + 2);
      if (header.starts_with(std::string(set_name) + " ") &&
          (combination_suffix.empty() || header.ends_with(combination_suffix))) {
        inside = true;
        block.push_back(header);
      }
    } else if (inside) {
      block.push_back(line);
    }
  }
  return block;
}

coretel::PipelineOptions one_consumer() {
  coretel::PipelineOptions options;
  options.delta_consumers = 1;
  return options;
}

TEST(ConsoleExporter, PrintsChangedSeriesWithDeltas) {
  coretel::CollectionPipeline pipeline(one_consumer(), coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}, {"core", int64_t{3}}},
                                                {{"region", "eu"}});
  auto http = reporter->register_set<HttpByMethod>({{"service", "api"}});
  MemoryFile out;
  coretel::ConsoleExporter exporter(pipeline, 0, std::chrono::seconds(60), out.file);

  app->requests.add(3);
  app->sent.add(1.5);
  app->temperature.set(-4);
  app->active.add(2);
  app->cpu_time.observe(12);
  app->latency.record(0.5);
  app->latency.record(1.5);
  app->size.record(2.0);
  app->size.record(0.25);
  http->with(Method::kPost).requests.add(4);
  reporter->report_all();
  pipeline.collect_now();
  ASSERT_TRUE(exporter.export_once());
  std::string text = out.text();
  ASSERT_EQ(text[0], '[') << text;
  EXPECT_EQ(text.find("Z] "), 24u) << text;  // [YYYY-MM-DDTHH:MM:SS.mmmZ]
  EXPECT_EQ(block_of(text, "app.server"),
            (std::vector<std::string>{"app.server {core=3, pipeline.name=p1, region=eu}",
                                      "  app.requests = +3 {request}", "  app.sent = +1.5 By",
                                      "  app.temperature = -4 Cel", "  app.active = 2 {connection}",
                                      "  app.cpu.time = 12 s", "  app.latency = 0.5/1.5/1/2 s",
                                      "  app.size = count=+2 sum=+2.25 By"}))
      << text;
  EXPECT_EQ(block_of(text, "app.http"),
            (std::vector<std::string>{"app.http {service=api} {http.request.method=POST}",
                                      "  app.http.requests = +4 {request}", "  app.http.load = 0"}))
      << text;

  // Committed: the next export shows only what changed since.
  app->requests.add(2);
  reporter->report_all();
  pipeline.collect_now();
  std::size_t before = out.text().size();
  ASSERT_TRUE(exporter.export_once());
  std::string next = out.text().substr(before);
  auto block = block_of(next, "app.server");
  ASSERT_GE(block.size(), 2u) << next;
  EXPECT_EQ(block[1], "  app.requests = +2 {request}");
  EXPECT_EQ(block[6], "  app.latency = -/-/-/0 s");
  EXPECT_TRUE(block_of(next, "app.http").empty()) << next;
}

// Values that are not UTF-8, or that hold newlines and terminal escape sequences, print as
// well-formed UTF-8 on the block's own line: U+FFFD for each ill-formed subsequence, `\xHH` for
// control characters.
TEST(ConsoleExporter, InvalidUtf8AndControlCharacters) {
  coretel::CollectionPipeline pipeline(one_consumer(), coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto bad = reporter->register_set<BadTextMetrics>(bad_text_entity(), bad_text_registration());
  auto noisy = reporter->register_set<BadTextMetrics>({{"note", "a\nb\x1b[31m\x7f"}});
  bad->value.set(5);
  noisy->value.set(6);
  reporter->report_all();
  pipeline.collect_now();
  MemoryFile out;
  coretel::ConsoleExporter exporter(pipeline, 0, std::chrono::seconds(60), out.file);
  ASSERT_TRUE(exporter.export_once());
  const std::string text = out.text();
  const std::string R = kFffd;
  EXPECT_EQ(block_of(text, "app.bad", "\\}"),
            (std::vector<std::string>{"app.bad {host=h" + R + "\", bad.key" + R + "=v" + R + R + R +
                                          "x, region=eu" + R + " \xC3\xA9 \xF0\x9F\x98\x80\\}",
                                      "  app.bad.value = 5"}))
      << text;
  EXPECT_EQ(
      block_of(text, "app.bad", "x7f}"),
      (std::vector<std::string>{"app.bad {note=a\\x0ab\\x1b[31m\\x7f}", "  app.bad.value = 6"}))
      << text;
}

// Doubles print as the Prometheus exporter writes them (src/metrics/number_format.h): shortest
// round-trip; values spell non-finite numbers NaN/+Inf/-Inf, attribute values NaN/Infinity/
// -Infinity (as their Prometheus label values do).
TEST(ConsoleExporter, DoublesAsThePrometheusExporterWritesThem) {
  coretel::CollectionPipeline pipeline(one_consumer(), coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto http = reporter->register_set<HttpByMethod>(
      {{"ratio", 1e15}, {"limit", std::numeric_limits<double>::infinity()}});
  http->with(Method::kGet).load.set(-std::numeric_limits<double>::infinity());
  http->with(Method::kPost).load.set(0.0001);
  http->with(Method::kOdd).load.set(std::nan(""));
  reporter->report_all();
  pipeline.collect_now();
  MemoryFile out;
  coretel::ConsoleExporter exporter(pipeline, 0, std::chrono::seconds(60), out.file);
  ASSERT_TRUE(exporter.export_once());
  const std::string text = out.text();
  auto get = block_of(text, "app.http", "{http.request.method=GET}");
  ASSERT_FALSE(get.empty()) << text;
  EXPECT_EQ(get[0], "app.http {limit=Infinity, ratio=1e+15} {http.request.method=GET}");
  EXPECT_EQ(get.back(), "  app.http.load = -Inf");
  auto post = block_of(text, "app.http", "{http.request.method=POST}");
  ASSERT_FALSE(post.empty()) << text;
  EXPECT_EQ(post.back(), "  app.http.load = 1e-04");
  EXPECT_NE(text.find("  app.http.load = NaN\n"), std::string::npos) << text;
}

TEST(ConsoleExporter, FailedWriteRollsBack) {
  coretel::CollectionPipeline pipeline(one_consumer(), coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}});
  app->requests.add(5);
  reporter->report_all();
  pipeline.collect_now();

  FILE* read_only = std::fopen("/dev/null", "r");
  ASSERT_NE(read_only, nullptr);
  {
    coretel::ConsoleExporter failing(pipeline, 0, std::chrono::seconds(60), read_only);
    EXPECT_FALSE(failing.export_once());
  }
  std::fclose(read_only);

  app->requests.add(1);
  reporter->report_all();
  pipeline.collect_now();
  MemoryFile out;
  coretel::ConsoleExporter exporter(pipeline, 0, std::chrono::seconds(60), out.file);
  ASSERT_TRUE(exporter.export_once());
  auto block = block_of(out.text(), "app.server");
  ASSERT_GE(block.size(), 2u) << out.text();
  EXPECT_EQ(block[1], "  app.requests = +6 {request}");  // the rolled-back 5 plus the new 1
}

TEST(ConsoleExporter, ThreadExportsAtIntervalAndOnStop) {
  coretel::PipelineOptions options = one_consumer();
  options.collector.interval = std::chrono::milliseconds(5);
  coretel::CollectionPipeline pipeline(options, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}});
  pipeline.start();
  MemoryFile out;
  {
    coretel::ConsoleExporter exporter(pipeline, 0, std::chrono::milliseconds(10), out.file);
    exporter.start();
    exporter.start();  // idempotent
    app->requests.add(7);
    reporter->report_all();
    // Wait until the thread printed the deltas.
    for (int i = 0; i < 500 && out.text().find("+7 {request}") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    app->requests.add(1);
    reporter->report_all();
    pipeline.stop();  // final collection; then stop() exports what is left
    exporter.stop();
    exporter.stop();
  }
  std::string text = out.text();
  EXPECT_NE(text.find("  app.requests = +7 {request}"), std::string::npos) << text;
  EXPECT_NE(text.find("  app.requests = +1 {request}"), std::string::npos) << text;
}

}  // namespace
}  // namespace coretel_export_test
