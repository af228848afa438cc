// demo_engine.cc: the native engine of the Python example (examples/python/telemetry_demo.py),
// compiled into the package's extension as coretel._native.demo. It stands for the C++ side of
// a Python service: Python calls it, it does its work in native code with native spans and
// events, and it calls back into Python, all in one trace.
//
//   demo.process(payload: bytes, on_chunk: Callable[[int], None] | None = None) -> (int, int)
//
// Compresses `payload` in 16 KiB chunks (zlib, level 6: the engine's work) and returns the
// CRC-32 of the payload and the compressed size in bytes. It starts the native span
// "demo.engine.process" (a child of the caller's current Python span: context_bridge.h), then
// for each chunk a child span "demo.engine.chunk", inside which it calls on_chunk(index) with
// that span as the Python current span, so a Python span started in the callback is its child.
// It emits the event demo.engine.processed (a native log record carrying the span's trace id).
// The GIL is released while a chunk is compressed.
#define CORETEL_EVENT_SCOPE "demo.engine"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "context_bridge.h"
#include "coretel/events/emit.h"
#include "module.h"

namespace coretel::python {

namespace py = pybind11;
namespace tr = coretel::trace;
namespace ev = coretel::events;

namespace {

constexpr std::size_t kChunk = 16 * 1024;

// One deflate stream and output buffer per thread, reset for each chunk, as an engine keeps its
// working memory: compress2() would allocate and free ~256 KiB per chunk, and in a process with
// other threads each of those munmap()s costs a TLB shootdown across cores.
struct Deflater {
  z_stream stream{};
  bool ready = deflateInit(&stream, 6) == Z_OK;
  std::vector<Bytef> out = std::vector<Bytef>(compressBound(kChunk));
  ~Deflater() {
    if (ready) deflateEnd(&stream);
  }
  // The compressed size of `chunk` (zlib format, level 6: what compress2() makes); 0 on failure.
  std::size_t compress(const Bytef* chunk, std::size_t size) {
    if (!ready || deflateReset(&stream) != Z_OK) return 0;
    stream.next_in = const_cast<Bytef*>(chunk);
    stream.avail_in = static_cast<uInt>(size);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    return deflate(&stream, Z_FINISH) == Z_STREAM_END ? stream.total_out : 0;
  }
};

std::pair<uint32_t, std::size_t> process(const py::bytes& payload, const py::object& on_chunk) {
  const PythonContextScope from_python;  // the caller's Python span is the parent
  const tr::Tracer tracer = native_tracer("demo.engine");
  const std::string_view data = payload;  // a view of the bytes object, kept alive by Python
  tr::Span span =
      tracer.start_span("demo.engine.process",
                        {.kind = tr::SpanKind::kInternal,
                         .attributes = {{"demo.payload.size", static_cast<int64_t>(data.size())}}});
  const tr::ContextScope in_process = tr::activate(span.context());
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t compressed = 0;
  thread_local Deflater deflater;
  const std::size_t chunks = (data.size() + kChunk - 1) / kChunk;
  for (std::size_t i = 0; i < chunks; ++i) {
    tr::Span chunk = tracer.start_span(
        "demo.engine.chunk", {.attributes = {{"demo.chunk.index", static_cast<int64_t>(i)}}});
    const tr::ContextScope in_chunk = tr::activate(chunk.context());
    const std::string_view part = data.substr(i * kChunk, kChunk);
    {
      py::gil_scoped_release release;
      const auto* in = reinterpret_cast<const Bytef*>(part.data());
      crc = crc32(crc, in, static_cast<uInt>(part.size()));
      compressed += deflater.compress(in, part.size());
    }
    if (!on_chunk.is_none()) call_with_native_context(on_chunk, i);
  }
  CORETEL_INFO("demo.engine.processed", ev::kv("demo.payload.size", data.size()),
               ev::kv("demo.chunk.count", chunks));
  span.set_attribute("demo.crc32", static_cast<int64_t>(crc));
  span.set_attribute("demo.compressed.size", static_cast<int64_t>(compressed));
  return {static_cast<uint32_t>(crc), compressed};
}

}  // namespace

void bind_demo(py::module_& demo) {
  demo.def("process", &process, py::arg("payload"), py::arg("on_chunk") = py::none(),
           "(CRC-32, compressed size) of payload, in native spans, calling on_chunk(i) per 16 KiB "
           "chunk");
}

}  // namespace coretel::python
