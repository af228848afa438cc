// console.h: ConsoleExporter, a readable multivariate summary of what changed, printed at an
// interval (development and demos; not a stable format to parse).
//
// COLD PATH. It reads one export consumer's deltas (CollectionPipeline::begin_export) and prints
// one block per changed series combination:
//
//   [2025-01-02T03:04:05.678Z] app.queue {pipeline=p1, core=3} {http.request.method=GET}
//     app.queue.pushed = +5 {item}
//     app.queue.depth = 3 {item}
//     app.queue.wait = 0.5/2/1.25/4 s                    (Mmsc: min/max/avg/count)
//     app.queue.size = count=+10 sum=+1234 By            (histogram)
//
// Names, attribute keys and values are printed as well-formed UTF-8 on one line: each ill-formed
// UTF-8 subsequence becomes U+FFFD (coretel/export/utf8.h) and control characters become `\xHH`.
// Delta fields (Counter, Mmsc, Histogram) show what happened since the previous successful
// export (`+N`); the others show their current value. A block is committed only once written and
// flushed; a failed write rolls the deltas back so the next export shows them.
// Thread-safety: every member may be called from any thread (one internal mutex).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "coretel/collect/collector.h"
#include "coretel/collect/pipeline.h"

namespace coretel {

class ConsoleExporter {
 public:
  /// Prints deltas of `delta_consumer` (< PipelineOptions::delta_consumers) to `out` every
  /// `interval` once start()ed. `pipeline` and `out` must outlive the exporter.
  ConsoleExporter(CollectionPipeline& pipeline, uint32_t delta_consumer,
                  std::chrono::milliseconds interval, std::FILE* out = stdout);
  ~ConsoleExporter();  // stop()s
  ConsoleExporter(const ConsoleExporter&) = delete;
  ConsoleExporter& operator=(const ConsoleExporter&) = delete;

  /// Starts the exporting thread (idempotent).
  void start();
  /// Stops the thread, then exports once more (the final deltas). Idempotent.
  void stop();
  /// Exports now: prints every changed series combination, then commits. Returns false (and rolls
  /// back) when fwrite or fflush failed; true otherwise, also when nothing changed.
  bool export_once();

  /// Formats the blocks of `tx` as export_once prints them (for tests and other sinks).
  static std::string format(const ExportTransaction& tx);

 private:
  void run();

  CollectionPipeline& pipeline_;
  uint32_t consumer_;
  std::chrono::milliseconds interval_;
  std::FILE* out_;

  std::mutex export_mutex_;  // one export at a time
  std::mutex mutex_;         // guards running_ for the thread's wait
  std::condition_variable wake_;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace coretel
