// The split renderer: a Scene drawn by an OffscreenTarget is the Renderer's picture bit for bit;
// the live edits (setAfter, setLighting, setLayerColour, updateLayers) change what they should
// and only that; a Scene draws under a host's own group and survives its target.

#include <algorithm>

#include <gtest/gtest.h>
#include <osg/Geometry>
#include <osg/MatrixTransform>

#include "image_compare.h"
#include "stipple/core/error.h"
#include "stipple/render/offscreen_target.h"
#include "stipple/render/renderer.h"
#include "stipple/render/scene.h"
#include "test_scene.h"

namespace {

using namespace stipple;
using namespace stipple::render;

struct SceneFixture {
    HeadModel head = test::syntheticHead(64);
    LayerStack layers = test::syntheticLayers(head, 512, 4.0, 1.2);
    RenderSettings settings = [] {
        RenderSettings s;
        s.width = s.height = 128;
        s.lighting = *lightingPreset("studio");
        return s;
    }();
    CameraPose pose = *viewPose("top", 8);
};

const SceneFixture& fixture() {
    static const SceneFixture f;
    return f;
}

// The framing Renderer::fit gives, without a Renderer.
Framing framingFor(const SceneFixture& fx) {
    return fitFraming(framingPoints(fx.head.mesh), {fx.pose}, fx.settings.width,
                      fx.settings.height);
}

osg::ref_ptr<Scene> makeScene(const SceneFixture& fx, const LayerStack* layers) {
    SceneOptions options = sceneOptions(fx.settings);
    options.keep_texels = true; // a host's scene (the default): drawable in any later context
    osg::ref_ptr<Scene> scene = new Scene(fx.head, layers, options);
    scene->setLighting(fx.settings.lighting);
    return scene;
}

int maxDiff(const Image8& a, const Image8& b) {
    return test::compareImages(a, b, 0).max_channel_diff;
}

// The pixels where "before" is more than 8 levels of luma brighter than "after": the dots (the
// pigment is the only difference between the two).
struct DotRegion {
    std::vector<size_t> pixels;
};
DotRegion dotRegion(const Image8& after, const Image8& before) {
    DotRegion r;
    for (size_t i = 0; i < size_t(after.width) * size_t(after.height); ++i)
        if (test::luma(&before.pixels[i * 4]) - test::luma(&after.pixels[i * 4]) > 8.0)
            r.pixels.push_back(i);
    return r;
}
double meanLuma(const Image8& img, const DotRegion& region) {
    double sum = 0;
    for (size_t i : region.pixels)
        sum += test::luma(&img.pixels[i * 4]);
    return region.pixels.empty() ? 0 : sum / double(region.pixels.size());
}

TEST(Scene, ThroughAnOffscreenTargetIsTheRenderersPictureBitForBit) {
    const SceneFixture& fx = fixture();
    Renderer renderer(fx.head, &fx.layers, fx.settings);
    const Framing f = renderer.fit({fx.pose});
    const Image8 expected = renderer.render(f, fx.pose);

    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    OffscreenTarget target(targetSettings(fx.settings));
    const Image8 actual = target.render(*scene, framingFor(fx), fx.pose);
    // Same graph, same state, same uniforms, same rasteriser: nothing may differ.
    EXPECT_EQ(maxDiff(actual, expected), 0);
}

TEST(Scene, LiveEditsChangeThePictureAndUndoingThemRestoresIt) {
    const SceneFixture& fx = fixture();
    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    OffscreenTarget target(targetSettings(fx.settings));
    const Framing f = framingFor(fx);
    const Image8 base = target.render(*scene, f, fx.pose);

    scene->setAfter(false);
    const Image8 before = target.render(*scene, f, fx.pose);
    scene->setAfter(true);
    // Ink covers ~25% of the scalp in the top view: far more than noise differs.
    EXPECT_GT(test::compareImages(base, before).differing_fraction, 0.05);

    scene->setLighting(*lightingPreset("daylight")); // 1 light instead of 3: recompiles
    const Image8 daylight = target.render(*scene, f, fx.pose);
    EXPECT_GT(test::compareImages(base, daylight).differing_fraction, 0.2);
    scene->setLighting(fx.settings.lighting);
    // Uniforms and a recompiled shader, no rebuild: the first picture again, bit for bit.
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);
}

TEST(Scene, LayerColourExponentTwoDarkensTheDotsAndIdentityChangesNothing) {
    const SceneFixture& fx = fixture();
    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    OffscreenTarget target(targetSettings(fx.settings));
    const Framing f = framingFor(fx);
    const Image8 base = target.render(*scene, f, fx.pose);
    scene->setAfter(false);
    const Image8 before = target.render(*scene, f, fx.pose);
    scene->setAfter(true);
    const DotRegion dots = dotRegion(base, before);
    ASSERT_GT(dots.pixels.size(), 500u); // the top view shows thousands of dot pixels

    LayerColour darker;
    darker.exponent[0] = glm::vec3(2.0f);
    // Without a zone map the re-colouring is the identity (layers.h: no zone, no change).
    scene->setZoneMap(Image8());
    scene->setLayerColour(darker);
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);

    // Every texel in zone 0 (map value 1 + ZoneId): filter 0.22 becomes 0.22^2 = 0.048, the
    // optical density doubles.
    scene->setZoneMap(Image8(fx.layers.size, fx.layers.size, 1, 1));
    const Image8 recoloured = target.render(*scene, f, fx.pose);
    const double l_base = meanLuma(base, dots), l_dark = meanLuma(recoloured, dots);
    std::cout << "dot luma: base " << l_base << ", exponent 2 " << l_dark << " over "
              << dots.pixels.size() << " px\n";
    // At 128 px the dots are partly covered pixels (mean luma ~197 in the ACES shoulder), so
    // squaring the ink filter takes ~7% of their light: measured 3.4 levels; required > 2.
    EXPECT_GT(l_base - l_dark, 2.0);

    // Known answer: the same as layers baked with the squared filter (0.22^2), re-colouring
    // being exact for one zone. Up to 3 levels: both go through 8-bit premultiplied texels
    // (the re-coloured one divides by an 8-bit coverage before squaring).
    LayerStack squared = fx.layers;
    for (size_t i = 0; i < squared.pigment.pixels.size(); i += 4)
        if (squared.pigment.pixels[i + 3] != 0)
            for (size_t c = 0; c < 3; ++c) {
                const double filter = squared.pigment.pixels[i + c] / 65535.0;
                squared.pigment.pixels[i + c] = uint16_t(std::lround(filter * filter * 65535.0));
            }
    osg::ref_ptr<Scene> rebaked = makeScene(fx, &squared);
    const test::ImageDiff d =
        test::compareImages(target.render(*rebaked, f, fx.pose), recoloured, 2);
    std::cout << "re-colour vs re-bake: max " << d.max_channel_diff << ", differing "
              << d.differing_fraction * 100 << "%\n";
    EXPECT_LE(d.max_channel_diff, 3);
    EXPECT_LT(d.differing_fraction, 0.005);

    // Exponent 1 in every zone is the identity again, bit for bit.
    scene->setLayerColour(LayerColour{});
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);
    // A zone the map does not use: no texel changes.
    LayerColour other;
    other.exponent[3] = glm::vec3(2.0f);
    scene->setLayerColour(other);
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);
}

TEST(Scene, UpdateLayersKeepsTheGeometryAndShowsTheNewTexels) {
    const SceneFixture& fx = fixture();
    LayerStack no_ink = fx.layers;
    std::fill(no_ink.pigment.pixels.begin(), no_ink.pigment.pixels.end(), uint16_t(0));

    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    OffscreenTarget target(targetSettings(fx.settings));
    const Framing f = framingFor(fx);
    const Image8 base = target.render(*scene, f, fx.pose);
    ASSERT_EQ(scene->geometryCount(), 2u);
    const osg::Array* vertices = scene->geometry(0)->getVertexArray();
    const osg::Array* chart_uvs = scene->geometry(0)->getTexCoordArray(1);
    const osg::PrimitiveSet* in_chart = scene->geometry(0)->getPrimitiveSet(0);
    const unsigned in_chart_indices = in_chart->getNumIndices();

    scene->updateLayers(no_ink);
    const Image8 without = target.render(*scene, f, fx.pose);
    // Same objects, same counts: a host's geometry and UV set stay put.
    EXPECT_EQ(scene->geometry(0)->getVertexArray(), vertices);
    EXPECT_EQ(scene->geometry(1)->getVertexArray(), vertices);
    EXPECT_EQ(scene->geometry(0)->getTexCoordArray(1), chart_uvs);
    EXPECT_EQ(scene->geometry(0)->getPrimitiveSet(0), in_chart);
    EXPECT_EQ(in_chart->getNumIndices(), in_chart_indices);
    EXPECT_EQ(vertices->getNumElements(), fx.head.mesh.positions.size());

    // The new texels show: no ink is the scene built with the ink-free layers, bit for bit.
    osg::ref_ptr<Scene> fresh = makeScene(fx, &no_ink);
    OffscreenTarget other(targetSettings(fx.settings));
    EXPECT_EQ(maxDiff(without, other.render(*fresh, f, fx.pose)), 0);
    EXPECT_GT(test::compareImages(base, without).differing_fraction, 0.05);
    // And back.
    scene->updateLayers(fx.layers);
    EXPECT_EQ(maxDiff(target.render(*scene, f, fx.pose), base), 0);
}

TEST(Scene, UpdateLayersForAnotherMeshIsAContractViolation) {
    const SceneFixture& fx = fixture();
    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    const HeadModel small = test::syntheticHead(16, false);
    const LayerStack wrong = test::syntheticLayers(small, 64, 4.0, 1.2);
    setAssertMode(AssertMode::Throw);
    try {
        scene->updateLayers(wrong);
        ADD_FAILURE() << "a chart of another mesh was accepted";
    } catch (const ContractViolation& e) {
        EXPECT_NE(std::string(e.what()).find("Scene::updateLayers():"), std::string::npos)
            << e.what();
    }
    setAssertMode(AssertMode::Abort);
}

TEST(Scene, DrawsUnderAHostsOwnGroupAndOutlivesItsTarget) {
    const SceneFixture& fx = fixture();
    const Framing f = framingFor(fx);
    osg::ref_ptr<Scene> scene = makeScene(fx, &fx.layers);
    Image8 direct;
    {
        OffscreenTarget target(targetSettings(fx.settings));
        direct = target.render(*scene, f, fx.pose);
    } // the context is gone; the scene's GL objects were released with it, its texels kept

    // A host's graph: its own root with an identity transform above the scene. The target
    // does not know the Scene inside, so the host sets the view, as its viewer would.
    osg::ref_ptr<osg::Group> root = new osg::Group;
    osg::ref_ptr<osg::MatrixTransform> place = new osg::MatrixTransform;
    place->addChild(scene.get());
    root->addChild(place.get());
    OffscreenTarget target(targetSettings(fx.settings));
    scene->setView(cameraBasis(f, fx.pose).eye, fx.pose.azimuth_deg);
    EXPECT_EQ(maxDiff(target.render(*root, f, fx.pose), direct), 0);

    // Following the host's camera instead: eye from the model-view matrix, rig azimuth from
    // the eye's direction (the top view's pose has azimuth 0 and the eye is in front of the
    // centre by the elevation's small offset, so the rig turns by a hair at most).
    const CameraPose front = *viewPose("front", 8);
    const Framing ff =
        fitFraming(framingPoints(fx.head.mesh), {front}, fx.settings.width, fx.settings.height);
    scene->setView(cameraBasis(ff, front).eye, front.azimuth_deg);
    const Image8 exact = target.render(*root, ff, front);
    scene->setFollowCamera(true);
    const Image8 followed = target.render(*root, ff, front);
    // The eye differs by float round-off and the azimuth by atan2 of the framing target's
    // offset from the mesh centre in x (0 on this symmetric head): a level or two at most.
    EXPECT_LE(test::compareImages(followed, exact, 2).max_channel_diff, 3);
    EXPECT_LT(test::compareImages(followed, exact, 2).differing_fraction, 0.001);
}

} // namespace
