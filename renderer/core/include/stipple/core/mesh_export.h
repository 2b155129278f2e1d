#pragma once

// Mesh export through Assimp's exporter: GLB (glTF 2 binary) with positions, normals, the
// mesh's own UVs (TEXCOORD_0), optionally a second UV set (the scalp chart, TEXCOORD_1) and
// an optional albedo PNG, embedded or referenced; OBJ and PLY for other tools. Returns bytes:
// the caller writes them (atomically, with writeFileAtomic from image.h).

#include <string>
#include <utility>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/mesh.h"

namespace stipple {

enum class MeshFormat { Glb, Obj, Ply };

struct MeshExportOptions {
    MeshFormat format = MeshFormat::Glb;
    // Empty, or one per vertex: the second UV set (scalp chart), v up like Mesh::uvs.
    // Only GLB carries it (TEXCOORD_1); OBJ and PLY have one UV set.
    std::vector<glm::vec2> chart_uvs;
    // PNG bytes of the albedo texture to embed (GLB only), or empty.
    std::string albedo_png;
    // File name of an albedo texture the file refers to (relative to the file), used when
    // albedo_png is empty; empty for none.
    std::string albedo_uri;
    std::string name = "head"; // mesh and node name inside the file
};

struct ExportedMesh {
    std::string bytes; // the main file
    // Files the main file refers to, e.g. {"head.mtl", ...} for OBJ (named after options.name).
    std::vector<std::pair<std::string, std::string>> side_files;
};

// Writes `mesh` in `options.format`. UVs are stored in each format's own convention (glTF v
// down, OBJ/PLY v up) so that importMesh() gives back Mesh::uvs exactly (v up).
// Throws stipple::Error when the mesh has no triangles, when normals/uvs/chart_uvs are neither
// empty nor one per vertex, or when Assimp fails (with its reason).
ExportedMesh exportMesh(const Mesh& mesh, const MeshExportOptions& options = {});

// "glb", "obj", "ply" -> MeshFormat; throws stipple::Error listing the accepted names.
MeshFormat parseMeshFormat(const std::string& name);

} // namespace stipple
