#include "stipple/core/mesh_export.h"

// Builds an aiScene by hand (one mesh, one material, one node) and hands it to Assimp's
// Exporter::ExportToBlob. UV convention: glTF 2 puts the UV origin at the image's top-left
// (v down); Assimp keeps aiMesh UVs v up (OpenGL/OBJ) and, as measured on Assimp 5.2.5, its
// glTF2 exporter writes 1 - v and its glTF2 importer reads back 1 - v without
// aiProcess_FlipUVs. Our Mesh UVs are v up, so they pass through unchanged and the file on
// disk is correct glTF. tests/core/mesh_export_test.cpp checks both the bytes on disk and the
// round trip.

#include <cstring>
#include <memory>

#include <assimp/Exporter.hpp>
#include <assimp/material.h>
#include <assimp/scene.h>

#include "stipple/core/error.h"

namespace stipple {

MeshFormat parseMeshFormat(const std::string& name) {
    if (name == "glb") return MeshFormat::Glb;
    if (name == "obj") return MeshFormat::Obj;
    if (name == "ply") return MeshFormat::Ply;
    throw Error("unknown mesh format '" + name + "'; accepted: glb, obj, ply");
}

namespace {

aiVector3D* copyVectors(const std::vector<glm::vec3>& v) {
    auto* out = new aiVector3D[v.size()];
    for (size_t i = 0; i < v.size(); ++i)
        out[i] = aiVector3D(v[i].x, v[i].y, v[i].z);
    return out;
}

aiVector3D* copyUvs(const std::vector<glm::vec2>& uv) {
    auto* out = new aiVector3D[uv.size()];
    for (size_t i = 0; i < uv.size(); ++i)
        out[i] = aiVector3D(uv[i].x, uv[i].y, 0.0f);
    return out;
}

void checkPerVertex(size_t count, size_t vertices, const char* what) {
    if (count != 0 && count != vertices)
        throw Error(std::string("exportMesh(): ") + std::to_string(count) + " " + what + " for " +
                    std::to_string(vertices) + " vertices; give one per vertex or none");
}

} // namespace

ExportedMesh exportMesh(const Mesh& mesh, const MeshExportOptions& options) {
    if (mesh.triangles.empty()) throw Error("exportMesh(): the mesh has no triangles");
    const size_t nv = mesh.positions.size();
    checkPerVertex(mesh.normals.size(), nv, "normals");
    checkPerVertex(mesh.uvs.size(), nv, "uvs");
    checkPerVertex(options.chart_uvs.size(), nv, "chart uvs");
    const bool gltf = options.format == MeshFormat::Glb;

    auto scene = std::make_unique<aiScene>();
    scene->mRootNode = new aiNode();
    scene->mRootNode->mName = aiString(options.name);
    scene->mRootNode->mNumMeshes = 1;
    scene->mRootNode->mMeshes = new unsigned[1]{0};

    auto* material = new aiMaterial();
    const aiString material_name(options.name + "_skin");
    material->AddProperty(&material_name, AI_MATKEY_NAME);
    const aiColor4D white(1, 1, 1, 1);
    material->AddProperty(&white, 1, AI_MATKEY_COLOR_DIFFUSE);
    if (!options.albedo_png.empty() && gltf) {
        // Embedded texture: Assimp names embedded textures "*<index>".
        auto* texture = new aiTexture();
        texture->mWidth = unsigned(options.albedo_png.size()); // mHeight 0 = compressed bytes
        texture->mHeight = 0;
        std::strncpy(texture->achFormatHint, "png", sizeof(texture->achFormatHint) - 1);
        texture->pcData = new aiTexel[(options.albedo_png.size() + 3) / 4];
        std::memcpy(texture->pcData, options.albedo_png.data(), options.albedo_png.size());
        scene->mNumTextures = 1;
        scene->mTextures = new aiTexture* [1] { texture };
        const aiString path("*0");
        material->AddProperty(&path, AI_MATKEY_TEXTURE(aiTextureType_DIFFUSE, 0));
    } else if (!options.albedo_uri.empty()) {
        const aiString path(options.albedo_uri);
        material->AddProperty(&path, AI_MATKEY_TEXTURE(aiTextureType_DIFFUSE, 0));
    }
    scene->mNumMaterials = 1;
    scene->mMaterials = new aiMaterial* [1] { material };

    auto* am = new aiMesh();
    am->mName = aiString(options.name);
    am->mPrimitiveTypes = aiPrimitiveType_TRIANGLE;
    am->mMaterialIndex = 0;
    am->mNumVertices = unsigned(nv);
    am->mVertices = copyVectors(mesh.positions);
    if (!mesh.normals.empty()) am->mNormals = copyVectors(mesh.normals);
    unsigned uv_set = 0;
    if (!mesh.uvs.empty()) {
        am->mTextureCoords[uv_set] = copyUvs(mesh.uvs);
        am->mNumUVComponents[uv_set++] = 2;
    }
    if (!options.chart_uvs.empty() && gltf) {
        am->mTextureCoords[uv_set] = copyUvs(options.chart_uvs);
        am->mNumUVComponents[uv_set++] = 2;
    }
    am->mNumFaces = unsigned(mesh.triangles.size());
    am->mFaces = new aiFace[mesh.triangles.size()];
    for (size_t f = 0; f < mesh.triangles.size(); ++f) {
        const glm::uvec3& t = mesh.triangles[f];
        // Not input-reachable: importMesh and the C ABI check every index against the vertex count.
        STIPPLE_ASSERT(t.x < nv && t.y < nv && t.z < nv, "exportMesh(): index out of range");
        aiFace& face = am->mFaces[f];
        face.mNumIndices = 3;
        face.mIndices = new unsigned[3]{t.x, t.y, t.z};
    }
    scene->mNumMeshes = 1;
    scene->mMeshes = new aiMesh* [1] { am };

    const char* format_id = gltf ? "glb2" : options.format == MeshFormat::Obj ? "obj" : "plyb";
    Assimp::Exporter exporter;
    const aiExportDataBlob* blob = exporter.ExportToBlob(scene.get(), format_id);
    if (!blob)
        throw RuntimeFailure(std::string("exportMesh(): Assimp could not write ") + format_id +
                             ": " + exporter.GetErrorString());
    ExportedMesh out;
    out.bytes.assign(static_cast<const char*>(blob->data), blob->size);
    if (options.format == MeshFormat::Obj) {
        // Assimp's OBJ exporter refers to its material blob as "$blobfile.mtl"; name it.
        const std::string placeholder = "$blobfile";
        const size_t at = out.bytes.find(placeholder);
        if (at != std::string::npos) out.bytes.replace(at, placeholder.size(), options.name);
    }
    const char* ext = options.format == MeshFormat::Obj ? "obj" : "mtl";
    for (const aiExportDataBlob* side = blob->next; side; side = side->next) {
        // Assimp names side blobs by their extension only ("mtl").
        std::string name = side->name.length ? side->name.C_Str() : ext;
        out.side_files.emplace_back(options.name + "." + name,
                                    std::string(static_cast<const char*>(side->data), side->size));
    }
    return out;
}

} // namespace stipple
