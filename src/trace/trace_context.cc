#include "coretel/trace/trace_context.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../common/ascii.h"

namespace coretel::trace {

namespace {

constexpr char kHex[] = "0123456789abcdef";

using ascii::trim_ows;

// W3C HEXDIGLC: the value of a lowercase hex digit, -1 for any other byte (uppercase included).
constexpr std::array<int8_t, 256> kLowercaseHex = [] {
  std::array<int8_t, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[c] = static_cast<int8_t>(ascii::lowercase_hex_digit(static_cast<char>(c)));
  return table;
}();

// Bytes from 2N lowercase hex digits. Each digit is shifted into one 64-bit word, with one check
// for the whole field.
template <std::size_t N>
bool parse_hex_scalar(const char* text, uint8_t* out) noexcept {
  int bad = 0;
  for (std::size_t at = 0; at < N; at += 8) {
    const std::size_t bytes = std::min<std::size_t>(8, N - at);
    uint64_t word = 0;
    for (std::size_t i = 0; i < 2 * bytes; ++i) {
      const int digit = kLowercaseHex[static_cast<unsigned char>(text[2 * at + i])];
      bad |= digit;
      word = (word << 4) | static_cast<uint64_t>(digit & 15);
    }
    for (std::size_t i = bytes; i-- > 0; word >>= 8) out[at + i] = static_cast<uint8_t>(word);
  }
  return bad >= 0;
}

#if defined(__SSE2__)
// 8 bytes from 16 lowercase hex digits with SSE2 (every x86-64 CPU has it): the ids of a
// traceparent in three loads instead of 48 table lookups.
bool parse_hex16_sse2(const char* text, uint8_t* out) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text));
  // Signed compares: a byte of 0x80 or more is negative, below '0', so invalid as it should be.
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1)));
  const __m128i lower = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)),
                                      _mm_cmplt_epi8(c, _mm_set1_epi8('f' + 1)));
  if (_mm_movemask_epi8(_mm_or_si128(digit, lower)) != 0xFFFF) return false;
  // A digit's value: c - '0', less 39 more for a-f ('a' - '0' - 10).
  const __m128i value =
      _mm_sub_epi8(_mm_sub_epi8(c, _mm_set1_epi8('0')), _mm_and_si128(lower, _mm_set1_epi8(39)));
  // Each 16-bit lane holds (high digit, low digit): high << 4 | low, then packed to bytes.
  const __m128i high = _mm_slli_epi16(_mm_and_si128(value, _mm_set1_epi16(0x00FF)), 4);
  const __m128i bytes = _mm_or_si128(high, _mm_srli_epi16(value, 8));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(bytes, bytes));
  return true;
}
#endif

template <std::size_t N>
bool parse_hex(std::string_view text, std::array<uint8_t, N>& out) noexcept {
  if (text.size() != 2 * N) return false;
#if defined(__SSE2__)
  if constexpr (N % 8 == 0) {
    for (std::size_t at = 0; at < N; at += 8)
      if (!parse_hex16_sse2(text.data() + 2 * at, out.data() + at)) return false;
    return true;
  }
#endif
  return parse_hex_scalar<N>(text.data(), out.data());
}

template <std::size_t N>
char* write_hex(const std::array<uint8_t, N>& bytes, char* out) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    *out++ = kHex[bytes[i] >> 4];
    *out++ = kHex[bytes[i] & 15];
  }
  return out;
}

template <std::size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
  char text[2 * N];
  write_hex(bytes, text);
  return std::string(text, 2 * N);
}

template <std::size_t N>
bool any_nonzero(const std::array<uint8_t, N>& bytes) noexcept {
  return std::any_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
}

bool key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/' || c == '@';
}

}  // namespace

bool TraceId::valid() const noexcept {
  return any_nonzero(bytes);
}
std::string TraceId::hex() const {
  return to_hex(bytes);
}
bool SpanId::valid() const noexcept {
  return any_nonzero(bytes);
}
std::string SpanId::hex() const {
  return to_hex(bytes);
}

std::optional<Traceparent> parse_traceparent(std::string_view value) noexcept {
  value = trim_ows(value);
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  constexpr std::size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  std::array<uint8_t, 1> version{}, flags{};
  if (!parse_hex(value.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0) {
    if (value.size() != kLength) return std::nullopt;  // version 00: exactly 55 characters
  } else if (value.size() > kLength && value[kLength] != '-') {
    return std::nullopt;  // a later version may append fields, after a '-'
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  Traceparent out;
  out.version = version[0];
  if (!parse_hex(value.substr(3, 32), out.trace_id.bytes) ||
      !parse_hex(value.substr(36, 16), out.parent_id.bytes) ||
      !parse_hex(value.substr(53, 2), flags))
    return std::nullopt;
  if (!out.trace_id.valid() || !out.parent_id.valid()) return std::nullopt;
  out.flags = flags[0];
  return out;
}

std::string format_traceparent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags) {
  char text[55] = {'0', '0', '-'};
  char* p = write_hex(trace_id.bytes, text + 3);
  *p++ = '-';
  p = write_hex(span_id.bytes, p);
  *p++ = '-';
  *p++ = kHex[flags >> 4];
  *p = kHex[flags & 15];
  return std::string(text, sizeof text);
}

bool TraceState::valid_key(std::string_view key) noexcept {
  auto lcalpha = [](char c) { return c >= 'a' && c <= 'z'; };
  auto lcalpha_or_digit = [&](char c) { return lcalpha(c) || (c >= '0' && c <= '9'); };
  auto rest_valid = [](std::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c != '@' && key_char(c); });
  };
  const std::size_t at = key.find('@');
  if (at == std::string_view::npos) {  // simple-key: 1 to 256 characters
    return !key.empty() && key.size() <= 256 && lcalpha_or_digit(key.front()) && rest_valid(key);
  }
  // multi-tenant-key = tenant-id "@" system-id: 1 to 241 and 1 to 14 characters, one "@".
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && lcalpha_or_digit(tenant.front()) &&
         rest_valid(tenant) && !system.empty() && system.size() <= 14 && lcalpha(system.front()) &&
         rest_valid(system);
}

bool TraceState::valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

TraceState::TraceState(Members members)
    : members_(members.empty() ? nullptr : std::make_shared<const Members>(std::move(members))) {}

const TraceState::Members& TraceState::members() const noexcept {
  static const Members none;
  return members_ ? *members_ : none;
}

std::optional<TraceState> TraceState::parse(std::span<const std::string_view> header_lines) {
  Members members;
  auto has = [&members](std::string_view key) {
    return std::any_of(members.begin(), members.end(),
                       [key](const auto& m) { return m.first == key; });
  };
  for (std::string_view line : header_lines) {
    while (true) {
      const std::size_t comma = line.find(',');
      const std::string_view member = trim_ows(line.substr(0, comma));
      if (!member.empty()) {
        const std::size_t eq = member.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view key = member.substr(0, eq);
        const std::string_view value = member.substr(eq + 1);
        if (!valid_key(key) || !valid_value(value)) return std::nullopt;
        if (has(key)) return std::nullopt;  // a duplicate key: the list is invalid
        if (members.size() == kMaxMembers) return std::nullopt;  // a 33rd member
        members.emplace_back(key, value);
      }
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
  }
  return TraceState(std::move(members));
}

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  for (const auto& [k, v] : members())
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

std::optional<TraceState> TraceState::with(std::string_view key, std::string_view value) const {
  if (!valid_key(key) || !valid_value(value)) return std::nullopt;
  Members out;
  out.emplace_back(key, value);
  for (const auto& member : members()) {
    if (member.first == key) continue;
    if (out.size() == kMaxMembers) break;  // dropped from the right
    out.push_back(member);
  }
  return TraceState(std::move(out));
}

std::string TraceState::header() const {
  std::string out;
  for (const auto& [k, v] : members()) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

}  // namespace coretel::trace
