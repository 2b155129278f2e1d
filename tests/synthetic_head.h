#pragma once

// Synthetic heads built in code for known-answer tests and benchmarks: an ellipsoid (or a
// sphere) tessellated as a cube-sphere, with landmarks set where a real head has them. The
// head frame: mm, origin between the ears, +Y up, +Z forward, +X the subject's left.

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "stipple/core/head_model.h"
#include "stipple/core/mesh.h"

namespace stipple::test {

// Ellipsoid with semi-axes (a.x, a.y, a.z) centred at the origin, `n` x `n` quads per cube
// face (12 n^2 triangles), counter-clockwise from outside, welded (no duplicate positions).
inline Mesh ellipsoidMesh(const glm::dvec3& a, int n) {
    constexpr double kQuarterPi = 0.78539816339744830962;
    Mesh mesh;
    // Cube faces: normal axis, u axis, v axis (u x v = normal, so winding is outward).
    const glm::dvec3 faces[6][3] = {
        {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},  {{-1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
        {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}},  {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}},
        {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}},  {{0, 0, -1}, {0, 1, 0}, {1, 0, 0}}};
    // Shared cube-edge vertices are welded by a map on the rounded cube position.
    std::map<std::tuple<int, int, int>, uint32_t> index_of;
    auto vertex = [&](const glm::dvec3& cube) {
        const auto key = std::make_tuple(int(std::lround(cube.x * 2 * n)), int(std::lround(cube.y * 2 * n)),
                                         int(std::lround(cube.z * 2 * n)));
        const auto it = index_of.find(key);
        if (it != index_of.end()) return it->second;
        // Equal-angle cube map keeps triangles close to uniform in size.
        const glm::dvec3 warped(std::tan(cube.x * kQuarterPi), std::tan(cube.y * kQuarterPi),
                                std::tan(cube.z * kQuarterPi));
        const glm::dvec3 d = glm::normalize(warped);
        const uint32_t id = uint32_t(mesh.positions.size());
        mesh.positions.push_back(glm::vec3(d * a));
        index_of.emplace(key, id);
        return id;
    };
    for (const auto& f : faces) {
        std::vector<uint32_t> grid;
        for (int j = 0; j <= n; ++j)
            for (int i = 0; i <= n; ++i)
                grid.push_back(vertex(f[0] + (2.0 * i / n - 1) * f[1] + (2.0 * j / n - 1) * f[2]));
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) {
                const uint32_t v00 = grid[size_t(j * (n + 1) + i)], v10 = grid[size_t(j * (n + 1) + i + 1)];
                const uint32_t v01 = grid[size_t((j + 1) * (n + 1) + i)], v11 = grid[size_t((j + 1) * (n + 1) + i + 1)];
                mesh.triangles.push_back({v00, v10, v11});
                mesh.triangles.push_back({v00, v11, v01});
            }
    }
    computeNormals(mesh);
    return mesh;
}

// Point on the ellipsoid surface at height y in the mid-sagittal plane, front (+1) or back (-1).
inline glm::dvec3 sagittalPoint(const glm::dvec3& a, double y, int side) {
    return {0, y, side * a.z * std::sqrt(1 - (y / a.y) * (y / a.y))};
}

// A cranium-like ellipsoid head: 152 x 230 x 195 mm (breadth x height x length) by default,
// landmarks on the surface: ears at the sides on the origin's level, glabella 25 mm and
// occiput 25 mm above it (symmetric front/back, so the chart centre is the ellipsoid centre),
// vertex on top. `n` = 64 gives 49,152 triangles.
inline HeadModel syntheticHead(const glm::dvec3& semi_axes = {76, 115, 97.5}, int n = 64) {
    HeadModel head;
    head.mesh = ellipsoidMesh(semi_axes, n);
    head.units.mm_per_unit = 1;
    head.units.source = "design";
    Landmarks& lm = head.landmarks;
    lm.vertex = {0, semi_axes.y, 0};
    lm.glabella = sagittalPoint(semi_axes, 25, +1);
    lm.occiput = sagittalPoint(semi_axes, 25, -1);
    lm.nose_tip = lm.glabella + glm::dvec3(0, -45, 20);
    lm.ear_left = {semi_axes.x, 0, 0};
    lm.ear_right = {-semi_axes.x, 0, 0};
    head.breadth_mm = 2 * semi_axes.x;
    head.length_mm = lm.glabella.z - lm.occiput.z;
    head.height_mm = 2 * semi_axes.y;
    return head;
}

} // namespace stipple::test
