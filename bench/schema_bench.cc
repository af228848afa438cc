// The schema tool on the whole upstream semantic-conventions registry
// (<CORETEL_CONFORMANCE_DATA>/semconv/model: 250 files, 943 attributes, 541 metrics): reading +
// validation + resolution (what `resolve` needs), the full `check` (policies too), and C++
// generation. Target (issue 3): check + resolve under 2 s on the CI machine. Not a hot path: ms per
// run.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "check.h"
#include "generate_cpp.h"
#include "resolved_writer.h"

namespace {

const std::filesystem::path kUpstream = CORETEL_CONFORMANCE_DATA "/semconv/model";

void BM_schema_resolve_upstream(benchmark::State& state) {
  for (auto _ : state) {
    coretel::schema::Diagnostics diagnostics;
    auto loaded = coretel::schema::load_registry(kUpstream, diagnostics, {false});
    if (!loaded.resolved_ok) state.SkipWithError("the upstream registry did not resolve");
    benchmark::DoNotOptimize(loaded.resolved.catalog.data());
  }
}
BENCHMARK(BM_schema_resolve_upstream)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_schema_check_upstream(benchmark::State& state) {
  for (auto _ : state) {
    coretel::schema::Diagnostics diagnostics;
    auto loaded = coretel::schema::load_registry(kUpstream, diagnostics, {true});
    if (diagnostics.failed()) state.SkipWithError("the upstream registry has errors");
    benchmark::DoNotOptimize(loaded.resolved.catalog.data());
  }
}
BENCHMARK(BM_schema_check_upstream)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_schema_check_and_resolve_to_yaml_upstream(benchmark::State& state) {
  for (auto _ : state) {
    coretel::schema::Diagnostics diagnostics;
    auto loaded = coretel::schema::load_registry(kUpstream, diagnostics, {true});
    std::string yaml = coretel::schema::to_yaml(coretel::schema::to_resolved_json(loaded.resolved));
    benchmark::DoNotOptimize(yaml.data());
  }
}
BENCHMARK(BM_schema_check_and_resolve_to_yaml_upstream)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_schema_generate_cpp_upstream(benchmark::State& state) {
  coretel::schema::Diagnostics diagnostics;
  auto loaded = coretel::schema::load_registry(kUpstream, diagnostics, {false});
  std::filesystem::path out = std::filesystem::temp_directory_path() / "coretel-bench-gen";
  for (auto _ : state) {
    std::filesystem::remove_all(out);
    std::string error;
    if (!coretel::schema::generate_cpp(loaded.resolved, out, {}, error)) {
      state.SkipWithError(error.c_str());
    }
  }
  std::filesystem::remove_all(out);
}
BENCHMARK(BM_schema_generate_cpp_upstream)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace
