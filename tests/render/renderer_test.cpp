// Known-answer tests of the head renderer on llvmpipe (EGL surfaceless, no X server, no GPU):
// flat-lit luminance, MSAA really happening, framing in every view, before/after toggle, and
// turntable frames that are distinct and change smoothly.

#include <algorithm>
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "image_compare.h"
#include "stipple/render/renderer.h"
#include "test_scene.h"

namespace {

using namespace stipple;
using namespace stipple::render;

// The renderer's tone curve and encoding, on the CPU (shaders.h: ACES fit, then sRGB).
double expectedSrgb8(double linear) {
    const double x = linear;
    const double aces =
        std::clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
    return linearToSrgb(aces) * 255.0;
}

Lighting frontalLight(double intensity) {
    Lighting rig;
    rig.name = "test";
    Light key;
    key.direction = {0, 0, 1}; // from the camera: n.l = 1 on a patch facing it
    key.intensity = intensity;
    rig.lights = {key};
    rig.sky = rig.ground = glm::dvec3(0);
    rig.specular = 0;
    rig.exposure = 1;
    return rig;
}

TEST(Renderer, FlatLitGreyPatchHasTheExpectedLuminance) {
    const HeadModel patch = test::flatPatch();
    for (const double albedo : {0.18, 0.5}) {
        RenderSettings s;
        s.width = s.height = 64;
        s.lighting = frontalLight(1.0);
        s.skin_linear = glm::vec3(float(albedo));
        Renderer r(patch, nullptr, s);
        const CameraPose pose = *viewPose("front", 0);
        const Image8 img = r.render(r.fit({pose}), pose);
        // Light along the normal: wrap diffuse is exactly 1, so radiance = albedo x 1.
        const double expected = expectedSrgb8(albedo);
        double sum = 0;
        int n = 0;
        for (int y = 24; y < 40; ++y)
            for (int x = 24; x < 40; ++x, ++n)
                for (int c = 0; c < 3; ++c)
                    sum += img.at(x, y)[c] / 3.0;
        // 1.0 level: 8-bit rounding (0.5) plus llvmpipe's float pow/exp approximations.
        EXPECT_NEAR(sum / n, expected, 1.0) << "albedo " << albedo;
    }
}

TEST(Renderer, MsaaGivesIntermediateEdgeValuesAndNoMsaaDoesNot) {
    const HeadModel head = test::syntheticHead(48, false);
    const auto edgeValues = [&](int msaa) {
        RenderSettings s;
        s.width = s.height = 96;
        s.msaa = msaa;
        s.transparent = true;
        Renderer r(head, nullptr, s);
        const CameraPose pose = *viewPose("front", 0);
        const Image8 img = r.render(r.fit({pose}), pose);
        int partial = 0;
        for (size_t i = 3; i < img.pixels.size(); i += 4)
            if (img.pixels[i] > 0 && img.pixels[i] < 255) ++partial;
        return partial;
    };
    // The silhouette is ~250 px long; with 4 samples most edge pixels are partly covered.
    // Without MSAA coverage is all or nothing. This is the check that OSG did not silently
    // fall back to single sampling (the glRenderbufferStorageMultisampleCoverageNV stub).
    EXPECT_GT(edgeValues(4), 100);
    EXPECT_EQ(edgeValues(0), 0);
}

struct Silhouette {
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
};
Silhouette silhouette(const Image8& img) {
    Silhouette s;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            if (img.at(x, y)[3] >= 128) {
                s.x0 = std::min(s.x0, x);
                s.y0 = std::min(s.y0, y);
                s.x1 = std::max(s.x1, x + 1);
                s.y1 = std::max(s.y1, y + 1);
            }
    return s;
}

TEST(Renderer, HeadIsCentredAndFillsTheStatedShareInEveryView) {
    const HeadModel head = test::syntheticHead(64, false);
    RenderSettings s;
    s.width = 160;
    s.height = 120;
    s.transparent = true;
    s.msaa = 0;
    Renderer r(head, nullptr, s);
    for (const std::string& view : viewNames()) {
        if (isCloseupView(view)) continue; // framed on the scalp, tested below
        const CameraPose pose = *viewPose(view, 8);
        const Image8 img = r.render(r.fit({pose}), pose);
        const Silhouette sil = silhouette(img);
        ASSERT_GE(sil.x1, 0) << view;
        const double cx = 0.5 * (sil.x0 + sil.x1), cy = 0.5 * (sil.y0 + sil.y1);
        // Centred within 2 px (1.7% of the height): the fit centres the projected bounding
        // box of every vertex; pixel snapping of the silhouette costs up to 1 px per side.
        EXPECT_NEAR(cx, s.width / 2.0, 2.0) << view;
        EXPECT_NEAR(cy, s.height / 2.0, 2.0) << view;
        // Fills kHeadFillShare of the limiting dimension, within 3 px (2.5%): same reasons.
        const double share =
            std::max(double(sil.x1 - sil.x0) / s.width, double(sil.y1 - sil.y0) / s.height);
        EXPECT_NEAR(share, kHeadFillShare, 0.025) << view;
    }
}

TEST(Renderer, CloseupsAreCentredOnTheScalpAndSpanTheirWidth) {
    // The synthetic ellipsoid (ear landmarks at the origin, so the ear-line centre is the
    // origin): the hairline close-up's target is on the front-left upper head, the crown's on
    // the upper back; the target is at the picture's centre and the frame's width spans the
    // stated millimetres there (projection is exact: tolerances are floating-point ones).
    const HeadModel head = test::syntheticHead(64, false);
    RenderSettings s;
    s.width = 160;
    s.height = 90;
    s.transparent = true;
    s.msaa = 0;
    Renderer r(head, nullptr, s);
    const std::pair<const char*, double> closeups[] = {{"hairline_closeup", kHairlineCloseupWidthMm},
                                                      {"crown_closeup", kCrownCloseupWidthMm}};
    for (const auto& [view, width_mm] : closeups) {
        ASSERT_TRUE(isCloseupView(view));
        const CameraPose pose = *viewPose(view, 8);
        const Framing f = r.fitView(view, pose);
        const glm::dvec2 centre = projectToPixel(f, pose, s.width, s.height, f.target);
        EXPECT_NEAR(centre.x, s.width / 2.0, 1e-6) << view;
        EXPECT_NEAR(centre.y, s.height / 2.0, 1e-6) << view;
        const CameraBasis b = cameraBasis(f, pose);
        const glm::dvec2 left =
            projectToPixel(f, pose, s.width, s.height, f.target - b.right * (width_mm / 2));
        const glm::dvec2 right =
            projectToPixel(f, pose, s.width, s.height, f.target + b.right * (width_mm / 2));
        EXPECT_NEAR(left.x, 0.0, 1e-6) << view;
        EXPECT_NEAR(right.x, double(s.width), 1e-6) << view;
        EXPECT_GT(f.target.y, 60.0) << view; // well above the ear line, on the scalp
        if (std::string(view) == "hairline_closeup") {
            EXPECT_GT(f.target.z, 30.0) << view; // front
            EXPECT_GT(f.target.x, 10.0) << view; // subject's left, toward the temple
        } else {
            EXPECT_LT(f.target.z, -20.0) << view; // back
        }
        // The head fills the picture's centre (the camera is outside the head, not inside).
        const Image8 img = r.render(f, pose);
        EXPECT_EQ(img.at(s.width / 2, s.height / 2)[3], 255) << view;
    }
    EXPECT_FALSE(isCloseupView("front"));
}

TEST(Renderer, FramingIgnoresTheShoulders) {
    // With a long neck the head must still fill the frame: framing crops 245 mm below the top.
    const HeadModel head = test::syntheticHead(64, true);
    const std::vector<glm::dvec3> pts = framingPoints(head.mesh);
    double lowest = 1e9;
    for (const auto& p : pts)
        lowest = std::min(lowest, p.y);
    EXPECT_GE(lowest, 130.0 - kHeadCropHeightMm - 1e-6);
}

TEST(Renderer, BeforeAfterIsAUniformToggleAndTouchesOnlyTheScalp) {
    const HeadModel head = test::syntheticHead(64);
    const LayerStack layers = test::syntheticLayers(head, 512, 4.0, 1.2);
    RenderSettings s;
    s.width = s.height = 128;
    // Same skin, and no specular: the scalp is a little glossier than bare skin by design.
    s.skin_linear = layers.skin_linear;
    s.lighting = *lightingPreset("studio");
    s.lighting.specular = 0;
    Renderer r(head, &layers, s);
    Renderer bare(head, nullptr, s);
    const CameraPose pose = *viewPose("top", 8);
    const Framing f = r.fit({pose});
    const Image8 after = r.render(f, pose);
    r.setAfter(false);
    const Image8 before = r.render(f, pose);
    r.setAfter(true);
    const Image8 after_again = r.render(f, pose);
    const Image8 no_layers = bare.render(bare.fit({pose}), pose);
    // Toggling back gives the same picture bit for bit (no rebuild, deterministic raster).
    EXPECT_EQ(test::compareImages(after, after_again, 0).max_channel_diff, 0);
    // An empty "before" layer is the bare head: same skin, same light.
    EXPECT_LE(test::compareImages(before, no_layers, 0).max_channel_diff, 1);
    // The pigment darkens the scalp: mean luma over the middle drops by a visible amount.
    double l_before = 0, l_after = 0;
    for (int y = 40; y < 88; ++y)
        for (int x = 40; x < 88; ++x) {
            l_before += test::luma(before.at(x, y));
            l_after += test::luma(after.at(x, y));
        }
    l_before /= 48 * 48;
    l_after /= 48 * 48;
    // Coverage ~25% of ink with filter 0.22 removes ~15-20% of the light: > 5 levels of luma.
    EXPECT_GT(l_before - l_after, 5.0);
}

TEST(Renderer, TurntableFramesAreDistinctWrapAroundAndChangeSmoothly) {
    const HeadModel head = test::syntheticHead(64);
    const LayerStack layers = test::syntheticLayers(head, 1024, 5.0, 1.4);
    RenderSettings s;
    s.width = s.height = 96;
    Renderer r(head, &layers, s);
    const int n = 24;
    const std::vector<CameraPose> poses = turntablePoses(n, 20);
    const Framing f = r.fit(poses);
    std::vector<Image8> frames;
    for (const CameraPose& p : poses)
        frames.push_back(r.render(f, p));
    // No duplicated end frame: the frame after the last (360 degrees) is frame 0 again.
    CameraPose wrap = poses[0];
    wrap.azimuth_deg = 360;
    // <= 2 levels: cos/sin of 2 pi are not exactly those of 0.
    EXPECT_LE(test::compareImages(r.render(f, wrap), frames[0], 2).max_channel_diff, 2);

    // Mean absolute difference of consecutive frames, and the scalp's mean luma per frame.
    std::vector<double> step(static_cast<size_t>(n)), scalp(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const Image8& a = frames[size_t(i)];
        const Image8& b = frames[size_t((i + 1) % n)];
        double d = 0;
        for (size_t k = 0; k < a.pixels.size(); ++k)
            d += std::abs(int(a.pixels[k]) - int(b.pixels[k]));
        step[size_t(i)] = d / double(a.pixels.size());
        double l = 0;
        // The top of the head: rows 14..30 (above the hairline at elevation 20 degrees).
        for (int y = 14; y < 30; ++y)
            for (int x = 36; x < 60; ++x)
                l += test::luma(a.at(x, y));
        scalp[size_t(i)] = l / (16 * 24);
    }
    const double min_step = *std::min_element(step.begin(), step.end());
    const double max_step = *std::max_element(step.begin(), step.end());
    EXPECT_GT(min_step, 0.3) << "two consecutive frames are (nearly) identical";
    // Smooth motion: no frame jumps; an ellipsoid head turning at constant speed changes
    // the picture by similar amounts each step (the nose swinging through the side views
    // makes the steps uneven, up to ~2.5x).
    EXPECT_LT(max_step / min_step, 3.0);
    // Flicker: the scalp's mean brightness follows a smooth curve as the head turns; dots
    // that alias pop in and out and add frame-to-frame noise. Second difference of the scalp
    // luma, worst frame, under 1.5 levels (measured 0.4-0.6 with mipmapped layers).
    double flicker = 0;
    for (int i = 0; i < n; ++i) {
        const double prev = scalp[size_t((i + n - 1) % n)], next = scalp[size_t((i + 1) % n)];
        flicker = std::max(flicker, std::abs(scalp[size_t(i)] - 0.5 * (prev + next)));
    }
    EXPECT_LT(flicker, 1.5);
    std::cout << "turntable: step " << min_step << ".." << max_step << ", scalp flicker " << flicker
              << "\n";
}

TEST(Renderer, RejectsOutOfRangeSettings) {
    const HeadModel head = test::syntheticHead(16, false);
    RenderSettings s;
    s.width = 5000;
    s.height = 100;
    EXPECT_THROW(Renderer(head, nullptr, s), Error);
    s.width = 100;
    s.msaa = 8;
    try {
        Renderer r(head, nullptr, s);
        FAIL() << "msaa 8 accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("use 0, 2 or 4"), std::string::npos) << e.what();
    }
}

} // namespace

namespace {

TEST(Renderer, SupersampledStillMatchesTheSizeAndTheLook) {
    using namespace stipple;
    using namespace stipple::render;
    const HeadModel head = test::syntheticHead(48, false);
    RenderSettings s;
    s.width = 96;
    s.height = 64;
    Renderer r(head, nullptr, s);
    const CameraPose pose = *viewPose("front", 8);
    const Image8 plain = r.render(r.fit({pose}), pose);
    r.setSize(96, 64, 3);
    const Image8 ss = r.render(r.fit({pose}), pose);
    ASSERT_EQ(ss.width, 96);
    ASSERT_EQ(ss.height, 64);
    // Same picture, smoother: the mean difference is small (edges and shadow steps only).
    double diff = 0;
    for (size_t i = 0; i < ss.pixels.size(); ++i)
        diff += std::abs(int(ss.pixels[i]) - int(plain.pixels[i]));
    EXPECT_LT(diff / double(ss.pixels.size()), 2.0);
    // Back to 1x for a turntable: the framebuffers follow.
    r.setSize(48, 32, 1);
    EXPECT_EQ(r.render(r.fit({pose}), pose).width, 48);
}

// The renderer culls back faces when no hole of the mesh can be in view (llvmpipe shades
// hidden fragments under MSAA). A back face seen through the rim of an open surface must
// still show.
TEST(Renderer, OpenPatchSeenFromBehindStillShows) {
    const HeadModel patch = test::flatPatch();
    RenderSettings s;
    s.width = s.height = 64;
    s.transparent = true;
    Renderer r(patch, nullptr, s);
    const CameraPose pose = *viewPose("back", 0);
    const Image8 img = r.render(r.fit({pose}), pose);
    // The patch's rim is in view, so its back face is drawn: the centre is fully covered.
    EXPECT_EQ(img.at(32, 32)[3], 255);
}

TEST(Renderer, InsideOfAnOpenDomeShowsThroughItsRim) {
    // The synthetic cranium with its lower third removed: a dome open at the bottom, wound
    // outward (so back-face culling is allowed when the rim is out of view).
    HeadModel dome = test::syntheticHead(48, false);
    const size_t keep = dome.mesh.triangles.size() * 2 / 3; // rings are emitted top down
    dome.mesh.triangles.resize(keep);
    RenderSettings s;
    s.width = s.height = 64;
    s.transparent = true;
    Renderer r(dome, nullptr, s);
    CameraPose below;
    below.elevation_deg = -85;
    const Image8 img = r.render(r.fit({below}), below);
    // Seen from below through the opening, everything is the dome's inside (back faces).
    int covered = 0;
    for (int y = 28; y < 36; ++y)
        for (int x = 28; x < 36; ++x)
            covered += img.at(x, y)[3] == 255 ? 1 : 0;
    EXPECT_EQ(covered, 64);
}

TEST(Renderer, CustomLightingFromTheDesignPointsWhereItSays) {
    // A design light at azimuth 0, elevation 0 is the camera's direction: on a patch facing
    // the camera it must light exactly like frontalLight(1) (same known answer as the flat
    // patch test); the same light at azimuth 180 is behind the patch and leaves it black.
    const HeadModel patch = test::flatPatch();
    auto meanGrey = [&](double azimuth_deg) {
        LightSpec spec;
        spec.azimuth_deg = azimuth_deg;
        spec.elevation_deg = 0;
        spec.intensity = 1;
        RenderSettings s;
        s.width = s.height = 64;
        s.lighting = customLighting({spec}, 0.0);
        s.lighting.specular = 0;
        s.skin_linear = glm::vec3(0.5f);
        Renderer r(patch, nullptr, s);
        const CameraPose pose = *viewPose("front", 0);
        const Image8 img = r.render(r.fit({pose}), pose);
        double sum = 0;
        for (int y = 24; y < 40; ++y)
            for (int x = 24; x < 40; ++x)
                sum += (img.at(x, y)[0] + img.at(x, y)[1] + img.at(x, y)[2]) / 3.0;
        return sum / 256.0;
    };
    EXPECT_NEAR(meanGrey(0), expectedSrgb8(0.5), 1.0); // as the flat-patch test
    EXPECT_LT(meanGrey(180), 2.0) << "a light behind the patch must not light its front";
}

} // namespace
