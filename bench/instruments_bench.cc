// instruments_bench.cc: the hot path. Every benchmark here has the same loop shape: per
// iteration, 8 records (one into each of 8 instruments of one struct on a cache line, values
// from a sliding window of values()), with DoNotOptimize(&set) before and ClobberMemory() after,
// so the set is reloaded and stored every iteration and no record can be hoisted or merged.
// BM_raw_increment is the floor: the same shape with 8 plain uint64_t members.
#include <array>
#include <cmath>
#include <cstdint>

#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "bench_common.h"
#include "coretel/metrics/instruments.h"
#include "coretel/metrics/measurement.h"
#include "coretel/metrics/metric_set.h"

namespace {

using coretel_bench::kBounds16;
using coretel_bench::kRecordsPerIteration;
using coretel_bench::report_per_op;
using coretel_bench::values;

#define BENCH_EIGHT(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define BENCH_FIELD(n, prefix) CORETEL_FIELD(f##n, prefix ".f" #n, "1", "Field " #n ".")
#define BENCH_FIELDS(prefix)                                                                      \
  BENCH_FIELD(0, prefix), BENCH_FIELD(1, prefix), BENCH_FIELD(2, prefix), BENCH_FIELD(3, prefix), \
      BENCH_FIELD(4, prefix), BENCH_FIELD(5, prefix), BENCH_FIELD(6, prefix),                     \
      BENCH_FIELD(7, prefix)

// The floor: eight plain members in a cache-line-aligned struct.
struct alignas(coretel::kCacheLineSize) RawSet {
  uint64_t f0, f1, f2, f3, f4, f5, f6, f7;
};

struct CORETEL_METRIC_SET_STRUCT(CounterSet) {
  coretel::Counter<uint64_t> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(CounterSet, "bench.counter", "Eight counters.",
                            BENCH_FIELDS("bench.counter"));

struct CORETEL_METRIC_SET_STRUCT(CounterF64Set) {
  coretel::Counter<double> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(CounterF64Set, "bench.counter_f64", "Eight double counters.",
                            BENCH_FIELDS("bench.counter_f64"));

struct CORETEL_METRIC_SET_STRUCT(UpDownF64Set) {
  coretel::UpDownCounter<double> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(UpDownF64Set, "bench.updown_f64", "Eight double up-down counters.",
                            BENCH_FIELDS("bench.updown_f64"));

struct CORETEL_METRIC_SET_STRUCT(GaugeSet) {
  coretel::Gauge<uint64_t> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(GaugeSet, "bench.gauge", "Eight gauges.", BENCH_FIELDS("bench.gauge"));

struct CORETEL_METRIC_SET_STRUCT(UpDownSet) {
  coretel::UpDownCounter<int64_t> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(UpDownSet, "bench.updown", "Eight up-down counters.",
                            BENCH_FIELDS("bench.updown"));

struct CORETEL_METRIC_SET_STRUCT(MmscSet) {
  coretel::Mmsc f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(MmscSet, "bench.mmsc", "Eight min/max/sum/count.",
                            BENCH_FIELDS("bench.mmsc"));

struct CORETEL_METRIC_SET_STRUCT(HistogramSet) {
  coretel::Histogram<kBounds16> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(HistogramSet, "bench.histogram", "Eight 16-bound histograms.",
                            BENCH_FIELDS("bench.histogram"));

struct CORETEL_METRIC_SET_STRUCT(ExponentialHistogramSet) {
  coretel::ExponentialHistogram<> f0, f1, f2, f3, f4, f5, f6, f7;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(ExponentialHistogramSet, "bench.exponential_histogram",
                            "Eight exponential histograms of 160 buckets.",
                            BENCH_FIELDS("bench.exponential_histogram"));

// What the OpenTelemetry SDKs (Go, Java, .NET) do to map a value at a positive scale: a natural
// logarithm times 2^scale / ln 2 (their "logarithm mapping"), here at a fixed scale into a fixed
// window, without their rescaling or locking: the mapping's own cost, a floor for them.
struct LogMappedHistogram {
  static constexpr int kScale = 3;
  std::array<uint64_t, 160> counts{};
  uint64_t count = 0;
  double sum = 0;
  void record(double v) {
    const double factor = std::ldexp(1.0 / std::log(2.0), kScale);
    const auto index = static_cast<int64_t>(std::ceil(std::log(v) * factor)) - 1;
    ++counts[static_cast<std::size_t>(index + 80) % counts.size()];
    ++count;
    sum += v;
  }
};
struct alignas(coretel::kCacheLineSize) LogMappedSet {
  LogMappedHistogram f0, f1, f2, f3, f4, f5, f6, f7;
};

// The shared loop: `record(set, window)` does the 8 records of one iteration.
template <class Set, class Record>
void run_hot_loop(benchmark::State& state, Record record) {
  alignas(coretel::kCacheLineSize) Set set{};  // as the floor's: 8 words on one line
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&set);
    record(set, i & 15);
    benchmark::ClobberMemory();
    ++i;
  }
  benchmark::DoNotOptimize(&set);
  report_per_op(state, kRecordsPerIteration);
}

void BM_raw_increment(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<RawSet>(state, [v](RawSet& s, std::size_t w) {
#define REC(n) s.f##n += v[w + n];
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_raw_increment);

void BM_coretel_counter_add(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<CounterSet>(state, [v](CounterSet& s, std::size_t w) {
#define REC(n) s.f##n.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_counter_add);

// Counter<double>: the value check (negative, NaN, infinity) is one compare pair and a branch.
void BM_coretel_counter_add_f64(benchmark::State& state) {
  const double* v = values().u64_as_f64.data();
  run_hot_loop<CounterF64Set>(state, [v](CounterF64Set& s, std::size_t w) {
#define REC(n) s.f##n.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_counter_add_f64);

void BM_coretel_gauge_set(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<GaugeSet>(state, [v](GaugeSet& s, std::size_t w) {
#define REC(n) s.f##n.set(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_gauge_set);

void BM_coretel_updown_add(benchmark::State& state) {
  const int64_t* v = values().i64.data();
  run_hot_loop<UpDownSet>(state, [v](UpDownSet& s, std::size_t w) {
#define REC(n) s.f##n.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_updown_add);

void BM_coretel_updown_add_f64(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<UpDownF64Set>(state, [v](UpDownF64Set& s, std::size_t w) {
#define REC(n) s.f##n.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_updown_add_f64);

void BM_coretel_mmsc_record(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<MmscSet>(state, [v](MmscSet& s, std::size_t w) {
#define REC(n) s.f##n.record(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_mmsc_record);

// Mmsc's worst case: every record is a new maximum (a rising series), so none takes the
// within-[min, max] path. Same loop shape; the values are the iteration count plus a window
// value scaled below 1, so each instrument sees a strictly rising series.
void BM_coretel_mmsc_record_rising(benchmark::State& state) {
  const double* v = values().f64.data();
  double base = 0.0;
  run_hot_loop<MmscSet>(state, [v, &base](MmscSet& s, std::size_t w) {
    base += 1.0;
#define REC(n) s.f##n.record(base + v[w + n] * 1e-4);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_mmsc_record_rising);

void BM_coretel_histogram_record(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<HistogramSet>(state, [v](HistogramSet& s, std::size_t w) {
#define REC(n) s.f##n.record(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_histogram_record);

// Values log-uniform over 1e-3..1e3 (six decades): the histograms settle at scale 2, where the
// first iterations' downscales are long done.
void BM_coretel_exponential_histogram_record(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<ExponentialHistogramSet>(state, [v](ExponentialHistogramSet& s, std::size_t w) {
#define REC(n) s.f##n.record(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_exponential_histogram_record);

// The slow case: values within 0.1 % of each other (1000 to 1001) keep scale 16, above the
// table scales, so every record takes the logarithm.
void BM_coretel_exponential_histogram_record_narrow(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<ExponentialHistogramSet>(state, [v](ExponentialHistogramSet& s, std::size_t w) {
#define REC(n) s.f##n.record(1000.0 + v[w + n] * 1e-3);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_exponential_histogram_record_narrow);

void BM_log_mapped_histogram_record(benchmark::State& state) {
  const double* v = values().f64.data();
  run_hot_loop<LogMappedSet>(state, [v](LogMappedSet& s, std::size_t w) {
#define REC(n) s.f##n.record(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_log_mapped_histogram_record);

// A MeasuredSet of one counter: per record, with() picks the combination from the value
// (v & 7, or v & 31), then adds. 8 combinations keep no touched bitmap (kTouchedBitmapAbove);
// 32 do, so with() also sets a bit. The floor indexes an array of cache-line-aligned plain
// counters the same way.
struct CORETEL_METRIC_SET_STRUCT(OneCounterSet) {
  coretel::Counter<uint64_t> f0;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(OneCounterSet, "bench.one", "One counter.",
                            CORETEL_FIELD(f0, "bench.one.f0", "1", "Field 0."));
enum class Lane8 : uint8_t {};
CORETEL_MEASUREMENT_ATTRIBUTE(Lane8, "bench.lane", "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7");
enum class Lane32 : uint8_t {};
CORETEL_MEASUREMENT_ATTRIBUTE(Lane32, "bench.lane", "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7",
                              "l8", "l9", "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17",
                              "l18", "l19", "l20", "l21", "l22", "l23", "l24", "l25", "l26", "l27",
                              "l28", "l29", "l30", "l31");
using Measured8 = coretel::MeasuredSet<OneCounterSet, Lane8>;
using Measured32 = coretel::MeasuredSet<OneCounterSet, Lane32>;
static_assert(!Measured8::kTracksTouched && Measured32::kTracksTouched);

struct RawLanes8 {
  struct alignas(coretel::kCacheLineSize) Lane {
    uint64_t f0;
  } lanes[8];
};

void BM_raw_indexed_increment(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<RawLanes8>(state, [v](RawLanes8& s, std::size_t w) {
#define REC(n) s.lanes[v[w + n] & 7].f0 += v[w + n];
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_raw_indexed_increment);

void BM_coretel_measured_add(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<Measured8>(state, [v](Measured8& s, std::size_t w) {
#define REC(n) s.with(static_cast<Lane8>(v[w + n] & 7)).f0.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_measured_add);

void BM_coretel_measured_add_bitmap(benchmark::State& state) {
  const uint64_t* v = values().u64.data();
  run_hot_loop<Measured32>(state, [v](Measured32& s, std::size_t w) {
#define REC(n) s.with(static_cast<Lane32>(v[w + n] & 31)).f0.add(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_coretel_measured_add_bitmap);

// prometheus-cpp: 8 instruments of one family, the same values and the same loop shape.
struct PromCounters {
  prometheus::Registry registry;
  prometheus::Counter* c[8];
  PromCounters() {
    auto& family =
        prometheus::BuildCounter().Name("bench_counter_total").Help("Bench.").Register(registry);
    for (int k = 0; k < 8; ++k) c[k] = &family.Add({{"field", std::to_string(k)}});
  }
};

struct PromHistograms {
  prometheus::Registry registry;
  prometheus::Histogram* h[8];
  PromHistograms() {
    auto& family =
        prometheus::BuildHistogram().Name("bench_histogram").Help("Bench.").Register(registry);
    prometheus::Histogram::BucketBoundaries bounds(kBounds16.begin(), kBounds16.end());
    for (int k = 0; k < 8; ++k) h[k] = &family.Add({{"field", std::to_string(k)}}, bounds);
  }
};

void BM_prometheus_counter_increment(benchmark::State& state) {
  const double* v = values().u64_as_f64.data();
  PromCounters prom;
  run_hot_loop<RawSet>(state, [v, &prom](RawSet&, std::size_t w) {
#define REC(n) prom.c[n]->Increment(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_prometheus_counter_increment);

void BM_prometheus_histogram_observe(benchmark::State& state) {
  const double* v = values().f64.data();
  PromHistograms prom;
  run_hot_loop<RawSet>(state, [v, &prom](RawSet&, std::size_t w) {
#define REC(n) prom.h[n]->Observe(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_prometheus_histogram_observe);

// Two threads. coretel: each thread records into its own set (the design: one set per owning
// thread, no sharing). prometheus-cpp: both threads increment one shared Counter, 8 times per
// iteration (its instruments are meant to be shared; that is what its atomics are for).
void BM_coretel_counter_add_2threads(benchmark::State& state) {
  BM_coretel_counter_add(state);
}
BENCHMARK(BM_coretel_counter_add_2threads)->Threads(2);

void BM_prometheus_counter_increment_2threads(benchmark::State& state) {
  static PromCounters prom;  // thread-safe initialisation; shared by both threads
  const double* v = values().u64_as_f64.data();
  prometheus::Counter* counter = prom.c[0];
  run_hot_loop<RawSet>(state, [v, counter](RawSet&, std::size_t w) {
#define REC(n) counter->Increment(v[w + n]);
    BENCH_EIGHT(REC)
#undef REC
  });
}
BENCHMARK(BM_prometheus_counter_increment_2threads)->Threads(2);

}  // namespace
