// syslog_message_test.cc: parse_syslog() against the RFC 5424 §6.5 examples, what Debian's
// logger(1) sends, every ParseError, the PRI/size bounds and a random-input robustness loop.
#include "syslog_message.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coretel_demo {
namespace {

// Every field, for exact comparisons with readable failure output.
struct Fields {
  SyslogFormat format;
  int facility;
  Severity severity;
  std::string timestamp, hostname, app_name, procid, msgid, structured_data, message;
  bool operator==(const Fields&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Fields& f) {
  return os << "{format=" << (f.format == SyslogFormat::kRfc5424 ? "5424" : "3164")
            << " facility=" << f.facility << " severity=" << to_string(f.severity) << " ts='"
            << f.timestamp << "' host='" << f.hostname << "' app='" << f.app_name << "' procid='"
            << f.procid << "' msgid='" << f.msgid << "' sd='" << f.structured_data << "' msg='"
            << f.message << "'}";
}

Fields fields_of(const SyslogMessage& m) {
  return {m.format,
          m.facility,
          m.severity,
          std::string(m.timestamp),
          std::string(m.hostname),
          std::string(m.app_name),
          std::string(m.procid),
          std::string(m.msgid),
          std::string(m.structured_data),
          std::string(m.message)};
}

Fields parse_ok(std::string_view line) {
  const ParseResult r = parse_syslog(line);
  EXPECT_TRUE(r.ok) << "line: " << line << " error: " << to_string(r.error);
  return fields_of(r.message);
}

// The error name for `line`, or "ok" when it parsed.
std::string parse_error(std::string_view line) {
  const ParseResult r = parse_syslog(line);
  return r.ok ? std::string("ok") : std::string(to_string(r.error));
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------------------
// RFC 5424 §6.5 examples.

TEST(SyslogMessageRfc5424, Example1WithBom) {
  const std::string line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " +
                           std::string(kBom) + "'su root' failed for lonvick on /dev/pts/8";
  EXPECT_EQ(parse_ok(line), (Fields{SyslogFormat::kRfc5424, 4, Severity::kCritical,
                                    "2003-10-11T22:14:15.003Z", "mymachine.example.com", "su", "-",
                                    "ID47", "-", "'su root' failed for lonvick on /dev/pts/8"}));
}

TEST(SyslogMessageRfc5424, Example2NoBomNumericOffset) {
  EXPECT_EQ(
      parse_ok("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's "
               "time to make the do-nuts."),
      (Fields{SyslogFormat::kRfc5424, 20, Severity::kNotice, "2003-08-24T05:14:15.000003-07:00",
              "192.0.2.1", "myproc", "8710", "-", "-", "%% It's time to make the do-nuts."}));
}

TEST(SyslogMessageRfc5424, Example3StructuredDataAndBomMessage) {
  const std::string line =
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] " +
      std::string(kBom) + "An application event log entry...";
  EXPECT_EQ(parse_ok(line),
            (Fields{SyslogFormat::kRfc5424, 20, Severity::kNotice, "2003-10-11T22:14:15.003Z",
                    "mymachine.example.com", "evntslog", "-", "ID47",
                    "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]",
                    "An application event log entry..."}));
}

TEST(SyslogMessageRfc5424, Example4SeveralSdElementsNoMessage) {
  EXPECT_EQ(parse_ok("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                     "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
                     "[examplePriority@32473 class=\"high\"]"),
            (Fields{SyslogFormat::kRfc5424, 20, Severity::kNotice, "2003-10-11T22:14:15.003Z",
                    "mymachine.example.com", "evntslog", "-", "ID47",
                    "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
                    "[examplePriority@32473 class=\"high\"]",
                    ""}));
}

// ---------------------------------------------------------------------------------------------
// Real senders.

TEST(SyslogMessageRfc5424, DebianLoggerRfc5424) {
  // logger --rfc5424 (util-linux): microsecond timestamp, numeric offset, timeQuality SD.
  EXPECT_EQ(parse_ok("<13>1 2026-11-22T03:58:27.123456+00:00 myhost root 1234 - [timeQuality "
                     "tzKnown=\"1\" isSynced=\"0\"] hello world"),
            (Fields{SyslogFormat::kRfc5424, 1, Severity::kNotice,
                    "2026-11-22T03:58:27.123456+00:00", "myhost", "root", "1234", "-",
                    "[timeQuality tzKnown=\"1\" isSynced=\"0\"]", "hello world"}));
}

TEST(SyslogMessageRfc5424, DebianLoggerRfc5424WithNewlineAndSyncAccuracy) {
  EXPECT_EQ(
      parse_ok("<13>1 2026-11-22T03:58:27.123456+00:00 myhost root - - [timeQuality "
               "tzKnown=\"1\" isSynced=\"1\" syncAccuracy=\"266000\"] hello\n"),
      (Fields{SyslogFormat::kRfc5424, 1, Severity::kNotice, "2026-11-22T03:58:27.123456+00:00",
              "myhost", "root", "-", "-",
              "[timeQuality tzKnown=\"1\" isSynced=\"1\" syncAccuracy=\"266000\"]", "hello"}));
}

TEST(SyslogMessageRfc3164, DebianLoggerRfc3164) {
  EXPECT_EQ(parse_ok("<13>Nov 22 03:58:27 myhost root: hello"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "Nov 22 03:58:27", "myhost",
                    "root", "", "", "", "hello"}));
}

TEST(SyslogMessageRfc3164, SpacePaddedDayAndPid) {
  EXPECT_EQ(parse_ok("<30>Oct  1 12:00:00 host sshd[42]: Accepted"),
            (Fields{SyslogFormat::kRfc3164, 3, Severity::kInformational, "Oct  1 12:00:00", "host",
                    "sshd", "42", "", "", "Accepted"}));
}

TEST(SyslogMessageRfc3164, Rfc3164Examples) {
  // RFC 3164 §5.4 example 1.
  EXPECT_EQ(parse_ok("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on "
                     "/dev/pts/8"),
            (Fields{SyslogFormat::kRfc3164, 4, Severity::kCritical, "Oct 11 22:14:15", "mymachine",
                    "su", "", "", "", "'su root' failed for lonvick on /dev/pts/8"}));
  // RFC 3164 §5.4 example 2: no HEADER at all, the rest is content.
  EXPECT_EQ(parse_ok("<13>Use the BFG!"), (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "",
                                                  "", "", "", "", "", "Use the BFG!"}));
}

TEST(SyslogMessageRfc3164, LenientForms) {
  // CRLF-terminated, tag with path characters.
  EXPECT_EQ(parse_ok("<14>Jan  5 00:00:59 10.0.0.1 /usr/sbin/cron[9]: (root) CMD (true)\r\n"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kInformational, "Jan  5 00:00:59",
                    "10.0.0.1", "/usr/sbin/cron", "9", "", "", "(root) CMD (true)"}));
  // Zero-padded day, no space after the colon.
  EXPECT_EQ(parse_ok("<14>Feb 01 23:59:59 h app:x"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kInformational, "Feb 01 23:59:59", "h",
                    "app", "", "", "", "x"}));
  // No TAG: everything after the hostname is the message.
  EXPECT_EQ(parse_ok("<14>Feb  1 23:59:59 h just some text: here"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kInformational, "Feb  1 23:59:59", "h", "",
                    "", "", "", "just some text: here"}));
  // TAG over 32 characters is not a TAG.
  const std::string long_tag(33, 't');
  EXPECT_EQ(parse_ok("<14>Feb  1 23:59:59 h " + long_tag + ": x"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kInformational, "Feb  1 23:59:59", "h", "",
                    "", "", "", long_tag + ": x"}));
  const std::string tag32(32, 't');
  EXPECT_EQ(parse_ok("<14>Feb  1 23:59:59 h " + tag32 + ": x"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kInformational, "Feb  1 23:59:59", "h",
                    tag32, "", "", "", "x"}));
  // Hostname left out (local syslog(3) style): the first token is the TAG.
  EXPECT_EQ(parse_ok("<13>Nov 22 03:58:27 root[7]: hi"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "Nov 22 03:58:27", "", "root",
                    "7", "", "", "hi"}));
  // Timestamp and hostname only.
  EXPECT_EQ(parse_ok("<13>Nov 22 03:58:27 myhost"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "Nov 22 03:58:27", "myhost", "",
                    "", "", "", ""}));
  // Invalid timestamp (day 32, lowercase month, fractional seconds): all content.
  for (const char* rest : {"Nov 32 03:58:27 myhost root: hello", "nov 22 03:58:27 h t: m",
                           "Nov 22 03:58:27.123 h t: m", "Nov 22 24:00:00 h t: m"}) {
    EXPECT_EQ(parse_ok(std::string("<13>") + rest),
              (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "", "", "", "", "", "", rest}));
  }
  // Empty content after PRI.
  EXPECT_EQ(parse_ok("<13>"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "", "", "", "", "", "", ""}));
  // A "<PRI>1" without the SP after the version is not RFC 5424.
  EXPECT_EQ(parse_ok("<13>1"),
            (Fields{SyslogFormat::kRfc3164, 1, Severity::kNotice, "", "", "", "", "", "", "1"}));
  // BOM stripped from 3164 content as well.
  EXPECT_EQ(parse_ok("<13>Nov 22 03:58:27 h t: " + std::string(kBom) + "x").message, "x");
}

// ---------------------------------------------------------------------------------------------
// RFC 5424 details.

TEST(SyslogMessageRfc5424, AllNilValues) {
  EXPECT_EQ(parse_ok("<0>1 - - - - - -"), (Fields{SyslogFormat::kRfc5424, 0, Severity::kEmergency,
                                                  "-", "-", "-", "-", "-", "-", ""}));
  // MSG present but empty after the SP.
  EXPECT_EQ(parse_ok("<191>1 - - - - - - ").severity, Severity::kDebug);
  EXPECT_EQ(parse_ok("<191>1 - - - - - - ").facility, 23);
  // Trailing "\n" and "\r\n" are ignored; other whitespace is message.
  EXPECT_EQ(parse_ok("<13>1 - - - - - - hi\n").message, "hi");
  EXPECT_EQ(parse_ok("<13>1 - - - - - - hi\r\n").message, "hi");
  EXPECT_EQ(parse_ok("<13>1 - - - - - - hi \r").message, "hi \r");
  // Only a leading BOM is stripped.
  // Built by appending: `"a" + std::string(...)` inserts at the front, which g++ 12 at -O3 reports
  // as a possibly overlapping memcpy (a known false -Wrestrict of g++ 12 at -O3).
  const std::string mid_bom = std::string("a").append(kBom);
  EXPECT_EQ(parse_ok("<13>1 - - - - - - " + mid_bom).message, mid_bom);
}

TEST(SyslogMessageRfc5424, Timestamps) {
  for (const char* ts :
       {"1985-04-12T23:20:50.52Z", "1985-04-12T19:20:50.52-04:00", "2003-10-11T22:14:15.003Z",
        "2003-08-24T05:14:15.000003-07:00", "2026-01-01T00:00:00Z", "2026-12-31T23:59:59+14:00",
        "2026-02-31T00:00:00Z", "2026-11-22T03:58:27.1+05:30"}) {
    const std::string line = std::string("<13>1 ") + ts + " h a p m - x";
    EXPECT_EQ(parse_ok(line).timestamp, ts);
  }
  for (const char* ts : {
           "2003-13-11T22:14:15Z",          // month 13
           "2003-00-11T22:14:15Z",          // month 0
           "2003-10-00T22:14:15Z",          // day 0
           "2003-10-32T22:14:15Z",          // day 32
           "2003-10-11T24:00:00Z",          // hour 24
           "2003-10-11T22:60:15Z",          // minute 60
           "2003-10-11T22:14:60Z",          // second 60 (leap seconds not allowed, §6.2.3)
           "2003-10-11t22:14:15Z",          // lower-case T
           "2003-10-11T22:14:15z",          // lower-case Z
           "2003-10-11 22:14:15Z",          // space instead of T
           "2003-10-11T22:14:15",           // no offset
           "2003-10-11T22:14:15.Z",         // empty fraction
           "2003-10-11T22:14:15.0000001Z",  // 7 fraction digits
           "2003-10-11T22:14:15+0700",      // offset without ':'
           "2003-10-11T22:14:15+24:00",     // offset hour 24
           "2003-10-11T22:14:15+07:60",     // offset minute 60
           "2003-10-11T22:14:15Z0",         // trailing junk
           "03-10-11T22:14:15Z",            // two-digit year
           "Oct 11 22:14:15",               // RFC 3164 form
           "",                              // empty (double space)
       }) {
    const std::string line = std::string("<13>1 ") + ts + " h a p m - x";
    EXPECT_EQ(parse_error(line), "invalid_timestamp") << ts;
  }
  EXPECT_EQ(parse_error("<13>1 "), "invalid_timestamp");
}

TEST(SyslogMessageRfc5424, HeaderFieldLimits) {
  struct Case {
    size_t index;  // which of HOSTNAME, APP-NAME, PROCID, MSGID
    size_t max;
  };
  for (const Case c : {Case{0, 255}, Case{1, 48}, Case{2, 128}, Case{3, 32}}) {
    for (const size_t len : {c.max, c.max + 1}) {
      std::string fields[4] = {"h", "a", "p", "m"};
      fields[c.index] = std::string(len, 'x');
      const std::string line =
          "<13>1 - " + fields[0] + " " + fields[1] + " " + fields[2] + " " + fields[3] + " - msg";
      EXPECT_EQ(parse_error(line), len <= c.max ? "ok" : "invalid_header")
          << "field " << c.index << " len " << len;
    }
  }
  // Non-printable / non-ASCII characters.
  EXPECT_EQ(parse_error("<13>1 - h\x7f a p m - x"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - h a\xC3\xA9 p m - x"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - h a\tb p m - x"), "invalid_header");
  // Missing fields and empty fields (two SPs).
  EXPECT_EQ(parse_error("<13>1 -"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - host"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - host app"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - host app proc"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - host app proc "), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 - host  proc msgid - x"), "invalid_header");
  EXPECT_EQ(parse_error("<13>1 -  app proc msgid - x"), "invalid_header");
}

TEST(SyslogMessageRfc5424, StructuredData) {
  // Escapes inside values: \" \\ \] and a literal backslash before another character.
  const std::string sd = R"([id@1 a="q\"uote" b="back\\slash" c="br\]acket" d="C:\dir" e=""])";
  EXPECT_EQ(parse_ok("<13>1 - h a p m " + sd + " msg").structured_data, sd);
  EXPECT_EQ(parse_ok("<13>1 - h a p m " + sd + " msg").message, "msg");
  // An SD-ELEMENT with no params; several elements; an unescaped ']' in a value is tolerated.
  EXPECT_EQ(parse_ok("<13>1 - h a p m [x][y z=\"1\"]").structured_data, "[x][y z=\"1\"]");
  EXPECT_EQ(parse_ok("<13>1 - h a p m [x a=\"]\"]").structured_data, "[x a=\"]\"]");
  // Something after the SD and a SP is the message, even if it looks like SD.
  EXPECT_EQ(parse_ok("<13>1 - h a p m [x] [y]").message, "[y]");
  // SD-ID of exactly 32 characters.
  const std::string id32(32, 'i');
  EXPECT_EQ(parse_ok("<13>1 - h a p m [" + id32 + "]").structured_data, "[" + id32 + "]");

  for (const std::string& bad : {
           std::string("<13>1 - h a p m"),    // SD missing
           std::string("<13>1 - h a p m "),   // SD empty
           std::string("<13>1 - h a p m x"),  // neither '-' nor '['
           std::string("<13>1 - h a p m -x"),
           std::string("<13>1 - h a p m --"),
           std::string("<13>1 - h a p m []"),                         // empty SD-ID
           std::string("<13>1 - h a p m [x"),                         // unterminated element
           std::string("<13>1 - h a p m [x "),                        // SP then nothing
           std::string("<13>1 - h a p m [x a]"),                      // no '='
           std::string("<13>1 - h a p m [x a=1]"),                    // unquoted value
           std::string("<13>1 - h a p m [x a=\"1]"),                  // unterminated value
           std::string("<13>1 - h a p m [x a=\"1\\\"]"),              // escaped closing quote
           std::string("<13>1 - h a p m [x a=\"1\"b=\"2\"]"),         // no SP between params
           std::string("<13>1 - h a p m [x =\"1\"]"),                 // empty PARAM-NAME
           std::string("<13>1 - h a p m [x a=\"1\"]x"),               // junk after the element
           std::string("<13>1 - h a p m [x  a=\"1\"]"),               // two SPs
           std::string("<13>1 - h a p m [x\"y]"),                     // '"' in SD-ID
           "<13>1 - h a p m [" + std::string(33, 'i') + "]",          // SD-ID too long
           "<13>1 - h a p m [x " + std::string(33, 'n') + "=\"1\"]",  // PARAM-NAME too long
       }) {
    EXPECT_EQ(parse_error(bad), "invalid_structured_data") << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// PRI, VERSION, size, every ParseError.

TEST(SyslogMessagePriority, Bounds) {
  EXPECT_EQ(parse_ok("<0>1 - - - - - -").facility, 0);
  EXPECT_EQ(parse_ok("<0>1 - - - - - -").severity, Severity::kEmergency);
  EXPECT_EQ(parse_ok("<191>1 - - - - - -").facility, 23);
  EXPECT_EQ(parse_ok("<191>1 - - - - - -").severity, Severity::kDebug);
  EXPECT_EQ(parse_ok("<7>x").severity, Severity::kDebug);
  EXPECT_EQ(parse_ok("<8>x").facility, 1);
  EXPECT_EQ(parse_ok("<99>x").facility, 12);
  EXPECT_EQ(parse_ok("<99>x").severity, Severity::kError);

  for (const char* bad : {"<192>1 - - - - - -", "<999>x", "<00>x", "<01>x", "<001>x", "<1x>x",
                          "<>x", "<", "<1", "<13", "<1234>x", "<-1>x", "< 1>x", "<1 >x"}) {
    EXPECT_EQ(parse_error(bad), "invalid_priority") << bad;
  }
  for (const char* bad : {"", "13>x", " <13>x", "hello", "\n", "\r\n", "1 - - - - - -"}) {
    EXPECT_EQ(parse_error(bad), "missing_priority") << bad;
  }
}

TEST(SyslogMessagePriority, Version) {
  for (const char* bad : {"<13>2 - - - - - -", "<13>0 - - - - - -", "<13>01 - - - - - -",
                          "<13>10 - - - - - -", "<13>123 - h a p m - x", "<13>42 is the answer"}) {
    EXPECT_EQ(parse_error(bad), "invalid_version") << bad;
  }
}

TEST(SyslogMessageSize, Limit) {
  const std::string head = "<13>1 - h a p m - ";
  std::string line = head + std::string(kMaxMessageBytes - head.size(), 'm');
  ASSERT_EQ(line.size(), kMaxMessageBytes);
  const ParseResult ok = parse_syslog(line);
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.message.message.size(), kMaxMessageBytes - head.size());
  // The trailing line terminator does not count.
  EXPECT_TRUE(parse_syslog(line + "\n").ok);
  EXPECT_TRUE(parse_syslog(line + "\r\n").ok);

  line += 'm';
  EXPECT_EQ(parse_error(line), "message_too_long");
  // Checked before anything else is parsed.
  EXPECT_EQ(parse_error(std::string(kMaxMessageBytes + 1, 'x')), "message_too_long");
  EXPECT_EQ(parse_error("<13>Nov 22 03:58:27 h t: " + std::string(kMaxMessageBytes, 'x')),
            "message_too_long");
}

TEST(SyslogMessageErrors, EveryErrorHasATriggerAndItsName) {
  const std::pair<ParseError, std::string_view> names[] = {
      {ParseError::kMissingPriority, "missing_priority"},
      {ParseError::kInvalidPriority, "invalid_priority"},
      {ParseError::kInvalidVersion, "invalid_version"},
      {ParseError::kInvalidTimestamp, "invalid_timestamp"},
      {ParseError::kInvalidHeader, "invalid_header"},
      {ParseError::kInvalidStructuredData, "invalid_structured_data"},
      {ParseError::kMessageTooLong, "message_too_long"},
      {ParseError::kInvalidFraming, "invalid_framing"},
  };
  static_assert(std::size(names) == kParseErrorCount);
  for (int i = 0; i < kParseErrorCount; ++i) {
    EXPECT_EQ(static_cast<int>(names[i].first), i);
    EXPECT_EQ(to_string(names[i].first), names[i].second);
  }
  EXPECT_EQ(to_string(static_cast<ParseError>(kParseErrorCount)), "");

  auto error_of = [](std::string_view line) {
    const ParseResult r = parse_syslog(line);
    EXPECT_FALSE(r.ok) << line;
    return r.error;
  };
  EXPECT_EQ(error_of("no pri"), ParseError::kMissingPriority);
  EXPECT_EQ(error_of("<192>x"), ParseError::kInvalidPriority);
  EXPECT_EQ(error_of("<13>2 - - - - - -"), ParseError::kInvalidVersion);
  EXPECT_EQ(error_of("<13>1 2003-10-11T22:14:15 h a p m - x"), ParseError::kInvalidTimestamp);
  EXPECT_EQ(error_of("<13>1 - h a p"), ParseError::kInvalidHeader);
  EXPECT_EQ(error_of("<13>1 - h a p m [x"), ParseError::kInvalidStructuredData);
  EXPECT_EQ(error_of(std::string(kMaxMessageBytes + 1, '<')), ParseError::kMessageTooLong);
  // kInvalidFraming is produced by StreamFramer only: see stream_framer_test.cc.
}

TEST(SyslogMessageErrors, SeverityNames) {
  const std::string_view expected[] = {"emergency", "alert",  "critical",      "error",
                                       "warning",   "notice", "informational", "debug"};
  static_assert(std::size(expected) == kSeverityCount);
  for (int i = 0; i < kSeverityCount; ++i) {
    EXPECT_EQ(to_string(static_cast<Severity>(i)), expected[i]);
    // PRI = facility * 8 + severity.
    const ParseResult r = parse_syslog(fmt::format("<{}>x", 16 * 8 + i));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.message.severity, static_cast<Severity>(i));
    EXPECT_EQ(r.message.facility, 16);
  }
  EXPECT_EQ(to_string(static_cast<Severity>(kSeverityCount)), "");
}

// ---------------------------------------------------------------------------------------------
// Robustness: random and mutated inputs never crash, and results stay inside the input.

void check_invariants(const std::string& input) {
  const ParseResult r = parse_syslog(input);
  if (!r.ok) {
    ASSERT_LT(static_cast<int>(r.error), kParseErrorCount);
    ASSERT_NE(r.error, ParseError::kInvalidFraming);
    return;
  }
  const SyslogMessage& m = r.message;
  ASSERT_LE(m.facility, 23);
  ASSERT_LT(static_cast<int>(m.severity), kSeverityCount);
  const char* begin = input.data();
  const char* end = input.data() + input.size();
  for (const std::string_view v :
       {m.timestamp, m.hostname, m.app_name, m.procid, m.msgid, m.structured_data, m.message}) {
    if (v.empty()) continue;
    ASSERT_GE(v.data(), begin);
    ASSERT_LE(v.data() + v.size(), end);
  }
  if (m.format == SyslogFormat::kRfc3164) {
    ASSERT_TRUE(m.msgid.empty());
    ASSERT_TRUE(m.structured_data.empty());
  } else {
    ASSERT_FALSE(m.timestamp.empty());
    ASSERT_FALSE(m.hostname.empty());
    ASSERT_FALSE(m.structured_data.empty());
  }
}

TEST(SyslogMessageRobustness, RandomBytesNeverCrash) {
  std::mt19937 rng(20261122);
  constexpr std::string_view kBiased = "<<<<>>0123456789   [[]]\"\"\\\\=-:T.Z";
  std::uniform_int_distribution<int> len_dist(0, 300);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_int_distribution<int> biased(0, static_cast<int>(kBiased.size()) - 1);
  std::uniform_int_distribution<int> any_byte(0, 255);
  std::string s;
  for (int iter = 0; iter < 100000; ++iter) {
    s.clear();
    const int len = len_dist(rng);
    for (int i = 0; i < len; ++i) {
      s.push_back(pick(rng) < 7 ? kBiased[biased(rng)] : static_cast<char>(any_byte(rng)));
    }
    // Half the inputs get a valid-looking start so the deeper parsers are reached.
    if (iter % 4 == 1) s.insert(0, "<13>1 ");
    if (iter % 4 == 2) s.insert(0, "<13>Oct  1 12:00:00 ");
    check_invariants(s);
    if (HasFatalFailure()) {
      ADD_FAILURE() << "input #" << iter;
      return;
    }
  }
}

TEST(SyslogMessageRobustness, MutatedValidMessagesNeverCrash) {
  const std::vector<std::string> seeds = {
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 "
      "class=\"high\"] msg",
      "<13>1 2026-11-22T03:58:27.123456+00:00 myhost root 1234 - [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"] hello world",
      R"(<13>1 - h a p m [id@1 a="q\"uote" b="back\\slash" c="br\]acket"] x)",
      "<30>Oct  1 12:00:00 host sshd[42]: Accepted",
      "<13>Nov 22 03:58:27 myhost root: hello",
  };
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<int> any_byte(0, 255);
  for (int iter = 0; iter < 100000; ++iter) {
    std::string s = seeds[static_cast<size_t>(iter) % seeds.size()];
    const int mutations = 1 + iter % 4;
    for (int k = 0; k < mutations && !s.empty(); ++k) {
      std::uniform_int_distribution<size_t> at(0, s.size() - 1);
      const size_t p = at(rng);
      switch (op(rng)) {
        case 0:
          s[p] = static_cast<char>(any_byte(rng));
          break;
        case 1:
          s.erase(p, 1);
          break;
        case 2:
          s.insert(p, 1, static_cast<char>(any_byte(rng)));
          break;
        case 3:
          s.resize(p);
          break;
      }
    }
    check_invariants(s);
    if (HasFatalFailure()) {
      ADD_FAILURE() << "input #" << iter << ": " << s;
      return;
    }
  }
}

}  // namespace
}  // namespace coretel_demo
