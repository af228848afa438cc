// instruments.h: the hot-path instruments a metric set is made of.
//
// HOT PATH. Every record is a plain add or store on memory owned by one thread: no atomics,
// locks, hashing, allocation or virtual call. Instruments are not thread-safe: only the thread
// that owns the metric set may record into it (the reporter reads it on that same thread).
// Why: docs/why-sets-are-single-owner.md.
//
// What happens at flush (Reporter::report), per instrument:
//   Counter, Mmsc, Histogram               delta: sent when non-zero, then reset to zero
//   UpDownCounter, Gauge, ObserveCounter,  current value: sent when it differs from the last
//   ObserveUpDownCounter                   value sent, never reset
//
// Invalid measurements. The OpenTelemetry metrics API leaves validating a value to the SDK
// (metrics API, "Counter operations": the increment "is expected to be non-negative ... This
// API SHOULD NOT validate this value, that is left to implementations of the API"), and the SDK
// "MUST handle all the possible values", NaN and infinities included (metrics SDK, "Numerical
// limits handling"). coretel ignores, in every build type, a measurement that would corrupt
// an accumulated value for good, and counts it:
//   Counter<double>::add         negative, NaN or infinite increment
//   UpDownCounter<double>        NaN or infinite add/sub (the total is never reset)
//   Mmsc::record                 NaN or infinite value (would poison min/max/sum)
//   Histogram::record            NaN or infinite value (would poison the sum)
//   ExponentialHistogram::record NaN or infinite value (exponential_histogram.h)
// Gauges and observed totals take any value: the next one replaces it. The check is one branch
// on the value; the counting is out of line, on the ignored path only, into plain per-thread
// counters (no atomic): see InvalidMeasurementCounts below. The reporter running on the
// recording thread exports them as coretel.reporter.invalid_measurements{coretel.
// invalid_measurement.reason} (docs/telemetry/coretel).
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "coretel/metrics/descriptor.h"

namespace coretel {

/// Why a measurement was ignored. A NaN is kNan; an infinity of either sign is kInfinity; a
/// finite negative increment to a monotonic Counter is kNegative. Values are indexes into
/// InvalidMeasurementCounts::by_reason, in the order of the registry enum
/// coretel.invalid_measurement.reason (nan, infinity, negative).
enum class InvalidReason : uint8_t { kNan, kInfinity, kNegative };
inline constexpr std::size_t kInvalidReasons = 3;

/// Measurements ignored by the instruments of one thread, per reason, since the last take.
struct InvalidMeasurementCounts {
  std::array<uint64_t, kInvalidReasons> by_reason{};
  uint64_t operator[](InvalidReason r) const noexcept {
    return by_reason[static_cast<std::size_t>(r)];
  }
  uint64_t total() const noexcept { return by_reason[0] + by_reason[1] + by_reason[2]; }
};

/// The calling thread's counts, reset to zero. Reporter::report_all() calls it on the thread that
/// owns (records into) its sets and adds them to its coretel.reporter.invalid_measurements; call
/// it yourself only on a thread no reporter reports from. Thread-local: touches nothing shared.
InvalidMeasurementCounts take_invalid_measurements() noexcept;
/// The calling thread's counts, left in place (tests, diagnostics).
InvalidMeasurementCounts peek_invalid_measurements() noexcept;

namespace detail {
/// The ignored path of every instrument: classifies `v` and counts it for the calling thread.
/// Out of line and cold so that the recording path keeps only its compare and branch. -0.0
/// (which only Counter<double> sends here) is not counted: adding it changes nothing.
[[gnu::cold, gnu::noinline]] void count_invalid(double v) noexcept;

// The checks read the IEEE 754 bit pattern: one integer compare and branch, where the
// floating-point form (v >= 0 && v <= DBL_MAX, std::isfinite) takes two compares and two
// branches or a mask and a compare. Exponent all ones is an infinity or a NaN.
inline constexpr uint64_t kExponentMask = 0x7FF0000000000000u;

/// +0.0 up to DBL_MAX: false for negative values (and -0.0), NaN and infinities.
inline bool nonnegative_finite(double v) noexcept {
  return std::bit_cast<uint64_t>(v) < kExponentMask;
}
/// Neither NaN nor an infinity.
inline bool finite(double v) noexcept {
  return (std::bit_cast<uint64_t>(v) & ~(uint64_t{1} << 63)) < kExponentMask;
}

template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, uint64_t>)
    return ValueType::kU64;
  else if constexpr (std::is_same_v<T, int64_t>)
    return ValueType::kI64;
  else
    return ValueType::kF64;
}

/// True when T is one of the value types the catalog allows instrument kind `kKind` to hold
/// (InstrumentInfo::value_types): the one rule behind each instrument's static_assert.
template <InstrumentKind kKind, class T>
constexpr bool allowed_value_type() {
  constexpr bool is_value_type =
      std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t> || std::is_same_v<T, double>;
  if constexpr (is_value_type)
    return info(kKind).value_types.contains(value_type_of<T>());
  else
    return false;
}
}  // namespace detail

/// Monotonic sum (OTel Counter). Delta temporality: reset to zero each time the reporter sends it.
/// T is uint64_t (wraps modulo 2^64 on overflow) or double. A double increment that is negative,
/// NaN or infinite is ignored and counted (see "Invalid measurements" above).
template <class T>
class Counter {
 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kCounter;
  static_assert(detail::allowed_value_type<kKind, T>(), "Counter<T>: T is uint64_t or double");
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void add(T v) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      if (!detail::nonnegative_finite(v)) [[unlikely]] {
        detail::count_invalid(v);  // -0.0 lands here too: ignoring it is adding it
        return;
      }
    }
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
/// after a flush can never underflow. T is int64_t or double; a double NaN or infinity is
/// ignored and counted, since the total would keep it for good.
template <class T>
class UpDownCounter {
 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kUpDownCounter;
  static_assert(detail::allowed_value_type<kKind, T>(), "UpDownCounter<T>: T is int64_t or double");
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void add(T v) noexcept {
    if (!valid(v)) [[unlikely]]
      return;
    value_ += v;
  }
  void sub(T v) noexcept {
    if (!valid(v)) [[unlikely]]
      return;
    value_ -= v;
  }
  void inc() noexcept { value_ += T{1}; }
  void dec() noexcept { value_ -= T{1}; }
  T value() const noexcept { return value_; }

 private:
  static bool valid(T v) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      if (!detail::finite(v)) [[unlikely]] {
        detail::count_invalid(v);
        return false;
      }
    }
    return true;
  }
  T value_{};
};

/// Last value (OTel Gauge). Never reset; sent only when it changed. T is uint64_t, int64_t or
/// double.
template <class T>
class Gauge {
 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kGauge;
  static_assert(detail::allowed_value_type<kKind, T>(),
                "Gauge<T>: T is uint64_t, int64_t or double");
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void set(T v) noexcept { value_ = v; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// A monotonic total kept elsewhere (a kernel counter, a library's statistic) and observed here:
/// exported as a cumulative OTel Counter. Never reset. T is uint64_t or double.
template <class T = uint64_t>
class ObserveCounter {
 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kObserveCounter;
  static_assert(detail::allowed_value_type<kKind, T>(),
                "ObserveCounter<T>: T is uint64_t or double");
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void observe(T total) noexcept { value_ = total; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// A non-monotonic total observed from elsewhere (a queue depth read from a library): exported
/// as a cumulative OTel UpDownCounter. Never reset. T is int64_t or double.
template <class T = int64_t>
class ObserveUpDownCounter {
 public:
  using value_type = T;
  static constexpr InstrumentKind kKind = InstrumentKind::kObserveUpDownCounter;
  static_assert(detail::allowed_value_type<kKind, T>(),
                "ObserveUpDownCounter<T>: T is int64_t or double");
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void observe(T value) noexcept { value_ = value; }
  T value() const noexcept { return value_; }

 private:
  T value_{};
};

/// Min, max, sum and count of recorded values: the cheapest distribution. Delta: reset on flush.
/// Values are doubles; NaN and infinities are ignored and counted (they would poison
/// min/max/sum), and -0.0 is recorded as 0.0. Layout is fixed (4 words: min, max, sum, count)
/// because the reporter reads it as words.
class Mmsc {
 public:
  using value_type = double;
  static constexpr InstrumentKind kKind = InstrumentKind::kMmsc;
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = field_words(kKind);

  void record(double v) noexcept {
    // Steady state: v lies within [min_, max_] (after warm-up min and max rarely change), so
    // only sum and count are written: two compares and a predictable branch instead of four
    // stores every record (a record is bound by its memory operations, not its arithmetic).
    // The compare doubles as the validity check: NaN compares false, and an infinity is never
    // within the finite range of a non-empty Mmsc nor within the empty one (+inf, -inf).
    // Branching is safe on real data: among n values in random order, about 2 ln n set a new
    // minimum or maximum. -0.0 needs no normalising here: it only passes when
    // min_ <= 0 <= max_, and sum_ + -0.0 == sum_ + 0.0 for every sum_ but -0.0, which a sum of
    // finite values starting from +0.0 never is.
    if (min_ <= v && v <= max_) [[likely]] {
      sum_ += v;
      ++count_;
      return;
    }
    record_outside_range(v);
  }
  double min() const noexcept { return min_; }  ///< +inf when empty
  double max() const noexcept { return max_; }  ///< -inf when empty
  double sum() const noexcept { return sum_; }
  uint64_t count() const noexcept { return count_; }

 private:
  // The first record, a new extreme or an invalid value. Inline: data that keeps setting new
  // extremes (a rising series) takes this path every time, and predicts it as well; branches,
  // not selects, so that only the extreme that changed is stored (measured faster on a rising
  // series than min/max selects).
  void record_outside_range(double v) noexcept {
    if (!detail::finite(v)) [[unlikely]] {
      detail::count_invalid(v);
      return;
    }
    v += 0.0;  // -0.0 + 0.0 == +0.0
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
    sum_ += v;
    ++count_;
  }

  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

/// Explicit-bucket histogram whose upper bounds are fixed at compile time (OTel
/// ExplicitBucketHistogram: bucket i counts values in (bounds[i-1], bounds[i]], the last bucket
/// counts values above every bound). Delta: reset on flush. `Bounds` is a constexpr
/// std::array<double, N> with strictly increasing finite values, N <= 64. NaN and infinities
/// are ignored and counted: one would make the sum NaN or infinite for good. It keeps the
/// minimum and maximum too (OTLP's HistogramDataPoint carries them); -0.0 is kept as 0.0.
/// Layout: N + 1 bucket counts, then the sum, the minimum (+inf when empty) and the maximum
/// (-inf when empty): N + 4 words. The bucket search reads, per Bounds,
/// a constant table of at most 256 bytes built at compile time (see bucket_index).
template <const auto& Bounds>
class Histogram {
  static constexpr std::size_t N = Bounds.size();
  static_assert(N >= 1 && N <= kMaxHistogramBounds, "Histogram: 1 to 64 bounds");
  static constexpr bool bounds_increasing() {
    for (std::size_t i = 1; i < N; ++i)
      if (!(Bounds[i - 1] < Bounds[i])) return false;
    return true;
  }
  static_assert(bounds_increasing(), "Histogram: bounds must be strictly increasing");

 public:
  using value_type = double;
  static constexpr InstrumentKind kKind = InstrumentKind::kHistogram;
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = histogram_words(N);
  static constexpr const auto& kBounds = Bounds;

  void record(double v) noexcept {
    if (!std::isfinite(v)) [[unlikely]] {
      detail::count_invalid(v);
      return;
    }
    ++counts_[bucket_index(v)];
    sum_ += v;
    // Selects (minsd/maxsd), not branches: measured 1.68 ns per record against 2.2 with two
    // predictable branches, whose extra loads and stores cost more than the selects here.
    const double w = v + 0.0;  // -0.0 + 0.0 == +0.0
    min_ = w < min_ ? w : min_;
    max_ = w > max_ ? w : max_;
  }

  /// The bucket of v (finite): how many bounds are strictly below it. Branch-free. By slot
  /// table when the bounds allow it (kSearchBySlot), else by a scan of every bound.
  static std::size_t bucket_index(double v) noexcept {
    if constexpr (kSearchBySlot)
      return bucket_index_by_slot(v);
    else
      return bucket_index_by_scan(v);
  }

  /// Two bounds per SSE2 compare (GCC/Clang vector extensions): each lane's compare yields -1
  /// or 0, summed into the index. About 3 instructions per pair of bounds.
  static std::size_t bucket_index_by_scan(double v) noexcept {
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

  /// The same index in a constant number of instructions whatever N (about 10 for the usual
  /// latency bounds, against some 25 for a 16-bound scan). The bit pattern of a positive double
  /// orders like its value, so its top bits (exponent, then the first mantissa bits) split the
  /// positive line into slots: every bound of a lower slot than v's is below v, every bound of
  /// a higher slot is not, and only the few bounds sharing v's slot (kSlots.window, at most 2)
  /// need a compare. v is clamped into [kSlots.low, kSlots.high] for the slot only (not for
  /// the compares), which keeps the table small: values <= low (zero and negatives included)
  /// share the lowest slot with every non-positive bound, values >= high the highest one.
  static std::size_t bucket_index_by_slot(double v) noexcept {
    // Clamped on the bits as signed integers (every negative double, -0.0 included, is a
    // negative integer): GCC emits two cmovs, where on doubles it branches on the clamp (to
    // fold the table read of a clamped value), and values beyond [low, high] are common.
    constexpr auto kLowBits = std::bit_cast<int64_t>(kSlots.low);
    constexpr auto kHighBits = std::bit_cast<int64_t>(kSlots.high);
    int64_t bits = std::bit_cast<int64_t>(v);
    bits = bits > kLowBits ? bits : kLowBits;
    bits = bits < kHighBits ? bits : kHighBits;
    const std::size_t first =
        kFirstBoundOfSlot[(static_cast<uint64_t>(bits) >> kSlots.shift) - kSlots.first_slot];
    std::size_t index = first;  // the window's compares are independent of each other
    for (std::size_t j = 0; j < kSlots.window; ++j) index += v > kPaddedBounds[first + j] ? 1 : 0;
    return index;
  }

  uint64_t bucket_count(std::size_t i) const noexcept {
    return counts_[i];
  }
  double sum() const noexcept {
    return sum_;
  }
  /// The least value recorded since the last flush; +inf when empty.
  double min() const noexcept {
    return min_;
  }
  /// The greatest value recorded since the last flush; -inf when empty.
  double max() const noexcept {
    return max_;
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

  // The slot table of bucket_index_by_slot. slot(x) = bits of x >> shift, for x in [low, high]
  // (both positive powers of two, so the bits order like the values).
  struct SlotPlan {
    double low = 0, high = 0;  // low < smallest positive bound, high > largest bound
    int shift = 52;            // 52: one slot per binade; 51: two; 53: one per two binades
    uint64_t first_slot = 0;   // slot(low)
    std::size_t slots = 1;     // slot(high) - slot(low) + 1: the table's length
    std::size_t window = 0;    // most bounds sharing one slot; 0: no plan (scan instead)
  };
  static constexpr uint64_t slot(double x, int shift) {
    return std::bit_cast<uint64_t>(x) >> shift;
  }
  static constexpr double clamp_to(double x, const SlotPlan& p) {
    return x < p.low ? p.low : (x > p.high ? p.high : x);
  }
  // Among shifts 48..58 (16 slots per binade to one per 64 binades), the one with the fewest
  // bounds per slot, then the shortest table; at most 256 slots (256 bytes). No plan when no
  // bound is positive or the bounds reach the ends of the double range.
  static constexpr SlotPlan plan_slots() {
    constexpr uint64_t kExponentOnly = 0xFFF0000000000000u;
    double smallest_positive = 0;
    for (double b : Bounds)
      if (b > 0) {
        smallest_positive = b;
        break;
      }
    const double largest = Bounds[N - 1];
    if (!(smallest_positive > 0x1p-1000 && largest < 0x1p1000)) return {};
    SlotPlan best;
    for (int shift = 48; shift <= 58; ++shift) {
      SlotPlan p;
      // Powers of two: the largest at or below the smallest positive bound, halved; the
      // smallest above the largest bound.
      p.low = std::bit_cast<double>(std::bit_cast<uint64_t>(smallest_positive) & kExponentOnly) / 2;
      p.high = std::bit_cast<double>(std::bit_cast<uint64_t>(largest) & kExponentOnly) * 2;
      p.shift = shift;
      p.first_slot = slot(p.low, shift);
      p.slots = static_cast<std::size_t>(slot(p.high, shift) - p.first_slot + 1);
      std::size_t run = 0;
      for (std::size_t i = 0; i < N; ++i) {
        const bool same =
            i > 0 && slot(clamp_to(Bounds[i], p), shift) == slot(clamp_to(Bounds[i - 1], p), shift);
        run = same ? run + 1 : 1;
        if (run > p.window) p.window = run;
      }
      if (p.slots > 256) continue;
      if (best.window == 0 || p.window < best.window ||
          (p.window == best.window && p.slots < best.slots))
        best = p;
    }
    return best;
  }
  static constexpr SlotPlan kSlots = plan_slots();

 public:
  /// True when bucket_index uses the slot table: at most 2 bounds share a slot (tests,
  /// benchmarks). Otherwise the scan, whose cost grows with N, is the cheaper one.
  static constexpr bool kSearchBySlot = kSlots.window != 0 && kSlots.window <= 2;

 private:
  // For each slot, how many bounds lie in lower slots (N <= 64 fits a byte).
  static constexpr auto make_first_bound_of_slot() {
    std::array<uint8_t, kSlots.slots> first{};
    if constexpr (kSearchBySlot)
      for (std::size_t k = 0; k < kSlots.slots; ++k)
        for (double b : Bounds)
          if (slot(clamp_to(b, kSlots), kSlots.shift) - kSlots.first_slot < k) ++first[k];
    return first;
  }
  static constexpr auto kFirstBoundOfSlot = make_first_bound_of_slot();
  // The bounds then +inf: the compares of the last slot read past the last bound.
  static constexpr auto make_padded_bounds() {
    std::array<double, N + 2> padded{};
    for (std::size_t i = 0; i < N; ++i) padded[i] = Bounds[i];
    padded[N] = padded[N + 1] = std::numeric_limits<double>::infinity();
    return padded;
  }
  static constexpr auto kPaddedBounds = make_padded_bounds();

  std::array<uint64_t, N + 1> counts_{};
  double sum_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace coretel
