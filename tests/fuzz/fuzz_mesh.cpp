// libFuzzer target: the mesh-import wrapper (importMesh, mesh_import.h) over Assimp, for the
// four formats heads come in. The first input byte picks the format (byte % 4: OBJ, PLY, STL,
// GLB), the rest is the file; importMesh takes a path, so the bytes go to a scratch file with
// that extension. importMesh must return a mesh or throw stipple::Error, never crash, abort,
// hang or leak, and what it returns must keep its documented promises (checked below).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "stipple/core/error.h"
#include "stipple/core/mesh_import.h"

namespace {

constexpr const char* kExtensions[4] = {".obj", ".ply", ".stl", ".glb"};

// mesh_import.h: "The returned mesh always has normals and a weld", triangles index existing
// vertices, and nothing non-finite is kept.
void checkMesh(const stipple::ImportedMesh& imported) {
    const stipple::Mesh& mesh = imported.mesh;
    if (mesh.triangles.empty()) stipple::fuzz::fail("importMesh returned no triangles");
    if (mesh.normals.size() != mesh.positions.size())
        stipple::fuzz::fail("importMesh returned a mesh without one normal per vertex");
    if (mesh.weld.size() != mesh.positions.size())
        stipple::fuzz::fail("importMesh returned a mesh without one weld id per vertex");
    if (!mesh.uvs.empty() && mesh.uvs.size() != mesh.positions.size())
        stipple::fuzz::fail("importMesh returned UVs that are not one per vertex");
    for (const auto& t : mesh.triangles)
        for (int k = 0; k < 3; ++k)
            if (size_t(t[k]) >= mesh.positions.size())
                stipple::fuzz::fail("importMesh returned a triangle index out of range");
    for (const auto& p : mesh.positions)
        if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z))
            stipple::fuzz::fail("importMesh kept a non-finite position");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::filesystem::path file =
        stipple::fuzz::scratchDir() / (std::string("head") + kExtensions[data[0] % 4]);
    stipple::fuzz::writeInput(file, stipple::fuzz::bytesOf(data + 1, size - 1));
    try {
        checkMesh(stipple::importMesh(file));
    } catch (const stipple::Error&) {
        // rejected with a message: the contract
    }
    return 0;
}
