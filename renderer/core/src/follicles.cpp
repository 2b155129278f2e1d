// Follicle dots: blue-noise sampling of the designed scalp region, zone by zone.
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
//    density factor (transition falloff, mask). Each position is classified once for all
//    zones; triangles certified by the zone map's distance bounds skip classification.
// 2. A candidate closer than kInsetFactor x r to a border with another zone is dropped
//    (r = its own minimum distance; the hairline needs no strip). Two dots of different zones
//    are then at least about 0.6 (rA + rB) apart, so the blue-noise spacing holds across
//    borders without either zone looking at the other.
// 3. The zone's candidates go through selectPoissonDisk() with r = kRadiusFactor x the ideal
//    hexagonal spacing at the local density, scaled for the border strip; the kept count is
//    compared with density x area and the selection rerun with a rescaled radius until it
//    matches (kCountTolerance), using only the zone's own candidates.
// Dot ids are (zone, triangle, candidate number): stable for the same mesh and design.

#include "stipple/core/follicles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "stipple/core/huge_pages.h"
#include "stipple/core/image.h"
#include "stipple/core/poisson_sampling.h"
#include "stipple/core/scalp_region.h"

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
// Candidates keep kInsetFactor x their radius clear of the borders with other zones, so two
// dots of different zones are at least 0.5 (rA + rB) apart: a pair straddling a border is as
// far apart as a pair inside one zone of the mean radius, and no lane opens along the border.
// The 8 probes sit on a circle of kInsetFactor / cos(22.5 deg) x r, so a straight border
// anywhere within the inset crosses at least one of them.
constexpr double kInsetFactor = 0.5;
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

class DensityMask {
public:
    DensityMask() = default;
    DensityMask(const DensityMaskSpec& spec, const std::string& file) : m_strength(spec.strength) {
        if (spec.strength < 0 || spec.strength > 1)
            throw Error("strength is " + formatFixed(spec.strength, 2) + "; accepted 0..1", file,
                        "/density_mask/strength");
        m_image = readImage8(spec.image);
    }
    bool active() const { return !m_image.empty() && m_strength > 0; }
    // Bilinear grey value (first channel) at uv in [0,1]^2, mixed with 1 by the strength.
    double factor(const glm::dvec2& uv) const {
        if (!active()) return 1;
        const double x = std::clamp(uv.x * m_image.width - 0.5, 0.0, m_image.width - 1.0);
        const double y = std::clamp(uv.y * m_image.height - 0.5, 0.0, m_image.height - 1.0);
        const int x0 = int(x), y0 = int(y);
        const int x1 = std::min(x0 + 1, m_image.width - 1),
                  y1 = std::min(y0 + 1, m_image.height - 1);
        const double fx = x - x0, fy = y - y0;
        auto g = [&](int px, int py) { return m_image.at(px, py)[0] / 255.0; };
        const double v = (g(x0, y0) * (1 - fx) + g(x1, y0) * fx) * (1 - fy) +
                         (g(x0, y1) * (1 - fx) + g(x1, y1) * fx) * fy;
        return 1 - m_strength + m_strength * v;
    }

private:
    Image8 m_image;
    double m_strength = 0;
};

struct ZonePlan {
    ZoneSpec spec;
    std::string pointer;     // "/zones/<index>" or "/zones" when the design omits the zone
    bool sampled = false;    // enabled and given a positive density
    double peak_per_mm2 = 0; // density before the local factors
    double area_mm2 = 0;
    double target_dots = 0; // integral of the local density over the zone
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
    static constexpr size_t kZones = size_t(ZoneId::Count);

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

// Projects a design point onto the outer surface through the chart.
glm::dvec3 project(const PolarChart& chart, const glm::dvec3& p) {
    return chart.surfacePoint(chart.thetaOf(p), chart.phiOf(p));
}

double distanceToSegment(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b) {
    const glm::dvec3 ab = b - a;
    const double len2 = glm::dot(ab, ab);
    const double t = len2 > 0 ? std::clamp(glm::dot(p - a, ab) / len2, 0.0, 1.0) : 0.0;
    return glm::length(p - (a + t * ab));
}

// Tangent basis around unit normal n.
void tangentBasis(const glm::dvec3& n, glm::dvec3& e1, glm::dvec3& e2) {
    const glm::dvec3 helper = std::abs(n.y) < 0.9 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
    e1 = glm::normalize(glm::cross(helper, n));
    e2 = glm::cross(n, e1);
}

std::vector<ScarRegion> buildScars(const Design& design, const ScalpRegion& region,
                                   const std::string& file, std::vector<Problem>& warnings) {
    const PolarChart& chart = region.chart();
    std::vector<ScarRegion> scars;
    for (size_t i = 0; i < design.scars.size(); ++i) {
        const ScarSpec& spec = design.scars[i];
        const std::string pointer = "/scars/" + std::to_string(i);
        ScarRegion scar;
        scar.type = spec.type;
        scar.design_index = i;
        scar.camouflage = spec.camouflage;
        const size_t needed = spec.type == ScarType::Polygon ? 3
                              : spec.type == ScarType::Strip ? 2
                                                             : 1;
        if (spec.points_mm.size() < needed)
            throw Error("needs at least " + std::to_string(needed) + " point(s), found " +
                            std::to_string(spec.points_mm.size()),
                        file, pointer + "/points_mm");
        std::vector<glm::dvec3> projected;
        for (const glm::dvec3& p : spec.points_mm)
            projected.push_back(project(chart, p));
        glm::dvec3 mean(0);
        for (const glm::dvec3& p : projected)
            mean += p;
        mean /= double(projected.size());
        scar.normal = glm::normalize(mean - chart.centre());
        switch (spec.type) {
        case ScarType::Strip: {
            if (!(spec.width_mm > 0) || spec.width_mm > 60)
                throw Error("width_mm is " + formatFixed(spec.width_mm) + "; accepted 0.5..30",
                            file, pointer + "/width_mm");
            scar.width_mm = spec.width_mm;
            // Densify so chords stay on the surface (5 mm steps: 0.03 mm sagitta on a head).
            double length = 0;
            scar.points_mm.push_back(projected.front());
            for (size_t k = 1; k < projected.size(); ++k) {
                const glm::dvec3 a = spec.points_mm[k - 1], b = spec.points_mm[k];
                const int steps =
                    std::max(1, int(std::ceil(glm::length(projected[k] - projected[k - 1]) / 5)));
                for (int s = 1; s <= steps; ++s) {
                    const glm::dvec3 q = project(chart, a + (b - a) * (double(s) / steps));
                    length += glm::length(q - scar.points_mm.back());
                    scar.points_mm.push_back(q);
                }
            }
            scar.area_cm2 = length * spec.width_mm / 100;
            break;
        }
        case ScarType::Fue: {
            if (!(spec.radius_mm > 0) || spec.radius_mm > 150)
                throw Error("radius_mm is " + formatFixed(spec.radius_mm) + "; accepted 5..120",
                            file, pointer + "/radius_mm");
            if (spec.count < 1 || spec.count > 20000)
                throw Error("count is " + std::to_string(spec.count) + "; accepted 1..5000", file,
                            pointer + "/count");
            if (!(spec.scar_diameter_mm > 0) || spec.scar_diameter_mm > 5)
                throw Error("scar_diameter_mm is " + formatFixed(spec.scar_diameter_mm) +
                                "; accepted 0.5..2",
                            file, pointer + "/scar_diameter_mm");
            scar.points_mm = {projected.front()};
            glm::dvec3 e1, e2;
            const glm::dvec3 n = glm::normalize(projected.front() - chart.centre());
            tangentBasis(n, e1, e2);
            for (int k = 0; k < spec.count; ++k) {
                const uint64_t h = hashOf(design.seed, 0xF0E5, i, uint64_t(k));
                const double rho = spec.radius_mm * std::sqrt(unitOf(h));
                const double angle = 2 * kPi * unitOf(mixHash(h));
                const glm::dvec3 q = project(
                    chart, projected.front() + rho * (std::cos(angle) * e1 + std::sin(angle) * e2));
                scar.discs_mm.emplace_back(q, spec.scar_diameter_mm);
            }
            scar.area_cm2 =
                spec.count * kPi * 0.25 * spec.scar_diameter_mm * spec.scar_diameter_mm / 100;
            break;
        }
        case ScarType::Polygon: {
            scar.points_mm = projected;
            glm::dvec3 e1, e2;
            tangentBasis(scar.normal, e1, e2);
            double area = 0;
            for (size_t k = 0; k < projected.size(); ++k) {
                const glm::dvec3 a = projected[k], b = projected[(k + 1) % projected.size()];
                area += glm::dot(a, e1) * glm::dot(b, e2) - glm::dot(b, e1) * glm::dot(a, e2);
            }
            scar.area_cm2 = std::abs(area) / 2 / 100;
            break;
        }
        }
        // A scar has to be on the scalp to be camouflaged or drawn on it.
        size_t outside = 0, total = 0;
        auto check = [&](const glm::dvec3& p) {
            ++total;
            if (!region.classify(p).inside) ++outside;
        };
        if (scar.type == ScarType::Fue)
            for (const glm::dvec4& d : scar.discs_mm)
                check(glm::dvec3(d));
        else
            for (const glm::dvec3& p : scar.points_mm)
                check(p);
        if (outside == total)
            throw Error("the scar lies entirely outside the scalp region (below the hairline or "
                        "off the head); give points on the treated scalp, head frame in mm",
                        file, pointer + "/points_mm");
        if (outside > 0)
            warnings.push_back({file, pointer + "/points_mm",
                                std::to_string(outside) + " of " + std::to_string(total) +
                                    " scar points lie outside the scalp region; only the part "
                                    "on the scalp gets dots",
                                true});
        scars.push_back(std::move(scar));
    }
    return scars;
}

} // namespace

bool ScarRegion::contains(const glm::dvec3& p) const {
    switch (type) {
    case ScarType::Strip:
        for (size_t k = 1; k < points_mm.size(); ++k)
            if (distanceToSegment(p, points_mm[k - 1], points_mm[k]) <= 0.5 * width_mm) return true;
        return points_mm.size() == 1 && glm::length(p - points_mm[0]) <= 0.5 * width_mm;
    case ScarType::Fue:
        for (const glm::dvec4& d : discs_mm)
            if (glm::length(p - glm::dvec3(d)) <= 0.5 * d.w) return true;
        return false;
    case ScarType::Polygon: {
        // Even-odd test in the tangent plane of the scar's mean direction; points on the far
        // side of the head are excluded by the normal.
        glm::dvec3 e1, e2;
        tangentBasis(normal, e1, e2);
        glm::dvec3 mean(0);
        for (const glm::dvec3& q : points_mm)
            mean += q;
        mean /= double(points_mm.size());
        if (glm::dot(p - mean, normal) < -40) return false;
        const glm::dvec2 q(glm::dot(p, e1), glm::dot(p, e2));
        bool in = false;
        for (size_t a = 0, b = points_mm.size() - 1; a < points_mm.size(); b = a++) {
            const glm::dvec2 pa(glm::dot(points_mm[a], e1), glm::dot(points_mm[a], e2));
            const glm::dvec2 pb(glm::dot(points_mm[b], e1), glm::dot(points_mm[b], e2));
            if ((pa.y > q.y) != (pb.y > q.y) &&
                q.x < (pb.x - pa.x) * (q.y - pa.y) / (pb.y - pa.y) + pa.x)
                in = !in;
        }
        return in;
    }
    }
    return false;
}

FollicleSet generateFollicles(const HeadModel& head, const Design& design) {
    const std::string file = design.source.string();
    FollicleSet result;
    result.warnings = {};
    std::vector<Problem>& warnings = result.warnings;
    const ScalpRegion region(head, design.hairline, design.seed, file, warnings);
    const Mesh& mesh = head.mesh;
    DensityMask mask;
    if (design.density_mask) mask = DensityMask(*design.density_mask, file);
    const DensityField field{&region, &mask, design.seed, design.hairline.shape};
    if (design.impressions_per_session <= 0)
        throw Error("impressions_per_session is " + std::to_string(design.impressions_per_session) +
                        "; accepted 1000..50000",
                    file, "/impressions_per_session");

    // Zone plans and their validation.
    constexpr size_t kZones = size_t(ZoneId::Count);
    std::vector<ZonePlan> plans(kZones);
    for (size_t z = 0; z < kZones; ++z) {
        ZonePlan& plan = plans[z];
        plan.spec = design.zone(ZoneId(z));
        plan.pointer = "/zones";
        for (size_t i = 0; i < design.zones.size(); ++i)
            if (design.zones[i].id == ZoneId(z)) plan.pointer = "/zones/" + std::to_string(i);
        const ZoneSpec& s = plan.spec;
        if (!s.enabled) continue;
        if (design.mode == DensityMode::Density) {
            if (!(s.density_per_cm2 > 0))
                throw Error("density_per_cm2 of zone " + std::string(kZoneNames[z]) + " is " +
                                formatFixed(s.density_per_cm2) +
                                "; accepted 5..150 (switch the zone off "
                                "with \"enabled\": false instead)",
                            file, plan.pointer + "/density_per_cm2");
            if (s.density_per_cm2 > 1000)
                throw Error("density_per_cm2 of zone " + std::string(kZoneNames[z]) + " is " +
                                formatFixed(s.density_per_cm2) + ": absurd (dots " +
                                formatFixed(hexSpacingMm(s.density_per_cm2 / 100), 2) +
                                " mm apart, smaller than the dots); accepted 5..150",
                            file, plan.pointer + "/density_per_cm2");
            if (s.density_per_cm2 < 5 || s.density_per_cm2 > 150)
                warnings.push_back({file, plan.pointer + "/density_per_cm2",
                                    formatFixed(s.density_per_cm2) +
                                        " dots/cm2 is outside the usual 5..150 "
                                        "(SMP: about 60-90)",
                                    true});
        } else if (s.weight < 0) {
            throw Error("weight is " + formatFixed(s.weight) + "; accepted 0..100", file,
                        plan.pointer + "/weight");
        }
        if (!(s.diameter_mm > 0) || s.diameter_mm > 3)
            throw Error("diameter_mm is " + formatFixed(s.diameter_mm, 2) + "; accepted 0.1..1.2",
                        file, plan.pointer + "/diameter_mm");
        if (s.diameter_spread_mm < 0 || s.diameter_spread_mm > 1)
            throw Error("diameter_spread_mm is " + formatFixed(s.diameter_spread_mm, 2) +
                            "; accepted 0..0.3",
                        file, plan.pointer + "/diameter_spread_mm");
    }

    // Per triangle: area, size, and the zones its samples (and its ring's) fall in. The same
    // samples integrate each zone's area and target count.
    const size_t tri_count = mesh.triangles.size();
    std::vector<TriangleInfo> tris(tri_count);
    std::vector<double> density_integral(kZones, 0.0); // integral of the density factor, mm^2
    // Per welded position (weld ids are ids, not vertex indices: classify the vertex's own
    // position and share the result with the vertices welded to it). The vertices' zones and
    // margins also certify candidates later: a ball of radius `margin` around a vertex lies in
    // one zone.
    size_t vertex_count = mesh.positions.size();
    for (uint32_t w : mesh.weld)
        vertex_count = std::max(vertex_count, size_t(w) + 1);
    auto weldOf = [&](uint32_t v) { return mesh.weld.empty() ? v : mesh.weld[v]; };
    std::vector<uint8_t> vertex_zones(vertex_count, 0);
    std::vector<float> vertex_margin(vertex_count, std::numeric_limits<float>::max());
    {
        std::vector<uint8_t> classified(vertex_count, 0);
        auto bitOf = [](const ZonePoint& zp) {
            return zp.inside ? uint8_t(1u << unsigned(zp.zone)) : kOutsideBit;
        };
        for (size_t t = 0; t < tri_count; ++t) {
            const glm::uvec3 tri = mesh.triangles[t];
            const glm::dvec3 a = mesh.positions[tri.x], b = mesh.positions[tri.y],
                             c = mesh.positions[tri.z];
            TriangleInfo& info = tris[t];
            info.area_mm2 = float(0.5 * glm::length(glm::cross(b - a, c - a)));
            info.max_edge_mm =
                float(std::max({glm::length(b - a), glm::length(c - b), glm::length(a - c)}));
            float margin = std::numeric_limits<float>::max();
            uint8_t zones = 0;
            for (uint32_t v : {tri.x, tri.y, tri.z}) {
                const uint32_t w = weldOf(v);
                if (!classified[w]) {
                    const ZonePoint zp = region.classify(mesh.positions[v]);
                    vertex_zones[w] = bitOf(zp);
                    vertex_margin[w] = float(zp.margin_mm);
                    classified[w] = 1;
                }
                zones |= vertex_zones[w];
                margin = std::min(margin, vertex_margin[w]);
            }
            // A triangle whose corners are all deep inside one zone lies wholly in it (the
            // margin is a distance bound): no quadrature needed.
            if (zones != kOutsideBit && (zones & (zones - 1)) == 0 && margin > info.max_edge_mm &&
                zones != (1u << unsigned(ZoneId::FrontTransition))) {
                size_t z = 0;
                while (!(zones & (1u << z)))
                    ++z;
                plans[z].area_mm2 += info.area_mm2;
                density_integral[z] +=
                    info.area_mm2 * field.factor((a + b + c) / 3.0, ZoneId(z), 1.0);
                info.zones = zones;
                info.margin_mm = margin;
                info.certified = true;
                continue;
            }
            // Corners all outside, farther from the region than the triangle is long: no part
            // of it is in the region.
            if (zones == kOutsideBit && margin > info.max_edge_mm) {
                info.zones = zones;
                info.margin_mm = margin;
                continue;
            }
            // Quadrature: centroids of an m x m split, sub-triangles no longer than 2.5 mm.
            const int m = std::max(1, int(std::ceil(info.max_edge_mm / 2.5f)));
            const double weight = info.area_mm2 / double(m * m);
            // Corner balls settle quadrature points too (no room needed: no probes here).
            BallCache balls(kNoNeed, int8_t(ZoneId::FrontTransition));
            for (uint32_t vi : {tri.x, tri.y, tri.z}) {
                const uint8_t bits = vertex_zones[weldOf(vi)];
                balls.add(mesh.positions[vi], vertex_margin[weldOf(vi)],
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
                            zp = region.classify(p);
                        }
                        zones |= bitOf(zp);
                        margin = std::min(margin, float(zp.margin_mm));
                        if (!zp.inside) continue;
                        const size_t z = size_t(zp.zone);
                        plans[z].area_mm2 += weight;
                        density_integral[z] += weight * field.factor(p, zp.zone, zp.transition);
                    }
            info.zones = zones;
            info.margin_mm = margin;
        }
        // One ring of dilation: a zone sliver that no sample hit still gets candidates from
        // the neighbouring triangles' lists. A certified triangle needs none: its vertex
        // margins prove that no other zone reaches into it.
        std::vector<uint8_t> ring_zones(vertex_count, 0);
        std::vector<float> ring_margin(vertex_count, std::numeric_limits<float>::max());
        for (size_t t = 0; t < tri_count; ++t)
            for (uint32_t v : {mesh.triangles[t].x, mesh.triangles[t].y, mesh.triangles[t].z}) {
                ring_zones[weldOf(v)] |= tris[t].zones;
                ring_margin[weldOf(v)] = std::min(ring_margin[weldOf(v)], tris[t].margin_mm);
            }
        for (size_t t = 0; t < tri_count; ++t)
            for (uint32_t v : {mesh.triangles[t].x, mesh.triangles[t].y, mesh.triangles[t].z}) {
                if (tris[t].certified) break;
                tris[t].zones |= ring_zones[weldOf(v)];
                tris[t].margin_mm = std::min(tris[t].margin_mm, ring_margin[weldOf(v)]);
            }
    }
    // Peak density of each zone: given (density mode) or shared out (total mode).
    if (design.mode == DensityMode::Total) {
        if (design.total_dots <= 0)
            throw Error("total_dots is " + std::to_string(design.total_dots) +
                            "; accepted 100..2,000,000",
                        file, "/total_dots");
        double weighted = 0;
        for (size_t z = 0; z < kZones; ++z)
            if (plans[z].spec.enabled) weighted += plans[z].spec.weight * plans[z].area_mm2;
        if (!(weighted > 0))
            throw Error("every enabled zone has weight 0 or no area on this head: nothing to "
                        "share total_dots among",
                        file, "/zones");
        for (size_t z = 0; z < kZones; ++z) {
            ZonePlan& plan = plans[z];
            if (!plan.spec.enabled || density_integral[z] <= 0) continue;
            const double share =
                double(design.total_dots) * plan.spec.weight * plan.area_mm2 / weighted;
            plan.peak_per_mm2 = share / density_integral[z];
        }
    } else {
        for (size_t z = 0; z < kZones; ++z)
            if (plans[z].spec.enabled) plans[z].peak_per_mm2 = plans[z].spec.density_per_cm2 / 100;
    }

    // Candidates. Triangle t offers the candidate positions j = 0, 1, 2... at hashed points
    // (seed, t, j), the same sequence for every zone; zone z takes the first count_z(t) of
    // them (k x its peak density x area) that lie in it. So each position is classified once
    // for all zones, and zone z's candidates still depend only on the geometry and z's own
    // settings.
    struct ZoneSampling {
        bool varying = false;
        double peak = 0, r_peak = 0, r_max = 0, per_dot = kCandidatesPerDot;
        uint64_t seed = 0;
        size_t in_zone = 0, inset_dropped = 0;
        HugeVector<SampleCandidate> candidates;
    };
    std::vector<ZoneSampling> sampling(kZones);
    uint8_t sampled_bits = 0;
    for (size_t z = 0; z < kZones; ++z) {
        ZonePlan& plan = plans[z];
        plan.target_dots = plan.peak_per_mm2 * density_integral[z];
        if (!plan.spec.enabled || !(plan.peak_per_mm2 > 0)) continue;
        plan.sampled = true;
        sampled_bits |= uint8_t(1u << z);
        ZoneSampling& zs = sampling[z];
        zs.peak = plan.peak_per_mm2;
        zs.r_peak = kRadiusFactor * hexSpacingMm(zs.peak);
        zs.varying = ZoneId(z) == ZoneId::FrontTransition || mask.active();
        // The largest radius sizes the selection grid's cells: only a zone whose density
        // varies reaches the floor factor.
        zs.r_max =
            zs.varying ? kRadiusFactor * hexSpacingMm(zs.peak * kMinDensityFactor) : zs.r_peak;
        zs.seed = hashOf(design.seed, 0x5a0e, z);
        // Small and graded zones get a deeper pool: the count is then matched by adjusting the
        // radius (below), which needs headroom above the calibrated count. Slivers need most.
        // The transition band's pool is counted at its peak density and then thinned by its
        // falloff (about half on average), so 1.5x leaves it ~2.7x per dot it keeps; more
        // bought nothing measurable (counts within 1.3% on all three heads either way).
        zs.per_dot = kCandidatesPerDot * (plan.target_dots < kTinyZoneDots                  ? 12.0
                                          : ZoneId(z) == ZoneId::FrontTransition            ? 1.5
                                          : zs.varying || plan.target_dots < kSmallZoneDots ? 2.5
                                                                                            : 1.0);
        zs.candidates.reserve(size_t(zs.per_dot * plan.target_dots * 1.1) + 16);
    }
    // Room a proven ball must leave around a candidate of zone z to settle it (its probes).
    constexpr int8_t kTransition = int8_t(ZoneId::FrontTransition);
    double probe_need[kZones];
    for (size_t z = 0; z < kZones; ++z)
        probe_need[z] = kProbeFactor * sampling[z].r_max;
    const uint64_t position_seed = hashOf(design.seed, 0x9051);
    auto positionHash = [&](uint64_t t, uint64_t j) { return hashOf(position_seed, t, j); };
    for (size_t t = 0; t < tri_count; ++t) {
        const TriangleInfo& info = tris[t];
        const uint8_t zones = info.zones & sampled_bits;
        if (!zones) continue;
        uint64_t counts[kZones] = {};
        uint64_t count_max = 0;
        for (size_t z = 0; z < kZones; ++z) {
            if (!(zones & (1u << z))) continue;
            const double expected = sampling[z].per_dot * sampling[z].peak * info.area_mm2;
            counts[z] = uint64_t(expected + unitOf(hashOf(sampling[z].seed, t, ~uint64_t(0))));
            count_max = std::max(count_max, counts[z]);
        }
        if (count_max == 0) continue;
        // A certified triangle lies in one zone; when it is also deeper than the largest
        // inset, its candidates need no classification. The transition zone needs each
        // candidate's depth in the band for its falloff, so it always classifies.
        size_t only = kZones;
        if (info.certified && (zones & (zones - 1)) == 0) {
            only = 0;
            while (!(zones & (1u << only)))
                ++only;
        }
        bool interior = only < kZones && ZoneId(only) != ZoneId::FrontTransition &&
                        info.margin_mm > info.max_edge_mm + probe_need[only];
        const glm::uvec3 tri = mesh.triangles[t];
        // Or one corner's proven ball holds the whole triangle (every point of it lies within
        // the longest edge of each corner) with room for the probes.
        for (uint32_t vi : {tri.x, tri.y, tri.z}) {
            if (interior) break;
            const uint8_t bits = vertex_zones[weldOf(vi)];
            if (bits == kOutsideBit || bits == (1u << unsigned(kTransition))) continue;
            const size_t z = size_t(zoneOfBits(bits));
            if (vertex_margin[weldOf(vi)] > info.max_edge_mm + probe_need[z]) {
                only = z;
                interior = true;
            }
        }
        const glm::dvec3 a = mesh.positions[tri.x];
        const glm::dvec3 ab = glm::dvec3(mesh.positions[tri.y]) - a;
        const glm::dvec3 ac = glm::dvec3(mesh.positions[tri.z]) - a;
        BallCache balls(probe_need, kTransition);
        for (uint32_t vi : {tri.x, tri.y, tri.z}) {
            const uint8_t bits = vertex_zones[weldOf(vi)];
            balls.add(mesh.positions[vi], vertex_margin[weldOf(vi)],
                      bits == kOutsideBit ? BallCache::kOutside : int8_t(zoneOfBits(bits)));
        }
        glm::dvec3 e1, e2, e3, e4;
        bool basis = false, tilted = false;
        for (uint64_t j = 0; j < count_max; ++j) {
            if (only < kZones && j >= counts[only]) break;
            const uint64_t h = positionHash(t, j);
            double u, v;
            barycentricOf(h, u, v);
            const glm::dvec3 p = a + u * ab + v * ac;
            ZonePoint zp;
            if (interior) {
                zp.inside = true;
                zp.zone = ZoneId(only);
                zp.margin_mm = zp.zone_margin_mm = 1e9;
            } else {
                // Only a zone ball that also holds the inset probes saves work; nearer its rim
                // a classification gives a better margin than the ball, often sparing them.
                // (Transition balls do not count: a candidate there needs its own depth.)
                double slack = 0;
                int8_t ball_zone = 0;
                if (balls.settle(p, ball_zone, slack)) {
                    if (ball_zone == BallCache::kOutside) continue;
                    zp.inside = true;
                    zp.zone = ZoneId(ball_zone);
                    zp.margin_mm = zp.zone_margin_mm = slack;
                } else {
                    zp = region.classify(p);
                    balls.add(p, zp);
                    if (!zp.inside) continue;
                }
            }
            const size_t z = size_t(zp.zone);
            if (!(sampled_bits & (1u << z)) || j >= counts[z]) continue;
            ZoneSampling& zs = sampling[z];
            const double f = zs.varying ? field.factor(p, zp.zone, zp.transition) : 1.0;
            if (f < 1 && unitOf(hashOf(h, 7)) >= f) continue;
            const double r =
                zs.varying ? kRadiusFactor * hexSpacingMm(zs.peak * std::max(f, kMinDensityFactor))
                           : zs.r_peak;
            // Keep clear of the borders with other zones (see the file comment, step 2).
            // The margin is a distance bound, so beyond it no test is needed; the line
            // itself (outside the region) needs no strip: no zone has dots beyond it.
            const double inset = kProbeFactor * r;
            if (zp.zone_margin_mm < inset) {
                // Probes on a circle in the triangle's plane. Where the triangle is tilted far
                // from the chart's ray (a carved curl facing sideways), zone membership (which
                // mostly follows the ray's direction) barely changes across that plane, so a
                // second circle lies across the ray as well: a surface point q of another zone
                // projects onto it no farther than |q - p|. (Without it two zones' dots ended
                // 0.89 of the inset apart on Demosthenes' temple.)
                if (!basis) {
                    const glm::dvec3 normal = glm::normalize(glm::cross(ab, ac));
                    const glm::dvec3 ray =
                        glm::normalize(a + (ab + ac) / 3.0 - region.chart().centre());
                    tangentBasis(normal, e1, e2);
                    tilted = std::abs(glm::dot(normal, ray)) < 0.8;
                    if (tilted) tangentBasis(ray, e3, e4);
                    basis = true;
                }
                // A probe inside a proven ball of the candidate's own zone needs no
                // classification; every probe classified adds its ball (the even directions go
                // first, so the odd ones between them are often covered).
                bool clear = true;
                for (int ring = 0; ring < (tilted ? 2 : 1) && clear; ++ring) {
                    const glm::dvec3 axis_u = ring == 0 ? e1 : e3, axis_w = ring == 0 ? e2 : e4;
                    for (int k : {0, 2, 4, 6, 1, 3, 5, 7}) {
                        const glm::dvec3 dir = kCircle[k].x * axis_u + kCircle[k].y * axis_w;
                        const glm::dvec3 q = p + inset * dir;
                        if (balls.holds(q, int8_t(zp.zone))) continue;
                        ZonePoint zq = region.classify(q);
                        balls.add(q, zq);
                        if (zq.inside && zq.zone == zp.zone) continue;
                        // Beyond the line is clear, unless a sliver of another zone lies
                        // between (where the transition band tapers out): look along the way.
                        for (double along : {0.75, 0.5, 0.25}) {
                            if (zq.inside) break;
                            const glm::dvec3 between = p + along * inset * dir;
                            if (balls.holds(between, int8_t(zp.zone))) break;
                            zq = region.classify(between);
                            balls.add(between, zq);
                        }
                        clear = !zq.inside || zq.zone == zp.zone;
                        if (!clear) break;
                    }
                }
                if (!clear) {
                    ++zs.inset_dropped;
                    continue;
                }
            }
            ++zs.in_zone;
            SampleCandidate cand;
            cand.position = glm::vec3(p);
            cand.radius_mm = float(r);
            cand.triangle = uint32_t(t);
            cand.index = uint32_t(j);
            cand.priority = uint32_t(hashOf(h, 9) >> 32);
            zs.candidates.push_back(cand);
        }
    }

    // Selection and dots, zone by zone.
    std::vector<float> local_density; // per dot, per mm^2 (for the spacing ratio)
    PoissonSelector selector;         // one for all zones: its buffers are reused
    {
        // Room for every zone's dots up front (counts land within a few per cent of the
        // targets), so the dot list is not copied while it grows.
        double expected = 0;
        for (const ZonePlan& plan : plans)
            if (plan.sampled) expected += plan.target_dots;
        result.dots.reserve(size_t(expected * 1.08) + 64);
        local_density.reserve(size_t(expected * 1.08) + 64);
    }
    for (size_t z = 0; z < kZones; ++z) {
        const ZonePlan& plan = plans[z];
        if (!plan.sampled) continue;
        ZoneSampling& zs = sampling[z];
        const ZoneId zone = ZoneId(z);
        const bool varying = zs.varying;
        const double peak = zs.peak;
        // The border inset removed a strip of the zone (q is its share of the candidates);
        // spacing the rest closer keeps the zone's count at density x area. The first guess
        // scales the radius by sqrt(1 - q); then, since a finite pool near borders and
        // density gradients does not follow that exactly, the count is measured and the
        // radius rescaled (count ~ 1 / r^2) until it is within kCountTolerance. Everything
        // here depends only on the zone's own candidates, so zones stay independent.
        const double q =
            double(zs.inset_dropped) / double(std::max<size_t>(1, zs.in_zone + zs.inset_dropped));
        double scale = std::max(kMinRadiusScale, kFirstRadiusScale * std::sqrt(1 - q));
        // A scale <= 1 keeps the grid (cells of 2 r_max): prepared once for the zone.
        bool prepared = false;
        auto select = [&](double s) {
            if (s > 1) return selectPoissonDisk(zs.candidates, float(zs.r_max * s), float(s));
            if (!prepared) selector.prepare(zs.candidates, float(zs.r_max));
            prepared = true;
            return selector.select(float(s));
        };
        const double tolerance =
            plan.target_dots < kSmallZoneDots ? kSmallCountTolerance : kCountTolerance;
        std::vector<SampleCandidate> kept = select(scale);
        for (int round = 0; round < kCountRounds && plan.target_dots > 0; ++round) {
            const double ratio = double(kept.size()) / plan.target_dots;
            if (std::abs(ratio - 1) <= tolerance) break;
            const double next = std::clamp(scale * std::sqrt(ratio), kMinRadiusScale, 1.25);
            if (next == scale) break;
            scale = next;
            kept = select(scale);
        }
        zs.candidates = {};
        const ZoneSpec& spec = plan.spec;
        for (const SampleCandidate& c : kept) {
            Dot dot;
            const uint64_t h = positionHash(c.triangle, c.index);
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
            if (zone == ZoneId::FrontTransition) transition = region.classify(p).transition;
            const double f = varying ? field.factor(p, zone, transition) : 1.0;
            local_density.push_back(float(peak * std::max(f, kMinDensityFactor)));
            // Size: normal spread around the zone's mean (Box-Muller from two hashes), kept
            // within [0.4, 2] x the mean; shape: slightly oval, random orientation.
            const uint64_t id_hash = hashOf(design.seed, h);
            const double g = std::sqrt(-2 * std::log(std::max(1e-12, unitOf(hashOf(id_hash, 1))))) *
                             std::cos(2 * kPi * unitOf(hashOf(id_hash, 2)));
            const double mean_d = spec.diameter_mm * DensityField::sizeFactor(zone, transition);
            dot.diameter_mm =
                float(std::clamp(mean_d + spec.diameter_spread_mm * g, 0.4 * mean_d, 2.0 * mean_d));
            dot.aspect = float(1 - 0.3 * std::pow(unitOf(hashOf(id_hash, 3)), 2));
            dot.angle_rad = float(kPi * unitOf(hashOf(id_hash, 4)));
            dot.shade = float(spec.shade *
                              (zone == ZoneId::FrontTransition ? 0.8 + 0.2 * transition : 1.0));
            dot.zone = zone;
            dot.triangle = c.triangle;
            dot.id =
                (uint64_t(z) << 56) | (uint64_t(c.triangle) << 24) | uint64_t(c.index & 0xffffff);
            result.dots.push_back(dot);
        }
    }

    // Scars: geometry for the layers; dots inside are kept (camouflage) or removed.
    result.scars = buildScars(design, region, file, warnings);
    if (!result.scars.empty()) {
        std::vector<Dot> dots;
        std::vector<float> densities;
        for (size_t i = 0; i < result.dots.size(); ++i) {
            const glm::dvec3 p = result.dots[i].position_mm;
            bool removed = false;
            for (ScarRegion& scar : result.scars)
                if (scar.contains(p)) {
                    ++scar.dots;
                    removed = removed || !scar.camouflage;
                }
            if (removed) continue;
            dots.push_back(result.dots[i]);
            densities.push_back(local_density[i]);
        }
        result.dots.swap(dots);
        local_density.swap(densities);
    }
    // Figures.
    for (size_t z = 0; z < kZones; ++z) {
        ZoneStats stats;
        stats.id = ZoneId(z);
        stats.area_cm2 = plans[z].area_mm2 / 100;
        stats.target_density_per_cm2 = plans[z].sampled && plans[z].area_mm2 > 0
                                           ? 100 * plans[z].target_dots / plans[z].area_mm2
                                           : 0;
        result.zones.push_back(stats);
        if (plans[z].sampled) result.area_cm2 += stats.area_cm2;
    }
    for (const Dot& dot : result.dots)
        ++result.zones[size_t(dot.zone)].dots;
    for (ZoneStats& stats : result.zones)
        stats.density_per_cm2 = stats.area_cm2 > 0 ? double(stats.dots) / stats.area_cm2 : 0;
    for (const Dot& dot : result.dots) {
        // Every dot is classified again, from its stored position (no shortcut through the
        // bounds the sampler used: this figure checks them).
        const ZonePoint zp = region.classify(dot.position_mm);
        if (!zp.inside || zp.zone != dot.zone || !plans[size_t(dot.zone)].sampled)
            ++result.outside_region;
    }
    // Spacing figures: each dot's nearest neighbour as a ratio of the ideal hexagonal spacing,
    // a pair judged against the mean of both dots' spacings (the variable-radius Poisson-disk
    // convention): across a border between 40 and 65 dots/cm2, two dots are as close as the
    // mean of the two zones' spacings allows, not as the sparser zone alone would.
    if (!result.dots.empty()) {
        std::vector<glm::vec3> points(result.dots.size());
        std::vector<float> spacing(result.dots.size());
        for (size_t i = 0; i < points.size(); ++i) {
            points[i] = result.dots[i].position_mm;
            spacing[i] = float(hexSpacingMm(local_density[i]));
        }
        const std::vector<float> ratios = nearestSpacingRatios(points, spacing);
        double min_ratio = std::numeric_limits<double>::max(), sum = 0;
        size_t n = 0;
        for (float ratio : ratios) {
            if (!std::isfinite(ratio)) continue;
            min_ratio = std::min(min_ratio, double(ratio));
            sum += ratio;
            ++n;
        }
        result.nn_min_ratio = n ? min_ratio : 0;
        result.nn_mean_ratio = n ? sum / double(n) : 0;
    }
    result.impressions_per_session = size_t(design.impressions_per_session);
    result.sessions = double(result.dots.size()) / design.impressions_per_session;
    const HairlineCurve& line = region.hairline();
    result.hairline.front_line_mm = line.front_line_mm;
    result.hairline.outline_mm = line.outline_mm;
    result.hairline.frontal_height_mm = line.frontal_height_mm;
    result.hairline.asymmetry_mm = line.asymmetry_mm;
    return result;
}

} // namespace stipple
