#pragma once

// Head mesh import through Assimp: OBJ (+MTL), PLY, STL, glTF/GLB, FBX and what else Assimp
// reads. The scene is flattened with its node transforms, positions are welded for topology,
// the skin surface is picked (largest connected component unless the design names parts to
// keep), degenerate and non-finite triangles are dropped and counted, normals are computed
// when missing. Positions stay in the file's own units and axes: units/axes are the head
// frame's business (head_model.h).

#include <filesystem>
#include <string>
#include <vector>

#include "stipple/core/mesh.h"

namespace stipple {

struct ImportOptions {
    // Mesh or material names to keep (exact match); empty = keep the largest connected
    // component of the whole scene.
    std::vector<std::string> keep;
    // More triangles than this is refused with an error naming the limit.
    size_t max_triangles = 2'000'000;
};

// What import removed, and why ("eyeball_L: 2,480 triangles, not connected to the skin").
struct DroppedPart {
    std::string what;
    size_t triangles = 0;
    std::string reason;
};

struct ImportReport {
    std::filesystem::path file;
    std::string sha256;            // of the file's bytes
    std::string format;            // Assimp's format id, e.g. "obj", "glb2"
    size_t source_vertices = 0;    // before any processing
    size_t source_triangles = 0;
    size_t components = 0;         // connected components of the whole (welded) scene
    std::vector<DroppedPart> dropped;
    bool has_uvs = false;          // the file had UVs on the kept surface
    bool has_normals = false;      // the file had normals (else they were computed)
    Box bbox;                      // of the kept surface, file units
    std::vector<std::string> warnings;
};

struct ImportedMesh {
    Mesh mesh;
    ImportReport report;
};

// Loads `file`. Throws stipple::Error naming the file for: a missing file, a directory,
// an empty or unreadable file, a format Assimp cannot parse (with Assimp's reason), an empty
// scene, a mesh with no usable triangles, more than options.max_triangles triangles.
ImportedMesh importMesh(const std::filesystem::path& file, const ImportOptions& options = {});

} // namespace stipple
