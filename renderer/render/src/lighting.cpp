#include "stipple/render/lighting.h"

#include <cmath>

#include "stipple/core/error.h"
#include "stipple/core/image.h"

namespace stipple::render {

const std::vector<std::string>& lightingNames() {
    static const std::vector<std::string> names = {"studio", "clinic", "daylight"};
    return names;
}

std::optional<Lighting> lightingPreset(const std::string& name) {
    Lighting rig;
    rig.name = name;
    if (name == "studio") {
        // Classic portrait: a large warm key high on camera left (soft shadow), a cool weak
        // fill from the right, and a rim from behind that separates the scalp from the
        // background - the light that shows a shaved head's silhouette.
        rig.lights = {
            {{-0.62, 0.62, 0.55}, {1.0, 0.95, 0.88}, 2.5, true, 4.5},
            {{0.8, 0.1, 0.6}, {0.8, 0.88, 1.0}, 0.55, false, 1},
            {{0.6, 0.5, -0.75}, {1.0, 1.0, 1.0}, 1.8, false, 1},
        };
        // A reflector below the frame (clamshell portrait lighting) lifts the shadow under
        // the chin: light from below is what `ground` stands for.
        rig.sky = {0.2, 0.2, 0.21};
        rig.ground = {0.18, 0.165, 0.15};
        rig.exposure = 0.8;
        return rig;
    }
    if (name == "clinic") {
        // A consultation room: a broad overhead panel slightly in front, plenty of flat
        // ambient light bouncing off white walls; shadows soft and short.
        rig.lights = {
            {{0.0, 1.0, 0.3}, {1.0, 1.0, 1.0}, 2.0, true, 3.5},
            {{0.0, 0.2, 1.0}, {1.0, 1.0, 1.0}, 0.4, false, 1},
        };
        rig.sky = {0.22, 0.22, 0.23};
        rig.ground = {0.14, 0.14, 0.14};
        rig.exposure = 0.85;
        return rig;
    }
    if (name == "daylight") {
        // Noon-ish hard sun from high front-right and a blue sky: specular glare and flat
        // lighting, the least flattering case for SMP (dots lose contrast on the bright top).
        rig.lights = {
            {{0.35, 0.85, 0.4}, {1.0, 0.95, 0.86}, 2.6, true, 0.6},
        };
        // Open sky fills shadows with about a fifth of the sun's light, blue (the sun's
        // penumbra at 3 cm from an occluder is only ~0.3 mm; the softness covers the PCF grain).
        rig.sky = {0.3, 0.36, 0.48};
        rig.ground = {0.12, 0.1, 0.08};
        rig.exposure = 0.8;
        return rig;
    }
    return std::nullopt;
}

Lighting customLighting(const std::vector<LightSpec>& lights, double ambient) {
    // Not input-reachable: design.cpp accepts 1..4 /render/lights; lightingFor() refuses custom
    // without them.
    STIPPLE_ASSERT(!lights.empty() && lights.size() <= size_t(kMaxLights),
                   "customLighting(): 1..kMaxLights lights expected");
    Lighting rig;
    rig.name = "custom";
    for (const LightSpec& spec : lights) {
        const double az = glm::radians(spec.azimuth_deg), el = glm::radians(spec.elevation_deg);
        Light light;
        // Rig frame: x to the camera's right, y up, z toward the camera.
        light.direction = {std::sin(az) * std::cos(el), std::sin(el), std::cos(az) * std::cos(el)};
        light.colour = {srgbToLinear(spec.colour_srgb.x), srgbToLinear(spec.colour_srgb.y),
                        srgbToLinear(spec.colour_srgb.z)};
        light.intensity = spec.intensity;
        light.casts_shadow = spec.shadow;
        rig.lights.push_back(light);
    }
    rig.sky = glm::dvec3(ambient);
    rig.ground = glm::dvec3(0.5 * ambient);
    return rig;
}

} // namespace stipple::render
