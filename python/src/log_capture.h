// log_capture.h: LogCapture, the events provider of the package's tests (coretel._native.start
// with testing=True): it keeps a copy of every record it is given, for emitted_logs() to return.
// Bounded: past kCapacity records, the oldest goes. Thread-safety: any thread.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "coretel/events/provider.h"
#include "coretel/metrics/attributes.h"

namespace coretel::python {

struct CapturedLog {
  uint64_t time_unix_nano = 0;
  int severity_number = 0;
  std::string severity_text, name, scope, body;
  std::vector<Attribute> attributes;
  events::TraceContext trace;
};

class LogCapture final : public events::EventProvider {
 public:
  static constexpr std::size_t kCapacity = 10000;
  void emit(const events::EventRecord& record) noexcept override {
    try {
      CapturedLog copy{.time_unix_nano = record.time_unix_nano,
                       .severity_number = static_cast<int>(record.severity),
                       .severity_text = std::string(record.exported_severity_text()),
                       .name = std::string(record.name),
                       .scope = std::string(record.scope),
                       .body = std::string(record.body),
                       .attributes = {},
                       .trace = record.trace};
      for (const AttributeRef& a : record.attributes)
        copy.attributes.push_back({std::string(a.key), a.value.to_value()});
      std::lock_guard lock(mutex_);
      if (records_.size() == kCapacity) records_.pop_front();
      records_.push_back(std::move(copy));
    } catch (...) {  // std::bad_alloc: the record is not kept
    }
  }
  std::vector<CapturedLog> take() {
    std::lock_guard lock(mutex_);
    std::vector<CapturedLog> out(std::make_move_iterator(records_.begin()),
                                 std::make_move_iterator(records_.end()));
    records_.clear();
    return out;
  }

 private:
  std::mutex mutex_;
  std::deque<CapturedLog> records_;
};

}  // namespace coretel::python
