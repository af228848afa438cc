// syslog_message.cc: RFC 5424 / RFC 3164 parser. Hot path: no allocation, no exceptions, no locks.
#include "syslog_message.h"

#include <array>
#include <cstddef>

namespace coretel_demo {
namespace {

// RFC 5424 §6 field limits.
constexpr size_t kMaxHostname = 255;
constexpr size_t kMaxAppName = 48;
constexpr size_t kMaxProcId = 128;
constexpr size_t kMaxMsgId = 32;
constexpr size_t kMaxSdName = 32;
// RFC 3164 §4.1.3: the TAG is at most 32 alphanumeric characters.
constexpr size_t kMaxTag = 32;
constexpr int kMaxPri = 191;  // facility 23, severity 7

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// PRINTUSASCII = %d33-126.
constexpr bool is_print_ascii(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126;
}

// SD-NAME = 1*32PRINTUSASCII except '=', SP, ']', %d34 (").
constexpr bool is_sd_name_char(char c) {
  return is_print_ascii(c) && c != '=' && c != ']' && c != '"';
}

// RFC 3164 TAG characters: alphanumerics, plus the "-._/" real senders use.
constexpr bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' ||
         c == '_' || c == '/';
}

// Value of the two digits at s[pos], s[pos+1], or -1 if they are not both digits.
constexpr int two_digits(std::string_view s, size_t pos) {
  if (pos + 2 > s.size() || !is_digit(s[pos]) || !is_digit(s[pos + 1])) return -1;
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

ParseResult fail(ParseError e) {
  ParseResult r;
  r.ok = false;
  r.error = e;
  return r;
}

std::string_view strip_bom(std::string_view s) {
  if (s.starts_with(kUtf8Bom)) s.remove_prefix(kUtf8Bom.size());
  return s;
}

// RFC 5424 §6.2.3: FULL-DATE "T" FULL-TIME, i.e.
// YYYY-MM-DDThh:mm:ss[.1*6DIGIT](Z|(+|-)hh:mm). "T" and "Z" must be upper case.
bool valid_rfc3339(std::string_view ts) {
  if (ts.size() < 20) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (!is_digit(ts[i])) return false;
  }
  if (ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':') {
    return false;
  }
  const int month = two_digits(ts, 5);
  const int day = two_digits(ts, 8);
  const int hour = two_digits(ts, 11);
  const int minute = two_digits(ts, 14);
  const int second = two_digits(ts, 17);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59) {
    return false;
  }
  size_t pos = 19;
  if (ts[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < ts.size() && is_digit(ts[pos])) ++pos;
    const size_t digits = pos - start;
    if (digits < 1 || digits > 6) return false;
  }
  if (pos >= ts.size()) return false;
  if (ts[pos] == 'Z') return pos + 1 == ts.size();
  if (ts[pos] != '+' && ts[pos] != '-') return false;
  // TIME-NUMOFFSET = ("+" / "-") TIME-HOUR ":" TIME-MINUTE
  if (ts.size() != pos + 6 || ts[pos + 3] != ':') return false;
  const int off_hour = two_digits(ts, pos + 1);
  const int off_minute = two_digits(ts, pos + 4);
  return off_hour >= 0 && off_hour <= 23 && off_minute >= 0 && off_minute <= 59;
}

// RFC 3164 §4.1.2: "Mmm dd hh:mm:ss" (exactly 15 characters), dd space-padded ("Oct  1"); a
// zero-padded day ("Oct 01") is accepted too, as some senders emit it.
bool valid_rfc3164_timestamp(std::string_view ts) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (ts.size() != 15) return false;
  bool month_ok = false;
  for (const std::string_view m : kMonths) {
    if (ts.substr(0, 3) == m) {
      month_ok = true;
      break;
    }
  }
  if (!month_ok || ts[3] != ' ' || ts[6] != ' ' || ts[9] != ':' || ts[12] != ':') return false;
  int day = 0;
  if (ts[4] == ' ') {
    if (!is_digit(ts[5])) return false;
    day = ts[5] - '0';
  } else {
    day = two_digits(ts, 4);
  }
  const int hour = two_digits(ts, 7);
  const int minute = two_digits(ts, 10);
  const int second = two_digits(ts, 13);
  return day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 &&
         second >= 0 && second <= 59;
}

// Reads the token starting at `pos` up to (not including) the next SP or the end; `pos` is left
// on that SP (or at the end).
std::string_view next_token(std::string_view s, size_t& pos) {
  const size_t start = pos;
  while (pos < s.size() && s[pos] != ' ') ++pos;
  return s.substr(start, pos - start);
}

// A HEADER field: 1..max_len PRINTUSASCII characters.
bool valid_header_field(std::string_view field, size_t max_len) {
  if (field.empty() || field.size() > max_len) return false;
  for (const char c : field) {
    if (!is_print_ascii(c)) return false;
  }
  return true;
}

// Reads an SD-NAME at `pos`; false if it is empty or longer than 32 characters.
bool read_sd_name(std::string_view s, size_t& pos) {
  const size_t start = pos;
  while (pos < s.size() && is_sd_name_char(s[pos])) ++pos;
  const size_t len = pos - start;
  return len >= 1 && len <= kMaxSdName;
}

// RFC 5424 §6.3: 1*SD-ELEMENT starting at `pos` (which is on '['); `pos` is left after the last
// ']'. SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]", SD-PARAM = PARAM-NAME "=" %d34 PARAM-VALUE %d34.
// In PARAM-VALUE '"', '\' and ']' are escaped with '\'; a '\' before any other character is
// literal (§6.3.3). An unescaped ']' inside a value is tolerated (the closing '"' is unambiguous).
bool parse_structured_data(std::string_view s, size_t& pos) {
  while (pos < s.size() && s[pos] == '[') {
    ++pos;
    if (!read_sd_name(s, pos)) return false;  // SD-ID
    while (true) {
      if (pos >= s.size()) return false;
      if (s[pos] == ']') {
        ++pos;
        break;
      }
      if (s[pos] != ' ') return false;
      ++pos;
      if (!read_sd_name(s, pos)) return false;  // PARAM-NAME
      if (pos + 1 >= s.size() || s[pos] != '=' || s[pos + 1] != '"') return false;
      pos += 2;
      while (pos < s.size() && s[pos] != '"') {
        pos += (s[pos] == '\\') ? 2 : 1;
      }
      if (pos >= s.size()) return false;  // unterminated value
      ++pos;                              // closing '"'
    }
  }
  return true;
}

// RFC 5424 §6: everything after "<PRI>1 ".
// HEADER = ... TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID; then SP STRUCTURED-DATA
// [SP MSG].
ParseResult parse_rfc5424(std::string_view s, SyslogMessage& m) {
  size_t pos = 0;
  m.timestamp = next_token(s, pos);
  if (m.timestamp != "-" && !valid_rfc3339(m.timestamp)) return fail(ParseError::kInvalidTimestamp);

  struct Field {
    std::string_view* out;
    size_t max_len;
  };
  const Field fields[] = {{&m.hostname, kMaxHostname},
                          {&m.app_name, kMaxAppName},
                          {&m.procid, kMaxProcId},
                          {&m.msgid, kMaxMsgId}};
  for (const Field& f : fields) {
    if (pos >= s.size()) return fail(ParseError::kInvalidHeader);  // field missing
    ++pos;                                                         // SP
    *f.out = next_token(s, pos);
    if (!valid_header_field(*f.out, f.max_len)) return fail(ParseError::kInvalidHeader);
  }

  if (pos >= s.size()) return fail(ParseError::kInvalidStructuredData);  // SD is mandatory
  ++pos;                                                                 // SP
  const size_t sd_start = pos;
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
  } else if (pos < s.size() && s[pos] == '[') {
    if (!parse_structured_data(s, pos)) return fail(ParseError::kInvalidStructuredData);
  } else {
    return fail(ParseError::kInvalidStructuredData);
  }
  m.structured_data = s.substr(sd_start, pos - sd_start);

  if (pos < s.size()) {
    if (s[pos] != ' ') return fail(ParseError::kInvalidStructuredData);
    m.message = strip_bom(s.substr(pos + 1));
  }
  ParseResult r;
  r.ok = true;
  r.message = m;
  return r;
}

// RFC 3164 §4.1.3: TAG (1..32 tag characters), optional "[pid]", then ':' and the content (one SP
// after the ':' is skipped). Returns false, leaving the outputs untouched, when `s` does not start
// that way.
bool parse_tag(std::string_view s, SyslogMessage& m) {
  size_t pos = 0;
  while (pos < s.size() && pos <= kMaxTag && is_tag_char(s[pos])) ++pos;
  if (pos == 0 || pos > kMaxTag || pos >= s.size()) return false;
  const std::string_view tag = s.substr(0, pos);
  std::string_view pid;
  if (s[pos] == '[') {
    const size_t pid_start = ++pos;
    while (pos < s.size() && pos - pid_start <= kMaxProcId && is_print_ascii(s[pos]) &&
           s[pos] != ']') {
      ++pos;
    }
    const size_t pid_len = pos - pid_start;
    if (pid_len == 0 || pid_len > kMaxProcId || pos >= s.size() || s[pos] != ']') return false;
    pid = s.substr(pid_start, pid_len);
    ++pos;
  }
  if (pos >= s.size() || s[pos] != ':') return false;
  ++pos;
  if (pos < s.size() && s[pos] == ' ') ++pos;
  m.app_name = tag;
  m.procid = pid;
  m.message = strip_bom(s.substr(pos));
  return true;
}

// RFC 3164 §4.1: everything after "<PRI>". Lenient: never an error.
ParseResult parse_rfc3164(std::string_view s, SyslogMessage& m) {
  m.format = SyslogFormat::kRfc3164;
  ParseResult r;
  r.ok = true;
  constexpr size_t kTsLen = 15;  // "Mmm dd hh:mm:ss"
  if (s.size() < kTsLen || !valid_rfc3164_timestamp(s.substr(0, kTsLen)) ||
      (s.size() > kTsLen && s[kTsLen] != ' ')) {
    // No (recognisable) HEADER: the rest is all content.
    m.message = strip_bom(s);
    r.message = m;
    return r;
  }
  m.timestamp = s.substr(0, kTsLen);
  s.remove_prefix(s.size() > kTsLen ? kTsLen + 1 : kTsLen);
  // A first token of the form "tag[pid]:" is a TAG with the HOSTNAME left out (what local
  // syslog(3) senders and some relays emit); a hostname never ends in ':'.
  if (!parse_tag(s, m)) {
    size_t pos = 0;
    m.hostname = next_token(s, pos);
    if (pos < s.size()) {
      s.remove_prefix(pos + 1);
      if (!parse_tag(s, m)) m.message = strip_bom(s);  // no TAG: the rest is the message
    }
  }
  r.message = m;
  return r;
}

}  // namespace

ParseResult parse_syslog(std::string_view line) noexcept {
  if (line.ends_with('\n')) {
    line.remove_suffix(1);
    if (line.ends_with('\r')) line.remove_suffix(1);
  }
  if (line.size() > kMaxMessageBytes) return fail(ParseError::kMessageTooLong);

  // PRI = "<" PRIVAL ">", PRIVAL = 1*3DIGIT, 0..191, no leading zeros (RFC 5424 §6.2.1).
  if (line.empty() || line[0] != '<') return fail(ParseError::kMissingPriority);
  size_t pos = 1;
  int pri = 0;
  while (pos < line.size() && is_digit(line[pos]) && pos <= 3) {
    pri = pri * 10 + (line[pos] - '0');
    ++pos;
  }
  const size_t digits = pos - 1;
  if (digits == 0 || pos >= line.size() || line[pos] != '>' || pri > kMaxPri ||
      (digits > 1 && line[1] == '0')) {
    return fail(ParseError::kInvalidPriority);
  }
  ++pos;

  SyslogMessage m;
  m.facility = static_cast<uint8_t>(pri / 8);
  m.severity = static_cast<Severity>(pri % 8);
  std::string_view rest = line.substr(pos);

  // "<PRI>" VERSION SP selects RFC 5424.
  size_t v = 0;
  while (v < rest.size() && is_digit(rest[v])) ++v;
  if (v > 0 && v < rest.size() && rest[v] == ' ') {
    if (rest.substr(0, v) != "1") return fail(ParseError::kInvalidVersion);
    m.format = SyslogFormat::kRfc5424;
    return parse_rfc5424(rest.substr(v + 1), m);
  }
  return parse_rfc3164(rest, m);
}

}  // namespace coretel_demo
