#pragma once

// The plain triangle mesh every stage passes around.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/image.h"

namespace stipple {

// An indexed triangle mesh. Vertices are split where UVs or normals differ (as GPUs want them);
// `weld` maps each vertex to the id of its welded position, which is what topology
// (components, neighbours, geodesics) must use.
struct Mesh {
    std::vector<glm::vec3> positions;  // in the units of the stage that made it
    std::vector<glm::vec3> normals;    // empty, or one unit normal per vertex
    std::vector<glm::vec2> uvs;        // empty, or one per vertex: the mesh's own UVs, v up
    std::vector<glm::uvec3> triangles; // counter-clockwise seen from outside
    std::vector<uint32_t> weld;        // empty, or one per vertex: welded position id

    // The mesh's own albedo texture (absolute path) when its material has one, else empty.
    std::filesystem::path albedo_texture;
    // That texture decoded (8-bit, as in the file, row 0 = v top), once, by importMesh; null when
    // there is none or it could not be decoded (an import warning then, and albedo_texture is
    // cleared). Shared and immutable: copies of the mesh share the pixels.
    std::shared_ptr<const Image8> albedo;

    size_t vertexCount() const { return positions.size(); }
    size_t triangleCount() const { return triangles.size(); }
};

// Axis-aligned bounding box of `positions`; for an empty mesh min > max.
struct Box {
    glm::dvec3 min{1e300};
    glm::dvec3 max{-1e300};
    glm::dvec3 size() const { return max - min; }
    glm::dvec3 centre() const { return 0.5 * (min + max); }
    bool empty() const { return min.x > max.x; }
};
Box boundingBox(const Mesh& mesh);

// Area-weighted vertex normals over welded positions (so seams get one normal), unit length.
// Overwrites mesh.normals. Requires mesh.weld to be empty or one per vertex.
void computeNormals(Mesh& mesh);

// Total surface area in squared mesh units.
double surfaceArea(const Mesh& mesh);

// Exact-equality weld: vertices that share a position share an id (0, 1, 2... in order of
// first appearance), for Mesh::weld. +0.0 and -0.0 are equal; a tolerance would merge
// genuinely separate shells such as an eyelid resting on an eyeball.
std::vector<uint32_t> weldPositions(const std::vector<glm::vec3>& positions);

} // namespace stipple
