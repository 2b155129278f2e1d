#include "stipple/core/layers.h"

#include "stipple/core/poisson_sampling.h" // mixHash, unitOf

// Bakes the texture layers of a design in the scalp chart: pigment (every dot splatted through
// its triangle's map to the chart, see splat.h), scar tissue, and the untreated "before" look.
// The pigment model is in pigment.h, the chart in scalp_chart.h; the choices and their sources
// are in docs/pigment-model.md.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <unordered_map>

#include "stipple/core/error.h"
#include "stipple/core/parallel.h"
#include "stipple/core/pigment.h"
#include "stipple/core/scalp_chart.h"
#include "stipple/core/scalp_region.h"
#include "stipple/core/splat.h"

namespace stipple {

namespace {

constexpr int kSmoothLayerMax = 2048;
// Healed scar tissue: paler (hypopigmented) and smoother than the skin around it.
const glm::dvec3 kScarTint{0.70, 0.52, 0.48};
constexpr double kScarTintMix = 0.45;
constexpr float kScarRoughness = 0.30f;
constexpr float kScarEdgeSigmaMm = 0.35f;
constexpr float kFueEdgeSigmaMm = 0.15f;
constexpr float kFueCoverage = 0.85f;
constexpr double kScarMaxOffSurfaceMm = 15.0;

double unitHash(uint64_t seed, uint64_t a, uint64_t b) {
    return unitOf(mixHash(mixHash(mixHash(seed) ^ a) ^ b));
}

uint16_t toU16(double v) { return uint16_t(std::clamp(v, 0.0, 1.0) * 65535.0 + 0.5); }

// Nearest mesh vertex (of the chart region, or of the mesh) on a uniform grid (scar points ->
// surface).
class NearestVertex {
public:
    // Over the vertices of the chart's inside triangles, or (region_only false) of the whole
    // mesh.
    NearestVertex(const Mesh& mesh, const ScalpChart& chart, bool region_only = true)
        : m_mesh(mesh) {
        for (size_t t = 0; t < mesh.triangleCount(); ++t)
            if (chart.inside[t] || !region_only)
                for (int k = 0; k < 3; ++k) m_vertices.push_back(mesh.triangles[t][k]);
        std::sort(m_vertices.begin(), m_vertices.end());
        m_vertices.erase(std::unique(m_vertices.begin(), m_vertices.end()), m_vertices.end());
        for (uint32_t v : m_vertices) m_grid[key(glm::dvec3(mesh.positions[v]))].push_back(v);
    }
    // Nearest region vertex within `max_mm`, or -1.
    int64_t find(const glm::dvec3& p, double max_mm) const {
        const int reach = int(std::ceil(max_mm / kCellMm));
        const glm::ivec3 c = cell(p);
        int64_t best = -1;
        double best_d2 = max_mm * max_mm;
        for (int dz = -reach; dz <= reach; ++dz)
            for (int dy = -reach; dy <= reach; ++dy)
                for (int dx = -reach; dx <= reach; ++dx) {
                    const auto it = m_grid.find(pack(c + glm::ivec3(dx, dy, dz)));
                    if (it == m_grid.end()) continue;
                    for (uint32_t v : it->second) {
                        const glm::dvec3 d = glm::dvec3(m_mesh.positions[v]) - p;
                        const double d2 = glm::dot(d, d);
                        if (d2 < best_d2 || (d2 == best_d2 && int64_t(v) < best)) {
                            best_d2 = d2;
                            best = v;
                        }
                    }
                }
        return best;
    }

private:
    static constexpr double kCellMm = 8.0;
    static glm::ivec3 cell(const glm::dvec3& p) {
        return glm::ivec3(glm::floor(p / kCellMm));
    }
    static uint64_t pack(const glm::ivec3& c) {
        return (uint64_t(uint32_t(c.x + 100000)) << 42) ^ (uint64_t(uint32_t(c.y + 100000)) << 21) ^
               uint64_t(uint32_t(c.z + 100000));
    }
    static uint64_t key(const glm::dvec3& p) { return pack(cell(p)); }
    const Mesh& m_mesh;
    std::vector<uint32_t> m_vertices;
    std::unordered_map<uint64_t, std::vector<uint32_t>> m_grid;
};

// Tangent frame at a point with normal n, and the chart's Jacobian (uv per mm) along it.
glm::dmat2 analyticUvPerMm(const ScalpChart& chart, const glm::dvec3& p, const glm::dvec3& n,
                           glm::dvec3& t1, glm::dvec3& t2) {
    const glm::dvec3 helper = std::abs(n.y) < 0.9 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
    t1 = glm::normalize(glm::cross(helper, n));
    t2 = glm::cross(n, t1);
    constexpr double h = 0.05; // mm: small against the head's curvature
    const glm::dvec2 du = (chartUv(chart, p + h * t1) - chartUv(chart, p - h * t1)) / (2 * h);
    const glm::dvec2 dv = (chartUv(chart, p + h * t2) - chartUv(chart, p - h * t2)) / (2 * h);
    return glm::dmat2(du, dv);
}

// Bilinear sample (clamp to edge) of channel c.. of an image at chart uv; returns 0..1.
template <typename T>
void sampleBilinear(const ImageT<T>& image, const glm::vec2& uv, float scale, float* out) {
    const float x = uv.x * float(image.width) - 0.5f;
    const float y = (1.0f - uv.y) * float(image.height) - 0.5f;
    const float fx = std::floor(x), fy = std::floor(y);
    const float ax = x - fx, ay = y - fy;
    const int x0 = std::clamp(int(fx), 0, image.width - 1);
    const int y0 = std::clamp(int(fy), 0, image.height - 1);
    const int x1 = std::clamp(int(fx) + 1, 0, image.width - 1);
    const int y1 = std::clamp(int(fy) + 1, 0, image.height - 1);
    const T* p00 = image.at(x0, y0);
    const T* p10 = image.at(x1, y0);
    const T* p01 = image.at(x0, y1);
    const T* p11 = image.at(x1, y1);
    for (int c = 0; c < image.channels; ++c) {
        const float top = float(p00[c]) + (float(p10[c]) - float(p00[c])) * ax;
        const float bottom = float(p01[c]) + (float(p11[c]) - float(p01[c])) * ax;
        out[c] = (top + (bottom - top) * ay) * scale;
    }
}

// Pigment darkening a * (1 - rgb), filtered in that (premultiplied) form so dot edges are
// right whatever the empty texels hold.
glm::vec3 samplePigmentDarkening(const Image16& pigment, const glm::vec2& uv) {
    const float x = uv.x * float(pigment.width) - 0.5f;
    const float y = (1.0f - uv.y) * float(pigment.height) - 0.5f;
    const float fx = std::floor(x), fy = std::floor(y);
    const float ax = x - fx, ay = y - fy;
    glm::vec3 sum(0);
    for (int j = 0; j < 2; ++j)
        for (int i = 0; i < 2; ++i) {
            const int xi = std::clamp(int(fx) + i, 0, pigment.width - 1);
            const int yj = std::clamp(int(fy) + j, 0, pigment.height - 1);
            const uint16_t* p = pigment.at(xi, yj);
            const float w = (i ? ax : 1 - ax) * (j ? ay : 1 - ay);
            const float a = float(p[3]) / 65535.0f;
            for (int c = 0; c < 3; ++c) sum[c] += w * a * (1.0f - float(p[c]) / 65535.0f);
        }
    return sum;
}

glm::dvec3 meshSkinAlbedo(const HeadModel& head, const ScalpChart& chart, std::string& why) {
    const Mesh& mesh = head.mesh;
    if (!mesh.albedo || mesh.albedo->empty() || mesh.uvs.empty()) {
        why = "the mesh has no albedo texture";
        return glm::dvec3(-1);
    }
    const Image8& texture = *mesh.albedo;
    glm::dvec3 sum(0);
    double weight = 0;
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        if (!chart.inside[t]) continue;
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::dvec3 e1 = glm::dvec3(mesh.positions[tri.y] - mesh.positions[tri.x]);
        const glm::dvec3 e2 = glm::dvec3(mesh.positions[tri.z] - mesh.positions[tri.x]);
        const double area = 0.5 * glm::length(glm::cross(e1, e2));
        glm::vec2 uv = (mesh.uvs[tri.x] + mesh.uvs[tri.y] + mesh.uvs[tri.z]) / 3.0f;
        uv -= glm::floor(uv); // UDIM tiles share one texture here
        const int x = std::clamp(int(uv.x * float(texture.width)), 0, texture.width - 1);
        const int y = std::clamp(int((1 - uv.y) * float(texture.height)), 0, texture.height - 1);
        const uint8_t* p = texture.at(x, y);
        glm::dvec3 c = texture.channels >= 3 ? glm::dvec3(p[0], p[1], p[2]) : glm::dvec3(p[0]);
        for (int k = 0; k < 3; ++k) c[k] = srgbToLinear(c[k] / 255.0);
        sum += area * c;
        weight += area;
    }
    if (weight <= 0) {
        why = "no textured triangle lies in the scalp region";
        return glm::dvec3(-1);
    }
    return sum / weight;
}

// The ink splat of one dot through its triangle's map to the chart; false when it cannot be
// placed (triangle outside the region or degenerate).
bool dotSplat(const Dot& dot, const HeadModel& head, const ScalpChart& chart,
              const InkAppearance& look, InkSplat& out) {
    const Mesh& mesh = head.mesh;
    if (dot.triangle >= mesh.triangleCount() || !chart.inside[dot.triangle]) return false;
    const glm::uvec3 tri = mesh.triangles[dot.triangle];
    const glm::dvec3 p0(mesh.positions[tri.x]), p1(mesh.positions[tri.y]),
        p2(mesh.positions[tri.z]);
    const glm::dvec2 uv0(chart.uvs[tri.x]), uv1(chart.uvs[tri.y]), uv2(chart.uvs[tri.z]);
    const TriangleMap map = triangleMap(p0, p1, p2, uv0, uv1, uv2);
    if (!map.valid || !(std::abs(glm::determinant(map.uv_per_mm)) > 0)) return false;
    // Centre: the dot's position in the triangle's plane, by barycentric coordinates.
    const glm::dvec3 d = glm::dvec3(dot.position_mm) - p0;
    const glm::dvec2 local(glm::dot(d, map.frame_u), glm::dot(d, map.frame_v));
    const glm::dvec2 centre = uv0 + map.uv_per_mm * local;
    const glm::dmat2 mm_per_uv = glm::inverse(map.uv_per_mm);
    // Angle reference: the surface direction that maps to the chart's +u.
    const glm::dvec2 ref = glm::normalize(mm_per_uv * glm::dvec2(1, 0));
    const double c = std::cos(double(dot.angle_rad)), s = std::sin(double(dot.angle_rad));
    const glm::dvec2 major(c * ref.x - s * ref.y, s * ref.x + c * ref.y);
    const glm::dvec2 minor(-major.y, major.x);
    const double aspect = std::clamp(double(dot.aspect), 0.05, 1.0);
    const double to_major = std::sqrt(aspect), to_minor = 1.0 / std::sqrt(aspect);
    // w = diag(sqrt(aspect), 1/sqrt(aspect)) * [major; minor] * mm_per_uv (rows of the middle).
    const glm::dmat2 axes(glm::dvec2(major.x * to_major, minor.x * to_minor),
                          glm::dvec2(major.y * to_major, minor.y * to_minor));
    out.centre_uv = glm::vec2(centre);
    out.mm_from_uv = glm::mat2(axes * mm_per_uv);
    out.radius_mm = float(0.5 * double(dot.diameter_mm) * look.diameter_scale);
    out.edge_sigma_mm = float(look.edge_sigma_mm + look.edge_sigma_per_radius * out.radius_mm);
    out.filter = glm::vec3(look.filter);
    out.diffusion_strength = float(look.diffusion_strength);
    out.diffusion_sigma_mm =
        float(std::min(look.diffusion_sigma_mm + look.diffusion_sigma_per_radius * out.radius_mm,
                       look.diffusion_sigma_max_mm));
    out.halo_strength = float(look.halo_strength);
    out.halo_sigma_mm = float(look.halo_sigma_mm + look.halo_sigma_scale * out.radius_mm);
    out.halo_filter = glm::vec3(look.halo_filter);
    out.shadow_strength = float(look.shadow_strength);
    out.shadow_radius_mm = float(look.shadow_radius_mm);
    out.shadow_filter = glm::vec3(look.shadow_filter);
    out.zone = uint8_t(1 + int(dot.zone));
    return true;
}

// Scar points that lie outside the chart's region (nearest mesh vertex not on an inside
// triangle): the region is the scalp above the hairline plus kRegionMarginMm, so those parts
// would be painted where no triangle shows them. Counted per scar and reported once.
class RegionCheck {
public:
    RegionCheck(const Mesh& mesh, const ScalpChart& chart)
        : m_all(mesh, chart, false), m_in_region(mesh.vertexCount(), 0) {
        for (size_t t = 0; t < mesh.triangleCount(); ++t)
            if (chart.inside[t])
                for (int k = 0; k < 3; ++k)
                    m_in_region[mesh.triangles[t][k]] = 1;
    }
    bool outside(const glm::dvec3& p) const {
        const int64_t v = m_all.find(p, kScarMaxOffSurfaceMm);
        return v < 0 || !m_in_region[size_t(v)];
    }

private:
    NearestVertex m_all;
    std::vector<uint8_t> m_in_region;
};

void bakeScars(LayerStack& stack, const HeadModel& head, const LayerSpec& spec) {
    const int size = stack.scar.width;
    std::vector<float> coverage(size_t(size) * size_t(size), 0.0f);
    const NearestVertex nearest(head.mesh, stack.chart);
    const RegionCheck region(head.mesh, stack.chart);
    std::vector<size_t> far_points(spec.scars.size(), 0), outside_points(spec.scars.size(), 0),
        points(spec.scars.size(), 0);
    // A scar point on the surface: the nearest region vertex's tangent plane.
    auto onSurface = [&](const glm::dvec3& p, size_t scar, glm::dvec3& q, glm::dvec3& n) {
        ++points[scar];
        if (region.outside(p)) ++outside_points[scar];
        const int64_t v = nearest.find(p, kScarMaxOffSurfaceMm);
        if (v < 0) {
            ++far_points[scar];
            return false;
        }
        n = glm::normalize(glm::dvec3(head.mesh.normals.empty() ? glm::vec3(0, 1, 0)
                                                                : head.mesh.normals[size_t(v)]));
        q = p - n * glm::dot(p - glm::dvec3(head.mesh.positions[size_t(v)]), n);
        return true;
    };
    auto patch = [&](const glm::dvec3& p, const glm::dvec3& n, double radius_mm, float sigma,
                     float peak) {
        glm::dvec3 t1, t2;
        const glm::dmat2 j = analyticUvPerMm(stack.chart, p, n, t1, t2);
        ScarSplat s;
        s.centre_uv = glm::vec2(chartUv(stack.chart, p));
        s.mm_from_uv = glm::mat2(glm::inverse(j));
        s.radius_mm = float(radius_mm);
        s.edge_sigma_mm = sigma;
        s.coverage = peak;
        return s;
    };
    std::vector<ScarSplat> splats;
    for (size_t i = 0; i < spec.scars.size(); ++i) {
        const ScarSpec& scar = spec.scars[i];
        if (scar.points_mm.empty()) continue;
        if (scar.type == ScarType::Strip || scar.type == ScarType::Polygon) {
            // Strip: a chain of discs along the polyline. Polygon: its outline the same way,
            // and the inside filled below (a closed chain).
            std::vector<glm::dvec3> line = scar.points_mm;
            if (scar.type == ScarType::Polygon) line.push_back(line.front());
            const double radius = scar.type == ScarType::Strip ? 0.5 * scar.width_mm : 0.5;
            const double step = std::max(0.1, std::min(0.25 * radius, 0.5));
            for (size_t k = 0; k < line.size(); ++k) {
                const glm::dvec3 a = line[k];
                const glm::dvec3 b = k + 1 < line.size() ? line[k + 1] : a;
                const int n_steps = std::max(1, int(std::ceil(glm::length(b - a) / step)));
                for (int s = 0; s < n_steps + (k + 1 == line.size() ? 1 : 0); ++s) {
                    glm::dvec3 q, n;
                    if (!onSurface(a + (b - a) * (double(s) / n_steps), i, q, n)) continue;
                    splats.push_back(patch(q, n, radius, kScarEdgeSigmaMm, 1.0f));
                }
            }
            if (scar.type == ScarType::Polygon && scar.points_mm.size() >= 3) {
                std::vector<glm::vec2> poly;
                for (const glm::dvec3& p : scar.points_mm)
                    poly.push_back(glm::vec2(chartUv(stack.chart, p)));
                for (int y = 0; y < size; ++y)
                    for (int x = 0; x < size; ++x) {
                        const glm::vec2 uv((float(x) + 0.5f) / float(size),
                                           1.0f - (float(y) + 0.5f) / float(size));
                        bool in = false;
                        for (size_t a = 0, b = poly.size() - 1; a < poly.size(); b = a++)
                            if ((poly[a].y > uv.y) != (poly[b].y > uv.y) &&
                                uv.x < (poly[b].x - poly[a].x) * (uv.y - poly[a].y) /
                                               (poly[b].y - poly[a].y) + poly[a].x)
                                in = !in;
                        if (in) coverage[size_t(y) * size_t(size) + size_t(x)] = 1.0f;
                    }
            }
        } else {
            glm::dvec3 centre, n;
            if (!onSurface(scar.points_mm.front(), i, centre, n)) continue;
            glm::dvec3 t1, t2;
            analyticUvPerMm(stack.chart, centre, n, t1, t2);
            for (int k = 0; k < scar.count; ++k) {
                // Uniform in the disc: a pure function of (seed, scar, k).
                const double r = scar.radius_mm * std::sqrt(unitHash(spec.seed, i, 2 * k));
                const double phi = 6.283185307179586 * unitHash(spec.seed, i, 2 * k + 1);
                glm::dvec3 q, nq;
                if (!onSurface(centre + r * (std::cos(phi) * t1 + std::sin(phi) * t2), i, q, nq))
                    continue;
                splats.push_back(patch(q, nq, 0.5 * scar.scar_diameter_mm, kFueEdgeSigmaMm,
                                       kFueCoverage));
            }
        }
    }
    for (size_t i = 0; i < spec.scars.size(); ++i) {
        const std::string pointer = "/scars/" + std::to_string(i);
        if (far_points[i] > 0)
            stack.warnings.push_back({spec.file, pointer,
                                      "a point is more than 15 mm from the scalp chart's region; "
                                      "that part of the scar is not drawn",
                                      true});
        else if (outside_points[i] > 0)
            stack.warnings.push_back(
                {spec.file, pointer,
                 std::to_string(outside_points[i]) + " of " + std::to_string(points[i]) +
                     " points of the scar lie outside the scalp chart's region (the scalp above "
                     "the hairline plus " +
                     formatFixed(kRegionMarginMm, 0) +
                     " mm); that part is not drawn. Lower the hairline (/hairline) or move the "
                     "scar",
                 true});
    }
    splatScar(coverage, size, splats);
    const glm::dvec3 skin(stack.skin_linear);
    const glm::dvec3 colour = skin + (kScarTint - skin) * kScarTintMix;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            uint16_t* p = stack.scar.at(x, y);
            for (int c = 0; c < 3; ++c) p[c] = toU16(colour[c]);
            p[3] = toU16(coverage[size_t(y) * size_t(size) + size_t(x)]);
        }
}

// The dots' warning of a bake (bakeLayers puts it after the chart's and the skin's).
Problem dotsOutsideWarning(const std::string& file, size_t skipped) {
    return {file, "",
            std::to_string(skipped) + " dots lie outside the scalp chart's region and are not drawn",
            true};
}

// The tiles of a layer of `size` that change when the splats `before` become `after`: those
// reached by a splat that only one of them holds (after their common prefix and suffix, a
// multiset difference: a hairline edit changes some zones and keeps others between them).
// Empty when nothing changed.
std::vector<uint8_t> changedTiles(const std::vector<InkSplat>& before,
                                  const std::vector<InkSplat>& after, int size, int factor) {
    const auto same = [](const InkSplat& a, const InkSplat& b) {
        return a.centre_uv == b.centre_uv && a.mm_from_uv == b.mm_from_uv &&
               a.radius_mm == b.radius_mm && a.edge_sigma_mm == b.edge_sigma_mm &&
               a.filter == b.filter && a.diffusion_strength == b.diffusion_strength &&
               a.diffusion_sigma_mm == b.diffusion_sigma_mm && a.halo_strength == b.halo_strength &&
               a.halo_sigma_mm == b.halo_sigma_mm && a.halo_filter == b.halo_filter &&
               a.shadow_strength == b.shadow_strength && a.shadow_radius_mm == b.shadow_radius_mm &&
               a.shadow_filter == b.shadow_filter && a.zone == b.zone;
    };
    size_t prefix = 0;
    while (prefix < before.size() && prefix < after.size() && same(before[prefix], after[prefix]))
        ++prefix;
    size_t suffix = 0;
    while (suffix < before.size() - prefix && suffix < after.size() - prefix &&
           same(before[before.size() - 1 - suffix], after[after.size() - 1 - suffix]))
        ++suffix;
    // Between them, the splats of one list that the other does not hold (as multisets): the
    // splats both hold keep their order relative to each other, so a tile that none of the
    // others reaches gets the same splat sequence, and the same bytes.
    const auto key = [](const InkSplat& a) {
        uint32_t bits[4];
        std::memcpy(&bits[0], &a.centre_uv.x, 4);
        std::memcpy(&bits[1], &a.centre_uv.y, 4);
        std::memcpy(&bits[2], &a.radius_mm, 4);
        bits[3] = a.zone;
        return hashOf(hashOf(bits[0], bits[1]), bits[2], bits[3]);
    };
    std::unordered_map<uint64_t, std::vector<size_t>> unmatched_before;
    for (size_t i = prefix; i < before.size() - suffix; ++i)
        unmatched_before[key(before[i])].push_back(i);
    std::vector<InkSplat> changed;
    for (size_t i = prefix; i < after.size() - suffix; ++i) {
        auto it = unmatched_before.find(key(after[i]));
        bool matched = false;
        if (it != unmatched_before.end())
            for (size_t& j : it->second)
                if (j != SIZE_MAX && same(before[j], after[i])) {
                    j = SIZE_MAX;
                    matched = true;
                    break;
                }
        if (!matched) changed.push_back(after[i]);
    }
    for (const auto& [k, list] : unmatched_before)
        for (size_t j : list)
            if (j != SIZE_MAX) changed.push_back(before[j]);
    std::vector<uint8_t> tiles(size_t(splatTileCount(size)), 0);
    markSplatTiles(changed, size, factor, tiles);
    return tiles;
}

// Splats `dots` into the stack's allocated pigment layer and zone map for `skin` and inserts
// the dots-outside warning (if any) at `warning_at` of stack.warnings. When the stack already
// holds splats with the same empty filter and shadow grid, only the tiles the changed splats
// reach are splatted again (the same bytes, see splatInkTiles).
// The warnings a bake starts with: the chart's folds, then the skin's (bakeLayers' order).
void pushChartWarnings(LayerStack& stack, const LayerSkin& skin, const LayerSpec& spec) {
    if (stack.chart.flipped_triangles > 0)
        stack.warnings.push_back(
            {spec.file, "/head",
             std::to_string(stack.chart.flipped_triangles) +
                 " triangles of the scalp region fold over in the chart (the surface is not "
                 "star-shaped there); pigment on them may repeat",
             true});
    if (skin.warning) stack.warnings.push_back(*skin.warning);
}

// The scar layer and its roughness, from nothing, at the smooth layers' size.
void bakeScarLayers(LayerStack& stack, const HeadModel& head, const LayerSpec& spec) {
    const int smooth = smoothLayerSize(stack.size);
    stack.scar = Image16(smooth, smooth, 4);
    stack.scar_roughness = Image8(smooth, smooth, 1, uint8_t(kScarRoughness * 255.0f + 0.5f));
    bakeScars(stack, head, spec);
}

void splatPigment(LayerStack& stack, const HeadModel& head, const FollicleSet& dots,
                  const LayerSpec& spec, const glm::dvec3& skin,
                  std::vector<Problem>::iterator warning_at) {
    const auto start = std::chrono::steady_clock::now();
    glm::vec3 empty_filter;
    auto splats = std::make_shared<const std::vector<InkSplat>>(
        inkSplats(head, stack.chart, dots, spec.pigment, empty_filter, stack.dots_skipped, &skin));
    if (stack.dots_skipped > 0)
        stack.warnings.insert(warning_at, dotsOutsideWarning(spec.file, stack.dots_skipped));
    const int factor = shadowGridFactor(*splats, stack.size);
    std::vector<uint8_t> tiles;
    if (stack.ink_splats && stack.empty_filter == empty_filter && stack.shadow_factor == factor)
        tiles = changedTiles(*stack.ink_splats, *splats, stack.size, factor);
    else
        tiles.assign(size_t(splatTileCount(stack.size)), 1);
    stack.dots_splatted =
        splatInkTiles(stack.pigment, *splats, empty_filter, factor, tiles, 0, &stack.zone_map);
    stack.ink_splats = std::move(splats);
    stack.empty_filter = empty_filter;
    stack.shadow_factor = factor;
    stack.tiles_splatted = size_t(std::count(tiles.begin(), tiles.end(), uint8_t(1)));
    stack.splat_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

std::vector<InkSplat> inkSplats(const HeadModel& head, const ScalpChart& chart,
                                const FollicleSet& dots, const PigmentSpec& pigment,
                                glm::vec3& empty_filter, size_t& skipped,
                                const glm::dvec3* skin_linear) {
    // One appearance per distinct shade, then every dot through its triangle.
    const glm::dvec3 skin = skin_linear ? *skin_linear
                                        : fitzpatrickAlbedoLinear(pigment.fitzpatrick.value_or(3));
    std::map<float, InkAppearance> looks;
    std::vector<InkSplat> splats;
    splats.reserve(dots.dots.size());
    skipped = 0;
    for (const Dot& dot : dots.dots) {
        auto it = looks.find(dot.shade);
        if (it == looks.end())
            it = looks.emplace(dot.shade, inkAppearance(dot.shade, pigment.age_days, pigment.ink, skin))
                     .first;
        InkSplat splat;
        if (!dotSplat(dot, head, chart, it->second, splat)) {
            ++skipped;
            continue;
        }
        splats.push_back(splat);
    }
    // Empty texels: the zones' default shade for the hair colour on this skin, which the dots
    // do not change (a partial re-splat leaves the texels it does not reach as they are).
    const double reference = recommendedShade(pigment.hair_colour_srgb, skin, pigment.ink);
    empty_filter = glm::vec3(inkAppearance(reference, pigment.age_days, pigment.ink, skin).filter);
    return splats;
}

void validateLayerSize(int size, const std::string& option) {
    const bool power_of_two = size > 0 && (size & (size - 1)) == 0;
    if (!power_of_two || size < kLayerSizeMin || size > kLayerSizeMax)
        throw Error("layer size " + std::to_string(size) +
                        " is not accepted; use a power of two from 1024 to 8192 "
                        "(1024, 2048, 4096, 8192)",
                    "", option);
}

int smoothLayerSize(int size) { return std::min(size, kSmoothLayerMax); }

LayerSpec layerSpec(const Design& design) {
    LayerSpec spec;
    spec.pigment = design.pigment;
    spec.scars = design.scars;
    spec.seed = design.seed;
    spec.file = design.source.string();
    return spec;
}

LayerSkin layerSkin(const HeadModel& head, const ScalpChart& chart, const PigmentSpec& pigment,
                    const std::string& file) {
    LayerSkin out;
    out.linear = fitzpatrickAlbedoLinear(3);
    out.source = "default (fitzpatrick 3)";
    if (pigment.skin_from_mesh) {
        std::string why;
        const glm::dvec3 from_mesh = meshSkinAlbedo(head, chart, why);
        if (from_mesh.x >= 0) {
            out.linear = from_mesh;
            out.source = "mesh albedo";
        } else {
            out.warning = Problem{file, "/pigment/skin_from_mesh",
                                  why + "; using Fitzpatrick type " +
                                      std::to_string(pigment.fitzpatrick.value_or(3)),
                                  true};
            out.linear = fitzpatrickAlbedoLinear(pigment.fitzpatrick.value_or(3));
        }
    } else if (pigment.fitzpatrick) {
        out.linear = fitzpatrickAlbedoLinear(*pigment.fitzpatrick);
        out.source = "fitzpatrick " + std::to_string(*pigment.fitzpatrick);
    }
    return out;
}

LayerStack bakeLayers(const HeadModel& head, const ScalpChart& chart, const FollicleSet& dots,
                      const LayerSpec& spec, int size) {
    validateLayerSize(size, "/render/layer_size");
    // Not input-reachable: the chart is computed on this head (Session, bake, C ABI).
    STIPPLE_ASSERT(chart.inside.size() == head.mesh.triangleCount() &&
                       chart.uvs.size() == head.mesh.vertexCount(),
                   "bakeLayers(): the chart does not belong to this head");
    LayerStack stack;
    stack.size = size;
    stack.chart = chart;

    // Skin tone.
    const PigmentSpec& pigment = spec.pigment;
    const LayerSkin skin_choice = layerSkin(head, stack.chart, pigment, spec.file);
    pushChartWarnings(stack, skin_choice, spec);
    const glm::dvec3 skin = skin_choice.linear;
    stack.skin_source = skin_choice.source;
    stack.skin_linear = glm::vec3(skin);
    stack.recommended_shade = recommendedShade(pigment.hair_colour_srgb, skin, pigment.ink);

    // Pigment and the zone of each texel.
    stack.pigment = Image16(size, size, 4);
    stack.zone_map = Image8(size, size, 1);
    splatPigment(stack, head, dots, spec, skin, stack.warnings.end());

    // Scar tissue and its roughness; the before state (see docs: skin as it is, no pigment).
    const int smooth = smoothLayerSize(size);
    bakeScarLayers(stack, head, spec);
    stack.before = Image16(smooth, smooth, 4);
    for (size_t i = 0; i < stack.before.pixels.size(); i += 4)
        for (int c = 0; c < 3; ++c) stack.before.pixels[i + size_t(c)] = toU16(skin[c]);
    return stack;
}

void rebakePigment(LayerStack& stack, const HeadModel& head, const FollicleSet& dots,
                   const LayerSpec& spec) {
    validateLayerSize(stack.size, "/render/layer_size");
    // Not input-reachable: the Session passes the stack bakeLayers made for this head.
    STIPPLE_ASSERT(stack.chart.inside.size() == head.mesh.triangleCount() &&
                       stack.chart.uvs.size() == head.mesh.vertexCount(),
                   "rebakePigment(): the stack's chart does not belong to this head");
    STIPPLE_ASSERT(stack.pigment.width == stack.size && stack.pigment.height == stack.size &&
                       stack.pigment.channels == 4 && stack.zone_map.width == stack.size &&
                       stack.zone_map.height == stack.size && stack.zone_map.channels == 1,
                   "rebakePigment(): the stack was not baked by bakeLayers");
    // The skin as bakeLayers chose it, in double precision (LayerStack keeps floats): the ink
    // filters are computed for it.
    const LayerSkin skin = layerSkin(head, stack.chart, spec.pigment, spec.file);
    // bakeLayers' warnings: the chart's, the skin's, the dots' (replaced here), the scars'.
    const size_t before_dots =
        (stack.chart.flipped_triangles > 0 ? 1 : 0) + (skin.warning ? 1 : 0);
    // Not input-reachable: the stack's warnings are bakeLayers' (the Session's stack).
    STIPPLE_ASSERT(stack.warnings.size() >= before_dots,
                   "rebakePigment(): the stack's warnings are not bakeLayers'");
    auto at = stack.warnings.begin() + std::ptrdiff_t(before_dots);
    if (stack.dots_skipped > 0) {
        STIPPLE_ASSERT(at != stack.warnings.end() &&
                           at->message == dotsOutsideWarning(spec.file, stack.dots_skipped).message,
                       "rebakePigment(): the stack's warnings are not bakeLayers'");
        at = stack.warnings.erase(at);
    }
    splatPigment(stack, head, dots, spec, skin.linear, at);
}

void rechartLayers(LayerStack& stack, const HeadModel& head, const ScalpChart& chart,
                   const FollicleSet& dots, const LayerSpec& spec) {
    validateLayerSize(stack.size, "/render/layer_size");
    STIPPLE_ASSERT(chart.inside.size() == head.mesh.triangleCount() &&
                       chart.uvs.size() == head.mesh.vertexCount() &&
                       chart.uvs == stack.chart.uvs,
                   "rechartLayers(): the new chart's UVs are not the stack's");
    const LayerSkin skin = layerSkin(head, chart, spec.pigment, spec.file);
    if (glm::vec3(skin.linear) != stack.skin_linear) { // the mesh albedo under the region moved
        stack = bakeLayers(head, chart, dots, spec, stack.size);
        return;
    }
    stack.chart = chart;
    stack.warnings.clear();
    pushChartWarnings(stack, skin, spec);
    stack.dots_skipped = 0; // its warning went with the others; the splat adds it back
    splatPigment(stack, head, dots, spec, skin.linear, stack.warnings.end());
    bakeScarLayers(stack, head, spec); // scar points are placed on the region's vertices
}

LayerStack bakeLayers(const HeadModel& head, const FollicleSet& dots, const Design& design,
                      int size) {
    validateLayerSize(size, "/render/layer_size");
    // The region's own warnings (the hairline's) belong to the dots, which report them.
    std::vector<Problem> region_warnings;
    const ScalpRegion region(head, design.hairline, design.seed, design.source.string(),
                             region_warnings);
    return bakeLayers(head, computeScalpChart(head, region), dots, layerSpec(design), size);
}

glm::vec3 compositeAfter(const LayerStack& layers, const glm::vec2& uv,
                         const glm::vec3& base_linear) {
    glm::vec3 albedo = base_linear;
    if (!layers.scar.empty()) {
        float scar[4];
        sampleBilinear(layers.scar, uv, 1.0f / 65535.0f, scar);
        albedo = albedo + (glm::vec3(scar[0], scar[1], scar[2]) - albedo) * scar[3];
    }
    if (!layers.pigment.empty()) albedo *= glm::vec3(1.0f) - samplePigmentDarkening(layers.pigment, uv);
    return albedo;
}

namespace {

uint8_t toSrgb8(float linear) {
    return uint8_t(std::clamp(linearToSrgb(std::clamp(double(linear), 0.0, 1.0)), 0.0, 1.0) *
                       255.0 + 0.5);
}

} // namespace

Image8 chartAlbedo(const LayerStack& layers, int size) {
    Image8 out(size, size, 3);
    parallelFor(size, 0, [&](int y) {
        for (int x = 0; x < size; ++x) {
            const glm::vec2 uv((float(x) + 0.5f) / float(size), 1.0f - (float(y) + 0.5f) / float(size));
            const glm::vec3 c = compositeAfter(layers, uv, layers.skin_linear);
            uint8_t* p = out.at(x, y);
            for (int k = 0; k < 3; ++k)
                p[k] = toSrgb8(c[k]);
        }
    });
    return out;
}

std::vector<AlbedoTile> flattenAlbedo(const HeadModel& head, const LayerStack& layers, int size) {
    const Mesh& mesh = head.mesh;
    std::vector<AlbedoTile> tiles;
    if (mesh.uvs.empty()) return tiles;
    // Decoded once at import (Mesh::albedo): the baker reads no file.
    static const Image8 kNoAlbedo;
    const Image8& own = mesh.albedo ? *mesh.albedo : kNoAlbedo;

    // Triangles per UDIM tile (by the centroid's tile).
    std::map<int, std::vector<uint32_t>> by_tile;
    for (size_t t = 0; t < mesh.triangleCount(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::vec2 c = (mesh.uvs[tri.x] + mesh.uvs[tri.y] + mesh.uvs[tri.z]) / 3.0f;
        const int tu = std::clamp(int(std::floor(c.x)), 0, 9), tv = std::max(0, int(std::floor(c.y)));
        by_tile[1001 + tu + 10 * tv].push_back(uint32_t(t));
    }
    for (const auto& [udim, tris] : by_tile) {
        const glm::vec2 origin(float((udim - 1001) % 10), float((udim - 1001) / 10));
        AlbedoTile tile;
        tile.udim = udim;
        tile.image = Image8(size, size, 3);
        std::vector<uint8_t> filled(size_t(size) * size_t(size), 0);
        // Rasterise: pixel centres inside the triangle (in tile pixel space), in parallel over
        // triangles would race on shared edges, so rows are the unit: bin triangles per row band.
        const int band_rows = 32;
        const int bands = (size + band_rows - 1) / band_rows;
        std::vector<std::vector<uint32_t>> band_tris(static_cast<size_t>(bands));
        for (uint32_t t : tris) {
            const glm::uvec3 tri = mesh.triangles[t];
            float y_lo = 1e30f, y_hi = -1e30f;
            for (int k = 0; k < 3; ++k) {
                const float py = (1.0f - (mesh.uvs[tri[k]].y - origin.y)) * float(size);
                y_lo = std::min(y_lo, py);
                y_hi = std::max(y_hi, py);
            }
            const int b0 = std::clamp(int(std::floor(y_lo)) / band_rows, 0, bands - 1);
            const int b1 = std::clamp(int(std::ceil(y_hi)) / band_rows, 0, bands - 1);
            for (int b = b0; b <= b1; ++b) band_tris[size_t(b)].push_back(t);
        }
        parallelFor(bands, 0, [&](int band) {
            const int row0 = band * band_rows, row1 = std::min(size, row0 + band_rows);
            for (uint32_t t : band_tris[size_t(band)]) {
                const glm::uvec3 tri = mesh.triangles[t];
                glm::vec2 p[3];
                for (int k = 0; k < 3; ++k) {
                    const glm::vec2 uv = mesh.uvs[tri[k]] - origin;
                    p[k] = glm::vec2(uv.x * float(size), (1.0f - uv.y) * float(size));
                }
                const float area = (p[1].x - p[0].x) * (p[2].y - p[0].y) -
                                   (p[2].x - p[0].x) * (p[1].y - p[0].y);
                if (std::abs(area) < 1e-12f) continue;
                const int x0 = std::max(0, int(std::floor(std::min({p[0].x, p[1].x, p[2].x}))));
                const int x1 = std::min(size - 1, int(std::ceil(std::max({p[0].x, p[1].x, p[2].x}))));
                const int y0 = std::max(row0, int(std::floor(std::min({p[0].y, p[1].y, p[2].y}))));
                const int y1 = std::min(row1 - 1, int(std::ceil(std::max({p[0].y, p[1].y, p[2].y}))));
                const bool inside = layers.chart.inside.size() == mesh.triangleCount() &&
                                    layers.chart.inside[t];
                for (int y = y0; y <= y1; ++y)
                    for (int x = x0; x <= x1; ++x) {
                        const glm::vec2 q(float(x) + 0.5f, float(y) + 0.5f);
                        const float w0 = ((p[1].x - q.x) * (p[2].y - q.y) -
                                          (p[2].x - q.x) * (p[1].y - q.y)) / area;
                        const float w1 = ((p[2].x - q.x) * (p[0].y - q.y) -
                                          (p[0].x - q.x) * (p[2].y - q.y)) / area;
                        const float w2 = 1.0f - w0 - w1;
                        constexpr float eps = -1e-4f;
                        if (w0 < eps || w1 < eps || w2 < eps) continue;
                        glm::vec3 base = layers.skin_linear;
                        if (!own.empty()) {
                            glm::vec2 uv = w0 * mesh.uvs[tri.x] + w1 * mesh.uvs[tri.y] +
                                           w2 * mesh.uvs[tri.z];
                            uv -= glm::floor(uv);
                            float s[4] = {0, 0, 0, 0};
                            sampleBilinear(own, uv, 1.0f / 255.0f, s);
                            base = own.channels >= 3 ? glm::vec3(s[0], s[1], s[2]) : glm::vec3(s[0]);
                            for (int k = 0; k < 3; ++k)
                                base[k] = float(srgbToLinear(base[k]));
                        }
                        if (inside) {
                            const glm::vec2 cuv = w0 * layers.chart.uvs[tri.x] +
                                                  w1 * layers.chart.uvs[tri.y] +
                                                  w2 * layers.chart.uvs[tri.z];
                            base = compositeAfter(layers, cuv, base);
                        }
                        uint8_t* px = tile.image.at(x, y);
                        for (int k = 0; k < 3; ++k)
                            px[k] = toSrgb8(base[k]);
                        filled[size_t(y) * size_t(size) + size_t(x)] = 1;
                    }
            }
        });
        // Dilate islands by a few texels so mip levels and bilinear lookups at UV seams do
        // not pick up the black background.
        for (int pass = 0; pass < 4; ++pass) {
            std::vector<uint8_t> next = filled;
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) {
                    const size_t i = size_t(y) * size_t(size) + size_t(x);
                    if (filled[i]) continue;
                    int sum[3] = {0, 0, 0};
                    int n = 0;
                    for (int dy = -1; dy <= 1; ++dy)
                        for (int dx = -1; dx <= 1; ++dx) {
                            const int xx = x + dx, yy = y + dy;
                            if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
                            const size_t j = size_t(yy) * size_t(size) + size_t(xx);
                            if (filled[j]) {
                                for (int k = 0; k < 3; ++k) sum[k] += tile.image.pixels[j * 3 + size_t(k)];
                                ++n;
                            }
                        }
                    if (n > 0) {
                        for (int k = 0; k < 3; ++k)
                            tile.image.pixels[i * 3 + size_t(k)] = uint8_t((sum[k] + n / 2) / n);
                        next[i] = 1;
                    }
                }
            filled.swap(next);
        }
        tiles.push_back(std::move(tile));
    }
    return tiles;
}

} // namespace stipple

namespace stipple {

bool LayerColour::identity() const {
    for (const glm::vec3& e : exponent)
        if (e != glm::vec3(1)) return false;
    return true;
}

} // namespace stipple

namespace stipple {

ZoneShades zoneShades(const Design& design) {
    ZoneShades out{};
    for (size_t z = 0; z < out.size(); ++z) {
        const ZoneId id = ZoneId(z);
        // follicles.cpp: front_transition dots take 0.8 .. 1 x the zone's shade across the
        // band; the middle stands for all of them.
        out[z] = design.zone(id).shade * (id == ZoneId::FrontTransition ? 0.9 : 1.0);
    }
    return out;
}

bool colourOnly(const PigmentSpec& baked, const PigmentSpec& now) {
    if (baked.fitzpatrick != now.fitzpatrick || baked.skin_from_mesh != now.skin_from_mesh)
        return false;
    if (baked.age_days != now.age_days &&
        (baked.age_days < kHealedAgeDays || now.age_days < kHealedAgeDays))
        return false;
    return true;
}

LayerColour layerColour(const PigmentSpec& baked, const ZoneShades& baked_shades,
                        const glm::dvec3& baked_skin, const PigmentSpec& now,
                        const ZoneShades& now_shades, const glm::dvec3& now_skin) {
    LayerColour out;
    for (size_t z = 0; z < out.exponent.size(); ++z) {
        const glm::dvec3 before =
            inkAppearance(baked_shades[z], baked.age_days, baked.ink, baked_skin).filter;
        const glm::dvec3 after =
            inkAppearance(now_shades[z], now.age_days, now.ink, now_skin).filter;
        for (int c = 0; c < 3; ++c) {
            // ln 1 = 0: no ink in that channel, nothing to scale.
            const double lb = std::log(std::clamp(before[c], 1e-9, 1.0));
            const double la = std::log(std::clamp(after[c], 1e-9, 1.0));
            out.exponent[z][c] = lb < -1e-9 ? float(la / lb) : 1.0f;
        }
    }
    return out;
}

void applyLayerColour(Image16& pigment, const Image8& zone_map, const LayerColour& colour) {
    // Not input-reachable: the pigment and zone map come from one bakeLayers call.
    STIPPLE_ASSERT(pigment.channels == 4 && zone_map.channels == 1 &&
                       zone_map.width == pigment.width && zone_map.height == pigment.height,
                   "applyLayerColour(): zone_map must be R8 of the pigment layer's size");
    if (colour.identity()) return;
    // pow(v, e) of every 16-bit v, one table per zone and channel that changes (a shade edit
    // touches one zone: 3 x 65536 entries), then one lookup per texel and channel.
    constexpr size_t kZones = std::tuple_size<decltype(colour.exponent)>::value;
    std::array<std::vector<uint16_t>, kZones * 3> tables;
    parallelFor(int(tables.size()), 0, [&](int i) {
        const float e = colour.exponent[size_t(i) / 3][i % 3];
        if (e == 1.0f) return;
        std::vector<uint16_t>& t = tables[size_t(i)];
        t.resize(65536);
        t[0] = 0;
        for (size_t v = 1; v < t.size(); ++v)
            t[v] = uint16_t(
                std::clamp(std::pow(double(v) / 65535.0, double(e)), 0.0, 1.0) * 65535.0 + 0.5);
    });
    parallelFor(pigment.height, 0, [&](int y) {
        uint16_t* p = pigment.at(0, y);
        const uint8_t* z = zone_map.at(0, y);
        for (int x = 0; x < pigment.width; ++x, p += 4) {
            const size_t zone = z[x];
            if (zone == 0 || zone > kZones) continue;
            for (size_t c = 0; c < 3; ++c) {
                const std::vector<uint16_t>& t = tables[(zone - 1) * 3 + c];
                if (!t.empty()) p[c] = t[p[c]];
            }
        }
    });
}

} // namespace stipple
