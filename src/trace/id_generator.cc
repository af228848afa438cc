#include "coretel/trace/id_generator.h"

#include <sys/random.h>

#include <chrono>
#include <cstring>

namespace coretel::trace {

namespace {

// xoshiro256++ (https://prng.di.unimi.it/): state never all zero.
struct Generator {
  uint64_t s[4];
};

// Plain data: no thread_local guard on the draw path; all zero until the thread's first draw.
thread_local constinit Generator generator{};

uint64_t rotl(uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

// splitmix64, to spread a weak fallback seed over the state.
uint64_t splitmix64(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void seed(Generator& g) noexcept {
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<unsigned char*>(g.s);
  while (got < sizeof g.s) {
    const ssize_t n = ::getrandom(bytes + got, sizeof g.s - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < sizeof g.s) {  // no entropy source: the clock, the thread and the address
    uint64_t x =
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        reinterpret_cast<uintptr_t>(&g);
    for (uint64_t& word : g.s) word = splitmix64(x);
  }
  if ((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0) g.s[0] = 1;
}

uint64_t next() noexcept {
  Generator& g = generator;
  if ((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0) [[unlikely]]
    seed(g);
  const uint64_t result = rotl(g.s[0] + g.s[3], 23) + g.s[0];
  const uint64_t t = g.s[1] << 17;
  g.s[2] ^= g.s[0];
  g.s[3] ^= g.s[1];
  g.s[1] ^= g.s[2];
  g.s[0] ^= g.s[3];
  g.s[2] ^= t;
  g.s[3] = rotl(g.s[3], 45);
  return result;
}

template <std::size_t N>
void fill(std::array<uint8_t, N>& bytes) noexcept {
  static_assert(N % 8 == 0);
  uint64_t any = 0;
  do {
    any = 0;
    for (std::size_t i = 0; i < N; i += 8) {
      const uint64_t word = next();
      any |= word;
      std::memcpy(bytes.data() + i, &word, 8);
    }
  } while (any == 0);  // never all zero (invalid): draw again
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

void new_ids(TraceId& trace_id, SpanId& span_id) noexcept {
  fill(trace_id.bytes);
  fill(span_id.bytes);
}

void reseed_ids() noexcept {
  seed(generator);
}

}  // namespace coretel::trace
