#include "stipple/core/scalp_region.h"

#include <algorithm>
#include <cmath>

#include "stipple/core/poisson_sampling.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kNoiseCellMm = 16;
constexpr double kBorderNoiseMm = 4;
// Bound on how fast a noisy threshold moves per mm (value noise with smoothstep blending has
// slope <= 1.5 * 2 per cell along an axis, sqrt(3) over a diagonal), so |value - threshold|
// divided by (1 + slope) is a lower bound of the distance to the border.
constexpr double kBorderSlope = kBorderNoiseMm * 3.0 * 1.7321 / kNoiseCellMm;

double fade(double t) { return t * t * (3 - 2 * t); }

} // namespace

double valueNoise3(const glm::dvec3& p, uint64_t seed, uint64_t channel) {
    const glm::dvec3 f = glm::floor(p);
    const glm::dvec3 t = p - f;
    const int64_t x = int64_t(f.x), y = int64_t(f.y), z = int64_t(f.z);
    auto v = [&](int64_t dx, int64_t dy, int64_t dz) {
        const uint64_t h = hashOf(hashOf(seed, channel), uint64_t(x + dx), uint64_t(y + dy),
                                  uint64_t(z + dz));
        return 2 * unitOf(h) - 1;
    };
    const double wx = fade(t.x), wy = fade(t.y), wz = fade(t.z);
    auto lerp = [](double a, double b, double w) { return a + (b - a) * w; };
    const double x00 = lerp(v(0, 0, 0), v(1, 0, 0), wx), x10 = lerp(v(0, 1, 0), v(1, 1, 0), wx);
    const double x01 = lerp(v(0, 0, 1), v(1, 0, 1), wx), x11 = lerp(v(0, 1, 1), v(1, 1, 1), wx);
    return lerp(lerp(x00, x10, wy), lerp(x01, x11, wy), wz);
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
    if (head.mesh.triangles.empty()) throw Error("the head mesh has no triangles", file, "/head/mesh");
    // The chart centre: on the ear axis height, midway between the ears and between glabella
    // and occiput, which is inside the cranium for any head.
    const glm::dvec3 centre(0.5 * (lm.ear_left.x + lm.ear_right.x), ear_y,
                            0.5 * (lm.glabella.z + lm.occiput.z));
    m_chart = PolarChart(head.mesh, centre);
    m_hairline = buildHairline(m_chart, lm, spec, seed, file, warnings);
    const double crown_phi = m_chart.phiAtHeight(kPi, lm.vertex.y - 25);
    m_crown = m_chart.surfacePoint(kPi, crown_phi);
    m_crown_radius_mm = 0.2 * length;
    m_y_upper = ear_y + 0.55 * (lm.vertex.y - ear_y);
    m_z_front = lm.glabella.z - 0.32 * length;
}

ZonePoint ScalpRegion::classify(const glm::dvec3& p) const {
    ZonePoint out;
    const glm::dvec3 c = m_chart.centre();
    const double theta = m_chart.thetaOf(p);
    const double phi = m_chart.phiOf(p);
    const double r_surface = m_chart.radius(theta, phi);
    const double r = glm::length(p - c);
    // Inner shells (mouth, eye sockets) are not scalp: only the outer surface counts.
    const double shell = std::abs(r - r_surface) - (0.12 * r_surface + 3);
    if (shell > 0) {
        out.margin_mm = shell;
        return out;
    }
    const double d = m_hairline.lineAt(theta) - m_chart.surfaceDistance(theta, phi);
    // d changes by 1 per mm along the meridian and by the line's slope per mm across it.
    const double r_xy = std::max(1.0, std::hypot(p.x - c.x, p.z - c.z));
    const double line_slope = 1 + m_hairline.slopeAt(theta) / r_xy;
    double margin = std::abs(d) / line_slope;
    if (d < 0) {
        out.margin_mm = margin;
        return out;
    }
    out.inside = true;
    const glm::dvec3 q = p / kNoiseCellMm;
    const double n1 = valueNoise3(q, m_seed, 0x2001);
    const double n2 = valueNoise3(q, m_seed, 0x2002);
    const double deg = std::abs(theta) / kDeg;
    const double front_weight = 1 - std::clamp((deg - 68) / 17, 0.0, 1.0);
    auto border = [&](double value_minus_threshold) {
        margin = std::min(margin, std::abs(value_minus_threshold) / (1 + kBorderSlope));
        return value_minus_threshold;
    };
    auto done = [&](ZoneId zone) {
        out.zone = zone;
        out.margin_mm = margin;
        return out;
    };

    if (front_weight > 0) {
        const double inner = m_transition_mm * front_weight * (1 + 0.35 * n1);
        // The transition band scales with the noise, so its border moves faster than the
        // plain noise bound: account for its own amplitude.
        margin = std::min(margin, std::abs(d - inner) /
                                      (line_slope + 0.6 + 0.35 * m_transition_mm * 0.33));
        if (d < inner) {
            // Where the band tapers out (temples) the falloff fades too, so the thin end of
            // the band matches the zone behind it instead of leaving a sparse sliver.
            const double t = std::clamp(d / std::max(1e-6, inner), 0.0, 1.0);
            out.transition = 1 - (1 - t) * front_weight;
            return done(ZoneId::FrontTransition);
        }
    }
    // The front zone: a band about 35 mm deep behind the transition, across the forehead.
    if (border((deg - (50 + kBorderNoiseMm * n2 / r_xy / kDeg)) * kDeg * r_xy) < 0) {
        const double inner = m_transition_mm * front_weight * (1 + 0.35 * n1);
        margin = std::min(margin, std::abs(d - (inner + 35 + kBorderNoiseMm * n2)) /
                                      (line_slope + kBorderSlope + 0.35 * m_transition_mm * 0.33));
        // ...but not over the top, where azimuth is singular: the cap stays mid.
        const double from_top = m_chart.surfaceDistance(theta, phi) - (30 + kBorderNoiseMm * n1);
        if (d < inner + 35 + kBorderNoiseMm * n2 && border(from_top) > 0)
            return done(ZoneId::Front);
    }
    if (border(glm::length(p - m_crown) - (m_crown_radius_mm + kBorderNoiseMm * n2)) < 0)
        return done(ZoneId::Crown);
    if (border(p.y - (m_y_upper + kBorderNoiseMm * n1)) > 0) {
        return done(border(p.z - (m_z_front + kBorderNoiseMm * n2)) > 0 ? ZoneId::Front
                                                                       : ZoneId::Mid);
    }
    const double jitter_deg = kBorderNoiseMm * n2 / r_xy / kDeg;
    auto beyond = [&](double limit_deg) {
        return border((deg - (limit_deg + jitter_deg)) * kDeg * r_xy) > 0;
    };
    if (!beyond(40)) return done(ZoneId::Front);
    if (!beyond(75)) return done(ZoneId::Temples);
    if (!beyond(135)) return done(ZoneId::Sides);
    return done(ZoneId::Back);
}

glm::dvec2 ScalpRegion::maskUv(const glm::dvec3& p) const {
    const double theta = m_chart.thetaOf(p);
    const double phi = m_chart.phiOf(p);
    const double rho = std::sin(0.5 * phi) / std::sin(0.5 * 135 * kDeg);
    return {0.5 - 0.5 * rho * std::sin(theta), 0.5 - 0.5 * rho * std::cos(theta)};
}

} // namespace stipple
