// The `its` provider (src/events/its_provider.h): per-thread rings drained by one collector
// thread into the console, the recent-events view (/api/v1/telemetry/events) and the OTLP logs
// processor. Exact records out of each, a full ring dropped and counted exactly, rings of ended
// threads drained, and no event lost unseen when a stop races the emitters.
#define CORETEL_EVENT_SCOPE "app.its_test"
#include "its_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "coretel/events/console_format.h"
#include "coretel/events/emit.h"
#include "stderr_capture.h"

namespace {

namespace ev = coretel::events;
using coretel::AttributeRef;
using coretel::AttributeValueRef;
using coretel_events_test::StderrToFile;
using std::chrono::milliseconds;

ev::ItsOptions quiet(std::size_t ring, std::size_t recent) {
  ev::ItsOptions o;
  o.ring_capacity = ring;
  o.recent_capacity = recent;
  o.console = false;
  o.interval = milliseconds(10);
  return o;
}

void emit_n(ev::EventProvider& p, int64_t n, int64_t first = 0) {
  for (int64_t i = first; i < first + n; ++i) {
    const AttributeRef attributes[] = {{"app.n", AttributeValueRef(i)}};
    ev::EventRecord r;
    r.time_unix_nano = 1'000 + static_cast<uint64_t>(i);
    r.observed_time_unix_nano = r.time_unix_nano;
    r.severity = ev::Severity::kInfo;
    r.name = "app.step";
    r.scope = "app.its_test";
    r.attributes = attributes;
    p.emit(r);
  }
}

std::vector<int64_t> recent_ns(const ev::ItsProvider& p) {
  std::vector<int64_t> out;
  const nlohmann::json view = nlohmann::json::parse(p.recent_json(65536));
  for (const auto& e : view["events"]) out.push_back(e["attributes"]["app.n"].get<int64_t>());
  return out;
}

TEST(Its, TheRecentEventsViewHoldsTheNewestRecordsExactly) {
  ev::ItsProvider p(quiet(64, 3), nullptr);
  ev::set_thread_aspect(ev::Aspect::kEngine);
  const AttributeRef attributes[] = {{"server.port", AttributeValueRef(int64_t{514})},
                                     {"app.ratio", AttributeValueRef(0.25)},
                                     {"app.ok", AttributeValueRef(true)},
                                     {"app.peer", AttributeValueRef(std::string_view("a\"b"))}};
  ev::EventRecord r;
  r.time_unix_nano = 1'764'779'400'123'456'789;
  r.observed_time_unix_nano = r.time_unix_nano + 1;
  r.severity = ev::Severity::kWarn;
  r.name = "app.parse.fail";
  r.scope = "app.its_test";
  r.body = "line 1";
  r.attributes = attributes;
  r.trace.trace_id[15] = 1;
  r.trace.span_id[0] = 0xff;
  r.trace.flags = 1;
  emit_n(p, 3);
  p.emit(r);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  const auto view = nlohmann::json::parse(p.recent_json(65536));
  EXPECT_EQ(view["enabled"], true);
  EXPECT_EQ(view["capacity"], 3);
  ASSERT_EQ(view["events"].size(), 3u);  // the newest 3 of 4, oldest first
  EXPECT_EQ(view["events"][0]["attributes"]["app.n"], 1);
  EXPECT_EQ(view["events"][2], nlohmann::json::parse(R"({
    "time_unix_nano": "1764779400123456789", "observed_time_unix_nano": "1764779400123456790",
    "severity_number": 13, "severity_text": "WARN", "event_name": "app.parse.fail",
    "scope": "app.its_test", "aspect": "engine", "body": "line 1",
    "attributes": {"server.port": 514, "app.ratio": 0.25, "app.ok": true, "app.peer": "a\"b"},
    "dropped_attributes_count": 0,
    "trace_id": "00000000000000000000000000000001", "span_id": "ff00000000000000"})"));
  // A limit keeps the newest.
  const auto last = nlohmann::json::parse(p.recent_json(1));
  ASSERT_EQ(last["events"].size(), 1u);
  EXPECT_EQ(last["events"][0]["event_name"], "app.parse.fail");
}

TEST(Its, AFullRingDropsAndCountsExactly) {
  ev::set_thread_aspect(ev::Aspect::kEngine);
  const uint64_t before = ev::dropped_events(ev::Aspect::kEngine, ev::DropReason::kQueueFull);
  StderrToFile captured;
  {
    ev::ItsProvider p(quiet(4, 64), nullptr, /*start=*/false);
    emit_n(p, 10);
    EXPECT_EQ(ev::dropped_events(ev::Aspect::kEngine, ev::DropReason::kQueueFull) - before, 6u);
    p.start();
    ASSERT_TRUE(p.flush(milliseconds(5000)));
    EXPECT_EQ(recent_ns(p), (std::vector<int64_t>{0, 1, 2, 3}));
    p.stop();
  }
  captured.restore();
  EXPECT_EQ(captured.text(),
            "coretel: 6 events dropped since the last report: the its ring of the emitting "
            "thread (4 events) was full (coretel::events::dropped_events counts them by "
            "aspect)\n");
  ev::set_thread_aspect(ev::Aspect::kGlobal);
}

TEST(Its, EachThreadHasItsRingAndAnEndedThreadsEventsAreKept) {
  ev::ItsProvider p(quiet(8, 64), nullptr);
  std::vector<std::thread> threads;
  for (int64_t t = 0; t < 3; ++t)
    threads.emplace_back([&p, t] { emit_n(p, 8, t * 100); });  // 8 each: each ring's capacity
  for (auto& t : threads) t.join();  // ended before the drain: their rings are kept until then
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  std::vector<int64_t> got = recent_ns(p);
  std::sort(got.begin(), got.end());
  std::vector<int64_t> want;
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t i = 0; i < 8; ++i) want.push_back(t * 100 + i);
  EXPECT_EQ(got, want);
}

// The collector drains each interval, and as soon as a ring is half full: a thread logging
// faster than a ring per interval is not dropped for the interval's length.
TEST(Its, AHalfFullRingWakesTheCollectorBeforeItsInterval) {
  ev::ItsOptions o = quiet(8, 64);
  o.interval = milliseconds(10000);
  ev::ItsProvider p(o, nullptr);
  std::this_thread::sleep_for(milliseconds(100));  // past the collector's first drain: it waits
  emit_n(p, 3);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(recent_ns(p), (std::vector<int64_t>{})) << "3 of 8 wait for the interval";
  emit_n(p, 1, 3);  // 4 of 8: half full
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (recent_ns(p).size() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(recent_ns(p), (std::vector<int64_t>{0, 1, 2, 3}));
}

// In steady traffic the collector wakes itself before a ring is half full, so the emitting
// thread does not wake it (a system call) at each half ring; once traffic stops, a half-full
// ring wakes it again at once.
TEST(Its, InSteadyTrafficTheCollectorWakesItselfThenAHalfFullRingWakesItAgain) {
  ev::ItsOptions o = quiet(256, 8192);
  o.interval = milliseconds(10000);
  ev::ItsProvider p(o, nullptr);
  // About 8 events a millisecond for 600 ms: half a ring (128) about every 16 ms.
  int64_t emitted = 0;
  const auto until = std::chrono::steady_clock::now() + milliseconds(600);
  while (std::chrono::steady_clock::now() < until) {
    emit_n(p, 8, emitted);
    emitted += 8;
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(p.flush(milliseconds(10000)));
  EXPECT_EQ(recent_ns(p).size(), static_cast<std::size_t>(emitted)) << "none dropped";
  // Without pacing, every half ring is a wake: emitted / 128 of them.
  EXPECT_LE(p.wakes() * 4, static_cast<uint64_t>(emitted / 128)) << p.wakes() << " wakes";
  std::this_thread::sleep_for(milliseconds(300));
  const uint64_t wakes = p.wakes();
  emit_n(p, 128, emitted);  // half a ring, at once
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (recent_ns(p).size() < static_cast<std::size_t>(emitted + 128) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(recent_ns(p).size(), static_cast<std::size_t>(emitted + 128));
  EXPECT_EQ(p.wakes(), wakes + 1);
}

// A record larger than a ring's block (a long body, a stack trace) is spilled to the heap like
// the queued providers' (it goes whole to the OTLP processor: otlp_logs_test.cc); the
// recent-events view keeps it cut to the block, and the heap copy is released once handled.
TEST(Its, ARecordLargerThanItsBlockIsSpilledAndTheViewKeepsItCut) {
  ev::ItsProvider p(quiet(8, 8), nullptr, /*start=*/false);
  const std::string body(5000, 'b');
  ev::EventRecord r;
  r.time_unix_nano = 1;
  r.severity = ev::Severity::kError;
  r.scope = "app.its_test";
  r.body = body;
  p.emit(r);
  EXPECT_GT(ev::spilled_bytes(), 5000u);  // the whole record waits in the heap
  p.start();
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  EXPECT_EQ(ev::spilled_bytes(), 0u);
  const nlohmann::json view = nlohmann::json::parse(p.recent_json(8));
  ASSERT_EQ(view["events"].size(), 1u);
  const std::string kept = view["events"][0]["body"].get<std::string>();
  EXPECT_LT(kept.size(), ev::EncodedEvent::kBytes);
  EXPECT_GT(kept.size(), 100u);
  EXPECT_EQ(kept, body.substr(0, kept.size()));
}

TEST(Its, TheConsoleGetsTheDocumentedLine) {
  StderrToFile captured;
  std::string expected;
  {
    ev::ItsOptions o = quiet(8, 0);
    o.console = true;
    ev::ItsProvider p(o, nullptr);
    const AttributeRef attributes[] = {{"app.n", AttributeValueRef(int64_t{7})}};
    ev::EventRecord r;
    r.time_unix_nano = 1'764'779'400'000'000'000;
    r.severity = ev::Severity::kError;
    r.name = "app.fail";
    r.scope = "app.its_test";
    r.attributes = attributes;
    p.emit(r);
    ev::format_console(r, expected);
    ASSERT_TRUE(p.flush(milliseconds(5000)));
    p.stop();
  }
  captured.restore();
  EXPECT_EQ(captured.text(), expected);
  EXPECT_EQ(expected, "2025-12-03T16:30:00.000000Z ERROR [app.its_test] app.fail app.n=7\n");
}

// Emitters racing stop(): every event is in the view, or dropped and counted.
TEST(Its, EveryEventRacingAStopIsDrainedOrCounted) {
  constexpr int kThreads = 4, kEach = 3000;
  auto drops = [] {
    uint64_t total = 0;
    for (ev::DropReason r : {ev::DropReason::kQueueFull, ev::DropReason::kShutdown})
      total += ev::dropped_events(ev::Aspect::kEngine, r);
    return total;
  };
  const uint64_t drops_before = drops();
  StderrToFile captured;  // the drop reports
  ev::ItsProvider p(quiet(64, 65536), nullptr);
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&p, &started] {
      ev::set_thread_aspect(ev::Aspect::kEngine);
      started.fetch_add(1);
      emit_n(p, kEach);
    });
  while (started.load() < kThreads) std::this_thread::yield();
  EXPECT_TRUE(p.stop(milliseconds(10000)));
  for (auto& t : threads) t.join();
  captured.restore();
  EXPECT_EQ(recent_ns(p).size() + (drops() - drops_before), uint64_t{kThreads} * kEach);
}

TEST(Its, ConfiguredItsServesTheViewAndShutsDown) {
  ev::EventsConfiguration c;
  c.global = ev::ProviderMode::kIts;
  c.its.console = false;
  c.its.recent_capacity = 16;
  ASSERT_TRUE(ev::configure_events(c).empty());
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  for (int64_t i = 0; i < 3; ++i) CORETEL_INFO("app.step", ev::kv("app.n", i));
  ASSERT_TRUE(ev::flush_events(milliseconds(5000)));
  const auto view = nlohmann::json::parse(ev::recent_events_json());
  ASSERT_EQ(view["events"].size(), 3u);
  EXPECT_EQ(view["events"][2]["event_name"], "app.step");
  EXPECT_EQ(view["events"][2]["scope"], "app.its_test");
  EXPECT_EQ(view["events"][2]["aspect"], "global");
  const uint64_t shutdown_drops =
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kShutdown);
  EXPECT_TRUE(ev::shutdown_events(milliseconds(5000)));
  CORETEL_INFO("app.step", ev::kv("app.n", 3));  // after: dropped, counted
  EXPECT_EQ(ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kShutdown) - shutdown_drops,
            1u);
  EXPECT_EQ(nlohmann::json::parse(ev::recent_events_json())["enabled"], false);
}

}  // namespace
