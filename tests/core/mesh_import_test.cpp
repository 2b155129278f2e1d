#include "stipple/core/mesh_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <assimp/Exporter.hpp>
#include <assimp/Importer.hpp>
#include <assimp/scene.h>
#include <glm/gtc/matrix_transform.hpp>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/core/image.h"
#include "test_util.h"

// Every format is tested on the same scene, written here by hand so the right answer is
// known: a closed cube of 12 triangles (the "skin", corners at ±1, area 24) and, apart from
// it, a small tetrahedron (the "eye", 4 triangles) that the import must drop. Where a format
// has node transforms, the cube's node moves and mirrors it, and the test checks a moved
// vertex. FBX has no hand-writable form, so Assimp's own exporter writes it from the GLB.

namespace stipple {
namespace {

namespace fs = std::filesystem;

// ---- The known scene ---------------------------------------------------------------------

// Corner i of the cube is (±1, ±1, ±1) with bit 0 = x, bit 1 = y, bit 2 = z.
glm::vec3 cubeCorner(int i) {
    return {(i & 1) ? 1.0f : -1.0f, (i & 2) ? 1.0f : -1.0f, (i & 4) ? 1.0f : -1.0f};
}
// Six quads, counter-clockwise seen from outside (each checked with a cross product).
const int kCubeQuads[6][4] = {{0, 4, 6, 2}, {1, 3, 7, 5}, {0, 1, 5, 4},
                              {2, 6, 7, 3}, {0, 2, 3, 1}, {4, 5, 7, 6}};
std::vector<glm::uvec3> cubeTriangles() {
    std::vector<glm::uvec3> out;
    for (const auto& q : kCubeQuads) {
        out.emplace_back(q[0], q[1], q[2]);
        out.emplace_back(q[0], q[2], q[3]);
    }
    return out;
}
// The "eye": a tetrahedron of edge 0.2 at z = 3, clear of the cube (and of the cube scaled
// by 2 in the glTF scenes).
const glm::vec3 kEye[4] = {{0, 0, 3}, {0.2f, 0, 3}, {0, 0.2f, 3}, {0, 0, 3.2f}};
const glm::uvec3 kEyeTriangles[4] = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
// Per-corner UVs of the cube in the glTF scenes, as written in the file (v down).
glm::vec2 cubeUvInFile(int i) {
    return {0.125f * float(i), 0.0625f * float(i)};
}

void writeFile(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

template <typename T> void append(std::string& bytes, const T& value) {
    bytes.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

std::string base64(const std::string& bytes) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
        if (i + 2 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 2]));
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
}

// An error whose message must contain every one of `parts`.
void expectErrorMentions(const fs::path& file, const std::vector<std::string>& parts,
                         const ImportOptions& options = {}) {
    try {
        importMesh(file, options);
        ADD_FAILURE() << "expected stipple::Error for " << file;
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(file.string()), std::string::npos)
            << "the message must name the file: " << message;
        for (const std::string& part : parts)
            EXPECT_NE(message.find(part), std::string::npos)
                << "expected '" << part << "' in: " << message;
    }
}

const DroppedPart* findDropped(const ImportReport& report, const std::string& what) {
    for (const DroppedPart& d : report.dropped)
        if (d.what.find(what) != std::string::npos) return &d;
    return nullptr;
}

// Checks that the import kept exactly the cube (mapped by `transform`) and dropped the eye.
void expectCube(const ImportedMesh& imported, const glm::mat4& transform = glm::mat4(1)) {
    const Mesh& mesh = imported.mesh;
    ASSERT_EQ(mesh.triangleCount(), 12u);
    // Welding must bring the split corners back to the cube's 8.
    EXPECT_EQ(std::set<uint32_t>(mesh.weld.begin(), mesh.weld.end()).size(), 8u);
    ASSERT_EQ(mesh.normals.size(), mesh.vertexCount());
    const glm::vec3 centre = glm::vec3(transform * glm::vec4(0, 0, 0, 1));
    for (size_t v = 0; v < mesh.vertexCount(); ++v) {
        // Every vertex is a moved cube corner; the exact float ops differ per format, hence
        // the 1e-5 tolerance (positions are O(10)).
        bool is_corner = false;
        for (int i = 0; i < 8; ++i)
            if (glm::length(glm::vec3(transform * glm::vec4(cubeCorner(i), 1)) -
                            mesh.positions[v]) < 1e-5f)
                is_corner = true;
        EXPECT_TRUE(is_corner) << "vertex " << v << " is not a corner of the moved cube";
        // Unit normals pointing out of the cube, whether from the file or computed.
        EXPECT_NEAR(glm::length(mesh.normals[v]), 1.0f, 1e-5f);
        EXPECT_GT(glm::dot(mesh.normals[v], mesh.positions[v] - centre), 0.0f);
    }
    // Counter-clockwise seen from outside, also after a mirroring transform.
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::vec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        EXPECT_GT(glm::dot(glm::cross(b - a, c - a), (a + b + c) / 3.0f - centre), 0.0f);
    }
    const float scale = std::cbrt(std::abs(glm::determinant(glm::mat3(transform))));
    EXPECT_NEAR(surfaceArea(mesh), 24.0 * scale * scale, 1e-4);
    const ImportReport& report = imported.report;
    EXPECT_EQ(report.components, 2u); // cube and eye
    EXPECT_NEAR(report.bbox.size().x, 2.0 * scale, 1e-5);
    EXPECT_EQ(report.sha256, sha256File(report.file));
}

// ---- Scene writers --------------------------------------------------------------------------

// OBJ + MTL: the cube with per-face UVs (so corners are split 24 ways but weld to 8), the eye
// as its own object and material, a degenerate triangle with a repeated corner, a zero-area
// triangle on three collinear points and a triangle with a NaN corner.
fs::path writeObjScene(const fs::path& dir) {
    std::ostringstream obj;
    obj << "mtllib scene.mtl\n";
    for (int i = 0; i < 8; ++i) {
        const glm::vec3 p = cubeCorner(i);
        obj << "v " << p.x << ' ' << p.y << ' ' << p.z << '\n';
    }
    for (const glm::vec3& p : kEye)
        obj << "v " << p.x << ' ' << p.y << ' ' << p.z << '\n';
    obj << "v 5 0 0\nv 6 0 0\nv 7 0 0\n";   // 13..15 (1-based): collinear
    obj << "v nan 0 0\nv 5 1 0\nv 5 0 1\n"; // 16..18: one NaN corner
    obj << "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n";
    obj << "o Skin\nusemtl M_Skin\n";
    for (const auto& q : kCubeQuads)
        obj << "f " << q[0] + 1 << "/1 " << q[1] + 1 << "/2 " << q[2] + 1 << "/3 " << q[3] + 1
            << "/4\n";
    obj << "o Eye\nusemtl M_Eye\n";
    for (const glm::uvec3& t : kEyeTriangles)
        obj << "f " << t.x + 9 << "/1 " << t.y + 9 << "/2 " << t.z + 9 << "/3\n";
    obj << "o Junk\nusemtl M_Skin\n";
    obj << "f 1/1 1/1 2/2\n";    // repeated corner
    obj << "f 13/1 14/2 15/3\n"; // collinear
    obj << "f 16/1 17/2 18/3\n"; // NaN corner
    writeFile(dir / "scene.obj", obj.str());
    writeFile(dir / "scene.mtl", "newmtl M_Skin\nKd 0.8 0.6 0.5\nmap_Kd textures/skin.png\n"
                                 "newmtl M_Eye\nKd 1 1 1\n");
    fs::create_directories(dir / "textures");
    // A real 2x2 RGB image: the import decodes it once (Mesh::albedo).
    Image8 skin(2, 2, 3);
    for (size_t i = 0; i < skin.pixels.size(); ++i)
        skin.pixels[i] = uint8_t(40 * i);
    writeFile(dir / "textures/skin.png", encodePng(skin));
    return dir / "scene.obj";
}

// glTF 2.0 buffer: cube positions, cube UVs, cube indices, eye positions, eye indices.
std::string gltfBuffer() {
    std::string bin;
    for (int i = 0; i < 8; ++i)
        append(bin, cubeCorner(i));
    for (int i = 0; i < 8; ++i)
        append(bin, cubeUvInFile(i));
    for (const glm::uvec3& t : cubeTriangles())
        append(bin, t);
    for (const glm::vec3& p : kEye)
        append(bin, p);
    for (const glm::uvec3& t : kEyeTriangles)
        append(bin, t);
    return bin; // 96 + 64 + 144 + 48 + 48 = 400 bytes
}

// The cube's node mirrors x and scales by 2, then moves +10 in x.
const glm::mat4 kGltfCubeTransform =
    glm::scale(glm::translate(glm::mat4(1), {10, 0, 0}), glm::vec3(-2, 2, 2));

// With `embedded_texture`, the skin's material has a base-colour image stored in the buffer
// (8 bytes after the geometry: a PNG signature; Assimp does not decode it).
std::string gltfJson(const std::string& buffer, bool embedded_texture = false) {
    const std::string material = embedded_texture ? R"(, "material": 0)" : "";
    const std::string texture_view =
        embedded_texture ? R"(, {"buffer": 0, "byteOffset": 400, "byteLength": 8})" : "";
    const std::string textures =
        embedded_texture
            ? R"(, "materials": [{"name": "M_Skin", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
 "textures": [{"source": 0}], "images": [{"bufferView": 5, "mimeType": "image/png"}])"
            : "";
    return R"({"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0, 1]}],
 "nodes": [{"name": "head", "mesh": 0, "translation": [10, 0, 0], "scale": [-2, 2, 2]},
           {"name": "eyeball_L", "mesh": 1, "translation": [10, 0, 0]}],
 "meshes": [{"name": "skin", "primitives": [{"attributes": {"POSITION": 0, "TEXCOORD_0": 1}, "indices": 2)" +
           material + R"(}]},
            {"name": "eye", "primitives": [{"attributes": {"POSITION": 3}, "indices": 4}]}],
 "buffers": [)" +
           buffer + R"(],
 "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 96},
                 {"buffer": 0, "byteOffset": 96, "byteLength": 64},
                 {"buffer": 0, "byteOffset": 160, "byteLength": 144},
                 {"buffer": 0, "byteOffset": 304, "byteLength": 48},
                 {"buffer": 0, "byteOffset": 352, "byteLength": 48})" +
           texture_view + R"(],
 "accessors": [
  {"bufferView": 0, "componentType": 5126, "count": 8, "type": "VEC3", "min": [-1, -1, -1], "max": [1, 1, 1]},
  {"bufferView": 1, "componentType": 5126, "count": 8, "type": "VEC2"},
  {"bufferView": 2, "componentType": 5125, "count": 36, "type": "SCALAR"},
  {"bufferView": 3, "componentType": 5126, "count": 4, "type": "VEC3", "min": [0, 0, 3], "max": [0.2, 0.2, 3.2]},
  {"bufferView": 4, "componentType": 5125, "count": 12, "type": "SCALAR"}])" +
           textures + "}";
}

fs::path writeGltfScene(const fs::path& dir) {
    const std::string bin = gltfBuffer();
    writeFile(dir / "scene.gltf",
              gltfJson(R"({"byteLength": )" + std::to_string(bin.size()) +
                       R"(, "uri": "data:application/octet-stream;base64,)" + base64(bin) + "\"}"));
    return dir / "scene.gltf";
}

std::string glbBytes(bool embedded_texture = false) {
    std::string bin = gltfBuffer();
    if (embedded_texture) bin += "\x89PNG\r\n\x1a\n";
    std::string json =
        gltfJson(R"({"byteLength": )" + std::to_string(bin.size()) + "}", embedded_texture);
    while (json.size() % 4)
        json += ' ';
    std::string glb = "glTF";
    append(glb, uint32_t(2));
    append(glb, uint32_t(12 + 8 + json.size() + 8 + bin.size()));
    append(glb, uint32_t(json.size()));
    glb += "JSON" + json;
    append(glb, uint32_t(bin.size()));
    glb += std::string("BIN\0", 4) + bin;
    return glb;
}

fs::path writeGlbScene(const fs::path& dir) {
    writeFile(dir / "scene.glb", glbBytes());
    return dir / "scene.glb";
}

// Binary STL facets: normal, three corners, 2-byte attribute.
void appendFacet(std::string& stl, glm::vec3 a, glm::vec3 b, glm::vec3 c) {
    append(stl, glm::normalize(glm::cross(b - a, c - a)));
    append(stl, a);
    append(stl, b);
    append(stl, c);
    append(stl, uint16_t(0));
}

// ---- Every format ----------------------------------------------------------------------------

TEST(MeshImport, ObjWithMtlKeepsTheCubeAndDropsEyeDegenerateAndNaN) {
    const fs::path file = writeObjScene(test::outputDir("import_obj"));
    const ImportedMesh imported = importMesh(file);
    expectCube(imported);
    const ImportReport& report = imported.report;
    EXPECT_EQ(report.format, "obj");
    EXPECT_EQ(report.source_triangles, 12u + 4u + 3u);
    EXPECT_EQ(report.degenerate_triangles, 2u); // repeated corner + collinear
    EXPECT_EQ(report.nonfinite_triangles, 1u);
    EXPECT_EQ(report.components, 2u);
    const DroppedPart* eye = findDropped(report, "Eye");
    ASSERT_NE(eye, nullptr);
    EXPECT_EQ(eye->triangles, 4u);
    EXPECT_NE(eye->reason.find("not connected"), std::string::npos);
    ASSERT_NE(findDropped(report, "degenerate"), nullptr);
    EXPECT_EQ(findDropped(report, "degenerate")->triangles, 2u);
    ASSERT_NE(findDropped(report, "non-finite"), nullptr);
    EXPECT_GE(report.warnings.size(), 2u);
    // Each face has its own UV square, so a corner is split once per distinct UV it gets:
    // one vertex per distinct (corner, uv) pair, fewer than 6 x 4 where faces agree.
    std::set<std::pair<int, int>> corner_uvs;
    for (const auto& q : kCubeQuads)
        for (int i = 0; i < 4; ++i)
            corner_uvs.insert({q[i], i});
    EXPECT_EQ(imported.mesh.vertexCount(), corner_uvs.size());
    ASSERT_TRUE(report.has_uvs);
    ASSERT_EQ(imported.mesh.uvs.size(), imported.mesh.vertexCount());
    for (const glm::vec2& uv : imported.mesh.uvs) {
        EXPECT_TRUE(uv.x == 0 || uv.x == 1) << uv.x;
        EXPECT_TRUE(uv.y == 0 || uv.y == 1) << uv.y;
    }
    EXPECT_FALSE(report.has_normals); // the OBJ has no vn: computed
    EXPECT_EQ(imported.mesh.albedo_texture,
              fs::canonical(file.parent_path() / "textures/skin.png"));
    ASSERT_NE(imported.mesh.albedo, nullptr);
    EXPECT_EQ(imported.mesh.albedo->width, 2);
    EXPECT_EQ(imported.mesh.albedo->channels, 3);
    EXPECT_EQ(imported.mesh.albedo->pixels[5], 200); // decoded as written
}

TEST(MeshImport, UndecodableTextureIsAWarningAndNoAlbedo) {
    // The texture is decoded at import: a corrupt one is reported there, never read again.
    const fs::path file = writeObjScene(test::outputDir("import_obj_bad_texture"));
    writeFile(file.parent_path() / "textures/skin.png", "not an image");
    const ImportedMesh imported = importMesh(file);
    EXPECT_EQ(imported.mesh.albedo, nullptr);
    EXPECT_TRUE(imported.mesh.albedo_texture.empty());
    bool reported = false;
    for (const std::string& w : imported.report.warnings)
        reported = reported || w.find("could not be decoded") != std::string::npos;
    EXPECT_TRUE(reported);
}

TEST(MeshImport, KeepByMaterialOrObjectName) {
    const fs::path file = writeObjScene(test::outputDir("import_keep"));
    ImportOptions options;
    options.keep = {"M_Eye"};
    const ImportedMesh eye = importMesh(file, options);
    EXPECT_EQ(eye.mesh.triangleCount(), 4u);
    EXPECT_TRUE(eye.mesh.albedo_texture.empty()); // M_Eye has no map_Kd
    const DroppedPart* skin = findDropped(eye.report, "Skin");
    ASSERT_NE(skin, nullptr);
    EXPECT_EQ(skin->triangles, 12u);
    EXPECT_NE(skin->reason.find("not named"), std::string::npos);
    options.keep = {"Skin", "Eye"}; // object names
    EXPECT_EQ(importMesh(file, options).mesh.triangleCount(), 16u);
}

TEST(MeshImport, KeepWithUnknownNameListsTheAvailableNames) {
    const fs::path file = writeObjScene(test::outputDir("import_keep_unknown"));
    ImportOptions options;
    options.keep = {"M_Skin", "M_Hair"};
    expectErrorMentions(file, {"/head/keep", "'M_Hair'", "available", "'M_Skin'", "'M_Eye'"},
                        options);
}

TEST(MeshImport, PlyAsciiKeepsTheFileNormals) {
    const fs::path dir = test::outputDir("import_ply_ascii");
    // The eye tetrahedron alone, with deliberately unnormalised normals pointing away from
    // its centroid: the import must keep their direction and make them unit length.
    std::ostringstream ply;
    ply << "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
           "property float z\nproperty float nx\nproperty float ny\nproperty float nz\n"
           "element face 4\nproperty list uchar int vertex_indices\nend_header\n";
    const glm::vec3 centroid = (kEye[0] + kEye[1] + kEye[2] + kEye[3]) / 4.0f;
    for (const glm::vec3& p : kEye) {
        const glm::vec3 n = 3.0f * (p - centroid);
        ply << p.x << ' ' << p.y << ' ' << p.z << ' ' << n.x << ' ' << n.y << ' ' << n.z << '\n';
    }
    for (const glm::uvec3& t : kEyeTriangles)
        ply << "3 " << t.x << ' ' << t.y << ' ' << t.z << '\n';
    writeFile(dir / "eye.ply", ply.str());
    const ImportedMesh imported = importMesh(dir / "eye.ply");
    EXPECT_EQ(imported.report.format, "ply");
    ASSERT_EQ(imported.mesh.triangleCount(), 4u);
    EXPECT_TRUE(imported.report.has_normals);
    EXPECT_FALSE(imported.report.has_uvs);
    EXPECT_TRUE(imported.mesh.uvs.empty());
    for (size_t v = 0; v < imported.mesh.vertexCount(); ++v) {
        const glm::vec3 expected = glm::normalize(imported.mesh.positions[v] - centroid);
        EXPECT_NEAR(glm::distance(imported.mesh.normals[v], expected), 0.0f, 1e-5f);
    }
}

TEST(MeshImport, PlyBinaryDropsTheSeparateShell) {
    const fs::path dir = test::outputDir("import_ply_binary");
    std::string ply = "ply\nformat binary_little_endian 1.0\nelement vertex 12\n"
                      "property float x\nproperty float y\nproperty float z\n"
                      "element face 16\nproperty list uchar uint vertex_indices\nend_header\n";
    for (int i = 0; i < 8; ++i)
        append(ply, cubeCorner(i));
    for (const glm::vec3& p : kEye)
        append(ply, p);
    auto face = [&](glm::uvec3 t) {
        append(ply, uint8_t(3));
        append(ply, t);
    };
    for (const glm::uvec3& t : cubeTriangles())
        face(t);
    for (const glm::uvec3& t : kEyeTriangles)
        face(t + glm::uvec3(8));
    writeFile(dir / "scene.ply", ply);
    const ImportedMesh imported = importMesh(dir / "scene.ply");
    expectCube(imported);
    // One unnamed mesh: the eye can only be named by its component.
    ASSERT_FALSE(imported.report.dropped.empty());
    EXPECT_EQ(imported.report.dropped[0].triangles, 4u);
}

TEST(MeshImport, StlAsciiComputesSmoothNormals) {
    const fs::path dir = test::outputDir("import_stl_ascii");
    std::ostringstream stl;
    stl << "solid cube\n";
    for (const glm::uvec3& t : cubeTriangles()) {
        stl << " facet normal 0 0 0\n  outer loop\n";
        for (int i = 0; i < 3; ++i) {
            const glm::vec3 p = cubeCorner(int(t[i]));
            stl << "   vertex " << p.x << ' ' << p.y << ' ' << p.z << '\n';
        }
        stl << "  endloop\n endfacet\n";
    }
    stl << "endsolid cube\n";
    writeFile(dir / "cube.stl", stl.str());
    const ImportedMesh imported = importMesh(dir / "cube.stl");
    ASSERT_EQ(imported.mesh.triangleCount(), 12u);
    EXPECT_EQ(imported.report.format, "stl");
    EXPECT_EQ(imported.report.components, 1u);
    // STL's facet normals are not vertex normals: computed over the welded corners, so a
    // corner's three faces give it a normal with all three components non-zero.
    EXPECT_FALSE(imported.report.has_normals);
    for (const glm::vec3& n : imported.mesh.normals) {
        EXPECT_GT(std::abs(n.x), 0.1f);
        EXPECT_GT(std::abs(n.y), 0.1f);
        EXPECT_GT(std::abs(n.z), 0.1f);
    }
}

TEST(MeshImport, StlBinaryDropsNaNFacetAndEye) {
    const fs::path dir = test::outputDir("import_stl_binary");
    std::string stl(80, ' ');
    append(stl, uint32_t(12 + 4 + 1));
    for (const glm::uvec3& t : cubeTriangles())
        appendFacet(stl, cubeCorner(int(t.x)), cubeCorner(int(t.y)), cubeCorner(int(t.z)));
    for (const glm::uvec3& t : kEyeTriangles)
        appendFacet(stl, kEye[t.x], kEye[t.y], kEye[t.z]);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    appendFacet(stl, {5, 0, 0}, {6, 0, 0}, {5, 1, 0});
    std::memcpy(&stl[stl.size() - 2 - 36], &nan, 4); // first corner's x of the last facet
    writeFile(dir / "scene.stl", stl);
    const ImportedMesh imported = importMesh(dir / "scene.stl");
    expectCube(imported);
    EXPECT_EQ(imported.report.nonfinite_triangles, 1u);
}

TEST(MeshImport, GltfAppliesNodeTransformsAndFlipsV) {
    const fs::path file = writeGltfScene(test::outputDir("import_gltf"));
    const ImportedMesh imported = importMesh(file);
    expectCube(imported, kGltfCubeTransform);
    EXPECT_EQ(imported.report.format, "gltf2");
    // Corner 1 (1, -1, -1) goes through scale (-2, 2, 2) and translation (10, 0, 0).
    const glm::vec3 moved(8, -2, -2);
    bool found = false;
    for (size_t v = 0; v < imported.mesh.vertexCount(); ++v) {
        if (glm::distance(imported.mesh.positions[v], moved) > 1e-5f) continue;
        found = true;
        // glTF stores v down; our UVs are v up (OBJ convention): v' = 1 - v.
        ASSERT_TRUE(imported.report.has_uvs);
        EXPECT_NEAR(imported.mesh.uvs[v].x, cubeUvInFile(1).x, 1e-6f);
        EXPECT_NEAR(imported.mesh.uvs[v].y, 1.0f - cubeUvInFile(1).y, 1e-6f);
    }
    EXPECT_TRUE(found) << "corner 1 was not moved to (8, -2, -2)";
    // Named by its node and mesh.
    const DroppedPart* eye = findDropped(imported.report, "eyeball_L/eye");
    ASSERT_NE(eye, nullptr);
    EXPECT_EQ(eye->triangles, 4u);
}

TEST(MeshImport, GlbMatchesGltf) {
    const fs::path file = writeGlbScene(test::outputDir("import_glb"));
    const ImportedMesh imported = importMesh(file);
    expectCube(imported, kGltfCubeTransform);
    EXPECT_EQ(imported.report.format, "glb2");
    EXPECT_TRUE(imported.report.has_uvs);
    EXPECT_NE(findDropped(imported.report, "eyeball_L/eye"), nullptr);
}

TEST(MeshImport, GlbEmbeddedTextureIsReportedNotUsed) {
    const fs::path dir = test::outputDir("import_glb_texture");
    writeFile(dir / "textured.glb", glbBytes(true));
    const ImportedMesh imported = importMesh(dir / "textured.glb");
    expectCube(imported, kGltfCubeTransform);
    EXPECT_TRUE(imported.mesh.albedo_texture.empty());
    bool warned = false;
    for (const std::string& w : imported.report.warnings)
        warned = warned || w.find("embedded") != std::string::npos;
    EXPECT_TRUE(warned) << "expected a warning that the embedded texture is not used";
}

// Assimp 5.2.5 cannot read back its own binary FBX ("FBX-Tokenize ... block offset is out of
// range"), so the test writes ASCII FBX ("fbxa"), which the same FBX importer reads.
constexpr const char* kFbxFormat = "fbxa";

TEST(MeshImport, FbxWrittenByAssimpExporter) {
    const fs::path dir = test::outputDir("import_fbx");
    const fs::path glb = writeGlbScene(dir);
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(glb.string(), 0);
    ASSERT_NE(scene, nullptr) << importer.GetErrorString();
    Assimp::Exporter exporter;
    ASSERT_EQ(exporter.Export(scene, kFbxFormat, (dir / "scene.fbx").string()), AI_SUCCESS)
        << exporter.GetErrorString();
    const ImportedMesh imported = importMesh(dir / "scene.fbx");
    expectCube(imported, kGltfCubeTransform);
    EXPECT_EQ(imported.report.format, "fbx");
    ASSERT_EQ(imported.report.dropped.size(), 1u);
    EXPECT_NE(imported.report.dropped[0].what.find("eyeball_L"), std::string::npos);
}

// ---- Validation ----------------------------------------------------------------------------

TEST(MeshImport, MoreTrianglesThanTheLimit) {
    const fs::path file = writeObjScene(test::outputDir("import_limit"));
    ImportOptions options;
    options.max_triangles = 10;
    expectErrorMentions(file, {"more than 10 triangles", "limit"}, options);
}

TEST(MeshImport, MissingFileDirectoryAndEmptyFile) {
    const fs::path dir = test::outputDir("import_missing");
    expectErrorMentions(dir / "nowhere.obj", {"file not found", "expected"});
    fs::create_directories(dir / "folder.obj");
    expectErrorMentions(dir / "folder.obj", {"is a directory", "expected"});
    writeFile(dir / "empty.obj", "");
    expectErrorMentions(dir / "empty.obj", {"empty (0 bytes)", "expected"});
}

TEST(MeshImport, TextFileNamedObj) {
    const fs::path dir = test::outputDir("import_text_obj");
    writeFile(dir / "notes.obj", "Shopping list:\n- eggs\n- a head mesh\n");
    expectErrorMentions(dir / "notes.obj", {"contains no meshes", "expected"});
}

TEST(MeshImport, EmptyScenes) {
    const fs::path dir = test::outputDir("import_empty_scene");
    writeFile(dir / "none.gltf",
              R"({"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": []}]})");
    expectErrorMentions(dir / "none.gltf", {"contains no meshes", "expected"});
    writeFile(dir / "points.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n");
    expectErrorMentions(dir / "points.obj", {"no faces", "3 vertices", "expected"});
    writeFile(dir / "lines.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2\nl 2 3\n");
    expectErrorMentions(dir / "lines.obj", {"no triangles", "expected"});
}

TEST(MeshImport, TruncatedGlb) {
    const fs::path dir = test::outputDir("import_truncated_glb");
    const std::string glb = glbBytes();
    for (size_t length : {size_t(6), size_t(40), glb.size() / 2, glb.size() - 1}) {
        const fs::path file = dir / ("cut_" + std::to_string(length) + ".glb");
        writeFile(file, glb.substr(0, length));
        expectErrorMentions(file, {"GLB", "expected"});
    }
    // The header check is what catches these, with the sizes spelled out.
    expectErrorMentions(dir / ("cut_" + std::to_string(glb.size() - 1) + ".glb"),
                        {"truncated GLB", "declares"});
}

TEST(MeshImport, BinaryGarbagePly) {
    const fs::path dir = test::outputDir("import_garbage_ply");
    std::string garbage;
    for (uint32_t i = 0; i < 4096; ++i)
        garbage += char((i * 2654435761u) >> 24);
    writeFile(dir / "garbage.ply", garbage);
    expectErrorMentions(dir / "garbage.ply", {"not a PLY file", "expected"});
    // A valid header that promises a billion vertices over a few bytes of garbage.
    writeFile(dir / "liar.ply",
              "ply\nformat binary_little_endian 1.0\nelement vertex 1000000000\n"
              "property float x\nproperty float y\nproperty float z\nelement face 1\n"
              "property list uchar int vertex_indices\nend_header\n" +
                  garbage.substr(0, 100));
    expectErrorMentions(dir / "liar.ply", {"truncated or corrupt binary PLY", "expected"});
    // A consistent header over garbage indices.
    std::string bad = "ply\nformat binary_little_endian 1.0\nelement vertex 3\n"
                      "property float x\nproperty float y\nproperty float z\nelement face 1\n"
                      "property list uchar int vertex_indices\nend_header\n";
    for (int i = 0; i < 9; ++i)
        append(bad, float(i));
    append(bad, uint8_t(3));
    append(bad, glm::ivec3(7, 123456, -5));
    writeFile(dir / "indices.ply", bad);
    expectErrorMentions(dir / "indices.ply", {"out of range", "expected"});
}

TEST(MeshImport, StlWithZeroFacets) {
    const fs::path dir = test::outputDir("import_zero_stl");
    writeFile(dir / "binary.stl", std::string(84, '\0'));
    expectErrorMentions(dir / "binary.stl", {"zero facets", "expected"});
    writeFile(dir / "ascii.stl", "solid nothing\nendsolid nothing\n");
    expectErrorMentions(dir / "ascii.stl", {"zero facets", "expected"});
    std::string truncated(80, ' ');
    append(truncated, uint32_t(1000));
    truncated += std::string(50, '\0');
    writeFile(dir / "truncated.stl", truncated);
    expectErrorMentions(dir / "truncated.stl", {"truncated binary STL", "1,000 facets"});
}

TEST(MeshImport, OnlyNonFiniteOrDegenerateTriangles) {
    const fs::path dir = test::outputDir("import_nothing_left");
    writeFile(dir / "nan.obj", "v nan 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 inf\nf 1 2 3\nf 2 3 4\n");
    expectErrorMentions(dir / "nan.obj", {"no usable triangles", "2 with NaN/infinite"});
    writeFile(dir / "flat.obj", "v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\nf 1 1 2\n");
    expectErrorMentions(dir / "flat.obj", {"no usable triangles", "2 degenerate"});
}

// ---- The shared heads --------------------------------------------------------------------------

TEST(MeshImport, IctFullHeadKeepsTheSkin) {
    const fs::path file = test::sharedHeads() / "ict_facekit_neutral/generic_neutral_mesh.obj";
    if (!fs::exists(file)) GTEST_SKIP() << "shared heads not found at " << file;
    const ImportedMesh imported = importMesh(file);
    const ImportReport& report = imported.report;
    EXPECT_EQ(report.source_triangles, 52'220u); // README: 26,384 polygons = 52,220 triangles
    // Kept = M_Face (18,460) + M_BackHead (9,608) = 28,068 triangles, exactly the two skin
    // materials. That is the README's skin-only 22,288 plus the 5,780 triangles of the mouth
    // and eye sockets, which are M_BackHead polygons past index 11,143 and share edges with
    // the lips and lids: one manifold surface with the skin, so topology cannot tell them apart.
    EXPECT_EQ(imported.mesh.triangleCount(), 28'068u);
    ImportOptions skin_materials;
    skin_materials.keep = {"M_Face", "M_BackHead"};
    EXPECT_EQ(importMesh(file, skin_materials).mesh.triangleCount(), 28'068u);
    // Eyes and teeth are separate shells; lashes, tear film and occlusion shells hang on the
    // lid margin along edges shared by 3+ triangles. All must be dropped, all named.
    for (const char* part :
         {"M_ScleraLeft", "M_ScleraRight", "M_IrisLeft", "M_IrisRight", "M_Teeth", "M_GumsTongue",
          "M_EyeLashes", "M_LacrimalFluid", "M_EyeOcclusion", "M_EyeBlend"})
        EXPECT_NE(findDropped(report, part), nullptr) << part << " was not dropped";
    size_t dropped = 0;
    for (const DroppedPart& d : report.dropped)
        dropped += d.triangles;
    EXPECT_EQ(dropped + imported.mesh.triangleCount(), report.source_triangles);
    EXPECT_EQ(report.components, 40u); // measured; skin + 2 eyes x (sclera, iris) + 32 teeth...
    EXPECT_TRUE(report.has_uvs);
    EXPECT_FALSE(report.has_normals); // README: no vn
    // UDIM tiles are kept: M_BackHead lives in u 1..2.
    float max_u = 0;
    for (const glm::vec2& uv : imported.mesh.uvs)
        max_u = std::max(max_u, uv.x);
    EXPECT_GT(max_u, 1.0f);
    EXPECT_LE(max_u, 2.0f);
    // README bounding box, to its printed 2 decimals.
    EXPECT_NEAR(report.bbox.min.x, -12.42, 0.005);
    EXPECT_NEAR(report.bbox.max.y, 14.50, 0.005);
    EXPECT_NEAR(report.bbox.max.z, 13.09, 0.005);
}

TEST(MeshImport, IctSkinOnlyIsOneComponent) {
    const fs::path file =
        test::sharedHeads() / "ict_facekit_neutral/generic_neutral_mesh_skin_only.obj";
    if (!fs::exists(file)) GTEST_SKIP() << "shared heads not found at " << file;
    const ImportedMesh imported = importMesh(file);
    EXPECT_EQ(imported.mesh.triangleCount(), 22'288u); // README
    EXPECT_EQ(imported.report.components, 1u);
    EXPECT_TRUE(imported.report.dropped.empty());
}

TEST(MeshImport, Demosthenes) {
    const fs::path file = test::sharedHeads() / "demosthenes_bust/demosthenes-low-res.obj";
    if (!fs::exists(file)) GTEST_SKIP() << "shared heads not found at " << file;
    const ImportedMesh imported = importMesh(file);
    // README: 8,394 vertices, 16,719 triangles, one component, no UVs, no normals.
    EXPECT_EQ(imported.mesh.triangleCount(), 16'719u);
    EXPECT_EQ(imported.mesh.vertexCount(), 8'394u);
    EXPECT_EQ(imported.report.components, 1u);
    EXPECT_TRUE(imported.report.dropped.empty());
    EXPECT_FALSE(imported.report.has_uvs);
    EXPECT_TRUE(imported.mesh.uvs.empty());
    EXPECT_FALSE(imported.report.has_normals);
    EXPECT_EQ(imported.mesh.normals.size(), 8'394u);
    EXPECT_NEAR(imported.report.bbox.max.y, 2.201, 0.0005); // README, 3 decimals
}

} // namespace
} // namespace stipple
