#include "stipple/core/scalp_chart.h"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "core/layers_test_head.h"
#include "stipple/core/error.h"
#include "stipple/core/scalp_region.h"

namespace stipple {
namespace {

// The synthetic ellipsoid head: its welded seam runs down the back through the region, so a
// chart built from the mesh's own UVs would be cut there; the scalp chart must not be.
class ScalpChartTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_head = new HeadModel(test::layers::syntheticHead());
        s_chart = new ScalpChart(computeScalpChart(*s_head));
    }
    static void TearDownTestSuite() {
        delete s_chart;
        delete s_head;
    }
    static HeadModel* s_head;
    static ScalpChart* s_chart;
};
HeadModel* ScalpChartTest::s_head = nullptr;
ScalpChart* ScalpChartTest::s_chart = nullptr;

TEST_F(ScalpChartTest, SyntheticMeshIsWoundOutward) {
    // Guards the test geometry itself: the normals computed from the winding point outward.
    const Mesh& m = s_head->mesh;
    const glm::uvec3 t = m.triangles[1000];
    const glm::vec3 n = glm::cross(m.positions[t.y] - m.positions[t.x],
                                   m.positions[t.z] - m.positions[t.x]);
    EXPECT_GT(glm::dot(n, m.normals[t.x]), 0.0f);
}

TEST_F(ScalpChartTest, UvsAreContinuousAcrossEveryInsideEdge) {
    // Every welded position (including the duplicated seam column) must carry exactly one UV,
    // so no dot is ever cut by a seam. Exact equality: the UV is a function of the position.
    const Mesh& m = s_head->mesh;
    std::map<uint32_t, glm::vec2> by_weld;
    size_t checked = 0, seam_vertices = 0;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        if (!s_chart->inside[t]) continue;
        for (int k = 0; k < 3; ++k) {
            const uint32_t v = m.triangles[t][k];
            const auto [it, fresh] = by_weld.emplace(m.weld[v], s_chart->uvs[v]);
            if (!fresh) {
                ++checked;
                ASSERT_EQ(it->second.x, s_chart->uvs[v].x) << "vertex " << v;
                ASSERT_EQ(it->second.y, s_chart->uvs[v].y) << "vertex " << v;
                if (m.weld[v] != v) ++seam_vertices;
            }
        }
    }
    EXPECT_GT(checked, 10000u);
    EXPECT_GT(seam_vertices, 50u); // the seam really runs through the region
}

TEST_F(ScalpChartTest, RegionFitsTheUnitSquareAndLeavesItsCornersEmpty) {
    const Mesh& m = s_head->mesh;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        if (!s_chart->inside[t]) continue;
        for (int k = 0; k < 3; ++k) {
            const glm::vec2 uv = s_chart->uvs[m.triangles[t][k]];
            ASSERT_GE(uv.x, 0.0f);
            ASSERT_LE(uv.x, 1.0f);
            ASSERT_GE(uv.y, 0.0f);
            ASSERT_LE(uv.y, 1.0f);
            // The parked UV for outside triangles is never inside the region's disc.
            ASSERT_GT(glm::length(uv - glm::vec2(kChartOutsideU, kChartOutsideV)), 0.05f);
        }
    }
}

TEST_F(ScalpChartTest, RegionCoversTheScalpButNotTheFaceOrEars) {
    const Mesh& m = s_head->mesh;
    const Landmarks& l = s_head->landmarks;
    size_t crown = 0, face = 0, ear = 0, nape = 0, neck = 0;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        const glm::uvec3 tri = m.triangles[t];
        const glm::dvec3 c = glm::dvec3(m.positions[tri.x] + m.positions[tri.y] +
                                        m.positions[tri.z]) / 3.0;
        const bool in = s_chart->inside[t] != 0;
        if (c.y > 100) crown += !in;                              // all scalp: inside
        if (c.z > 60 && std::abs(c.x) < 30 && c.y < l.glabella.y + 20) face += in; // face: out
        // The pinna, behind the tragus landmark: outside.
        if (glm::length(c - (l.ear_left + glm::dvec3(0, 5, -18))) < 20) ear += in;
        if (c.z < -60 && c.y > -30 && c.y < 0) nape += !in;       // nape: inside
        if (c.y < -60 && c.z > 20) neck += in;                   // chin, throat: outside
    }
    EXPECT_EQ(crown, 0u);
    EXPECT_EQ(face, 0u);
    EXPECT_EQ(ear, 0u);
    EXPECT_EQ(nape, 0u);
    EXPECT_EQ(neck, 0u);
}

TEST_F(ScalpChartTest, DistortionIsReportedAndModest) {
    // Region area: the ellipsoid above the boundary, ~ 400-600 cm^2 (adult scalp 500-775 cm^2
    // including the sides; our region is the hair-bearing part plus a margin).
    EXPECT_GT(s_chart->region_area_mm2, 40000);
    EXPECT_LT(s_chart->region_area_mm2, 90000);
    EXPECT_EQ(s_chart->flipped_triangles, 0u);
    // An azimuthal equal-area chart of a non-spherical head down to the nape: area within a
    // few tens of percent on average, shape distortion growing towards the rim (Tissot).
    EXPECT_GE(s_chart->area_distortion, 1.0);
    EXPECT_LT(s_chart->area_distortion, 1.3);
    EXPECT_GT(s_chart->angle_distortion_deg, 0.0);
    EXPECT_LT(s_chart->angle_distortion_deg, 40.0);
    EXPECT_GE(s_chart->angle_distortion_max_deg, s_chart->angle_distortion_deg);
    EXPECT_GT(s_chart->chart_area_fraction, 0.5); // the disc uses most of the square
    EXPECT_LT(s_chart->chart_area_fraction, 0.79);
}

TEST_F(ScalpChartTest, ChartUvMatchesTheVertexUvs) {
    for (size_t v = 0; v < s_head->mesh.vertexCount(); v += 997) {
        const glm::dvec2 uv = chartUv(*s_chart, glm::dvec3(s_head->mesh.positions[v]));
        if (s_head->mesh.positions[v].y < -100) continue; // near the projection's singularity
        EXPECT_NEAR(uv.x, s_chart->uvs[v].x, 1e-6);
        EXPECT_NEAR(uv.y, s_chart->uvs[v].y, 1e-6);
    }
}

TEST_F(ScalpChartTest, ChartIsIndependentOfTheMeshUvs) {
    // No own UVs (like demosthenes_bust) and scrambled own UVs give the same chart.
    HeadModel no_uvs = *s_head;
    no_uvs.mesh.uvs.clear();
    const ScalpChart chart = computeScalpChart(no_uvs);
    ASSERT_EQ(chart.uvs.size(), s_chart->uvs.size());
    EXPECT_EQ(chart.uvs, s_chart->uvs);
    EXPECT_EQ(chart.inside, s_chart->inside);
}

TEST_F(ScalpChartTest, SplitForChartParksOutsideTriangles) {
    const ChartedMesh split = splitForChart(s_head->mesh, *s_chart);
    ASSERT_EQ(split.mesh.triangleCount(), s_head->mesh.triangleCount());
    for (size_t t = 0; t < split.mesh.triangleCount(); ++t)
        for (int k = 0; k < 3; ++k) {
            const uint32_t v = split.mesh.triangles[t][k];
            ASSERT_EQ(split.mesh.positions[v], s_head->mesh.positions[split.source_vertex[v]]);
            if (s_chart->inside[t])
                ASSERT_EQ(split.chart_uvs[v], s_chart->uvs[split.source_vertex[v]]);
            else
                ASSERT_EQ(split.chart_uvs[v], glm::vec2(kChartOutsideU, kChartOutsideV));
        }
    EXPECT_GT(split.mesh.vertexCount(), s_head->mesh.vertexCount()); // boundary was split
}

TEST(ScalpChartHairline, RegionIsTheScalpAboveTheHairlinePlusTheMargin) {
    // A coarser ellipsoid (80 x 160) keeps the brute-force distances below cheap. Every
    // triangle with a vertex above the hairline must be inside; every triangle farther than the
    // margin plus two triangles' size from such a vertex must be outside (4 + 2 x 5.5 mm: the
    // grid's cells are < 5.5 mm across; a triangle the line cuts into between its vertices is
    // inside and the margin grows from its corners; straight-line <= surface distance).
    const HeadModel head = test::layers::syntheticHead(80, 160);
    std::vector<Problem> warnings;
    const ScalpRegion region(head, HairlineSpec{}, 7, "", warnings);
    const ScalpChart chart = computeScalpChart(head, region);
    const Mesh& m = head.mesh;
    std::vector<glm::dvec3> above;
    std::vector<uint8_t> vertex_above(m.vertexCount(), 0);
    for (size_t v = 0; v < m.vertexCount(); ++v)
        if (region.classify(glm::dvec3(m.positions[v])).inside) {
            vertex_above[v] = 1;
            above.emplace_back(m.positions[v]);
        }
    ASSERT_GT(above.size(), 1000u);
    size_t missing = 0, far_inside = 0, inside = 0;
    for (size_t t = 0; t < m.triangleCount(); ++t) {
        const glm::uvec3 tri = m.triangles[t];
        const bool in = chart.inside[t] != 0;
        inside += in;
        if (vertex_above[tri.x] || vertex_above[tri.y] || vertex_above[tri.z]) {
            missing += !in;
            continue;
        }
        if (!in) continue;
        const glm::dvec3 c = glm::dvec3(m.positions[tri.x] + m.positions[tri.y] +
                                        m.positions[tri.z]) / 3.0;
        double nearest = 1e9;
        for (const glm::dvec3& p : above)
            nearest = std::min(nearest, glm::length(p - c));
        far_inside += nearest > kRegionMarginMm + 11.0;
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(far_inside, 0u);
    EXPECT_GT(inside, 0u);
    EXPECT_EQ(chart.flipped_triangles, 0u);
    // The region fills the chart but for the fit's rounding: the box [0.01, 0.99] spans a
    // whole number of 1/32 LAEA units, less than one more than the region's own extent.
    glm::vec2 lo(1), hi(0);
    for (size_t t = 0; t < m.triangleCount(); ++t)
        if (chart.inside[t])
            for (int k = 0; k < 3; ++k) {
                lo = glm::min(lo, chart.uvs[m.triangles[t][k]]);
                hi = glm::max(hi, chart.uvs[m.triangles[t][k]]);
            }
    const double fit_laea = 0.98 / chart.uv_scale;
    EXPECT_NEAR(fit_laea * 32, std::round(fit_laea * 32), 1e-6);
    const double span = std::max(hi.x - lo.x, hi.y - lo.y);
    EXPECT_LE(span, 0.98 + 1e-4);
    EXPECT_GT(span, 0.98 - chart.uv_scale / 32 - 1e-4);
    EXPECT_GE(std::min(lo.x, lo.y), 0.0099f);
    EXPECT_LE(std::max(hi.x, hi.y), 0.9901f);
}

TEST(ScalpChartHairline, ALowerHairlineGivesALargerRegion) {
    // The chart follows the hairline (and only it): a nape 40 mm lower adds region.
    const HeadModel head = test::layers::syntheticHead(80, 160);
    std::vector<Problem> warnings;
    HairlineSpec high;
    high.nape_height_mm = -20;
    HairlineSpec low = high;
    low.nape_height_mm = -60;
    const ScalpChart a = computeScalpChart(head, ScalpRegion(head, high, 7, "", warnings));
    const ScalpChart b = computeScalpChart(head, ScalpRegion(head, low, 7, "", warnings));
    EXPECT_GT(b.region_area_mm2, a.region_area_mm2 * 1.05);
}

TEST(ScalpChart, RejectsAMeshWithNothingInTheRegion) {
    // A head-sized mesh placed entirely below the ear line (wrong units/axes): clear error.
    HeadModel head = test::layers::syntheticHead(20, 40);
    for (glm::vec3& p : head.mesh.positions) p.y -= 1000;
    EXPECT_THROW(computeScalpChart(head), Error);
}

} // namespace
} // namespace stipple
