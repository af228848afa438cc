// registry_reader_fuzzer.cc: libFuzzer target over the schema tool's registry reader.
//
// Each input is one file's bytes, run through fuzz::run_pipeline (pipeline.h): read as a
// definition file then validated, resolved and policy-checked; read as a manifest; read as a
// published resolved/2.0 registry then validated, resolved and policy-checked. Built with
// -fsanitize=fuzzer,address,undefined (CORETEL_BUILD_FUZZERS=ON with clang); run by
// scripts/fuzz-schema.sh. A crash, sanitizer report, leak or timeout is a finding: fix it in
// tools/schema and add the minimized input to tests/schema/fuzz_regressions_test.cc.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  coretel::schema::fuzz::run_pipeline(bytes);
  return 0;
}
