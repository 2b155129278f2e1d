// Follicle sampling speed: generateFollicles() end to end (chart, hairline, zones, candidates,
// Poisson-disk selection, dots, quality figures) on a 49,152-triangle synthetic head, for
// 100k and 1M dots (total mode), against plain dart throwing with the same minimum distance
// over the same scalp triangles; and the stages a Session reruns on their own
// (follicle_stages.h) on the mannequin with examples/natural.json: the FollicleRegion build
// and one zone's sampleZone(). Results are recorded in docs/benchmarks.md.

#include <algorithm>
#include <cmath>

#include <benchmark/benchmark.h>

#include "../synthetic_head.h"
#include "stipple/core/follicle_stages.h"
#include "stipple/core/follicles.h"
#include "stipple/core/poisson_sampling.h"

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
    for (const Dot& dot : reference.dots)
        triangles.push_back(dot.triangle);
    std::sort(triangles.begin(), triangles.end());
    triangles.erase(std::unique(triangles.begin(), triangles.end()), triangles.end());
    const double density_mm2 = double(reference.dots.size()) / (reference.area_cm2 * 100);
    const float radius = float(0.68 * std::sqrt(2.0 / (std::sqrt(3.0) * density_mm2)));
    size_t kept = 0;
    for (auto _ : state) {
        const auto points =
            dartThrowing(head().mesh, triangles, radius, reference.dots.size(), 2000, 3);
        kept = points.size();
        benchmark::DoNotOptimize(points.data());
    }
    state.counters["dots"] = double(kept);
    state.counters["target"] = double(reference.dots.size());
}
BENCHMARK(BM_DartThrowing)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The bundled demo: examples/natural.json on meshes/mannequin.glb (about 40k dots).
struct Mannequin {
    Design design = loadDesign(std::string(STIPPLE_SOURCE_DIR) + "/examples/natural.json");
    HeadModel head = loadHeadModel(design.head);
};
const Mannequin& mannequin() {
    static const Mannequin m;
    return m;
}

// What a hairline (or seed, or mask) edit reruns first: the zone map and the per-triangle
// tables, with the ScalpRegion (chart, hairline, zone geometry) built inside.
void BM_FollicleRegion(benchmark::State& state) {
    const Mannequin& m = mannequin();
    for (auto _ : state) {
        std::vector<Problem> warnings;
        const FollicleRegion region(m.head, m.design.hairline, m.design.seed, nullptr,
                                    m.design.source.string(), warnings);
        benchmark::DoNotOptimize(region.areaMm2(ZoneId::Front));
    }
}
BENCHMARK(BM_FollicleRegion)->Unit(benchmark::kMillisecond);

// The same tables on a ScalpRegion the Session already holds (a density mask edit).
void BM_FollicleRegionOnSharedScalp(benchmark::State& state) {
    const Mannequin& m = mannequin();
    std::vector<Problem> warnings;
    const FollicleRegion first(m.head, m.design.hairline, m.design.seed, nullptr, "", warnings);
    for (auto _ : state) {
        const FollicleRegion region(m.head, first.sharedScalp(), m.design.hairline, m.design.seed,
                                    nullptr, "");
        benchmark::DoNotOptimize(region.areaMm2(ZoneId::Front));
    }
}
BENCHMARK(BM_FollicleRegionOnSharedScalp)->Unit(benchmark::kMillisecond);

// What one zone's density or size edit reruns: sampleZone() for that zone (arg: ZoneId), the
// region prepared once, a scratch kept between edits as a Session keeps it.
void BM_SampleZone(benchmark::State& state) {
    const Mannequin& m = mannequin();
    const ZoneId zone = ZoneId(state.range(0));
    std::vector<Problem> warnings;
    const FollicleRegion region(m.head, m.design.hairline, m.design.seed, nullptr, "", warnings);
    const ZoneSettings settings = zoneSettings(m.design);
    const PerZone<double> peaks = zonePeaks(region, settings, "", warnings);
    SamplingScratch scratch;
    size_t dots = 0;
    for (auto _ : state) {
        const ZoneDots out = sampleZone(m.head, region, zone, settings.zones[size_t(zone)],
                                        peaks[size_t(zone)], &scratch);
        dots = out.dots.size();
        benchmark::DoNotOptimize(out.dots.data());
    }
    state.counters["dots"] = double(dots);
}
BENCHMARK(BM_SampleZone)
    ->Arg(int(ZoneId::Front))
    ->Arg(int(ZoneId::Mid))
    ->Unit(benchmark::kMillisecond);

// The whole demo for comparison (region, every zone, merge, figures).
void BM_GenerateFolliclesMannequin(benchmark::State& state) {
    const Mannequin& m = mannequin();
    size_t dots = 0;
    for (auto _ : state) {
        const FollicleSet set = generateFollicles(m.head, m.design);
        dots = set.dots.size();
        benchmark::DoNotOptimize(set.dots.data());
    }
    state.counters["dots"] = double(dots);
}
BENCHMARK(BM_GenerateFolliclesMannequin)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
