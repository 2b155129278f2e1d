#pragma once

// A synthetic head for the layers tests (until and beside the real heads): an ellipsoid the
// size of an adult head in the head frame (mm, +Y up, +Z forward, origin between the ears),
// tessellated as a latitude-longitude grid with a welded seam at the back (duplicated
// vertices with different own UVs, like a scan's atlas seam), and dots placed on it at known
// positions with known diameters.

#include <cmath>
#include <vector>

#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"

namespace stipple::test::layers {

struct Ellipsoid {
    glm::dvec3 centre{0, 20, 5};
    glm::dvec3 radii{76, 110, 98}; // breadth 152, height 220 (vertex 130 above the ears)
    glm::dvec3 at(double theta, double phi) const { // theta from +Y, phi from +Z towards +X
        return centre + radii * glm::dvec3(std::sin(theta) * std::sin(phi), std::cos(theta),
                                           std::sin(theta) * std::cos(phi));
    }
    glm::dvec3 normal(const glm::dvec3& p) const {
        return glm::normalize((p - centre) / (radii * radii));
    }
};

inline constexpr double kPi = 3.14159265358979323846;

// `stacks` x `slices` grid; the seam (phi = pi, the back) has duplicated, welded vertices.
inline HeadModel syntheticHead(int stacks = 160, int slices = 320) {
    const Ellipsoid e;
    HeadModel head;
    Mesh& m = head.mesh;
    auto vertex = [&](int i, int j) { return uint32_t(i * (slices + 1) + j); };
    for (int i = 0; i <= stacks; ++i)
        for (int j = 0; j <= slices; ++j) {
            const double theta = kPi * i / stacks;
            const double phi = kPi + 2 * kPi * j / slices; // seam at the back
            const glm::dvec3 p = e.at(theta, phi);
            m.positions.push_back(glm::vec3(p));
            m.normals.push_back(glm::vec3(e.normal(p)));
            m.uvs.push_back(glm::vec2(float(j) / float(slices), 1.0f - float(i) / float(stacks)));
            // Welded id: the seam column j = slices is j = 0, and each pole is one point.
            const int jw = (i == 0 || i == stacks) ? 0 : (j == slices ? 0 : j);
            m.weld.push_back(uint32_t(i * (slices + 1) + jw));
        }
    for (int i = 0; i < stacks; ++i)
        for (int j = 0; j < slices; ++j) {
            const uint32_t a = vertex(i, j), b = vertex(i + 1, j), c = vertex(i + 1, j + 1),
                           d = vertex(i, j + 1);
            // Counter-clockwise seen from outside (checked in the tests).
            if (i != 0) m.triangles.emplace_back(a, b, c);
            if (i != stacks - 1) m.triangles.emplace_back(a, c, d);
        }
    Landmarks& l = head.landmarks;
    l.vertex = e.at(0, 0);
    l.glabella = e.at(std::acos(15.0 / 110.0), 0); // 35 mm above the ear line, on the front
    l.nose_tip = l.glabella + glm::dvec3(0, -40, 20);
    l.ear_left = e.at(std::acos(-20.0 / 110.0), kPi / 2);
    l.ear_right = e.at(std::acos(-20.0 / 110.0), -kPi / 2);
    l.occiput = e.at(std::acos(10.0 / 110.0), kPi);
    head.breadth_mm = 152;
    head.length_mm = 196;
    head.height_mm = 220;
    return head;
}

// The triangle of syntheticHead(stacks, slices) containing the ellipsoid point (theta, phi),
// and that point projected into the triangle's plane. Returns false near the poles.
inline bool locateOnGrid(const HeadModel& head, int stacks, int slices, double theta, double phi,
                         glm::dvec3& point, uint32_t& triangle) {
    const Ellipsoid e;
    const glm::dvec3 p = e.at(theta, phi);
    double u = (phi - kPi) / (2 * kPi);
    u -= std::floor(u);
    const int i0 = int(theta / kPi * stacks), j0 = std::min(slices - 1, int(u * slices));
    // The curved point projects into its own quad's plane or, near an edge, a neighbour's.
    for (int di = 0; di < 9; ++di) {
        const int i = i0 + (di % 3) - 1;
        const int j = (j0 + (di / 3) - 1 + slices) % slices;
        if (i <= 0 || i >= stacks - 1) continue;
        // Triangle index: row 0 has one triangle per quad, other rows two.
        const uint32_t row_start = uint32_t(slices + (i - 1) * 2 * slices);
        for (uint32_t k = 0; k < 2; ++k) {
            const uint32_t t = row_start + uint32_t(j) * 2 + k;
            const glm::uvec3 tri = head.mesh.triangles[t];
            const glm::dvec3 a(head.mesh.positions[tri.x]), b(head.mesh.positions[tri.y]),
                c(head.mesh.positions[tri.z]);
            const glm::dvec3 n = glm::normalize(glm::cross(b - a, c - a));
            // Along the ray from the centre: neighbouring planes then agree on shared edges
            // (an orthogonal projection can miss both triangles next to an edge).
            const glm::dvec3 ray = p - e.centre;
            const glm::dvec3 q = e.centre + ray * (glm::dot(a - e.centre, n) / glm::dot(ray, n));
            // Barycentric test.
            const glm::dvec3 v0 = b - a, v1 = c - a, v2 = q - a;
            const double d00 = glm::dot(v0, v0), d01 = glm::dot(v0, v1), d11 = glm::dot(v1, v1);
            const double d20 = glm::dot(v2, v0), d21 = glm::dot(v2, v1);
            const double den = d00 * d11 - d01 * d01;
            const double w1 = (d11 * d20 - d01 * d21) / den, w2 = (d00 * d21 - d01 * d20) / den;
            if (w1 >= -1e-6 && w2 >= -1e-6 && w1 + w2 <= 1 + 1e-6) {
                point = q;
                triangle = t;
                return true;
            }
        }
    }
    return false;
}

// A dot on the synthetic head at (theta, phi).
inline bool syntheticDot(const HeadModel& head, int stacks, int slices, double theta, double phi,
                         float diameter_mm, float shade, uint64_t id, Dot& dot) {
    glm::dvec3 p;
    uint32_t t;
    if (!locateOnGrid(head, stacks, slices, theta, phi, p, t)) return false;
    dot.position_mm = glm::vec3(p);
    dot.normal = glm::vec3(Ellipsoid().normal(p));
    dot.diameter_mm = diameter_mm;
    dot.aspect = 1.0f;
    dot.angle_rad = 0.0f;
    dot.shade = shade;
    dot.triangle = t;
    dot.id = id;
    return true;
}

// Dots on a Fibonacci lattice over the ellipsoid's directions, kept where y > min_y_mm:
// near-uniform spacing (~ 100 mm * sqrt(4 pi / n)), so with small diameters none overlap.
inline FollicleSet latticeDots(const HeadModel& head, int stacks, int slices, int n,
                               double min_y_mm, float diameter_mm, float shade) {
    FollicleSet set;
    const double golden = kPi * (3.0 - std::sqrt(5.0));
    for (int k = 0; k < n; ++k) {
        const double y = 1.0 - 2.0 * (k + 0.5) / n;
        const double theta = std::acos(y), phi = golden * k;
        if (Ellipsoid().at(theta, phi).y < min_y_mm) continue;
        Dot dot;
        if (syntheticDot(head, stacks, slices, theta, phi, diameter_mm, shade, uint64_t(k), dot))
            set.dots.push_back(dot);
    }
    return set;
}

} // namespace stipple::test::layers
