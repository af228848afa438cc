#include "coretel/export/console.h"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "../metrics/number_format.h"
#include "coretel/collect/field_values.h"
#include "coretel/events/provider.h"
#include "coretel/export/utf8.h"

namespace coretel {

namespace {

void append_time(std::string& out, uint64_t unix_nano) {
  std::time_t seconds = static_cast<std::time_t>(unix_nano / 1'000'000'000u);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  fmt::format_to(std::back_inserter(out), "[{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z]",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unix_nano / 1'000'000u) % 1000u);
}

// Appends `text` as readable, well-formed UTF-8 that stays on its line: each ill-formed UTF-8
// subsequence becomes U+FFFD (utf8.h), and control characters (U+0000..U+001F, U+007F) become
// `\xHH`, so that a value cannot break the block layout or send escape sequences to a terminal.
void append_text(std::string& out, std::string_view text) {
  append_single_line(out, text);
}

void append_attributes(std::string& out, const Attributes& attributes, bool& first) {
  for (const AttributeRef& a : attributes) {
    if (!first) out.append(", ");
    first = false;
    append_text(out, a.key);
    out.push_back('=');
    append_text(out, to_string(a.value));
  }
}

void append_scalar(std::string& out, const MetricsField& field, uint64_t word) {
  switch (field.value_type) {
    case ValueType::kU64:
      fmt::format_to(std::back_inserter(out), "{}", word);
      break;
    case ValueType::kI64:
      fmt::format_to(std::back_inserter(out), "{}", static_cast<int64_t>(word));
      break;
    case ValueType::kF64:
      append_double(out, word_to_double(word), NonFiniteStyle::kPrometheus);
      break;
  }
}

void append_field(std::string& out, const MetricsField& field, const uint64_t* w) {
  out.append("  ");
  append_text(out, field.name);
  out.append(" = ");
  switch (field.kind) {
    case InstrumentKind::kMmsc: {
      MmscValue v = read_mmsc(w);
      if (v.count == 0) {
        out.append("-/-/-/0");
      } else {
        append_double(out, v.min, NonFiniteStyle::kPrometheus);
        out.push_back('/');
        append_double(out, v.max, NonFiniteStyle::kPrometheus);
        out.push_back('/');
        append_double(out, v.sum / static_cast<double>(v.count), NonFiniteStyle::kPrometheus);
        fmt::format_to(std::back_inserter(out), "/{}", v.count);
      }
      break;
    }
    case InstrumentKind::kHistogram: {
      HistogramValue h = read_histogram(field, w);
      fmt::format_to(std::back_inserter(out), "count=+{} sum=+", h.count());
      append_double(out, h.sum, NonFiniteStyle::kPrometheus);
      break;
    }
    case InstrumentKind::kExponentialHistogram: {
      const ExponentialHistogramValue h = read_exponential_histogram(field, w);
      fmt::format_to(std::back_inserter(out), "count=+{} sum=+", h.count);
      append_double(out, h.sum, NonFiniteStyle::kPrometheus);
      fmt::format_to(std::back_inserter(out), " scale={}", h.scale);
      break;
    }
    case InstrumentKind::kCounter:
      out.push_back('+');
      append_scalar(out, field, w[0]);
      break;
    default:
      append_scalar(out, field, w[0]);
      break;
  }
  if (field.unit != "1") {
    out.push_back(' ');
    append_text(out, field.unit);
  }
  out.push_back('\n');
}

}  // namespace

ConsoleExporter::ConsoleExporter(CollectionPipeline& pipeline, uint32_t delta_consumer,
                                 std::chrono::milliseconds interval, std::FILE* out)
    : pipeline_(pipeline), consumer_(delta_consumer), interval_(interval), out_(out) {}

ConsoleExporter::~ConsoleExporter() {
  stop();
}

void ConsoleExporter::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] {
    events::set_thread_aspect(events::Aspect::kInternal);  // an exporter's: must not feed itself
    run();
  });
}

void ConsoleExporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
  }
  wake_.notify_all();
  thread_.join();
  export_once();
}

void ConsoleExporter::run() {
  std::unique_lock lock(mutex_);
  while (running_) {
    if (wake_.wait_for(lock, interval_, [this] { return !running_; })) break;
    lock.unlock();
    export_once();
    lock.lock();
  }
}

std::string ConsoleExporter::format(const ExportTransaction& tx) {
  std::string text;
  for (const ExportedCombination& combination : tx.combinations()) {
    const SeriesInfo& info = *combination.info;
    const MetricsDescriptor& descriptor = *info.descriptor;
    append_time(text, tx.time_unix_nano());
    text.push_back(' ');
    append_text(text, descriptor.name);
    text.append(" {");
    bool first = true;
    append_attributes(text, info.entity->attributes, first);
    append_attributes(text, *info.registration, first);
    text.push_back('}');
    if (!info.measurement.empty()) {
      text.append(" {");
      auto values = info.combination_values(combination.combination);
      for (std::size_t m = 0; m < values.size(); ++m) {
        if (m > 0) text.append(", ");
        append_text(text, info.measurement[m].key);
        text.push_back('=');
        append_text(text, values[m]);
      }
      text.push_back('}');
    }
    text.push_back('\n');
    for (std::size_t f = 0; f < descriptor.fields.size(); ++f)
      append_field(text, descriptor.fields[f], combination.words.data() + info.field_offset(f));
  }
  return text;
}

bool ConsoleExporter::export_once() {
  std::lock_guard lock(export_mutex_);
  ExportTransaction tx = pipeline_.begin_export(consumer_);
  if (tx.combinations().empty()) {
    tx.commit();
    return true;
  }
  std::string text = format(tx);
  bool ok = std::fwrite(text.data(), 1, text.size(), out_) == text.size();
  ok = std::fflush(out_) == 0 && ok;
  if (!ok) {
    std::clearerr(out_);
    tx.rollback();
    return false;
  }
  tx.commit();
  return true;
}

}  // namespace coretel
