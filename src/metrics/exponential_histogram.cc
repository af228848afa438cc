// exponential_histogram.cc: the cold paths of ExponentialHistogram (exponential_histogram.h):
// the boundary tables, the logarithm mapping of high scales, window moves, downscaling and the
// merge the collector and export rollback use.
#include "coretel/metrics/exponential_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace coretel::expo {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The tables of scales 1..kTableScale in two arrays: boundaries (2^s + 1 per scale) and slots
// (2^(s+1) per scale).
constexpr std::size_t boundary_words() {
  std::size_t n = 0;
  for (int s = 1; s <= kTableScale; ++s) n += (std::size_t{1} << s) + 1;
  return n;
}
constexpr std::size_t slot_entries() {
  std::size_t n = 0;
  for (int s = 1; s <= kTableScale; ++s) n += std::size_t{1} << (s + 1);
  return n;
}

struct TableStorage {
  std::array<uint64_t, boundary_words()> boundary{};
  std::array<uint16_t, slot_entries()> first{};
};
TableStorage storage;

constexpr std::array<ScaleTable, kTableScale + 1> table_pointers() {
  std::array<ScaleTable, kTableScale + 1> t{};
  std::size_t b = 0, f = 0;
  for (int s = 1; s <= kTableScale; ++s) {
    t[static_cast<std::size_t>(s)] = {storage.first.data() + f, storage.boundary.data() + b};
    b += (std::size_t{1} << s) + 1;
    f += std::size_t{1} << (s + 1);
  }
  return t;
}

struct FillTables {
  FillTables() {
    std::size_t b = 0, f = 0;
    for (int s = 1; s <= kTableScale; ++s) {
      const uint64_t n = uint64_t{1} << s;
      uint64_t* boundary = storage.boundary.data() + b;
      uint16_t* first = storage.first.data() + f;
      boundary[0] = 0;
      for (uint64_t k = 1; k < n; ++k)  // 1 < bound < 2: its mantissa bits
        boundary[k] = std::bit_cast<uint64_t>(bound(static_cast<int64_t>(k), s)) & kMantissaMask;
      boundary[n] = uint64_t{1} << 52;
      const uint64_t slots = n * 2;
      uint64_t below = 0;  // boundaries (k >= 1) below the slot's first mantissa
      for (uint64_t slot = 0; slot < slots; ++slot) {
        const uint64_t start = slot << (51 - s);
        while (below + 1 < n && boundary[below + 1] < start) ++below;
        first[slot] = static_cast<uint16_t>(below);
      }
      b += n + 1;
      f += slots;
    }
  }
};
// Before any default-priority initializer of a program that links coretel, so that a metric set
// recorded during another translation unit's static initialization maps correctly.
[[gnu::init_priority(200)]] FillTables fill_tables;

std::size_t range_of(double v) {
  return std::signbit(v) ? 1 : 0;
}

uint64_t* counts(uint64_t* w, uint32_t max_size, std::size_t range) {
  return w + kHeaderWords + range * max_size;
}
const uint64_t* counts(const uint64_t* w, uint32_t max_size, std::size_t range) {
  return w + kHeaderWords + range * max_size;
}
int64_t offset(const uint64_t* w, std::size_t range) {
  return static_cast<int64_t>(w[kPositiveOffset + range]);
}
int scale_of(const uint64_t* w) {
  return static_cast<int>(static_cast<int64_t>(w[kScale]));
}
double as_double(uint64_t word) {
  return std::bit_cast<double>(word);
}
uint64_t as_word(double v) {
  return std::bit_cast<uint64_t>(v);
}

// The lowest and highest populated bucket index of a range; false when it holds nothing.
bool populated(const uint64_t* w, uint32_t max_size, std::size_t range, int64_t& lo, int64_t& hi) {
  const uint64_t* c = counts(w, max_size, range);
  uint32_t first = 0;
  while (first < max_size && c[first] == 0) ++first;
  if (first == max_size) return false;
  uint32_t last = max_size - 1;
  while (c[last] == 0) --last;
  lo = offset(w, range) + first;
  hi = offset(w, range) + last;
  return true;
}

// The least c >= 0 such that indexes lo..hi fit in max_size buckets at scale - c.
int downscale_needed(int64_t lo, int64_t hi, uint32_t max_size) {
  int c = 0;
  while ((hi >> c) - (lo >> c) >= static_cast<int64_t>(max_size)) ++c;
  return c;
}

// Moves a range's window so that it covers lo..hi (which fit), centred so that the range can
// grow either way before the next move. `shift` lowers every index of the range by that many
// scale steps on the way (a downscale); the counts of the old buckets merge accordingly.
void rewindow(uint64_t* w, uint32_t max_size, std::size_t range, int64_t lo, int64_t hi,
              int shift) {
  uint64_t* c = counts(w, max_size, range);
  const int64_t old_offset = offset(w, range);
  const int64_t spare = static_cast<int64_t>(max_size) - (hi - lo + 1);
  const int64_t new_offset = lo - spare / 2;
  std::array<uint64_t, kMaxExponentialHistogramSize> moved{};
  for (uint32_t k = 0; k < max_size; ++k) {
    if (c[k] == 0) continue;
    const int64_t index = (old_offset + k) >> shift;
    moved[static_cast<std::size_t>(index - new_offset)] += c[k];
  }
  std::memcpy(c, moved.data(), max_size * sizeof(uint64_t));
  w[kPositiveOffset + range] = static_cast<uint64_t>(new_offset);
}

// Lowers the scale by c > 0: every bucket i of both ranges becomes bucket i >> c.
void downscale(uint64_t* w, uint32_t max_size, int c) {
  for (std::size_t range = 0; range < 2; ++range) {
    int64_t lo, hi;
    if (!populated(w, max_size, range, lo, hi)) {
      w[kPositiveOffset + range] = static_cast<uint64_t>(kNoOffset);
      continue;
    }
    rewindow(w, max_size, range, lo >> c, hi >> c, c);
  }
  w[kScale] = static_cast<uint64_t>(static_cast<int64_t>(scale_of(w) - c));
}

// Adds n to bucket `index` (at the current scale) of a range, lowering the scale and moving the
// window as needed.
void add_to_bucket(uint64_t* w, uint32_t max_size, std::size_t range, int64_t index, uint64_t n) {
  int64_t lo, hi;
  if (!populated(w, max_size, range, lo, hi)) {
    lo = hi = index;
  } else {
    lo = std::min(lo, index);
    hi = std::max(hi, index);
    const int c = downscale_needed(lo, hi, max_size);
    if (c > 0) {
      downscale(w, max_size, c);
      index >>= c;
      lo >>= c;
      hi >>= c;
    }
  }
  auto slot = static_cast<uint64_t>(index - offset(w, range));
  if (slot >= max_size) {
    rewindow(w, max_size, range, lo, hi, 0);
    slot = static_cast<uint64_t>(index - offset(w, range));
  }
  counts(w, max_size, range)[slot] += n;
}

void add_min_max(uint64_t* w, double lo, double hi) {
  if (lo < as_double(w[kMin])) w[kMin] = as_word(lo);
  if (hi > as_double(w[kMax])) w[kMax] = as_word(hi);
}

}  // namespace

constinit const std::array<ScaleTable, kTableScale + 1> kScaleTables = table_pointers();

double bound(int64_t index, int scale) noexcept {
  if (scale <= 0) return std::ldexp(1.0, static_cast<int>(index << -scale));
  return static_cast<double>(std::exp2l(std::ldexp(static_cast<long double>(index), -scale)));
}

int64_t index_by_log(int64_t exponent, uint64_t mantissa, int scale) noexcept {
  if (mantissa == 0) return (exponent << scale) - 1;
  // 1 < m < 2: the bucket j within the binade is the one with 2^(j/n) < m <= 2^((j+1)/n), so
  // j = floor(log2(m) * n). log2 is within about 1e-16 of the truth and n <= 2^20, so x is
  // within 1e-9 of log2(m) * n: only when x lies that close to an integer can the floor be one
  // off, and then the compares against the bounds settle it.
  const double m = std::bit_cast<double>((uint64_t{1023} << 52) | mantissa);
  const double n = std::ldexp(1.0, scale);
  const double x = std::log2(m) * n;
  const auto top = static_cast<int64_t>(n) - 1;
  auto j = std::clamp<int64_t>(static_cast<int64_t>(x), 0, top);
  const double fraction = x - static_cast<double>(j);
  if (fraction < 1e-9 || fraction > 1 - 1e-9) [[unlikely]] {
    while (j > 0 && m <= bound(j, scale)) --j;
    while (j < top && m > bound(j + 1, scale)) ++j;
  }
  return (exponent << scale) + j;
}

int64_t index_of_value(double magnitude, int scale) noexcept {
  int e;
  const double f = std::frexp(magnitude, &e);  // magnitude = f * 2^e, f in [0.5, 1)
  const uint64_t mantissa = std::bit_cast<uint64_t>(f * 2.0) & kMantissaMask;
  return index_of(e - 1, mantissa, scale);
}

void record_slow(uint64_t* w, uint32_t max_size, double v) noexcept {
  if (!detail::finite(v)) {
    detail::count_invalid(v);
    return;
  }
  v += 0.0;  // -0.0 + 0.0 == +0.0
  if (v == 0.0) {
    ++w[kZeroCount];
  } else {
    const std::size_t range = range_of(v);
    add_to_bucket(w, max_size, range, index_of_value(std::fabs(v), scale_of(w)), 1);
    w[kSum] = as_word(as_double(w[kSum]) + v);
  }
  ++w[kCount];
  add_min_max(w, v, v);
}

void reset(uint64_t* w, uint32_t max_size) noexcept {
  std::memset(w, 0, (kHeaderWords + 2 * std::size_t{max_size}) * sizeof(uint64_t));
  w[kMin] = as_word(kInf);
  w[kMax] = as_word(-kInf);
  w[kScale] = static_cast<uint64_t>(int64_t{kMaxScale});
  w[kPositiveOffset] = w[kNegativeOffset] = static_cast<uint64_t>(kNoOffset);
}

void clear(uint64_t* w, uint32_t max_size) noexcept {
  w[kCount] = 0;
  w[kSum] = as_word(0.0);
  w[kMin] = as_word(kInf);
  w[kMax] = as_word(-kInf);
  w[kZeroCount] = 0;
  std::memset(w + kHeaderWords, 0, 2 * std::size_t{max_size} * sizeof(uint64_t));
}

void merge(uint64_t* acc, const uint64_t* in, uint32_t max_size) noexcept {
  if (in[kCount] == 0) return;
  const std::size_t words = kHeaderWords + 2 * std::size_t{max_size};
  if (acc[kCount] == 0) {
    std::memcpy(acc, in, words * sizeof(uint64_t));
    return;
  }
  const int scale_acc = scale_of(acc), scale_in = scale_of(in);
  int target = std::min(scale_acc, scale_in);
  // Lower the common scale until each range of the union fits.
  for (std::size_t range = 0; range < 2; ++range) {
    int64_t lo_a, hi_a, lo_b, hi_b;
    const bool has_a = populated(acc, max_size, range, lo_a, hi_a);
    const bool has_b = populated(in, max_size, range, lo_b, hi_b);
    if (!has_a && !has_b) continue;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    if (has_a) {
      lo = std::min(lo, lo_a >> (scale_acc - target));
      hi = std::max(hi, hi_a >> (scale_acc - target));
    }
    if (has_b) {
      lo = std::min(lo, lo_b >> (scale_in - target));
      hi = std::max(hi, hi_b >> (scale_in - target));
    }
    const int c = downscale_needed(lo, hi, max_size);
    target -= c;
  }
  if (scale_acc > target) downscale(acc, max_size, scale_acc - target);
  const int shift_in = scale_in - target;
  for (std::size_t range = 0; range < 2; ++range) {
    const uint64_t* c = counts(in, max_size, range);
    const int64_t base = offset(in, range);
    for (uint32_t k = 0; k < max_size; ++k)
      if (c[k] != 0) add_to_bucket(acc, max_size, range, (base + k) >> shift_in, c[k]);
  }
  acc[kCount] += in[kCount];
  acc[kZeroCount] += in[kZeroCount];
  acc[kSum] = as_word(as_double(acc[kSum]) + as_double(in[kSum]));
  add_min_max(acc, as_double(in[kMin]), as_double(in[kMax]));
}

}  // namespace coretel::expo
