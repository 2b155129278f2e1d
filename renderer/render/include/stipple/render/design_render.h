#pragma once

// A design's render section as render settings: the one place that turns /render/* plus a
// host's overrides (the CLI's flags, the C ABI's arguments) into a RenderJob, resolves the
// lighting presets and custom lights, and states the provenance of the images.
//
// Names: errors name the design field by JSON pointer (/render/lights) when the value came
// from the design, and the neutral option name (the RenderOverrides member: "size",
// "lighting", "turntable_frames" ...) when it came from an override; hosts map option names to
// their own words (the CLI to its flags).
//
// Precedence, field by field: an override when given, else the design's value.
//   size, msaa, background, lighting, fps, elevation_deg, watermark  plain overrides
//   supersample       stills only; the design's value is lowered (with a warning) to the
//                     largest that keeps the framebuffer within kMaxFramebufferSide
//   views             stills; without an override: the design's views unless a turntable is
//                     asked for (then none)
//   turntable         asked for by `turntable` or `turntable_frames`; its frame count is
//                     turntable_frames when given, else /render/turntable_frames
//   top_view          the top pass of a turntable: the override when given, else
//                     /render/top_view (without a turntable the design's value is moot and an
//                     explicit true is an error)

#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/head_model.h"
#include "stipple/render/lighting.h"
#include "stipple/render/render_job.h"

namespace stipple::render {

struct RenderOverrides {
    std::optional<int> width, height;              // "size"
    std::optional<int> msaa;                       // "msaa"
    std::optional<bool> transparent;               // "background": true = transparent
    std::optional<glm::dvec3> background_srgb;     // "background": opaque colour, 0..1 sRGB
    std::optional<std::string> lighting;           // "lighting": preset name or "custom"
    std::optional<int> supersample;                // "supersample", stills, 1..4
    std::optional<std::vector<std::string>> views; // "views"
    bool turntable = false;                        // "turntable": render one
    std::optional<int> turntable_frames;           // "turntable_frames", 1..720 (implies one)
    std::optional<double> elevation_deg;           // "elevation", -30..60
    std::optional<bool> top_view;                  // "top_view"
    std::optional<double> fps;                     // "fps", 1..60
    std::optional<std::string> watermark;          // "watermark"; "" for none
    // Outputs that no design field sets.
    bool before_after = false;
    bool mp4 = false;
    bool gif = false;
    bool contact_sheet = false;
};

// The design's light rig, or the preset/custom rig named by `lighting_override` (a preset of
// lightingNames() or "custom": the design's /render/lights and /render/ambient). Throws
// stipple::Error for an unknown name (naming "lighting" or /render/lighting, listing the
// accepted names) and for "custom" without lights (naming /render/lights).
Lighting lightingFromDesign(const RenderSpec& render,
                            const std::optional<std::string>& lighting_override = std::nullopt);

// The job for `design` with `overrides` applied (see the precedence above): settings,
// views, turntable, outputs, watermark, and warnings (RenderJob::warnings) for values it had to
// change. Leaves out_dir, overwrite, progress, cancel and date at their defaults for the host
// to set. Validated (validateRenderJob): throws stipple::Error naming the option or pointer.
RenderJob renderJobFromDesign(const Design& design, const RenderOverrides& overrides = {});

// What every image of `design` rendered on `head` records: the design's name (its file's stem
// when it has none), file and SHA-256, seed, and the mesh file and its SHA-256.
Provenance provenanceOf(const Design& design, const HeadModel& head);

} // namespace stipple::render
