// Turntable benchmark (issue target: 36 frames, 1920x1080, 4x MSAA, written as PNGs, under
// 10 s on 2 cores without a GPU). One benchmark iteration is the whole render job, as
// `stipple render examples/natural.json --turntable 36` runs it after baking: render on the GL
// thread (llvmpipe), encode PNGs on 2 worker threads, write atomically with provenance.
// Scene: the bundled mannequin with the bundled "natural" design's dots and 4096^2 layers
// (design -> head model -> follicles -> layers, done once outside the timed loop).
//
//   ./build/tests/bench/render_turntable_bench
//
// The live edits of a Scene (scene.h) on the same head and layers, one 1280x720 frame each
// through an OffscreenTarget: a frame alone, a re-colouring (setLayerColour, uniforms) plus a
// frame, and new layers (updateLayers: 4096^2 texels converted and uploaded, mipmaps rebuilt)
// plus a frame. The edit's own cost is the difference to the frame alone.

#include <filesystem>

#include <benchmark/benchmark.h>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#include "stipple/render/offscreen_target.h"
#include "stipple/render/render_job.h"
#include "stipple/render/renderer.h"
#include "stipple/render/scene.h"

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

// The mannequin with natural.json's 4096^2 layers, a Scene of it and a 720p target, built once.
struct LiveScene {
    Design design =
        loadDesign(std::filesystem::path(STIPPLE_SOURCE_DIR) / "examples" / "natural.json");
    HeadModel head = loadHeadModel(design.head);
    LayerStack layers = bakeLayers(head, generateFollicles(head, design), design, 4096);
    osg::ref_ptr<render::Scene> scene = new render::Scene(head, &layers);
    render::OffscreenTarget target{[] {
        render::TargetSettings t;
        t.width = 1280;
        t.height = 720;
        return t;
    }()};
    render::CameraPose pose = *render::viewPose("three_quarter_left", 8);
    render::Framing framing =
        render::fitFraming(render::framingPoints(head.mesh), {pose}, 1280, 720);
    Image8 frame() { return target.render(*scene, framing, pose); }
};

LiveScene& liveScene() {
    static LiveScene live;
    return live;
}

void BM_SceneFrame720p(benchmark::State& state) {
    LiveScene& live = liveScene();
    live.frame(); // first upload outside the loop
    for (auto _ : state)
        benchmark::DoNotOptimize(live.frame());
}
BENCHMARK(BM_SceneFrame720p)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

void BM_SceneRecolourAndFrame720p(benchmark::State& state) {
    LiveScene& live = liveScene();
    LayerColour colour;
    colour.exponent[1] = glm::vec3(1.2f);
    live.scene->setZoneMap(Image8(64, 64, 1, 1)); // every texel in the front zone
    live.frame();
    int i = 0;
    for (auto _ : state) {
        colour.exponent[1] = glm::vec3(1.1f + 0.1f * float(++i % 3));
        live.scene->setLayerColour(colour);
        benchmark::DoNotOptimize(live.frame());
    }
    live.scene->setLayerColour(LayerColour{});
    live.scene->setZoneMap(Image8());
}
BENCHMARK(BM_SceneRecolourAndFrame720p)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

void BM_SceneUpdateLayersAndFrame720p(benchmark::State& state) {
    LiveScene& live = liveScene();
    live.frame();
    for (auto _ : state) {
        live.scene->updateLayers(live.layers);
        benchmark::DoNotOptimize(live.frame());
    }
}
BENCHMARK(BM_SceneUpdateLayersAndFrame720p)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
