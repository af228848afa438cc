// report_ring.h: ReportRing, the bounded single-producer/single-consumer ring of snapshot words
// between one reporter (an engine core) and its collector.
//
// Producer: the reporter's owning thread only. Consumer: the collector's thread only. Built on
// Boost.Lockfree's spsc_queue (wait-free push and pop). A message is pushed whole or not at all,
// so a consumer that pops everything available only ever sees complete messages.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include <boost/lockfree/spsc_queue.hpp>

namespace coretel {

class ReportRing {
 public:
  /// `capacity_words`: how many 64-bit words the ring holds (allocated once, here).
  explicit ReportRing(std::size_t capacity_words);

  /// Producer: pushes the whole message or nothing (returns false when it does not fit: the
  /// caller still holds the values and must keep them).
  [[nodiscard]] bool try_push(std::span<const uint64_t> message) noexcept;
  /// Producer: words in use right now (for the high-water mark).
  std::size_t used_words() const noexcept;
  std::size_t capacity_words() const noexcept { return capacity_; }

  /// Consumer: pops every available word into `out` (which must hold capacity_words()); returns
  /// the count. The words form whole messages.
  [[nodiscard]] std::size_t pop_all(uint64_t* out) noexcept;

  /// The producer is gone: set by the reporter's destructor after its last push.
  void close() noexcept { closed_.store(true, std::memory_order_release); }
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

 private:
  std::size_t capacity_;
  boost::lockfree::spsc_queue<uint64_t> queue_;
  std::atomic<bool> closed_{false};
};

}  // namespace coretel
