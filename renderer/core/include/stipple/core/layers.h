#pragma once

// Texture layers in the scalp chart (see DESIGN.md, "Texture layers and the scalp chart").
// CONTRACT between the layers work (which implements it) and the renderer (which draws it).
//
// Compositing, in linear light, per shaded point (renderer shader and the flat bake agree):
//   albedo  = mesh albedo (own texture, or LayerStack::skin_linear when the mesh has none)
//   albedo  = mix(albedo, scar.rgb, scar.a)            scar tissue (both before and after)
//   before: albedo = mix(albedo, before.rgb, before.a)  the untreated look (may be empty)
//   after:  albedo *= mix(vec3(1), pigment.rgb, pigment.a)
// pigment.rgb is the ink's linear filter colour as seen through the skin (1 = no ink), so the
// ink darkens whatever skin is underneath instead of pasting a grey disc on top.

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"

namespace stipple {

// One seam-free parameterisation of the hair-bearing region (plus a margin).
struct ScalpChart {
    std::vector<glm::vec2> uvs;     // one per vertex of HeadModel::mesh, chart space [0,1]^2
    std::vector<uint8_t> inside;    // one per triangle: 1 when it carries layers
    double area_distortion = 0;     // reported figures over the region (definitions in docs)
    double angle_distortion_deg = 0;
};

struct LayerStack {
    ScalpChart chart;
    int size = 0;                   // chart resolution (square, power of two)
    Image16 pigment;                // RGBA16, linear filter colour + coverage (see above)
    Image16 scar;                   // RGBA16, linear scar-tissue colour + coverage
    Image8 scar_roughness;          // 1 channel, 0..255 = roughness 0..1 where scar.a > 0
    Image16 before;                 // RGBA16, linear colour + coverage of the untreated look
    glm::vec3 skin_linear{0.6f, 0.45f, 0.38f}; // skin albedo for meshes without a texture
    float skin_roughness = 0.55f;
};

// Builds the chart and bakes every layer at `size`² (power of two, 1024..8192).
// Deterministic: identical inputs give byte-identical layers. Throws stipple::Error for a bad
// size (naming --size / /render/layer_size).
LayerStack bakeLayers(const HeadModel& head, const FollicleSet& dots, const Design& design,
                      int size);

} // namespace stipple
