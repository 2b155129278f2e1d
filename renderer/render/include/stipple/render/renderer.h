#pragma once

// The head renderer: a Scene (scene.h: one head with its texture layers, lit by a light rig)
// drawn by an OffscreenTarget (offscreen_target.h: EGL context, MSAA FBO, read-back), plus the
// framing of named views. What the CLI's render job uses; hosts with their own OSG viewer use
// Scene directly.
//
// Pipeline (linear light until the last step): mesh albedo (sRGB texture decoded by GL, or
// the layer stack's skin colour) -> layers composited exactly as layers.h specifies ->
// wrap diffuse (subsurface-like soft terminator, redder in the wrapped band) + GGX specular
// (a slightly glossier scalp) + hemisphere ambient -> PCF-filtered shadow map of the key
// light -> exposure -> ACES filmic curve (Narkowicz 2015 fit) -> sRGB encoding.

#include <memory>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/render/camera.h"
#include "stipple/render/lighting.h"
#include "stipple/render/offscreen_target.h"
#include "stipple/render/scene.h"

namespace stipple::render {

struct RenderSettings {
    int width = 1920;         // output pixels, 16..3840
    int height = 1080;        // 16..2160
    int msaa = 4;             // samples: 0, 2 or 4 (8 is not reliable on llvmpipe)
    int supersample = 1;      // 1..4: render k times larger and box-filter down
    bool transparent = false; // alpha background; else background_srgb
    glm::dvec3 background_srgb{0.93, 0.93, 0.94};
    Lighting lighting;                         // empty name: the studio preset
    glm::vec3 skin_linear{0.5f, 0.34f, 0.26f}; // used without layers and without albedo
    float skin_roughness = 0.55f;              // likewise
    int shadow_map_size = 1024;                // soft key-light shadows: ~0.5 mm texels on a head
    int anisotropy = 4;                        // pigment layer anisotropic filtering taps, 1..4
};

// The target part of the settings (size, msaa, supersample, background).
TargetSettings targetSettings(const RenderSettings& settings);
// The scene part (skin without layers, shadow map, anisotropy; texels freed after upload, as
// the Renderer draws its scene in one context only).
SceneOptions sceneOptions(const RenderSettings& settings);

// The framing of named views for a head (and its layers): what Renderer::fitView uses, for
// hosts that draw a Scene in their own viewer (the consultation viewer's view buttons), so
// their views are framed as the CLI's stills are. Close-ups frame the triangles that carry
// layers (the whole head without layers).
class ViewFramer {
public:
    // `layers` may be null; when given, its chart has one flag per triangle of head.mesh
    // (STIPPLE_ASSERT).
    ViewFramer(const HeadModel& head, const LayerStack* layers);
    // As Renderer::fitView for a `width` x `height` picture (both > 0).
    Framing fit(const std::string& view, const CameraPose& pose, int width, int height) const;
    // As Renderer::fit.
    Framing fit(const std::vector<CameraPose>& poses, int width, int height) const;

private:
    std::vector<glm::dvec3> m_framing_points;
    Landmarks m_landmarks;
    std::vector<glm::dvec3> m_scalp_points; // close-up targets: the treated region, if any
};

class Renderer {
public:
    // Creates the offscreen context and uploads the scene. `layers` may be null (the head
    // alone); when given, its chart must have one UV per vertex of head.mesh and one flag per
    // triangle. Throws stipple::RuntimeFailure when no EGL/OpenGL driver is available, and
    // stipple::Error for settings out of range (size, msaa, supersample).
    Renderer(const HeadModel& head, const LayerStack* layers, const RenderSettings& settings);
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    // Layers shown (after: pigment) or the untreated "before" state. Cheap: a uniform.
    void setAfter(bool after);
    // Changes the output size / supersampling (re-creates the framebuffers, keeps the scene).
    void setSize(int width, int height, int supersample);
    int width() const;
    int height() const;

    // One framing for all poses (fitted to the head's cranium and face at this output size).
    Framing fit(const std::vector<CameraPose>& poses) const;

    // The framing of a named still view at `pose` (viewPose): close-up views are framed on
    // their scalp region from the head's landmarks (closeupFraming over the vertices of the
    // triangles that carry layers, or the whole head without layers), the others on the whole
    // head (fit({pose})).
    Framing fitView(const std::string& view, const CameraPose& pose) const;

    // Renders one frame: RGBA, 8 bits, row 0 at the top, straight (not premultiplied) alpha;
    // alpha is 255 everywhere unless the background is transparent.
    Image8 render(const Framing& framing, const CameraPose& pose);

    // "llvmpipe (LLVM 15.0.6, 256 bits) | 4.5 (Compatibility Profile) Mesa 22.3.6".
    std::string glDescription() const;

    // The parts, for live edits (Scene::setLighting, updateLayers, setLayerColour) between
    // frames. They live as long as the renderer.
    Scene& scene();
    OffscreenTarget& target();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace stipple::render
