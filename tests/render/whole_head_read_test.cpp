// The whole-head read of healed SMP (issue 12, docs/pigment-model.md "Whole-head read"): rendered
// on the mannequin with the bundled demo design, the treated scalp must read as a close-shaved
// head — darker than the same skin untreated by the amount the coverage and the ink model
// predict, and cool, not warm (delta a* <= 0, delta b* < 0) on every Fitzpatrick type I-VI in
// studio and clinic light — and the eye must put the hairline where the design draws it.
//
// Both are measured on real renders (llvmpipe), after against before of the same frame, so the
// shading, tone curve and texture filtering are all in: the top view at 640x360 (12 skin types x
// lights, ~1.5 s each with the 2048^2 bake) and one front view at 1920x1080 for the hairline.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/core/pigment.h"
#include "stipple/core/scalp_region.h"
#include "stipple/render/camera.h"
#include "stipple/render/lighting.h"
#include "stipple/render/renderer.h"
#include "test_util.h"

namespace {

using namespace stipple;
using namespace stipple::render;

Design demo() {
    return loadDesign(test::sourceDir() / "examples" / "natural.json");
}

struct Demo {
    Design design = demo();
    HeadModel head = loadHeadModel(design.head);
    FollicleSet dots = generateFollicles(head, design);
};

const Demo& scene() {
    static const Demo d;
    return d;
}

// Mean linear colour of the pixels within `radius_px` of `centre` (sRGB decoded per pixel).
glm::dvec3 meanLinear(const Image8& image, glm::dvec2 centre, double radius_px) {
    glm::dvec3 sum(0);
    double n = 0;
    for (int y = std::max(0, int(centre.y - radius_px));
         y <= std::min(image.height - 1, int(centre.y + radius_px)); ++y)
        for (int x = std::max(0, int(centre.x - radius_px));
             x <= std::min(image.width - 1, int(centre.x + radius_px)); ++x) {
            if (std::hypot(x + 0.5 - centre.x, y + 0.5 - centre.y) > radius_px) continue;
            const uint8_t* p = image.at(x, y);
            sum += glm::dvec3(srgbToLinear(p[0] / 255.0), srgbToLinear(p[1] / 255.0),
                              srgbToLinear(p[2] / 255.0));
            n += 1;
        }
    return sum / std::max(n, 1.0);
}

// What the layer itself predicts: the mean luminance of the composited albedo
// skin * (1 - a (1 - rgb)) over the chart texels within `radius_mm` of `centre`'s chart position
// (the chart is near-isometric at the top, where it is centred), relative to the skin's.
double layerAlbedoRatio(const LayerStack& layers, const HeadModel& head, const glm::dvec3& centre,
                        double radius_mm) {
    size_t nearest = 0;
    for (size_t i = 0; i < head.mesh.positions.size(); ++i)
        if (glm::length(glm::dvec3(head.mesh.positions[i]) - centre) <
            glm::length(glm::dvec3(head.mesh.positions[nearest]) - centre))
            nearest = i;
    const glm::dvec2 uv(layers.chart.uvs[nearest]);
    const int size = layers.pigment.width;
    const double cx = uv.x * size, cy = (1 - uv.y) * size;
    const double r_px = radius_mm / layers.chart.mm_per_uv * size;
    const glm::dvec3 skin(layers.skin_linear);
    double sum = 0, n = 0;
    for (int y = int(cy - r_px); y <= int(cy + r_px); ++y)
        for (int x = int(cx - r_px); x <= int(cx + r_px); ++x) {
            if (std::hypot(x + 0.5 - cx, y + 0.5 - cy) > r_px) continue;
            const uint16_t* t = layers.pigment.at(x, y);
            const double a = t[3] / 65535.0;
            const glm::dvec3 f(t[0] / 65535.0, t[1] / 65535.0, t[2] / 65535.0);
            sum += luminanceLinear(skin * (glm::dvec3(1) - a * (glm::dvec3(1) - f)));
            n += 1;
        }
    return sum / n / luminanceLinear(skin);
}

TEST(WholeHeadRead, TreatedCrownIsDarkerAndCoolerOnEverySkinTypeInStudioAndClinicLight) {
    const Demo& d = scene();
    // A disc of 20 mm radius around the vertex (mid zone: shade 6, 3RL 0.25 dots at 75/cm^2)
    // seen from above.
    const glm::dvec3 vertex = d.head.landmarks.vertex;
    for (int type = 1; type <= 6; ++type) {
        Design design = d.design;
        design.pigment.fitzpatrick = type;
        design.pigment.skin_from_mesh = false;
        const LayerStack layers = bakeLayers(d.head, d.dots, design, 2048);
        const double predicted = layerAlbedoRatio(layers, d.head, vertex, 20.0);
        for (const char* light : {"studio", "clinic"}) {
            RenderSettings settings;
            settings.width = 640;
            settings.height = 360;
            settings.lighting = *lightingPreset(light);
            Renderer r(d.head, &layers, settings);
            const CameraPose pose = *viewPose("top", 8);
            const Framing framing = r.fitView("top", pose);
            const glm::dvec2 c = projectToPixel(framing, pose, 640, 360, vertex);
            const double radius = glm::length(
                projectToPixel(framing, pose, 640, 360, vertex + glm::dvec3(20, 0, 0)) - c);
            ASSERT_GT(radius, 10.0);
            r.setAfter(false);
            const glm::dvec3 before = meanLinear(r.render(framing, pose), c, radius);
            r.setAfter(true);
            const glm::dvec3 after = meanLinear(r.render(framing, pose), c, radius);
            const glm::dvec3 lab_before = linearToLab(before), lab_after = linearToLab(after);
            const double ratio = luminanceLinear(after) / luminanceLinear(before);
            const glm::dvec3 delta = lab_after - lab_before;
            std::printf("type %d %s: Y ratio %.3f (layer predicts %.3f), dL* %.2f, da* %.2f, "
                        "db* %.2f\n",
                        type, light, ratio, predicted, delta.x, delta.y, delta.z);
            // Darker by the amount the coverage and the ink model predict. The model, for
            // this zone (75 dots/cm^2, 3RL 0.25, shade 6): per dot ~0.037 mm^2 of ink (filter F)
            // and ~0.75 mm^2 of shadow (F^(1, 0.4, 0.15)), 0.75 dots/mm^2: transmittance
            // exp(-0.56 (1 - F^w)) per channel, a luminance ratio of 0.77 on type III. The
            // baked layer's own albedo ratio over the patch must match it within 0.03 (texel
            // sampling, the overlap of shadows, 16-bit storage; measured 0.757-0.768).
            EXPECT_NEAR(predicted, 0.77, 0.03) << "type " << type;
            // The render: the filmic curve's shoulder compresses the bright top of light skin
            // (measured 0.82-0.91 on types I-IV), its mid-tones steepen deep skin (0.69-0.82 on
            // V-VI). Visibly darker everywhere (ratio < 0.92: at least 8%, L* -3) and never
            // darker than the albedo allows beyond the tone curve (ratio > predicted - 0.08).
            EXPECT_LT(ratio, 0.92) << "type " << type << " " << light;
            EXPECT_GT(ratio, predicted - 0.08) << "type " << type << " " << light;
            // Cool grey, not a darker (browner or redder) skin.
            EXPECT_LE(delta.y, 0.0) << "type " << type << " " << light;
            EXPECT_LT(delta.z, 0.0) << "type " << type << " " << light;
        }
    }
}

// One point of the surface path up the midline of the forehead.
struct PathPoint {
    glm::dvec3 p;
    double s_mm = 0; // arc length from the path's start
};

// The mesh's surface along the head's midline (x = 0) from below the hairline over the front
// of the scalp: vertices within 1.5 mm of the plane, ordered by their angle around the ear-line
// centre, arc length accumulated through them.
std::vector<PathPoint> midlinePath(const HeadModel& head, double from_deg, double to_deg,
                                   double x0 = 0) {
    const glm::dvec3 centre(0, 40, 0);
    std::vector<std::pair<double, glm::dvec3>> picked;
    for (const glm::vec3& v : head.mesh.positions) {
        if (std::abs(v.x - x0) > 1.5 || v.z <= 0) continue;
        const glm::dvec3 p(x0, v.y, v.z); // onto the plane
        const double angle = std::atan2(p.y - centre.y, p.z - centre.z) * 180.0 / M_PI;
        if (angle < from_deg || angle > to_deg) continue;
        picked.push_back({angle, p});
    }
    std::sort(picked.begin(), picked.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    // Outermost vertex per 0.25 degree bin (the outer surface, not an inner shell).
    std::vector<PathPoint> path;
    for (size_t i = 0; i < picked.size();) {
        const double bin = std::floor(picked[i].first * 4);
        glm::dvec3 best = picked[i].second;
        for (; i < picked.size() && std::floor(picked[i].first * 4) == bin; ++i)
            if (glm::length(picked[i].second - centre) > glm::length(best - centre))
                best = picked[i].second;
        PathPoint q;
        q.p = best;
        q.s_mm = path.empty() ? 0 : path.back().s_mm + glm::length(best - path.back().p);
        path.push_back(q);
    }
    return path;
}

TEST(WholeHeadRead, PerceivedHairlineSitsOnTheDesignedLine) {
    // Front view, 1920x1080, studio light, Fitzpatrick III (the demo). Along the midline, the
    // darkening after/before (luminance, averaged over +-8 mm across) rises from 0 on the
    // forehead to the front zone's plateau; the perceived line is where it crosses half the
    // plateau. It must lie within 4 mm (along the surface) of the designed line, which is
    // where the region classifier puts the first point above the hairline, averaged over the
    // same +-8 mm. 4 mm is a third of the demo's 12 mm soft transition band, in which density
    // rises from 35% at the line; measured +2.4 mm with the earlier arc-length line noise and
    // +3.3 mm now (the line's irregularity moved); the complaint was +12 mm.
    const Demo& d = scene();
    const LayerStack layers = bakeLayers(d.head, d.dots, d.design, 4096);
    std::vector<Problem> warnings;
    const ScalpRegion region(d.head, d.design.hairline, d.design.seed, "", warnings);
    RenderSettings settings;
    settings.width = 1920;
    settings.height = 1080;
    Renderer r(d.head, &layers, settings);
    const CameraPose pose = *viewPose("front", 8);
    const Framing framing = r.fitView("front", pose);
    r.setAfter(false);
    const Image8 before = r.render(framing, pose);
    r.setAfter(true);
    const Image8 after = r.render(framing, pose);
    // From the brow (20 degrees above the ear-line centre's horizontal) to over the top.
    const std::vector<PathPoint> path = midlinePath(d.head, 10, 80);
    ASSERT_GT(path.size(), 50u);
    // The designed line across the same +-8 mm the darkening is averaged over (the line
    // wanders by its irregularity within it): on parallel paths every 2 mm, the first point the
    // classifier puts above the hairline, carried to the midline's arc length by its height.
    double line_s = 0;
    int columns = 0;
    for (double x0 = -8; x0 <= 8; x0 += 2) {
        for (const PathPoint& q : midlinePath(d.head, 10, 80, x0))
            if (region.classify(q.p).inside) {
                size_t nearest = 0;
                for (size_t k = 1; k < path.size(); ++k)
                    if (std::abs(path[k].p.y - q.p.y) < std::abs(path[nearest].p.y - q.p.y))
                        nearest = k;
                line_s += path[nearest].s_mm;
                ++columns;
                break;
            }
    }
    ASSERT_EQ(columns, 9) << "a path near the midline never crosses the hairline";
    line_s /= columns;
    const double half_width_px = glm::length(
        projectToPixel(framing, pose, 1920, 1080, path.front().p + glm::dvec3(8, 0, 0)) -
        projectToPixel(framing, pose, 1920, 1080, path.front().p));
    // Darkening per 1 mm of arc length.
    std::vector<double> s_of, dark_of;
    for (double s = path.front().s_mm; s <= path.back().s_mm; s += 1.0) {
        size_t i = 0;
        while (i + 1 < path.size() && path[i + 1].s_mm < s)
            ++i;
        if (i + 1 >= path.size()) break;
        const double t = (s - path[i].s_mm) / std::max(path[i + 1].s_mm - path[i].s_mm, 1e-9);
        const glm::dvec3 p = glm::mix(path[i].p, path[i + 1].p, t);
        const glm::dvec2 px = projectToPixel(framing, pose, 1920, 1080, p);
        double yb = 0, ya = 0;
        const int y = int(px.y);
        for (int x = int(px.x - half_width_px); x <= int(px.x + half_width_px); ++x) {
            if (x < 0 || x >= 1920 || y < 0 || y >= 1080) continue;
            const uint8_t* b = before.at(x, y);
            const uint8_t* a = after.at(x, y);
            yb += luminanceLinear({srgbToLinear(b[0] / 255.0), srgbToLinear(b[1] / 255.0),
                                   srgbToLinear(b[2] / 255.0)});
            ya += luminanceLinear({srgbToLinear(a[0] / 255.0), srgbToLinear(a[1] / 255.0),
                                   srgbToLinear(a[2] / 255.0)});
        }
        s_of.push_back(s);
        dark_of.push_back(yb > 0 ? 1 - ya / yb : 0);
    }
    // Smoothed over +-2 mm (the dots are ~1.2 mm apart; each row is one pixel, ~0.25 mm).
    std::vector<double> smooth(dark_of.size(), 0);
    for (size_t i = 0; i < dark_of.size(); ++i) {
        double sum = 0, n = 0;
        for (size_t j = i >= 2 ? i - 2 : 0; j <= std::min(dark_of.size() - 1, i + 2); ++j) {
            sum += dark_of[j];
            n += 1;
        }
        smooth[i] = sum / n;
    }
    // The plateau: the front zone, from the transition band's inner edge + 5 mm to + 20 mm.
    const double band = d.design.hairline.transition_mm;
    double plateau = 0, n = 0;
    for (size_t i = 0; i < s_of.size(); ++i)
        if (s_of[i] >= line_s + band + 5 && s_of[i] <= line_s + band + 20) {
            plateau += smooth[i];
            n += 1;
        }
    ASSERT_GT(n, 5);
    plateau /= n;
    ASSERT_GT(plateau, 0.05) << "the front zone must visibly darken the skin";
    // The first upward crossing of half the plateau, interpolated between the 1 mm samples.
    double half_s = -1;
    for (size_t i = 1; i < s_of.size(); ++i)
        if (s_of[i] > line_s - 10 && smooth[i] >= 0.5 * plateau) {
            const double t = (0.5 * plateau - smooth[i - 1]) / (smooth[i] - smooth[i - 1]);
            half_s = s_of[i - 1] + std::clamp(t, 0.0, 1.0) * (s_of[i] - s_of[i - 1]);
            break;
        }
    std::printf("designed line at s = %.1f mm, half of the plateau (%.3f) at s = %.1f mm: "
                "%+.1f mm\n",
                line_s, plateau, half_s, half_s - line_s);
    for (size_t i = 0; i < s_of.size(); i += 2)
        if (s_of[i] > line_s - 8 && s_of[i] < line_s + band + 22)
            std::printf("  s %+5.0f mm  darkening %.3f\n", s_of[i] - line_s, smooth[i]);
    ASSERT_GE(half_s, 0);
    EXPECT_LT(std::abs(half_s - line_s), 4.0);
}

} // namespace
