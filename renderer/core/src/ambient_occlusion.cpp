#include "stipple/core/ambient_occlusion.h"

// Per-vertex ambient occlusion with disc occluders (Bunnell 2005, GPU Gems 2 ch. 14), one
// pass, occluders clustered on a uniform grid so the cost is (vertices x cells within reach)
// whatever the mesh's density.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "stipple/core/error.h"
#include "stipple/core/parallel.h"

namespace stipple {

namespace {

struct Element {
    glm::dvec3 position{0}; // area-weighted mean
    glm::dvec3 normal{0};   // area-weighted mean, unit
    double area = 0;
};

struct CellKey {
    int x, y, z;
};

int64_t packKey(int x, int y, int z) {
    const int64_t b = 1 << 20;
    return ((int64_t(x) + b) * (2 * b) + (int64_t(y) + b)) * (2 * b) + (int64_t(z) + b);
}

CellKey cellOf(const glm::dvec3& p, double cell) {
    return {int(std::floor(p.x / cell)), int(std::floor(p.y / cell)), int(std::floor(p.z / cell))};
}

// Surface elements: each triangle's area, centroid and normal, summed per grid cell.
std::vector<Element> clusterElements(const Mesh& mesh, double cell) {
    std::unordered_map<int64_t, size_t> index;
    std::vector<Element> elements;
    std::vector<int64_t> keys;
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        const glm::dvec3 cr = glm::cross(b - a, c - a);
        const double area = 0.5 * glm::length(cr);
        if (!(area > 0)) continue;
        const glm::dvec3 centroid = (a + b + c) / 3.0;
        const CellKey k = cellOf(centroid, cell);
        const int64_t key = packKey(k.x, k.y, k.z);
        auto [it, fresh] = index.emplace(key, elements.size());
        if (fresh) elements.emplace_back();
        Element& e = elements[it->second];
        e.position += centroid * area;
        e.normal += cr * 0.5; // area-weighted normal
        e.area += area;
    }
    for (Element& e : elements) {
        e.position /= e.area;
        const double len = glm::length(e.normal);
        e.normal = len > 0 ? e.normal / len : glm::dvec3(0);
    }
    return elements;
}

std::vector<glm::dvec3> receiverNormals(const Mesh& mesh) {
    std::vector<glm::dvec3> normals(mesh.positions.size(), glm::dvec3(0));
    if (mesh.normals.size() == mesh.positions.size()) {
        for (size_t i = 0; i < normals.size(); ++i)
            normals[i] = mesh.normals[i];
        return normals;
    }
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        const glm::dvec3 cr = glm::cross(b - a, c - a);
        normals[t.x] += cr;
        normals[t.y] += cr;
        normals[t.z] += cr;
    }
    for (glm::dvec3& n : normals) {
        const double len = glm::length(n);
        n = len > 0 ? n / len : glm::dvec3(0);
    }
    return normals;
}

} // namespace

std::vector<float> vertexAmbientOcclusion(const Mesh& mesh,
                                          const AmbientOcclusionOptions& options) {
    if (!(options.radius_mm > 0) || !(options.cell_mm > 0) || options.cell_mm > options.radius_mm)
        throw Error("vertexAmbientOcclusion(): radius_mm " + std::to_string(options.radius_mm) +
                    " and cell_mm " + std::to_string(options.cell_mm) +
                    " must be positive with cell_mm <= radius_mm");
    const std::vector<Element> elements = clusterElements(mesh, options.cell_mm);
    const std::vector<glm::dvec3> normals = receiverNormals(mesh);

    // Occluders binned on a coarser grid of the reach, so a receiver visits 27 bins.
    const double bin = options.radius_mm;
    std::unordered_map<int64_t, std::vector<uint32_t>> bins;
    for (size_t i = 0; i < elements.size(); ++i) {
        const CellKey k = cellOf(elements[i].position, bin);
        bins[packKey(k.x, k.y, k.z)].push_back(uint32_t(i));
    }
    const double r2 = options.radius_mm * options.radius_mm;
    // An element closer than about its own size is the receiver's own patch: its centroid lies
    // off the curved surface and would shade the surface it belongs to.
    const double near2 = 0.75 * options.cell_mm * 0.75 * options.cell_mm;
    std::vector<float> out(mesh.positions.size(), 1.0f);
    const int count = int(mesh.positions.size());
    constexpr int kBlock = 1024;
    parallelFor((count + kBlock - 1) / kBlock, options.threads, [&](int block) {
        const int end = std::min(count, (block + 1) * kBlock);
        for (int v = block * kBlock; v < end; ++v) {
            const glm::dvec3 p = mesh.positions[size_t(v)];
            const glm::dvec3 n = normals[size_t(v)];
            const CellKey k = cellOf(p, bin);
            double occlusion = 0;
            for (int dz = -1; dz <= 1; ++dz)
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const auto it = bins.find(packKey(k.x + dx, k.y + dy, k.z + dz));
                        if (it == bins.end()) continue;
                        for (uint32_t e : it->second) {
                            const Element& el = elements[e];
                            const glm::dvec3 d = el.position - p;
                            const double d2 = glm::dot(d, d);
                            if (d2 > r2 || d2 < near2) continue;
                            const glm::dvec3 u = d / std::sqrt(d2);
                            const double cos_r = glm::dot(n, u);
                            const double cos_e = -glm::dot(el.normal, u);
                            if (cos_r <= 0 || cos_e <= 0) continue;
                            occlusion += el.area * cos_e * cos_r / (M_PI * d2 + el.area);
                        }
                    }
            out[size_t(v)] = float(1.0 - std::min(occlusion, 1.0));
        }
    });
    return out;
}

} // namespace stipple
