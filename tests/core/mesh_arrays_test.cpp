#include "stipple/core/mesh_arrays.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace stipple {
namespace {

// A unit square in the z = 0 plane as two triangles, with vertex 1 duplicated as vertex 4 (a
// UV seam: same position, another UV), the way a host splits vertices for its UVs.
struct Square {
    std::vector<float> positions = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    std::vector<uint32_t> indices = {0, 1, 2, 0, 2, 3};
    std::vector<float> uvs = {0, 0, 1, 0, 1, 1, 0, 1, 0.5f, 0.5f};
    MeshArrays arrays() const {
        MeshArrays a;
        a.positions = positions.data();
        a.vertex_count = positions.size() / 3;
        a.indices = indices.data();
        a.triangle_count = indices.size() / 3;
        a.uvs = uvs.data();
        return a;
    }
};

std::string errorPointer(const MeshArrays& a) {
    try {
        importMeshArrays(a);
    } catch (const Error& e) {
        return e.problems().front().pointer + " | " + e.problems().front().message;
    }
    return "no error";
}

TEST(MeshArrays, KeepsVerticesInTheHostsOrderAndWeldsEqualPositions) {
    const Square square;
    const ImportedMesh m = importMeshArrays(square.arrays());
    ASSERT_EQ(m.mesh.vertexCount(), 5u); // the unused seam copy stays: one to one with the host
    for (size_t v = 0; v < 5; ++v) {
        EXPECT_EQ(m.mesh.positions[v],
                  glm::vec3(square.positions[3 * v], square.positions[3 * v + 1],
                            square.positions[3 * v + 2]));
        EXPECT_EQ(m.mesh.uvs[v], glm::vec2(square.uvs[2 * v], square.uvs[2 * v + 1]));
    }
    EXPECT_EQ(m.mesh.weld[4], m.mesh.weld[1]); // same position, one topology vertex
    EXPECT_NE(m.mesh.weld[2], m.mesh.weld[1]);
    EXPECT_EQ(m.mesh.triangleCount(), 2u);
    // Counter-clockwise seen from +Z: normals +Z (exact: a flat square).
    for (const glm::vec3& n : m.mesh.normals)
        EXPECT_EQ(n, glm::vec3(0, 0, 1));
    EXPECT_EQ(m.report.format, "arrays");
    EXPECT_EQ(m.report.components, 1u);
    EXPECT_TRUE(m.report.has_uvs);
    EXPECT_EQ(m.report.bbox.size(), glm::dvec3(1, 1, 0));
}

TEST(MeshArrays, DropsDegenerateTrianglesAndCountsComponents) {
    Square square;
    // A triangle through the seam copy repeats a welded corner (1 and 4): degenerate. A second
    // square far away is another component.
    square.indices.insert(square.indices.end(), {1, 4, 2});
    const size_t base = square.positions.size() / 3;
    for (float c : {10.f, 0.f, 0.f, 11.f, 0.f, 0.f, 10.f, 1.f, 0.f})
        square.positions.push_back(c);
    for (float c : {0.f, 0.f, 0.f, 0.f, 0.f, 0.f})
        square.uvs.push_back(c);
    square.indices.insert(square.indices.end(),
                          {uint32_t(base), uint32_t(base + 1), uint32_t(base + 2)});
    const ImportedMesh m = importMeshArrays(square.arrays());
    EXPECT_EQ(m.mesh.triangleCount(), 3u);
    EXPECT_EQ(m.report.degenerate_triangles, 1u);
    ASSERT_EQ(m.report.warnings.size(), 1u);
    EXPECT_NE(m.report.warnings[0].find("1 degenerate"), std::string::npos);
    EXPECT_EQ(m.report.components, 2u);
}

TEST(MeshArrays, NamesTheArgumentAndIndexOfBadInput) {
    Square square;
    MeshArrays a = square.arrays();
    a.positions = nullptr;
    EXPECT_EQ(errorPointer(a).substr(0, 12), "positions | ");
    a = square.arrays();
    a.vertex_count = 2;
    EXPECT_EQ(errorPointer(a).substr(0, 15), "vertex_count | ");
    a = square.arrays();
    a.triangle_count = 0;
    EXPECT_EQ(errorPointer(a).substr(0, 17), "triangle_count | ");

    square.indices[4] = 5; // one past the last vertex
    EXPECT_EQ(errorPointer(square.arrays()),
              "indices | indices[4] (triangle 1) is 5; accepted 0..4 (below vertex_count)");
    square.indices[4] = 2;
    square.positions[7] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(errorPointer(square.arrays()),
              "positions | positions[7] (vertex 2, y) is NaN; expected finite numbers");
    square.positions[7] = 1;
    square.uvs[2] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(errorPointer(square.arrays()),
              "uvs | uvs[2] (vertex 1, u) is -Inf; expected finite numbers");
}

TEST(MeshArrays, AllDegenerateIsAnError) {
    Square square;
    square.indices = {1, 4, 2};
    EXPECT_NE(errorPointer(square.arrays()).find("no usable triangles"), std::string::npos);
}

TEST(MeshArrays, HashIdentifiesTheArrays) {
    Square square;
    const std::string a = importMeshArrays(square.arrays()).report.sha256;
    EXPECT_EQ(a, importMeshArrays(square.arrays()).report.sha256); // deterministic
    square.positions[6] = 1.5f;
    EXPECT_NE(a, importMeshArrays(square.arrays()).report.sha256);
    EXPECT_EQ(a.size(), 64u);
}

} // namespace
} // namespace stipple
