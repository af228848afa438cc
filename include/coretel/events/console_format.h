// console_format.h: the one-line text of an event, as the console providers write it. Stable:
// tests and log shippers may parse it.
//
//   2026-12-03T16:40:00.123456Z INFO  [syslog.receiver] syslog.receiver.start "ready"
//   network.transport=tcp server.port=514
//
// Fields, separated by one space: the timestamp (UTC, RFC 3339, microseconds, `Z`); the
// severity text padded to 5; the scope in brackets; the event name; the body, quoted, when there
// is one; then each attribute as key=value, in the order given. A string value is written bare
// when it is non-empty and holds only printable ASCII other than space, `"`, `=` and `\`;
// otherwise it is quoted, with `"`, `\`, newline, carriage return and tab escaped as `\"`, `\\`,
// `\n`, `\r`, `\t`, other control bytes as `\xHH`, and ill-formed UTF-8 replaced by U+FFFD, so a
// value can never start a line of its own. Integers are decimal, doubles in their shortest
// round-trip form (`Infinity`, `-Infinity`, `NaN`), booleans `true`/`false`. When attributes were
// left out on the way (EventRecord::dropped_attributes_count), ` [dropped attributes: N]` follows
// them (not a key=value: no attribute can be mistaken for it). A newline ends the line. The body
// is quoted by the same rule even when it could go bare.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "coretel/events/record.h"

namespace coretel::events {

/// Appends the line of `record` to `out`.
void format_console(const EventRecord& record, std::string& out);

/// Appends `text` by the rule of a string value above: bare when it can be, else quoted and
/// escaped (no control byte, no newline, well-formed UTF-8). The span console exporter uses it
/// too (trace/span_exporter.h).
void append_console_text(std::string_view text, std::string& out);

}  // namespace coretel::events
