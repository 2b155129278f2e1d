// Follicle sampling stages: the prepared region, each zone's peak density, one zone's dots.
// (Merging, scars and figures: assembleFollicles() in follicles.cpp.)
//
// References (sampling, see poisson_sampling.cpp for details):
// - R. Bridson, "Fast Poisson Disk Sampling in Arbitrary Dimensions", SIGGRAPH 2007.
// - C. Yuksel, "Sample Elimination for Generating Poisson Disk Sample Sets", EG 2015.
// - M. Corsini, P. Cignoni, R. Scopigno, "Efficient and Flexible Sampling with Blue Noise
//   Properties of Triangular Meshes", IEEE TVCG 2012 (MeshLab's Poisson-disk sampling).
//
// How a zone is sampled, and why other zones cannot change it:
// 1. Triangle t offers candidate positions j = 0, 1, ... hashed from (seed, t, j), the same
//    sequence for every zone; zone z takes the first k_z x (area x its peak density) of them
//    that lie in it (zone borders depend on geometry only) and survive thinning by the local
//    density factor (transition falloff, mask). Only triangles whose zone bits (from the
//    region's pass, dilated by one ring) include z are visited; triangles certified by the zone
//    map's distance bounds skip classification.
// 2. A zone samples up to its borders (kInsetFactor is 0; see there): the spacing across a
//    border is restored when the zones are merged (assembleFollicles(): a dot closer than 0.65
//    of the spacing to a dot of another zone is dropped), so no lane opens along the border.
// 3. The zone's candidates go through selectPoissonDisk() with r = kRadiusFactor x the ideal
//    hexagonal spacing at the local density, scaled for the border strip; the kept count is
//    compared with density x area and the selection rerun with a rescaled radius until it
//    matches (kCountTolerance), using only the zone's own candidates.
// Classification shortcuts (proven balls, certified triangles) only ever skip work whose
// answer they prove, so a zone sampled alone gets the dots it gets among all zones.
// Dot ids are (zone, triangle, candidate number): stable for the same mesh and design.

#include "stipple/core/follicle_stages.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/core/huge_pages.h"
#include "stipple/core/image.h"
#include "stipple/core/poisson_sampling.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Candidates per expected dot, and the minimum distance as a fraction of the hexagonal
// spacing, chosen together: from a pool of 6 per dot, r = 0.68 x the spacing keeps about
// density x area (the count matching below corrects the last few per cent). A larger pool
// gains little blue-noise quality for its time; 5 or 4.5 per dot needed smaller radii (nn min
// 0.653) and reruns that ate the saving (measured with follicles_bench).
constexpr double kCandidatesPerDot = 6.0;
constexpr double kRadiusFactor = 0.68;
// The border strip: candidates closer than kInsetFactor x their radius to a border with another
// zone (8 probes on a circle of kInsetFactor / cos(22.5 deg) x r, so a straight border anywhere
// within it crosses one). Until Dec 2026 they were dropped: two zones' dots were then 0.5 (rA +
// rB) apart without either zone looking at the other, but the strip left a light lane along
// every border (the border band held 0.3-0.5 of the density beside it:
// tests/core/lanes_test.cpp). Now they are kept and only counted: each zone samples up to its
// borders, the merge (assembleFollicles(), resolveBorders()) drops the dots that come too close
// to another zone's, and the zone aims its count kBorderLoss x its strip share higher to make up
// for that (a function of its own candidates and the zone map only, as before).
constexpr double kInsetFactor = 0.5;
// The share of a zone's border-strip dots that the merge drops, as an allowance. With 1 (the
// first value tried) the transition band on Demosthenes came out 5.4% over its target once the
// demo's band got denser (ink branch); with 0.85 every zone's count after the merge is within
// the tests' 5% of its target on the ellipsoid, the mannequin, ICT and Demosthenes.
constexpr double kBorderLoss = 0.85;
constexpr double kProbeFactor = kInsetFactor / 0.92387953;
// Zones whose target is below this many dots get 2.5x the candidates, below kTinyZoneDots
// (a sliver between borders: mostly border strip) 12x, so that the count matching below can
// reach the target at a radius above its floor.
constexpr double kSmallZoneDots = 3000;
constexpr double kTinyZoneDots = 600;
// The selection is rerun with a scaled radius until the zone's count is within this fraction
// of its target (at most kCountRounds reruns); the scale never goes below kMinRadiusScale, so
// the minimum distance stays at or above 0.653 of the hexagonal spacing (floor 0.65).
constexpr double kCountTolerance = 0.025;
constexpr double kSmallCountTolerance = 0.015; // zones under kSmallZoneDots (reruns are cheap)
constexpr int kCountRounds = 3;
constexpr double kMinRadiusScale = 0.96;
// First guess of the scale before the strip correction: open zones come out ~2% under the
// closed-sphere calibration (borders, curvature), measured on the synthetic and real heads;
// starting 1% tighter saves most reruns.
constexpr double kFirstRadiusScale = 0.99;
// The 8 directions of the inset test, cos and sin of k x 45 deg.
constexpr glm::dvec2 kCircle[8] = {
    {1, 0},  {0.70710678, 0.70710678},   {0, 1},  {-0.70710678, 0.70710678},
    {-1, 0}, {-0.70710678, -0.70710678}, {0, -1}, {0.70710678, -0.70710678}};
// Density factors below this are reached by thinning alone (the minimum distance stops growing)
// so a near-black mask pixel cannot blow up the grid cells.
constexpr double kMinDensityFactor = 0.2;
constexpr uint8_t kOutsideBit = 0x80;

// Ideal hexagonal spacing (mm) at `per_mm2` dots per mm^2.
double hexSpacingMm(double per_mm2) {
    return std::sqrt(2.0 / (std::sqrt(3.0) * per_mm2));
}

// The density mask's decoded pixels (no file here: parseDesign() decoded them).
class DensityMask {
public:
    DensityMask() = default;
    DensityMask(const DensityMaskSpec& spec, const std::string& file)
        : m_image(spec.pixels), m_strength(spec.strength) {
        if (spec.strength < 0 || spec.strength > 1)
            throw Error("strength is " + formatFixed(spec.strength, 2) + "; accepted 0..1", file,
                        "/density_mask/strength");
        if (!m_image || m_image->empty() || m_image->channels < 1)
            throw Error("the mask image " + spec.image.string() +
                            " is not decoded; accepted: a density mask read by parseDesign() or "
                            "loadDesign() (a readable grey PNG)",
                        file, "/density_mask/image");
    }
    bool active() const { return m_image && m_strength > 0; }
    // Bilinear grey value (first channel) at uv in [0,1]^2, mixed with 1 by the strength.
    double factor(const glm::dvec2& uv) const {
        if (!active()) return 1;
        const Image8& image = *m_image;
        const double x = std::clamp(uv.x * image.width - 0.5, 0.0, image.width - 1.0);
        const double y = std::clamp(uv.y * image.height - 0.5, 0.0, image.height - 1.0);
        const int x0 = int(x), y0 = int(y);
        const int x1 = std::min(x0 + 1, image.width - 1), y1 = std::min(y0 + 1, image.height - 1);
        const double fx = x - x0, fy = y - y0;
        auto g = [&](int px, int py) { return image.at(px, py)[0] / 255.0; };
        const double v = (g(x0, y0) * (1 - fx) + g(x1, y0) * fx) * (1 - fy) +
                         (g(x0, y1) * (1 - fx) + g(x1, y1) * fx) * fy;
        return 1 - m_strength + m_strength * v;
    }

private:
    std::shared_ptr<const Image8> m_image;
    double m_strength = 0;
};

// Everything that decides the local density at a point of a zone (transition, mask).
struct DensityField {
    const ScalpRegion* region = nullptr;
    const DensityMask* mask = nullptr;
    uint64_t seed = 0;
    HairlineTemplate shape = HairlineTemplate::Natural;

    // Factor in [0, 1] of the zone's peak density at p; `transition` from classify().
    double factor(const glm::dvec3& p, ZoneId zone, double transition) const {
        double f = 1;
        if (zone == ZoneId::FrontTransition) {
            // Falls off toward the line, irregularly (3 mm noise cells): "broken" gets deeper
            // gaps, "defined" a crisper edge.
            const double floor = shape == HairlineTemplate::Defined ? 0.6
                                 : shape == HairlineTemplate::Soft  ? 0.25
                                                                    : 0.35;
            const double t = transition * transition * (3 - 2 * transition);
            const double noise = valueNoise3(p / 3.0, seed, 0x3001);
            const double wobble = shape == HairlineTemplate::Soft ? 0.45 : 0.25;
            f = (floor + (1 - floor) * t) * (1 + wobble * noise * (1 - t));
        }
        if (mask->active()) f *= mask->factor(region->maskUv(p));
        return std::clamp(f, 0.0, 1.0);
    }
    // Dot size factor in the transition (smaller at the line).
    static double sizeFactor(ZoneId zone, double transition) {
        return zone == ZoneId::FrontTransition ? 0.7 + 0.3 * transition : 1.0;
    }
};

struct TriangleInfo {
    uint8_t zones = 0;      // bit per ZoneId, kOutsideBit for outside the region
    bool certified = false; // wholly inside one zone, at least margin_mm - max_edge_mm deep
    float margin_mm = 0;    // min border margin over the samples of the triangle and its ring
    float max_edge_mm = 0;
    float area_mm2 = 0;
};

// The zone of a single zone bit (not kOutsideBit).
ZoneId zoneOfBits(uint8_t zone_bits) {
    size_t z = 0;
    while (!(zone_bits & (1u << z)))
        ++z;
    return ZoneId(z);
}

// Proven balls around the points classified on one triangle (its corners, its candidates, their
// inset probes): every point inside a ball is classified like the ball's centre, inside zone z
// or outside. Neighbouring candidates near a border share most of their probe circles, so a
// few balls spare many classifications. A fixed number of balls, the smallest replaced first.
class BallCache {
public:
    static constexpr int kCapacity = 16;
    static constexpr int8_t kOutside = -1;

    // need_mm[z]: the room a ball of zone z must leave around a candidate to spare its
    // classification (its inset probes' radius); balls of `skip_zone` never certify one.
    BallCache(const double* need_mm, int8_t skip_zone) : m_need(need_mm), m_skip(skip_zone) {}

    void add(const glm::dvec3& centre, double radius_mm, int8_t zone) {
        if (!(radius_mm > 0.02)) return;
        int slot = m_count;
        if (m_count == kCapacity) {
            slot = 0;
            for (int k = 1; k < kCapacity; ++k)
                if (m_radius[k] < m_radius[slot]) slot = k;
            if (m_radius[slot] >= radius_mm) return;
        } else {
            ++m_count;
        }
        m_centre[slot] = centre;
        m_radius[slot] = radius_mm;
        m_zone[slot] = zone;
        // Squared reach within which the ball settles a candidate (-1: never).
        const double reach = zone == kOutside ? radius_mm
                             : zone == m_skip ? -1.0
                                              : radius_mm - m_need[size_t(zone)];
        m_reach2[slot] = reach > 0 ? reach * reach : -1.0;
    }
    void add(const glm::dvec3& centre, const ZonePoint& zp) {
        add(centre, zp.margin_mm, zp.inside ? int8_t(zp.zone) : kOutside);
    }
    // Settles candidate p from a ball: returns true with `zone` (kOutside for outside) and
    // `slack` (room left to the ball's rim, mm), or false when p must be classified.
    bool settle(const glm::dvec3& p, int8_t& zone, double& slack) const {
        for (int k = 0; k < m_count; ++k) {
            const glm::dvec3 d = p - m_centre[k];
            const double d2 = glm::dot(d, d);
            if (d2 >= m_reach2[k]) continue;
            zone = m_zone[k];
            slack = m_radius[k] - std::sqrt(d2);
            return true;
        }
        return false;
    }
    // Whether a ball of `zone` holds p.
    bool holds(const glm::dvec3& p, int8_t zone) const {
        for (int k = 0; k < m_count; ++k) {
            if (m_zone[k] != zone) continue;
            const glm::dvec3 d = p - m_centre[k];
            if (glm::dot(d, d) < m_radius[k] * m_radius[k]) return true;
        }
        return false;
    }

private:
    const double* m_need;
    int8_t m_skip;
    glm::dvec3 m_centre[kCapacity];
    double m_radius[kCapacity] = {};
    double m_reach2[kCapacity] = {};
    int8_t m_zone[kCapacity] = {};
    int m_count = 0;
};

constexpr double kNoNeed[size_t(ZoneId::Count)] = {}; // balls that settle with any room

glm::dvec3 triPoint(const Mesh& mesh, const glm::uvec3& t, double u, double v) {
    const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
    return a + u * (b - a) + v * (c - a);
}

// Candidate position on a triangle from its hash (uniform by area).
void barycentricOf(uint64_t h, double& u, double& v) {
    u = unitOf(h);
    v = unitOf(mixHash(h));
    if (u + v > 1) {
        u = 1 - u;
        v = 1 - v;
    }
}

// Tangent basis around unit normal n.
void tangentBasis(const glm::dvec3& n, glm::dvec3& e1, glm::dvec3& e2) {
    const glm::dvec3 helper = std::abs(n.y) < 0.9 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
    e1 = glm::normalize(glm::cross(helper, n));
    e2 = glm::cross(n, e1);
}

uint8_t bitOf(const ZonePoint& zp) {
    return zp.inside ? uint8_t(1u << unsigned(zp.zone)) : kOutsideBit;
}

} // namespace

// Tables of the region pass (see FollicleRegion). Heap-allocated and never moved: `field`
// points at `scalp` and `mask`.
struct FollicleRegion::Data {
    std::shared_ptr<const ScalpRegion> scalp;
    DensityMask mask;
    DensityField field;
    uint64_t seed = 0;
    std::vector<TriangleInfo> tris;
    // Per welded position (weld ids are ids, not vertex indices: the vertex's own position is
    // classified and the result shared with the vertices welded to it). A ball of radius
    // `vertex_margin` around a vertex lies in one zone.
    std::vector<uint8_t> vertex_zones;
    std::vector<float> vertex_margin;
    std::vector<uint32_t> weld; // the mesh's weld ids (empty: none)
    PerZone<double> area_mm2{};
    PerZone<double> density_integral{}; // integral of the density factor, mm^2

    uint32_t weldOf(uint32_t v) const { return weld.empty() ? v : weld[v]; }
};

namespace {

using RegionData = FollicleRegion::Data;

// Zones and margins of every welded vertex.
void classifyVertices(const Mesh& mesh, RegionData& data) {
    size_t vertex_count = mesh.positions.size();
    for (uint32_t w : mesh.weld)
        vertex_count = std::max(vertex_count, size_t(w) + 1);
    data.vertex_zones.assign(vertex_count, 0);
    data.vertex_margin.assign(vertex_count, std::numeric_limits<float>::max());
    std::vector<uint8_t> classified(vertex_count, 0);
    // In triangle order, as the triangle pass met them (the first vertex of a weld group that
    // a triangle names is the one classified).
    for (const glm::uvec3& tri : mesh.triangles)
        for (uint32_t v : {tri.x, tri.y, tri.z}) {
            const uint32_t w = data.weldOf(v);
            if (classified[w]) continue;
            const ZonePoint zp = data.scalp->classify(mesh.positions[v]);
            data.vertex_zones[w] = bitOf(zp);
            data.vertex_margin[w] = float(zp.margin_mm);
            classified[w] = 1;
        }
}

// Area, size and zones of triangle t, adding its share to each zone's area and density
// integral: certified from its corners when they are all deep in one zone, skipped when they
// are all far outside, else by quadrature (centroids of an m x m split, sub-triangles no
// longer than 2.5 mm).
void triangleZones(const Mesh& mesh, size_t t, RegionData& data) {
    const glm::uvec3 tri = mesh.triangles[t];
    const glm::dvec3 a = mesh.positions[tri.x], b = mesh.positions[tri.y],
                     c = mesh.positions[tri.z];
    TriangleInfo& info = data.tris[t];
    info.area_mm2 = float(0.5 * glm::length(glm::cross(b - a, c - a)));
    info.max_edge_mm =
        float(std::max({glm::length(b - a), glm::length(c - b), glm::length(a - c)}));
    float margin = std::numeric_limits<float>::max();
    uint8_t zones = 0;
    for (uint32_t v : {tri.x, tri.y, tri.z}) {
        zones |= data.vertex_zones[data.weldOf(v)];
        margin = std::min(margin, data.vertex_margin[data.weldOf(v)]);
    }
    // A triangle whose corners are all deep inside one zone lies wholly in it (the margin is a
    // distance bound): no quadrature needed.
    if (zones != kOutsideBit && (zones & (zones - 1)) == 0 && margin > info.max_edge_mm &&
        zones != (1u << unsigned(ZoneId::FrontTransition))) {
        const size_t z = size_t(zoneOfBits(zones));
        data.area_mm2[z] += info.area_mm2;
        data.density_integral[z] +=
            info.area_mm2 * data.field.factor((a + b + c) / 3.0, ZoneId(z), 1.0);
        info.zones = zones;
        info.margin_mm = margin;
        info.certified = true;
        return;
    }
    // Corners all outside, farther from the region than the triangle is long: no part of it is
    // in the region.
    if (zones == kOutsideBit && margin > info.max_edge_mm) {
        info.zones = zones;
        info.margin_mm = margin;
        return;
    }
    const int m = std::max(1, int(std::ceil(info.max_edge_mm / 2.5f)));
    const double weight = info.area_mm2 / double(m * m);
    // Corner balls settle quadrature points too (no room needed: no probes here).
    BallCache balls(kNoNeed, int8_t(ZoneId::FrontTransition));
    for (uint32_t vi : {tri.x, tri.y, tri.z}) {
        const uint8_t bits = data.vertex_zones[data.weldOf(vi)];
        balls.add(mesh.positions[vi], data.vertex_margin[data.weldOf(vi)],
                  bits == kOutsideBit ? BallCache::kOutside : int8_t(zoneOfBits(bits)));
    }
    for (int i = 0; i < m; ++i)
        for (int j = 0; i + j < m; ++j)
            for (int up = 0; up < (i + j < m - 1 ? 2 : 1); ++up) {
                const double u = (i + (up ? 2.0 : 1.0) / 3.0) / m;
                const double v = (j + (up ? 2.0 : 1.0) / 3.0) / m;
                const glm::dvec3 p = triPoint(mesh, tri, u, v);
                double slack = 0;
                int8_t ball_zone = 0;
                ZonePoint zp;
                if (balls.settle(p, ball_zone, slack)) {
                    zp.inside = ball_zone != BallCache::kOutside;
                    if (zp.inside) zp.zone = ZoneId(ball_zone);
                    zp.margin_mm = slack;
                } else {
                    zp = data.scalp->classify(p);
                }
                zones |= bitOf(zp);
                margin = std::min(margin, float(zp.margin_mm));
                if (!zp.inside) continue;
                const size_t z = size_t(zp.zone);
                data.area_mm2[z] += weight;
                data.density_integral[z] += weight * data.field.factor(p, zp.zone, zp.transition);
            }
    info.zones = zones;
    info.margin_mm = margin;
}

// One ring of dilation: a zone sliver that no sample hit still gets candidates from the
// neighbouring triangles' lists. A certified triangle needs none: its vertex margins prove
// that no other zone reaches into it.
void dilateTriangleZones(const Mesh& mesh, RegionData& data) {
    const size_t vertex_count = data.vertex_zones.size();
    std::vector<uint8_t> ring_zones(vertex_count, 0);
    std::vector<float> ring_margin(vertex_count, std::numeric_limits<float>::max());
    for (size_t t = 0; t < mesh.triangles.size(); ++t)
        for (uint32_t v : {mesh.triangles[t].x, mesh.triangles[t].y, mesh.triangles[t].z}) {
            const uint32_t w = data.weldOf(v);
            ring_zones[w] |= data.tris[t].zones;
            ring_margin[w] = std::min(ring_margin[w], data.tris[t].margin_mm);
        }
    for (size_t t = 0; t < mesh.triangles.size(); ++t)
        for (uint32_t v : {mesh.triangles[t].x, mesh.triangles[t].y, mesh.triangles[t].z}) {
            if (data.tris[t].certified) break;
            data.tris[t].zones |= ring_zones[data.weldOf(v)];
            data.tris[t].margin_mm = std::min(data.tris[t].margin_mm, ring_margin[data.weldOf(v)]);
        }
}

std::unique_ptr<RegionData> buildRegionData(const HeadModel& head,
                                            std::shared_ptr<const ScalpRegion> scalp,
                                            const HairlineSpec& hairline, uint64_t seed,
                                            const DensityMaskSpec* mask, const std::string& file) {
    // Not input-reachable: the Session passes the scalp region it built.
    STIPPLE_ASSERT(scalp != nullptr, "FollicleRegion(): the scalp region must not be null");
    auto data = std::make_unique<RegionData>();
    data->scalp = std::move(scalp);
    if (mask) data->mask = DensityMask(*mask, file);
    data->field = DensityField{data->scalp.get(), &data->mask, seed, hairline.shape};
    data->seed = seed;
    data->weld = head.mesh.weld;
    data->tris.resize(head.mesh.triangles.size());
    classifyVertices(head.mesh, *data);
    for (size_t t = 0; t < head.mesh.triangles.size(); ++t)
        triangleZones(head.mesh, t, *data);
    dilateTriangleZones(head.mesh, *data);
    return data;
}

} // namespace

FollicleRegion::FollicleRegion(const HeadModel& head, const HairlineSpec& hairline, uint64_t seed,
                               const DensityMaskSpec* mask, const std::string& file,
                               std::vector<Problem>& warnings)
    : FollicleRegion(head,
                     std::make_shared<const ScalpRegion>(head, hairline, seed, file, warnings),
                     hairline, seed, mask, file) {}

FollicleRegion::FollicleRegion(const HeadModel& head, std::shared_ptr<const ScalpRegion> scalp,
                               const HairlineSpec& hairline, uint64_t seed,
                               const DensityMaskSpec* mask, const std::string& file)
    : m_data(buildRegionData(head, std::move(scalp), hairline, seed, mask, file)) {}

FollicleRegion::~FollicleRegion() = default;
FollicleRegion::FollicleRegion(FollicleRegion&&) noexcept = default;
FollicleRegion& FollicleRegion::operator=(FollicleRegion&&) noexcept = default;

const ScalpRegion& FollicleRegion::scalp() const {
    return *m_data->scalp;
}
std::shared_ptr<const ScalpRegion> FollicleRegion::sharedScalp() const {
    return m_data->scalp;
}
double FollicleRegion::areaMm2(ZoneId zone) const {
    return m_data->area_mm2[size_t(zone)];
}
double FollicleRegion::densityIntegralMm2(ZoneId zone) const {
    return m_data->density_integral[size_t(zone)];
}
bool FollicleRegion::maskActive() const {
    return m_data->mask.active();
}
namespace {

bool sameTriangle(const TriangleInfo& a, const TriangleInfo& b) {
    return a.zones == b.zones && a.certified == b.certified && a.margin_mm == b.margin_mm &&
           a.max_edge_mm == b.max_edge_mm && a.area_mm2 == b.area_mm2;
}

// Whether a point within `reach_mm` of triangle `tri` may be classified differently: its
// corners' polar angles, widened by the angle `reach_mm` plus the triangle's size subtends
// (and two cells), looked up in `change`.
bool triangleTouches(const Mesh& mesh, const glm::uvec3& tri, const PolarChart& chart,
                     const ScalpRegion::LineChange& change, double reach_mm, double max_edge_mm) {
    constexpr double kPiD = 3.14159265358979323846;
    constexpr double kCell = 2 * kPiD / PolarChart::kThetaSteps;
    double theta[3], phi[3], r_min = 1e300;
    for (int k = 0; k < 3; ++k) {
        const glm::dvec3 p = mesh.positions[tri[k]];
        theta[k] = chart.thetaOf(p);
        phi[k] = chart.phiOf(p);
        r_min = std::min(r_min, glm::length(p - chart.centre()));
    }
    const double dist = reach_mm + max_edge_mm + 1.0;
    if (!(r_min > 2 * dist)) return change.touches(-kPiD, kPiD, 0, kPiD);
    const double angle = dist / (r_min - dist) + 2 * kCell;
    // Thetas unwrapped around the first corner's.
    double t_lo = theta[0], t_hi = theta[0];
    for (int k = 1; k < 3; ++k) {
        double d = theta[k] - theta[0];
        d -= 2 * kPiD * std::round(d / (2 * kPiD));
        t_lo = std::min(t_lo, theta[0] + d);
        t_hi = std::max(t_hi, theta[0] + d);
    }
    const double p_lo = std::min({phi[0], phi[1], phi[2]}) - angle;
    const double p_hi = std::max({phi[0], phi[1], phi[2]}) + angle;
    if (p_hi < ScalpRegion::LineChange::kCapPhi) {
        // Near the pole: a cone around the corners' mean direction.
        glm::dvec3 dirs[3], mean(0);
        for (int k = 0; k < 3; ++k) {
            dirs[k] = glm::normalize(glm::dvec3(mesh.positions[tri[k]]) - chart.centre());
            mean += dirs[k];
        }
        mean = glm::normalize(mean);
        double spread = 0;
        for (const glm::dvec3& d : dirs)
            spread = std::max(spread, std::acos(std::clamp(glm::dot(d, mean), -1.0, 1.0)));
        return change.touchesAround(mean, spread + angle);
    }
    const double sin_low = std::sin(std::clamp(p_lo, 0.0, kPiD / 2));
    const double sin_high = std::sin(std::clamp(p_hi, kPiD / 2, kPiD));
    const double sin_min = std::min(sin_low, sin_high);
    if (p_lo <= 0 || p_hi >= kPiD || 2 * angle / sin_min >= kPiD)
        return change.touches(-kPiD, kPiD, std::max(0.0, p_lo), std::min(kPiD, p_hi));
    const double widen = 2 * angle / sin_min;
    return change.touches(t_lo - widen, t_hi + widen, p_lo, p_hi);
}

} // namespace

PerZone<bool> FollicleRegion::sampledAlike(const HeadModel& head, const FollicleRegion& before,
                                           const PerZone<double>& reach_mm) const {
    const Data& a = *m_data;
    const Data& b = before.data();
    const Mesh& mesh = head.mesh;
    PerZone<bool> alike{};
    if (a.tris.size() != mesh.triangles.size() || b.tris.size() != a.tris.size() ||
        a.seed != b.seed || a.weld != b.weld || a.vertex_zones.size() != b.vertex_zones.size())
        return alike;
    const ScalpRegion::LineChange change = a.scalp->lineChange(*b.scalp);
    if (change.all) return alike;
    for (size_t z = 0; z < alike.size(); ++z)
        alike[z] = reach_mm[z] >= 0 && a.area_mm2[z] == b.area_mm2[z] &&
                   a.density_integral[z] == b.density_integral[z];
    // The transition's falloff depends on the hairline's template.
    const size_t ft = size_t(ZoneId::FrontTransition);
    alike[ft] = alike[ft] && a.field.shape == b.field.shape;
    const PolarChart& chart = a.scalp->chart();
    for (size_t t = 0; t < a.tris.size(); ++t) {
        const TriangleInfo& ta = a.tris[t];
        const TriangleInfo& tb = b.tris[t];
        const uint8_t zones = uint8_t((ta.zones | tb.zones) & ~kOutsideBit);
        uint8_t open = 0; // zones still alike that this triangle holds
        for (size_t z = 0; z < alike.size(); ++z)
            if (alike[z] && (zones & (1u << z))) open |= uint8_t(1u << z);
        if (!open) continue;
        bool same = sameTriangle(ta, tb);
        const glm::uvec3 tri = mesh.triangles[t];
        for (uint32_t v : {tri.x, tri.y, tri.z}) {
            const uint32_t w = a.weldOf(v);
            same = same && a.vertex_zones[w] == b.vertex_zones[w] &&
                   a.vertex_margin[w] == b.vertex_margin[w];
        }
        for (size_t z = 0; z < alike.size(); ++z) {
            if (!(open & (1u << z))) continue;
            if (!same || triangleTouches(mesh, tri, chart, change, reach_mm[z], ta.max_edge_mm))
                alike[z] = false;
        }
    }
    return alike;
}

uint64_t FollicleRegion::seed() const {
    return m_data->seed;
}
size_t FollicleRegion::triangleCount() const {
    return m_data->tris.size();
}

ZoneSettings zoneSettings(const Design& design) {
    ZoneSettings settings;
    settings.mode = design.mode;
    settings.total_dots = design.total_dots;
    for (size_t z = 0; z < settings.zones.size(); ++z) {
        settings.zones[z] = design.zone(ZoneId(z));
        settings.pointers[z] = "/zones";
        for (size_t i = 0; i < design.zones.size(); ++i)
            if (design.zones[i].id == ZoneId(z))
                settings.pointers[z] = "/zones/" + std::to_string(i);
    }
    return settings;
}

namespace {

// Throws for a zone spec the sampler cannot realise; warns for an unusual density.
void validateZone(ZoneId zone, const ZoneSpec& s, const std::string& pointer, DensityMode mode,
                  const std::string& file, std::vector<Problem>& warnings) {
    const std::string name = kZoneNames[size_t(zone)];
    if (mode == DensityMode::Density) {
        if (!(s.density_per_cm2 > 0))
            throw Error("density_per_cm2 of zone " + name + " is " +
                            formatFixed(s.density_per_cm2) +
                            "; accepted 5..150 (switch the zone off "
                            "with \"enabled\": false instead)",
                        file, pointer + "/density_per_cm2");
        if (s.density_per_cm2 > 1000)
            throw Error("density_per_cm2 of zone " + name + " is " +
                            formatFixed(s.density_per_cm2) + ": absurd (dots " +
                            formatFixed(hexSpacingMm(s.density_per_cm2 / 100), 2) +
                            " mm apart, smaller than the dots); accepted 5..150",
                        file, pointer + "/density_per_cm2");
        if (s.density_per_cm2 < 5 || s.density_per_cm2 > 150)
            warnings.push_back({file, pointer + "/density_per_cm2",
                                formatFixed(s.density_per_cm2) +
                                    " dots/cm2 is outside the usual 5..150 "
                                    "(SMP: about 60-90)",
                                true});
    } else if (s.weight < 0) {
        throw Error("weight is " + formatFixed(s.weight) + "; accepted 0..100", file,
                    pointer + "/weight");
    }
    if (!(s.diameter_mm > 0) || s.diameter_mm > 3)
        throw Error("diameter_mm is " + formatFixed(s.diameter_mm, 2) + "; accepted 0.1..1.2", file,
                    pointer + "/diameter_mm");
    if (s.diameter_spread_mm < 0 || s.diameter_spread_mm > 1)
        throw Error("diameter_spread_mm is " + formatFixed(s.diameter_spread_mm, 2) +
                        "; accepted 0..0.3",
                    file, pointer + "/diameter_spread_mm");
}

// Total mode: total_dots shared by weight x area; the peak gives each zone its share after
// the local factors.
PerZone<double> sharedPeaks(const FollicleRegion& region, const ZoneSettings& settings,
                            const std::string& file) {
    if (settings.total_dots <= 0)
        throw Error("total_dots is " + std::to_string(settings.total_dots) +
                        "; accepted 100..2,000,000",
                    file, "/total_dots");
    double weighted = 0;
    for (size_t z = 0; z < settings.zones.size(); ++z)
        if (settings.zones[z].enabled)
            weighted += settings.zones[z].weight * region.areaMm2(ZoneId(z));
    if (!(weighted > 0))
        throw Error("every enabled zone has weight 0 or no area on this head: nothing to "
                    "share total_dots among",
                    file, "/zones");
    PerZone<double> peaks{};
    for (size_t z = 0; z < settings.zones.size(); ++z) {
        const double integral = region.densityIntegralMm2(ZoneId(z));
        if (!settings.zones[z].enabled || integral <= 0) continue;
        const double share = double(settings.total_dots) * settings.zones[z].weight *
                             region.areaMm2(ZoneId(z)) / weighted;
        peaks[z] = share / integral;
    }
    return peaks;
}

} // namespace

PerZone<double> zonePeaks(const FollicleRegion& region, const ZoneSettings& settings,
                          const std::string& file, std::vector<Problem>& warnings) {
    for (size_t z = 0; z < settings.zones.size(); ++z)
        if (settings.zones[z].enabled)
            validateZone(ZoneId(z), settings.zones[z], settings.pointers[z], settings.mode, file,
                         warnings);
    if (settings.mode == DensityMode::Total) return sharedPeaks(region, settings, file);
    PerZone<double> peaks{};
    for (size_t z = 0; z < settings.zones.size(); ++z)
        if (settings.zones[z].enabled) peaks[z] = settings.zones[z].density_per_cm2 / 100;
    return peaks;
}

namespace {

// How one zone is sampled: its densities, radii and candidate pool.
struct ZoneSampling {
    ZoneId zone = ZoneId::Front;
    bool varying = false; // the local factor varies (transition falloff, mask)
    double peak = 0, r_peak = 0, r_max = 0, per_dot = kCandidatesPerDot;
    double target_dots = 0;
    double probe_need = 0; // room a proven ball must leave around a candidate (its probes)
    uint64_t seed = 0;     // per-triangle candidate counts
    uint64_t position_seed = 0;
    size_t in_zone = 0, inset_dropped = 0;
    double reach = 0; // the widest inset probed (ZoneDots::reach_mm)
    HugeVector<SampleCandidate>* candidates = nullptr; // the scratch's buffer

    uint64_t positionHash(uint64_t t, uint64_t j) const { return hashOf(position_seed, t, j); }
};

ZoneSampling planZone(const FollicleRegion& region, ZoneId zone, double peak_per_mm2,
                      HugeVector<SampleCandidate>& candidates) {
    const size_t z = size_t(zone);
    ZoneSampling zs;
    zs.zone = zone;
    zs.peak = peak_per_mm2;
    zs.target_dots = peak_per_mm2 * region.densityIntegralMm2(zone);
    zs.r_peak = kRadiusFactor * hexSpacingMm(zs.peak);
    zs.varying = zone == ZoneId::FrontTransition || region.maskActive();
    // The largest radius sizes the selection grid's cells: only a zone whose density varies
    // reaches the floor factor.
    zs.r_max = zs.varying ? kRadiusFactor * hexSpacingMm(zs.peak * kMinDensityFactor) : zs.r_peak;
    zs.probe_need = kProbeFactor * zs.r_max;
    zs.seed = hashOf(region.seed(), 0x5a0e, z);
    zs.position_seed = hashOf(region.seed(), 0x9051);
    // Small and graded zones get a deeper pool: the count is then matched by adjusting the
    // radius (below), which needs headroom above the calibrated count. Slivers need most.
    // The transition band's pool is counted at its peak density and then thinned by its
    // falloff (about half on average), so 1.5x leaves it ~2.7x per dot it keeps; more
    // bought nothing measurable (counts within 1.3% on all three heads either way).
    zs.per_dot = kCandidatesPerDot * (zs.target_dots < kTinyZoneDots                  ? 12.0
                                      : zone == ZoneId::FrontTransition               ? 1.5
                                      : zs.varying || zs.target_dots < kSmallZoneDots ? 2.5
                                                                                      : 1.0);
    zs.candidates = &candidates;
    candidates.clear();
    candidates.reserve(size_t(zs.per_dot * zs.target_dots * 1.1) + 16);
    return zs;
}

// Keep clear of the borders with other zones (see the file comment, step 2): whether the probe
// circle(s) of radius `inset` around candidate p of zone `zone` on triangle (a, ab, ac) stay in
// the zone or beyond the line. Probes on a circle in the triangle's plane; where the triangle
// is tilted far from the chart's ray (a carved curl facing sideways), zone membership (which
// mostly follows the ray's direction) barely changes across that plane, so a second circle
// lies across the ray as well: a surface point q of another zone projects onto it no farther
// than |q - p|. (Without it two zones' dots ended 0.89 of the inset apart on Demosthenes'
// temple.) `frame` caches the triangle's circle bases.
struct ProbeFrame {
    bool ready = false, tilted = false;
    glm::dvec3 e1{0}, e2{0}, e3{0}, e4{0};
};

bool clearOfOtherZones(const ScalpRegion& region, const glm::dvec3& a, const glm::dvec3& ab,
                       const glm::dvec3& ac, const glm::dvec3& p, int8_t zone, double inset,
                       ProbeFrame& frame, BallCache& balls) {
    if (!frame.ready) {
        const glm::dvec3 normal = glm::normalize(glm::cross(ab, ac));
        const glm::dvec3 ray = glm::normalize(a + (ab + ac) / 3.0 - region.chart().centre());
        tangentBasis(normal, frame.e1, frame.e2);
        frame.tilted = std::abs(glm::dot(normal, ray)) < 0.8;
        if (frame.tilted) tangentBasis(ray, frame.e3, frame.e4);
        frame.ready = true;
    }
    // A probe inside a proven ball of the candidate's own zone needs no classification; every
    // probe classified adds its ball (the even directions go first, so the odd ones between
    // them are often covered).
    for (int ring = 0; ring < (frame.tilted ? 2 : 1); ++ring) {
        const glm::dvec3 axis_u = ring == 0 ? frame.e1 : frame.e3;
        const glm::dvec3 axis_w = ring == 0 ? frame.e2 : frame.e4;
        for (int k : {0, 2, 4, 6, 1, 3, 5, 7}) {
            const glm::dvec3 dir = kCircle[k].x * axis_u + kCircle[k].y * axis_w;
            const glm::dvec3 q = p + inset * dir;
            if (balls.holds(q, zone)) continue;
            ZonePoint zq = region.classify(q);
            balls.add(q, zq);
            if (zq.inside && int8_t(zq.zone) == zone) continue;
            // Beyond the line is clear, unless a sliver of another zone lies between (where the
            // transition band tapers out): look along the way.
            for (double along : {0.75, 0.5, 0.25}) {
                if (zq.inside) break;
                const glm::dvec3 between = p + along * inset * dir;
                if (balls.holds(between, zone)) break;
                zq = region.classify(between);
                balls.add(between, zq);
            }
            if (zq.inside && int8_t(zq.zone) != zone) return false;
        }
    }
    return true;
}

// The zones sampled in one pass over the mesh: each candidate position is classified once for
// all of them. Zones outside `bits` need no room around their balls (need 0): their balls
// only prove that a point is not in a sampled zone.
struct ZonePass {
    PerZone<ZoneSampling> zones;
    uint8_t bits = 0;       // the zones sampled
    PerZone<double> need{}; // room a ball of zone z must leave to settle a candidate (probes)
};

// The zone whose corner ball holds the whole triangle (every point of it lies within the
// longest edge of each corner) with room for the probes, or ZoneId::Count.
ZoneId cornerZone(const RegionData& data, const glm::uvec3& tri, const TriangleInfo& info,
                  const PerZone<double>& need) {
    for (uint32_t vi : {tri.x, tri.y, tri.z}) {
        const uint8_t bits = data.vertex_zones[data.weldOf(vi)];
        if (bits == kOutsideBit || bits == (1u << unsigned(ZoneId::FrontTransition))) continue;
        const ZoneId z = zoneOfBits(bits);
        if (data.vertex_margin[data.weldOf(vi)] > info.max_edge_mm + need[size_t(z)]) return z;
    }
    return ZoneId::Count;
}

// Adds candidate (t, j) at p, classified in zone zp.zone, to that zone's pool unless thinning
// by the local density or the border inset drops it (see the file comment, step 2).
void offerCandidate(const RegionData& data, const glm::dvec3& a, const glm::dvec3& ab,
                    const glm::dvec3& ac, size_t t, uint64_t j, uint64_t h, const glm::dvec3& p,
                    const ZonePoint& zp, ZoneSampling& zs, ProbeFrame& frame, BallCache& balls) {
    const double f = zs.varying ? data.field.factor(p, zp.zone, zp.transition) : 1.0;
    if (f < 1 && unitOf(hashOf(h, 7)) >= f) return;
    const double r = zs.varying
                         ? kRadiusFactor * hexSpacingMm(zs.peak * std::max(f, kMinDensityFactor))
                         : zs.r_peak;
    // The margin is a distance bound, so beyond it no test is needed; the line itself (outside
    // the region) needs no strip: no zone has dots beyond it.
    const double inset = kProbeFactor * r;
    zs.reach = std::max(zs.reach, inset);
    if (zp.zone_margin_mm < inset &&
        !clearOfOtherZones(*data.scalp, a, ab, ac, p, int8_t(zp.zone), inset, frame, balls))
        ++zs.inset_dropped; // kept; the border loss (selectToTarget) counts it
    ++zs.in_zone;
    SampleCandidate cand;
    cand.position = glm::vec3(p);
    cand.radius_mm = float(r);
    cand.triangle = uint32_t(t);
    cand.index = uint32_t(j);
    cand.priority = uint32_t(hashOf(h, 9) >> 32);
    zs.candidates->push_back(cand);
}

// The candidates of the pass's zones on triangle t (see the file comment, steps 1 and 2).
void triangleCandidates(const Mesh& mesh, const RegionData& data, size_t t, ZonePass& pass) {
    const TriangleInfo& info = data.tris[t];
    const uint8_t zones = info.zones & pass.bits;
    if (!zones) return;
    constexpr size_t kZones = size_t(ZoneId::Count);
    uint64_t counts[kZones] = {};
    uint64_t count_max = 0;
    for (size_t z = 0; z < kZones; ++z) {
        if (!(zones & (1u << z))) continue;
        const ZoneSampling& zs = pass.zones[z];
        const double expected = zs.per_dot * zs.peak * info.area_mm2;
        counts[z] = uint64_t(expected + unitOf(hashOf(zs.seed, t, ~uint64_t(0))));
        count_max = std::max(count_max, counts[z]);
    }
    if (count_max == 0) return;
    // A certified triangle lies in one zone; when it is also deeper than the largest inset, its
    // candidates need no classification. The transition zone needs each candidate's depth in
    // the band for its falloff, so it always classifies. Or one corner's proven ball holds the
    // whole triangle.
    size_t only = kZones;
    if (info.certified && (zones & (zones - 1)) == 0) only = size_t(zoneOfBits(zones));
    bool interior = only < kZones && ZoneId(only) != ZoneId::FrontTransition &&
                    info.margin_mm > info.max_edge_mm + pass.need[only];
    const glm::uvec3 tri = mesh.triangles[t];
    if (!interior) {
        const ZoneId corner = cornerZone(data, tri, info, pass.need);
        if (corner != ZoneId::Count) {
            only = size_t(corner);
            interior = true;
        }
    }
    const glm::dvec3 a = mesh.positions[tri.x];
    const glm::dvec3 ab = glm::dvec3(mesh.positions[tri.y]) - a;
    const glm::dvec3 ac = glm::dvec3(mesh.positions[tri.z]) - a;
    BallCache balls(pass.need.data(), int8_t(ZoneId::FrontTransition));
    for (uint32_t vi : {tri.x, tri.y, tri.z}) {
        const uint8_t bits = data.vertex_zones[data.weldOf(vi)];
        balls.add(mesh.positions[vi], data.vertex_margin[data.weldOf(vi)],
                  bits == kOutsideBit ? BallCache::kOutside : int8_t(zoneOfBits(bits)));
    }
    ProbeFrame frame;
    // One sequence of positions for every zone (see the file comment, step 1).
    const uint64_t position_seed = pass.zones[size_t(zoneOfBits(zones))].position_seed;
    for (uint64_t j = 0; j < count_max; ++j) {
        if (only < kZones && j >= counts[only]) break;
        const uint64_t h = hashOf(position_seed, t, j);
        double u, v;
        barycentricOf(h, u, v);
        const glm::dvec3 p = a + u * ab + v * ac;
        ZonePoint zp;
        if (interior) {
            zp.inside = true;
            zp.zone = ZoneId(only);
            zp.margin_mm = zp.zone_margin_mm = 1e9;
        } else {
            // Only a zone ball that also holds the inset probes saves work; nearer its rim a
            // classification gives a better margin than the ball, often sparing them.
            // (Transition balls do not count: a candidate there needs its own depth.)
            double slack = 0;
            int8_t ball_zone = 0;
            if (balls.settle(p, ball_zone, slack)) {
                if (ball_zone == BallCache::kOutside) continue;
                zp.inside = true;
                zp.zone = ZoneId(ball_zone);
                zp.margin_mm = zp.zone_margin_mm = slack;
            } else {
                zp = data.scalp->classify(p);
                balls.add(p, zp);
                if (!zp.inside) continue;
            }
        }
        const size_t z = size_t(zp.zone);
        if (!(pass.bits & (1u << z)) || j >= counts[z]) continue;
        offerCandidate(data, a, ab, ac, t, j, h, p, zp, pass.zones[z], frame, balls);
    }
}

// Selection with the count matched to the target (see the file comment, step 3). The merge
// will drop about kBorderLoss of the zone's border-strip dots (q is the strip's share of the
// candidates), so the zone aims at target / (1 - kBorderLoss q): the first guess scales the
// radius by the square root of that; then, since a finite pool near borders and density
// gradients does not follow that exactly, the count is measured and the radius rescaled
// (count ~ 1 / r^2) until it is within kCountTolerance. Everything here depends only on the
// zone's own candidates.
std::vector<SampleCandidate> selectToTarget(const ZoneSampling& zs, PoissonSelector& selector,
                                            int& rounds) {
    const double q = double(zs.inset_dropped) / double(std::max<size_t>(1, zs.in_zone));
    const double keep = 1 - kBorderLoss * q;
    const double aim = zs.target_dots / keep;
    double scale = std::max(kMinRadiusScale, kFirstRadiusScale * std::sqrt(keep));
    // A scale <= 1 keeps the grid (cells of 2 r_max): prepared once for the zone.
    bool prepared = false;
    auto select = [&](double s) {
        ++rounds;
        if (s > 1) return selectPoissonDisk(*zs.candidates, float(zs.r_max * s), float(s));
        if (!prepared) selector.prepare(*zs.candidates, float(zs.r_max));
        prepared = true;
        return selector.select(float(s));
    };
    const double tolerance =
        zs.target_dots < kSmallZoneDots ? kSmallCountTolerance : kCountTolerance;
    std::vector<SampleCandidate> kept = select(scale);
    for (int round = 0; round < kCountRounds && zs.target_dots > 0; ++round) {
        const double ratio = double(kept.size()) / aim;
        if (std::abs(ratio - 1) <= tolerance) break;
        const double next = std::clamp(scale * std::sqrt(ratio), kMinRadiusScale, 1.25);
        if (next == scale) break;
        scale = next;
        kept = select(scale);
    }
    return kept;
}

// The dot of kept candidate c, and its local density (per mm^2).
Dot makeDot(const Mesh& mesh, const FollicleRegion& region, const ZoneSampling& zs,
            const ZoneSpec& spec, const SampleCandidate& c, float& local_density) {
    const RegionData& data = region.data();
    const ZoneId zone = zs.zone;
    Dot dot;
    const uint64_t h = zs.positionHash(c.triangle, c.index);
    double u, v;
    barycentricOf(h, u, v);
    const glm::uvec3 tri = mesh.triangles[c.triangle];
    const glm::dvec3 p = triPoint(mesh, tri, u, v);
    dot.position_mm = glm::vec3(p);
    glm::vec3 n(0);
    if (!mesh.normals.empty())
        n = float(1 - u - v) * mesh.normals[tri.x] + float(u) * mesh.normals[tri.y] +
            float(v) * mesh.normals[tri.z];
    if (glm::dot(n, n) < 1e-12f)
        n = glm::cross(mesh.positions[tri.y] - mesh.positions[tri.x],
                       mesh.positions[tri.z] - mesh.positions[tri.x]);
    dot.normal = glm::normalize(n);
    double transition = 1;
    if (zone == ZoneId::FrontTransition) transition = data.scalp->classify(p).transition;
    const double f = zs.varying ? data.field.factor(p, zone, transition) : 1.0;
    local_density = float(zs.peak * std::max(f, kMinDensityFactor));
    // Size: normal spread around the zone's mean (Box-Muller from two hashes), kept within
    // [0.4, 2] x the mean; shape: slightly oval, random orientation.
    const uint64_t id_hash = hashOf(region.seed(), h);
    const double g = std::sqrt(-2 * std::log(std::max(1e-12, unitOf(hashOf(id_hash, 1))))) *
                     std::cos(2 * kPi * unitOf(hashOf(id_hash, 2)));
    const double mean_d = spec.diameter_mm * DensityField::sizeFactor(zone, transition);
    dot.diameter_mm =
        float(std::clamp(mean_d + spec.diameter_spread_mm * g, 0.4 * mean_d, 2.0 * mean_d));
    dot.aspect = float(1 - 0.3 * std::pow(unitOf(hashOf(id_hash, 3)), 2));
    dot.angle_rad = float(kPi * unitOf(hashOf(id_hash, 4)));
    dot.shade =
        float(spec.shade * (zone == ZoneId::FrontTransition ? 0.8 + 0.2 * transition : 1.0));
    dot.zone = zone;
    dot.triangle = c.triangle;
    dot.id = (uint64_t(zone) << 56) | (uint64_t(c.triangle) << 24) | uint64_t(c.index & 0xffffff);
    return dot;
}

} // namespace

PerZone<ZoneDots> sampleZones(const HeadModel& head, const FollicleRegion& region,
                              const PerZone<ZoneSpec>& specs, const PerZone<double>& peaks,
                              const PerZone<bool>& which, SamplingScratch* scratch) {
    // Not input-reachable: the Session builds the region on the head it passes.
    STIPPLE_ASSERT(head.mesh.triangles.size() == region.triangleCount(),
                   "sampleZones(): the head is not the one the region was built on");
    SamplingScratch local;
    SamplingScratch& buffers = scratch ? *scratch : local;
    PerZone<ZoneDots> out;
    ZonePass pass;
    for (size_t z = 0; z < out.size(); ++z) {
        out[z].zone = ZoneId(z);
        out[z].target_dots = peaks[z] * region.densityIntegralMm2(ZoneId(z));
        if (!which[z] || !specs[z].enabled || !(peaks[z] > 0)) continue;
        out[z].sampled = true;
        pass.bits |= uint8_t(1u << z);
        pass.zones[z] = planZone(region, ZoneId(z), peaks[z], buffers.candidates[z]);
        pass.need[z] = pass.zones[z].probe_need;
    }
    const RegionData& data = region.data();
    const Mesh& mesh = head.mesh;
    if (pass.bits)
        for (size_t t = 0; t < data.tris.size(); ++t)
            triangleCandidates(mesh, data, t, pass);
    for (size_t z = 0; z < out.size(); ++z) {
        if (!out[z].sampled) continue;
        const ZoneSampling& zs = pass.zones[z];
        out[z].candidates = zs.in_zone;
        out[z].inset_dropped = zs.inset_dropped;
        out[z].reach_mm = zs.reach;
        const std::vector<SampleCandidate> kept =
            selectToTarget(zs, buffers.selector, out[z].selection_rounds);
        buffers.candidates[z].clear();
        out[z].dots.resize(kept.size());
        out[z].local_density_per_mm2.resize(kept.size());
        for (size_t i = 0; i < kept.size(); ++i)
            out[z].dots[i] =
                makeDot(mesh, region, zs, specs[z], kept[i], out[z].local_density_per_mm2[i]);
    }
    return out;
}

ZoneDots sampleZone(const HeadModel& head, const FollicleRegion& region, ZoneId zone,
                    const ZoneSpec& spec, double peak_per_mm2, SamplingScratch* scratch) {
    // Not input-reachable: zones come from the ZoneId enumeration; design zone names are checked
    // first.
    STIPPLE_ASSERT(zone < ZoneId::Count, "sampleZone(): zone must be a zone, not ZoneId::Count");
    PerZone<ZoneSpec> specs;
    PerZone<double> peaks{};
    PerZone<bool> which{};
    specs[size_t(zone)] = spec;
    peaks[size_t(zone)] = peak_per_mm2;
    which[size_t(zone)] = true;
    PerZone<ZoneDots> zones = sampleZones(head, region, specs, peaks, which, scratch);
    return std::move(zones[size_t(zone)]);
}

} // namespace stipple
