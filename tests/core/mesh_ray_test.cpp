// Rays and distances on hand-built meshes whose answers are known by construction.

#include "stipple/core/mesh_ray.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace {

using namespace stipple;

// A unit square in the z = 0 plane, two triangles (a ray through its middle crosses the shared
// diagonal, the case where a sloppy test reports two hits or none).
Mesh square() {
    Mesh m;
    m.positions = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}};
    m.triangles = {{0, 1, 2}, {0, 2, 3}};
    return m;
}

TEST(MeshRay, HitsTheSquareWhereTheRayCrossesItsPlane) {
    const std::optional<RayHit> hit = intersectRay(square(), {0.25, 0.5, 2}, {0, 0, -1});
    ASSERT_TRUE(hit);
    EXPECT_NEAR(hit->point.x, 0.25, 1e-12); // exact arithmetic up to rounding
    EXPECT_NEAR(hit->point.y, 0.5, 1e-12);
    EXPECT_NEAR(hit->point.z, 0.0, 1e-12);
    EXPECT_NEAR(hit->distance, 2.0, 1e-12);
    EXPECT_EQ(hit->triangle, 1u); // x < y: the upper-left triangle
}

TEST(MeshRay, NearestOfTwoLayersAndMissesOutside) {
    Mesh m = square();
    // A second square 1 unit behind the first (seen from +z).
    for (int i = 0; i < 4; ++i)
        m.positions.push_back(m.positions[size_t(i)] - glm::vec3(0, 0, 1));
    m.triangles.push_back({4, 5, 6});
    m.triangles.push_back({4, 6, 7});
    const std::optional<RayHit> front = intersectRay(m, {0.5, 0.2, 3}, {0, 0, -2});
    ASSERT_TRUE(front);
    EXPECT_NEAR(front->point.z, 0.0, 1e-12);
    EXPECT_NEAR(front->distance, 1.5, 1e-12);                 // in units of |direction| = 2
    EXPECT_FALSE(intersectRay(m, {1.5, 0.5, 3}, {0, 0, -1})); // beside the squares
    EXPECT_FALSE(intersectRay(m, {0.5, 0.5, 3}, {0, 0, 1}));  // pointing away
}

// The viewer picks through its camera: a degenerate camera (a zero-sized window) gives a zero
// or NaN direction. That is a miss, not an abort (issue 13's assert audit).
TEST(MeshRay, ZeroOrNonFiniteRaysMissInsteadOfAborting) {
    const double nan = std::nan("");
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_FALSE(intersectRay(square(), {0.25, 0.5, 2}, {0, 0, 0}));
    EXPECT_FALSE(intersectRay(square(), {0.25, 0.5, 2}, {nan, nan, nan}));
    EXPECT_FALSE(intersectRay(square(), {0.25, 0.5, 2}, {0, 0, -inf}));
    EXPECT_FALSE(intersectRay(square(), {nan, 0.5, 2}, {0, 0, -1}));
    // The same ray with a short finite direction still hits.
    EXPECT_TRUE(intersectRay(square(), {0.25, 0.5, 2}, {0, 0, -1e-3}));
}

TEST(MeshRay, DistanceToMeshIsToFaceEdgeOrCorner) {
    const Mesh m = square();
    EXPECT_NEAR(distanceToMesh(m, {0.3, 0.6, 0.7}), 0.7, 1e-12);      // above the face
    EXPECT_NEAR(distanceToMesh(m, {2, 0.5, 0}), 1.0, 1e-12);          // beside an edge
    EXPECT_NEAR(distanceToMesh(m, {2, 2, 1}), std::sqrt(3.0), 1e-12); // off a corner
    EXPECT_TRUE(std::isinf(distanceToMesh(Mesh{}, {0, 0, 0})));
}

} // namespace
