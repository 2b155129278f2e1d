// Golden images on llvmpipe: small renders of the synthetic head with layers, compared with
// tests/render/golden/*.png.
//
// Refresh (after an intended change to shading, framing or layers):
//   STIPPLE_UPDATE_GOLDENS=1 ./build/tests/stipple_render_tests --gtest_filter='Golden.*'
// then look at the new PNGs before committing them. On failure the actual, expected and diff
// images are written to build/tests/output/golden/.
//
// Tolerances (same for each): max per-channel difference 24 and at most 0.5% of pixels
// differing by more than 2 levels. Reasons: the goldens come from Mesa 22.3 llvmpipe; other
// Mesa versions or CPU vector widths change the rasterizer's edge rules and its fast pow/exp,
// which moves silhouette pixels and a few shadow-edge pixels by up to ~20 levels, while a real
// regression (lighting, tone curve, framing, layer compositing) changes most of the frame.

#include <gtest/gtest.h>

#include "image_compare.h"
#include "stipple/render/compose.h"
#include "stipple/render/renderer.h"
#include "test_scene.h"

namespace {

using namespace stipple;
using namespace stipple::render;

constexpr int kMaxChannelDiff = 24;
constexpr double kMaxDifferingFraction = 0.005;

struct GoldenScene {
    HeadModel head = test::syntheticHead(96);
    LayerStack layers = test::syntheticLayers(head, 1024, 5.0, 1.4);
};

const GoldenScene& scene() {
    static const GoldenScene s;
    return s;
}

Image8 renderView(Renderer& r, const std::string& view) {
    const CameraPose pose = *viewPose(view, 8);
    return r.render(r.fit({pose}), pose);
}

RenderSettings small() {
    RenderSettings s;
    s.width = s.height = 256;
    return s;
}

TEST(Golden, Front) {
    Renderer r(scene().head, &scene().layers, small());
    test::expectMatchesGolden(renderView(r, "front"), "front_256", kMaxChannelDiff,
                              kMaxDifferingFraction);
}

TEST(Golden, Top) {
    Renderer r(scene().head, &scene().layers, small());
    test::expectMatchesGolden(renderView(r, "top"), "top_256", kMaxChannelDiff,
                              kMaxDifferingFraction);
}

TEST(Golden, BeforeAfterSplitTransparent) {
    RenderSettings s = small();
    s.transparent = true;
    s.lighting = *lightingPreset("clinic");
    Renderer r(scene().head, &scene().layers, s);
    r.setAfter(false);
    const Image8 before = renderView(r, "three_quarter_left");
    r.setAfter(true);
    const Image8 after = renderView(r, "three_quarter_left");
    test::expectMatchesGolden(splitCompare(before, after), "before_after_split_256",
                              kMaxChannelDiff, kMaxDifferingFraction);
}

} // namespace
