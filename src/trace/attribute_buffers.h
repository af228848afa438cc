// attribute_buffers.h: the heap buffers of recycled spans' attributes, kept per thread for the
// attributes of that thread's next spans.
//
// A span the batch processor hands back for reuse (BatchSpanProcessor::spare()) keeps the
// capacity of its own strings and vectors, but clearing it destroys its attributes: a key or a
// string value longer than std::string's inline buffer is freed, and allocated again by the
// next span's attribute of that length. clear_keeping_buffers() moves such attributes aside
// instead, and append_attribute() hands them to the thread's next attribute that needs a heap
// buffer. Included by span.cc and batch_span_processor.cc only.
//
// Thread-safety: each thread has its own kept attributes; call on the thread that uses `list`.
#pragma once

#include <cstddef>
#include <vector>

#include "coretel/metrics/attributes.h"

namespace coretel::detail {

/// Attributes kept per thread, at most.
inline constexpr std::size_t kKeptAttributes = 64;
/// A buffer larger than this (key or string value) is freed, not kept.
inline constexpr std::size_t kKeptBufferBytes = 256;

/// Empties `list`; its attributes with a heap buffer (key or string value, each within
/// kKeptBufferBytes) are kept for this thread, up to kKeptAttributes. Never throws.
void clear_keeping_buffers(std::vector<Attribute>& list) noexcept;

/// Appends an attribute to `list` for the caller to assign: a kept one (with stale contents)
/// when a key of `key_size` bytes or a string value of `text_size` bytes (0: not a string) needs
/// a heap buffer and this thread kept one, else an empty one. Throws std::bad_alloc when `list`
/// must grow and cannot.
Attribute& append_attribute(std::vector<Attribute>& list, std::size_t key_size,
                            std::size_t text_size);

}  // namespace coretel::detail
