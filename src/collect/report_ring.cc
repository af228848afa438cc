#include "coretel/collect/report_ring.h"

namespace coretel {

ReportRing::ReportRing(std::size_t capacity_words)
    : capacity_(capacity_words), queue_(capacity_words) {}

bool ReportRing::try_push(std::span<const uint64_t> message) noexcept {
  // Single producer: the free space seen here can only grow before the push, so a message that
  // fits now is pushed whole.
  if (queue_.write_available() < message.size()) return false;
  queue_.push(message.data(), message.size());
  return true;
}

std::size_t ReportRing::used_words() const noexcept {
  return capacity_ - queue_.write_available();
}

std::size_t ReportRing::pop_all(uint64_t* out) noexcept {
  return queue_.pop(out, capacity_);
}

}  // namespace coretel
