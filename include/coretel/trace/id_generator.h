// id_generator.h: random trace and span ids (trace/sdk.md, "Id Generators"; W3C Trace Context
// Level 2, "Random Trace ID Flag").
//
// Each thread draws from its own std::mt19937_64, seeded from the operating system
// (std::random_device: getrandom(2) on Linux) the first time the thread asks: no lock, no shared
// state, and a forked child does not repeat its parent's ids once it reseeds (reseed_ids()).
// Every bit of a trace id is random, so a root span may set kRandomFlag; an id is never all
// zero (drawn again in that case).
// Thread-safety: any thread.
#pragma once

#include "coretel/trace/trace_context.h"

namespace coretel::trace {

TraceId new_trace_id() noexcept;
SpanId new_span_id() noexcept;
/// Seeds the calling thread's generator from the operating system again (call it in a child
/// after fork(): the child's copy of the generator would repeat the parent's ids).
void reseed_ids() noexcept;

}  // namespace coretel::trace
