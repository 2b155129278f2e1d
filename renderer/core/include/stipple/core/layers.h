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

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/splat.h"

namespace stipple {

// One seam-free parameterisation of the hair-bearing region (plus a margin).
// Image row 0 of every layer is the chart's v = 1 edge (as in the PNG files): texel (x, y)
// covers u in [x, x+1)/size and v in (size-y-1, size-y]/size. A GL upload that puts row 0 at
// v = 0 must flip. The chart is the Lambert azimuthal equal-area projection of directions from
// `centre_mm` about the head's +Y axis (docs/pigment-model.md, "Scalp chart"), front (+Z) up
// and the subject's left (+X) on the image's left, as seen from above.
struct ScalpChart {
    std::vector<glm::vec2> uvs;     // one per vertex of HeadModel::mesh, chart space [0,1]^2
    std::vector<uint8_t> inside;    // one per triangle: 1 when it carries layers
    double area_distortion = 0;     // reported figures over the region (definitions in docs)
    double angle_distortion_deg = 0;
    // --- added by the layers work (definitions in docs/pigment-model.md) ---
    // area_distortion: area-weighted mean over inside triangles of max(s/S, S/s), s the
    // triangle's chart-area / surface-area ratio and S the region's; 1 = equal-area.
    // angle_distortion_deg: area-weighted mean of Tissot's maximum angular distortion
    // 2 asin((a-b)/(a+b)), a >= b the singular values of the triangle's map to the chart.
    double area_distortion_max = 0;      // worst inside triangle, same measure
    double angle_distortion_max_deg = 0; // worst inside triangle
    size_t flipped_triangles = 0;        // inside triangles folded over in the chart (want 0)
    double region_area_mm2 = 0;          // surface area of the inside triangles
    double chart_area_fraction = 0;      // share of [0,1]^2 the region covers
    double mm_per_uv = 0;                // sqrt(region area / chart area): texel = this/size
    glm::dvec3 centre_mm{0};             // projection centre (head frame)
    double uv_scale = 0;                 // uv = uv_offset + uv_scale * (-X, Z), (X, Z) = LAEA
    glm::dvec2 uv_offset{0.5};
};

// A chart position that no layer ever paints (a corner: the region is a disc inside the
// square). Vertices of outside triangles can be parked there by a renderer or an exporter that
// cannot skip them, so nothing bleeds onto ears and face (see splitForChart in scalp_chart.h).
inline constexpr float kChartOutsideU = 0.0005f;
inline constexpr float kChartOutsideV = 0.0005f;

// Re-colouring of baked pigment layers without a re-bake (CONTRACT for the layers work, the
// Session and the renderer's shader): for a pigment texel of zone z (LayerStack::zone_map),
//   rgb' = pow(rgb, exponent[z])   channel-wise; coverage (alpha) unchanged
// i.e. the optical density of the ink scaled per channel. Exact when every dot over the texel
// has the same old->new ratio of log filters (one zone); how close it comes to a full re-bake is
// measured in the tests and stated in docs/pigment-model.md.
struct LayerColour {
    std::array<glm::vec3, size_t(ZoneId::Count)> exponent{
        glm::vec3(1), glm::vec3(1), glm::vec3(1), glm::vec3(1),
        glm::vec3(1), glm::vec3(1), glm::vec3(1)};
    bool identity() const;
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
    // --- added by the layers work ---
    // scar, scar_roughness and before are smooth and may be smaller than `size` (at most
    // 2048^2): sample them with the same normalised chart UVs. Texels without pigment hold
    // the design's mean ink filter colour with coverage 0, so bilinear/mip filtering does not
    // lighten dot edges. Dot::angle_rad is measured in the tangent plane from the direction
    // that maps to the chart's +u axis. Dots use diameter_mm as the equal-area diameter of
    // their ellipse (major = d / sqrt(aspect), minor = d * sqrt(aspect)).
    size_t dots_splatted = 0;
    size_t dots_skipped = 0;            // on a triangle outside the chart region or invalid
    double recommended_shade = 0;       // for the design's hair colour on this skin
    std::string skin_source;            // "fitzpatrick N" | "mesh albedo" | "default"
    double splat_seconds = 0;           // wall time of the pigment splat (benchmarks)
    std::vector<std::string> warnings;
};

// Builds the chart and bakes every layer at `size`² (power of two, 1024..8192).
// Deterministic: identical inputs give byte-identical layers. Throws stipple::Error for a bad
// size (naming --size / /render/layer_size).
LayerStack bakeLayers(const HeadModel& head, const FollicleSet& dots, const Design& design,
                      int size);

// --- added by the layers work ---

// Throws stipple::Error unless `size` is a power of two in kLayerSizeMin..kLayerSizeMax; the
// message names `option` (e.g. "--size" or "/render/layer_size") and the accepted values.
inline constexpr int kLayerSizeMin = 1024;
inline constexpr int kLayerSizeMax = 8192;
void validateLayerSize(int size, const std::string& option);

// The ink splats of `dots` on `head` under `chart` for `design`'s pigment (one per dot that lies
// on an inside triangle; `skipped` counts the others) and the dots' mean filter colour, which
// empty texels hold. What bakeLayers splats; exposed for benchmarks and tests. The filters are
// computed for `skin_linear` (bakeLayers passes the skin it chose; null: the design's
// Fitzpatrick type, or III).
std::vector<InkSplat> inkSplats(const HeadModel& head, const ScalpChart& chart,
                                const FollicleSet& dots, const Design& design,
                                glm::vec3& empty_filter, size_t& skipped,
                                const glm::dvec3* skin_linear = nullptr);

// Size of the smooth layers (scar, scar_roughness, before) for a chart of `size`.
int smoothLayerSize(int size);

// The composited albedo (linear light, per the compositing rule above, "after" state) of chart
// position `uv` over `base_linear`; outside the chart region callers use base_linear itself.
glm::vec3 compositeAfter(const LayerStack& layers, const glm::vec2& uv,
                         const glm::vec3& base_linear);

// One tile of a flattened albedo in the mesh's own UVs (UDIM numbering 1001 + u + 10 v).
struct AlbedoTile {
    int udim = 1001;
    Image8 image; // sRGB, RGB, row 0 = v top of the tile
};

// Rasterises every triangle of `head.mesh` in its own UV space (one tile per UDIM tile the UVs
// use) at `size`^2 and writes the composited "after" albedo: the mesh's own albedo texture (or
// skin_linear) with scars and pigment, sampled through the chart UVs on inside triangles.
// Empty texels next to islands are dilated by a few texels so mipmaps do not bleed the
// background in. Returns no tiles when the mesh has no UVs. Threads over rows.
std::vector<AlbedoTile> flattenAlbedo(const HeadModel& head, const LayerStack& layers, int size);

// The composited "after" albedo in chart space (sRGB, RGB) over skin_linear at `size`^2: what a
// viewer needs with the GLB's second UV set when the mesh has no own UVs.
Image8 chartAlbedo(const LayerStack& layers, int size);

} // namespace stipple
