#include "stipple/core/mesh.h"

#include <cstring>
#include <unordered_map>

#include "stipple/core/error.h"

namespace stipple {

namespace {

// Bit pattern of a position: the weld key.
struct PositionKey {
    uint32_t bits[3];
    bool operator==(const PositionKey& o) const {
        return bits[0] == o.bits[0] && bits[1] == o.bits[1] && bits[2] == o.bits[2];
    }
};
struct PositionKeyHash {
    size_t operator()(const PositionKey& k) const {
        uint64_t h = 1469598103934665603ull;
        for (uint32_t b : k.bits)
            h = (h ^ b) * 1099511628211ull;
        return size_t(h);
    }
};

} // namespace

std::vector<uint32_t> weldPositions(const std::vector<glm::vec3>& positions) {
    std::unordered_map<PositionKey, uint32_t, PositionKeyHash> ids;
    ids.reserve(positions.size());
    std::vector<uint32_t> weld(positions.size());
    for (size_t v = 0; v < positions.size(); ++v) {
        PositionKey key{};
        for (int i = 0; i < 3; ++i) {
            const float c = positions[v][i] + 0.0f; // -0 -> +0
            std::memcpy(&key.bits[i], &c, 4);
        }
        weld[v] = ids.emplace(key, uint32_t(ids.size())).first->second;
    }
    return weld;
}

Box boundingBox(const Mesh& mesh) {
    Box box;
    for (const glm::vec3& p : mesh.positions) {
        box.min = glm::min(box.min, glm::dvec3(p));
        box.max = glm::max(box.max, glm::dvec3(p));
    }
    return box;
}

void computeNormals(Mesh& mesh) {
    // Not input-reachable: importMesh and the C ABI's arrays build the weld one per vertex.
    STIPPLE_ASSERT(mesh.weld.empty() || mesh.weld.size() == mesh.positions.size(),
                   "computeNormals(): weld must be empty or one per vertex");
    const size_t n = mesh.positions.size();
    auto key = [&](uint32_t v) { return mesh.weld.empty() ? v : mesh.weld[v]; };
    size_t keys = 0;
    for (size_t v = 0; v < n; ++v)
        keys = std::max<size_t>(keys, key(uint32_t(v)) + 1);
    std::vector<glm::dvec3> sum(keys, glm::dvec3(0));
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        const glm::dvec3 area_normal = glm::cross(b - a, c - a); // length = 2 * area
        sum[key(t.x)] += area_normal;
        sum[key(t.y)] += area_normal;
        sum[key(t.z)] += area_normal;
    }
    mesh.normals.resize(n);
    for (size_t v = 0; v < n; ++v) {
        const glm::dvec3 s = sum[key(uint32_t(v))];
        const double len = glm::length(s);
        mesh.normals[v] = len > 0 ? glm::vec3(s / len) : glm::vec3(0, 1, 0);
    }
}

double surfaceArea(const Mesh& mesh) {
    double area = 0;
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        area += 0.5 * glm::length(glm::cross(b - a, c - a));
    }
    return area;
}

} // namespace stipple
