#include "logs_encoder.h"

#include <string_view>
#include <vector>

#include "common_encoding.h"
#include "coretel/trace/trace_context.h"
#include "protobuf_wire.h"

namespace coretel::otlp {

namespace {

using events::EventRecord;

// Field numbers (opentelemetry-proto v1; proto/ has the messages).
namespace f {
constexpr uint32_t kRequestResourceLogs = 1;
constexpr uint32_t kResourceLogsResource = 1, kResourceLogsScopeLogs = 2;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kScopeLogsScope = 1, kScopeLogsLogRecords = 2;
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kTime = 1, kSeverityNumber = 2, kSeverityText = 3, kBody = 5, kAttributes = 6,
                   kDroppedAttributesCount = 7, kFlags = 8, kTraceId = 9, kSpanId = 10,
                   kObservedTime = 11, kEventName = 12;
}  // namespace f

// Each distinct scope with the indices of its records, scopes in order of first appearance.
struct ScopeGroup {
  std::string_view scope;
  std::vector<std::size_t> records;
};

std::vector<ScopeGroup> group_by_scope(std::span<const EventRecord> records) {
  std::vector<ScopeGroup> groups;
  for (std::size_t i = 0; i < records.size(); ++i) {
    ScopeGroup* group = nullptr;
    for (ScopeGroup& g : groups)
      if (g.scope == records[i].scope) group = &g;
    if (group == nullptr) group = &groups.emplace_back(ScopeGroup{records[i].scope, {}});
    group->records.push_back(i);
  }
  return groups;
}

void write_record(ProtobufWriter& w, const EventRecord& r) {
  const std::size_t mark = w.begin_message(f::kScopeLogsLogRecords);
  w.fixed64_field(f::kTime, r.time_unix_nano);
  w.varint_field(f::kSeverityNumber, static_cast<uint64_t>(r.severity));
  w.bytes_field(f::kSeverityText, r.exported_severity_text());
  if (!r.body.empty()) write_any_value(w, f::kBody, std::string_view(r.body));
  for (const AttributeRef& a : r.attributes) write_key_value(w, f::kAttributes, a.key, a.value);
  if (r.dropped_attributes_count != 0)
    w.varint_field(f::kDroppedAttributesCount, r.dropped_attributes_count);
  if (r.trace.valid()) {
    w.tag(f::kFlags, WireType::kFixed32);
    const char flags[4] = {static_cast<char>(r.trace.flags), 0, 0, 0};  // little-endian
    w.raw(std::string_view(flags, 4));
    w.bytes_field(f::kTraceId,
                  std::string_view(reinterpret_cast<const char*>(r.trace.trace_id.data()),
                                   r.trace.trace_id.size()));
    w.bytes_field(f::kSpanId,
                  std::string_view(reinterpret_cast<const char*>(r.trace.span_id.data()),
                                   r.trace.span_id.size()));
  }
  w.fixed64_field(f::kObservedTime, r.observed_time_unix_nano);
  write_string(w, f::kEventName, r.name);
  w.end_message(mark);
}

void append_record_json(std::string& out, const EventRecord& r) {
  out.append("{\"timeUnixNano\":");
  append_json_u64(out, r.time_unix_nano);
  out.append(",\"observedTimeUnixNano\":");
  append_json_u64(out, r.observed_time_unix_nano);
  out.append(",\"severityNumber\":");
  out.append(std::to_string(static_cast<int>(r.severity)));
  out.append(",\"severityText\":");
  append_json_string(out, r.exported_severity_text());
  if (!r.body.empty()) {
    out.append(",\"body\":{\"stringValue\":");
    append_json_string(out, r.body);
    out.push_back('}');
  }
  out.append(",\"attributes\":[");
  bool first = true;
  for (const AttributeRef& a : r.attributes) append_key_value(out, first, a.key, a.value);
  out.push_back(']');
  if (r.dropped_attributes_count != 0) {
    out.append(",\"droppedAttributesCount\":");
    out.append(std::to_string(r.dropped_attributes_count));
  }
  if (r.trace.valid()) {
    out.append(",\"flags\":");
    out.append(std::to_string(r.trace.flags));
    // Hex, not base64: the OTLP JSON encoding's exception for trace and span ids.
    out.append(",\"traceId\":");
    append_json_string(out, trace::TraceId{r.trace.trace_id}.hex());
    out.append(",\"spanId\":");
    append_json_string(out, trace::SpanId{r.trace.span_id}.hex());
  }
  out.append(",\"eventName\":");
  append_json_string(out, r.name);
  out.push_back('}');
}

}  // namespace

uint64_t encode_logs(const Resource& resource, std::span<const EventRecord> records,
                     Encoding encoding, std::string& out) {
  if (records.empty()) return 0;
  const std::vector<ScopeGroup> groups = group_by_scope(records);
  if (encoding == Encoding::kJson) {
    out.append("{\"resourceLogs\":[{\"resource\":{");
    append_attributes(out, resource.attributes);
    out.append("},\"scopeLogs\":[");
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (g > 0) out.push_back(',');
      out.append("{\"scope\":{\"name\":");
      append_json_string(out, groups[g].scope);
      out.append("},\"logRecords\":[");
      for (std::size_t i = 0; i < groups[g].records.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_record_json(out, records[groups[g].records[i]]);
      }
      out.append("]}");
    }
    out.append("]}]}");
    return records.size();
  }
  ProtobufWriter w(out);
  const std::size_t resource_logs = w.begin_message(f::kRequestResourceLogs);
  const std::size_t r = w.begin_message(f::kResourceLogsResource);
  write_attributes(w, f::kResourceAttributes, resource.attributes);
  w.end_message(r);
  for (const ScopeGroup& group : groups) {
    const std::size_t scope_logs = w.begin_message(f::kResourceLogsScopeLogs);
    const std::size_t scope = w.begin_message(f::kScopeLogsScope);
    write_string(w, f::kScopeName, group.scope);
    w.end_message(scope);
    for (std::size_t i : group.records) write_record(w, records[i]);
    w.end_message(scope_logs);
  }
  w.end_message(resource_logs);
  w.finish();
  return records.size();
}

}  // namespace coretel::otlp
