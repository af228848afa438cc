// ascii.h (internal): the ASCII text helpers the parsers of headers and variables share
// (environment variables, HTTP header names, W3C Trace Context and Baggage). Byte-wise, no
// locale. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace coretel::ascii {

constexpr char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

inline std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

/// Equal ignoring ASCII case (HTTP field names, enum values).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

/// Without the spaces and tabs around it (RFC 7230 OWS).
constexpr std::string_view trim_ows(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// A hex digit's value, either case; -1 for anything else.
constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// A lowercase hex digit's value (W3C HEXDIGLC); -1 for anything else, uppercase included.
constexpr int lowercase_hex_digit(char c) noexcept {
  return c >= 'A' && c <= 'F' ? -1 : hex_digit(c);
}

}  // namespace coretel::ascii
