#pragma once

// Head mesh import through Assimp: OBJ (+MTL), PLY, STL, glTF/GLB, FBX and what else Assimp
// reads. The scene is flattened with its node transforms (mirroring transforms flip the
// winding back), positions are welded for topology, degenerate and non-finite triangles are
// dropped and counted, and the skin surface is picked: unless the design names parts to keep,
// the largest surface patch by area, where a patch is connected across edges shared by exactly
// two triangles. So separate shells (eyeballs, teeth) go, and so do eyelashes, tear film and
// occlusion shells that face kits hang on the lid margin along edges where 3+ triangles meet.
// Normals are the file's when every kept vertex has one (never STL's facet normals), else
// computed. Positions stay in the file's own units and axes: units/axes are the head frame's
// business (head_model.h).
//
// UV convention: Mesh::uvs are the mesh's own UV set 0 with v up, origin at the bottom-left
// of the image (OBJ/FBX/OpenGL). glTF stores v down; Assimp flips it on import and we keep
// that, so a glTF uv (0, 0) (top-left) arrives as (0, 1). UDIM tiles (u in 1..2, 2..3, ...)
// are kept as they are. Mesh::albedo_texture is the kept material's diffuse/base-colour
// image, resolved against the model's folder, and Mesh::albedo that image decoded (once, here:
// nothing downstream reads it from disk again); a texture that is missing or cannot be decoded
// is an import warning and leaves the mesh without albedo. Images embedded in the file (GLB)
// are not extracted yet (a warning says so).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "stipple/core/mesh.h"

namespace stipple {

struct ImportOptions {
    // Mesh, node or material names to keep (exact match); empty = keep the largest surface
    // patch (see above). Every name must match something in the file, else importMesh
    // throws listing the available names.
    std::vector<std::string> keep;
    // The import memory budget (docs/input-limits.md): each limit is checked before anything
    // of that size is allocated, and refused with an error naming the limit.
    // More triangles than this (declared in a PLY/STL header, face lines of an OBJ, or after
    // triangulation) is refused.
    size_t max_triangles = 2'000'000;
    // More vertices than this (declared in a PLY header, vertex lines of an OBJ) is refused.
    size_t max_vertices = 3'000'000;
    // Larger files (the mesh, and every file Assimp opens beside it: .mtl, .bin) are refused.
    uint64_t max_file_bytes = uint64_t(512) << 20;
};

// What import removed, and why: what = the part names ("M_Teeth", "eyeball_L/eye",
// "component 3" for unnamed meshes) or "degenerate triangles", "non-finite triangles",
// "points and lines"; reason in words ("not connected to the largest surface ...; 32 pieces").
struct DroppedPart {
    std::string what;
    size_t triangles = 0;
    std::string reason;
};

struct ImportReport {
    std::filesystem::path file;
    std::string sha256;              // of the file's bytes
    std::string format;              // "obj", "ply", "stl", "gltf2", "glb2", "fbx", else the
                                     // file's extension without the dot
    size_t source_vertices = 0;      // as Assimp delivers them (split where UVs differ), all parts
    size_t source_triangles = 0;     // after triangulation, before anything is dropped
    size_t components = 0;           // connected components of the whole (welded) scene
    size_t points_and_lines = 0;     // non-triangle primitives dropped
    size_t nonfinite_triangles = 0;  // dropped: a corner with a NaN/Inf coordinate
    size_t degenerate_triangles = 0; // dropped: zero area or a repeated (welded) corner
    std::vector<std::string> part_names; // every mesh, node and material name, for head.keep
    std::vector<DroppedPart> dropped;
    bool has_uvs = false;     // the file had UVs on the kept surface
    bool has_normals = false; // the file had normals (else they were computed)
    Box bbox;                 // of the kept surface, file units
    std::vector<std::string> warnings;
};

struct ImportedMesh {
    Mesh mesh;
    ImportReport report;
};

// Loads `file`. Throws stipple::Error naming the file and saying what was expected for: a
// missing file, a directory, a file that is not a regular file (FIFO, device, socket), an
// empty or unreadable file, one over options.max_file_bytes, a truncated GLB/STL/PLY (ASCII
// or binary: every declared element and list must be in the file), declared or counted
// vertices/triangles over the options' limits (checked before Assimp allocates them), glTF
// JSON nested over 64 levels or nodes that are not a forest at most 128 deep, a format
// Assimp cannot parse (with Assimp's reason), an empty scene, a mesh with no usable
// triangles, more than options.max_triangles triangles, a keep name that matches nothing
// (pointer /head/keep). Dropped non-finite and degenerate triangles are counted and warned
// about, not errors. The returned mesh always has normals and a weld; uvs when the file had
// them on every kept part.
ImportedMesh importMesh(const std::filesystem::path& file, const ImportOptions& options = {});

} // namespace stipple
