#include "stipple/core/layers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include <gtest/gtest.h>

#include "core/layers_test_head.h"
#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/pigment.h"
#include "stipple/core/scalp_chart.h"
#include "stipple/core/session.h"
#include "stipple/core/splat.h"
#include "test_util.h"

namespace stipple {
namespace {

constexpr int kStacks = 160, kSlices = 320;

Design healedDesign(double age_days = 30) {
    Design design;
    design.pigment.fitzpatrick = 3;
    design.pigment.age_days = age_days;
    return design;
}

// mm^2 of surface per chart uv^2 at each texel of a size^2 chart (0 outside the region): the
// test's own rasterisation of the inside triangles, to integrate coverage in true millimetres.
std::vector<float> mm2PerUv2(const HeadModel& head, const ScalpChart& chart, int size) {
    std::vector<float> map(size_t(size) * size_t(size), 0.0f);
    const Mesh& m = head.mesh;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        if (!chart.inside[t]) continue;
        const glm::uvec3 tri = m.triangles[t];
        const TriangleMap tm = triangleMap(
            glm::dvec3(m.positions[tri.x]), glm::dvec3(m.positions[tri.y]),
            glm::dvec3(m.positions[tri.z]), glm::dvec2(chart.uvs[tri.x]),
            glm::dvec2(chart.uvs[tri.y]), glm::dvec2(chart.uvs[tri.z]));
        if (!tm.valid) continue;
        const float value = float(1.0 / std::abs(glm::determinant(tm.uv_per_mm)));
        glm::vec2 p[3];
        for (int k = 0; k < 3; ++k)
            p[k] = glm::vec2(chart.uvs[tri[k]].x * size, (1 - chart.uvs[tri[k]].y) * size);
        const float area = (p[1].x - p[0].x) * (p[2].y - p[0].y) - (p[2].x - p[0].x) * (p[1].y - p[0].y);
        const int x0 = std::max(0, int(std::min({p[0].x, p[1].x, p[2].x})));
        const int x1 = std::min(size - 1, int(std::max({p[0].x, p[1].x, p[2].x})) + 1);
        const int y0 = std::max(0, int(std::min({p[0].y, p[1].y, p[2].y})));
        const int y1 = std::min(size - 1, int(std::max({p[0].y, p[1].y, p[2].y})) + 1);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const glm::vec2 q(x + 0.5f, y + 0.5f);
                const float w0 = ((p[1].x - q.x) * (p[2].y - q.y) - (p[2].x - q.x) * (p[1].y - q.y)) / area;
                const float w1 = ((p[2].x - q.x) * (p[0].y - q.y) - (p[0].x - q.x) * (p[2].y - q.y)) / area;
                if (w0 >= 0 && w1 >= 0 && w0 + w1 <= 1) map[size_t(y) * size_t(size) + size_t(x)] = value;
            }
    }
    return map;
}

// Bakes on the landmark chart (computeScalpChart(head): the cranium down to the ears and the
// nape), for tests of the splat's geometry that place dots below the default hairline.
LayerStack bakeOnLandmarkChart(const HeadModel& head, const FollicleSet& dots, const Design& design,
                               int size) {
    return bakeLayers(head, computeScalpChart(head), dots, layerSpec(design), size);
}

class LayersTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { s_head = new HeadModel(test::layers::syntheticHead(kStacks, kSlices)); }
    static void TearDownTestSuite() { delete s_head; }
    static HeadModel* s_head;
};
HeadModel* LayersTest::s_head = nullptr;

TEST_F(LayersTest, CoverageFractionEqualsDotAreaOverRegionArea) {
    // 0.6 mm dots on a lattice ~3.8 mm apart: the ink of a dot (core and halo) reaches ~1 mm
    // and its shadow 1.8 mm, so no two overlap and coverage must integrate to the sum of the
    // dot's ink plus the documented shadow around each.
    const FollicleSet dots =
        test::layers::latticeDots(*s_head, kStacks, kSlices, 9000, 80, 0.6f, 6);
    ASSERT_GT(dots.dots.size(), 1500u);
    const LayerStack layers = bakeOnLandmarkChart(*s_head, dots, healedDesign(), 4096);
    EXPECT_EQ(layers.dots_skipped, 0u);
    const std::vector<float> scale = mm2PerUv2(*s_head, layers.chart, 4096);
    double ink_mm2 = 0;
    for (size_t i = 0; i < scale.size(); ++i)
        ink_mm2 += double(layers.pigment.pixels[i * 4 + 3]) / 65535.0 * scale[i];
    ink_mm2 /= 4096.0 * 4096.0;
    // Each dot's coverage is its ink (the core, a disc of the dot's area, and its diffusion
    // halo) plus the ink's shadow around it (docs/pigment-model.md):
    // shadow(r) = peak (1 - r^2/R^2)^2 (1 - ink(r)), integrated here radially with the
    // splatter's own ink profile (inkCoverage).
    const InkAppearance look = inkAppearance(6, 30, InkType::Permanent);
    const float radius = 0.3f;
    InkSplat one;
    one.radius_mm = radius;
    one.edge_sigma_mm = float(look.edge_sigma_mm + look.edge_sigma_per_radius * radius);
    one.diffusion_strength = float(look.diffusion_strength);
    one.diffusion_sigma_mm =
        float(std::min(look.diffusion_sigma_mm + look.diffusion_sigma_per_radius * radius,
                       look.diffusion_sigma_max_mm));
    double shadow_mm2 = 0, ink_one_mm2 = 0;
    const double big_r = look.shadow_radius_mm;
    for (int i = 0; i < 20000; ++i) {
        const double r = (i + 0.5) / 20000 * big_r;
        const double q = 1 - r * r / (big_r * big_r);
        const double ink = inkCoverage(float(r), one);
        const double ring = 2 * test::layers::kPi * r * (big_r / 20000);
        shadow_mm2 += look.shadow_strength * q * q * (1 - ink) * ring;
        ink_one_mm2 += ink * ring;
    }
    ASSERT_GT(shadow_mm2, 0.0);
    // The halo adds ink beyond the core's disc.
    ASSERT_GT(ink_one_mm2, 1.1 * test::layers::kPi * 0.3 * 0.3);
    const double dots_mm2 = double(dots.dots.size()) * (ink_one_mm2 + shadow_mm2);
    const double measured = ink_mm2 / layers.chart.region_area_mm2;
    const double expected = dots_mm2 / layers.chart.region_area_mm2;
    // +-3% (issue 4): texel quantisation of ~0.07 mm texels on 0.6 mm dots averages out over
    // thousands of dots; the soft edge keeps the ink's integral by construction. Neighbouring
    // shadows (radius 1.8 mm, dots ~3.8 mm apart) barely touch, and the halos (sigma 0.25 mm,
    // cut at 1e-4, ~1 mm) never meet.
    EXPECT_NEAR(measured / expected, 1.0, 0.03) << "measured " << measured << " expected "
                                                << expected;
}

// Area-equivalent diameter and the two principal widths (mm) of one splatted dot, measured
// through its triangle's map (how the renderer's interpolated chart UVs place it on the mesh).
struct Footprint {
    double area_diameter_mm = 0, major_mm = 0, minor_mm = 0;
};
Footprint measureDot(const HeadModel& head, const LayerStack& layers, const Dot& dot) {
    const Mesh& m = head.mesh;
    const glm::uvec3 tri = m.triangles[dot.triangle];
    const TriangleMap tm = triangleMap(
        glm::dvec3(m.positions[tri.x]), glm::dvec3(m.positions[tri.y]),
        glm::dvec3(m.positions[tri.z]), glm::dvec2(layers.chart.uvs[tri.x]),
        glm::dvec2(layers.chart.uvs[tri.y]), glm::dvec2(layers.chart.uvs[tri.z]));
    const glm::dmat2 mm_per_uv = glm::inverse(tm.uv_per_mm);
    const int size = layers.size;
    double sum = 0;
    glm::dvec2 mean(0);
    glm::dmat2 second(0.0);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double c = layers.pigment.at(x, y)[3] / 65535.0;
            if (c <= 0) continue;
            const glm::dvec2 uv((x + 0.5) / size, 1 - (y + 0.5) / size);
            const glm::dvec2 mm = mm_per_uv * uv;
            sum += c;
            mean += c * mm;
            second += c * glm::outerProduct(mm, mm);
        }
    mean /= sum;
    const glm::dmat2 cov = second / sum - glm::outerProduct(mean, mean);
    const double tr = cov[0][0] + cov[1][1], det = glm::determinant(cov);
    const double l1 = tr / 2 + std::sqrt(tr * tr / 4 - det), l2 = tr / 2 - std::sqrt(tr * tr / 4 - det);
    Footprint f;
    f.area_diameter_mm =
        2 * std::sqrt(sum / (double(size) * size) * std::abs(glm::determinant(mm_per_uv)) / test::layers::kPi);
    // A uniform disc of diameter d has variance d^2 / 16 along every axis.
    f.major_mm = 4 * std::sqrt(l1);
    f.minor_mm = 4 * std::sqrt(l2);
    return f;
}

TEST_F(LayersTest, FootprintsAreCircularInMillimetresAcrossTheChart) {
    // One 1.2 mm dot at the crown, the temple, the side and the nape, where the chart's local
    // scale and anisotropy differ (Tissot: up to several x at the nape). Each must measure
    // the same in every direction on the surface, +-10% (issue 4): the 1.2 mm ink disc with its
    // shadow, whose expected moments are computed below.
    struct Place {
        const char* name;
        double theta, phi;
    };
    const Place places[] = {{"crown", 0.15, 0.3},
                            {"front", 0.7, 0.0},
                            {"temple", 1.15, 0.9},
                            {"side", 1.0, 1.6},
                            {"nape", 1.95, 3.0}};
    // The expected moments of the splat's radial profile, ink plus the ink's shadow around it
    // (docs/pigment-model.md): area A = integral of p dA, and the variance along every axis
    // of a radially symmetric profile, (1/2) integral p r^2 dA / A; "width" is 4 sqrt(var),
    // the diameter of a uniform disc of that variance.
    const InkAppearance look = inkAppearance(8, 30, InkType::Permanent);
    InkSplat profile; // the 1.2 mm dot's core and diffusion halo
    profile.radius_mm = 0.6f;
    profile.edge_sigma_mm = float(look.edge_sigma_mm + look.edge_sigma_per_radius * 0.6);
    profile.diffusion_strength = float(look.diffusion_strength);
    profile.diffusion_sigma_mm =
        float(std::min(look.diffusion_sigma_mm + look.diffusion_sigma_per_radius * 0.6,
                       look.diffusion_sigma_max_mm));
    double m0 = 0, m2 = 0;
    const double r_max = std::max(look.shadow_radius_mm, 0.6 + 5 * double(profile.edge_sigma_mm));
    for (int i = 0; i < 20000; ++i) {
        const double r = (i + 0.5) / 20000 * r_max;
        const double ink = inkCoverage(float(r), profile);
        const double q = std::max(0.0, 1 - r * r / (look.shadow_radius_mm * look.shadow_radius_mm));
        const double p = ink + look.shadow_strength * q * q * (1 - ink);
        m0 += p * r;
        m2 += p * r * r * r;
    }
    const double width = 4 * std::sqrt(0.5 * m2 / m0);
    const double area_diameter = 2 * std::sqrt(2 * m0 * (r_max / 20000)); // A = 2 pi int p r dr
    std::vector<Footprint> found;
    for (const Place& place : places) {
        FollicleSet one;
        Dot dot;
        ASSERT_TRUE(test::layers::syntheticDot(*s_head, kStacks, kSlices, place.theta, place.phi, 1.2f,
                                       8, 1, dot))
            << place.name;
        one.dots.push_back(dot);
        const LayerStack layers = bakeOnLandmarkChart(*s_head, one, healedDesign(), 2048);
        ASSERT_EQ(layers.dots_splatted, 1u) << place.name;
        const Footprint f = measureDot(*s_head, layers, dot);
        EXPECT_NEAR(f.area_diameter_mm, area_diameter, 0.1 * area_diameter) << place.name;
        EXPECT_NEAR(f.major_mm, width, 0.1 * width) << place.name;
        EXPECT_NEAR(f.minor_mm, width, 0.1 * width) << place.name;
        EXPECT_LT(f.major_mm / f.minor_mm, 1.1) << place.name; // round, not an ellipse
        found.push_back(f);
    }
    // Crown vs nape: the same dot, the same size within 10%.
    EXPECT_NEAR(found.back().area_diameter_mm / found.front().area_diameter_mm, 1.0, 0.1);
}

TEST_F(LayersTest, DotCentreHasTheDocumentedColour) {
    // A 1.2 mm dot: its centre is at full coverage, so skin * layer there is the pigment
    // model's dot colour. Tolerance Delta E 0.5: 16-bit storage and the edge profile's 1e-6
    // shortfall from 1 at the centre are far below it; 0.5 is below a just-noticeable difference.
    FollicleSet one;
    Dot dot;
    ASSERT_TRUE(test::layers::syntheticDot(*s_head, kStacks, kSlices, 0.3, 0.2, 1.2f, 6, 1, dot));
    one.dots.push_back(dot);
    const LayerStack layers = bakeLayers(*s_head, one, healedDesign(), 2048);
    const glm::vec2 uv = layers.chart.uvs[s_head->mesh.triangles[dot.triangle].x];
    (void)uv;
    // The centre's chart position, through the triangle as bakeLayers does.
    const glm::uvec3 tri = s_head->mesh.triangles[dot.triangle];
    const TriangleMap tm = triangleMap(
        glm::dvec3(s_head->mesh.positions[tri.x]), glm::dvec3(s_head->mesh.positions[tri.y]),
        glm::dvec3(s_head->mesh.positions[tri.z]), glm::dvec2(layers.chart.uvs[tri.x]),
        glm::dvec2(layers.chart.uvs[tri.y]), glm::dvec2(layers.chart.uvs[tri.z]));
    const glm::dvec3 d = glm::dvec3(dot.position_mm) - glm::dvec3(s_head->mesh.positions[tri.x]);
    const glm::dvec2 centre = glm::dvec2(layers.chart.uvs[tri.x]) +
                              tm.uv_per_mm * glm::dvec2(glm::dot(d, tm.frame_u), glm::dot(d, tm.frame_v));
    const glm::vec3 composed = compositeAfter(layers, glm::vec2(centre), layers.skin_linear);
    const glm::dvec3 expected = dotColourLinear(6, fitzpatrickAlbedoLinear(3), 30, InkType::Permanent);
    EXPECT_LT(deltaE76(glm::dvec3(composed), expected), 0.5)
        << composed.x << " " << composed.y << " " << composed.z;
    EXPECT_EQ(layers.skin_source, "fitzpatrick 3");
}

// Overlapping dots with halos and shadows on a 1024^2 layer (shadow grid 1/2): the splats of
// IdenticalInputs... and of the partial re-splat tests below.
std::vector<InkSplat> overlappingSplats(int count) {
    std::vector<InkSplat> splats;
    for (int k = 0; k < count; ++k) {
        InkSplat s;
        s.centre_uv =
            glm::vec2(0.2f + 0.6f * float(k % 60) / 60.0f, 0.2f + 0.6f * float(k / 60) / 50.0f);
        s.mm_from_uv = glm::mat2(300.0f);
        s.radius_mm = 0.5f;
        s.filter = glm::vec3(0.3f, 0.32f, 0.35f);
        s.halo_strength = 0.3f;
        s.halo_sigma_mm = 2.0f;
        s.shadow_strength = 0.3f;
        s.shadow_radius_mm = 2.4f;
        s.zone = uint8_t(1 + k % 3);
        splats.push_back(s);
    }
    return splats;
}

TEST_F(LayersTest, IdenticalInputsGiveByteIdenticalLayersWhateverTheThreadCount) {
    const FollicleSet dots = test::layers::latticeDots(*s_head, kStacks, kSlices, 20000, 40, 0.9f, 7);
    Design design = healedDesign(2); // fresh: halos overlap, so order and rounding matter
    ScarSpec strip;
    strip.points_mm = {{-50, 40, -70}, {0, 30, -95}, {50, 40, -70}};
    strip.width_mm = 4;
    design.scars.push_back(strip);
    const LayerStack a = bakeLayers(*s_head, dots, design, 1024);
    const LayerStack b = bakeLayers(*s_head, dots, design, 1024);
    EXPECT_TRUE(a.pigment.pixels == b.pigment.pixels);
    EXPECT_TRUE(a.scar.pixels == b.scar.pixels);
    EXPECT_TRUE(a.before.pixels == b.before.pixels);
    // The splat alone with 1, 2 and 5 threads.
    // The shadow too, wide enough (8 texels) to be accumulated on the half-resolution grid.
    const std::vector<InkSplat> splats = overlappingSplats(3000);
    Image16 one(1024, 1024, 4), two(1024, 1024, 4), five(1024, 1024, 4);
    splatInk(one, splats, glm::vec3(0.3f), 1);
    splatInk(two, splats, glm::vec3(0.3f), 2);
    splatInk(five, splats, glm::vec3(0.3f), 5);
    EXPECT_TRUE(one.pixels == two.pixels);
    EXPECT_TRUE(one.pixels == five.pixels);
}

TEST_F(LayersTest, PartialReSplatOfTheChangedTilesEqualsAFullSplat) {
    // 3000 dots; then dots 1200..1499 move and dots 2000..2099 go away. Re-splatting only the
    // tiles markSplatTiles flags for the old and new versions of the changed dots must give the
    // full splat's bytes everywhere, in the layer and in the zone map.
    const int size = 1024;
    std::vector<InkSplat> before = overlappingSplats(3000);
    std::vector<InkSplat> after = before;
    for (int k = 1200; k < 1500; ++k)
        after[size_t(k)].centre_uv.x += 0.004f;
    after.erase(after.begin() + 2000, after.begin() + 2100);
    const int factor = shadowGridFactor(before, size);
    ASSERT_EQ(factor, shadowGridFactor(after, size));
    ASSERT_GT(factor, 1); // the bilinear reach of the shadow grid is exercised

    Image16 layer(size, size, 4);
    Image8 zones(size, size, 1);
    splatInk(layer, before, glm::vec3(0.3f), 2, &zones);
    std::vector<uint8_t> tiles(size_t(splatTileCount(size)), 0);
    const std::vector<InkSplat> moved_before(before.begin() + 1200, before.begin() + 1500);
    const std::vector<InkSplat> moved_after(after.begin() + 1200, after.begin() + 1500);
    const std::vector<InkSplat> removed(before.begin() + 2000, before.begin() + 2100);
    markSplatTiles(moved_before, size, factor, tiles);
    markSplatTiles(moved_after, size, factor, tiles);
    markSplatTiles(removed, size, factor, tiles);
    const auto flagged = std::count(tiles.begin(), tiles.end(), uint8_t(1));
    EXPECT_GT(flagged, 0);
    EXPECT_LT(flagged, splatTileCount(size)); // a real subset (64 tiles at 1024^2)
    splatInkTiles(layer, after, glm::vec3(0.3f), factor, tiles, 2, &zones);

    Image16 full(size, size, 4);
    Image8 full_zones(size, size, 1);
    splatInk(full, after, glm::vec3(0.3f), 1, &full_zones);
    EXPECT_TRUE(layer.pixels == full.pixels);
    EXPECT_TRUE(zones.pixels == full_zones.pixels);
}

TEST_F(LayersTest, PartialSplatTouchesOnlyTheFlaggedTiles) {
    const int size = 1024;
    const std::vector<InkSplat> splats = overlappingSplats(3000);
    const int factor = shadowGridFactor(splats, size);
    Image16 full(size, size, 4);
    splatInk(full, splats, glm::vec3(0.3f), 2);
    // Every third tile flagged; the others keep a sentinel.
    std::vector<uint8_t> tiles(size_t(splatTileCount(size)), 0);
    for (size_t t = 0; t < tiles.size(); t += 3)
        tiles[t] = 1;
    Image16 part(size, size, 4);
    std::fill(part.pixels.begin(), part.pixels.end(), uint16_t(12345));
    splatInkTiles(part, splats, glm::vec3(0.3f), factor, tiles, 2);
    const int per_side = size / kSplatTile;
    size_t wrong = 0;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const bool flagged = tiles[size_t((y / kSplatTile) * per_side + x / kSplatTile)] != 0;
            for (int k = 0; k < 4; ++k) {
                const uint16_t got = part.at(x, y)[k];
                if (flagged ? got != full.at(x, y)[k] : got != 12345) ++wrong;
            }
        }
    EXPECT_EQ(wrong, 0u);
}

TEST_F(LayersTest, ShadowFromTheCoarseGridFollowsItsProfile) {
    // One dot with a 4 mm shadow at 0.29 mm texels: 13.7 texels per radius, so the shadow is
    // accumulated at 1/4 resolution and upsampled. Outside the ink, coverage must follow
    // 0.3 (1 - r^2/R^2)^2 and the colour must be the shadow's filter.
    InkSplat s;
    s.centre_uv = glm::vec2(0.5f);
    s.mm_from_uv = glm::mat2(300.0f);
    s.radius_mm = 0.5f;
    s.filter = glm::vec3(0.3f, 0.4f, 0.5f);
    s.shadow_filter = glm::vec3(0.3f, 0.7f, 0.9f);
    s.shadow_strength = 0.3f;
    s.shadow_radius_mm = 4.0f;
    Image16 layer(1024, 1024, 4);
    splatInk(layer, {s}, glm::vec3(0.5f), 1);
    const double texel_mm = 300.0 / 1024.0;
    double worst = 0, sum = 0, expected_sum = 0;
    for (int y = 0; y < 1024; ++y)
        for (int x = 0; x < 1024; ++x) {
            const double r = std::hypot(x + 0.5 - 512, y + 0.5 - 512) * texel_mm;
            const uint16_t* t = layer.at(x, y);
            const double a = t[3] / 65535.0;
            const double q = std::max(0.0, 1 - r * r / 16.0);
            const double ink = dotCoverage(float(r), 0.5f, 0.03f);
            sum += a;
            expected_sum += ink + 0.3 * q * q * (1 - ink);
            if (r < 1.0) continue;
            worst = std::max(worst, std::abs(a - 0.3 * q * q));
            if (a > 0.01) {
                for (int k = 0; k < 3; ++k)
                    EXPECT_NEAR(t[k] / 65535.0, s.shadow_filter[k], 1e-4);
            }
        }
    // Bilinear reconstruction of the bump from grid samples 1.17 mm apart (h = R / 3.4): the
    // error bound 2 (h^2 / 8) max|f''| is 0.05; measured worst 0.020 (deterministic), limit
    // 0.025 (8% of the peak, a smooth low-contrast error the eye does not see).
    EXPECT_LT(worst, 0.025);
    // The integral (trapezoid rule on a smooth bump): measured +0.7%, limit 1%.
    EXPECT_NEAR(sum / expected_sum, 1.0, 0.01);
}

TEST_F(LayersTest, OneDotsCoreAndHaloFollowTheirFormula) {
    // A healed 3RL 0.25 dot (0.141 mm core) on 0.0195 mm texels, no shadow: every texel must
    // hold core + (1 - core) P exp(-r^2 / (2 s^2)) at its centre, and the dot's ink must
    // integrate to pi R^2 (the core) plus the halo's integral outside it, both computed here
    // from the documented formulas (erfc edge, Gaussian halo), not from the splatter's code.
    const InkAppearance look = inkAppearance(6, 30, InkType::Permanent);
    const double radius = 0.5 * 0.25 * 1.13 / 2; // needleDot("3RL 0.25") / 2
    const double sigma = look.edge_sigma_mm + look.edge_sigma_per_radius * radius;
    const double p = look.diffusion_strength;
    const double s = look.diffusion_sigma_mm + look.diffusion_sigma_per_radius * radius;
    ASSERT_LT(s, look.diffusion_sigma_max_mm);
    InkSplat dot;
    dot.centre_uv = glm::vec2(0.5f);
    dot.mm_from_uv = glm::mat2(20.0f);
    dot.radius_mm = float(radius);
    dot.edge_sigma_mm = float(sigma);
    dot.filter = glm::vec3(look.filter);
    dot.diffusion_strength = float(p);
    dot.diffusion_sigma_mm = float(s);
    Image16 layer(1024, 1024, 4);
    splatInk(layer, {dot}, glm::vec3(0.5f), 1);
    const double edge = std::sqrt(radius * radius - sigma * sigma);
    const auto formula = [&](double r) {
        const double core = 0.5 * std::erfc((r - edge) / (std::sqrt(2.0) * sigma));
        return core + (1 - core) * p * std::exp(-r * r / (2 * s * s));
    };
    const double texel_mm = 20.0 / 1024.0;
    double sum = 0, worst = 0;
    for (int y = 0; y < 1024; ++y)
        for (int x = 0; x < 1024; ++x) {
            const double r = std::hypot(x + 0.5 - 512, y + 0.5 - 512) * texel_mm;
            const double a = layer.at(x, y)[3] / 65535.0;
            sum += a * texel_mm * texel_mm;
            worst = std::max(worst, std::abs(a - formula(r)));
        }
    // Per texel: the splatter's erfc table (1024 entries over 8 sigma, linear) and 16-bit
    // storage are worth < 2e-4; the halo's cut-off at 1e-4 is the rest. Measured 9.9e-5,
    // limit 3e-4.
    EXPECT_LT(worst, 3e-4);
    double expected = 0;
    for (int i = 0; i < 200000; ++i) {
        const double r = (i + 0.5) * 2e-5; // out to 4 mm
        expected += formula(r) * 2 * test::layers::kPi * r * 2e-5;
    }
    // The core alone integrates to pi R^2; the halo adds about P 2 pi s^2 less what the core
    // covers. Integral: midpoint sums on ~3.6-texel-radius dots: measured 0.9997, limit 1%.
    EXPECT_GT(expected,
              test::layers::kPi * radius * radius + 0.8 * p * 2 * test::layers::kPi * s * s);
    std::printf("one dot: worst texel error %.2e, splatted / formula %.4f\n", worst,
                sum / expected);
    EXPECT_NEAR(sum / expected, 1.0, 0.01) << "splatted " << sum << " mm^2, formula " << expected;
    // The halo is soft and low: at twice the core radius it is under half its peak and the
    // dot there is far lighter than the core.
    EXPECT_LT(formula(2 * radius), 0.5 * p + 0.01);
    EXPECT_GT(formula(2 * radius), 0.1 * p);
}

TEST_F(LayersTest, CoverageNeverExceedsOneWhereDotsPileUp) {
    // 50 dots on the same spot: coverage saturates at 1, the filter darkens towards 0.
    std::vector<InkSplat> splats(50);
    for (InkSplat& s : splats) {
        s.centre_uv = glm::vec2(0.5f);
        s.mm_from_uv = glm::mat2(300.0f);
        s.radius_mm = 1.0f;
        s.filter = glm::vec3(0.5f);
    }
    Image16 layer(1024, 1024, 4);
    splatInk(layer, splats, glm::vec3(0.5f));
    const uint16_t* centre = layer.at(512, 512);
    EXPECT_EQ(centre[3], 65535);
    EXPECT_LT(centre[0], 10); // 0.5^50
    for (size_t i = 3; i < layer.pixels.size(); i += 4) ASSERT_LE(layer.pixels[i], 65535);
}

TEST_F(LayersTest, FadingIsMonotonicInAge) {
    // Total darkening (sum of coverage * (1 - filter)) may only fall as the design ages, for
    // both ink types; temporary ink is lighter than permanent at every age after day 0.
    const FollicleSet dots = test::layers::latticeDots(*s_head, kStacks, kSlices, 4000, 60, 0.5f, 7);
    const double ages[] = {0, 1, 3, 7, 14, 30, 90, 365, 1825, 3650};
    for (InkType ink : {InkType::Permanent, InkType::Temporary}) {
        double previous = 1e300;
        for (double age : ages) {
            Design design = healedDesign(age);
            design.pigment.ink = ink;
            const LayerStack layers = bakeLayers(*s_head, dots, design, 1024);
            double dark = 0;
            for (size_t i = 0; i < layers.pigment.pixels.size(); i += 4)
                for (int c = 0; c < 3; ++c)
                    dark += layers.pigment.pixels[i + 3] / 65535.0 *
                            (1 - layers.pigment.pixels[i + size_t(c)] / 65535.0);
            EXPECT_LT(dark, previous) << "age " << age;
            previous = dark;
        }
    }
}

TEST_F(LayersTest, ScarsAreDrawnInTheirOwnLayer) {
    Design design = healedDesign();
    ScarSpec strip; // FUT strip scar across the back of the head
    strip.points_mm = {{-50, 10, -75}, {0, 0, -93}, {50, 10, -75}};
    strip.width_mm = 4;
    design.scars.push_back(strip);
    ScarSpec fue;
    fue.type = ScarType::Fue;
    fue.points_mm = {{0, 80, -70}};
    fue.radius_mm = 20;
    fue.count = 100;
    design.scars.push_back(fue);
    const LayerStack layers = bakeLayers(*s_head, FollicleSet{}, design, 1024);
    ASSERT_EQ(layers.scar.width, 1024);
    double covered = 0;
    for (size_t i = 3; i < layers.scar.pixels.size(); i += 4) covered += layers.scar.pixels[i] / 65535.0;
    covered /= 1024.0 * 1024.0;
    // Strip ~ 4 mm x ~200 mm = 800 mm^2 plus 100 x pi 0.25 x 0.85 ~ 67 mm^2, over a chart of
    // ~ (mm_per_uv)^2 mm^2: the right order of magnitude (the chart scale varies, hence 2x).
    const double expected = (800.0 + 67.0) / (layers.chart.mm_per_uv * layers.chart.mm_per_uv);
    EXPECT_GT(covered, expected / 2);
    EXPECT_LT(covered, expected * 2);
    EXPECT_TRUE(layers.warnings.empty()) << layers.warnings.front().format();
    // The scar colour is paler than skin III (hypopigmented).
    EXPECT_GT(luminanceLinear(glm::dvec3(layers.scar.pixels[0], layers.scar.pixels[1],
                                         layers.scar.pixels[2]) / 65535.0),
              luminanceLinear(fitzpatrickAlbedoLinear(3)));
}

TEST_F(LayersTest, ChartIgnoresDotsShadesScarsAndAge) {
    // The chart depends on the head and the hairline only: different dots (a density edit),
    // shades, scars and ages give byte-identical chart UVs and inside flags.
    const Design base = healedDesign();
    const FollicleSet sparse =
        test::layers::latticeDots(*s_head, kStacks, kSlices, 2000, 60, 0.4f, 6);
    const FollicleSet dense =
        test::layers::latticeDots(*s_head, kStacks, kSlices, 8000, 20, 0.6f, 8);
    const LayerStack reference = bakeLayers(*s_head, sparse, base, 1024);
    Design scarred = base;
    ScarSpec strip;
    strip.points_mm = {{-50, 10, -75}, {0, 0, -93}, {50, 10, -75}};
    scarred.scars.push_back(strip);
    Design aged = base;
    aged.pigment.age_days = 1825;
    Design shaded = base;
    ZoneSpec mid = defaultZone(ZoneId::Mid);
    mid.shade = 9;
    mid.density_per_cm2 = 120;
    shaded.zones.push_back(mid);
    for (const auto& [what, design, dots] :
         {std::tuple<const char*, const Design*, const FollicleSet*>{"density", &base, &dense},
          {"scar", &scarred, &sparse},
          {"age", &aged, &sparse},
          {"zone shade and density", &shaded, &dense}}) {
        const LayerStack layers = bakeLayers(*s_head, *dots, *design, 1024);
        EXPECT_TRUE(layers.chart.uvs == reference.chart.uvs) << what;
        EXPECT_TRUE(layers.chart.inside == reference.chart.inside) << what;
    }
}

TEST_F(LayersTest, AScarBeyondTheRegionIsReportedNotClipped) {
    // A strip across the throat (far below any hairline): a warning naming /scars/1.
    Design design = healedDesign();
    ScarSpec inside;
    inside.points_mm = {{-50, 10, -75}, {0, 0, -93}, {50, 10, -75}};
    ScarSpec throat;
    throat.points_mm = {{-30, -60, 80}, {30, -60, 80}};
    design.scars = {inside, throat};
    const LayerStack layers = bakeLayers(*s_head, FollicleSet{}, design, 1024);
    ASSERT_EQ(layers.warnings.size(), 1u);
    EXPECT_EQ(layers.warnings[0].pointer, "/scars/1") << layers.warnings[0].format();
}

// Linear filter colour of a pigment texel over skin: what the texel does to the albedo,
// 1 - a (1 - rgb) per channel (layers.h compositing rule).
glm::dvec3 texelTransmittance(const Image16& pigment, size_t i) {
    const double a = pigment.pixels[i * 4 + 3] / 65535.0;
    glm::dvec3 t;
    for (int c = 0; c < 3; ++c)
        t[c] = 1 - a * (1 - pigment.pixels[i * 4 + size_t(c)] / 65535.0);
    return t;
}

struct ColourError {
    double max = 0, mean = 0; // over texels with coverage in either bake
};
ColourError compareBakes(const Image16& a, const Image16& b) {
    ColourError e;
    size_t n = 0;
    for (size_t i = 0; i < a.pixels.size() / 4; ++i) {
        if (a.pixels[i * 4 + 3] == 0 && b.pixels[i * 4 + 3] == 0) continue;
        const glm::dvec3 d = glm::abs(texelTransmittance(a, i) - texelTransmittance(b, i));
        const double worst = std::max({d.x, d.y, d.z});
        e.max = std::max(e.max, worst);
        e.mean += worst;
        ++n;
    }
    e.mean /= double(std::max<size_t>(n, 1));
    return e;
}

// Bakes `from`, re-colours it to `to` and bakes `to`: the error of the re-colouring.
ColourError recolourError(const HeadModel& head, const FollicleSet& dots_from,
                          const FollicleSet& dots_to, const Design& from, const Design& to) {
    LayerStack baked = bakeLayers(head, dots_from, from, 2048);
    const LayerStack exact = bakeLayers(head, dots_to, to, 2048);
    const LayerColour colour =
        layerColour(from.pigment, zoneShades(from), glm::dvec3(baked.skin_linear), to.pigment,
                    zoneShades(to), glm::dvec3(exact.skin_linear));
    applyLayerColour(baked.pigment, baked.zone_map, colour);
    return compareBakes(baked.pigment, exact.pigment);
}

// Mid-zone dots of `shade` (the zone's dots carry the zone's shade, as follicles.cpp makes
// them).
FollicleSet midDots(const HeadModel& head, double shade) {
    FollicleSet dots =
        test::layers::latticeDots(head, kStacks, kSlices, 6000, 60, 0.45f, float(shade));
    for (Dot& d : dots.dots)
        d.zone = ZoneId::Mid;
    return dots;
}

TEST_F(LayersTest, ZoneMapHoldsTheZoneOfEachDotAndItsShadow) {
    FollicleSet dots = midDots(*s_head, 6);
    for (size_t i = 0; i < dots.dots.size(); i += 2)
        dots.dots[i].zone = ZoneId::Crown;
    const LayerStack layers = bakeLayers(*s_head, dots, healedDesign(), 1024);
    ASSERT_EQ(layers.zone_map.width, 1024);
    size_t covered = 0, unzoned = 0, mid = 0, crown = 0, zoned_empty = 0, other = 0;
    for (size_t i = 0; i < layers.zone_map.pixels.size(); ++i) {
        const uint8_t z = layers.zone_map.pixels[i];
        const bool ink = layers.pigment.pixels[i * 4 + 3] > 0;
        covered += ink;
        unzoned += ink && z == 0;
        mid += z == 1 + int(ZoneId::Mid);
        crown += z == 1 + int(ZoneId::Crown);
        other += z != 0 && z != 1 + int(ZoneId::Mid) && z != 1 + int(ZoneId::Crown);
        zoned_empty += !ink && z != 0;
    }
    EXPECT_EQ(other, 0u);
    EXPECT_EQ(zoned_empty, 0u);
    EXPECT_GT(covered, 10000u);
    // Texels whose coverage rounds to < 1/255 (far shadow tails) may stay zone 0.
    EXPECT_LT(double(unzoned) / double(covered), 0.02);
    // Half the dots each: the two zones share the texels about equally (+-10%).
    EXPECT_NEAR(double(mid) / double(mid + crown), 0.5, 0.05);
}

TEST_F(LayersTest, RecolouringMatchesAFullReBake) {
    // Linear filter colour t = 1 - a (1 - rgb) per texel (what multiplies the skin), re-coloured
    // bake vs full re-bake, over texels with coverage in either. Within one zone
    // pow(rgb, ln F'/ln F) is exact for a lone dot and its shadow; what remains is where dots
    // or shadows overlap (the union of two partial coverages is not a power of one filter), the
    // empty texels' mean filter (zone 0, not re-coloured) and 16-bit rounding. Limits: the
    // measured figures (deterministic) with ~1.5-2x margin; 0.004 is one step of an 8-bit
    // display, so a shade or skin re-colour is invisible next to a re-bake.
    const FollicleSet shade6 = midDots(*s_head, 6), shade8 = midDots(*s_head, 8);
    Design from = healedDesign(), to = healedDesign();
    ZoneSpec mid = defaultZone(ZoneId::Mid);
    mid.shade = 6;
    from.zones = {mid};
    mid.shade = 8;
    to.zones = {mid};
    const ColourError shade = recolourError(*s_head, shade6, shade8, from, to);
    RecordProperty("shade_max", std::to_string(shade.max));
    std::printf("re-colour shade 6 -> 8: max %.4f mean %.5f\n", shade.max, shade.mean);
    // Measured max 0.0021, mean 0.00011 (deterministic).
    EXPECT_LT(shade.max, 0.004);
    EXPECT_LT(shade.mean, 0.0003);

    // Age 30 -> 1825 days: the edge blur grows (0.036 -> 0.055 mm) and re-colouring keeps the
    // old edge, so dot rims differ more: the ink's integral is kept, so the mean stays small.
    Design old = healedDesign(1825);
    old.zones = from.zones;
    ASSERT_TRUE(colourOnly(from.pigment, old.pigment));
    const ColourError age = recolourError(*s_head, shade6, shade6, from, old);
    std::printf("re-colour age 30 -> 1825: max %.4f mean %.5f\n", age.max, age.mean);
    // Measured max 0.039 (a rim texel), mean 0.0016.
    EXPECT_LT(age.max, 0.06);
    EXPECT_LT(age.mean, 0.003);

    // Fitzpatrick III -> V: the filter is computed for the skin (the bluish light scattered
    // above the ink, relative to the skin), re-coloured per channel.
    Design dark = from;
    dark.pigment.fitzpatrick = 5;
    EXPECT_FALSE(colourOnly(from.pigment, dark.pigment)); // the skin itself changes too
    const ColourError skin = recolourError(*s_head, shade6, shade6, from, dark);
    std::printf("re-colour fitzpatrick 3 -> 5: max %.4f mean %.5f\n", skin.max, skin.mean);
    // Measured max 0.0022, mean 0.00011.
    EXPECT_LT(skin.max, 0.004);
    EXPECT_LT(skin.mean, 0.0003);

    // A fresh age is never colour-only.
    EXPECT_FALSE(colourOnly(from.pigment, healedDesign(2).pigment));
    EXPECT_FALSE(colourOnly(healedDesign(3).pigment, from.pigment));
}

TEST(Layers, RejectsBadSizesNamingTheOption) {
    for (int size : {0, 512, 1000, 3000, 16384, -4096}) {
        try {
            validateLayerSize(size, "--size");
            ADD_FAILURE() << size << " accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("--size"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("1024"), std::string::npos) << e.what();
        }
    }
    for (int size : {1024, 2048, 4096, 8192}) EXPECT_NO_THROW(validateLayerSize(size, "--size"));
}

// --- Acceptance on the real heads (examples/natural.json) ---

// The natural example on `mesh` (its own head spec when `mesh` is empty), nape at `nape_mm`.
Design naturalOn(const std::filesystem::path& mesh, double nape_mm) {
    Design d = loadDesign(test::sourceDir() / "examples" / "natural.json");
    if (!mesh.empty()) {
        d.head = Design{}.head;
        d.head.mesh = mesh;
    }
    d.hairline.nape_height_mm = nape_mm;
    return d;
}

std::vector<std::pair<std::string, std::filesystem::path>> realHeads() {
    return {{"mannequin", {}},
            {"ICT", test::sharedHeads() / "ict_facekit_neutral" /
                        "generic_neutral_mesh_skin_only.obj"},
            {"Demosthenes", test::sharedHeads() / "demosthenes_bust" / "demosthenes-low-res.obj"}};
}

// Inside triangles above ear line - 120 mm whose orientation in the chart is reversed.
size_t foldsOnTheHead(const HeadModel& head, const ScalpChart& chart) {
    const Mesh& m = head.mesh;
    const double ear_y = 0.5 * (head.landmarks.ear_left.y + head.landmarks.ear_right.y);
    std::vector<double> det(m.triangleCount(), 0);
    double total = 0;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        if (!chart.inside[t]) continue;
        const glm::uvec3 tri = m.triangles[t];
        const glm::dvec3 p0(m.positions[tri.x]), p1(m.positions[tri.y]), p2(m.positions[tri.z]);
        const TriangleMap tm = triangleMap(p0, p1, p2, glm::dvec2(chart.uvs[tri.x]),
                                           glm::dvec2(chart.uvs[tri.y]),
                                           glm::dvec2(chart.uvs[tri.z]));
        if (!tm.valid || p0.y < ear_y - 120.0) continue;
        det[t] = glm::determinant(tm.uv_per_mm);
        total += det[t] * glm::length(glm::cross(p1 - p0, p2 - p0));
    }
    size_t folds = 0;
    for (double d : det) folds += d * total < 0;
    return folds;
}

TEST(LayersAcceptance, EveryDotIsDrawnOnAllHeadsDownToTheLowestNape) {
    // The chart region follows the design: every dot's triangle is inside, whatever the head
    // and however low the nape line (-90 mm is the lowest accepted). Before, 47-310 dots per
    // head fell outside a fixed region and were silently not drawn.
    for (const auto& [name, mesh] : realHeads())
        for (double nape_mm : {-35.0, -90.0}) {
            const Design design = naturalOn(mesh, nape_mm);
            const HeadModel head = loadHeadModel(design.head);
            const FollicleSet dots = generateFollicles(head, design);
            const LayerStack layers = bakeLayers(head, dots, design, 1024);
            const std::string what = name + " nape " + std::to_string(int(nape_mm));
            EXPECT_EQ(layers.dots_skipped, 0u) << what;
            EXPECT_EQ(layers.dots_splatted, dots.dots.size()) << what;
            size_t outside = 0;
            for (const Dot& dot : dots.dots) outside += !layers.chart.inside[dot.triangle];
            EXPECT_EQ(outside, 0u) << what;
            // The mannequin is smooth: no fold anywhere in the region (the pinna roots the
            // margin used to reach are left out). Demosthenes' carved curls may fold under
            // dots (reported as a warning).
            // Counted on the head itself (above ear line - 120 mm): follicle generation
            // currently leaves two stray dots at the base of the mannequin's neck (y ~ -200
            // mm), straight below the projection centre, where one triangle can fold.
            if (name != "Demosthenes") {
                EXPECT_EQ(foldsOnTheHead(head, layers.chart), 0u) << what;
            }
            // Face and ears stay clean: the region is the treated area plus a thin margin
            // (the follicle set's area -10% .. +15%: its own estimate of the treated surface
            // differs a little from the triangles that hold dots, and the 4 mm rim adds 5-12%,
            // most on Demosthenes' carved curls).
            EXPECT_LT(layers.chart.region_area_mm2, 100.0 * dots.area_cm2 * 1.15) << what;
            EXPECT_GT(layers.chart.region_area_mm2, 100.0 * dots.area_cm2 * 0.90) << what;
        }
}

// Connected blobs (8-neighbourhood) of texels with coverage above `threshold`.
size_t countBlobs(const Image16& layer, double threshold) {
    const int w = layer.width, h = layer.height;
    const uint16_t limit = uint16_t(threshold * 65535.0);
    std::vector<uint8_t> seen(size_t(w) * size_t(h), 0);
    std::vector<std::pair<int, int>> stack;
    size_t blobs = 0;
    for (int y0 = 0; y0 < h; ++y0)
        for (int x0 = 0; x0 < w; ++x0) {
            const size_t i0 = size_t(y0) * size_t(w) + size_t(x0);
            if (seen[i0] || layer.at(x0, y0)[3] <= limit) continue;
            ++blobs;
            seen[i0] = 1;
            stack.emplace_back(x0, y0);
            while (!stack.empty()) {
                const auto [x, y] = stack.back();
                stack.pop_back();
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        const size_t i = size_t(yy) * size_t(w) + size_t(xx);
                        if (seen[i] || layer.at(xx, yy)[3] <= limit) continue;
                        seen[i] = 1;
                        stack.emplace_back(xx, yy);
                    }
            }
        }
    return blobs;
}

TEST(LayersAcceptance, EveryDotShowsAsItsOwnBlobOnTheMannequin) {
    // Coverage: the pigment layer holds one blob per dot. Blue-noise dots ~1.1 mm apart with
    // cores of 0.09-0.17 mm at 0.04 mm texels (8192^2) are separate blobs at coverage 0.65
    // (above the union of the neighbours' shadows between dots, < 0.55); a few touch where the
    // chart compresses (the rim) or two dots land close, so +-3%.
    const Design design = naturalOn({}, -35.0);
    const HeadModel head = loadHeadModel(design.head);
    const FollicleSet dots = generateFollicles(head, design);
    const LayerStack layers = bakeLayers(head, dots, design, 8192);
    ASSERT_EQ(layers.dots_skipped, 0u);
    const size_t blobs = countBlobs(layers.pigment, 0.65);
    EXPECT_NEAR(double(blobs) / double(dots.dots.size()), 1.0, 0.03)
        << blobs << " blobs for " << dots.dots.size() << " dots";
}

TEST(LayersSession, ShadeEditIsLiveWithoutAReBakeAndMatchesOne) {
    // The Session's live path: a zone shade edit keeps the baked texels (no bake runs) and
    // hands out the exponents; applied, they match a session that baked the edited design
    // within the synthetic test's tolerance (same reasons: overlaps, front_transition spread,
    // zone-0 texels), measured here on the mannequin's 37k dots.
    Design design = naturalOn({}, -35.0);
    design.render.layer_size = 2048;
    auto head = std::make_shared<const HeadModel>(loadHeadModel(design.head));
    Session session(design);
    session.setHead(head);
    const LayerStack* baked = &session.layers();
    const size_t bakes = session.runs().layers;
    Design edited = design;
    ZoneSpec mid = edited.zone(ZoneId::Mid);
    mid.shade = 8;
    edited.zones.erase(std::remove_if(edited.zones.begin(), edited.zones.end(),
                                      [](const ZoneSpec& z) { return z.id == ZoneId::Mid; }),
                       edited.zones.end());
    edited.zones.push_back(mid);
    session.apply(edited);
    const LiveLayers live = session.liveLayers();
    EXPECT_EQ(live.baked, baked);
    EXPECT_EQ(session.runs().layers, bakes) << "a shade edit must not re-bake";
    EXPECT_FALSE(live.colour.identity());
    Image16 recoloured = live.baked->pigment;
    applyLayerColour(recoloured, live.baked->zone_map, live.colour);
    Session fresh(edited);
    fresh.setHead(head);
    const ColourError e = compareBakes(recoloured, fresh.layers().pigment);
    std::printf("session re-colour mid 6 -> 8 (mannequin): max %.4f mean %.5f\n", e.max, e.mean);
    // Measured max 0.027 (a texel at a zone border where a mid dot overlaps another zone's dot
    // and gets the mid exponent for both), mean 0.00070 (deterministic; 0.00019 with the
    // former 1.2 mm shadows: the 1.8 mm ones overlap across zone borders over a wider band, and
    // a union of shadows of different zones is not a power of one filter). Mean limit 0.001,
    // a quarter of an 8-bit step. Max 0.032 since the lane fix (zones sample up to their
    // borders, so dots of two zones overlap more often there): limit 0.035.
    EXPECT_LT(e.max, 0.035);
    EXPECT_LT(e.mean, 0.001);
}

} // namespace
} // namespace stipple
