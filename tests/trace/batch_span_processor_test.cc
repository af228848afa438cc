// The batch span processor (coretel/trace/span_processor.h): every sampled span exported once,
// from any number of threads, ended threads included; a full queue drops and counts exactly; a
// failing exporter's spans are counted; shutdown() exports what is queued, and a span ending
// while it runs is exported or counted. Also: a non-recording span allocates nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "../collect/allocation_counter.h"
#include "coretel/trace/span.h"

namespace {

namespace tr = coretel::trace;
using namespace std::chrono_literals;

// An exporter that can be held inside export_spans() until released, and made to fail.
class GatedExporter final : public tr::SpanExporter {
 public:
  tr::ExportResult export_spans(std::span<const tr::SpanData> spans,
                                std::chrono::steady_clock::time_point) noexcept override {
    std::unique_lock lock(mutex_);
    ++calls_;
    entered_.notify_all();
    released_.wait(lock, [&] { return open_; });
    for (const tr::SpanData& s : spans) names_.push_back(s.name);
    return fail_ ? tr::ExportResult::kFailure : tr::ExportResult::kSuccess;
  }
  void hold() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    released_.notify_all();
  }
  void wait_for_call(int n) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(entered_.wait_for(lock, 10s, [&] { return calls_ >= n; }));
  }
  void fail() {
    std::lock_guard lock(mutex_);
    fail_ = true;
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable entered_, released_;
  int calls_ = 0;
  bool open_ = true;
  bool fail_ = false;
  std::vector<std::string> names_;
};

tr::BatchSpanProcessorOptions slow(std::size_t queue, std::size_t batch) {
  // Exports come from force_flush(), shutdown() or a full batch, never from the timer.
  return {.schedule_delay = 60s,
          .export_timeout = 10s,
          .max_queue_size = queue,
          .max_export_batch_size = batch};
}

TEST(BatchSpanProcessor, ExportsEverySpanOnceFromManyThreadsIncludingEndedOnes) {
  auto exporter = std::make_shared<GatedExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(exporter, slow(4096, 64));
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  constexpr int kThreads = 4, kSpans = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSpans; ++i) tracer.start_span(std::to_string(t * kSpans + i));
    });
  for (auto& t : threads) t.join();  // their queues are orphaned now, not empty yet
  ASSERT_TRUE(provider.force_flush(10s));
  const std::vector<std::string> names = exporter->names();
  EXPECT_EQ(names.size(), std::size_t{kThreads * kSpans});
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(),
            std::size_t{kThreads * kSpans});
  const tr::BatchSpanStats stats = batch->stats();
  EXPECT_EQ(stats.exported, uint64_t{kThreads * kSpans});
  EXPECT_EQ(stats.dropped_queue_full, 0u);
  EXPECT_EQ(stats.export_failed, 0u);
  EXPECT_GE(stats.exports, uint64_t{kThreads * kSpans / 64});  // batches of at most 64
}

TEST(BatchSpanProcessor, AFullQueueDropsAndCountsExactly) {
  auto exporter = std::make_shared<GatedExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(exporter, slow(8, 8));
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  exporter->hold();
  for (int i = 0; i < 8; ++i) tracer.start_span("first");  // a full batch wakes the thread
  exporter->wait_for_call(1);  // it took all 8 and is held inside the export
  for (int i = 0; i < 10; ++i) tracer.start_span("second");  // 8 fit, 2 do not
  EXPECT_EQ(batch->stats().dropped_queue_full, 2u);
  exporter->release();
  ASSERT_TRUE(provider.force_flush(10s));
  const tr::BatchSpanStats stats = batch->stats();
  EXPECT_EQ(stats.exported, 16u);
  EXPECT_EQ(stats.dropped_queue_full, 2u);
  EXPECT_EQ(exporter->names().size(), 16u);
}

TEST(BatchSpanProcessor, AFailedExportIsCounted) {
  auto exporter = std::make_shared<GatedExporter>();
  exporter->fail();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(exporter, slow(64, 64));
  tr::TracerProvider provider({.processors = {batch}});
  for (int i = 0; i < 5; ++i) provider.tracer("test").start_span("lost");
  ASSERT_TRUE(provider.force_flush(10s));
  EXPECT_EQ(batch->stats().export_failed, 5u);
  EXPECT_EQ(batch->stats().exported, 0u);
}

// Whether `batch` exported `n` spans within `timeout`, without a force_flush().
bool exported_within(const tr::BatchSpanProcessor& batch, uint64_t n,
                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (batch.stats().exported < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(BatchSpanProcessor, InSteadyTrafficTheExportThreadWakesItselfThenFullBatchesWakeItAgain) {
  auto exporter = std::make_shared<GatedExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(exporter, slow(2048, 256));
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  // About 64 spans a millisecond for 300 ms: a batch about every 4 ms.
  uint64_t ended = 0;
  const auto until = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 64; ++i, ++ended) tracer.start_span("steady");
    std::this_thread::sleep_for(1ms);
  }
  // Every span exported in batches, few of them woken by this thread: without pacing each batch
  // is a wake (schedule_delay is 60 s). The last spans, less than a batch, may wait for the
  // timer: flushed.
  ASSERT_TRUE(provider.force_flush(10s));
  tr::BatchSpanStats stats = batch->stats();
  EXPECT_EQ(stats.exported, ended);
  EXPECT_EQ(stats.dropped_queue_full, 0u);
  EXPECT_GE(stats.exports, ended / 256);
  EXPECT_LE(stats.wakes * 4, stats.exports)
      << stats.wakes << " wakes, " << stats.exports << " exports";
  // Quiet: the export thread stops pacing, and a full batch wakes it again at once (not after
  // schedule_delay, 60 s).
  std::this_thread::sleep_for(300ms);
  const uint64_t wakes = batch->stats().wakes;
  for (int i = 0; i < 256; ++i) tracer.start_span("burst");
  ASSERT_TRUE(exported_within(*batch, ended + 256, 10s));
  stats = batch->stats();
  EXPECT_EQ(stats.wakes, wakes + 1);
  EXPECT_EQ(stats.dropped_queue_full, 0u);
}

TEST(BatchSpanProcessor, ShutdownExportsWhatIsQueuedThenCountsLaterSpans) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(memory, slow(64, 64));
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  for (int i = 0; i < 5; ++i) tracer.start_span("queued");
  EXPECT_TRUE(memory->spans().empty());  // the timer is a minute away
  ASSERT_TRUE(provider.shutdown(10s));
  EXPECT_EQ(memory->spans().size(), 5u);
  tracer.start_span("late");
  EXPECT_EQ(batch->stats().dropped_shutdown, 1u);
  EXPECT_EQ(memory->spans().size(), 5u);
  EXPECT_TRUE(batch->shutdown(1s));  // idempotent
}

TEST(BatchSpanProcessor, EverySpanRacingShutdownIsExportedOrCounted) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(
      memory, tr::BatchSpanProcessorOptions{
                  .schedule_delay = 1ms, .max_queue_size = 65534, .max_export_batch_size = 512});
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  constexpr int kThreads = 4, kSpans = 3000;
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      started.fetch_add(1);
      for (int i = 0; i < kSpans; ++i) tracer.start_span("racing");
    });
  while (started.load() < kThreads) std::this_thread::yield();
  ASSERT_TRUE(provider.shutdown(10s));
  for (auto& t : threads) t.join();
  const tr::BatchSpanStats stats = batch->stats();
  EXPECT_EQ(stats.exported, memory->spans().size());
  EXPECT_EQ(stats.exported + stats.dropped_shutdown + stats.dropped_queue_full,
            uint64_t{kThreads * kSpans});
  EXPECT_EQ(stats.dropped_queue_full, 0u);
}

TEST(BatchSpanProcessor, SpansTooBigForBytesOrWithLinksAreExportedWhole) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(memory, slow(64, 64));
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("test");
  const std::string big(tr::BatchSpanProcessor::kMaxEncodedBytes, 'x');
  const tr::SpanContext linked{.trace_id = tr::TraceId{{7}},
                               .span_id = tr::SpanId{{8}},
                               .flags = 1,
                               .trace_state = {},
                               .remote = false};
  {
    tr::Span span = tracer.start_span("big");
    span.set_attribute("payload", big);
  }
  tracer.start_span("linked", {.links = {{linked, {{"k", std::string("v")}}, 0}}});
  tracer.start_span("small");
  ASSERT_TRUE(provider.force_flush(10s));
  const std::vector<tr::SpanData> spans = memory->spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].name, "big");
  EXPECT_EQ(spans[0].attributes, (std::vector<coretel::Attribute>{{"payload", big}}));
  EXPECT_EQ(spans[1].name, "linked");
  ASSERT_EQ(spans[1].links.size(), 1u);
  EXPECT_EQ(spans[1].links[0].context, linked);
  EXPECT_EQ(spans[1].links[0].attributes,
            (std::vector<coretel::Attribute>{{"k", std::string("v")}}));
  EXPECT_EQ(spans[2].name, "small");
  EXPECT_TRUE(spans[2].links.empty());
  EXPECT_EQ(batch->stats().exported, 3u);
}

TEST(BatchSpanProcessor, EachProcessorOfAProviderSeesEverySpan) {
  auto queued = std::make_shared<tr::InMemorySpanExporter>();
  auto direct = std::make_shared<tr::InMemorySpanExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(queued, slow(64, 64));
  tr::TracerProvider provider(
      {.processors = {std::make_shared<tr::SimpleSpanProcessor>(direct), batch}});
  for (int i = 0; i < 3; ++i) {
    tr::Span span = provider.tracer("test").start_span("span " + std::to_string(i));
    span.set_attribute("i", int64_t{i});
  }
  ASSERT_TRUE(provider.force_flush(10s));
  ASSERT_EQ(direct->spans().size(), 3u);
  EXPECT_EQ(queued->spans(), direct->spans());
  EXPECT_EQ(direct->spans()[2].attributes, (std::vector<coretel::Attribute>{{"i", int64_t{2}}}));
}

TEST(BatchSpanProcessor, SampledOutSpansAreNotExported) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  auto batch = std::make_shared<tr::BatchSpanProcessor>(memory, slow(64, 64));
  // Record-only: processors see it, exporters do not (trace/sdk.md, "Sampling").
  class RecordOnly final : public tr::Sampler {
   public:
    tr::SamplingResult should_sample(const tr::SamplingParameters&) const override {
      return {tr::SamplingDecision::kRecordOnly, std::nullopt};
    }
    std::string description() const override { return "RecordOnly"; }
  };
  tr::TracerProvider provider({.sampler = std::make_shared<RecordOnly>(), .processors = {batch}});
  tr::Span span = provider.tracer("test").start_span("recorded");
  EXPECT_TRUE(span.is_recording());
  span.end();
  ASSERT_TRUE(provider.force_flush(10s));
  EXPECT_TRUE(memory->spans().empty());
  EXPECT_EQ(batch->stats().exported, 0u);
}

TEST(BatchSpanProcessor, OptionsOutOfRangeAreRefusedByName) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  auto refused = [&](tr::BatchSpanProcessorOptions o) -> std::string {
    try {
      tr::BatchSpanProcessor p(memory, o);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(refused({.schedule_delay = 0ms}),
            "coretel: span batch schedule_delay must be above 0 ms");
  EXPECT_EQ(refused({.max_queue_size = 70000}),
            "coretel: span batch max_queue_size 70000 is out of range (1 to 65534)");
  EXPECT_EQ(refused({.max_queue_size = 16, .max_export_batch_size = 17}),
            "coretel: span batch max_export_batch_size 17 is out of range (1 to "
            "max_queue_size, 16)");
}

TEST(Span, ANonRecordingSpanAllocatesNothing) {
  tr::TracerProvider provider({.sampler = tr::parent_based(tr::always_off())});
  const tr::Tracer tracer = provider.tracer("test");
  // A sampled-out parent with a tracestate: the child shares it.
  tr::SpanContext parent{.trace_id = tr::TraceId{{1}},
                         .span_id = tr::SpanId{{2}},
                         .flags = 0,
                         .trace_state = tr::TraceState().with("vendor", "x").value(),
                         .remote = true};
  const tr::Context context{parent, {}};
  tracer.start_span("warm-up", {.parent = &context});  // the thread's id generator
  uint64_t allocations = 0;
  {
    const coretel_test::AllocationCounter counter;
    for (int i = 0; i < 100; ++i) {
      tr::Span span = tracer.start_span("dropped");
      span.set_attribute("key", int64_t{1});
      tr::Span child = tracer.start_span("child", {.parent = &context});
      child.add_event("e");
    }
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
