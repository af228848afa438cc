// id_generator.h: random trace and span ids (trace/sdk.md, "Id Generators"; W3C Trace Context
// Level 2, "Random Trace ID Flag").
//
// Each thread draws from its own xoshiro256++ generator (Blackman and Vigna, "Scrambled Linear
// Pseudorandom Number Generators", 2021: 256 bits of state, about 1 ns a draw), seeded from the
// operating system (getrandom(2)) the first time the thread asks: no lock, no shared state, and
// a forked child does not repeat its parent's ids once it reseeds (reseed_ids()). The ids are
// unpredictable to whoever does not know the seed; they are not for cryptographic use.
// Every bit of a trace id is random, so a root span may set kRandomFlag; an id is never all
// zero (drawn again in that case).
// Thread-safety: any thread.
#pragma once

#include "coretel/trace/trace_context.h"

namespace coretel::trace {

TraceId new_trace_id() noexcept;
SpanId new_span_id() noexcept;
/// Both ids of a root span, in one visit to the thread's generator.
void new_ids(TraceId& trace_id, SpanId& span_id) noexcept;
/// Seeds the calling thread's generator from the operating system again (call it in a child
/// after fork(): the child's copy of the generator would repeat the parent's ids).
void reseed_ids() noexcept;

}  // namespace coretel::trace
