// instruments.h: the hot-path instruments a metric set is made of.
//
// HOT PATH. Every record is a plain add or store on memory owned by one thread: no atomics,
// locks, hashing, allocation or virtual call. Instruments are not thread-safe: only the thread
// that owns the metric set may record into it (the reporter reads it on that same thread).
//
// What happens at flush (Reporter::report), per instrument:
//   Counter, Mmsc, Histogram               delta: sent when non-zero, then reset to zero
//   UpDownCounter, Gauge, ObserveCounter,  current value: sent when it differs from the last
//   ObserveUpDownCounter                   value sent, never reset
#pragma once

#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "coretel/metrics/descriptor.h"

namespace coretel {

namespace detail {
template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, uint64_t>)
    return ValueType::kU64;
  else if constexpr (std::is_same_v<T, int64_t>)
    return ValueType::kI64;
  else
    return ValueType::kF64;
}
}  // namespace detail

/// Monotonic sum (OTel Counter). Delta temporality: reset to zero each time the reporter sends it.
/// T is uint64_t (wraps modulo 2^64 on overflow) or double (precondition: v >= 0).
template <class T>
class Counter {
  static_assert(std::is_same_v<T, uint64_t> || std::is_same_v<T, double>,
                "Counter<T>: T is uint64_t or double");

 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kCounter;
  static constexpr Temporality kTemporality = Temporality::kDelta;
  static constexpr uint32_t kWords = 1;

  void add(T v) noexcept {
    assert(!(v < T{}) && "Counter::add: negative value");
    value_ += v;
  }
  void inc() noexcept { value_ += T{1}; }
  Counter& operator+=(T v) noexcept {
    add(v);
    return *this;
  }
  /// The delta accumulated since the last flush.
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// Non-monotonic running total (OTel UpDownCounter). Cumulative: never reset, so a decrement
/// after a flush can never underflow. T is int64_t or double.
template <class T>
class UpDownCounter {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, double>,
                "UpDownCounter<T>: T is int64_t or double");

 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kUpDownCounter;
  static constexpr Temporality kTemporality = Temporality::kCumulative;
  static constexpr uint32_t kWords = 1;

  void add(T v) noexcept { value_ += v; }
  void sub(T v) noexcept { value_ -= v; }
  void inc() noexcept { value_ += T{1}; }
  void dec() noexcept { value_ -= T{1}; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// Last value (OTel Gauge). Never reset; sent only when it changed. T is uint64_t, int64_t or
/// double.
template <class T>
class Gauge {
  static_assert(std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t> ||
                    std::is_same_v<T, double>,
                "Gauge<T>: T is uint64_t, int64_t or double");

 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kGauge;
  static constexpr Temporality kTemporality = Temporality::kNone;
  static constexpr uint32_t kWords = 1;

  void set(T v) noexcept { value_ = v; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// A monotonic total kept elsewhere (a kernel counter, a library's statistic) and observed here:
/// exported as a cumulative OTel Counter. Never reset. T is uint64_t or double.
template <class T = uint64_t>
class ObserveCounter {
  static_assert(std::is_same_v<T, uint64_t> || std::is_same_v<T, double>,
                "ObserveCounter<T>: T is uint64_t or double");

 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kObserveCounter;
  static constexpr Temporality kTemporality = Temporality::kCumulative;
  static constexpr uint32_t kWords = 1;

  void observe(T total) noexcept { value_ = total; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// A non-monotonic total observed from elsewhere (a queue depth read from a library): exported
/// as a cumulative OTel UpDownCounter. Never reset. T is int64_t or double.
template <class T = int64_t>
class ObserveUpDownCounter {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, double>,
                "ObserveUpDownCounter<T>: T is int64_t or double");

 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kObserveUpDownCounter;
  static constexpr Temporality kTemporality = Temporality::kCumulative;
  static constexpr uint32_t kWords = 1;

  void observe(T value) noexcept { value_ = value; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// Min, max, sum and count of recorded values: the cheapest distribution. Delta: reset on flush.
/// Values are doubles; NaN and infinities are ignored (they would poison min/max/sum), and -0.0
/// is recorded as 0.0. Layout is fixed (4 words: min, max, sum, count) because the reporter
/// reads it as words.
class Mmsc {
 public:
  using value_type = double;
  static constexpr InstrumentKind kKind = InstrumentKind::kMmsc;
  static constexpr Temporality kTemporality = Temporality::kDelta;
  static constexpr uint32_t kWords = 4;

  void record(double v) noexcept {
    if (!std::isfinite(v)) [[unlikely]]
      return;
    v += 0.0;  // -0.0 + 0.0 == +0.0
    // Starting from +inf/-inf makes the first record a plain min/max: no branch on count.
    min_ = v < min_ ? v : min_;
    max_ = v > max_ ? v : max_;
    sum_ += v;
    ++count_;
  }
  double min() const noexcept { return min_; }  ///< +inf when empty
  double max() const noexcept { return max_; }  ///< -inf when empty
  double sum() const noexcept { return sum_; }
  uint64_t count() const noexcept { return count_; }

 private:
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

/// Explicit-bucket histogram whose upper bounds are fixed at compile time (OTel
/// ExplicitBucketHistogram: bucket i counts values in (bounds[i-1], bounds[i]], the last bucket
/// counts values above every bound). Delta: reset on flush. `Bounds` is a constexpr
/// std::array<double, N> with strictly increasing finite values, N <= 64. NaN is ignored.
/// Layout: N + 1 bucket counts then the sum (N + 2 words).
template <const auto& Bounds>
class Histogram {
  static constexpr std::size_t N = Bounds.size();
  static_assert(N >= 1 && N <= 64, "Histogram: 1 to 64 bounds");
  static constexpr bool bounds_increasing() {
    for (std::size_t i = 1; i < N; ++i)
      if (!(Bounds[i - 1] < Bounds[i])) return false;
    return true;
  }
  static_assert(bounds_increasing(), "Histogram: bounds must be strictly increasing");

 public:
  using value_type = double;
  static constexpr InstrumentKind kKind = InstrumentKind::kHistogram;
  static constexpr Temporality kTemporality = Temporality::kDelta;
  static constexpr uint32_t kWords = static_cast<uint32_t>(N + 2);
  static constexpr const auto& kBounds = Bounds;

  void record(double v) noexcept {
    if (std::isnan(v)) [[unlikely]]
      return;
    ++counts_[bucket_index(v)];
    sum_ += v;
  }

  /// The bucket of v: how many bounds are below it. Branch-free, two bounds per SSE2 compare
  /// (GCC/Clang vector extensions): each lane's compare yields -1 or 0, summed into the index.
  static std::size_t bucket_index(double v) noexcept {
    using Pair = double __attribute__((vector_size(16)));
    using Mask = int64_t __attribute__((vector_size(16)));
    const Pair value = {v, v};
    Mask below = {0, 0};
#pragma GCC unroll 32  // -O2 does not unroll on its own: the loop overhead would double the cost
    for (std::size_t i = 0; i + 1 < N; i += 2) below += (value > kPairs[i / 2]);
    std::size_t index = static_cast<std::size_t>(-(below[0] + below[1]));
    if constexpr (N % 2 == 1) index += v > Bounds[N - 1] ? 1 : 0;
    return index;
  }
  uint64_t bucket_count(std::size_t i) const noexcept {
    return counts_[i];
  }
  double sum() const noexcept {
    return sum_;
  }
  uint64_t count() const noexcept {
    uint64_t total = 0;
    for (auto c : counts_) total += c;
    return total;
  }

 private:
  static constexpr auto make_pairs() {
    using Pair = double __attribute__((vector_size(16)));
    std::array<Pair, N / 2> pairs{};
    for (std::size_t i = 0; i < N / 2; ++i) pairs[i] = Pair{Bounds[2 * i], Bounds[2 * i + 1]};
    return pairs;
  }
  alignas(16) static constexpr auto kPairs = make_pairs();

  std::array<uint64_t, N + 1> counts_{};
  double sum_ = 0.0;
};

}  // namespace coretel
