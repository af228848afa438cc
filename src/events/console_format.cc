#include "coretel/events/console_format.h"

#include <time.h>

#include <cstdint>

#include <fmt/format.h>

#include "coretel/export/utf8.h"

namespace coretel::events {

namespace {

bool bare(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

void quoted(std::string_view s, std::string& out) {
  std::string valid;
  if (!is_valid_utf8(s)) {
    valid = to_valid_utf8(s);
    s = valid;
  }
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          fmt::format_to(std::back_inserter(out), "\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// `v` in `width` digits, zero-padded (v < 10^width).
void append_fixed(std::string& out, uint64_t v, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

// "YYYY-MM-DDTHH:MM:SS" of `seconds` since the epoch, UTC; the last one is kept per thread
// (events come many to a second).
void append_second(std::string& out, int64_t seconds) {
  thread_local int64_t cached_second = -1;
  thread_local char cached[19];
  if (seconds != cached_second) {
    const time_t t = static_cast<time_t>(seconds);
    struct tm utc {};
    gmtime_r(&t, &utc);
    std::string text;
    append_fixed(text, static_cast<uint64_t>(utc.tm_year + 1900), 4);
    text += '-';
    append_fixed(text, static_cast<uint64_t>(utc.tm_mon + 1), 2);
    text += '-';
    append_fixed(text, static_cast<uint64_t>(utc.tm_mday), 2);
    text += 'T';
    append_fixed(text, static_cast<uint64_t>(utc.tm_hour), 2);
    text += ':';
    append_fixed(text, static_cast<uint64_t>(utc.tm_min), 2);
    text += ':';
    append_fixed(text, static_cast<uint64_t>(utc.tm_sec), 2);
    text.copy(cached, sizeof(cached));
    cached_second = seconds;
  }
  out.append(cached, sizeof(cached));
}

}  // namespace

void append_console_text(std::string_view text, std::string& out) {
  if (bare(text)) {
    out += text;
  } else {
    quoted(text, out);
  }
}

void format_console(const EventRecord& record, std::string& out) {
  append_second(out, static_cast<int64_t>(record.time_unix_nano / 1'000'000'000));
  out += '.';
  append_fixed(out, (record.time_unix_nano % 1'000'000'000) / 1000, 6);
  out += "Z ";
  const std::string_view level = record.exported_severity_text();
  if (bare(level)) {
    out += level;
  } else {
    quoted(level, out);  // a binding's text ("WARNING", a custom level name) is not ours
  }
  out.append(level.size() < 6 ? 6 - level.size() : 1, ' ');  // padded to 5, then the separator
  out += '[';
  out += record.scope;
  out += "] ";
  out += record.name;
  if (!record.body.empty()) {
    out += ' ';
    quoted(record.body, out);
  }
  for (const AttributeRef& a : record.attributes) {
    out += ' ';
    out += a.key;
    out += '=';
    if (const auto* s = std::get_if<std::string_view>(&a.value)) {
      append_console_text(*s, out);
    } else if (const auto* i = std::get_if<int64_t>(&a.value)) {
      const fmt::format_int digits(*i);
      out.append(digits.data(), digits.size());
    } else {
      out += to_string(a.value);
    }
  }
  if (record.dropped_attributes_count != 0) {
    out += " [dropped attributes: ";
    const fmt::format_int n(record.dropped_attributes_count);
    out.append(n.data(), n.size());
    out += ']';
  }
  out += '\n';
}

}  // namespace coretel::events
