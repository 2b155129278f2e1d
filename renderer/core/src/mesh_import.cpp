#include "stipple/core/mesh_import.h"

#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"

// MINIMAL first version (skeleton): flattens the scene and concatenates every mesh. The
// mesh-import work replaces this with component selection, validation and welding.

namespace stipple {

ImportedMesh importMesh(const std::filesystem::path& file, const ImportOptions& options) {
    const std::string bytes = readFile(file);
    if (bytes.empty()) throw Error("file is empty (0 bytes)", file.string());
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFileFromMemory(
        bytes.data(), bytes.size(),
        aiProcess_Triangulate | aiProcess_PreTransformVertices | aiProcess_JoinIdenticalVertices,
        file.extension().string().c_str() + (file.extension().empty() ? 0 : 1));
    if (!scene) throw Error(std::string("cannot be read: ") + importer.GetErrorString(), file.string());
    ImportedMesh out;
    out.report.file = file;
    out.report.sha256 = sha256Hex(bytes);
    Mesh& mesh = out.mesh;
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        const aiMesh* am = scene->mMeshes[m];
        const uint32_t base = uint32_t(mesh.positions.size());
        for (unsigned v = 0; v < am->mNumVertices; ++v)
            mesh.positions.emplace_back(am->mVertices[v].x, am->mVertices[v].y, am->mVertices[v].z);
        for (unsigned f = 0; f < am->mNumFaces; ++f) {
            const aiFace& face = am->mFaces[f];
            if (face.mNumIndices != 3) continue;
            mesh.triangles.emplace_back(base + face.mIndices[0], base + face.mIndices[1],
                                        base + face.mIndices[2]);
        }
    }
    if (mesh.triangles.empty()) throw Error("contains no triangles", file.string());
    if (mesh.triangles.size() > options.max_triangles)
        throw Error("has " + std::to_string(mesh.triangles.size()) +
                        " triangles, more than the limit of " +
                        std::to_string(options.max_triangles),
                    file.string());
    computeNormals(mesh);
    out.report.source_vertices = mesh.positions.size();
    out.report.source_triangles = mesh.triangles.size();
    out.report.components = 1;
    out.report.bbox = boundingBox(mesh);
    return out;
}

} // namespace stipple
