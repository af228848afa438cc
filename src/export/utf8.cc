#include "coretel/export/utf8.h"

#include <cstdint>

namespace coretel {

Utf8Step next_utf8_step(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(pos);
  if (lead < 0x80) return {1, true};
  // Unicode Table 3-7, "Well-Formed UTF-8 Byte Sequences": the lead byte gives the length and the
  // range of the second byte; every later byte is 80..BF.
  std::size_t length;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) lo = 0x90;  // no overlong forms
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // 80..C1 and F5..FF never start a well-formed sequence
  }
  // The maximal subpart ends at the first byte that cannot continue the sequence.
  for (std::size_t i = 1; i < length; ++i) {
    if (pos + i >= text.size()) return {i, false};
    const uint8_t b = byte(pos + i);
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return {i, false};
  }
  return {length, true};
}

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t pos = 0; pos < text.size();) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    Utf8Step step = next_utf8_step(text, pos);
    if (!step.valid) return false;
    pos += step.length;
  }
  return true;
}

void append_valid_utf8(std::string& out, std::string_view text) {
  std::size_t start = 0;  // start of the pending well-formed run
  for (std::size_t pos = 0; pos < text.size();) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    Utf8Step step = next_utf8_step(text, pos);
    if (!step.valid) {
      out.append(text.data() + start, pos - start);
      out.append(kUtf8Replacement);
      start = pos + step.length;
    }
    pos += step.length;
  }
  out.append(text.data() + start, text.size() - start);
}

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_valid_utf8(out, text);
  return out;
}

void append_single_line(std::string& out, std::string_view text) {
  std::string valid;
  append_valid_utf8(valid, text);
  for (char c : valid) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out.push_back(c);
    }
  }
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  for (int back = 0; back < 3 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80;
       ++back)
    --end;
  return text.substr(0, end);
}

}  // namespace coretel
