#include "traces_encoder.h"

#include <array>
#include <string_view>
#include <vector>

#include "common_encoding.h"
#include "coretel/trace/trace_context.h"
#include "protobuf_wire.h"

namespace coretel::otlp {

namespace {

using trace::SpanContext;
using trace::SpanData;
using trace::SpanEvent;
using trace::SpanLink;

// Field numbers (opentelemetry-proto v1; proto/ has the messages).
namespace f {
constexpr uint32_t kRequestResourceSpans = 1;
constexpr uint32_t kResourceSpansResource = 1, kResourceSpansScopeSpans = 2;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kScopeSpansScope = 1, kScopeSpansSpans = 2;
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4, kName = 5,
                   kKind = 6, kStartTime = 7, kEndTime = 8, kAttributes = 9,
                   kDroppedAttributesCount = 10, kEvents = 11, kDroppedEventsCount = 12,
                   kLinks = 13, kDroppedLinksCount = 14, kStatus = 15, kFlags = 16;
constexpr uint32_t kEventTime = 1, kEventName = 2, kEventAttributes = 3,
                   kEventDroppedAttributesCount = 4;
constexpr uint32_t kLinkTraceId = 1, kLinkSpanId = 2, kLinkTraceState = 3, kLinkAttributes = 4,
                   kLinkDroppedAttributesCount = 5, kLinkFlags = 6;
constexpr uint32_t kStatusMessage = 2, kStatusCode = 3;
}  // namespace f

// SpanFlags (trace/v1): whether the remote bit is known, and the bit.
constexpr uint32_t kHasIsRemote = 0x100;
constexpr uint32_t kIsRemote = 0x200;

uint32_t span_flags(uint8_t trace_flags, bool remote) {
  return uint32_t{trace_flags} | kHasIsRemote | (remote ? kIsRemote : 0);
}

// The flags of a span: remote when it has a parent from another process.
uint32_t span_flags(const SpanData& s) {
  return span_flags(s.context.flags, s.parent_span_id.valid() && s.parent_remote);
}

uint64_t kind_number(trace::SpanKind kind) {
  return static_cast<uint64_t>(kind) + 1;
}

// Each distinct scope with the indices of its spans, scopes in order of first appearance.
struct ScopeGroup {
  std::string_view scope;
  std::vector<std::size_t> spans;
};

std::vector<ScopeGroup> group_by_scope(std::span<const SpanData> spans) {
  std::vector<ScopeGroup> groups;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    ScopeGroup* group = nullptr;
    for (ScopeGroup& g : groups)
      if (g.scope == spans[i].scope) group = &g;
    if (group == nullptr) group = &groups.emplace_back(ScopeGroup{spans[i].scope, {}});
    group->spans.push_back(i);
  }
  return groups;
}

// --- protobuf

template <std::size_t N>
std::string_view id_bytes(const std::array<uint8_t, N>& bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), N);
}

void fixed32_field(ProtobufWriter& w, uint32_t field, uint32_t v) {
  w.tag(field, WireType::kFixed32);
  const char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8),
                         static_cast<char>(v >> 16), static_cast<char>(v >> 24)};  // little-endian
  w.raw(std::string_view(bytes, 4));
}

void write_attribute_list(ProtobufWriter& w, uint32_t field,
                          const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) write_key_value(w, field, a.key, a.value);
}

void write_event(ProtobufWriter& w, const SpanEvent& e) {
  const std::size_t mark = w.begin_message(f::kEvents);
  w.fixed64_field(f::kEventTime, e.time_unix_nano);
  write_string(w, f::kEventName, e.name);
  write_attribute_list(w, f::kEventAttributes, e.attributes);
  if (e.dropped_attributes_count != 0)
    w.varint_field(f::kEventDroppedAttributesCount, e.dropped_attributes_count);
  w.end_message(mark);
}

void write_link(ProtobufWriter& w, const SpanLink& l) {
  const std::size_t mark = w.begin_message(f::kLinks);
  w.bytes_field(f::kLinkTraceId, id_bytes(l.context.trace_id.bytes));
  w.bytes_field(f::kLinkSpanId, id_bytes(l.context.span_id.bytes));
  if (!l.context.trace_state.empty())
    write_string(w, f::kLinkTraceState, l.context.trace_state.header());
  write_attribute_list(w, f::kLinkAttributes, l.attributes);
  if (l.dropped_attributes_count != 0)
    w.varint_field(f::kLinkDroppedAttributesCount, l.dropped_attributes_count);
  fixed32_field(w, f::kLinkFlags, span_flags(l.context.flags, l.context.remote));
  w.end_message(mark);
}

void write_span(ProtobufWriter& w, const SpanData& s) {
  const std::size_t mark = w.begin_message(f::kScopeSpansSpans);
  w.bytes_field(f::kTraceId, id_bytes(s.context.trace_id.bytes));
  w.bytes_field(f::kSpanId, id_bytes(s.context.span_id.bytes));
  if (!s.context.trace_state.empty())
    write_string(w, f::kTraceState, s.context.trace_state.header());
  if (s.parent_span_id.valid()) w.bytes_field(f::kParentSpanId, id_bytes(s.parent_span_id.bytes));
  write_string(w, f::kName, s.name);
  w.varint_field(f::kKind, kind_number(s.kind));
  w.fixed64_field(f::kStartTime, s.start_time_unix_nano);
  w.fixed64_field(f::kEndTime, s.end_time_unix_nano);
  write_attribute_list(w, f::kAttributes, s.attributes);
  if (s.dropped_attributes_count != 0)
    w.varint_field(f::kDroppedAttributesCount, s.dropped_attributes_count);
  for (const SpanEvent& e : s.events) write_event(w, e);
  if (s.dropped_events_count != 0) w.varint_field(f::kDroppedEventsCount, s.dropped_events_count);
  for (const SpanLink& l : s.links) write_link(w, l);
  if (s.dropped_links_count != 0) w.varint_field(f::kDroppedLinksCount, s.dropped_links_count);
  if (s.status != trace::StatusCode::kUnset || !s.status_description.empty()) {
    const std::size_t status = w.begin_message(f::kStatus);
    if (!s.status_description.empty()) write_string(w, f::kStatusMessage, s.status_description);
    if (s.status != trace::StatusCode::kUnset)
      w.varint_field(f::kStatusCode, static_cast<uint64_t>(s.status));
    w.end_message(status);
  }
  fixed32_field(w, f::kFlags, span_flags(s));
  w.end_message(mark);
}

// --- OTLP/JSON

void append_attribute_list(std::string& out, const std::vector<Attribute>& attributes) {
  out.append("\"attributes\":[");
  bool first = true;
  for (const Attribute& a : attributes) append_key_value(out, first, a.key, a.value);
  out.push_back(']');
}

void append_dropped(std::string& out, const char* member, uint32_t count) {
  if (count == 0) return;
  out.append(",\"");
  out.append(member);
  out.append("\":");
  out.append(std::to_string(count));
}

// "traceId", "spanId" and "traceState" of a context. Hex, not base64: the OTLP JSON encoding's
// exception for trace and span ids.
void append_ids_json(std::string& out, const SpanContext& c) {
  out.append("\"traceId\":");
  append_json_string(out, c.trace_id.hex());
  out.append(",\"spanId\":");
  append_json_string(out, c.span_id.hex());
  if (!c.trace_state.empty()) {
    out.append(",\"traceState\":");
    append_json_string(out, c.trace_state.header());
  }
}

void append_event_json(std::string& out, const SpanEvent& e) {
  out.append("{\"timeUnixNano\":");
  append_json_u64(out, e.time_unix_nano);
  out.append(",\"name\":");
  append_json_string(out, e.name);
  out.push_back(',');
  append_attribute_list(out, e.attributes);
  append_dropped(out, "droppedAttributesCount", e.dropped_attributes_count);
  out.push_back('}');
}

void append_link_json(std::string& out, const SpanLink& l) {
  out.push_back('{');
  append_ids_json(out, l.context);
  out.push_back(',');
  append_attribute_list(out, l.attributes);
  append_dropped(out, "droppedAttributesCount", l.dropped_attributes_count);
  out.append(",\"flags\":");
  out.append(std::to_string(span_flags(l.context.flags, l.context.remote)));
  out.push_back('}');
}

void append_span_json(std::string& out, const SpanData& s) {
  out.push_back('{');
  append_ids_json(out, s.context);
  if (s.parent_span_id.valid()) {
    out.append(",\"parentSpanId\":");
    append_json_string(out, s.parent_span_id.hex());
  }
  out.append(",\"flags\":");
  out.append(std::to_string(span_flags(s)));
  out.append(",\"name\":");
  append_json_string(out, s.name);
  out.append(",\"kind\":");
  out.append(std::to_string(kind_number(s.kind)));
  out.append(",\"startTimeUnixNano\":");
  append_json_u64(out, s.start_time_unix_nano);
  out.append(",\"endTimeUnixNano\":");
  append_json_u64(out, s.end_time_unix_nano);
  out.push_back(',');
  append_attribute_list(out, s.attributes);
  append_dropped(out, "droppedAttributesCount", s.dropped_attributes_count);
  out.append(",\"events\":[");
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_event_json(out, s.events[i]);
  }
  out.push_back(']');
  append_dropped(out, "droppedEventsCount", s.dropped_events_count);
  out.append(",\"links\":[");
  for (std::size_t i = 0; i < s.links.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_link_json(out, s.links[i]);
  }
  out.push_back(']');
  append_dropped(out, "droppedLinksCount", s.dropped_links_count);
  out.append(",\"status\":{");
  if (!s.status_description.empty()) {
    out.append("\"message\":");
    append_json_string(out, s.status_description);
    out.push_back(',');
  }
  out.append("\"code\":");
  out.append(std::to_string(static_cast<int>(s.status)));
  out.append("}}");
}

}  // namespace

uint64_t encode_traces(const Resource& resource, std::span<const SpanData> spans, Encoding encoding,
                       std::string& out) {
  if (spans.empty()) return 0;
  const std::vector<ScopeGroup> groups = group_by_scope(spans);
  if (encoding == Encoding::kJson) {
    out.append("{\"resourceSpans\":[{\"resource\":{");
    append_attributes(out, resource.attributes);
    out.append("},\"scopeSpans\":[");
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (g > 0) out.push_back(',');
      out.append("{\"scope\":{\"name\":");
      append_json_string(out, groups[g].scope);
      out.append("},\"spans\":[");
      for (std::size_t i = 0; i < groups[g].spans.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_span_json(out, spans[groups[g].spans[i]]);
      }
      out.append("]}");
    }
    out.append("]}]}");
    return spans.size();
  }
  ProtobufWriter w(out);
  const std::size_t resource_spans = w.begin_message(f::kRequestResourceSpans);
  const std::size_t r = w.begin_message(f::kResourceSpansResource);
  write_attributes(w, f::kResourceAttributes, resource.attributes);
  w.end_message(r);
  for (const ScopeGroup& group : groups) {
    const std::size_t scope_spans = w.begin_message(f::kResourceSpansScopeSpans);
    const std::size_t scope = w.begin_message(f::kScopeSpansScope);
    write_string(w, f::kScopeName, group.scope);
    w.end_message(scope);
    for (std::size_t i : group.spans) write_span(w, spans[i]);
    w.end_message(scope_spans);
  }
  w.end_message(resource_spans);
  w.finish();
  return spans.size();
}

}  // namespace coretel::otlp
