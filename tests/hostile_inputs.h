#pragma once

// Hostile mesh files of issue 13, built in memory for the core tests (importMesh) and the CLI
// tests (the same files end to end), so both test the same bytes.

#include <cstdint>
#include <string>

namespace stipple::test {

// A GLB with only a JSON chunk (padded to 4 bytes as the format requires).
inline std::string glbOf(std::string json) {
    while (json.size() % 4 != 0)
        json += ' ';
    auto u32 = [](uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
    return "glTF" + u32(2) + u32(uint32_t(20 + json.size())) + u32(uint32_t(json.size())) + "JSON" +
           json;
}

// glTF JSON whose node 0 is the root of a chain of `levels` nested nodes (no meshes).
inline std::string nestedNodesGltf(int levels) {
    std::string nodes;
    for (int i = 0; i < levels; ++i)
        nodes += (i ? "," : "") + std::string(R"({"children":[)") +
                 (i + 1 < levels ? std::to_string(i + 1) : "") + "]}";
    return R"({"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[)" + nodes +
           "]}";
}

// ASCII FBX 7 connections chaining `levels` models, each the child of the one before (the
// first the child of the scene root, 0); ids from 1001.
inline std::string fbxConnectionChain(int levels) {
    std::string chain = "; FBX 7.4.0 project file\nConnections:  {\n";
    for (int i = 1; i <= levels; ++i)
        chain += "\tC: \"OO\"," + std::to_string(1000 + i) + "," +
                 std::to_string(i == 1 ? 0 : 999 + i) + "\n";
    return chain + "}\n";
}

// ASCII FBX with `levels` scopes nested in each other ("A0: {" ... "}"): Assimp 5.2's parser
// recursed once per scope; 100,000 levels overflowed its stack (SIGSEGV, exit 139).
inline std::string fbxNestedScopes(int levels) {
    std::string text = "; FBX 7.4.0 project file\n";
    for (int i = 0; i < levels; ++i)
        text += "A" + std::to_string(i) + ": {\n";
    for (int i = 0; i < levels; ++i)
        text += "}\n";
    return text;
}

// A binary PLY of one triangle whose face list count is 0xFFFFFFFF (Assimp asked for 32 GB).
inline std::string plyWithAHugeListCount() {
    std::string bytes = "ply\nformat binary_little_endian 1.0\nelement vertex 3\n"
                        "property float x\nproperty float y\nproperty float z\nelement face 1\n"
                        "property list uint int vertex_indices\nend_header\n";
    const float v[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
    bytes.append(reinterpret_cast<const char*>(v), sizeof v);
    const uint32_t face[4] = {0xFFFFFFFFu, 0, 1, 2};
    bytes.append(reinterpret_cast<const char*>(face), sizeof face);
    return bytes;
}

} // namespace stipple::test
