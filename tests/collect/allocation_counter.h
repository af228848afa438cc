// allocation_counter.h: counts global operator new calls made while an AllocationCounter lives
// (the replacement operators are in allocation_counter.cc, linked into tests that use it).
#pragma once

#include <cstdint>

namespace coretel_test {

class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  uint64_t count() const;
};

}  // namespace coretel_test
