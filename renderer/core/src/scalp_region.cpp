#include "stipple/core/scalp_region.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/core/poisson_sampling.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kNoiseCellMm = 16;
constexpr double kBorderNoiseMm = 4;
constexpr double kWideSlopeDeg = 20;
constexpr double kMinBandMm = 2.5; // the transition band's thinnest part, see classify()
// Bound on how fast a noisy threshold moves per mm (value noise with smoothstep blending has
// slope <= 1.5 * 2 per cell along an axis, sqrt(3) over a diagonal), so |value - threshold|
// divided by (1 + slope) is a lower bound of the distance to the border.
// The largest |grad| of valueNoise3 per cell (1.5 x 2 per axis, over three axes).
constexpr double kMaxNoiseSlope = 3.0 * 1.7321;

double fade(double t) {
    return t * t * (3 - 2 * t);
}

// Bound on how fast r_xy x (azimuth - limit) changes per mm at `angle_rad` = azimuth - limit:
// its gradient is sqrt(1 + angle^2) (tangential 1, radial angle); 1 + |angle| bounds that and
// its growth over a ball of radius below r_xy / 2.
double arcSlope(double angle_rad) {
    return 1 + std::abs(angle_rad);
}

// Value of lattice corner (x, y, z) in [-1, 1]. One mix per corner: the coordinates are
// folded into the channel's key with odd multipliers first.
double cornerValue(uint64_t base, int64_t x, int64_t y, int64_t z) {
    const uint64_t key = base ^ (uint64_t(x) * 0x9e3779b97f4a7c15ull) ^
                         (uint64_t(y) * 0xc2b2ae3d27d4eb4full) ^
                         (uint64_t(z) * 0x165667b19e3779f9ull);
    return 2 * unitOf(mixHash(key)) - 1;
}

// Trilinear blend with smoothstep weights of the 8 corners around p, from `corner(dx, dy, dz)`.
template <typename Corner> double blend(const glm::dvec3& t, Corner corner) {
    const double wx = fade(t.x), wy = fade(t.y), wz = fade(t.z);
    auto lerp = [](double a, double b, double w) { return a + (b - a) * w; };
    const double x00 = lerp(corner(0, 0, 0), corner(1, 0, 0), wx);
    const double x10 = lerp(corner(0, 1, 0), corner(1, 1, 0), wx);
    const double x01 = lerp(corner(0, 0, 1), corner(1, 0, 1), wx);
    const double x11 = lerp(corner(0, 1, 1), corner(1, 1, 1), wx);
    return lerp(lerp(x00, x10, wy), lerp(x01, x11, wy), wz);
}

} // namespace

double valueNoise3(const glm::dvec3& p, uint64_t seed, uint64_t channel) {
    const glm::dvec3 f = glm::floor(p);
    const int64_t x = int64_t(f.x), y = int64_t(f.y), z = int64_t(f.z);
    const uint64_t base = hashOf(seed, channel);
    return blend(p - f, [&](int64_t dx, int64_t dy, int64_t dz) {
        return cornerValue(base, x + dx, y + dy, z + dz);
    });
}

double ScalpRegion::chartSlope(double theta) const {
    const size_t n = m_chart_slope.size();
    double f = (theta + kPi) / (2 * kPi) * double(n);
    f -= std::floor(f / double(n)) * double(n);
    return m_chart_slope[std::min(size_t(f), n - 1)];
}

double ScalpRegion::borderNoise(const glm::dvec3& q, int channel) const {
    // The corner values are tabulated over the head's box: the same numbers as
    // valueNoise3(), without hashing 8 corners per call.
    const glm::dvec3 f = glm::floor(q);
    const glm::ivec3 c = glm::ivec3(f) - m_noise_origin;
    if (c.x < 0 || c.y < 0 || c.z < 0 || c.x + 1 >= m_noise_dims.x || c.y + 1 >= m_noise_dims.y ||
        c.z + 1 >= m_noise_dims.z)
        return valueNoise3(q, m_seed, channel == 0 ? 0x2001 : 0x2002);
    const double* table = m_noise[size_t(channel)].data();
    const size_t sx = 1, sy = size_t(m_noise_dims.x), sz = sy * size_t(m_noise_dims.y);
    const size_t base = size_t(c.x) * sx + size_t(c.y) * sy + size_t(c.z) * sz;
    return blend(q - f, [&](int dx, int dy, int dz) {
        return table[base + size_t(dx) * sx + size_t(dy) * sy + size_t(dz) * sz];
    });
}

ScalpRegion::ScalpRegion(const HeadModel& head, const HairlineSpec& spec, uint64_t seed,
                         const std::string& file, std::vector<Problem>& warnings)
    : m_seed(seed), m_transition_mm(spec.transition_mm) {
    const Landmarks& lm = head.landmarks;
    const double length = lm.glabella.z - lm.occiput.z;
    const double ear_y = 0.5 * (lm.ear_left.y + lm.ear_right.y);
    if (!(length > 50) || !(lm.vertex.y - ear_y > 40) || !(lm.ear_left.x - lm.ear_right.x > 40))
        throw Error("the head has no usable landmarks (glabella in front of the occiput, "
                    "vertex above the ears, left ear at +X): set them in the design's head "
                    "section",
                    file, "/head/landmarks");
    if (head.mesh.triangles.empty())
        throw Error("the head mesh has no triangles", file, "/head/mesh");
    const glm::dvec3 centre = headChartCentre(lm);
    m_chart = PolarChart(head.mesh, centre);
    m_mask_centre = glm::dvec3(centre.x, ear_y, 0.5 * (lm.glabella.z + lm.occiput.z));
    m_ear[0] = lm.ear_left;
    m_ear[1] = lm.ear_right;
    m_hairline = buildHairline(m_chart, lm, spec, seed, file, warnings);
    m_lowest_line_y = std::numeric_limits<double>::max();
    for (const glm::dvec3& q : m_hairline.loop_mm)
        m_lowest_line_y = std::min(m_lowest_line_y, q.y);
    m_line_field = HairlineField(m_chart, m_hairline.loop_mm, m_lowest_line_y);
    // Roughness of the chart per column: the largest |d r_surface / d arc| between
    // neighbouring nodes from the top down to the lowest point of the line (pinna excluded:
    // the guard above handles it), then the largest over +-kWideSlopeDeg of columns.
    {
        constexpr int n = PolarChart::kThetaSteps;
        std::vector<double> column(n, 0.0);
        const double step = 2 * kPi / n; // node spacing in theta and phi (both 0.5 deg)
        std::vector<double> sin_row(PolarChart::kPhiSteps + 1), cos_row(PolarChart::kPhiSteps + 1);
        for (int j = 0; j <= PolarChart::kPhiSteps; ++j) {
            sin_row[size_t(j)] = std::sin(PolarChart::phiOfRow(j));
            cos_row[size_t(j)] = std::cos(PolarChart::phiOfRow(j));
        }
        const glm::dvec3 c = m_chart.centre();
        for (int i = 0; i < n; ++i) {
            const int i_next = (i + 1) % n;
            const double th = PolarChart::thetaOfColumn(i);
            const double sin_t = std::sin(th), cos_t = std::cos(th);
            for (int j = 4; j < PolarChart::kPhiSteps; ++j) {
                const double r0 = m_chart.nodeRadius(i, j);
                const glm::dvec3 q =
                    c + r0 * glm::dvec3(sin_row[size_t(j)] * sin_t, cos_row[size_t(j)],
                                        sin_row[size_t(j)] * cos_t);
                if (q.y < m_lowest_line_y - 10) break;
                if (glm::length(q - m_ear[0]) < 45 || glm::length(q - m_ear[1]) < 45) continue;
                const double along = std::abs(m_chart.nodeRadius(i, j + 1) - r0) / (r0 * step);
                const double across = std::abs(m_chart.nodeRadius(i_next, j) - r0) /
                                      (r0 * std::max(0.05, sin_row[size_t(j)]) * step);
                column[size_t(i)] = std::max({column[size_t(i)], along, across});
            }
        }
        const int half = int(std::ceil(kWideSlopeDeg / 360.0 * n));
        m_chart_slope.assign(size_t(n), 0.0);
        for (int i = 0; i < n; ++i)
            for (int k = -half; k <= half; ++k)
                m_chart_slope[size_t(i)] =
                    std::max(m_chart_slope[size_t(i)], column[size_t(((i + k) % n + n) % n)]);
    }
    const double crown_phi = m_chart.phiAtHeight(kPi, lm.vertex.y - 25);
    m_crown = m_chart.surfacePoint(kPi, crown_phi);
    m_crown_radius_mm = 0.2 * length;
    m_y_upper = ear_y + 0.55 * (lm.vertex.y - ear_y);
    m_z_front = lm.glabella.z - 0.32 * length;
    // Border noise corners over the mesh's box (plus a cell of slack for inset tests).
    glm::dvec3 lo(std::numeric_limits<double>::max()), hi(-std::numeric_limits<double>::max());
    for (const glm::vec3& v : head.mesh.positions) {
        lo = glm::min(lo, glm::dvec3(v));
        hi = glm::max(hi, glm::dvec3(v));
    }
    m_noise_origin = glm::ivec3(glm::floor(lo / kNoiseCellMm)) - 1;
    m_noise_dims = glm::ivec3(glm::floor(hi / kNoiseCellMm)) + 3 - m_noise_origin;
    const size_t corners = size_t(m_noise_dims.x) * size_t(m_noise_dims.y) * size_t(m_noise_dims.z);
    if (corners > 4000000) { // absurd units: fall back to hashing every call
        m_noise_dims = glm::ivec3(0);
        return;
    }
    for (int channel = 0; channel < 2; ++channel) {
        const uint64_t base = hashOf(seed, channel == 0 ? 0x2001 : 0x2002);
        std::vector<double>& table = m_noise[size_t(channel)];
        table.resize(corners);
        size_t i = 0;
        for (int z = 0; z < m_noise_dims.z; ++z)
            for (int y = 0; y < m_noise_dims.y; ++y)
                for (int x = 0; x < m_noise_dims.x; ++x)
                    table[i++] =
                        cornerValue(base, int64_t(x) + m_noise_origin.x,
                                    int64_t(y) + m_noise_origin.y, int64_t(z) + m_noise_origin.z);
    }
    // Local slope bounds. In one cell the blend's derivative along x is fade' (<= 1.5) times
    // a mix of the four x-edge differences, so |grad| <= 1.5 |(Dx, Dy, Dz)| with D the
    // largest edge difference per axis (both channels). A ball of up to one cell around a
    // point stays in the 27 cells around its own: the table keeps the largest bound there.
    const glm::ivec3 dims = m_noise_dims;
    auto at = [&](int channel, int x, int y, int z) {
        return m_noise[size_t(channel)]
                      [size_t(x) + size_t(dims.x) * (size_t(y) + size_t(dims.y) * size_t(z))];
    };
    std::vector<double> cell_slope(corners, 0.0);
    for (int z = 0; z + 1 < dims.z; ++z)
        for (int y = 0; y + 1 < dims.y; ++y)
            for (int x = 0; x + 1 < dims.x; ++x) {
                double worst = 0;
                for (int channel = 0; channel < 2; ++channel) {
                    glm::dvec3 edge(0);
                    for (int a = 0; a < 2; ++a)
                        for (int b = 0; b < 2; ++b) {
                            edge.x = std::max(edge.x, std::abs(at(channel, x + 1, y + a, z + b) -
                                                               at(channel, x, y + a, z + b)));
                            edge.y = std::max(edge.y, std::abs(at(channel, x + a, y + 1, z + b) -
                                                               at(channel, x + a, y, z + b)));
                            edge.z = std::max(edge.z, std::abs(at(channel, x + a, y + b, z + 1) -
                                                               at(channel, x + a, y + b, z)));
                        }
                    worst = std::max(worst, 1.5 * glm::length(edge));
                }
                cell_slope[size_t(x) + size_t(dims.x) * (size_t(y) + size_t(dims.y) * size_t(z))] =
                    worst;
            }
    m_noise_slope.assign(corners, kMaxNoiseSlope);
    for (int z = 1; z + 2 < dims.z; ++z)
        for (int y = 1; y + 2 < dims.y; ++y)
            for (int x = 1; x + 2 < dims.x; ++x) {
                double worst = 0;
                for (int dz = -1; dz <= 1; ++dz)
                    for (int dy = -1; dy <= 1; ++dy)
                        for (int dx = -1; dx <= 1; ++dx)
                            worst = std::max(
                                worst,
                                cell_slope[size_t(x + dx) +
                                           size_t(dims.x) *
                                               (size_t(y + dy) + size_t(dims.y) * size_t(z + dz))]);
                m_noise_slope[size_t(x) +
                              size_t(dims.x) * (size_t(y) + size_t(dims.y) * size_t(z))] = worst;
            }
}

double ScalpRegion::noiseSlope(const glm::dvec3& q) const {
    const glm::ivec3 c = glm::ivec3(glm::floor(q)) - m_noise_origin;
    if (m_noise_slope.empty() || c.x < 0 || c.y < 0 || c.z < 0 || c.x >= m_noise_dims.x ||
        c.y >= m_noise_dims.y || c.z >= m_noise_dims.z)
        return kMaxNoiseSlope;
    return m_noise_slope[size_t(c.x) + size_t(m_noise_dims.x) *
                                           (size_t(c.y) + size_t(m_noise_dims.y) * size_t(c.z))];
}

namespace {
constexpr int kCellCols = PolarChart::kThetaSteps; // cell i spans nodes i, i + 1 (mod)
constexpr int kCellRows = PolarChart::kPhiSteps;   // cell j spans nodes j, j + 1
uint32_t tableAt(const std::vector<uint32_t>& t, int i, int j) { // cells [0, i) x [0, j)
    return t[size_t(i) * size_t(kCellRows + 1) + size_t(j)];
}
} // namespace

ScalpRegion::LineChange ScalpRegion::lineChange(const ScalpRegion& other) const {
    LineChange out;
    if (m_seed != other.m_seed || m_transition_mm != other.m_transition_mm ||
        m_lowest_line_y != other.m_lowest_line_y || m_chart_slope != other.m_chart_slope ||
        m_chart.centre() != other.m_chart.centre()) {
        out.all = true;
        return out;
    }
    // Deeper than this, depth() changes nothing but margins (see the header).
    const double deep = 1.35 * m_transition_mm + 35 + kBorderNoiseMm + 1;
    const HairlineField& a = m_line_field;
    const HairlineField& b = other.m_line_field;
    out.table.assign(size_t(kCellCols + 1) * size_t(kCellRows + 1), 0);
    for (int i = 0; i < kCellCols; ++i) {
        const int i1 = (i + 1) % kCellCols;
        for (int j = 0; j < kCellRows; ++j) {
            bool same = true, deep_both = true, out_both = true;
            for (const auto& [ci, cj] : {std::pair{i, j}, {i1, j}, {i, j + 1}, {i1, j + 1}}) {
                const float va = a.node(ci, cj), vb = b.node(ci, cj);
                same = same && va == vb;
                deep_both = deep_both && va >= deep && vb >= deep;
                out_both = out_both && va < 0 && vb < 0;
            }
            const uint32_t hot = (same || deep_both || out_both) ? 0 : 1;
            if (hot && (j + 1) * (kPi / kCellRows) <= LineChange::kCapPhi) {
                const double th = PolarChart::thetaOfColumn(i) + kPi / kCellCols;
                const double ph = (j + 0.5) * (kPi / kCellRows);
                out.cap_hot.emplace_back(std::sin(ph) * std::sin(th), std::cos(ph),
                                         std::sin(ph) * std::cos(th));
            }
            out.table[size_t(i + 1) * size_t(kCellRows + 1) + size_t(j + 1)] =
                hot + tableAt(out.table, i, j + 1) + tableAt(out.table, i + 1, j) -
                tableAt(out.table, i, j);
        }
    }
    return out;
}

bool ScalpRegion::LineChange::touches(double theta0, double theta1, double phi0,
                                      double phi1) const {
    if (all) return true;
    constexpr double kDTheta = 2 * kPi / kCellCols, kDPhi = kPi / kCellRows;
    const int j0 = std::clamp(int(std::floor(phi0 / kDPhi)), 0, kCellRows - 1);
    const int j1 = std::clamp(int(std::floor(phi1 / kDPhi)), 0, kCellRows - 1);
    auto count = [&](int i0, int i1) { // cells i0..i1 (inside one turn), j0..j1
        return tableAt(table, i1 + 1, j1 + 1) - tableAt(table, i0, j1 + 1) -
               tableAt(table, i1 + 1, j0) + tableAt(table, i0, j0);
    };
    if (theta1 - theta0 >= 2 * kPi - 2 * kDTheta) return count(0, kCellCols - 1) > 0;
    int i0 = int(std::floor((theta0 + kPi) / kDTheta));
    int i1 = int(std::floor((theta1 + kPi) / kDTheta));
    const int turn = int(std::floor(double(i0) / kCellCols));
    i0 -= turn * kCellCols;
    i1 -= turn * kCellCols;
    if (i1 < kCellCols) return count(i0, i1) > 0;
    return count(i0, kCellCols - 1) > 0 || count(0, i1 - kCellCols) > 0;
}

bool ScalpRegion::LineChange::touchesAround(const glm::dvec3& dir, double angle) const {
    if (all) return true;
    // A cell reaches ~0.36 deg from its centre (half its diagonal at the cap's rim).
    const double limit = std::cos(std::min(kPi, angle + 0.0065));
    for (const glm::dvec3& h : cap_hot)
        if (glm::dot(h, dir) >= limit) return true;
    return false;
}

ZonePoint ScalpRegion::classify(const glm::dvec3& p) const {
    ZonePoint out;
    const glm::dvec3 c = m_chart.centre();
    const double theta = m_chart.thetaOf(p);
    const double phi = m_chart.phiOf(p);
    const double r_surface = m_chart.radius(theta, phi);
    const double r = glm::length(p - c);
    // Inner shells (mouth, eye sockets) are not scalp: only the outer surface counts.
    // How fast chart-derived quantities (r_surface, the surface distance along the meridian)
    // change per mm of 3D motion: 1 on a sphere, more on a rough carved surface, x 1.15 for
    // points up to 12% off the surface (see chartSlope()).
    const double chart_slope = 1.15 * (1 + chartSlope(theta));
    const double shell = std::abs(r - r_surface) - (0.12 * r_surface + 3);
    if (shell > 0) {
        out.margin_mm = shell / chart_slope;
        return out;
    }
    // Guards against what the chart cannot see: points below the lowest point of the line
    // (neck, chin, a mesh's stray shells) and points on the pinna (the chart's outermost
    // surface there is the ear itself; ellipse 66 x 40 mm around the ear, as in hairline.h).
    if (p.y < m_lowest_line_y) {
        out.margin_mm = m_lowest_line_y - p.y;
        return out;
    }
    // Distance bound to the pinna guards for points outside them: beyond the guard's plane, or
    // outside its ellipse (q - 1 times the smaller semi-axis), whichever is larger.
    double pinna_margin = std::numeric_limits<double>::max();
    for (const glm::dvec3& ear : m_ear) {
        const double ear_dx = ear.x - c.x;
        if ((p.x - c.x) * ear_dx <= 0) continue; // the other side: farther than the plane below
        const double qy = (p.y - ear.y - 8) / 33, qz = (p.z - ear.z + 12) / 20;
        const double q = std::sqrt(qy * qy + qz * qz);
        const double to_plane = std::abs(p.x - c.x) - 0.8 * std::abs(ear_dx); // > 0: beyond it
        if (to_plane >= 0 && q < 1) {
            // The ellipse's smaller semi-axis bounds the distance to its rim; the guard also
            // ends at the plane 0.8 of the way out to the ear.
            out.margin_mm = std::min((1 - q) * 20, to_plane);
            return out;
        }
        pinna_margin = std::min(pinna_margin, std::max(-to_plane, (q - 1) * 20));
    }
    // d: signed distance to the line across the surface (mm, > 0 inside); it changes by at
    // most HairlineField::kSlope per mm of surface (see there), and the surface point under p
    // moves by up to the chart's roughness factor per mm of p.
    const double d = m_line_field.depth(theta, phi);
    const double line_slope = HairlineField::kSlope * chart_slope;
    const double line_margin = std::min(std::abs(d) / line_slope, pinna_margin);
    if (d < 0) {
        out.margin_mm = line_margin;
        return out;
    }
    // `margin` bounds the distance to the borders between zones; the line's own is added last.
    double margin = std::numeric_limits<double>::max();
    out.inside = true;
    // Mirrored in x: zone borders wander alike on both sides, so a design with asymmetry 0 is
    // symmetric; the hairline itself carries the designed asymmetry and irregularity.
    const glm::dvec3 q = glm::dvec3(std::abs(p.x), p.y, p.z) / kNoiseCellMm;
    const double n1 = borderNoise(q, 0);
    const double n2 = borderNoise(q, 1);
    // How fast a noise-displaced border moves per mm here (bound over the next cell; margins
    // below are capped at one cell, kNoiseCellMm, to stay where it holds).
    const double noise_slope = noiseSlope(q) / kNoiseCellMm; // per mm, unit amplitude
    const double border_slope = kBorderNoiseMm * noise_slope;
    // Zone borders are azimuths seen from the head's middle (the mask centre), as before the
    // chart's centre moved back for the hairline.
    const glm::dvec3 zc = p - m_mask_centre;
    const double deg = std::abs(fastAtan2(zc.x, zc.z)) / kDeg;
    const double zone_r_xy = std::max(1.0, std::sqrt(zc.x * zc.x + zc.z * zc.z));
    const double front_weight = 1 - std::clamp((deg - 68) / 17, 0.0, 1.0);
    auto border = [&](double value_minus_threshold) {
        margin = std::min(margin, std::abs(value_minus_threshold) / (1 + border_slope));
        return value_minus_threshold;
    };
    auto done = [&](ZoneId zone) {
        out.zone = zone;
        margin = std::min(margin, kNoiseCellMm);
        out.zone_margin_mm = margin;
        out.margin_mm = std::min(margin, line_margin);
        return out;
    };

    if (front_weight > 0) {
        const double inner = m_transition_mm * front_weight * (1 + 0.35 * n1);
        // The band's depth changes with the noise (0.35 of it, noise slope <= 3 sqrt(3) per
        // cell) and with the taper (front_weight falls by 1 over 17 deg of azimuth, up to
        // 1.35 x the depth): its border moves by this much per mm.
        const double inner_slope =
            m_transition_mm * (1.35 / (17 * kDeg * zone_r_xy) + 0.35 * noise_slope);
        margin = std::min(margin, std::abs(d - inner) / (line_slope + inner_slope));
        // The band ends where it would be thinner than kMinBandMm: a sliver a fraction of a
        // millimetre wide (the taper's tip) slips between the inset probes of the zone
        // behind it, and its dots then sat 0.89 of the inset from the temple's (Demosthenes).
        // That end is a border too, for every point the band's depth reaches.
        const double band_cut = inner - kMinBandMm;
        if (d < inner) margin = std::min(margin, std::abs(band_cut) / inner_slope);
        if (d < inner && band_cut >= 0) {
            // Where the band tapers out (temples) the falloff fades too, so the thin end of
            // the band matches the zone behind it instead of leaving a sparse sliver.
            const double t = std::clamp(d / std::max(1e-6, inner), 0.0, 1.0);
            out.transition = 1 - (1 - t) * front_weight;
            return done(ZoneId::FrontTransition);
        }
    }
    // The front zone: a band about 35 mm deep behind the transition, across the forehead,
    // but not over the top, where azimuth is singular: the cap stays mid. Three conditions
    // must all hold; while one of them fails the point stays out of this branch, so the
    // branch bounds the margin by the largest failing distance, not the smallest of all.
    {
        const double in_arc =
            (50 + kBorderNoiseMm * n2 / zone_r_xy / kDeg - deg) * kDeg * zone_r_xy;
        const double arc_margin = std::abs(in_arc) / (arcSlope(in_arc / zone_r_xy) + border_slope);
        if (in_arc <= 0) {
            margin = std::min(margin, arc_margin);
        } else {
            const double inner = m_transition_mm * front_weight * (1 + 0.35 * n1);
            const double in_band = inner + 35 + kBorderNoiseMm * n2 - d;
            const double band_margin =
                std::abs(in_band) /
                (line_slope + border_slope +
                 m_transition_mm * (1.35 / (17 * kDeg * zone_r_xy) + 0.35 * noise_slope));
            const double below_top =
                m_chart.surfaceDistance(theta, phi) - (30 + kBorderNoiseMm * n1);
            const double top_margin = std::abs(below_top) / (chart_slope + border_slope);
            if (in_band > 0 && below_top > 0) {
                margin = std::min({margin, arc_margin, band_margin, top_margin});
                return done(ZoneId::Front);
            }
            double failing = 0;
            if (in_band <= 0) failing = std::max(failing, band_margin);
            if (below_top <= 0) failing = std::max(failing, top_margin);
            margin = std::min(margin, failing);
        }
    }
    if (border(glm::length(p - m_crown) - (m_crown_radius_mm + kBorderNoiseMm * n2)) < 0)
        return done(ZoneId::Crown);
    if (border(p.y - (m_y_upper + kBorderNoiseMm * n1)) > 0) {
        return done(border(p.z - (m_z_front + kBorderNoiseMm * n2)) > 0 ? ZoneId::Front
                                                                        : ZoneId::Mid);
    }
    const double jitter_deg = kBorderNoiseMm * n2 / zone_r_xy / kDeg;
    auto beyond = [&](double limit_deg) {
        const double arc = (deg - (limit_deg + jitter_deg)) * kDeg * zone_r_xy;
        margin = std::min(margin, std::abs(arc) / (arcSlope(arc / zone_r_xy) + border_slope));
        return arc > 0;
    };
    if (!beyond(40)) return done(ZoneId::Front);
    if (!beyond(75)) return done(ZoneId::Temples);
    if (!beyond(135)) return done(ZoneId::Sides);
    return done(ZoneId::Back);
}

glm::dvec2 ScalpRegion::maskUv(const glm::dvec3& p) const {
    // Directions from the mask centre (midway between glabella and occiput), not from the
    // chart's centre, so mask images keep their meaning.
    const glm::dvec3 d = p - m_mask_centre;
    const double theta = std::atan2(d.x, d.z);
    const double phi = std::acos(std::clamp(d.y / std::max(1e-12, glm::length(d)), -1.0, 1.0));
    const double rho = std::sin(0.5 * phi) / std::sin(0.5 * 135 * kDeg);
    return {0.5 - 0.5 * rho * std::sin(theta), 0.5 - 0.5 * rho * std::cos(theta)};
}

} // namespace stipple
