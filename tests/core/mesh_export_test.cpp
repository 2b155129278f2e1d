#include "stipple/core/mesh_export.h"

#include <cstring>

#include <assimp/Importer.hpp>
#include <assimp/scene.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stipple/core/error.h"
#include "stipple/core/image.h"
#include "stipple/core/mesh_import.h"
#include "test_util.h"

namespace stipple {
namespace {

// A tetrahedron with distinct, asymmetric UVs in both sets (v in 0.1..0.4 so a missing or
// double flip shows as v in 0.6..0.9), split at one vertex like a UV seam.
Mesh tetrahedron() {
    Mesh mesh;
    mesh.positions = {{0, 0, 0}, {10, 0, 0}, {0, 20, 0}, {0, 0, 30}, {0, 0, 0}};
    mesh.uvs = {{0.1f, 0.1f}, {0.2f, 0.15f}, {0.3f, 0.4f}, {0.05f, 0.25f}, {0.9f, 0.1f}};
    mesh.triangles = {{0, 2, 1}, {0, 1, 3}, {4, 3, 2}, {1, 2, 3}};
    computeNormals(mesh);
    return mesh;
}

std::vector<glm::vec2> chartUvs() {
    return {{0.5f, 0.2f}, {0.6f, 0.3f}, {0.7f, 0.35f}, {0.55f, 0.12f}, {0.45f, 0.2f}};
}

// The JSON chunk of a GLB (header 12 bytes, then chunk length, type "JSON", data).
nlohmann::json glbJson(const std::string& glb) {
    uint32_t length = 0;
    std::memcpy(&length, glb.data() + 12, 4);
    return nlohmann::json::parse(glb.substr(20, length));
}

TEST(MeshExport, GlbStoresUvsVDownOnDisk) {
    MeshExportOptions options;
    options.chart_uvs = chartUvs();
    const ExportedMesh out = exportMesh(tetrahedron(), options);
    ASSERT_GT(out.bytes.size(), 20u);
    EXPECT_EQ(out.bytes.substr(0, 4), "glTF");
    const nlohmann::json j = glbJson(out.bytes);
    const auto& attributes = j["meshes"][0]["primitives"][0]["attributes"];
    ASSERT_TRUE(attributes.contains("TEXCOORD_0"));
    ASSERT_TRUE(attributes.contains("TEXCOORD_1"));
    // glTF's v runs down the image: our v 0.1..0.4 must be stored as 0.6..0.9.
    const auto& acc = j["accessors"][attributes["TEXCOORD_0"].get<int>()];
    EXPECT_NEAR(acc["min"][1].get<double>(), 0.6, 1e-6);
    EXPECT_NEAR(acc["max"][1].get<double>(), 0.9, 1e-6);
}

TEST(MeshExport, GlbRoundTripsBothUvSetsThroughAssimp) {
    const Mesh mesh = tetrahedron();
    MeshExportOptions options;
    options.chart_uvs = chartUvs();
    const ExportedMesh out = exportMesh(mesh, options);
    Assimp::Importer importer;
    const aiScene* scene =
        importer.ReadFileFromMemory(out.bytes.data(), out.bytes.size(), 0, "glb");
    ASSERT_NE(scene, nullptr) << importer.GetErrorString();
    ASSERT_EQ(scene->mNumMeshes, 1u);
    const aiMesh* am = scene->mMeshes[0];
    ASSERT_EQ(am->mNumVertices, mesh.vertexCount());
    ASSERT_EQ(am->mNumFaces, mesh.triangleCount());
    ASSERT_TRUE(am->HasTextureCoords(0));
    ASSERT_TRUE(am->HasTextureCoords(1));
    ASSERT_TRUE(am->HasNormals());
    // float -> 1 - v -> 1 - v: exact up to one float rounding of the subtraction.
    for (unsigned v = 0; v < am->mNumVertices; ++v) {
        EXPECT_EQ(am->mVertices[v].x, mesh.positions[v].x);
        EXPECT_EQ(am->mVertices[v].z, mesh.positions[v].z);
        EXPECT_NEAR(am->mTextureCoords[0][v].x, mesh.uvs[v].x, 1e-7);
        EXPECT_NEAR(am->mTextureCoords[0][v].y, mesh.uvs[v].y, 1e-7);
        EXPECT_NEAR(am->mTextureCoords[1][v].x, options.chart_uvs[v].x, 1e-7);
        EXPECT_NEAR(am->mTextureCoords[1][v].y, options.chart_uvs[v].y, 1e-7);
        EXPECT_NEAR(am->mNormals[v].y, mesh.normals[v].y, 1e-6);
    }
    for (unsigned f = 0; f < am->mNumFaces; ++f)
        for (int k = 0; k < 3; ++k)
            EXPECT_EQ(am->mFaces[f].mIndices[k], mesh.triangles[f][k]);
}

TEST(MeshExport, GlbRoundTripsThroughImportMesh) {
    const auto dir = test::outputDir("mesh_export_glb");
    const Mesh mesh = tetrahedron();
    writeFileAtomic(dir / "t.glb", exportMesh(mesh).bytes, Overwrite::No);
    const ImportedMesh back = importMesh(dir / "t.glb");
    ASSERT_EQ(back.mesh.triangleCount(), mesh.triangleCount());
    ASSERT_EQ(back.mesh.vertexCount(), mesh.vertexCount());
    ASSERT_EQ(back.mesh.uvs.size(), back.mesh.vertexCount());
    // Triangle order is kept, so corners compare one to one (vertex order may be welded).
    for (size_t f = 0; f < mesh.triangleCount(); ++f)
        for (int k = 0; k < 3; ++k) {
            EXPECT_EQ(back.mesh.positions[back.mesh.triangles[f][k]],
                      mesh.positions[mesh.triangles[f][k]]);
            const glm::vec2 d =
                back.mesh.uvs[back.mesh.triangles[f][k]] - mesh.uvs[mesh.triangles[f][k]];
            EXPECT_LT(glm::length(d), 1e-6f);
        }
}

TEST(MeshExport, ObjAndPlyCarryPositionsAndUvs) {
    const auto dir = test::outputDir("mesh_export_obj");
    const Mesh mesh = tetrahedron();
    MeshExportOptions options;
    options.format = MeshFormat::Obj;
    options.albedo_uri = "skin.png";
    const ExportedMesh obj = exportMesh(mesh, options);
    ASSERT_EQ(obj.side_files.size(), 1u);
    EXPECT_EQ(obj.side_files[0].first, "head.mtl");
    EXPECT_NE(obj.side_files[0].second.find("skin.png"), std::string::npos);
    // OBJ is v up like our Mesh: the first vt line is the first UV unchanged.
    EXPECT_NE(obj.bytes.find("vt 0.100000001 0.100000001"), std::string::npos);
    EXPECT_NE(obj.bytes.find("mtllib head.mtl"), std::string::npos);
    options.format = MeshFormat::Ply;
    const ExportedMesh ply = exportMesh(mesh, options);
    EXPECT_EQ(ply.bytes.substr(0, 3), "ply");
    writeFileAtomic(dir / "t.ply", ply.bytes, Overwrite::No);
    const ImportedMesh back = importMesh(dir / "t.ply");
    EXPECT_EQ(back.mesh.triangleCount(), mesh.triangleCount());
}

TEST(MeshExport, EmbedsAlbedoPng) {
    Image8 albedo(4, 4, 3, 200);
    MeshExportOptions options;
    options.albedo_png = encodePng(albedo);
    const ExportedMesh out = exportMesh(tetrahedron(), options);
    const nlohmann::json j = glbJson(out.bytes);
    ASSERT_EQ(j["images"].size(), 1u);
    EXPECT_EQ(j["images"][0]["mimeType"], "image/png");
    EXPECT_EQ(j["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]["index"], 0);
}

TEST(MeshExport, RejectsBadInput) {
    Mesh mesh = tetrahedron();
    mesh.uvs.pop_back();
    try {
        exportMesh(mesh);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("4 uvs for 5 vertices"), std::string::npos);
    }
    EXPECT_THROW(exportMesh(Mesh{}), Error);
    EXPECT_THROW(parseMeshFormat("stl"), Error);
}

} // namespace
} // namespace stipple
