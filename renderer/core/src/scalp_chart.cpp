#include "stipple/core/scalp_chart.h"

// The scalp chart is the Lambert azimuthal equal-area projection (Lambert 1772; Snyder 1987,
// "Map Projections - A Working Manual", USGS PP 1395, pp. 182-190) of the directions from a
// centre inside the cranium, about the head's vertical axis. On a sphere around the centre it
// is exactly equal-area and seam-free over everything but the antipode (straight down, inside
// the neck), which the region never reaches. Distortion is measured with Tissot's indicatrix
// (the singular values of each triangle's map to the chart).

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/core/error.h"

namespace stipple {

namespace {

constexpr double kPi = 3.14159265358979323846;
// The region's lower boundary (head frame mm, relative to landmarks); see the header.
constexpr double kFrontAboveGlabellaMm = 40.0; // hairline is >= 60 mm above the glabella
constexpr double kSideAboveEarMm = -20.0;      // at the ears (sideburns reach the tragus)
constexpr double kBackBelowEarMm = 80.0; // default nape -35 mm + margin; below -60 is clipped
constexpr double kEarRadiusMm = 30.0;          // pinna around its centre
constexpr double kSingularDy = -0.95;          // directions this close to straight down: out
constexpr double kUvMargin = 0.01;             // chart border left empty on each side

struct HeadFrame {
    glm::dvec3 vertex, glabella, ear_left, ear_right, occiput;
};

bool landmarksSet(const Landmarks& l) {
    return glm::length(l.vertex - l.ear_left) > 1.0 && glm::length(l.ear_left - l.ear_right) > 1.0;
}

// Landmarks, or a rough estimate from the bounding box when the head frame has none.
HeadFrame headFrame(const HeadModel& head) {
    const Landmarks& l = head.landmarks;
    if (landmarksSet(l)) return {l.vertex, l.glabella, l.ear_left, l.ear_right, l.occiput};
    const Box box = boundingBox(head.mesh);
    const glm::dvec3 c = box.centre();
    const double ear_y = box.max.y - 125.0;
    HeadFrame f;
    f.vertex = {c.x, box.max.y, c.z};
    f.ear_left = {box.max.x, ear_y, c.z};
    f.ear_right = {box.min.x, ear_y, c.z};
    f.glabella = {c.x, ear_y + 30.0, box.max.z - 15.0};
    f.occiput = {c.x, ear_y + 30.0, box.min.z};
    return f;
}

struct Region {
    double axis_x = 0, axis_z = 0;
    double y_front = 0, y_side = 0, y_back = 0;
    glm::dvec3 ear_centre[2];

    explicit Region(const HeadFrame& f) {
        axis_x = f.vertex.x;
        axis_z = 0.5 * (f.glabella.z + f.occiput.z);
        const double ear_y = 0.5 * (f.ear_left.y + f.ear_right.y);
        y_front = f.glabella.y + kFrontAboveGlabellaMm;
        y_side = ear_y + kSideAboveEarMm;
        y_back = ear_y - kBackBelowEarMm;
        // The tragus landmark sits at the front of the pinna; its centre is up and behind.
        ear_centre[0] = f.ear_left + glm::dvec3(0, 5, -18);
        ear_centre[1] = f.ear_right + glm::dvec3(0, 5, -18);
    }

    // Smooth (cosine) interpolation of the lower boundary around the head.
    double lowerY(const glm::dvec3& p) const {
        const double azimuth = std::abs(std::atan2(p.x - axis_x, p.z - axis_z)); // 0 front
        if (azimuth <= kPi / 2) {
            // Squared: the boundary stays above the brow and cheeks until close to the ear,
            // then drops to let the sideburns in.
            const double t = (1 - std::cos(2 * azimuth)) / 2;
            return y_front + (y_side - y_front) * t * t;
        }
        const double t = (1 - std::cos(2 * (azimuth - kPi / 2))) / 2;
        return y_side + (y_back - y_side) * t;
    }

    bool contains(const glm::dvec3& p) const {
        if (p.y < lowerY(p)) return false;
        for (const glm::dvec3& e : ear_centre)
            if (glm::length(p - e) < kEarRadiusMm) return false;
        return true;
    }
};

// Lambert azimuthal equal-area coordinates of the direction from `centre` to `p`, mirrored in
// X so the image shows the head from above with the face up. nullopt-like: returns false for
// directions too close to the singular one (straight down).
bool laea(const glm::dvec3& centre, const glm::dvec3& p, glm::dvec2& out) {
    const glm::dvec3 d = p - centre;
    const double len = glm::length(d);
    if (len <= 0) return false;
    const glm::dvec3 n = d / len;
    if (n.y < kSingularDy) {
        out = glm::dvec2(0);
        return false;
    }
    const double k = std::sqrt(2.0 / (1.0 + n.y));
    out = glm::dvec2(-n.x * k, n.z * k);
    return true;
}

struct SingularValues {
    double major = 0, minor = 0, det = 0;
};

SingularValues singularValues(const glm::dmat2& j) {
    // Closed form for 2x2: J = [[a, b], [c, d]] (row, column), glm is column-major.
    const double a = j[0][0], c = j[0][1], b = j[1][0], d = j[1][1];
    const double e = (a + d) / 2, f = (a - d) / 2, g = (c + b) / 2, h = (c - b) / 2;
    const double q = std::sqrt(e * e + h * h), r = std::sqrt(f * f + g * g);
    return {q + r, std::abs(q - r), a * d - b * c};
}

struct Distortion {
    double area_mean = 0, area_max = 0, angle_mean_deg = 0, angle_max_deg = 0;
    double surface_mm2 = 0, chart_area = 0;
    size_t flipped = 0;
    double objective = 0;
};

// Distortion over the triangles flagged in `inside`, with per-vertex coordinates `coords`.
Distortion measure(const Mesh& mesh, const std::vector<uint8_t>& inside,
                   const std::vector<glm::dvec2>& coords) {
    Distortion out;
    struct Tri {
        double area_mm2, scale, angle, det;
    };
    std::vector<Tri> tris;
    tris.reserve(mesh.triangleCount());
    double signed_chart = 0;
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (!inside[t]) continue;
        const glm::uvec3 tri = mesh.triangles[t];
        const TriangleMap map = triangleMap(mesh.positions[tri.x], mesh.positions[tri.y],
                                            mesh.positions[tri.z], coords[tri.x], coords[tri.y],
                                            coords[tri.z]);
        if (!map.valid) continue;
        const glm::dvec3 e1 = glm::dvec3(mesh.positions[tri.y]) - glm::dvec3(mesh.positions[tri.x]);
        const glm::dvec3 e2 = glm::dvec3(mesh.positions[tri.z]) - glm::dvec3(mesh.positions[tri.x]);
        const double area = 0.5 * glm::length(glm::cross(e1, e2));
        const SingularValues sv = singularValues(map.uv_per_mm);
        const double angle =
            sv.major > 0 ? 2 * std::asin((sv.major - sv.minor) / (sv.major + sv.minor)) : kPi;
        tris.push_back({area, sv.major * sv.minor, angle, sv.det});
        out.surface_mm2 += area;
        out.chart_area += area * sv.major * sv.minor;
        signed_chart += area * sv.det;
    }
    if (out.surface_mm2 <= 0) return out;
    const double mean_scale = out.chart_area / out.surface_mm2;
    double log_dev = 0;
    for (const Tri& t : tris) {
        const double ratio = t.scale > 0 ? std::max(t.scale / mean_scale, mean_scale / t.scale)
                                         : 1e9;
        out.area_mean += t.area_mm2 * ratio;
        out.area_max = std::max(out.area_max, ratio);
        out.angle_mean_deg += t.area_mm2 * t.angle * 180 / kPi;
        out.angle_max_deg = std::max(out.angle_max_deg, t.angle * 180 / kPi);
        log_dev += t.area_mm2 * std::log(std::min(ratio, 1e9));
        if (t.det * signed_chart < 0) ++out.flipped;
    }
    out.area_mean /= out.surface_mm2;
    out.angle_mean_deg /= out.surface_mm2;
    // Area and shape distortion weigh alike: ln 1.1 ~ 0.095 vs 0.1 rad ~ 5.7 deg.
    out.objective = log_dev / out.surface_mm2 + out.angle_mean_deg * kPi / 180 +
                    double(out.flipped) * 1e3;
    return out;
}

} // namespace

TriangleMap triangleMap(const glm::dvec3& p0, const glm::dvec3& p1, const glm::dvec3& p2,
                        const glm::dvec2& uv0, const glm::dvec2& uv1, const glm::dvec2& uv2) {
    TriangleMap map;
    const glm::dvec3 e1 = p1 - p0, e2 = p2 - p0;
    const glm::dvec3 n = glm::cross(e1, e2);
    const double len1 = glm::length(e1), len_n = glm::length(n);
    if (len1 <= 0 || len_n <= 1e-12 * len1 * len1) return map;
    map.frame_u = e1 / len1;
    map.normal = n / len_n;
    map.frame_v = glm::cross(map.normal, map.frame_u);
    // Local 2D coordinates of the corners (p0 at the origin), then J = dUV * Q^-1.
    const glm::dmat2 q(glm::dvec2(len1, 0), glm::dvec2(glm::dot(e2, map.frame_u),
                                                       glm::dot(e2, map.frame_v)));
    const glm::dmat2 duv(uv1 - uv0, uv2 - uv0);
    map.uv_per_mm = duv * glm::inverse(q);
    map.valid = true;
    return map;
}

ScalpChart computeScalpChart(const HeadModel& head) {
    const Mesh& mesh = head.mesh;
    const HeadFrame frame = headFrame(head);
    const Region region(frame);

    std::vector<uint8_t> in_region(mesh.vertexCount());
    for (size_t v = 0; v < mesh.vertexCount(); ++v)
        in_region[v] = region.contains(glm::dvec3(mesh.positions[v]));

    // Search the projection centre on a grid along the vertical axis and front-back: the
    // cranium is not a sphere, and the best centre depends on its shape.
    const double ear_y = 0.5 * (frame.ear_left.y + frame.ear_right.y);
    ScalpChart best;
    double best_objective = std::numeric_limits<double>::infinity();
    std::vector<glm::dvec2> coords(mesh.vertexCount());
    std::vector<uint8_t> ok(mesh.vertexCount());
    std::vector<uint8_t> inside(mesh.triangleCount());
    for (int iy = -3; iy <= 4; ++iy) {
        for (int iz = -4; iz <= 4; ++iz) {
            const glm::dvec3 centre{region.axis_x, ear_y + 15.0 * iy, region.axis_z + 10.0 * iz};
            for (size_t v = 0; v < mesh.vertexCount(); ++v)
                ok[v] = laea(centre, glm::dvec3(mesh.positions[v]), coords[v]) && in_region[v];
            size_t count = 0;
            for (size_t t = 0; t < mesh.triangleCount(); ++t) {
                const glm::uvec3 tri = mesh.triangles[t];
                inside[t] = ok[tri.x] && ok[tri.y] && ok[tri.z];
                count += inside[t];
            }
            if (count == 0) continue;
            const Distortion d = measure(mesh, inside, coords);
            if (d.objective < best_objective) {
                best_objective = d.objective;
                best.centre_mm = centre;
                best.inside = inside;
            }
        }
    }
    if (!std::isfinite(best_objective))
        throw Error("no part of the mesh lies in the scalp region (above the ears, behind the "
                    "brow); is the head frame right? Check /head/up, /head/forward and "
                    "/head/mm_per_unit",
                    head.import.file.string(), "/head");

    // Fit the region's vertices into [margin, 1 - margin]^2, keeping the aspect.
    glm::dvec2 lo(1e300), hi(-1e300);
    std::vector<glm::dvec2> raw(mesh.vertexCount());
    for (size_t v = 0; v < mesh.vertexCount(); ++v)
        laea(best.centre_mm, glm::dvec3(mesh.positions[v]), raw[v]);
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (!best.inside[t]) continue;
        for (int k = 0; k < 3; ++k) {
            lo = glm::min(lo, raw[mesh.triangles[t][k]]);
            hi = glm::max(hi, raw[mesh.triangles[t][k]]);
        }
    }
    const double extent = std::max(hi.x - lo.x, hi.y - lo.y);
    best.uv_scale = (1.0 - 2 * kUvMargin) / extent;
    best.uv_offset = glm::dvec2(0.5) - best.uv_scale * 0.5 * (lo + hi);
    best.uvs.resize(mesh.vertexCount());
    std::vector<glm::dvec2> uv_d(mesh.vertexCount());
    for (size_t v = 0; v < mesh.vertexCount(); ++v) {
        uv_d[v] = best.uv_offset + best.uv_scale * raw[v];
        best.uvs[v] = glm::vec2(uv_d[v]);
    }
    const Distortion d = measure(mesh, best.inside, uv_d);
    best.area_distortion = d.area_mean;
    best.area_distortion_max = d.area_max;
    best.angle_distortion_deg = d.angle_mean_deg;
    best.angle_distortion_max_deg = d.angle_max_deg;
    best.flipped_triangles = d.flipped;
    best.region_area_mm2 = d.surface_mm2;
    best.chart_area_fraction = d.chart_area;
    best.mm_per_uv = d.chart_area > 0 ? std::sqrt(d.surface_mm2 / d.chart_area) : 0;
    return best;
}

glm::dvec2 chartUv(const ScalpChart& chart, const glm::dvec3& point_mm) {
    glm::dvec2 raw;
    laea(chart.centre_mm, point_mm, raw);
    return chart.uv_offset + chart.uv_scale * raw;
}

ChartedMesh splitForChart(const Mesh& mesh, const ScalpChart& chart) {
    STIPPLE_ASSERT(chart.uvs.size() == mesh.vertexCount() &&
                       chart.inside.size() == mesh.triangleCount(),
                   "splitForChart(): chart does not belong to this mesh");
    ChartedMesh out;
    out.mesh.albedo_texture = mesh.albedo_texture;
    std::vector<int64_t> inside_copy(mesh.vertexCount(), -1), outside_copy(mesh.vertexCount(), -1);
    auto copyVertex = [&](uint32_t v, bool inside) {
        std::vector<int64_t>& map = inside ? inside_copy : outside_copy;
        if (map[v] >= 0) return uint32_t(map[v]);
        map[v] = int64_t(out.mesh.positions.size());
        out.mesh.positions.push_back(mesh.positions[v]);
        if (!mesh.normals.empty()) out.mesh.normals.push_back(mesh.normals[v]);
        if (!mesh.uvs.empty()) out.mesh.uvs.push_back(mesh.uvs[v]);
        out.mesh.weld.push_back(mesh.weld.empty() ? v : mesh.weld[v]);
        out.chart_uvs.push_back(inside ? chart.uvs[v] : glm::vec2(kChartOutsideU, kChartOutsideV));
        out.source_vertex.push_back(v);
        return uint32_t(map[v]);
    };
    out.mesh.triangles.reserve(mesh.triangleCount());
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const bool inside = chart.inside[t] != 0;
        out.mesh.triangles.emplace_back(copyVertex(tri.x, inside), copyVertex(tri.y, inside),
                                        copyVertex(tri.z, inside));
    }
    return out;
}

} // namespace stipple
