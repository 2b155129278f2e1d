// Turntable benchmark (issue target: 36 frames, 1920x1080, 4x MSAA, written as PNGs, under
// 10 s on 2 cores without a GPU). One benchmark iteration is the whole job, as a user runs it:
// render on the GL thread (llvmpipe), encode PNGs on 2 worker threads, write atomically.
// The head: the bundled mannequin when present, else the ICT head from the shared heads,
// else the synthetic test head; layers from the test scene's azimuthal chart at 4096^2.
//
//   ./build/tests/bench/render_turntable_bench --benchmark_min_time=1x

#include <chrono>
#include <filesystem>

#include <benchmark/benchmark.h>

#include "../render/test_scene.h"
#include "stipple/core/design.h"
#include "stipple/core/head_model.h"
#include "stipple/render/render_job.h"

namespace {

using namespace stipple;

HeadModel benchHead(std::string& name) {
    const std::filesystem::path mannequin =
        std::filesystem::path(STIPPLE_SOURCE_DIR) / "meshes" / "mannequin.glb";
    const std::filesystem::path ict = std::filesystem::path(STIPPLE_SHARED_HEADS) /
                                      "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    HeadSpec spec;
    if (std::filesystem::exists(mannequin)) {
        spec.mesh = mannequin;
        spec.mm_per_unit = 1.0;
        name = "mannequin";
        return loadHeadModel(spec);
    }
    if (std::filesystem::exists(ict)) {
        spec.mesh = ict;
        spec.mm_per_unit = 10.0;
        name = "ict_facekit_neutral (skin only)";
        return loadHeadModel(spec);
    }
    name = "synthetic";
    return test::syntheticHead(256);
}

void BM_Turntable36x1080p(benchmark::State& state) {
    std::string name;
    const HeadModel head = benchHead(name);
    const LayerStack layers = test::syntheticLayers(head, 4096, 12.0, 3.0);
    render::RenderSubject subject;
    subject.head = &head;
    subject.layers = &layers;
    subject.provenance.design_name = "bench";
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
    state.SetLabel(name);
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Turntable36x1080p)->Unit(benchmark::kSecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
