#include "mesh_holes.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <unordered_map>

#include <osg/Vec4d>

namespace stipple::render {

HoleInfo findHoles(const Mesh& mesh) {
    HoleInfo info;
    const Box box = boundingBox(mesh);
    info.centre = box.centre();
    for (const glm::vec3& p : mesh.positions)
        info.radius = std::max(info.radius, glm::length(glm::dvec3(p) - info.centre));

    std::vector<uint32_t> weld = mesh.weld;
    if (weld.size() != mesh.positions.size()) {
        weld.assign(mesh.positions.size(), 0);
        std::map<std::array<uint32_t, 3>, uint32_t> by_position;
        for (size_t i = 0; i < mesh.positions.size(); ++i) {
            std::array<uint32_t, 3> key{};
            std::memcpy(key.data(), &mesh.positions[i], sizeof(key));
            weld[i] = by_position.emplace(key, uint32_t(i)).first->second;
        }
    }
    std::unordered_map<uint64_t, int> directed;
    directed.reserve(mesh.triangles.size() * 3);
    const auto edgeKey = [](uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; };
    for (const auto& t : mesh.triangles) {
        const uint32_t v[3] = {weld[t.x], weld[t.y], weld[t.z]};
        if (v[0] == v[1] || v[1] == v[2] || v[2] == v[0]) continue; // degenerate (a pole)
        for (int e = 0; e < 3; ++e)
            if (++directed[edgeKey(v[e], v[(e + 1) % 3])] > 1) return info;
    }
    std::unordered_map<uint32_t, char> on_rim;
    for (const auto& entry : directed) {
        const uint32_t a = uint32_t(entry.first >> 32), b = uint32_t(entry.first & 0xffffffffu);
        if (directed.count(edgeKey(b, a)) == 0) on_rim[a] = on_rim[b] = 1;
    }
    for (size_t i = 0; i < weld.size(); ++i)
        if (on_rim.count(weld[i]) != 0) info.rim_points.emplace_back(mesh.positions[i]);
    // Consistent winding could still be inside out (normals inward): then the "back" faces are
    // the outside. The signed volume about the bounding box's centre (exact for a closed mesh,
    // close for one with small holes) must be positive.
    const glm::dvec3 o = info.centre;
    double volume6 = 0;
    for (const auto& t : mesh.triangles) {
        const glm::dvec3 a = glm::dvec3(mesh.positions[t.x]) - o;
        const glm::dvec3 b = glm::dvec3(mesh.positions[t.y]) - o;
        const glm::dvec3 c = glm::dvec3(mesh.positions[t.z]) - o;
        volume6 += glm::dot(a, glm::cross(b, c));
    }
    info.orientable = volume6 > 0;
    return info;
}

bool backFacesMayShow(const HoleInfo& holes, const osg::Matrixd& model_view,
                      const osg::Matrixd& projection) {
    if (!holes.orientable) return true;
    double l, r, bottom, top, n, f;
    const double near_mm =
        projection.getFrustum(l, r, bottom, top, n, f) ? n : 1e30; // orthographic: never near
    const osg::Vec3d eye_model = osg::Vec3d(0, 0, 0) * osg::Matrixd::inverse(model_view);
    const glm::dvec3 eye(eye_model.x(), eye_model.y(), eye_model.z());
    if (glm::length(eye - holes.centre) - holes.radius <= near_mm * 1.01) return true;
    if (holes.rim_points.empty()) return false;
    const osg::Matrixd to_clip = model_view * projection;
    int outside_all = 0xf; // bits: x < -w, x > w, y < -w, y > w
    for (const glm::dvec3& p : holes.rim_points) {
        const osg::Vec4d c = osg::Vec4d(p.x, p.y, p.z, 1.0) * to_clip;
        int outside = 0;
        if (c.x() < -c.w()) outside |= 1;
        if (c.x() > c.w()) outside |= 2;
        if (c.y() < -c.w()) outside |= 4;
        if (c.y() > c.w()) outside |= 8;
        outside_all &= outside;
        if (outside_all == 0) return true;
    }
    return false;
}

} // namespace stipple::render
