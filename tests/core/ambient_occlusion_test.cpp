#include "stipple/core/ambient_occlusion.h"

#include <cmath>

#include <gtest/gtest.h>

#include "stipple/core/error.h"

namespace stipple {
namespace {

// A receiver at the origin facing +Y (a tiny floor triangle, smaller than the skip distance
// so it does not shade itself) under the part of a sphere of radius r between the zenith and
// the polar angle theta_max, triangles wound so their normals face the centre. Seen from the
// centre, such a cap covers a cosine-weighted share sin^2(theta_max) of the hemisphere, so the
// known answer for the receiver is 1 - sin^2(theta_max).
Mesh capOverReceiver(double r, double theta_max_deg, bool facing_inward) {
    Mesh mesh;
    mesh.positions = {{-0.05f, 0, 0.05f}, {0.05f, 0, 0.05f}, {0, 0, -0.05f}};
    mesh.triangles = {{0, 1, 2}};
    const int rings = 40, segments = 96;
    const double theta_max = theta_max_deg * M_PI / 180.0;
    const auto at = [&](int i, int j) {
        const double th = theta_max * i / rings, ph = 2 * M_PI * j / segments;
        return glm::vec3(float(r * std::sin(th) * std::cos(ph)), float(r * std::cos(th)),
                         float(r * std::sin(th) * std::sin(ph)));
    };
    for (int i = 0; i <= rings; ++i)
        for (int j = 0; j < segments; ++j)
            mesh.positions.push_back(at(i, j));
    const auto id = [&](int i, int j) { return uint32_t(3 + i * segments + (j % segments)); };
    for (int i = 0; i < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            // Seen from the centre (below the cap) these run counter-clockwise: normals inward.
            glm::uvec3 a(id(i, j), id(i + 1, j), id(i + 1, j + 1));
            glm::uvec3 b(id(i, j), id(i + 1, j + 1), id(i, j + 1));
            if (!facing_inward) std::swap(a.y, a.z), std::swap(b.y, b.z);
            mesh.triangles.push_back(a);
            mesh.triangles.push_back(b);
        }
    return mesh;
}

TEST(AmbientOcclusion, ReceiverUnderACapSeesOneMinusSinSquared) {
    // Tolerance 0.01: measured within 0.001 of the known answer at r = 20 mm (the disc form
    // factor's "+ A" term and the 3 mm clustering of occluders both under-count a little);
    // 0.01 leaves room for float summation on other compilers, while a wrong cosine or a
    // double-counted element is off by 0.1 or more.
    for (double theta : {30.0, 45.0, 60.0, 90.0}) {
        const Mesh cap = capOverReceiver(20, theta, true);
        const std::vector<float> ao = vertexAmbientOcclusion(cap);
        const double expected = 1 - std::pow(std::sin(theta * M_PI / 180), 2);
        EXPECT_NEAR(ao[0], expected, 0.01) << "cap to " << theta << " degrees";
    }
}

TEST(AmbientOcclusion, ElementsTurningTheirBackAreHiddenAndFarOnesIgnored) {
    // The same full dome wound outward: its elements turn their backs on the receiver (the
    // receiver would see their far sides, which the model counts only through facing ones).
    const Mesh back = capOverReceiver(20, 90, false);
    EXPECT_EQ(vertexAmbientOcclusion(back)[0], 1.0f);
    // A facing dome beyond the reach occludes nothing.
    const Mesh far = capOverReceiver(50, 90, true);
    EXPECT_EQ(vertexAmbientOcclusion(far)[0], 1.0f);
}

TEST(AmbientOcclusion, ConvexSurfacesAreOpen) {
    // The dome's vertices themselves face the centre and see the rest of the dome: the inside
    // of a bowl is occluded. Its outside (wound outward) is convex: every element lies below
    // every vertex's tangent plane, so nothing occludes and accessibility is exactly 1.
    const Mesh outside = capOverReceiver(20, 90, false);
    Mesh shell = outside;
    shell.normals.assign(shell.positions.size(), glm::vec3(0, 1, 0));
    for (size_t i = 3; i < shell.positions.size(); ++i)
        shell.normals[i] = glm::normalize(shell.positions[i]);
    const std::vector<float> ao = vertexAmbientOcclusion(shell);
    for (size_t i = 3; i < ao.size(); ++i)
        ASSERT_EQ(ao[i], 1.0f) << "vertex " << i;
}

TEST(AmbientOcclusion, IsDeterministicAcrossThreadCounts) {
    const Mesh cap = capOverReceiver(20, 60, true);
    AmbientOcclusionOptions one, many;
    one.threads = 1;
    many.threads = 3;
    EXPECT_EQ(vertexAmbientOcclusion(cap, one), vertexAmbientOcclusion(cap, many));
}

TEST(AmbientOcclusion, RejectsBadOptions) {
    const Mesh cap = capOverReceiver(20, 60, true);
    AmbientOcclusionOptions bad;
    bad.cell_mm = 0;
    EXPECT_THROW(vertexAmbientOcclusion(cap, bad), Error);
    bad.cell_mm = 40; // larger than the reach
    EXPECT_THROW(vertexAmbientOcclusion(cap, bad), Error);
}

} // namespace
} // namespace stipple
