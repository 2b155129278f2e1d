// Follicle sampling speed: generateFollicles() end to end (chart, hairline, zones, candidates,
// Poisson-disk selection, dots, quality figures) on a 49,152-triangle synthetic head, for
// 100k and 1M dots (total mode), against plain dart throwing with the same minimum distance
// over the same scalp triangles. Results are recorded in docs/benchmarks.md.

#include <algorithm>
#include <cmath>

#include <benchmark/benchmark.h>

#include "stipple/core/follicles.h"
#include "stipple/core/poisson_sampling.h"
#include "../synthetic_head.h"

namespace {

using namespace stipple;

const HeadModel& head() {
    static const HeadModel h = test::syntheticHead({76, 115, 97.5}, 64);
    return h;
}

Design design(int64_t dots) {
    Design d;
    d.seed = 11;
    d.hairline.nape_height_mm = -30;
    d.mode = DensityMode::Total;
    d.total_dots = dots;
    return d;
}

void BM_GenerateFollicles(benchmark::State& state) {
    const Design d = design(state.range(0));
    size_t dots = 0;
    double min_ratio = 0;
    for (auto _ : state) {
        const FollicleSet set = generateFollicles(head(), d);
        dots = set.dots.size();
        min_ratio = set.nn_min_ratio;
        benchmark::DoNotOptimize(set.dots.data());
    }
    state.counters["dots"] = double(dots);
    state.counters["nn_min_ratio"] = min_ratio;
    state.counters["triangles"] = double(head().mesh.triangles.size());
}
BENCHMARK(BM_GenerateFollicles)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Plain dart throwing over the same region with the minimum distance the sampler used
// (0.68 x the hexagonal spacing of the mean density), until it has as many dots as the
// sampler produced or fails 2,000 times in a row.
void BM_DartThrowing(benchmark::State& state) {
    const FollicleSet reference = generateFollicles(head(), design(state.range(0)));
    std::vector<uint32_t> triangles;
    for (const Dot& dot : reference.dots) triangles.push_back(dot.triangle);
    std::sort(triangles.begin(), triangles.end());
    triangles.erase(std::unique(triangles.begin(), triangles.end()), triangles.end());
    const double density_mm2 = double(reference.dots.size()) / (reference.area_cm2 * 100);
    const float radius = float(0.68 * std::sqrt(2.0 / (std::sqrt(3.0) * density_mm2)));
    size_t kept = 0;
    for (auto _ : state) {
        const auto points = dartThrowing(head().mesh, triangles, radius, reference.dots.size(), 2000, 3);
        kept = points.size();
        benchmark::DoNotOptimize(points.data());
    }
    state.counters["dots"] = double(kept);
    state.counters["target"] = double(reference.dots.size());
}
BENCHMARK(BM_DartThrowing)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
