#pragma once

// Rays against a mesh: what a host's picking needs (the viewer drags hairline points and scar
// outlines on the surface). Möller & Trumbore, "Fast, Minimum Storage Ray/Triangle
// Intersection", JGT 1997, over every triangle (a head is ~10^5 triangles: ~1 ms, which a drag
// event can afford; no acceleration structure to keep in sync with the mesh).

#include <cstddef>
#include <optional>

#include <glm/glm.hpp>

#include "stipple/core/mesh.h"

namespace stipple {

struct RayHit {
    glm::dvec3 point{0}; // on the surface, in the mesh's units and frame
    double distance = 0; // along the ray, in units of |direction|
    size_t triangle = 0; // index into mesh.triangles
};

// The nearest intersection of the ray origin + t * direction, t > 0, with `mesh` (both faces
// of every triangle count), or nullopt when the ray misses. A zero or non-finite `direction` or
// a non-finite `origin` (a viewer's pick through a degenerate camera: a host's input) misses.
std::optional<RayHit> intersectRay(const Mesh& mesh, const glm::dvec3& origin,
                                   const glm::dvec3& direction);

// The distance from `point` to the nearest point of `mesh`'s triangles (brute force; for tests
// and tools). Infinity for a mesh without triangles.
double distanceToMesh(const Mesh& mesh, const glm::dvec3& point);

} // namespace stipple
