#include "coretel/trace/span_processor.h"

#include <mutex>

namespace coretel::trace {

struct SimpleSpanProcessor::State {
  std::shared_ptr<SpanExporter> exporter;
  std::chrono::milliseconds timeout;
  std::mutex mutex;        // one export at a time
  bool shut_down = false;  // guarded by mutex
};

SimpleSpanProcessor::SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter,
                                         std::chrono::milliseconds export_timeout)
    : state_(std::make_unique<State>()) {
  state_->exporter = std::move(exporter);
  state_->timeout = export_timeout;
}

SimpleSpanProcessor::~SimpleSpanProcessor() = default;

void SimpleSpanProcessor::on_end(const SpanData& span) noexcept {
  if (!span.context.sampled()) return;  // exporters see sampled spans only
  std::lock_guard lock(state_->mutex);
  if (state_->shut_down) return;
  state_->exporter->export_spans(std::span<const SpanData>(&span, 1),
                                 std::chrono::steady_clock::now() + state_->timeout);
}

bool SimpleSpanProcessor::shutdown(std::chrono::milliseconds) noexcept {
  state_->exporter->shutdown();  // first: an export in progress stops retrying
  std::lock_guard lock(state_->mutex);
  state_->shut_down = true;
  return true;
}

}  // namespace coretel::trace
