#include "stipple/render/lighting.h"

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
            {{-0.62, 0.62, 0.55}, {1.0, 0.96, 0.9}, 2.3, true, 1.6},
            {{0.8, 0.15, 0.55}, {0.85, 0.9, 1.0}, 0.55, false, 1},
            {{0.55, 0.55, -0.75}, {1.0, 1.0, 1.0}, 1.6, false, 1},
        };
        rig.sky = {0.2, 0.2, 0.21};
        rig.ground = {0.09, 0.085, 0.08};
        rig.exposure = 0.95;
        return rig;
    }
    if (name == "clinic") {
        // A consultation room: a broad overhead panel slightly in front, plenty of flat
        // ambient light bouncing off white walls; shadows soft and short.
        rig.lights = {
            {{0.0, 1.0, 0.3}, {1.0, 1.0, 1.0}, 1.9, true, 2.0},
            {{0.0, 0.2, 1.0}, {1.0, 1.0, 1.0}, 0.45, false, 1},
        };
        rig.sky = {0.33, 0.33, 0.34};
        rig.ground = {0.17, 0.17, 0.17};
        rig.exposure = 1.0;
        return rig;
    }
    if (name == "daylight") {
        // Noon-ish hard sun from high front-right and a blue sky: specular glare and flat
        // lighting, the least flattering case for SMP (dots lose contrast on the bright top).
        rig.lights = {
            {{0.35, 0.85, 0.4}, {1.0, 0.95, 0.86}, 3.0, true, 0.35},
        };
        rig.sky = {0.22, 0.27, 0.36};
        rig.ground = {0.12, 0.11, 0.09};
        rig.exposure = 0.9;
        return rig;
    }
    return std::nullopt;
}

} // namespace stipple::render
