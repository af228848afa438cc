// Events: the naming rule, CORETEL_LOG filtering, what a provider receives from the macros
// (exact records), that a disabled event does not evaluate its fields, per-aspect providers and
// the configuration that would feed the pipeline back into itself.
#define CORETEL_EVENT_SCOPE "app.events_test"
#include "coretel/events/emit.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "coretel/events/console_format.h"
#include "coretel/events/filter.h"

namespace {

namespace ev = coretel::events;
using coretel::AttributeValueRef;

// A record as a provider saw it, copied (the record itself lives only during emit()).
struct Seen {
  ev::Severity severity;
  std::string name, scope, body;
  // key, then the value's type (string, int, double, bool) and its text
  std::vector<std::pair<std::string, std::string>> attributes;
  bool timestamped;
};

constexpr std::string_view kTypes[] = {"string", "int", "double", "bool"};

class Capture final : public ev::EventProvider {
 public:
  void emit(const ev::EventRecord& r) noexcept override {
    std::lock_guard lock(mutex_);
    Seen s{r.severity,
           std::string(r.name),
           std::string(r.scope),
           std::string(r.body),
           {},
           r.time_unix_nano != 0 && r.observed_time_unix_nano == r.time_unix_nano};
    for (const coretel::AttributeRef& a : r.attributes)
      s.attributes.emplace_back(std::string(a.key), std::string(kTypes[a.value.index()]) + " " +
                                                        coretel::to_string(a.value));
    seen_.push_back(std::move(s));
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

// Each test configures from scratch and captures the global aspect (the test's thread).
class Events : public ::testing::Test {
 protected:
  void SetUp() override { capture_ = configure("info"); }
  std::shared_ptr<Capture> configure(const std::string& level) {
    ev::EventsConfiguration c;
    c.level = level;
    EXPECT_TRUE(ev::configure_events(c).empty());
    auto capture = std::make_shared<Capture>();
    ev::set_provider(ev::Aspect::kGlobal, capture);
    ev::set_thread_aspect(ev::Aspect::kGlobal);
    return capture;
  }
  std::shared_ptr<Capture> capture_;
};

TEST(EventNames, FollowTheNamingRule) {
  static_assert(ev::is_valid_name("syslog.receiver.start"));
  static_assert(ev::is_valid_name("a"));
  static_assert(ev::is_valid_name("otel.sdk.exporter.metric_data_point"));
  static_assert(ev::is_valid_name("h2.frame"));
  static_assert(!ev::is_valid_name(""));
  static_assert(!ev::is_valid_name("Syslog.start"));
  static_assert(!ev::is_valid_name("syslog..start"));
  static_assert(!ev::is_valid_name("syslog.start."));
  static_assert(!ev::is_valid_name(".start"));
  static_assert(!ev::is_valid_name("syslog start"));
  static_assert(!ev::is_valid_name("syslog.2start"));
  static_assert(!ev::is_valid_name("syslog-start"));
  static_assert(!ev::is_valid_name(std::string_view("a\0b", 3)));
  // Only a constant makes an EventName (the constructors are consteval: a runtime string does
  // not compile), and only a literal implicitly; that a literal breaking the rule does not
  // compile is the test events_bad_name_does_not_compile.
  static_assert(!std::is_convertible_v<std::string, ev::EventName>);
  static_assert(!std::is_convertible_v<std::string_view, ev::EventName>);
}

TEST(EventFilter, LevelsScopesAndTheLongestMatch) {
  const ev::EventFilter f =
      ev::EventFilter::parse(" warn , coretel.collect=debug,coretel=error, noisy=off ");
  EXPECT_TRUE(f.warnings().empty());
  EXPECT_EQ(f.threshold("app"), ev::Severity::kWarn);
  EXPECT_EQ(f.threshold("coretel"), ev::Severity::kError);
  EXPECT_EQ(f.threshold("coretel.collect"), ev::Severity::kDebug);
  EXPECT_EQ(f.threshold("coretel.collect.ring"), ev::Severity::kDebug);
  EXPECT_EQ(f.threshold("coretel.collector"), ev::Severity::kError);  // whole components
  EXPECT_EQ(f.threshold("noisy.sub"), std::nullopt);
  EXPECT_TRUE(f.enabled("coretel.collect", ev::Severity::kDebug));
  EXPECT_FALSE(f.enabled("app", ev::Severity::kInfo));
  EXPECT_FALSE(f.enabled("noisy", ev::Severity::kError));
  EXPECT_EQ(ev::EventFilter().threshold("anything"), ev::Severity::kInfo);
  EXPECT_EQ(ev::EventFilter::parse("WARNING").threshold("x"), ev::Severity::kWarn);
  EXPECT_EQ(ev::EventFilter::parse("a=debug,a=error").threshold("a"), ev::Severity::kError);
}

TEST(EventFilter, BadDirectivesAreSkippedAndSaid) {
  const ev::EventFilter f = ev::EventFilter::parse("debug,app=loud,=info,,app.x=warn");
  EXPECT_EQ(f.warnings(),
            (std::vector<std::string>{
                "CORETEL_LOG directive 2 `app=loud`: unknown level `loud` (debug, info, warn, "
                "error, off); skipped",
                "CORETEL_LOG directive 3 `=info`: no scope before `=` (the forms are LEVEL and "
                "SCOPE=LEVEL); skipped"}));
  EXPECT_EQ(f.threshold("app"), ev::Severity::kDebug);  // the rest still applies
  EXPECT_EQ(f.threshold("app.x"), ev::Severity::kWarn);
}

TEST_F(Events, ProviderReceivesTheExactRecord) {
  const std::string owned = "owned text";
  struct Point {
    int x, y;
  };
  CORETEL_INFO("app.request.complete", ev::body("request done"), ev::kv("http.route", "/a b"),
               ev::kv("server.port", uint16_t{8080}), ev::kv("app.ratio", 0.25),
               ev::kv("app.cached", true), ev::kv("app.owned", owned),
               ev::kv("app.big", uint64_t{1} << 63), ev::kv("app.negative", -3));
  CORETEL_EVENT_IN("other.scope", ev::Severity::kError, "app.fail");
  const auto seen = capture_->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].severity, ev::Severity::kInfo);
  EXPECT_EQ(seen[0].name, "app.request.complete");
  EXPECT_EQ(seen[0].scope, "app.events_test");
  EXPECT_EQ(seen[0].body, "request done");
  EXPECT_TRUE(seen[0].timestamped);
  EXPECT_EQ(seen[0].attributes, (std::vector<std::pair<std::string, std::string>>{
                                    {"http.route", "string /a b"},
                                    {"server.port", "int 8080"},
                                    {"app.ratio", "double 0.25"},
                                    {"app.cached", "bool true"},
                                    {"app.owned", "string owned text"},
                                    {"app.big", "double 9223372036854775808"},
                                    {"app.negative", "int -3"}}));
  EXPECT_EQ(seen[1].severity, ev::Severity::kError);
  EXPECT_EQ(seen[1].scope, "other.scope");
  EXPECT_EQ(seen[1].name, "app.fail");
  EXPECT_TRUE(seen[1].attributes.empty());
}

struct Costly {
  int* evaluations;
};
}  // namespace
template <>
struct fmt::formatter<Costly> : fmt::formatter<std::string_view> {
  auto format(const Costly& c, fmt::format_context& ctx) const {
    ++*c.evaluations;
    return fmt::formatter<std::string_view>::format("costly", ctx);
  }
};
namespace {

TEST_F(Events, DisabledEventsDoNotEvaluateTheirFields) {
  int calls = 0;
  auto field = [&calls] {
    ++calls;
    return 1;
  };
  CORETEL_DEBUG("app.debug", ev::kv("app.n", field()));  // below info
  EXPECT_EQ(calls, 0);
  CORETEL_INFO("app.info", ev::kv("app.n", field()));
  EXPECT_EQ(calls, 1);
  // A value fmt formats is formatted only when the event is enabled, too.
  int formatted = 0;
  CORETEL_DEBUG("app.debug", ev::kv("app.c", Costly{&formatted}));
  EXPECT_EQ(formatted, 0);
  CORETEL_WARN("app.warn", ev::kv("app.c", Costly{&formatted}));
  EXPECT_EQ(formatted, 1);
  EXPECT_EQ(capture_->seen().back().attributes[0].second, "string costly");
  // A noop provider for the thread's aspect: not evaluated either.
  ev::set_provider(ev::Aspect::kGlobal, nullptr);
  CORETEL_ERROR("app.error", ev::kv("app.n", field()));
  EXPECT_EQ(calls, 1);
}

TEST_F(Events, ANewFilterReachesCallSitesThatAlreadyRan) {
  auto site = [] { CORETEL_DEBUG("app.step"); };
  site();
  EXPECT_EQ(capture_->seen().size(), 0u);
  auto capture = configure("info,app.events_test=debug");
  site();
  EXPECT_EQ(capture->seen().size(), 1u);
  capture = configure("off");
  site();
  CORETEL_ERROR("app.error");
  EXPECT_EQ(capture->seen().size(), 0u);
}

TEST_F(Events, EachAspectHasItsProvider) {
  auto engine = std::make_shared<Capture>();
  ev::set_provider(ev::Aspect::kEngine, engine);
  std::thread worker([] {
    ev::set_thread_aspect(ev::Aspect::kEngine);
    CORETEL_INFO("app.worker.start");
  });
  worker.join();
  CORETEL_INFO("app.main.start");  // this thread's aspect: global
  ASSERT_EQ(engine->seen().size(), 1u);
  EXPECT_EQ(engine->seen()[0].name, "app.worker.start");
  ASSERT_EQ(capture_->seen().size(), 1u);
  EXPECT_EQ(capture_->seen()[0].name, "app.main.start");
  std::thread unset([] { EXPECT_EQ(ev::thread_aspect(), ev::Aspect::kGlobal); });
  unset.join();
}

TEST(EventsConfiguration, TheInternalAspectCannotFeedItself) {
  ev::EventsConfiguration c;
  c.internal = ev::ProviderMode::kIts;
  try {
    ev::configure_events(c);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "coretel: events provider `its` for aspect `internal`: coretel's own export "
                 "threads would feed their events back into the pipeline they export; use "
                 "console_direct or noop");
  }
  c.internal = ev::ProviderMode::kConsoleAsync;  // asynchronous: it would feed itself too
  EXPECT_THROW(ev::configure_events(c), std::invalid_argument);
  c.internal = ev::ProviderMode::kNoop;
  // Options out of range name the option and the range, and apply nothing.
  c.engine = ev::ProviderMode::kIts;
  c.its.ring_capacity = 1;
  try {
    ev::configure_events(c);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "coretel: events its.ring_capacity 1 is out of range (2 to 65536)");
  }
  c.its.ring_capacity = 1024;
  c.engine = ev::ProviderMode::kOtlp;
  c.batch.max_export_batch_size = 4096;
  try {
    ev::configure_events(c);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "coretel: events batch max_export_batch_size 4096 is out of range (1 to "
                 "max_queue_size, 2048)");
  }
  c.batch.max_export_batch_size = 512;
  c.engine = ev::ProviderMode::kConsoleDirect;
  c.queue_capacity = 0;
  EXPECT_THROW(ev::configure_events(c), std::invalid_argument);
  c.queue_capacity = 2048;
  EXPECT_EQ(ev::provider_mode_named("console_async"), ev::ProviderMode::kConsoleAsync);
  EXPECT_EQ(ev::provider_mode_named("console"), std::nullopt);
  // Warnings of the level come back to the caller; the rest applies.
  c.engine = ev::ProviderMode::kConsoleDirect;
  c.level = "info,x=loud";
  EXPECT_EQ(ev::configure_events(c).size(), 1u);
}

TEST(Severity, EveryNumberOfTheDataModelHasItsShortName) {
  // logs/data-model.md, "Displaying Severity".
  const char* expected[] = {"UNSPECIFIED", "TRACE",  "TRACE2", "TRACE3", "TRACE4", "DEBUG",
                            "DEBUG2",      "DEBUG3", "DEBUG4", "INFO",   "INFO2",  "INFO3",
                            "INFO4",       "WARN",   "WARN2",  "WARN3",  "WARN4",  "ERROR",
                            "ERROR2",      "ERROR3", "ERROR4", "FATAL",  "FATAL2", "FATAL3",
                            "FATAL4"};
  for (int n = 0; n <= 24; ++n)
    EXPECT_EQ(ev::severity_text(static_cast<ev::Severity>(n)), expected[n]) << n;
  EXPECT_EQ(ev::severity_text(static_cast<ev::Severity>(25)), "UNSPECIFIED");
}

TEST_F(Events, EmitRecordHandsARunTimeRecordToTheThreadsProvider) {
  const coretel::AttributeRef attributes[] = {
      {"code.line.number", AttributeValueRef(int64_t{12})}};
  ev::EventRecord r;
  r.time_unix_nano = 1'000;
  r.severity = static_cast<ev::Severity>(21);
  r.severity_text = "CRITICAL";
  r.scope = "app.orders";
  r.body = "order failed";
  r.attributes = attributes;
  ev::emit_record(r);
  const auto seen = capture_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(static_cast<int>(seen[0].severity), 21);
  EXPECT_EQ(seen[0].scope, "app.orders");
  EXPECT_EQ(seen[0].body, "order failed");
  EXPECT_EQ(seen[0].attributes,
            (std::vector<std::pair<std::string, std::string>>{{"code.line.number", "int 12"}}));
  // Not filtered by the level (the binding filters), and noop drops it before the provider.
  ev::set_provider(ev::Aspect::kGlobal, nullptr);
  ev::emit_record(r);
  EXPECT_EQ(capture_->seen().size(), 1u);
}

TEST(ConsoleFormat, ALongOrUnusualSeverityTextStaysOneField) {
  ev::EventRecord r;
  r.time_unix_nano = 1'764'779'400'000'000'000;
  r.severity = ev::Severity::kWarn;
  r.severity_text = "WARNING";
  r.scope = "app";
  r.name = "";
  r.body = "x";
  std::string line;
  ev::format_console(r, line);
  EXPECT_EQ(line, "2025-12-03T16:30:00.000000Z WARNING [app]  \"x\"\n");
  r.severity_text = "my level";
  line.clear();
  ev::format_console(r, line);
  EXPECT_EQ(line, "2025-12-03T16:30:00.000000Z \"my level\" [app]  \"x\"\n");
}

TEST(ConsoleFormat, TheDocumentedLine) {
  const coretel::AttributeRef attributes[] = {
      {"network.transport", AttributeValueRef(std::string_view("tcp"))},
      {"server.port", AttributeValueRef(int64_t{514})},
      {"app.text", AttributeValueRef(std::string_view("two words \"quoted\" a=b\\"))},
      {"app.forged", AttributeValueRef(std::string_view("x\n2026-01-01T00:00:00Z ERROR \x01"))},
      {"app.bad_utf8", AttributeValueRef(std::string_view("caf\xc3"))},
      {"app.empty", AttributeValueRef(std::string_view(""))},
      {"app.ratio", AttributeValueRef(1.5)},
      {"app.ok", AttributeValueRef(false)}};
  ev::EventRecord r;
  r.time_unix_nano = 1'764'779'400'123'456'789;  // 2025-12-03T16:30:00.123456789Z
  r.severity = ev::Severity::kWarn;
  r.scope = "syslog.receiver";
  r.name = "syslog.receiver.start";
  r.body = "ready";
  r.attributes = attributes;
  std::string line;
  ev::format_console(r, line);
  EXPECT_EQ(line,
            "2025-12-03T16:30:00.123456Z WARN  [syslog.receiver] syslog.receiver.start \"ready\" "
            "network.transport=tcp server.port=514 app.text=\"two words \\\"quoted\\\" a=b\\\\\" "
            "app.forged=\"x\\n2026-01-01T00:00:00Z ERROR \\x01\" app.bad_utf8=\"caf\xEF\xBF\xBD\" "
            "app.empty=\"\" app.ratio=1.5 app.ok=false\n");
}

}  // namespace
