// Turntable benchmark (issue target: 36 frames, 1920x1080, 4x MSAA, written as PNGs, under
// 10 s on 2 cores without a GPU). One benchmark iteration is the whole render job, as
// `stipple render examples/natural.json --turntable 36` runs it after baking: render on the GL
// thread (llvmpipe), encode PNGs on 2 worker threads, write atomically with provenance.
// Scene: the bundled mannequin with the bundled "natural" design's dots and 4096^2 layers
// (design -> head model -> follicles -> layers, done once outside the timed loop).
//
//   ./build/tests/bench/render_turntable_bench

#include <filesystem>

#include <benchmark/benchmark.h>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#include "stipple/render/render_job.h"

namespace {

using namespace stipple;

void BM_Turntable36x1080p(benchmark::State& state) {
    const Design design =
        loadDesign(std::filesystem::path(STIPPLE_SOURCE_DIR) / "examples" / "natural.json");
    const HeadModel head = loadHeadModel(design.head);
    const FollicleSet dots = generateFollicles(head, design);
    const LayerStack layers = bakeLayers(head, dots, design, 4096);
    render::RenderSubject subject;
    subject.head = &head;
    subject.layers = &layers;
    subject.provenance.design_name = design.name;
    subject.provenance.design_sha256 = design.sha256;
    subject.provenance.seed = design.seed;
    subject.provenance.mesh_sha256 = head.import.sha256;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "stipple_render_bench";
    for (auto _ : state) {
        std::filesystem::remove_all(dir);
        render::RenderJob job;
        job.out_dir = dir;
        job.settings.width = 1920;
        job.settings.height = 1080;
        job.settings.msaa = 4;
        job.settings.lighting = *render::lightingPreset("studio");
        job.turntable_frames = 36;
        const nlohmann::json summary = render::runRenderJob({subject}, job);
        state.counters["render_s"] = summary["timing"]["render_s"].get<double>();
        state.counters["total_s"] = summary["timing"]["total_s"].get<double>();
    }
    state.counters["triangles"] = double(head.mesh.triangleCount());
    state.counters["dots"] = double(dots.dots.size());
    state.SetLabel("mannequin, examples/natural.json");
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Turntable36x1080p)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
