// encoded_span.h (internal): a finished span copied into bytes, so that the batch span processor
// can queue it without allocating and without keeping the ending thread's SpanData, and read it
// back on the export thread into a SpanData of its own.
//
// Why bytes and not the SpanData itself: a SpanData handed to the export thread and back for
// reuse comes back with its lines last written on the export thread's core, and the next span
// start on the engine thread stalls loading them. Encoding only stores into the queue's bytes;
// the engine thread's own SpanData stays on that thread, in its cache.
//
// Layout: a Header (ids, flags, kind, status, times, dropped counts, how many attributes,
// events and tracestate members), then the name, the scope and the status description (a 4-byte
// length and the text each), the tracestate members (key, value), the attributes (key, a type
// byte, then 8 bytes for an int or a double, 1 for a bool, a 4-byte length and the text for a
// string), then each event (name, time, dropped attribute count, attribute count, attributes).
// A span with links is not encoded (encode() returns 0; the caller holds it another way).
// Nothing is cut: a span either fits whole or is not encoded.
//
// Thread-compatible values and pure functions.
#pragma once

#include <cstddef>
#include <span>

#include "coretel/trace/span_data.h"

namespace coretel::detail {

/// Copies `span` into `out`; returns the bytes used, or 0 when it does not fit in `out` or has
/// links.
std::size_t encode(const trace::SpanData& span, std::span<char> out) noexcept;

/// Reads back what encode() wrote (`in` is exactly those bytes) into `out`, every field
/// replaced; `out`'s strings and vectors keep their capacity. Throws std::bad_alloc only.
void decode(std::span<const char> in, trace::SpanData& out);

}  // namespace coretel::detail
