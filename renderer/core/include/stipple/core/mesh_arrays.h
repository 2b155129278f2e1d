#pragma once

// A head mesh handed over as arrays in a host's memory (Blender's own mesh through the C ABI,
// any viewer's vertex buffers), turned into what importMesh() delivers for a file, so that
// buildHeadModel() takes it unchanged.
//
// Unlike importMesh(), nothing is reordered and no vertex is dropped: vertex i of the result is
// vertex i of the host's arrays, so every per-vertex output (chart UVs, head-frame positions)
// maps back onto the host's mesh one to one. The host chose its mesh, so no skin patch is
// picked either (buildHeadModel() already analyses the largest component only); only triangles
// that cannot be part of a surface (zero area, or a repeated corner after welding) are dropped,
// counted and warned about, as importMesh() does.

#include <cstddef>
#include <cstdint>
#include <string>

#include "stipple/core/error.h"
#include "stipple/core/mesh_import.h"

namespace stipple {

// Views of the host's arrays (not owned; read only during the call that takes them).
struct MeshArrays {
    const float* positions = nullptr;  // 3 floats (x, y, z) per vertex, host units and axes
    size_t vertex_count = 0;           // 3..UINT32_MAX
    const uint32_t* indices = nullptr; // 3 per triangle, counter-clockwise seen from outside
    size_t triangle_count = 0;         // 1..max_triangles
    const float* uvs = nullptr;        // null, or 2 floats (u, v; v up) per vertex
    std::string name = "mesh arrays";  // how messages and ImportReport::file name the mesh
    size_t max_triangles = 2'000'000;  // as ImportOptions::max_triangles
};

// Checks the arrays before any conversion: pointers present, counts in range, every index
// below vertex_count, every coordinate and UV finite. Throws stipple::Error with the
// argument's name as the field ("positions", "indices", "uvs", "vertex_count",
// "triangle_count") and the first offending element's index in the message, saying what is
// accepted.
void validateMeshArrays(const MeshArrays& arrays);

// validateMeshArrays(), then the mesh: positions and UVs copied in the host's order, welded by
// exact position equality (+0 == -0), degenerate triangles dropped (counted in the report and
// warned about), smooth normals computed over welded positions (computeNormals). The report
// has file = arrays.name, format "arrays", sha256 of the array bytes (positions, indices, then
// UVs) for provenance, the component count, has_uvs and the bounding box. Throws as
// validateMeshArrays(), and stipple::Error when no usable triangle is left.
ImportedMesh importMeshArrays(const MeshArrays& arrays);

} // namespace stipple
