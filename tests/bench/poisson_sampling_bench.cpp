// Poisson-disk selection and nearest-neighbour figures on a fixed candidate pool: the pool the
// follicle sampler builds for ~100k dots on the synthetic head (6 candidates per dot, hashed
// positions on each triangle in triangle order, r = 0.68 x the hexagonal spacing), without
// the zone classification, so the selection's own cost is measured alone.

#include <cmath>
#include <map>

#include <benchmark/benchmark.h>

#include "stipple/core/poisson_sampling.h"
#include "../synthetic_head.h"

namespace {

using namespace stipple;

struct Pool {
    std::vector<SampleCandidate> candidates;
    float radius_mm = 0;
};

// `dots` expected dots over the whole head (area ~ 1.1e5 mm^2).
const Pool& pool(int64_t dots) {
    static std::map<int64_t, Pool> pools;
    Pool& p = pools[dots];
    if (!p.candidates.empty()) return p;
    const Mesh& mesh = test::syntheticHead({76, 115, 97.5}, 64).mesh;
    double area_mm2 = 0;
    for (const glm::uvec3& t : mesh.triangles)
        area_mm2 += 0.5 * glm::length(glm::cross(glm::dvec3(mesh.positions[t.y] - mesh.positions[t.x]),
                                                 glm::dvec3(mesh.positions[t.z] - mesh.positions[t.x])));
    const double per_mm2 = double(dots) / area_mm2;
    p.radius_mm = float(0.68 * std::sqrt(2.0 / (std::sqrt(3.0) * per_mm2)));
    for (uint32_t t = 0; t < mesh.triangles.size(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::vec3 a = mesh.positions[tri.x], ab = mesh.positions[tri.y] - a,
                        ac = mesh.positions[tri.z] - a;
        const double expected = 6 * per_mm2 * 0.5 * double(glm::length(glm::cross(ab, ac)));
        const uint32_t count = uint32_t(expected + unitOf(hashOf(5, t)));
        for (uint32_t j = 0; j < count; ++j) {
            float u = float(unitOf(hashOf(1, t, j))), v = float(unitOf(hashOf(2, t, j)));
            if (u + v > 1) {
                u = 1 - u;
                v = 1 - v;
            }
            SampleCandidate c;
            c.position = a + u * ab + v * ac;
            c.radius_mm = p.radius_mm;
            c.triangle = t;
            c.index = j;
            c.priority = uint32_t(hashOf(3, t, j) >> 32);
            p.candidates.push_back(c);
        }
    }
    return p;
}

void BM_SelectPoissonDisk(benchmark::State& state) {
    const Pool& p = pool(state.range(0));
    size_t kept = 0;
    for (auto _ : state) {
        const auto result = selectPoissonDisk(p.candidates, p.radius_mm);
        kept = result.size();
        benchmark::DoNotOptimize(result.data());
    }
    state.counters["candidates"] = double(p.candidates.size());
    state.counters["kept"] = double(kept);
    state.counters["ns_per_candidate"] = benchmark::Counter(
        double(p.candidates.size()), benchmark::Counter::kIsIterationInvariantRate |
                                         benchmark::Counter::kInvert);
}
BENCHMARK(BM_SelectPoissonDisk)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// The follicle sampler's pattern: one prepare, then selections at three radius scales.
void BM_PoissonSelectorThreeScales(benchmark::State& state) {
    const Pool& p = pool(state.range(0));
    PoissonSelector selector;
    for (auto _ : state) {
        selector.prepare(p.candidates, p.radius_mm);
        for (float scale : {0.99f, 0.97f, 0.98f}) {
            const auto result = selector.select(scale);
            benchmark::DoNotOptimize(result.data());
        }
    }
    state.counters["candidates"] = double(p.candidates.size());
}
BENCHMARK(BM_PoissonSelectorThreeScales)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_NearestSpacingRatios(benchmark::State& state) {
    const Pool& p = pool(state.range(0));
    const auto kept = selectPoissonDisk(p.candidates, p.radius_mm);
    std::vector<glm::vec3> points;
    std::vector<float> spacing;
    for (const SampleCandidate& c : kept) {
        points.push_back(c.position);
        // Two density regions (front half denser), as a graded design would give.
        spacing.push_back(c.position.z > 0 ? p.radius_mm / 0.68f : 1.3f * p.radius_mm / 0.68f);
    }
    for (auto _ : state) {
        const auto ratios = nearestSpacingRatios(points, spacing);
        benchmark::DoNotOptimize(ratios.data());
    }
    state.counters["points"] = double(points.size());
}
BENCHMARK(BM_NearestSpacingRatios)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
