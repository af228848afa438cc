// The batch span processor (span_processor.h has the contract): per-thread queues of ended
// spans, drained by one export thread.
#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <boost/lockfree/spsc_queue.hpp>

#include "../common/asymmetric_barrier.h"
#include "../common/batch_options.h"
#include "../common/pacing.h"
#include "../common/per_thread.h"
#include "coretel/trace/span_processor.h"
#include "encoded_span.h"

namespace coretel::trace {

namespace {

using detail::busy_then_stopping;
using std::chrono::milliseconds;

// One thread's ended spans, as bytes: that thread pushes, the export thread pops (Boost.Lockfree
// spsc_queue: wait-free, bounded, its release/acquire order the bytes). `sizes` holds one entry a
// span, the length of its bytes in `bytes`, or kHeapCopy: then `bytes` holds a SpanData* the
// export thread deletes. The bytes are pushed first, so a size popped has its bytes there.
constexpr uint32_t kHeapCopy = UINT32_MAX;

// The SpanData* a kHeapCopy entry's bytes hold; the caller owns it.
SpanData* pop_heap_copy(boost::lockfree::spsc_queue<char>& bytes) noexcept {
  SpanData* copy = nullptr;
  bytes.pop(reinterpret_cast<char*>(&copy), sizeof copy);
  return copy;
}

struct SpanQueue {
  explicit SpanQueue(std::size_t capacity)
      : sizes(capacity),
        bytes(capacity * BatchSpanProcessor::kMaxEncodedBytes),
        capacity(capacity) {}
  ~SpanQueue() {
    uint32_t size = 0;
    char skipped[BatchSpanProcessor::kMaxEncodedBytes];
    while (sizes.pop(size)) {
      if (size != kHeapCopy) {
        bytes.pop(skipped, size);
        continue;
      }
      delete pop_heap_copy(bytes);
    }
  }
  boost::lockfree::spsc_queue<uint32_t> sizes;
  boost::lockfree::spsc_queue<char> bytes;
  std::size_t capacity;
  std::atomic<uint64_t> dropped_full{0};  // written by the owner thread only
  std::atomic<bool> busy{false};          // the owner is between its stopping check and push
  std::atomic<bool> orphaned{false};      // the owner thread ended
  // The owner's: a span is encoded here (in the owner's cache), then copied into `bytes`.
  std::array<char, BatchSpanProcessor::kMaxEncodedBytes> scratch;
};

}  // namespace

struct BatchSpanProcessor::State {
  std::shared_ptr<SpanExporter> exporter;
  BatchSpanProcessorOptions options;
  detail::PerThread<SpanQueue> queues;

  std::atomic<bool> stopping{false};
  std::atomic<bool> wake_requested{false};  // a queue holds a batch (or high_water, when paced)
  // Set by the export thread while it paces itself (pace()): it wakes on its own timer about when
  // a batch is due, and an ending thread wakes it only when its queue reaches high_water.
  std::atomic<bool> paced{false};
  std::size_t high_water = 0;  // max(max_export_batch_size, max_queue_size / 2)
  std::atomic<uint64_t> wakes{0};
  std::atomic<uint64_t> dropped_shutdown{0};
  // The queue_full drops of the queues of ended threads, once forgotten: folded and summed
  // under drops_mutex so that stats() counts each queue exactly once.
  std::mutex drops_mutex;
  uint64_t dropped_full_forgotten = 0;  // guarded by drops_mutex
  std::atomic<uint64_t> exported{0}, export_failed{0}, exports{0};

  std::mutex mutex;  // for the waits and the fields below
  std::condition_variable wake;
  std::condition_variable progress;
  uint64_t passes_requested = 0;  // by force_flush(); guarded
  uint64_t passes_done = 0;       // the requests the last ended pass covered; guarded
  bool stop_requested = false;    // guarded
  bool stopped = false;           // the export thread ended; guarded

  std::mutex shutdown_mutex;  // one shutdown() at a time
  bool shut_down = false;     // guarded by shutdown_mutex
  bool shutdown_result = true;
  std::thread thread;

  // The export thread's: max_export_batch_size slots, the first `batched` of them this batch's,
  // each read back from a queue's bytes (keeping its buffers for the next batch) or swapped with
  // a heap copy; and the bytes of the span being read.
  std::vector<SpanData> batch;
  std::size_t batched = 0;
  std::array<char, kMaxEncodedBytes> reading;

  void run();
  std::size_t pass();  // returns the spans it took
  std::chrono::nanoseconds pace(std::size_t taken, std::chrono::nanoseconds elapsed);
  void export_batch();
};

void BatchSpanProcessor::check(const BatchSpanProcessorOptions& options) {
  detail::check_batch_options(options, "span batch");
}

BatchSpanProcessor::BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : state_(std::make_shared<State>()) {
  check(options);
  if (exporter == nullptr) throw std::invalid_argument("coretel: span batch exporter is null");
  state_->exporter = std::move(exporter);
  state_->options = options;
  state_->batch.resize(options.max_export_batch_size);
  state_->high_water = std::max(options.max_export_batch_size, options.max_queue_size / 2);
  detail::use_light_fences();
  // The thread holds the state: a shutdown() that runs out of time leaves it to finish alone.
  state_->thread = std::thread([state = state_] { state->run(); });
}

BatchSpanProcessor::~BatchSpanProcessor() {
  const milliseconds timeout = state_->options.export_timeout.count() > 0
                                   ? state_->options.export_timeout + milliseconds(1000)
                                   : milliseconds(30000);
  shutdown(timeout);
}

void BatchSpanProcessor::on_end(const SpanData& span) noexcept {
  if (!span.context.sampled()) return;  // exporters see sampled spans only
  State& s = *state_;
  SpanQueue* q = s.queues.mine(s.options.max_queue_size);
  if (q == nullptr) {  // the thread is ending (or out of memory): nowhere to queue it
    s.dropped_shutdown.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // busy before stopping is read (against shutdown()'s heavy_barrier()): once the last pass saw
  // busy false after stopping was set, this push either happened before it or is not made.
  if (busy_then_stopping(q->busy, s.stopping)) {
    q->busy.store(false, std::memory_order_release);
    s.dropped_shutdown.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Queued as bytes when they fit (a usual span), else as a heap copy (a big span, or links).
  std::size_t n = detail::encode(span, q->scratch);
  uint32_t size = static_cast<uint32_t>(n);
  SpanData* copy = nullptr;
  if (n == 0) [[unlikely]] {
    try {
      copy = new SpanData(span);
      std::memcpy(q->scratch.data(), &copy, sizeof copy);
      n = sizeof copy;
      size = kHeapCopy;
    } catch (...) {  // out of memory: counted with the spans a full queue drops
    }
  }
  if (n != 0 && q->sizes.write_available() != 0 && q->bytes.write_available() >= n) [[likely]] {
    q->bytes.push(q->scratch.data(), n);
    q->sizes.push(size);
    // A full batch waits: wake the export thread (no lock: a wake-up lost to the race with its
    // wait costs at most one schedule_delay). While it paces itself, only at high_water: the
    // wake is a system call (and, to a sleeping core, an interrupt) on the ending thread.
    const std::size_t wake_at =
        s.paced.load(std::memory_order_relaxed) ? s.high_water : s.options.max_export_batch_size;
    if (q->sizes.write_available() + wake_at <= q->capacity &&
        !s.wake_requested.load(std::memory_order_relaxed) &&
        !s.wake_requested.exchange(true, std::memory_order_relaxed)) {
      s.wakes.fetch_add(1, std::memory_order_relaxed);
      s.wake.notify_one();
    }
  } else {
    delete copy;
    q->dropped_full.fetch_add(1, std::memory_order_relaxed);
  }
  q->busy.store(false, std::memory_order_release);
}

void BatchSpanProcessor::State::run() {
  std::chrono::nanoseconds wait = options.schedule_delay;
  auto last_pass = std::chrono::steady_clock::now();
  while (true) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, wait, [this] {
      return stop_requested || passes_requested > passes_done ||
             wake_requested.load(std::memory_order_relaxed);
    });
    const bool stop = stop_requested;
    const uint64_t covered = passes_requested;
    lock.unlock();
    wake_requested.store(false, std::memory_order_relaxed);
    if (stop) {
      // The on_end() calls already past their stopping check finish their push (never blocks).
      for (const auto& q : queues.snapshot())
        while (q->busy.load(std::memory_order_seq_cst)) std::this_thread::yield();
    }
    const auto began = std::chrono::steady_clock::now();
    wait = pace(pass(), began - last_pass);
    last_pass = began;
    lock.lock();
    passes_done = covered;
    if (stop) stopped = true;
    progress.notify_all();
    if (stop) return;
  }
}

// While spans come at least half a batch a pass, the export thread wakes itself when the next
// batch is due at the rate of the last pass (`taken` spans ended in `elapsed`), 1 ms at the
// soonest, and the ending threads stop waking it at each batch: in steady traffic an engine
// thread ending spans makes no system call. A burst that fills a queue to high_water before the
// timer still wakes it; below half a batch a pass, the export thread goes back to waiting
// schedule_delay and being woken at each full batch (trace/sdk.md, "Batching processor").
// Returns the next wait.
std::chrono::nanoseconds BatchSpanProcessor::State::pace(std::size_t taken,
                                                         std::chrono::nanoseconds elapsed) {
  const std::chrono::nanoseconds idle = options.schedule_delay;
  const std::chrono::nanoseconds due =
      detail::paced_wait(taken, options.max_export_batch_size, elapsed, idle);
  paced.store(due < idle, std::memory_order_relaxed);
  return due;
}

std::size_t BatchSpanProcessor::State::pass() {
  std::size_t taken = 0;
  for (const auto& q : queues.snapshot()) {
    // Orphaned before the pass: nothing can be pushed after, so empty after it is for good.
    const bool orphaned = q->orphaned.load(std::memory_order_acquire);
    // At most what the queue held when the pass reached it: a thread ending spans faster than
    // they are exported cannot keep the pass from the other queues.
    std::size_t budget = q->sizes.read_available();
    uint32_t size = 0;
    while (budget > 0 && q->sizes.pop(size)) {
      --budget;
      ++taken;
      if (size == kHeapCopy) {
        SpanData* copy = pop_heap_copy(q->bytes);
        std::swap(batch[batched++], *copy);  // no allocation, no throw
        delete copy;
      } else {
        q->bytes.pop(reading.data(), size);
        try {
          detail::decode(std::span<const char>(reading.data(), size), batch[batched]);
          ++batched;
        } catch (...) {  // out of memory: counted with the spans of failed exports
          export_failed.fetch_add(1, std::memory_order_relaxed);
        }
      }
      if (batched == options.max_export_batch_size) export_batch();
    }
    if (orphaned) {
      std::lock_guard lock(drops_mutex);
      dropped_full_forgotten += q->dropped_full.load(std::memory_order_relaxed);
      queues.forget(q);
    }
  }
  if (batched != 0) export_batch();
  return taken;
}

void BatchSpanProcessor::State::export_batch() {
  const auto deadline = options.export_timeout.count() > 0
                            ? std::chrono::steady_clock::now() + options.export_timeout
                            : std::chrono::steady_clock::time_point::max();
  const ExportResult result = exporter->export_spans(std::span(batch.data(), batched), deadline);
  exports.fetch_add(1, std::memory_order_relaxed);
  (result == ExportResult::kSuccess ? exported : export_failed)
      .fetch_add(batched, std::memory_order_relaxed);
  batched = 0;
}

bool BatchSpanProcessor::force_flush(milliseconds timeout) noexcept {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.stopped) return true;
  const uint64_t target = ++s.passes_requested;
  s.wake.notify_all();
  return s.progress.wait_for(lock, timeout, [&] { return s.stopped || s.passes_done >= target; });
}

bool BatchSpanProcessor::shutdown(milliseconds timeout) noexcept {
  State& s = *state_;
  std::lock_guard once(s.shutdown_mutex);
  if (s.shut_down) return s.shutdown_result;
  s.shut_down = true;
  s.stopping.store(true, std::memory_order_seq_cst);
  detail::heavy_barrier();  // every on_end() now sees stopping, or its busy flag is seen
  std::unique_lock lock(s.mutex);
  s.stop_requested = true;
  s.wake.notify_all();
  const bool done = s.progress.wait_for(lock, timeout, [&] { return s.stopped; });
  lock.unlock();
  s.exporter->shutdown();  // a detached thread's export in progress stops retrying
  if (done) {
    s.thread.join();
  } else {
    s.thread.detach();
  }
  s.shutdown_result = done;
  return done;
}

BatchSpanStats BatchSpanProcessor::stats() const noexcept {
  State& s = *state_;
  BatchSpanStats out;
  out.exported = s.exported.load(std::memory_order_relaxed);
  out.export_failed = s.export_failed.load(std::memory_order_relaxed);
  out.exports = s.exports.load(std::memory_order_relaxed);
  out.wakes = s.wakes.load(std::memory_order_relaxed);
  out.dropped_shutdown = s.dropped_shutdown.load(std::memory_order_relaxed);
  try {
    std::lock_guard lock(s.drops_mutex);
    out.dropped_queue_full = s.dropped_full_forgotten;
    for (const auto& q : s.queues.snapshot())
      out.dropped_queue_full += q->dropped_full.load(std::memory_order_relaxed);
  } catch (...) {  // out of memory: the live queues' drops are left out
  }
  return out;
}

}  // namespace coretel::trace
