#include "stipple/core/mannequin.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "stipple/core/error.h"
#include "stipple/core/mesh_import.h"
#include "test_util.h"

namespace stipple {
namespace {

// Generating takes several seconds and ctest runs every TEST in its own process, so the full
// mannequin is generated once, in one TEST, and these checks run on it in turn.

void expectMatchesCommittedFile(const Mannequin& head) {
    const std::filesystem::path file = test::sourceDir() / "meshes" / "mannequin.glb";
    ASSERT_TRUE(std::filesystem::exists(file)) << file.string();
    // The committed file stays small enough for the repository.
    EXPECT_LT(std::filesystem::file_size(file), 5u * 1024 * 1024);
    const ImportedMesh committed = importMesh(file);
    const Mesh& mesh = head.mesh;
    EXPECT_EQ(committed.mesh.triangleCount(), mesh.triangleCount())
        << "regenerate with: stipple mannequin -o meshes/mannequin.glb --force";
    const Box a = boundingBox(committed.mesh), b = boundingBox(mesh);
    // 0.01 mm: the file stores float32 positions of the same computation.
    for (int k = 0; k < 3; ++k) {
        EXPECT_NEAR(a.min[k], b.min[k], 0.01);
        EXPECT_NEAR(a.max[k], b.max[k], 0.01);
    }
}

TEST(Mannequin, IsDeterministic) {
    // A coarse variant keeps this quick; the same options must give the same numbers.
    MannequinOptions options;
    options.voxel_mm = 2.5;
    options.target_triangles = 20000;
    options.max_edge_mm = 6;
    const Mannequin a = generateMannequin(options), b = generateMannequin(options);
    EXPECT_EQ(a.mesh.positions, b.mesh.positions);
    EXPECT_EQ(a.mesh.triangles, b.mesh.triangles);
    EXPECT_EQ(a.mesh.uvs, b.mesh.uvs);
}

void expectAdultProportionsAndTriangleBudget(const Mannequin& head) {
    EXPECT_GE(head.mesh.triangleCount(), 30000u);
    EXPECT_LE(head.mesh.triangleCount(), 80000u);
    // Average adult head (Farkas 1994): breadth ~152, length ~195, vertex-chin ~230 mm;
    // tolerances are a few mm, well inside the adult range.
    EXPECT_NEAR(head.breadth_mm, 152, 3);
    EXPECT_NEAR(head.length_mm, 195, 6);
    EXPECT_NEAR(head.height_mm, 230, 5);
    const MannequinLandmarks& lm = head.landmarks;
    // The frame: origin midway between the tragi, bitragion breadth ~ 135..150 mm.
    EXPECT_NEAR(lm.ear_left.x + lm.ear_right.x, 0, 1e-9);
    EXPECT_NEAR(lm.ear_left.x - lm.ear_right.x, 142, 8);
    EXPECT_NEAR(lm.ear_left.y, 0, 1e-9);
    EXPECT_GT(lm.vertex.y, lm.glabella.y);
    EXPECT_GT(lm.nose_tip.z, lm.glabella.z);
    EXPECT_LT(lm.occiput.z, -90);
    // Each landmark lies on the surface (the zero set), to the march's precision.
    for (const glm::dvec3& p :
         {lm.vertex, lm.glabella, lm.nose_tip, lm.ear_left, lm.ear_right, lm.occiput})
        EXPECT_NEAR(mannequinDistance(p), 0, 1e-3);
    // The vertex is the top of the mesh, the nose tip its front (to within a triangle's sag).
    const Box box = boundingBox(head.mesh);
    EXPECT_NEAR(box.max.y, lm.vertex.y, 0.3);
    EXPECT_NEAR(box.max.z, lm.nose_tip.z, 0.3);
    EXPECT_NEAR(box.min.y, head.neck_bottom_y_mm, 1e-3);
}

void expectMeshOnTheSurface(const Mannequin& head) {
    const Mesh& mesh = head.mesh;
    double worst = 0;
    for (const glm::vec3& p : mesh.positions)
        worst = std::max(worst, std::abs(mannequinDistance(glm::dvec3(p))));
    // Vertices are projected onto the zero set; 0.05 mm allows float storage and the last
    // Newton step near the ear's tight blends.
    EXPECT_LT(worst, 0.05);
}

void expectOneClosedComponentOpenOnlyAtTheNeck(const Mannequin& head) {
    const Mesh& mesh = head.mesh;
    ASSERT_EQ(mesh.weld.size(), mesh.vertexCount());
    // Topology over welded positions (the UV seam splits vertices).
    std::map<std::pair<uint32_t, uint32_t>, int> edges;
    size_t degenerate = 0;
    double min_quality = 1;
    for (const glm::uvec3& t : mesh.triangles) {
        const uint32_t w[3] = {mesh.weld[t.x], mesh.weld[t.y], mesh.weld[t.z]};
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        const double area2 = glm::length(glm::cross(b - a, c - a));
        const double l2 = glm::dot(b - a, b - a) + glm::dot(c - b, c - b) + glm::dot(a - c, a - c);
        min_quality = std::min(min_quality, 2 * std::sqrt(3.0) * area2 / l2);
        if (w[0] == w[1] || w[1] == w[2] || w[0] == w[2] || area2 < 1e-8) ++degenerate;
        for (int k = 0; k < 3; ++k)
            ++edges[{std::min(w[k], w[(k + 1) % 3]), std::max(w[k], w[(k + 1) % 3])}];
    }
    EXPECT_EQ(degenerate, 0u);
    // Well-shaped triangles: none thinner than this (1 = equilateral).
    EXPECT_GT(min_quality, 0.05);
    size_t open = 0, nonmanifold = 0;
    for (const auto& [e, n] : edges) {
        if (n == 1) {
            ++open;
            // Every open edge is on the neck opening.
            EXPECT_NEAR(mesh.positions[e.first].y, head.neck_bottom_y_mm, 1e-3);
        }
        if (n > 2) ++nonmanifold;
    }
    EXPECT_GT(open, 100u);
    EXPECT_EQ(nonmanifold, 0u);
    // One component (union-find over welded vertices).
    size_t nw = 0;
    for (uint32_t w : mesh.weld)
        nw = std::max<size_t>(nw, w + 1);
    std::vector<uint32_t> parent(nw);
    std::iota(parent.begin(), parent.end(), 0u);
    std::function<uint32_t(uint32_t)> find = [&](uint32_t x) {
        while (parent[x] != x)
            x = parent[x] = parent[parent[x]];
        return x;
    };
    for (const auto& [e, n] : edges)
        parent[find(e.first)] = find(e.second);
    size_t roots = 0;
    for (uint32_t v = 0; v < nw; ++v)
        roots += find(v) == v;
    EXPECT_EQ(roots, 1u);
    // A disc: Euler characteristic V - E + F = 1 (a sphere with one hole, no handles).
    EXPECT_EQ(int64_t(nw) - int64_t(edges.size()) + int64_t(mesh.triangleCount()), 1);
}

void expectUvsInTheUnitSquareWithNoFlippedTriangle(const Mannequin& head) {
    const Mesh& mesh = head.mesh;
    ASSERT_EQ(mesh.uvs.size(), mesh.vertexCount());
    for (const glm::vec2& uv : mesh.uvs) {
        EXPECT_GE(uv.x, 0.f);
        EXPECT_LE(uv.x, 1.f);
        EXPECT_GE(uv.y, 0.f);
        EXPECT_LE(uv.y, 1.f);
    }
    size_t flipped = 0;
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec2 a = mesh.uvs[t.x], b = mesh.uvs[t.y], c = mesh.uvs[t.z];
        const double area = (b - a).x * (c - a).y - (b - a).y * (c - a).x;
        if (!(area > 0)) ++flipped;
    }
    EXPECT_EQ(flipped, 0u);
    // The top of the head maps to the top centre of the chart, the face to the middle.
    size_t top = 0;
    for (size_t v = 1; v < mesh.vertexCount(); ++v)
        if (mesh.positions[v].y > mesh.positions[top].y) top = v;
    EXPECT_NEAR(mesh.uvs[top].x, 0.5, 1e-4);
    EXPECT_NEAR(mesh.uvs[top].y, 1.0, 1e-4);
}

TEST(Mannequin, GeneratedHeadIsValidAndMatchesTheCommittedFile) {
    const Mannequin head = generateMannequin();
    {
        SCOPED_TRACE("committed file");
        expectMatchesCommittedFile(head);
    }
    {
        SCOPED_TRACE("proportions");
        expectAdultProportionsAndTriangleBudget(head);
    }
    {
        SCOPED_TRACE("on the surface");
        expectMeshOnTheSurface(head);
    }
    {
        SCOPED_TRACE("topology");
        expectOneClosedComponentOpenOnlyAtTheNeck(head);
    }
    {
        SCOPED_TRACE("uvs");
        expectUvsInTheUnitSquareWithNoFlippedTriangle(head);
    }
}

TEST(Mannequin, RejectsOptionsOutOfRange) {
    MannequinOptions options;
    options.voxel_mm = 0.1;
    try {
        generateMannequin(options);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("voxel_mm 0.1"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace stipple
