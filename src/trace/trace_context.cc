#include "coretel/trace/trace_context.h"

#include <algorithm>

#include "../common/ascii.h"

namespace coretel::trace {

namespace {

constexpr char kHex[] = "0123456789abcdef";

using ascii::trim_ows;

template <std::size_t N>
bool parse_hex(std::string_view text, std::array<uint8_t, N>& out) noexcept {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    // W3C HEXDIGLC: uppercase is not valid.
    const int high = ascii::lowercase_hex_digit(text[2 * i]);
    const int low = ascii::lowercase_hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return true;
}

template <std::size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
  std::string out(2 * N, '0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
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
  std::string out = "00-";
  out += trace_id.hex();
  out += '-';
  out += span_id.hex();
  out += '-';
  out += kHex[flags >> 4];
  out += kHex[flags & 15];
  return out;
}

bool TraceState::valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > 256) return false;
  const char first = key.front();
  if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) return false;
  return std::all_of(key.begin(), key.end(), key_char);
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
        if (!has(key)) {
          if (members.size() == kMaxMembers) return std::nullopt;  // a 33rd member
          members.emplace_back(key, value);
        }
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
