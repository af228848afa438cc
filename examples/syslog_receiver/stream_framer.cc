// stream_framer.cc: StreamFramer construction (the only allocation); feed()/finish() are templates
// defined in stream_framer.h.
#include "stream_framer.h"

namespace coretel_demo {

StreamFramer::StreamFramer() : buf_(std::make_unique_for_overwrite<char[]>(kBufferCapacity)) {}

}  // namespace coretel_demo
