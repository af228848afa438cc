#include "series_state.h"

#include <cstring>
#include <new>

namespace coretel::detail {

static_assert(sizeof(SeriesState) % alignof(uint64_t) == 0, "the words follow the header");
static_assert(sizeof(SeriesState) <= 24, "kept once per series: keep it small");

std::size_t SeriesState::word_count(const SeriesInfo& info, uint32_t consumers) noexcept {
  const std::size_t c = info.combination_count;
  const std::size_t per_copy = c * info.words_per_combination;
  return per_copy + std::size_t{consumers} * (per_copy + c);
}

std::size_t SeriesState::flag_count(const SeriesInfo& info, uint32_t consumers) noexcept {
  return observed_flags(info) + std::size_t{info.combination_count} * 2 * consumers;
}

std::size_t SeriesState::block_bytes(const SeriesInfo& info, uint32_t consumers) noexcept {
  return sizeof(SeriesState) + word_count(info, consumers) * sizeof(uint64_t) +
         flag_count(info, consumers);
}

SeriesState* SeriesState::create(BlockPool& pool, const SeriesInfo& info, uint32_t consumers) {
  const std::size_t bytes = block_bytes(info, consumers);
  std::byte* block = pool.allocate(bytes, alignof(SeriesState));
  std::memset(block + sizeof(SeriesState), 0, bytes - sizeof(SeriesState));
  return new (block) SeriesState(info, consumers);
}

void SeriesState::destroy(BlockPool& pool, SeriesState* state) noexcept {
  if (state == nullptr) return;
  const std::size_t bytes = block_bytes(*state->info_, state->consumers_);
  state->~SeriesState();
  pool.deallocate(reinterpret_cast<std::byte*>(state), bytes, alignof(SeriesState));
}

DeltaState SeriesState::delta(uint32_t consumer) noexcept {
  const std::size_t c = combinations();
  const std::size_t per_copy = combination_words();
  uint64_t* base = words() + per_copy + std::size_t{consumer} * (per_copy + c);
  uint8_t* flag = flags() + observed_flags(*info_) + std::size_t{consumer} * 2 * c;
  return DeltaState{{base, per_copy}, {base + per_copy, c}, {flag, c}, {flag + c, c}};
}

}  // namespace coretel::detail
