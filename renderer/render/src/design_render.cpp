#include "stipple/render/design_render.h"

#include <algorithm>

#include "stipple/core/error.h"
#include "stipple/render/offscreen_target.h"

namespace stipple::render {

namespace {

// The name an error uses for a value: the override's option name when the host gave it, else
// the design's JSON pointer.
template <typename T>
std::string nameOf(const std::optional<T>& override_value, const char* option,
                   const char* pointer) {
    return override_value ? option : pointer;
}

std::string acceptedLightings() {
    std::string accepted;
    for (const std::string& n : lightingNames())
        accepted += (accepted.empty() ? "" : ", ") + n;
    return accepted + ", custom";
}

// Stills at the design's supersampling, or the host's override, lowered with a warning to
// the largest multiple the framebuffer can hold (docs/design-file.md, render.supersample).
int stillSupersample(const RenderSpec& spec, const RenderOverrides& o, int width, int height,
                     std::vector<Problem>& warnings) {
    if (o.supersample && (*o.supersample < 1 || *o.supersample > 4))
        throw Error("supersample " + std::to_string(*o.supersample) +
                        " out of range; accepted 1..4",
                    "", "supersample");
    const int wanted = o.supersample.value_or(spec.supersample);
    int k = wanted;
    while (k > 1 && (width * k > kMaxFramebufferSide || height * k > kMaxFramebufferSide))
        --k;
    if (k != wanted)
        warnings.push_back(Problem{"", o.supersample ? "supersample" : "/render/supersample",
                                   "supersample " + std::to_string(wanted) + " of " +
                                       std::to_string(width) + "x" + std::to_string(height) +
                                       " exceeds " + std::to_string(kMaxFramebufferSide) +
                                       " px on a side; stills use " + std::to_string(k) + "x",
                                   true});
    return k;
}

RenderSettings settingsFromDesign(const RenderSpec& spec, const RenderOverrides& o,
                                  std::vector<Problem>& warnings) {
    RenderSettings s;
    s.width = o.width.value_or(spec.width);
    s.height = o.height.value_or(spec.height);
    s.msaa = o.msaa.value_or(spec.msaa);
    if (s.msaa != 0 && s.msaa != 2 && s.msaa != 4)
        throw Error("msaa " + std::to_string(s.msaa) + " is not accepted; use 0, 2 or 4", "",
                    nameOf(o.msaa, "msaa", "/render/msaa"));
    s.transparent = spec.background == Background::Transparent;
    s.background_srgb = spec.background_srgb;
    if (o.background_srgb) {
        s.transparent = false;
        s.background_srgb = *o.background_srgb;
    }
    if (o.transparent) s.transparent = *o.transparent;
    s.lighting = lightingFromDesign(spec, o.lighting);
    s.supersample = stillSupersample(spec, o, s.width, s.height, warnings);
    return s;
}

} // namespace

Lighting lightingFromDesign(const RenderSpec& render,
                            const std::optional<std::string>& lighting_override) {
    const std::string name = lighting_override.value_or(render.lighting);
    if (name == "custom") {
        if (render.lights.empty())
            throw Error("custom lighting needs the design's render.lights (1..4 lights); this "
                        "design has none",
                        "", "/render/lights");
        return customLighting(render.lights, render.ambient);
    }
    if (std::optional<Lighting> rig = lightingPreset(name)) return *rig;
    throw Error("unknown lighting '" + name + "'; accepted: " + acceptedLightings(), "",
                nameOf(lighting_override, "lighting", "/render/lighting"));
}

RenderJob renderJobFromDesign(const Design& design, const RenderOverrides& o) {
    const RenderSpec& spec = design.render;
    RenderJob job;
    job.settings = settingsFromDesign(spec, o, job.warnings);
    const bool turntable = o.turntable || o.turntable_frames.has_value();
    job.turntable_frames = turntable ? o.turntable_frames.value_or(spec.turntable_frames) : 0;
    if (turntable && job.turntable_frames == 0)
        throw Error("turntable frames 0 out of range; accepted 1.." +
                        std::to_string(kMaxTurntableFrames),
                    "", "turntable_frames");
    job.views = o.views.value_or(std::vector<std::string>{});
    if (!o.views && !turntable) job.views = spec.views;
    job.elevation_deg = o.elevation_deg.value_or(spec.elevation_deg);
    // An explicit top pass without a turntable stays an error (validateRenderJob); the
    // design's default (true) only applies to turntables.
    job.top_view_pass = o.top_view ? *o.top_view : (turntable && spec.top_view);
    job.fps = o.fps.value_or(spec.fps);
    job.before_after = o.before_after;
    job.mp4 = o.mp4;
    job.gif = o.gif;
    job.contact_sheet = o.contact_sheet;
    job.watermark = o.watermark.value_or(spec.watermark);
    validateRenderJob(job);
    validateTargetSettings(targetSettings(job.settings));
    return job;
}

Provenance provenanceOf(const Design& design, const HeadModel& head) {
    Provenance p;
    p.design_name = design.name.empty() ? design.source.stem().string() : design.name;
    p.design_file = design.source;
    p.design_sha256 = design.sha256;
    p.seed = design.seed;
    p.mesh_file = design.head.mesh;
    p.mesh_sha256 = head.import.sha256;
    return p;
}

} // namespace stipple::render
