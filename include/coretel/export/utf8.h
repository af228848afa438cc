// utf8.h: makes arbitrary bytes into well-formed UTF-8 for the exporters' text formats
// (Prometheus text exposition, the console exporter; the JSON exporters get the same result from
// nlohmann::json's error_handler_t::replace).
//
// Attribute values, OTEL_SERVICE_NAME and other strings reach the exporters as bytes: nothing
// upstream checks that they are UTF-8. The output formats require UTF-8 (Prometheus
// documentation, "Exposition formats": text format 0.0.4 label values are UTF-8, and promtool
// rejects a whole scrape over one bad byte; RFC 8259 for JSON), so every exporter replaces what
// is ill-formed.
//
// Replacement rule: each maximal subpart of an ill-formed subsequence becomes one U+FFFD
// REPLACEMENT CHARACTER (bytes EF BF BD); well-formed sequences are kept unchanged. This is the
// practice the Unicode Standard recommends (chapter 3, "U+FFFD Substitution of Maximal Subparts")
// and what the WHATWG Encoding Standard's UTF-8 decoder does. Examples: "a\xFFb" -> "a\uFFFDb";
// "\xE2\x82" (a truncated 3-byte sequence) -> one U+FFFD; "\xC0\xAF" (overlong) -> two;
// "\xED\xA0\x80" (a surrogate) -> three. Well-formed means Unicode Table 3-7: no overlong forms,
// no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
//
// COLD PATH helpers; pure functions, any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace coretel {

/// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

/// One step of decoding `text` at byte `pos` (< text.size()): how many bytes the next character
/// or ill-formed maximal subpart takes (1 to 4), and whether it is well-formed.
struct Utf8Step {
  std::size_t length;
  bool valid;
};
Utf8Step next_utf8_step(std::string_view text, std::size_t pos) noexcept;

/// True when `text` is well-formed UTF-8 (Unicode Table 3-7).
bool is_valid_utf8(std::string_view text) noexcept;

/// Appends `text` to `out`, each maximal subpart of an ill-formed subsequence replaced by U+FFFD.
void append_valid_utf8(std::string& out, std::string_view text);

/// `text` with each maximal subpart of an ill-formed subsequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

/// Appends `text` made well-formed (as append_valid_utf8) and kept on one line: each control
/// character (U+0000..U+001F, U+007F) becomes `\xHH`, so a value cannot break a line-based
/// layout or send escape sequences to a terminal.
void append_single_line(std::string& out, std::string_view text);

/// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 sequence
/// (the cut moves back over continuation bytes, at most 3).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept;

}  // namespace coretel
