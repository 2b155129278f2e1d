#pragma once

// A design as a live Scene for hosts that draw in their own OSG viewer (the osgDB plugin, the
// consultation viewer): the session's head and baked layers, lit and configured exactly as the
// design's /render section says (through renderJobFromDesign, the one conversion), plus the few
// overrides such hosts offer. The CLI and the C ABI render through runRenderJob/Renderer instead;
// both build the same Scene, so a host's picture of a view is the CLI's picture of that view.

#include <optional>
#include <string>

#include <osg/ref_ptr>

#include "stipple/core/session.h"
#include "stipple/render/scene.h"

namespace stipple::render {

// What a host may ask beyond the design file. Names in messages are these member names.
struct SceneOverrides {
    bool before = false;                 // "before": show the untreated state
    std::optional<std::string> lighting; // "lighting": a preset of lightingNames() or "custom"
    std::optional<double> age_days;      // "age_days": the pigment's age, 0..3650 days
    int layer_size = 0;                  // "layer_size": chart resolution; 0 = the design's
};

// The largest pigment age a design accepts (/pigment/age_days), in days.
inline constexpr double kMaxAgeDays = 3650;

// Applies `overrides` to `session` (age_days through Session::apply, so only the colour or the
// layers rerun; layer_size through Session::setLayerSize), loads the design's head when the
// session has none, bakes the layers and builds a Scene of them with the design's render
// settings (skin, shadow map, anisotropy, lighting; texels kept so any context can draw it) and
// followCamera on (a host's camera moves). Throws stipple::Error naming the override ("age_days",
// "layer_size", "lighting") or the design field (a JSON pointer) and what is accepted; the
// session is unchanged when an override is rejected.
osg::ref_ptr<Scene> buildDesignScene(Session& session, const SceneOverrides& overrides = {});

} // namespace stipple::render
