// The console_async provider (src/events/console_async.h) and the block it queues
// (src/events/encoded_event.h): a record survives the copy exactly, what does not fit is cut or
// counted, a full queue drops and counts exactly, and the writer writes the queued lines and
// says how many were dropped.
#define CORETEL_EVENT_SCOPE "app.async_test"
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "console_async.h"
#include "coretel/collect/pipeline.h"
#include "coretel/events/console_format.h"
#include "coretel/events/emit.h"
#include "encoded_event.h"
#include "stderr_capture.h"

namespace {

namespace ev = coretel::events;
using coretel::AttributeRef;
using coretel::AttributeValueRef;
using coretel_events_test::StderrToFile;

ev::EventRecord record_of(std::span<const AttributeRef> attributes, std::string_view body = "") {
  ev::EventRecord r;
  r.time_unix_nano = 1'764'779'400'123'456'789;
  r.observed_time_unix_nano = r.time_unix_nano + 5;
  r.severity = ev::Severity::kWarn;
  r.name = "app.request.fail";
  r.scope = "app.server";
  r.body = body;
  r.attributes = attributes;
  r.trace.trace_id[15] = 7;
  r.trace.span_id[0] = 9;
  r.trace.flags = 1;
  return r;
}

std::string line_of(const ev::EventRecord& r) {
  std::string s;
  ev::format_console(r, s);
  return s;
}

TEST(EncodedEvent, ARecordSurvivesTheCopyExactly) {
  const AttributeRef attributes[] = {{"http.route", AttributeValueRef(std::string_view("/a b"))},
                                     {"server.port", AttributeValueRef(int64_t{-8080})},
                                     {"app.ratio", AttributeValueRef(0.25)},
                                     {"app.ok", AttributeValueRef(true)}};
  const ev::EventRecord in = record_of(attributes, "body text");
  ev::EncodedEvent e;
  ev::encode(in, 2, e);
  ev::DecodedEvent out;
  ev::decode(e, out);
  EXPECT_EQ(e.aspect, 2);
  EXPECT_EQ(out.record.dropped_attributes_count, 0u);
  EXPECT_EQ(out.record.time_unix_nano, in.time_unix_nano);
  EXPECT_EQ(out.record.observed_time_unix_nano, in.observed_time_unix_nano);
  EXPECT_EQ(out.record.trace.trace_id, in.trace.trace_id);
  EXPECT_EQ(out.record.trace.span_id, in.trace.span_id);
  EXPECT_EQ(out.record.trace.flags, 1);
  EXPECT_EQ(line_of(out.record), line_of(in));  // name, scope, severity, body, every attribute
  ASSERT_EQ(out.attributes.size(), 4u);
  EXPECT_EQ(out.attributes[1].value, AttributeValueRef(int64_t{-8080}));
  EXPECT_EQ(out.attributes[3].value, AttributeValueRef(true));
}

TEST(EncodedEvent, ABindingsSeverityTextSurvivesTheCopy) {
  ev::EventRecord in = record_of({}, "");
  in.severity = static_cast<ev::Severity>(14);  // WARN2: Python's level 31
  in.severity_text = "Level 31";
  ev::EncodedEvent e;
  ev::encode(in, 0, e);
  ev::DecodedEvent out;
  ev::decode(e, out);
  EXPECT_EQ(static_cast<int>(out.record.severity), 14);
  EXPECT_EQ(out.record.exported_severity_text(), "Level 31");
  // Cut to 31 bytes; an empty one stays empty (the number's short name is exported).
  in.severity_text = std::string_view("WARNING-WARNING-WARNING-WARNING-WARNING");
  ev::encode(in, 0, e);
  ev::decode(e, out);
  EXPECT_EQ(out.record.severity_text, "WARNING-WARNING-WARNING-WARNING");
  in.severity_text = {};
  ev::encode(in, 0, e);
  ev::decode(e, out);
  EXPECT_EQ(out.record.exported_severity_text(), "WARN2");
}

TEST(EncodedEvent, WhatDoesNotFitIsCutOrCounted) {
  const std::string bigger(500, 'y');
  const AttributeRef attributes[] = {{"app.first", AttributeValueRef(int64_t{1})},
                                     {"app.big", AttributeValueRef(std::string_view(bigger))},
                                     {"app.last", AttributeValueRef(int64_t{2})}};
  // A body of 300 bytes whose cut would fall inside a 2-byte UTF-8 sequence.
  std::string body;
  for (int i = 0; i < 150; ++i) body += "\xC3\xA9";  // é, 300 bytes
  const ev::EventRecord in = record_of(attributes, body);
  ev::EncodedEvent e;
  ev::encode(in, 0, e);
  ev::DecodedEvent out;
  ev::decode(e, out);
  EXPECT_EQ(out.record.dropped_attributes_count, 1u);  // app.big: over the room left
  EXPECT_TRUE(line_of(out.record).ends_with(" app.first=1 app.last=2 [dropped attributes: 1]\n"))
      << line_of(out.record);
  ASSERT_EQ(out.attributes.size(), 2u);
  EXPECT_EQ(out.attributes[0].key, "app.first");
  EXPECT_EQ(out.attributes[1].key, "app.last");
  EXPECT_LT(out.record.body.size(), body.size());
  EXPECT_EQ(out.record.body.size() % 2, 0u);  // cut between two characters, not inside one
  EXPECT_EQ(out.record.body, std::string_view(body).substr(0, out.record.body.size()));
}

TEST(ConsoleAsync, AFullQueueDropsAndCountsAndTheWriterSaysSo) {
  ev::set_thread_aspect(ev::Aspect::kEngine);
  const uint64_t before = ev::dropped_events(ev::Aspect::kEngine, ev::DropReason::kQueueFull);
  StderrToFile captured;
  std::string expected;
  {
    ev::ConsoleAsyncProvider provider(4, /*start=*/false);
    for (int64_t i = 0; i < 10; ++i) {
      const AttributeRef attributes[] = {{"app.n", AttributeValueRef(i)}};
      const ev::EventRecord r = record_of(attributes);
      provider.emit(r);
      if (i < 4) expected += line_of(r);
    }
    EXPECT_EQ(ev::dropped_events(ev::Aspect::kEngine, ev::DropReason::kQueueFull) - before, 6u);
    // coretel's self-metrics carry them: coretel.events.dropped, observed by collector 0.
    coretel::CollectionPipeline pipeline;
    pipeline.collect_now();
    pipeline.collect_now();  // the observation, then its merge
    uint64_t exported = 0;
    for (const auto& view : pipeline.views())
      for (const auto& s : view->series()) {
        if (s.info->descriptor->name != "coretel.events") continue;
        for (uint32_t c = 0; c < s.info->combination_count; ++c) {
          const auto values = s.info->combination_values(c);
          if (view->observed(s, c) && values[0] == "engine" && values[1] == "queue_full")
            exported = view->field_words(s, c, 0)[0];
        }
      }
    EXPECT_EQ(exported, before + 6);
    provider.start();
    EXPECT_TRUE(provider.flush(std::chrono::seconds(5)));
    provider.stop();
  }
  captured.restore();
  expected +=
      "coretel: 6 events dropped since the last report: the console_async queue (4 events) was "
      "full (coretel::events::dropped_events counts them by aspect)\n";
  EXPECT_EQ(captured.text(), expected);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
}

// A record larger than a block is written whole (spilled, then released); a full queue frees what
// it refused.
TEST(ConsoleAsync, ARecordLargerThanABlockIsWrittenWhole) {
  StderrToFile captured;
  const std::string body(3000, 'x');
  std::string expected;
  {
    ev::ConsoleAsyncProvider provider(1, /*start=*/false);
    const ev::EventRecord r = record_of({}, body);
    provider.emit(r);
    provider.emit(r);  // refused: the queue holds 1
    expected = line_of(r);
    EXPECT_GT(ev::spilled_bytes(), 3000u);
    provider.start();
    EXPECT_TRUE(provider.flush(std::chrono::seconds(5)));
    provider.stop();
  }
  captured.restore();
  EXPECT_EQ(ev::spilled_bytes(), 0u);
  const std::string text = captured.text();
  ASSERT_GE(text.size(), expected.size());
  EXPECT_EQ(text.substr(0, expected.size()), expected);  // then the drop line
}

// Emitters racing stop(): every event is written, or dropped and counted (queue full before the
// stop, shutdown after), none lost without a count.
TEST(ConsoleAsync, EveryEventRacingAStopIsWrittenOrCounted) {
  constexpr int kThreads = 4, kEach = 3000;
  auto drops = [] {
    uint64_t total = 0;
    for (ev::Aspect a : {ev::Aspect::kEngine, ev::Aspect::kGlobal})
      for (ev::DropReason r : {ev::DropReason::kQueueFull, ev::DropReason::kShutdown})
        total += ev::dropped_events(a, r);
    return total;
  };
  const uint64_t drops_before = drops();
  StderrToFile captured;
  {
    ev::ConsoleAsyncProvider provider(64);
    std::atomic<int> started{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&provider, &started] {
        ev::set_thread_aspect(ev::Aspect::kEngine);
        const AttributeRef attributes[] = {{"app.n", AttributeValueRef(int64_t{1})}};
        const ev::EventRecord r = record_of(attributes);
        started.fetch_add(1);
        for (int i = 0; i < kEach; ++i) provider.emit(r);
      });
    while (started.load() < kThreads) std::this_thread::yield();
    EXPECT_TRUE(provider.stop(std::chrono::seconds(10)));
    for (auto& t : threads) t.join();
  }
  captured.restore();
  uint64_t lines = 0;
  std::istringstream text(captured.text());
  for (std::string line; std::getline(text, line);)
    if (!line.starts_with("coretel: ")) ++lines;  // the drop reports are not events
  EXPECT_EQ(lines + (drops() - drops_before), uint64_t{kThreads} * kEach);
}

TEST(ConsoleAsync, ConfiguredShutdownWritesWhatIsQueued) {
  const uint64_t shutdown_drops =
      ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kShutdown);
  StderrToFile captured;
  ev::EventsConfiguration c;
  c.global = ev::ProviderMode::kConsoleAsync;
  c.queue_capacity = 64;
  ASSERT_TRUE(ev::configure_events(c).empty());
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  for (int64_t i = 0; i < 3; ++i) CORETEL_INFO("app.step", ev::kv("app.n", i));
  EXPECT_TRUE(ev::shutdown_events(std::chrono::seconds(5)));
  EXPECT_TRUE(ev::shutdown_events(std::chrono::seconds(5)));  // idempotent
  CORETEL_INFO("app.step", ev::kv("app.n", 3));               // after: dropped, counted
  captured.restore();
  std::vector<std::string> lines;
  std::istringstream text(captured.text());
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << captured.text();
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(lines[static_cast<std::size_t>(i)].ends_with(
        "Z INFO  [app.async_test] app.step app.n=" + std::to_string(i)))
        << lines[static_cast<std::size_t>(i)];
  EXPECT_EQ(ev::dropped_events(ev::Aspect::kGlobal, ev::DropReason::kShutdown) - shutdown_drops,
            1u);
}

}  // namespace
