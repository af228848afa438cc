#include "its_provider.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../common/asymmetric_barrier.h"
#include "../common/pacing.h"
#include "console_async.h"
#include "coretel/events/console_format.h"
#include "coretel/trace/trace_context.h"

namespace coretel::events {

using coretel::detail::busy_then_stopping;
using coretel::detail::heavy_barrier;

ItsProvider::Ring::Ring(std::size_t capacity)
    : blocks(new EncodedEvent[capacity]), ready(capacity), free(capacity) {
  for (std::size_t i = 0; i < capacity; ++i) free.push(static_cast<uint16_t>(i));
}

void ItsProvider::check(const ItsOptions& options) {
  if (options.ring_capacity < 2 || options.ring_capacity > 65536)
    throw std::invalid_argument(
        fmt::format("coretel: events its.ring_capacity {} is out of range (2 to 65536)",
                    options.ring_capacity));
  if (options.recent_capacity > 65536)
    throw std::invalid_argument(
        fmt::format("coretel: events its.recent_capacity {} is out of range (0 to 65536)",
                    options.recent_capacity));
  if (options.interval < std::chrono::milliseconds(1) ||
      options.interval > std::chrono::milliseconds(10000))
    throw std::invalid_argument(
        fmt::format("coretel: events its.interval {} ms is out of range (1 to 10000 ms)",
                    options.interval.count()));
}

ItsProvider::ItsProvider(const ItsOptions& options, QueuedProvider* otlp, bool start_collector)
    : options_(options),
      wake_at_(std::max<std::size_t>(options.ring_capacity / 2, 1)),
      otlp_(options.otlp ? otlp : nullptr),
      drops_("its ring of the emitting thread", options.ring_capacity, full_drops_) {
  check(options);
  if (options.otlp && otlp == nullptr)
    throw std::invalid_argument("coretel: events its.otlp needs the OTLP logs exporter");
  recent_.resize(options.recent_capacity);
  coretel::detail::use_light_fences();
  if (start_collector) start();
}

ItsProvider::~ItsProvider() {
  stop();
}

void ItsProvider::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void ItsProvider::emit(const EventRecord& record) noexcept {
  const Aspect aspect = thread_aspect();
  Ring* ring = rings_.mine(options_.ring_capacity);
  if (ring == nullptr) {
    count_drop(aspect, DropReason::kShutdown);
    return;
  }
  // busy before stopping_ is read (against stop()'s heavy_barrier()): once the last drain saw
  // busy false after stopping_ was set, this push either happened before it or is not made.
  if (busy_then_stopping(ring->busy, stopping_)) {
    ring->busy.store(false, std::memory_order_release);
    count_drop(aspect, DropReason::kShutdown);
    return;
  }
  uint16_t block = 0;
  if (ring->free.pop(block)) [[likely]] {
    EncodedEvent& event = ring->blocks[block];
    if (!encode(record, static_cast<uint8_t>(aspect), event)) spill(record, event);
    ring->ready.push(block);  // never full: `capacity` indices in all, popped before reuse
    // Half full: wake the collector before its interval ends, once until its next drain (no
    // lock: a wake-up lost to the race with its wait costs at most one interval). In steady
    // traffic the collector's own timer comes first (pace()).
    if (ring->ready.read_available() >= wake_at_ &&
        !wake_requested_.load(std::memory_order_relaxed) &&
        !wake_requested_.exchange(true, std::memory_order_relaxed)) {
      wakes_.fetch_add(1, std::memory_order_relaxed);
      wake_.notify_one();
    }
  } else {
    full_drops_.fetch_add(1, std::memory_order_relaxed);
    count_drop(aspect, DropReason::kQueueFull);
  }
  ring->busy.store(false, std::memory_order_release);
}

void ItsProvider::handle(EncodedEvent& event) {
  if (options_.console) {
    try {
      decode(event, decoded_);
      format_console(decoded_.record, out_);
    } catch (...) {  // out of memory: this line is lost
    }
    if (out_.size() >= kConsoleWriteBatch) {
      write_to_stderr(out_);
      out_.clear();
    }
  }
  if (!recent_.empty()) {
    // The view keeps a spilled record cut: encode() wrote the cut record into the block before
    // spill() was tried, and the heap copy goes on with the event.
    EncodedEvent kept = event;
    kept.spilled = nullptr;
    std::lock_guard lock(recent_mutex_);
    recent_[recent_next_] = kept;
    recent_next_ = (recent_next_ + 1) % recent_.size();
    if (recent_count_ < recent_.size()) ++recent_count_;
  }
  if (otlp_ != nullptr) {
    otlp_->offer(event);  // the OTLP processor owns a spilled record now (and releases it)
  } else {
    release(event);
  }
  event.spilled = nullptr;  // the block's copy of the pointer: not ours any more
}

std::size_t ItsProvider::drain() {
  const std::vector<std::shared_ptr<Ring>> rings = rings_.snapshot();
  out_.clear();
  std::size_t fullest = 0;
  for (const auto& ring : rings) {
    // Orphaned before the drain: nothing can be pushed after, so empty after it is for good.
    const bool orphaned = ring->orphaned.load(std::memory_order_acquire);
    // Popped (the read index moves) before the blocks go back to `free`: an index given back
    // while `ready` still counted it could be pushed again into a full `ready`. At most what
    // the ring held when the pass reached it: a thread emitting faster than the collector
    // handles cannot keep it from the other rings.
    std::size_t budget = ring->ready.read_available();
    fullest = std::max(fullest, budget);
    uint16_t taken[256];
    while (budget > 0) {
      const std::size_t n = ring->ready.pop(taken, std::min<std::size_t>(budget, 256));
      if (n == 0) break;
      budget -= n;
      for (std::size_t i = 0; i < n; ++i) {
        handle(ring->blocks[taken[i]]);
        ring->free.push(taken[i]);
      }
    }
    if (orphaned) rings_.forget(ring);
  }
  write_to_stderr(out_);
  return fullest;
}

// While the fullest ring gets an eighth of its capacity a drain or more, the collector wakes
// itself when that ring is due a quarter full at the last drain's rate (1 ms at the soonest), so
// that in steady traffic no ring reaches half and no emitting thread wakes it: waking a sleeping
// thread is a system call (in a VM, an interrupt through the hypervisor) on the emitting thread.
// A burst still reaches half a ring and wakes it, with the same room left as without pacing.
// Below that rate, it waits `interval`.
std::chrono::nanoseconds ItsProvider::pace(std::size_t taken, std::chrono::nanoseconds elapsed) {
  return coretel::detail::paced_wait(taken, std::max<std::size_t>(wake_at_ / 2, 1), elapsed,
                                     options_.interval);
}

void ItsProvider::run() {
  set_thread_aspect(Aspect::kInternal);
  std::chrono::nanoseconds wait = options_.interval;
  auto last_drain = std::chrono::steady_clock::now();
  for (;;) {
    uint64_t requested = 0;
    bool stop = false;
    {
      std::lock_guard lock(mutex_);
      requested = drains_requested_;
      stop = stop_requested_;
    }
    if (stop) {
      // The emits already past their stopping_ check finish their push (they never block).
      for (const auto& ring : rings_.snapshot())
        while (ring->busy.load(std::memory_order_seq_cst)) std::this_thread::yield();
    }
    wake_requested_.store(false, std::memory_order_relaxed);  // before the drain: a later
                                                              // half-full ring wakes it again
    const auto began = std::chrono::steady_clock::now();
    wait = pace(drain(), began - last_drain);
    last_drain = began;
    drops_.report_if_due(stop ? std::chrono::steady_clock::time_point::max()
                              : std::chrono::steady_clock::now());
    std::unique_lock lock(mutex_);
    drains_done_ = requested;
    if (stop) {
      stopped_ = true;
      lock.unlock();
      progress_.notify_all();
      return;
    }
    progress_.notify_all();
    wake_.wait_for(lock, wait, [&] {
      return drains_requested_ != requested || stop_requested_ ||
             wake_requested_.load(std::memory_order_relaxed);
    });
  }
}

bool ItsProvider::flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::unique_lock lock(mutex_);
    // A drain that reads this request begins after the call: it sees every event pushed before.
    const uint64_t target = ++drains_requested_;
    wake_.notify_all();
    if (!progress_.wait_until(lock, deadline, [&] { return drains_done_ >= target || stopped_; }))
      return false;
  }
  if (otlp_ == nullptr) return true;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 && otlp_->flush(left);
}

bool ItsProvider::stop(std::chrono::milliseconds timeout) {
  stopping_.store(true, std::memory_order_seq_cst);
  heavy_barrier();  // every emitter now sees stopping_, or its busy flag is seen
  if (!thread_.joinable()) return stop_result_;  // never started, or stopped before
  std::unique_lock lock(mutex_);
  stop_requested_ = true;
  wake_.notify_all();
  const bool done = progress_.wait_for(lock, timeout, [&] { return stopped_; });
  lock.unlock();
  if (done) {
    thread_.join();
  } else {
    thread_.detach();  // a stderr that does not drain must not hang the caller
  }
  stop_result_ = done;
  return done;
}

std::string ItsProvider::recent_json(std::size_t limit) const {
  // Copied under the lock, decoded and written outside it: the collector takes the lock for
  // every event it keeps.
  std::vector<EncodedEvent> copies;
  {
    std::lock_guard lock(recent_mutex_);
    const std::size_t n = std::min(limit, recent_count_);
    copies.reserve(n);
    for (std::size_t i = 0; i < n; ++i)  // the newest n, oldest first
      copies.push_back(recent_[(recent_next_ + recent_.size() - n + i) % recent_.size()]);
  }
  nlohmann::json events = nlohmann::json::array();
  DecodedEvent d;
  for (const EncodedEvent& block : copies) {
    decode(block, d);
    const EventRecord& r = d.record;
    nlohmann::json e;
    e["time_unix_nano"] = std::to_string(r.time_unix_nano);
    e["observed_time_unix_nano"] = std::to_string(r.observed_time_unix_nano);
    e["severity_number"] = static_cast<int>(r.severity);
    e["severity_text"] = r.exported_severity_text();
    e["event_name"] = r.name;
    e["scope"] = r.scope;
    e["aspect"] = to_string(static_cast<Aspect>(block.aspect));
    if (!r.body.empty()) e["body"] = r.body;
    nlohmann::json attributes = nlohmann::json::object();
    for (const AttributeRef& a : r.attributes) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string_view>) {
              attributes[std::string(a.key)] = std::string(v);
            } else if constexpr (std::is_same_v<T, double>) {
              attributes[std::string(a.key)] =
                  std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
            } else {
              attributes[std::string(a.key)] = v;
            }
          },
          static_cast<const std::variant<std::string_view, int64_t, double, bool>&>(a.value));
    }
    e["attributes"] = std::move(attributes);
    e["dropped_attributes_count"] = r.dropped_attributes_count;
    if (r.trace.valid()) {
      e["trace_id"] = trace::TraceId{r.trace.trace_id}.hex();
      e["span_id"] = trace::SpanId{r.trace.span_id}.hex();
    }
    events.push_back(std::move(e));
  }
  nlohmann::json out;
  out["enabled"] = true;
  out["capacity"] = options_.recent_capacity;
  out["events"] = std::move(events);
  // Invalid UTF-8 in a value (the block keeps bytes as given) is replaced, not an exception.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace coretel::events
