#pragma once

// The design as design-file v1 JSON: every field written explicitly (defaults included), in the
// order docs/design-file.md lists them, so the same Design always gives the same bytes and
// parseDesign(designToJson(d)) == d field for field. Hosts that edit a design (Blender, the
// viewer) save through this; the Session diffs two designs through it (session.h).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"

namespace stipple {

// The design as JSON. Paths (head.mesh, density_mask.image) are written relative to
// `relative_to` when it is given (the folder the file will be saved in), else as stored.
// Zones are written for all seven zones in ZoneId order (/zones/<k> is zone k). Throws nothing.
nlohmann::ordered_json designToJson(const Design& design,
                                    const std::filesystem::path& relative_to = {});

// designToJson(...).dump(2) plus a final newline: the bytes of a saved design file.
std::string designToText(const Design& design, const std::filesystem::path& relative_to = {});

// "#rrggbb" of an sRGB colour in 0..1 (rounded to the nearest 8-bit value).
std::string hexColour(const glm::dvec3& srgb);

} // namespace stipple
