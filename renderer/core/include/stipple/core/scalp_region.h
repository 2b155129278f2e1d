#pragma once

// The scalp region (above the hairline) and its zone map. Zone borders depend only on the
// head, the hairline and the seed — never on the zones' own settings — so changing one zone
// cannot move another zone's border (follicles.cpp relies on this for zone independence).
//
// Zone rules, first match wins (d = depth below the hairline along the meridian, mm; every
// border is made irregular by about +-4 mm of seeded 3D value noise, 16 mm cells):
//   front_transition  d < transition_mm (x 1 +- 0.35 noise) over the front arc (|theta| <= 68
//                     deg, tapering to none at 85 deg)
//   crown             within 0.2 x head length (~40 mm) of the crown point: the back midline
//                     25 mm below the vertex
//   front / mid       above y_upper = ear + 0.55 (vertex - ear): front where z > glabella.z -
//                     0.32 x head length, else mid
//   below y_upper:    front for |theta| < 40 deg, temples < 75 deg, sides < 135 deg, else back

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/hairline.h"
#include "stipple/core/hairline_field.h"
#include "stipple/core/head_chart.h"
#include "stipple/core/head_model.h"

namespace stipple {

struct ZonePoint {
    bool inside = false; // on the outer surface and above the hairline
    ZoneId zone = ZoneId::Count;
    double margin_mm = 0;      // conservative lower bound of the distance to the nearest border
    double zone_margin_mm = 0; // the same, borders between zones only (not the hairline)
    double transition = 1;     // front_transition only: 0 at the hairline .. 1 at its inner edge
};

class ScalpRegion {
public:
    // Builds the chart, the hairline and the zone geometry. Throws stipple::Error as
    // buildHairline(), and when the head has no usable landmarks.
    ScalpRegion(const HeadModel& head, const HairlineSpec& spec, uint64_t seed,
                const std::string& file, std::vector<Problem>& warnings);

    // Zone of a surface point (head frame, mm).
    ZonePoint classify(const glm::dvec3& p) const;
    // Density mask coordinates of a point, in [0,1]^2: a Lambert azimuthal equal-area
    // projection of the direction from the chart centre around +Y, as seen from above with the
    // face at the top of the image and the subject's right on the image's right; the disc of
    // the image reaches polar angle 135 deg (below the ears). Row 0 is the image's top.
    glm::dvec2 maskUv(const glm::dvec3& p) const;

    // Where classify() of this region and of `other` may differ, for a Session that keeps the
    // dots of the zones a hairline edit does not reach. Both must come from the same head.
    // `all` is set when anything but the line differs (the seed's border noise, the transition
    // width, the line's lowest point): then any point may. Otherwise classify() depends on the
    // line only through depth(), bilinear in a cell of the field, and only through whether it is
    // < 0 (outside), below the transition's inner edge (<= 1.35 transition_mm) or in the front
    // band (< inner + 35 + 4 mm): a cell is "hot" unless its four nodes are equal in both, or all
    // at least that deep in both, or all negative in both. touches() says whether a chart
    // window holds a hot cell.
    struct LineChange {
        bool all = false;
        std::vector<uint32_t> table; // hot cells summed, (kThetaSteps + 1) x (kPhiSteps + 1)
        // True when a point with polar angles in [theta0, theta1] x [phi0, phi1] (theta may run
        // past +-pi: it wraps) may be classified differently.
        bool touches(double theta0, double theta1, double phi0, double phi1) const;
        // Near the chart's pole, where a window in theta and phi is a poor fit: the unit
        // directions (chart frame) of the hot cells with phi below kCapPhi, and whether one
        // lies within `angle` (radians) of unit direction `dir`.
        static constexpr double kCapPhi = 0.7; // radians, ~40 deg
        std::vector<glm::dvec3> cap_hot;
        bool touchesAround(const glm::dvec3& dir, double angle) const;
    };
    LineChange lineChange(const ScalpRegion& other) const;

    const PolarChart& chart() const { return m_chart; }
    const HairlineCurve& hairline() const { return m_hairline; }
    const glm::dvec3& crownCentre() const { return m_crown; }

private:
    // Border noise (valueNoise3 of the design seed, channel 0 or 1) from a table of lattice
    // corners over the head's box.
    double borderNoise(const glm::dvec3& q, int channel) const;
    // Bound of |d r_surface / d arc| of the chart within kWideSlopeDeg of theta (0 on a
    // sphere; carved hair makes it large).
    double chartSlope(double theta) const;
    // Bound of |grad valueNoise3| (per cell) over the cells around q (noise coordinates), both
    // channels.
    double noiseSlope(const glm::dvec3& q) const;

    PolarChart m_chart;
    HairlineCurve m_hairline;
    HairlineField m_line_field; // signed distance to m_hairline.loop_mm
    uint64_t m_seed = 0;
    double m_transition_mm = 10;
    glm::dvec3 m_crown{0};
    double m_crown_radius_mm = 40;
    double m_y_upper = 0;
    double m_z_front = 0;
    glm::dvec3 m_mask_centre{0};       // the density mask's projection centre
    glm::dvec3 m_ear[2]{};             // ear landmarks (left, right): the pinna guard
    double m_lowest_line_y = 0;        // lowest point of the hairline: nothing below is scalp
    std::vector<double> m_chart_slope; // per chart column, see chartSlope()
    glm::ivec3 m_noise_origin{0};
    glm::ivec3 m_noise_dims{0};
    std::vector<double> m_noise[2];
    std::vector<double> m_noise_slope; // per lattice cell, see noiseSlope()
};

// Smooth 3D value noise in [-1, 1] with unit cells (scale the argument), from (seed, channel).
double valueNoise3(const glm::dvec3& p, uint64_t seed, uint64_t channel);

} // namespace stipple
