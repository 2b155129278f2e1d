#include "stipple/core/design_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

// The inverse of the parser's readers in design.cpp, section by section.

namespace stipple {
namespace {

using json = nlohmann::ordered_json;

json point(const glm::dvec3& p) {
    return json::array({p.x, p.y, p.z});
}

std::string pathText(const std::filesystem::path& path, const std::filesystem::path& base) {
    if (base.empty() || path.empty()) return path.generic_string();
    return path.lexically_relative(base).generic_string();
}

const char* templateName(HairlineTemplate t) {
    static const char* kNames[] = {"natural", "defined",     "soft",
                                   "receded", "widows_peak", "custom"};
    return kNames[size_t(t)];
}

const char* profileName(SideProfile p) {
    static const char* kNames[] = {"rounded", "sharp", "soft"};
    return kNames[size_t(p)];
}

json headJson(const HeadSpec& h, const std::filesystem::path& base) {
    json j = json::object();
    j["mesh"] = pathText(h.mesh, base);
    if (h.mm_per_unit)
        j["mm_per_unit"] = *h.mm_per_unit;
    else
        j["units"] = "auto";
    j["up"] = axisName(h.up.value_or(Axis::PosY));
    j["forward"] = axisName(h.forward.value_or(Axis::PosZ));
    j["keep"] = h.keep;
    json landmarks = json::object();
    for (const auto& [name, p] : h.landmarks)
        landmarks[name] = point(p);
    j["landmarks"] = landmarks;
    j["accept_non_head"] = h.accept_non_head;
    if (!h.albedo.empty()) j["albedo"] = pathText(h.albedo, base);
    return j;
}

json hairlineJson(const HairlineSpec& s) {
    json j = json::object();
    j["template"] = templateName(s.shape);
    j["side_profile"] = profileName(s.side_profile);
    j["frontal_height_mm"] = s.frontal_height_mm;
    j["frontotemporal_recession_mm"] = s.frontotemporal_recession_mm;
    j["temporal_peak_mm"] = s.temporal_peak_mm;
    j["transition_mm"] = s.transition_mm;
    j["irregularity_amplitude_mm"] = s.irregularity_amplitude_mm;
    j["irregularity_scale_mm"] = s.irregularity_scale_mm;
    j["asymmetry_mm"] = s.asymmetry_mm;
    j["nape_height_mm"] = s.nape_height_mm;
    j["ear_clearance_mm"] = s.ear_clearance_mm;
    if (s.shape == HairlineTemplate::Custom) {
        json points = json::array();
        for (const glm::dvec3& p : s.control_points)
            points.push_back(point(p));
        j["control_points_mm"] = points;
    }
    return j;
}

json zonesJson(const Design& d) {
    json zones = json::array();
    for (size_t z = 0; z < size_t(ZoneId::Count); ++z) {
        const ZoneSpec s = d.zone(ZoneId(z));
        json j = json::object();
        j["name"] = kZoneNames[z];
        j["enabled"] = s.enabled;
        if (d.mode == DensityMode::Density) j["density_per_cm2"] = s.density_per_cm2;
        if (!s.needle.empty()) j["needle"] = s.needle;
        j["diameter_mm"] = s.diameter_mm;
        j["diameter_spread_mm"] = s.diameter_spread_mm;
        j["shade"] = s.shade;
        if (d.mode == DensityMode::Total) j["weight"] = s.weight;
        zones.push_back(j);
    }
    return zones;
}

json scarJson(const ScarSpec& s) {
    static const char* kTypes[] = {"strip", "fue", "polygon"};
    json j = json::object();
    j["type"] = kTypes[size_t(s.type)];
    if (s.type == ScarType::Fue) {
        j["center_mm"] = point(s.points_mm.empty() ? glm::dvec3(0) : s.points_mm.front());
        j["radius_mm"] = s.radius_mm;
        j["count"] = s.count;
        j["scar_diameter_mm"] = s.scar_diameter_mm;
    } else {
        json points = json::array();
        for (const glm::dvec3& p : s.points_mm)
            points.push_back(point(p));
        j["points_mm"] = points;
        if (s.type == ScarType::Strip) j["width_mm"] = s.width_mm;
    }
    j["camouflage"] = s.camouflage;
    return j;
}

json pigmentJson(const PigmentSpec& p) {
    json j = json::object();
    j["ink"] = p.ink == InkType::Permanent ? "permanent" : "temporary";
    if (p.skin_from_mesh)
        j["skin_from_mesh"] = true;
    else
        j["fitzpatrick"] = p.fitzpatrick.value_or(3);
    j["hair_colour"] = hexColour(p.hair_colour_srgb);
    j["age_days"] = p.age_days;
    return j;
}

json renderJson(const RenderSpec& r) {
    json j = json::object();
    j["width"] = r.width;
    j["height"] = r.height;
    j["lighting"] = r.lighting;
    if (r.lighting == "custom") {
        json lights = json::array();
        for (const LightSpec& l : r.lights)
            lights.push_back({{"azimuth_deg", l.azimuth_deg},
                              {"elevation_deg", l.elevation_deg},
                              {"intensity", l.intensity},
                              {"colour", hexColour(l.colour_srgb)},
                              {"shadow", l.shadow}});
        j["lights"] = lights;
        j["ambient"] = r.ambient;
    }
    j["views"] = r.views;
    j["background"] = r.background == Background::Transparent ? std::string("transparent")
                                                              : hexColour(r.background_srgb);
    j["turntable_frames"] = r.turntable_frames;
    j["elevation_deg"] = r.elevation_deg;
    j["top_view"] = r.top_view;
    j["fps"] = r.fps;
    j["msaa"] = r.msaa;
    j["supersample"] = r.supersample;
    j["watermark"] = r.watermark;
    j["layer_size"] = r.layer_size;
    return j;
}

} // namespace

std::string hexColour(const glm::dvec3& srgb) {
    char text[8];
    auto byte = [](double v) { return int(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
    std::snprintf(text, sizeof text, "#%02x%02x%02x", byte(srgb.x), byte(srgb.y), byte(srgb.z));
    return text;
}

nlohmann::ordered_json designToJson(const Design& d, const std::filesystem::path& relative_to) {
    json j = json::object();
    j["stipple"] = kDesignVersion;
    j["name"] = d.name;
    j["notes"] = d.notes;
    j["seed"] = d.seed;
    j["head"] = headJson(d.head, relative_to);
    j["hairline"] = hairlineJson(d.hairline);
    j["mode"] = d.mode == DensityMode::Density ? "density" : "total";
    if (d.mode == DensityMode::Total) j["total_dots"] = d.total_dots;
    j["zones"] = zonesJson(d);
    if (d.density_mask)
        j["density_mask"] = {{"image", pathText(d.density_mask->image, relative_to)},
                             {"strength", d.density_mask->strength}};
    json scars = json::array();
    for (const ScarSpec& s : d.scars)
        scars.push_back(scarJson(s));
    j["scars"] = scars;
    j["pigment"] = pigmentJson(d.pigment);
    j["impressions_per_session"] = d.impressions_per_session;
    j["render"] = renderJson(d.render);
    return j;
}

std::string designToText(const Design& design, const std::filesystem::path& relative_to) {
    return designToJson(design, relative_to).dump(2) + "\n";
}

} // namespace stipple
