#include "stipple/core/design.h"

#include <nlohmann/json.hpp>

#include "stipple/core/hash.h"

// SKELETON: only what the skeleton needs; the design-file work replaces this with the full
// validating parser.

namespace stipple {

std::optional<Axis> parseAxis(const std::string& text) {
    static const std::pair<const char*, Axis> kAxes[] = {
        {"+x", Axis::PosX}, {"-x", Axis::NegX}, {"+y", Axis::PosY},
        {"-y", Axis::NegY}, {"+z", Axis::PosZ}, {"-z", Axis::NegZ}};
    std::string lower;
    for (char c : text) lower += char(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [name, axis] : kAxes)
        if (lower == name) return axis;
    return std::nullopt;
}

std::string axisName(Axis axis) {
    static const char* kNames[] = {"+X", "-X", "+Y", "-Y", "+Z", "-Z"};
    return kNames[int(axis)];
}

glm::dvec3 axisVector(Axis axis) {
    switch (axis) {
    case Axis::PosX: return {1, 0, 0};
    case Axis::NegX: return {-1, 0, 0};
    case Axis::PosY: return {0, 1, 0};
    case Axis::NegY: return {0, -1, 0};
    case Axis::PosZ: return {0, 0, 1};
    case Axis::NegZ: return {0, 0, -1};
    }
    return {0, 1, 0};
}

ZoneSpec defaultZone(ZoneId id) {
    ZoneSpec z;
    z.id = id;
    return z;
}

ZoneSpec Design::zone(ZoneId id) const {
    for (const ZoneSpec& z : zones)
        if (z.id == id) return z;
    return defaultZone(id);
}

Design parseDesign(const std::string& json_text, const std::filesystem::path& source) {
    Design design;
    design.source = source;
    design.sha256 = sha256Hex(json_text);
    const nlohmann::json j = nlohmann::json::parse(json_text);
    design.name = j.value("name", "");
    design.seed = j.value("seed", uint64_t(1));
    const auto& head = j.at("head");
    design.head.mesh = source.parent_path() / head.at("mesh").get<std::string>();
    if (head.contains("mm_per_unit")) design.head.mm_per_unit = head["mm_per_unit"].get<double>();
    return design;
}

Design loadDesign(const std::filesystem::path& file) { return parseDesign(readFile(file), file); }

} // namespace stipple
