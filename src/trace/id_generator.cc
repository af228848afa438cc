#include "coretel/trace/id_generator.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace coretel::trace {

namespace {

std::mt19937_64 seeded() noexcept {
  try {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    return std::mt19937_64(seed);
  } catch (...) {  // no entropy source: the address and the clock, not predictable across runs
    return std::mt19937_64(
        static_cast<uint64_t>(std::random_device::result_type{}) ^
        static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&seeded)) ^
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  }
}

std::mt19937_64& generator() noexcept {
  thread_local std::mt19937_64 g = seeded();
  return g;
}

template <std::size_t N>
void fill(std::array<uint8_t, N>& bytes) noexcept {
  std::mt19937_64& g = generator();
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      uint64_t word = g();
      for (std::size_t j = 0; j < 8 && i + j < N; ++j, word >>= 8)
        bytes[i + j] = static_cast<uint8_t>(word);
    }
  } while (std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; }));
}

}  // namespace

TraceId new_trace_id() noexcept {
  TraceId id;
  fill(id.bytes);
  return id;
}

SpanId new_span_id() noexcept {
  SpanId id;
  fill(id.bytes);
  return id;
}

void reseed_ids() noexcept {
  generator() = seeded();
}

}  // namespace coretel::trace
