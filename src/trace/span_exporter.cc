#include "coretel/trace/span_exporter.h"

#include <mutex>

#include <fmt/format.h>

#include "coretel/events/console_format.h"

namespace coretel::trace {

struct InMemorySpanExporter::State {
  mutable std::mutex mutex;
  std::vector<SpanData> spans;
};

InMemorySpanExporter::InMemorySpanExporter() : state_(std::make_unique<State>()) {}
InMemorySpanExporter::~InMemorySpanExporter() = default;

ExportResult InMemorySpanExporter::export_spans(std::span<const SpanData> spans,
                                                std::chrono::steady_clock::time_point) noexcept {
  try {
    std::lock_guard lock(state_->mutex);
    state_->spans.insert(state_->spans.end(), spans.begin(), spans.end());
    return ExportResult::kSuccess;
  } catch (...) {  // out of memory
    return ExportResult::kFailure;
  }
}

std::vector<SpanData> InMemorySpanExporter::spans() const {
  std::lock_guard lock(state_->mutex);
  return state_->spans;
}

void InMemorySpanExporter::clear() {
  std::lock_guard lock(state_->mutex);
  state_->spans.clear();
}

std::string ConsoleSpanExporter::format(const SpanData& s) {
  // Names and strings come from requests and users: written by the events console's rule
  // (quoted and escaped unless plainly safe), so no value can break or forge a line.
  std::string line = "span ";
  events::append_console_text(s.name, line);
  fmt::format_to(std::back_inserter(line),
                 " trace_id={} span_id={} parent_id={} kind={} scope=", s.context.trace_id.hex(),
                 s.context.span_id.hex(), s.parent_span_id.valid() ? s.parent_span_id.hex() : "-",
                 to_string(s.kind));
  events::append_console_text(s.scope, line);
  fmt::format_to(std::back_inserter(line), " start_unix_nano={} duration_us={:.3f} status={}",
                 s.start_time_unix_nano,
                 s.end_time_unix_nano >= s.start_time_unix_nano
                     ? static_cast<double>(s.end_time_unix_nano - s.start_time_unix_nano) / 1e3
                     : 0.0,
                 to_string(s.status));
  if (!s.status_description.empty()) {
    line += " status_description=";
    events::append_console_text(s.status_description, line);
  }
  for (const Attribute& a : s.attributes) {
    line += ' ';
    events::append_console_text(a.key, line);
    line += '=';
    if (const auto* text = std::get_if<std::string>(&a.value)) {
      events::append_console_text(*text, line);
    } else {
      line += coretel::to_string(AttributeValueRef(a.value));
    }
  }
  if (!s.events.empty()) fmt::format_to(std::back_inserter(line), " events={}", s.events.size());
  if (!s.links.empty()) fmt::format_to(std::back_inserter(line), " links={}", s.links.size());
  return line;
}

ExportResult ConsoleSpanExporter::export_spans(std::span<const SpanData> spans,
                                               std::chrono::steady_clock::time_point) noexcept {
  try {
    std::string out;
    for (const SpanData& s : spans) {
      out += format(s);
      out += '\n';
    }
    // One write: lines of concurrent exports do not interleave.
    if (std::fwrite(out.data(), 1, out.size(), out_) != out.size()) return ExportResult::kFailure;
    std::fflush(out_);
    return ExportResult::kSuccess;
  } catch (...) {  // out of memory
    return ExportResult::kFailure;
  }
}

}  // namespace coretel::trace
