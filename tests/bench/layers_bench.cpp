// Texture layers: 100,000 dots (0.4 mm, or STIPPLE_BENCH_DOT_MM) splatted into the pigment
// layer at 4096^2 and 8192^2 (issue 4: < 0.3 s and < 1 s on 2 cores, in memory). Results are
// recorded in docs/benchmarks.md, section "Texture layers". The layer is allocated once outside the
// timed loop (its allocation is reported separately by BM_AllocateLayer); each iteration fills and
// splats it.

#include <cstdlib>

#include <benchmark/benchmark.h>

#include "../core/layers_test_head.h"
#include "stipple/core/layers.h"
#include "stipple/core/pigment.h"
#include "stipple/core/scalp_chart.h"
#include "stipple/core/splat.h"

namespace {

using namespace stipple;

constexpr int kStacks = 160, kSlices = 320;

// Dot diameter (mm): 0.4 by default, the size every earlier run in docs/benchmarks.md used;
// STIPPLE_BENCH_DOT_MM overrides it (0.141: the default 3RL 0.25 healed dot since issue 12).
float benchDotMm() {
    const char* value = std::getenv("STIPPLE_BENCH_DOT_MM");
    const float mm = value ? std::strtof(value, nullptr) : 0.0f;
    return mm > 0.01f && mm < 5.0f ? mm : 0.4f;
}

struct Scene {
    HeadModel head = test::layers::syntheticHead(kStacks, kSlices);
    FollicleSet dots;
    Scene() {
        // Exactly 100,000 dots, all in the chart region (a dense full head).
        dots = test::layers::latticeDots(head, kStacks, kSlices, 300000, 35, benchDotMm(), 6);
        const ScalpChart chart = computeScalpChart(head);
        std::vector<Dot> kept;
        for (const Dot& d : dots.dots)
            if (chart.inside[d.triangle] && kept.size() < 100000) kept.push_back(d);
        dots.dots = kept;
        for (size_t i = 0; i < dots.dots.size(); ++i) {
            dots.dots[i].aspect = 0.8f + 0.2f * float(i % 7) / 7.0f;
            dots.dots[i].angle_rad = float(i % 13);
        }
    }
};

const Scene& scene() {
    static const Scene s;
    return s;
}

void BM_BakeLayers(benchmark::State& state) {
    const Scene& s = scene();
    Design design;
    design.pigment.fitzpatrick = 3;
    double splat_total = 0;
    // The landmark chart the dots were chosen in (every dot inside), as the Session passes its
    // cached chart.
    const ScalpChart chart = computeScalpChart(s.head);
    const LayerSpec spec = layerSpec(design);
    for (auto _ : state) {
        LayerStack layers = bakeLayers(s.head, chart, s.dots, spec, int(state.range(0)));
        splat_total += layers.splat_seconds;
        benchmark::DoNotOptimize(layers.pigment.pixels.data());
    }
    state.counters["dots"] = double(s.dots.dots.size());
    state.counters["splat_s"] = splat_total / double(state.iterations());
}

// The splat alone (fill + splat, threads over bands) into a preallocated layer.
void BM_SplatInk(benchmark::State& state) {
    const Scene& s = scene();
    Design design;
    design.pigment.fitzpatrick = 3;
    // Exactly the splats bakeLayers makes (aspect, angle, soft edge and all).
    const ScalpChart chart = computeScalpChart(s.head);
    const int size = int(state.range(0));
    glm::vec3 empty_filter;
    size_t skipped = 0;
    const std::vector<InkSplat> splats =
        inkSplats(s.head, chart, s.dots, design.pigment, empty_filter, skipped);
    Image16 layer(size, size, 4);
    // range(2) = 1: with the zone map (what bakeLayers fills for re-colouring).
    Image8 zones(size, size, 1);
    Image8* zone_map = state.range(2) ? &zones : nullptr;
    for (auto _ : state) {
        splatInk(layer, splats, empty_filter, int(state.range(1)), zone_map);
        benchmark::DoNotOptimize(layer.pixels.data());
    }
    state.counters["dots"] = double(splats.size());
    state.counters["threads"] = double(state.range(1));
    state.counters["zone_map"] = double(state.range(2));
    // Bytes the fill writes (and the splat revisits only where dots are).
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(size) * size * 8);
}

// Re-colouring a baked layer on the CPU (applyLayerColour, threads over rows): shade 6 -> 8 in
// every zone. The host without shaders pays this per colour edit instead of a re-bake.
void BM_ApplyLayerColour(benchmark::State& state) {
    const Scene& s = scene();
    Design design;
    design.pigment.fitzpatrick = 3;
    const LayerStack baked = bakeLayers(s.head, computeScalpChart(s.head), s.dots,
                                        layerSpec(design), int(state.range(0)));
    ZoneShades from{}, to{};
    from.fill(6);
    to.fill(8);
    const glm::dvec3 skin(baked.skin_linear);
    const LayerColour colour = layerColour(design.pigment, from, skin, design.pigment, to, skin);
    Image16 pigment = baked.pigment;
    for (auto _ : state) {
        state.PauseTiming();
        pigment.pixels = baked.pigment.pixels;
        state.ResumeTiming();
        applyLayerColour(pigment, baked.zone_map, colour);
        benchmark::DoNotOptimize(pigment.pixels.data());
    }
}

void BM_AllocateLayer(benchmark::State& state) {
    const int size = int(state.range(0));
    for (auto _ : state) {
        Image16 layer(size, size, 4);
        benchmark::DoNotOptimize(layer.pixels.data());
    }
}

// A plain write of the same bytes: the memory-bandwidth bound for producing the layer.
void BM_WriteBandwidth(benchmark::State& state) {
    const int size = int(state.range(0));
    Image16 layer(size, size, 4);
    uint16_t value = 1;
    for (auto _ : state) {
        std::fill(layer.pixels.begin(), layer.pixels.end(), value++);
        benchmark::DoNotOptimize(layer.pixels.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(size) * size * 8);
}

} // namespace

BENCHMARK(BM_SplatInk)
    ->Args({4096, 1, 0})
    ->Args({4096, 2, 0})
    ->Args({4096, 2, 1})
    ->Args({8192, 1, 0})
    ->Args({8192, 2, 0})
    ->Args({8192, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ApplyLayerColour)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BakeLayers)->Arg(4096)->Arg(8192)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(2);
BENCHMARK(BM_AllocateLayer)->Arg(4096)->Arg(8192)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WriteBandwidth)->Arg(4096)->Arg(8192)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
