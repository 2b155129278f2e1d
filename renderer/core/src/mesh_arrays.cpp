#include "stipple/core/mesh_arrays.h"

// Host arrays -> ImportedMesh. The weld is the same exact-equality rule as importMesh() (a
// tolerance would merge genuinely separate shells such as an eyelid resting on an eyeball);
// connected components are counted with union-find over welded positions (Tarjan 1975).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"

namespace stipple {
namespace {

const char* axisLetter(size_t i) {
    return i == 0 ? "x" : i == 1 ? "y" : "z";
}

std::string number(double value) {
    if (std::isnan(value)) return "NaN";
    return value > 0 ? "+Inf" : "-Inf";
}

void checkFinite(const float* values, size_t count, size_t per_vertex, const char* argument,
                 const std::string& name) {
    for (size_t i = 0; i < count * per_vertex; ++i) {
        if (std::isfinite(values[i])) continue;
        const size_t vertex = i / per_vertex, component = i % per_vertex;
        const std::string part =
            per_vertex == 3 ? axisLetter(component) : (component == 0 ? "u" : "v");
        throw Error(std::string(argument) + "[" + std::to_string(i) + "] (vertex " +
                        std::to_string(vertex) + ", " + part + ") is " + number(values[i]) +
                        "; expected finite numbers",
                    name, argument);
    }
}

size_t countComponents(const std::vector<glm::uvec3>& triangles,
                       const std::vector<uint32_t>& weld) {
    const size_t welded = weld.empty() ? 0 : *std::max_element(weld.begin(), weld.end()) + 1;
    std::vector<uint32_t> parent(welded);
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](uint32_t x) {
        while (parent[x] != x)
            x = parent[x] = parent[parent[x]]; // path halving
        return x;
    };
    std::vector<bool> used(welded, false);
    for (const glm::uvec3& t : triangles) {
        for (int i = 0; i < 3; ++i) {
            used[weld[t[i]]] = true;
            const uint32_t a = find(weld[t[i]]), b = find(weld[t[(i + 1) % 3]]);
            if (a != b) parent[std::max(a, b)] = std::min(a, b);
        }
    }
    size_t components = 0;
    for (uint32_t w = 0; w < welded; ++w)
        components += used[w] && find(w) == w;
    return components;
}

std::string arrayBytes(const MeshArrays& a) {
    std::string bytes;
    auto append = [&](const void* data, size_t size) {
        bytes.append(static_cast<const char*>(data), size);
    };
    append(a.positions, a.vertex_count * 3 * sizeof(float));
    append(a.indices, a.triangle_count * 3 * sizeof(uint32_t));
    if (a.uvs) append(a.uvs, a.vertex_count * 2 * sizeof(float));
    return bytes;
}

} // namespace

void validateMeshArrays(const MeshArrays& a) {
    if (!a.positions)
        throw Error("is null; expected 3 floats (x, y, z) per vertex", a.name, "positions");
    if (!a.indices)
        throw Error("is null; expected 3 vertex indices per triangle", a.name, "indices");
    if (a.vertex_count < 3 || a.vertex_count > std::numeric_limits<uint32_t>::max())
        throw Error("is " + std::to_string(a.vertex_count) + "; accepted 3.." +
                        std::to_string(std::numeric_limits<uint32_t>::max()) + " vertices",
                    a.name, "vertex_count");
    if (a.triangle_count < 1 || a.triangle_count > a.max_triangles)
        throw Error("is " + std::to_string(a.triangle_count) + "; accepted 1.." +
                        std::to_string(a.max_triangles) + " triangles (decimate larger meshes)",
                    a.name, "triangle_count");
    checkFinite(a.positions, a.vertex_count, 3, "positions", a.name);
    if (a.uvs) checkFinite(a.uvs, a.vertex_count, 2, "uvs", a.name);
    for (size_t i = 0; i < a.triangle_count * 3; ++i)
        if (a.indices[i] >= a.vertex_count)
            throw Error("indices[" + std::to_string(i) + "] (triangle " + std::to_string(i / 3) +
                            ") is " + std::to_string(a.indices[i]) + "; accepted 0.." +
                            std::to_string(a.vertex_count - 1) + " (below vertex_count)",
                        a.name, "indices");
}

ImportedMesh importMeshArrays(const MeshArrays& a) {
    validateMeshArrays(a);
    ImportedMesh out;
    Mesh& mesh = out.mesh;
    ImportReport& report = out.report;
    report.file = a.name;
    report.format = "arrays";
    report.sha256 = sha256Hex(arrayBytes(a));
    report.source_vertices = a.vertex_count;
    report.source_triangles = a.triangle_count;

    mesh.positions.resize(a.vertex_count);
    std::memcpy(mesh.positions.data(), a.positions, a.vertex_count * 3 * sizeof(float));
    if (a.uvs) {
        mesh.uvs.resize(a.vertex_count);
        std::memcpy(mesh.uvs.data(), a.uvs, a.vertex_count * 2 * sizeof(float));
    }
    mesh.weld = weldPositions(mesh.positions);
    mesh.triangles.reserve(a.triangle_count);
    for (size_t t = 0; t < a.triangle_count; ++t) {
        const glm::uvec3 tri(a.indices[3 * t], a.indices[3 * t + 1], a.indices[3 * t + 2]);
        const glm::dvec3 p0 = mesh.positions[tri.x], p1 = mesh.positions[tri.y],
                         p2 = mesh.positions[tri.z];
        const bool repeated = mesh.weld[tri.x] == mesh.weld[tri.y] ||
                              mesh.weld[tri.y] == mesh.weld[tri.z] ||
                              mesh.weld[tri.z] == mesh.weld[tri.x];
        if (repeated || !(glm::length(glm::cross(p1 - p0, p2 - p0)) > 0)) {
            ++report.degenerate_triangles;
            continue;
        }
        mesh.triangles.push_back(tri);
    }
    if (mesh.triangles.empty())
        throw Error("has no usable triangles: all " + std::to_string(a.triangle_count) +
                        " are degenerate (zero area or a repeated corner); expected a surface",
                    a.name, "indices");
    if (report.degenerate_triangles > 0) {
        report.dropped.push_back({"degenerate triangles", report.degenerate_triangles,
                                  "zero area or a repeated corner"});
        report.warnings.push_back("dropped " + std::to_string(report.degenerate_triangles) +
                                  " degenerate triangles (zero area or a repeated corner)");
    }
    report.components = countComponents(mesh.triangles, mesh.weld);
    computeNormals(mesh);
    report.has_uvs = a.uvs != nullptr;
    report.has_normals = false;
    report.bbox = boundingBox(mesh);
    return out;
}

} // namespace stipple
