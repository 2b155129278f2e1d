#pragma once

// Light rigs for head renders. Directions are given in the rig frame, which turns with the
// camera's azimuth (a turntable turns the head under fixed studio lights) but not with its
// elevation (overhead light stays overhead): x to the camera's right, y up, z toward the
// camera. Intensities are in "albedo units": a surface facing a light of intensity 1 with
// albedo a reflects a (before exposure and tone mapping).

#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"

namespace stipple::render {

struct Light {
    glm::dvec3 direction{0, 0, 1}; // toward the light, rig frame (normalised on use)
    glm::dvec3 colour{1, 1, 1};    // linear RGB, multiplied by intensity
    double intensity = 1;
    bool casts_shadow = false;  // at most one light casts a (shadow-mapped) shadow
    double shadow_softness = 1; // PCF kernel radius scale: 0.3 hard sun .. 2 big softbox
};

struct Lighting {
    std::string name;
    std::vector<Light> lights;        // at most kMaxLights
    glm::dvec3 sky{0.2, 0.2, 0.2};    // hemisphere ambient from above, linear
    glm::dvec3 ground{0.1, 0.1, 0.1}; // hemisphere ambient from below, linear
    double exposure = 1.0;            // scale before tone mapping
    double specular = 1.0;            // 0 turns off the specular term (test rigs)
};

inline constexpr int kMaxLights = 4;

// The preset names: studio (key/fill/rim softbox portrait), clinic (flat overhead
// fluorescent), daylight (hard sun and blue sky: SMP looks flattest here).
const std::vector<std::string>& lightingNames();

// The preset `name`, or nullopt for an unknown one ("custom" is not a preset: see below).
std::optional<Lighting> lightingPreset(const std::string& name);

// The design's custom rig ("lighting": "custom"): each LightSpec's azimuth/elevation becomes a
// rig-frame direction, its sRGB colour linear. `lights` must hold 1..kMaxLights entries (the
// design parser guarantees it); ambient scales a neutral sky/ground hemisphere.
Lighting customLighting(const std::vector<LightSpec>& lights, double ambient);

} // namespace stipple::render
