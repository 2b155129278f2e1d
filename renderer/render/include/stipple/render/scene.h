#pragma once

// The head as an OpenSceneGraph scene: one head mesh with its texture layers, the head shader
// (layers composited as layers.h specifies, wrap diffuse + GGX specular + hemisphere ambient,
// PCF shadow of the key light, ACES filmic, sRGB out) and the key light's shadow pass as a
// pre-render child camera. Everything the head needs to draw itself is in this node, so it
// draws inside any OSG viewer and context (the osgDB plugin, a consultation viewer) as well as
// in an OffscreenTarget (the CLI, the C ABI).
//
// Coordinates: the head frame of HeadModel (millimetres, +Y up, +Z out of the face); the scene
// has no transform of its own, so a parent transform places the head in a host's world.
//
// Output: the fragment shader writes display-ready sRGB-encoded colour (tone mapped) with
// alpha 1, into whatever framebuffer the host renders to; do not enable GL_FRAMEBUFFER_SRGB.
// The shaders are GLSL 3.30 compatibility (OSG 3.6's GL2-style attributes gl_Vertex etc.).
//
// Threads: like any OSG node, modify it (set*, update*) between frames, or from an update
// callback; the uniforms it changes are DYNAMIC, so multi-threaded viewers stay safe.

#include <array>
#include <memory>
#include <vector>

#include <glm/glm.hpp>
#include <osg/Group>
#include <osg/ref_ptr>

#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/render/lighting.h"

namespace stipple::render {

// Options fixed when a Scene is built.
struct SceneOptions {
    glm::vec3 skin_linear{0.5f, 0.34f, 0.26f}; // albedo without layers and without a mesh map
    float skin_roughness = 0.55f;              // likewise (layers bring their own)
    int shadow_map_size = 1024;                // soft key-light shadows: ~0.5 mm texels on a head
    int anisotropy = 4;                        // pigment layer filtering taps along the footprint,
                                               // 1..4 (see sampleAniso in shaders.h)
    // Keep the texture images in memory after their upload, so the scene can be drawn in a
    // second or a new context (a host's viewer re-created, a target replaced): ~64 MB more at
    // 4096^2. false frees them after the first upload: only for a scene drawn in one context
    // for its whole life (Renderer).
    bool keep_texels = true;
};

// Texture units the scene uses (a host adding its own state must keep clear of them).
inline constexpr int kSceneFirstTextureUnit = 0;
inline constexpr int kSceneLastTextureUnit = 6;

class Scene : public osg::Group {
public:
    // Builds the scene. `layers` may be null (the head alone); when given, its chart must have
    // one UV per vertex of head.mesh and one flag per triangle (STIPPLE_ASSERT). Reads the
    // mesh's albedo texture file when it has one (stipple::Error naming the file on failure).
    // Throws stipple::Error for an empty mesh or options out of range (shadow_map_size
    // 64..8192, anisotropy 1..4). Nothing is uploaded to GL until the node is drawn.
    Scene(const HeadModel& head, const LayerStack* layers, const SceneOptions& options = {});

    // Layers shown ("after": the pigment) or the untreated "before" layer. A uniform.
    void setAfter(bool after);
    bool after() const;

    // A before | after split: fragments left of window x `window_x` (pixels of the target
    // being drawn, gl_FragCoord) show the "before" layer, the rest what setAfter chose. Same
    // pass, same shader and lights on both sides. Negative (the default): no split. A uniform.
    void setSplit(double window_x);

    // Interactive quality, for frames drawn while a host's camera moves: the same layers and
    // lights without the skin micro-detail, with a 4-tap shadow kernel (16 at full quality)
    // and one pigment tap instead of `anisotropy`. Both shader programs are built with the
    // scene, so switching compiles nothing after each was drawn once. Off by default (every
    // CLI and C ABI frame is full quality).
    void setInteractive(bool interactive);
    bool interactive() const;

    // The light rig (empty name: the studio preset). Uniforms; the shader is recompiled only
    // when the number of lights or the shadow-casting light changes. Throws stipple::Error for
    // more than kMaxLights lights (naming "lighting").
    void setLighting(const Lighting& lighting);
    const Lighting& lighting() const;

    // New texels, same geometry: the layer textures get the new images, the vertex arrays and
    // draw lists stay the same objects (their contents follow the chart's UVs and inside
    // flags in place). `layers.chart` must have one UV per vertex and one flag per triangle of
    // the head this scene was built from (STIPPLE_ASSERT). A scene built without layers
    // gets them here.
    void updateLayers(const LayerStack& layers);

    // Re-colouring of the baked pigment without a re-bake (layers.h, LayerColour): per texel
    // of zone z, rgb' = pow(rgb, exponent[z]), coverage unchanged. Uniforms. The zone of a
    // texel comes from the zone map (setZoneMap, or LayerStack::zone_map once the layers carry
    // one); without a zone map every texel keeps its colour (identity).
    void setLayerColour(const LayerColour& colour);
    const LayerColour& layerColour() const;

    // The zone of each pigment texel: one channel, the ZoneId's index per texel (values of
    // ZoneId::Count or more: no zone, never re-coloured), sampled nearest with the chart's
    // UVs (row 0 = the chart's v = 1 edge, as every layer). Empty: no zone map (identity).
    void setZoneMap(const Image8& zone_map);

    // The camera for the next frame, in the head frame: `eye_mm` is the camera's position
    // (specular highlights) and `rig_azimuth_deg` the azimuth the light rig turns with
    // (lighting.h: the rig follows the camera's azimuth, not its elevation). Also aims the
    // shadow camera. An OffscreenTarget calls this for every frame; a host with its own
    // viewer calls it when its camera moves, or sets followCamera(true).
    void setView(const glm::dvec3& eye_mm, double rig_azimuth_deg);

    // When true, every cull traversal takes the eye from the culling camera (the inverse of
    // its model-view matrix) and the rig azimuth from the eye's direction about the head's
    // centre, as setView() would (for hosts whose viewer moves the camera: a trackball).
    // Off by default (OffscreenTarget sets the view exactly from the pose).
    void setFollowCamera(bool follow);

    // The geometry (for tests and hosts that add their own passes): the one Geometry per
    // draw list shares one vertex, normal and UV array.
    const osg::Geometry* geometry(size_t index) const;
    size_t geometryCount() const;

    // Head-frame facts the framing and the culling use: centre of the mesh's bounding box and
    // the largest vertex distance from it (mm).
    glm::dvec3 meshCentre() const;
    double meshRadius() const;

protected:
    ~Scene() override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace stipple::render
