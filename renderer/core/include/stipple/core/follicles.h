#pragma once

// Follicle dots: the impressions a practitioner would tattoo, sampled with blue noise on the
// real 3D surface of the head (head frame, millimetres).

#include <cstdint>
#include <string>
#include <vector>

#include "stipple/core/design.h"
#include "stipple/core/head_model.h"

namespace stipple {

struct Dot {
    glm::vec3 position_mm{0}; // on the surface, head frame
    glm::vec3 normal{0};      // unit surface normal
    float diameter_mm = 0.4f; // visible diameter
    float aspect = 1.0f;      // minor/major axis ratio of the impression, (0, 1]
    float angle_rad = 0.0f;   // orientation of the major axis in the tangent plane
    float shade = 6.0f;       // dilution 1..10
    ZoneId zone = ZoneId::Front;
    uint32_t triangle = 0;    // triangle of HeadModel::mesh the dot lies on
    uint64_t id = 0;          // stable id: the same design gives the same ids
};

struct ZoneStats {
    ZoneId id = ZoneId::Front;
    double area_cm2 = 0;
    size_t dots = 0;
    double density_per_cm2 = 0;
    double target_density_per_cm2 = 0;
};

// The scalp region and hairline the dots were sampled in (for layers and reports).
struct Hairline {
    std::vector<glm::dvec3> front_line_mm;  // the designed front line on the surface, L to R
    double frontal_height_mm = 0;           // measured on the result, above the glabella
    double asymmetry_mm = 0;                // measured
};

struct FollicleSet {
    std::vector<Dot> dots;
    std::vector<ZoneStats> zones;
    Hairline hairline;
    double area_cm2 = 0;       // treated area
    double nn_min_ratio = 0;   // min nearest-neighbour distance / ideal hexagonal spacing
    double nn_mean_ratio = 0;
    size_t outside_region = 0; // dots outside the design region (must be 0)
    double sessions = 0;       // dots / impressions per session
    std::vector<Problem> warnings;
};

// Generates the dots of `design` on `head`. Deterministic: a pure function of its inputs.
// Throws stipple::Error for designs that cannot be realised on this head (hairline above the
// head, a scar outside the scalp...), naming the field.
FollicleSet generateFollicles(const HeadModel& head, const Design& design);

} // namespace stipple
