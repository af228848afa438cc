// byte_reader.h (internal): reading back values that a queue's producer copied into bytes
// (std::memcpy, any alignment), for the encoded events and the encoded spans.
#pragma once

#include <cstring>
#include <type_traits>

namespace coretel::detail {

/// The trivially copyable T at `p`, which then moves past it.
template <class T>
T read_and_advance(const char*& p) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

}  // namespace coretel::detail
