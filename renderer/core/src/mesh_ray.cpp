#include "stipple/core/mesh_ray.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/core/error.h"

namespace stipple {

namespace {

// t along the ray for triangle (a, b, c), or a negative value for a miss (Möller-Trumbore).
double rayTriangle(const glm::dvec3& o, const glm::dvec3& d, const glm::dvec3& a,
                   const glm::dvec3& b, const glm::dvec3& c) {
    const glm::dvec3 e1 = b - a, e2 = c - a;
    const glm::dvec3 p = glm::cross(d, e2);
    const double det = glm::dot(e1, p);
    if (std::abs(det) < 1e-300) return -1; // parallel (or degenerate triangle)
    const double inv = 1.0 / det;
    const glm::dvec3 s = o - a;
    const double u = glm::dot(s, p) * inv;
    if (u < 0 || u > 1) return -1;
    const glm::dvec3 q = glm::cross(s, e1);
    const double v = glm::dot(d, q) * inv;
    if (v < 0 || u + v > 1) return -1;
    return glm::dot(e2, q) * inv;
}

// Closest point of triangle (a, b, c) to p (Ericson, Real-Time Collision Detection, 5.1.5).
glm::dvec3 closestOnTriangle(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b,
                             const glm::dvec3& c) {
    const glm::dvec3 ab = b - a, ac = c - a, ap = p - a;
    const double d1 = glm::dot(ab, ap), d2 = glm::dot(ac, ap);
    if (d1 <= 0 && d2 <= 0) return a;
    const glm::dvec3 bp = p - b;
    const double d3 = glm::dot(ab, bp), d4 = glm::dot(ac, bp);
    if (d3 >= 0 && d4 <= d3) return b;
    const double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) return a + ab * (d1 / (d1 - d3));
    const glm::dvec3 cp = p - c;
    const double d5 = glm::dot(ab, cp), d6 = glm::dot(ac, cp);
    if (d6 >= 0 && d5 <= d6) return c;
    const double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) return a + ac * (d2 / (d2 - d6));
    const double va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0)
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    const double denom = 1.0 / (va + vb + vc);
    return a + ab * (vb * denom) + ac * (vc * denom);
}

} // namespace

std::optional<RayHit> intersectRay(const Mesh& mesh, const glm::dvec3& origin,
                                   const glm::dvec3& direction) {
    const double length2 = glm::dot(direction, direction);
    if (!(length2 > 0) || !std::isfinite(length2) || !std::isfinite(glm::dot(origin, origin)))
        return std::nullopt;
    std::optional<RayHit> best;
    for (size_t t = 0; t < mesh.triangles.size(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const double hit =
            rayTriangle(origin, direction, glm::dvec3(mesh.positions[tri.x]),
                        glm::dvec3(mesh.positions[tri.y]), glm::dvec3(mesh.positions[tri.z]));
        if (hit > 0 && (!best || hit < best->distance)) best = RayHit{{}, hit, t};
    }
    if (best) best->point = origin + direction * best->distance;
    return best;
}

double distanceToMesh(const Mesh& mesh, const glm::dvec3& point) {
    double best = std::numeric_limits<double>::infinity();
    for (const glm::uvec3& tri : mesh.triangles) {
        const glm::dvec3 q =
            closestOnTriangle(point, glm::dvec3(mesh.positions[tri.x]),
                              glm::dvec3(mesh.positions[tri.y]), glm::dvec3(mesh.positions[tri.z]));
        best = std::min(best, glm::length(point - q));
    }
    return best;
}

} // namespace stipple
