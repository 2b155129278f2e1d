#pragma once

// Hand-built scenes for the render tests, so they do not depend on the mesh-import, head-frame
// or layers work: an ellipsoid "head" with a nose and a neck in the head frame (mm), a flat
// patch for known-answer lighting, and a layer stack made from a simple azimuthal projection
// with hashed dots.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"

namespace stipple::test {

// Ellipsoid cranium 156 x 200 x 240 mm (breadth x length x vertex-to-chin) centred 40 mm
// above the ear line, a nose bump at the front, and a neck cylinder down to y = -220 mm
// (which framing must crop away). `segments` sets the tessellation.
inline HeadModel syntheticHead(int segments = 96, bool with_neck = true) {
    HeadModel head;
    Mesh& mesh = head.mesh;
    const int rings = segments / 2;
    const glm::dvec3 centre(0, 10, 5);
    const glm::dvec3 radii(78, 120, 100);
    for (int i = 0; i <= rings; ++i) {
        const double theta = M_PI * double(i) / double(rings); // from the top
        for (int j = 0; j <= segments; ++j) {
            const double phi = 2 * M_PI * double(j) / double(segments);
            glm::dvec3 d(std::sin(theta) * std::sin(phi), std::cos(theta),
                         std::sin(theta) * std::cos(phi));
            glm::dvec3 p = centre + d * radii;
            // A nose: a bump on the front below the middle.
            const glm::dvec3 nose_dir = glm::normalize(glm::dvec3(0, -0.15, 1));
            const double k = glm::dot(d, nose_dir);
            if (k > 0.9) p += glm::dvec3(0, 0, 1) * (25.0 * std::pow((k - 0.9) / 0.1, 2.0));
            mesh.positions.emplace_back(p);
            mesh.uvs.emplace_back(float(j) / float(segments), 1.0f - float(i) / float(rings));
            // The UV seam (j = 0 and j = segments) and the poles are one position each, so
            // normals are shared there and no shading seam shows.
            const int wj = (i == 0 || i == rings) ? 0 : j % segments;
            mesh.weld.push_back(uint32_t(i * segments + wj));
        }
    }
    const auto idx = [&](int i, int j) { return uint32_t(i * (segments + 1) + j); };
    for (int i = 0; i < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            mesh.triangles.emplace_back(idx(i, j), idx(i + 1, j), idx(i + 1, j + 1));
            mesh.triangles.emplace_back(idx(i, j), idx(i + 1, j + 1), idx(i, j + 1));
        }
    // Neck: an open cylinder of radius 55 mm from y = -80 to -220.
    if (!with_neck) {
        computeNormals(mesh);
        head.landmarks.vertex = glm::dvec3(0, 130, 5);
        head.import.sha256 = "synthetic";
        return head;
    }
    const uint32_t base = uint32_t(mesh.positions.size());
    for (int i = 0; i <= 4; ++i)
        for (int j = 0; j <= segments; ++j) {
            const double phi = 2 * M_PI * double(j) / double(segments);
            const double y = -80.0 - 35.0 * double(i);
            mesh.positions.emplace_back(55 * std::sin(phi), y, 55 * std::cos(phi) - 10);
            mesh.uvs.emplace_back(0.0f, 0.0f);
            mesh.weld.push_back(uint32_t((rings + 1) * segments + i * segments + j % segments));
        }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < segments; ++j) {
            const uint32_t a = base + uint32_t(i * (segments + 1) + j);
            const uint32_t b = a + uint32_t(segments + 1);
            mesh.triangles.emplace_back(a, b, b + 1);
            mesh.triangles.emplace_back(a, b + 1, a + 1);
        }
    computeNormals(mesh);
    head.landmarks.vertex = glm::dvec3(0, 130, 5);
    head.import.sha256 = "synthetic";
    return head;
}

// A 200 x 200 mm square facing +Z at z = 0, centred at the origin.
inline HeadModel flatPatch() {
    HeadModel head;
    Mesh& m = head.mesh;
    m.positions = {{-100, -100, 0}, {100, -100, 0}, {100, 100, 0}, {-100, 100, 0}};
    m.normals.assign(4, glm::vec3(0, 0, 1));
    m.triangles = {{0, 1, 2}, {0, 2, 3}};
    return head;
}

inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb93fe1ad9bdeULL;
    x ^= x >> 33;
    return x;
}

// Layers for syntheticHead(): Lambert azimuthal projection around +Y through the ellipsoid
// centre, region = polar angle < 95 degrees; dots on a jittered grid of `spacing_px`.
inline LayerStack syntheticLayers(const HeadModel& head, int size = 1024, double spacing_px = 5.0,
                                  double radius_px = 1.4) {
    LayerStack layers;
    layers.size = size;
    const glm::dvec3 centre(0, 10, 5);
    const double max_theta = 95.0 * M_PI / 180.0;
    const double r_max = 2 * std::sin(max_theta / 2);
    std::vector<double> theta(head.mesh.positions.size());
    for (size_t i = 0; i < head.mesh.positions.size(); ++i) {
        const glm::dvec3 d = glm::normalize(glm::dvec3(head.mesh.positions[i]) - centre);
        theta[i] = std::acos(std::clamp(d.y, -1.0, 1.0));
        const double r = 2 * std::sin(theta[i] / 2) / r_max;
        const glm::dvec2 h(d.x, d.z);
        const glm::dvec2 dir = glm::length(h) > 1e-9 ? h / glm::length(h) : glm::dvec2(0);
        // layers.h: image row 0 is the chart's v = 1 edge, so v runs opposite to rows.
        const glm::dvec2 uv = 0.5 + 0.5 * dir * r;
        layers.chart.uvs.emplace_back(float(uv.x), float(1.0 - uv.y));
    }
    for (const glm::uvec3& t : head.mesh.triangles)
        layers.chart.inside.push_back(theta[t.x] < max_theta && theta[t.y] < max_theta &&
                                      theta[t.z] < max_theta);
    layers.pigment = Image16(size, size, 4, 0);
    const int cells = int(size / spacing_px);
    for (int cy = 0; cy < cells; ++cy)
        for (int cx = 0; cx < cells; ++cx) {
            const uint64_t h = mix64(uint64_t(cy) * 100003u + uint64_t(cx) + 7);
            const double jx = double(h & 0xffff) / 65535.0,
                         jy = double((h >> 16) & 0xffff) / 65535.0;
            const double px = (cx + jx) * spacing_px, py = (cy + jy) * spacing_px;
            // Keep dots inside the chart disc, like a hairline would.
            const double u = px / size - 0.5, v = py / size - 0.5;
            if (std::sqrt(u * u + v * v) > 0.42) continue;
            for (int y = int(py - radius_px - 1); y <= int(py + radius_px + 1); ++y)
                for (int x = int(px - radius_px - 1); x <= int(px + radius_px + 1); ++x) {
                    if (x < 0 || y < 0 || x >= size || y >= size) continue;
                    const double dist = std::hypot(x + 0.5 - px, y + 0.5 - py);
                    const double cov = std::clamp(radius_px + 0.5 - dist, 0.0, 1.0);
                    if (cov <= 0) continue;
                    uint16_t* p = layers.pigment.at(x, y);
                    const double a = std::max(double(p[3]) / 65535.0, cov * 0.9);
                    p[0] = uint16_t(0.22 * 65535);
                    p[1] = uint16_t(0.22 * 65535);
                    p[2] = uint16_t(0.25 * 65535);
                    p[3] = uint16_t(a * 65535);
                }
        }
    return layers;
}

} // namespace stipple::test
