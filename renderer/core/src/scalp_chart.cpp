#include "stipple/core/scalp_chart.h"

// The scalp chart is the Lambert azimuthal equal-area projection (Lambert 1772; Snyder 1987,
// "Map Projections - A Working Manual", USGS PP 1395, pp. 182-190) of the directions from a
// centre inside the cranium, about the head's vertical axis. On a sphere around the centre it
// is exactly equal-area and seam-free over everything but the antipode (straight down, inside
// the neck), which the region never reaches. Distortion is measured with Tissot's indicatrix
// (the singular values of each triangle's map to the chart).

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <queue>

#include "stipple/core/error.h"
#include "stipple/core/parallel.h"
#include "stipple/core/scalp_region.h"

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
// Holes of the hair region up to this size are filled (a pinna alone is ~30 cm2 and is never
// enclosed by the region: the skin in front of and below it is bare).
constexpr double kHoleMaxMm2 = 1500.0;
// Region flag of a triangle with a vertex above the hairline, where dots may lie (1: margin or
// filled hole). A margin triangle that folds over in the chart is left out; these never are.
constexpr uint8_t kAboveHairline = 2;
// Smallest extent of the fit in LAEA units (2 = a hemisphere's diameter; a scalp spans ~2.5).
constexpr double kMinFitExtent = 1.0;
// The hairline chart's extent is a multiple of this (LAEA units; 1.5% of a scalp's ~2): a
// hairline edit that does not widen the region past the next step keeps every UV, for at
// most this much of the resolution.
constexpr double kFitQuantum = 1.0 / 32.0;

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

namespace {

Error noRegionError(const HeadModel& head) {
    return Error("no part of the mesh lies in the scalp region (above the ears, behind the "
                 "brow); is the head frame right? Check /head/up, /head/forward and "
                 "/head/mm_per_unit",
                 head.import.file.string(), "/head");
}

// Triangles of `region` the projection from `centre` reaches (all three vertices away from the
// singular direction), flagged in `inside` (only region triangles are written); per vertex of
// `vertices` its LAEA coordinates in `coords` and whether it is reachable in `ok`. Returns how
// many region triangles are reached.
size_t reachRegion(const Mesh& mesh, const glm::dvec3& centre, const std::vector<uint32_t>& tris,
                   const std::vector<uint32_t>& vertices, std::vector<glm::dvec2>& coords,
                   std::vector<uint8_t>& ok, std::vector<uint8_t>& inside) {
    for (uint32_t v : vertices)
        ok[v] = laea(centre, glm::dvec3(mesh.positions[v]), coords[v]);
    size_t count = 0;
    for (uint32_t t : tris) {
        const glm::uvec3 tri = mesh.triangles[t];
        inside[t] = ok[tri.x] && ok[tri.y] && ok[tri.z];
        count += inside[t];
    }
    return count;
}

// The projection centre for the triangles flagged in `region`: the candidate on a grid along
// the head's vertical axis and front-back with the least distortion over them (the cranium is
// not a sphere, and the best centre depends on its shape). Throws stipple::Error when no
// candidate reaches any region triangle.
glm::dvec3 searchCentre(const HeadModel& head, const HeadFrame& frame,
                        const std::vector<uint8_t>& region) {
    const Mesh& mesh = head.mesh;
    const double axis_x = frame.vertex.x;
    const double axis_z = 0.5 * (frame.glabella.z + frame.occiput.z);
    const double ear_y = 0.5 * (frame.ear_left.y + frame.ear_right.y);
    std::vector<glm::dvec3> centres;
    for (int iy = -3; iy <= 4; ++iy)
        for (int iz = -4; iz <= 4; ++iz)
            centres.emplace_back(axis_x, ear_y + 15.0 * iy, axis_z + 10.0 * iz);
    // Only the region's triangles and vertices are projected and measured.
    std::vector<uint32_t> region_tris, region_vertices;
    for (size_t t = 0; t < mesh.triangleCount(); ++t)
        if (region[t]) {
            region_tris.push_back(uint32_t(t));
            for (int k = 0; k < 3; ++k)
                region_vertices.push_back(mesh.triangles[t][k]);
        }
    std::sort(region_vertices.begin(), region_vertices.end());
    region_vertices.erase(std::unique(region_vertices.begin(), region_vertices.end()),
                          region_vertices.end());
    // Every candidate centre's objective, on the machine's threads (each candidate is a pure
    // function of its centre, so the choice below does not depend on the thread count).
    std::vector<double> objective(centres.size(), std::numeric_limits<double>::infinity());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        std::vector<glm::dvec2> coords(mesh.vertexCount());
        std::vector<uint8_t> ok(mesh.vertexCount()), inside(mesh.triangleCount(), 0);
        for (size_t i = next++; i < centres.size(); i = next++) {
            const size_t count =
                reachRegion(mesh, centres[i], region_tris, region_vertices, coords, ok, inside);
            if (count == 0) continue;
            // Every region triangle the projection cannot reach is a lost part of the design.
            objective[i] =
                measure(mesh, inside, coords).objective + 1e3 * double(region_tris.size() - count);
        }
    };
    runWorkers(0, worker);
    double best_objective = std::numeric_limits<double>::infinity();
    glm::dvec3 best(0);
    for (size_t i = 0; i < centres.size(); ++i)
        if (objective[i] < best_objective) {
            best_objective = objective[i];
            best = centres[i];
        }
    if (!std::isfinite(best_objective))
        throw noRegionError(head);
    return best;
}

// LAEA box of the triangles flagged in `inside` (raw coordinates per vertex).
void insideBox(const Mesh& mesh, const std::vector<uint8_t>& inside,
               const std::vector<glm::dvec2>& raw, glm::dvec2& lo, glm::dvec2& hi) {
    lo = glm::dvec2(1e300);
    hi = glm::dvec2(-1e300);
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (!inside[t]) continue;
        for (int k = 0; k < 3; ++k) {
            lo = glm::min(lo, raw[mesh.triangles[t][k]]);
            hi = glm::max(hi, raw[mesh.triangles[t][k]]);
        }
    }
}

// The chart of the triangles flagged in `region` projected from `centre`, fitted into
// [margin, 1 - margin]^2 keeping the aspect, so the dots get every texel the chart has (a
// region smaller than kMinFitExtent, a few test dots, is not blown up beyond what a whole scalp
// would get). With `projection` (its centre must be `centre`) the fit is the stable one of
// ChartProjection: the extent rounded up to kFitQuantum and the box placed at the projection's
// middle as far as the region allows; without it, the region's own box, exactly.
ScalpChart fitChart(const HeadModel& head, const glm::dvec3& centre,
                    const std::vector<uint8_t>& region, const ChartProjection* projection) {
    const Mesh& mesh = head.mesh;
    ScalpChart best;
    best.centre_mm = centre;
    best.inside.assign(mesh.triangleCount(), 0);
    std::vector<uint32_t> region_tris, all_vertices(mesh.vertexCount());
    for (size_t t = 0; t < mesh.triangleCount(); ++t)
        if (region[t]) region_tris.push_back(uint32_t(t));
    for (size_t v = 0; v < mesh.vertexCount(); ++v)
        all_vertices[v] = uint32_t(v);
    std::vector<glm::dvec2> raw(mesh.vertexCount());
    std::vector<uint8_t> ok(mesh.vertexCount());
    if (projection != nullptr && projection->raw.size() == mesh.vertexCount()) {
        raw = projection->raw; // the projection is the head's: computed once
        for (uint32_t t : region_tris) {
            const glm::uvec3 tri = mesh.triangles[t];
            best.inside[t] = projection->reachable[tri.x] && projection->reachable[tri.y] &&
                             projection->reachable[tri.z];
        }
    } else {
        reachRegion(mesh, centre, region_tris, all_vertices, raw, ok, best.inside);
    }
    glm::dvec2 lo, hi;
    insideBox(mesh, best.inside, raw, lo, hi);
    if (!(lo.x <= hi.x))
        throw noRegionError(head);
    const double extent = std::max({hi.x - lo.x, hi.y - lo.y, kMinFitExtent});
    glm::dvec2 middle = 0.5 * (lo + hi);
    double fit = extent;
    if (projection != nullptr) {
        fit = kFitQuantum * std::ceil(extent / kFitQuantum);
        middle = glm::clamp(projection->middle, hi - 0.5 * fit, lo + 0.5 * fit);
    }
    best.uv_scale = (1.0 - 2 * kUvMargin) / fit;
    best.uv_offset = glm::dvec2(0.5) - best.uv_scale * middle;
    best.uvs.resize(mesh.vertexCount());
    std::vector<glm::dvec2> uv_d(mesh.vertexCount());
    for (size_t v = 0; v < mesh.vertexCount(); ++v) {
        uv_d[v] = best.uv_offset + best.uv_scale * raw[v];
        best.uvs[v] = glm::vec2(uv_d[v]);
    }
    // A margin triangle that folds over (the root of a pinna, a carved curl: the surface turns
    // away from the centre) would repeat pigment from elsewhere; it carries no dot, so leave it
    // out. Folds under dots stay and are reported.
    double signed_chart = 0;
    std::vector<double> det(mesh.triangleCount(), 0);
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (!best.inside[t]) continue;
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::dvec3 p0(mesh.positions[tri.x]), p1(mesh.positions[tri.y]),
            p2(mesh.positions[tri.z]);
        const TriangleMap map = triangleMap(p0, p1, p2, uv_d[tri.x], uv_d[tri.y], uv_d[tri.z]);
        if (!map.valid) continue;
        det[t] = glm::determinant(map.uv_per_mm);
        signed_chart += 0.5 * glm::length(glm::cross(p1 - p0, p2 - p0)) * det[t];
    }
    for (size_t t = 0; t < mesh.triangleCount(); ++t)
        if (best.inside[t] && region[t] != kAboveHairline && det[t] * signed_chart < 0)
            best.inside[t] = 0;
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

// The landmark region (see the header): triangles with all three vertices inside.
std::vector<uint8_t> landmarkRegion(const Mesh& mesh, const HeadFrame& frame) {
    const Region region(frame);
    std::vector<uint8_t> in_vertex(mesh.vertexCount());
    for (size_t v = 0; v < mesh.vertexCount(); ++v)
        in_vertex[v] = region.contains(glm::dvec3(mesh.positions[v]));
    std::vector<uint8_t> out(mesh.triangleCount());
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        out[t] = in_vertex[tri.x] && in_vertex[tri.y] && in_vertex[tri.z];
    }
    return out;
}

} // namespace

ScalpChart computeScalpChart(const HeadModel& head) {
    const HeadFrame frame = headFrame(head);
    const std::vector<uint8_t> region = landmarkRegion(head.mesh, frame);
    return fitChart(head, searchCentre(head, frame, region), region, nullptr);
}

namespace {

// Welded positions (Mesh::weld ids are compact, not vertex indices): a vertex of each, and
// their neighbours (CSR), for surface distances.
struct WeldGraph {
    std::vector<uint32_t> vertex; // one vertex of each welded position
    std::vector<uint32_t> offsets, neighbours;
    size_t size() const { return vertex.size(); }
};

uint32_t weldOf(const Mesh& mesh, uint32_t v) {
    return mesh.weld.empty() ? v : mesh.weld[v];
}

WeldGraph weldGraph(const Mesh& mesh) {
    WeldGraph g;
    size_t n = 0;
    for (size_t v = 0; v < mesh.vertexCount(); ++v)
        n = std::max<size_t>(n, size_t(weldOf(mesh, uint32_t(v))) + 1);
    g.vertex.assign(n, UINT32_MAX);
    for (size_t v = mesh.vertexCount(); v-- > 0;)
        g.vertex[weldOf(mesh, uint32_t(v))] = uint32_t(v);
    g.offsets.assign(n + 1, 0);
    for (const glm::uvec3& t : mesh.triangles)
        for (int k = 0; k < 3; ++k)
            g.offsets[weldOf(mesh, t[k]) + 1] += 2;
    for (size_t w = 0; w < n; ++w)
        g.offsets[w + 1] += g.offsets[w];
    g.neighbours.resize(g.offsets.back());
    std::vector<uint32_t> fill(g.offsets.begin(), g.offsets.end() - 1);
    for (const glm::uvec3& t : mesh.triangles)
        for (int k = 0; k < 3; ++k) {
            const uint32_t a = weldOf(mesh, t[k]), b = weldOf(mesh, t[(k + 1) % 3]),
                           c = weldOf(mesh, t[(k + 2) % 3]);
            g.neighbours[fill[a]++] = b;
            g.neighbours[fill[a]++] = c;
        }
    return g;
}

// Surface distance (mm, Dijkstra over the welded edges: an upper bound of the geodesic within
// a few per cent on a fine mesh, which is all a margin needs) from the welded positions with a
// finite `distance` to every welded position, up to `limit_mm` (beyond: infinity).
void spreadDistance(const Mesh& mesh, const WeldGraph& g, double limit_mm,
                    std::vector<double>& distance) {
    using Item = std::pair<double, uint32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    for (size_t w = 0; w < distance.size(); ++w)
        if (std::isfinite(distance[w])) queue.emplace(distance[w], uint32_t(w));
    while (!queue.empty()) {
        const auto [d, w] = queue.top();
        queue.pop();
        if (d > distance[w] || d > limit_mm) continue;
        const glm::dvec3 p(mesh.positions[g.vertex[w]]);
        for (uint32_t k = g.offsets[w]; k < g.offsets[w + 1]; ++k) {
            const uint32_t u = g.neighbours[k];
            const double du = d + glm::length(glm::dvec3(mesh.positions[g.vertex[u]]) - p);
            if (du < distance[u]) {
                distance[u] = du;
                queue.emplace(du, u);
            }
        }
    }
}

// Fills holes of the flagged region: connected pieces of the rest (across welded edges)
// smaller than a hole can be without being face, ears or neck (a patch the classification
// left out on a carved surface). A separate little part of the mesh (a loose shell, a cap)
// is not a hole.
void fillHoles(const Mesh& mesh, std::vector<uint8_t>& out) {
    // (welded edge, triangle) of the rest, sorted by edge: the triangles across an edge are
    // one equal_range.
    auto edgeKey = [&](uint32_t a, uint32_t b) {
        if (a > b) std::swap(a, b);
        return (uint64_t(a) << 32) | b;
    };
    std::vector<std::pair<uint64_t, uint32_t>> edge_triangles;
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (out[t]) continue;
        const glm::uvec3 tri = mesh.triangles[t];
        for (int k = 0; k < 3; ++k)
            edge_triangles.emplace_back(
                edgeKey(weldOf(mesh, tri[k]), weldOf(mesh, tri[(k + 1) % 3])), uint32_t(t));
    }
    std::sort(edge_triangles.begin(), edge_triangles.end());
    std::vector<uint8_t> vertex_in_region(mesh.vertexCount(), 0);
    for (size_t t = 0; t < mesh.triangleCount(); ++t)
        if (out[t])
            for (int k = 0; k < 3; ++k)
                vertex_in_region[weldOf(mesh, mesh.triangles[t][k])] = 1;
    std::vector<int64_t> component(mesh.triangleCount(), -1);
    std::vector<uint32_t> stack;
    for (size_t t0 = 0; t0 < mesh.triangleCount(); ++t0) {
        if (out[t0] || component[t0] >= 0) continue;
        std::vector<uint32_t> members;
        double area_mm2 = 0;
        bool touches_region = false;
        component[t0] = int64_t(t0);
        stack.push_back(uint32_t(t0));
        while (!stack.empty()) {
            const uint32_t t = stack.back();
            stack.pop_back();
            members.push_back(t);
            const glm::uvec3 tri = mesh.triangles[t];
            const glm::dvec3 p0(mesh.positions[tri.x]), p1(mesh.positions[tri.y]),
                p2(mesh.positions[tri.z]);
            area_mm2 += 0.5 * glm::length(glm::cross(p1 - p0, p2 - p0));
            for (int k = 0; k < 3; ++k) {
                const uint32_t a = weldOf(mesh, tri[k]), b = weldOf(mesh, tri[(k + 1) % 3]);
                touches_region = touches_region || vertex_in_region[a];
                const uint64_t key = edgeKey(a, b);
                auto it = std::lower_bound(edge_triangles.begin(), edge_triangles.end(),
                                           std::make_pair(key, uint32_t(0)));
                for (; it != edge_triangles.end() && it->first == key; ++it)
                    if (component[it->second] < 0) {
                        component[it->second] = int64_t(t0);
                        stack.push_back(it->second);
                    }
            }
        }
        if (touches_region && area_mm2 < kHoleMaxMm2)
            for (uint32_t t : members) out[t] = 1;
    }
}

constexpr double kProbeStepMm = 0.25;

// True when a point of the triangle (p0, p1, p2) is inside the region: its centroid is
// classified, and the triangle is proven outside when the centroid's margin (a lower bound of
// the distance to any border, the line's included) exceeds the distance to its corners, else
// split in four and searched on, down to sub-triangles of kProbeStepMm (a sliver narrower than
// that, found by no probe, holds no dot worth a texel).
bool triangleReachesInside(const ScalpRegion& region, const glm::dvec3& p0, const glm::dvec3& p1,
                           const glm::dvec3& p2, int depth = 0) {
    const glm::dvec3 g = (p0 + p1 + p2) / 3.0;
    const ZonePoint zp = region.classify(g);
    if (zp.inside) return true;
    const double reach =
        std::max({glm::length(p0 - g), glm::length(p1 - g), glm::length(p2 - g)});
    if (zp.margin_mm > reach) return false;
    const double longest =
        std::max({glm::length(p1 - p0), glm::length(p2 - p1), glm::length(p0 - p2)});
    if (longest < kProbeStepMm || depth >= 12) return false;
    const glm::dvec3 a = 0.5 * (p0 + p1), b = 0.5 * (p1 + p2), c = 0.5 * (p2 + p0);
    return triangleReachesInside(region, p0, a, c, depth + 1) ||
           triangleReachesInside(region, a, p1, b, depth + 1) ||
           triangleReachesInside(region, c, b, p2, depth + 1) ||
           triangleReachesInside(region, a, b, c, depth + 1);
}

} // namespace

std::vector<uint8_t> hairRegion(const Mesh& mesh, const ScalpRegion& region, double margin_mm) {
    const WeldGraph graph = weldGraph(mesh);
    // Classify each welded position once: the scalp above the hairline is the seed.
    // Nothing below the hairline's lowest point is scalp (ScalpRegion::classify's own guard):
    // those positions are not classified at all.
    double lowest_y = std::numeric_limits<double>::infinity();
    for (const glm::dvec3& q : region.hairline().loop_mm)
        lowest_y = std::min(lowest_y, q.y);
    std::vector<double> distance(graph.size(), std::numeric_limits<double>::infinity());
    for (size_t w = 0; w < graph.size(); ++w) {
        if (graph.vertex[w] == UINT32_MAX) continue;
        const glm::dvec3 p(mesh.positions[graph.vertex[w]]);
        if (p.y >= lowest_y && region.classify(p).inside) distance[w] = 0;
    }
    // On a coarse mesh the line can cut into a triangle between its vertices (a temple
    // corner, the line's irregularity, a nape line below a long neck triangle's corners) and
    // dots land there: every other triangle reaching above the line's lowest point is searched
    // for an inside point (triangleReachesInside: most are proven outside by one probe).
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const uint32_t w[3] = {weldOf(mesh, tri.x), weldOf(mesh, tri.y), weldOf(mesh, tri.z)};
        if (distance[w[0]] == 0 || distance[w[1]] == 0 || distance[w[2]] == 0) continue;
        if (std::max({mesh.positions[tri.x].y, mesh.positions[tri.y].y,
                      mesh.positions[tri.z].y}) < lowest_y)
            continue;
        if (triangleReachesInside(region, glm::dvec3(mesh.positions[tri.x]),
                                  glm::dvec3(mesh.positions[tri.y]),
                                  glm::dvec3(mesh.positions[tri.z])))
            for (uint32_t k : w)
                distance[k] = 0;
    }
    const std::vector<double> seed = distance;
    spreadDistance(mesh, graph, margin_mm, distance);
    std::vector<uint8_t> out(mesh.triangleCount(), 0);
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        for (int k = 0; k < 3; ++k) {
            const uint32_t w = weldOf(mesh, tri[k]);
            if (seed[w] == 0)
                out[t] = kAboveHairline;
            else if (distance[w] <= margin_mm)
                out[t] = std::max<uint8_t>(out[t], 1);
        }
    }
    fillHoles(mesh, out);
    return out;
}

ChartProjection chartProjection(const HeadModel& head) {
    const HeadFrame frame = headFrame(head);
    // The region of the default hairline (seed 0) stands for the usual scalp; a head on which
    // the default line cannot be drawn falls back to the landmark region.
    std::vector<uint8_t> region;
    try {
        std::vector<Problem> ignored;
        region = hairRegion(head.mesh, ScalpRegion(head, HairlineSpec{}, 0, "", ignored),
                            kRegionMarginMm);
    } catch (const Error&) {
        region = landmarkRegion(head.mesh, frame);
    }
    ChartProjection p;
    p.centre_mm = searchCentre(head, frame, region);
    p.raw.resize(head.mesh.vertexCount());
    p.reachable.resize(head.mesh.vertexCount());
    for (size_t v = 0; v < head.mesh.vertexCount(); ++v)
        p.reachable[v] = laea(p.centre_mm, glm::dvec3(head.mesh.positions[v]), p.raw[v]);
    std::vector<uint8_t> inside(head.mesh.triangleCount(), 0);
    for (size_t t = 0; t < head.mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = head.mesh.triangles[t];
        inside[t] = region[t] && p.reachable[tri.x] && p.reachable[tri.y] && p.reachable[tri.z];
    }
    glm::dvec2 lo, hi;
    insideBox(head.mesh, inside, p.raw, lo, hi);
    p.middle = lo.x <= hi.x ? 0.5 * (lo + hi) : glm::dvec2(0);
    p.lowest_y = std::numeric_limits<double>::infinity();
    for (size_t t = 0; t < head.mesh.triangleCount(); ++t)
        if (region[t])
            for (int k = 0; k < 3; ++k)
                p.lowest_y = std::min(p.lowest_y, double(head.mesh.positions[head.mesh.triangles[t][k]].y));
    return p;
}

ScalpChart computeScalpChart(const HeadModel& head, const ScalpRegion& region,
                             const ChartProjection& projection) {
    STIPPLE_ASSERT(projection.raw.size() == head.mesh.vertexCount(),
                   "computeScalpChart(): the projection is not this head's");
    const std::vector<uint8_t> hair = hairRegion(head.mesh, region, kRegionMarginMm);
    ScalpChart chart = fitChart(head, projection.centre_mm, hair, &projection);
    // A scalp reaching below the default one (a nape far down the neck) that the head's
    // projection cannot chart in full (a triangle near its singular direction, or folding over)
    // gets a centre of its own, as every chart did before.
    for (size_t t = 0; t < head.mesh.triangleCount(); ++t) {
        if (!hair[t] || chart.inside[t]) continue;
        const glm::uvec3 tri = head.mesh.triangles[t];
        for (uint32_t v : {tri.x, tri.y, tri.z})
            if (head.mesh.positions[v].y < projection.lowest_y)
                return fitChart(head, searchCentre(head, headFrame(head), hair), hair, nullptr);
    }
    return chart;
}

ScalpChart computeScalpChart(const HeadModel& head, const ScalpRegion& region) {
    return computeScalpChart(head, region, chartProjection(head));
}

glm::dvec2 chartUv(const ScalpChart& chart, const glm::dvec3& point_mm) {
    glm::dvec2 raw;
    laea(chart.centre_mm, point_mm, raw);
    return chart.uv_offset + chart.uv_scale * raw;
}

ChartedMesh splitForChart(const Mesh& mesh, const ScalpChart& chart) {
    // Not input-reachable: the chart is computed on this mesh by computeScalpChart (bake, C ABI).
    STIPPLE_ASSERT(chart.uvs.size() == mesh.vertexCount() &&
                       chart.inside.size() == mesh.triangleCount(),
                   "splitForChart(): chart does not belong to this mesh");
    ChartedMesh out;
    out.mesh.albedo_texture = mesh.albedo_texture;
    out.mesh.albedo = mesh.albedo;
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
