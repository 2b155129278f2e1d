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
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
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
    // an ink filter colour with coverage 0, so bilinear/mip filtering does not
    // lighten dot edges (inkSplats says which colour). Dot::angle_rad is measured in the tangent plane from the direction
    // that maps to the chart's +u axis. Dots use diameter_mm as the equal-area diameter of
    // their ellipse (major = d / sqrt(aspect), minor = d * sqrt(aspect)).
    size_t dots_splatted = 0;
    size_t dots_skipped = 0;            // on a triangle outside the chart region or invalid
    double recommended_shade = 0;       // for the design's hair colour on this skin
    std::string skin_source;            // "fitzpatrick N" | "mesh albedo" | "default"
    double splat_seconds = 0;           // wall time of the pigment splat, its placement included
    std::vector<Problem> warnings;      // pointers name the design field (/scars/1, /pigment)
    // R8, same size as `pigment`: 1 + ZoneId of the dot with the most coverage at the texel
    // (the ink, or where no ink reaches, the ink's shadow), 0 = no dot. What re-colouring
    // (LayerColour) reads to pick a texel's exponents.
    Image8 zone_map;
    // What the pigment layer was splatted from (rebakePigment re-splats only the tiles the
    // changed splats reach, when the empty filter and the shadow grid factor stay the same).
    std::shared_ptr<const std::vector<InkSplat>> ink_splats;
    glm::vec3 empty_filter{1.0f};
    int shadow_factor = 0;
    size_t tiles_splatted = 0; // tiles of kSplatTile^2 texels the last (re-)splat computed
};

// What the baker reads of a design besides the dots (a narrow spec: the Session re-bakes only
// when one of these, the dots, the chart or the size changes).
struct LayerSpec {
    PigmentSpec pigment;         // /pigment: ink, skin, age (hair colour: recommended shade)
    std::vector<ScarSpec> scars; // /scars: the scar layer
    uint64_t seed = 1;           // /seed: FUE scar positions
    std::string file;            // the design file, named in warnings (may be empty)
};
// The design's pigment, scars, seed and source file.
LayerSpec layerSpec(const Design& design);

// The skin the layers are baked for: the mesh albedo under the region (skin_from_mesh, when
// the mesh has a decoded albedo and UVs), else the Fitzpatrick type, else III. `warning` is set
// when skin_from_mesh could not be honoured (pointer /pigment/skin_from_mesh).
struct LayerSkin {
    glm::dvec3 linear{0.6, 0.45, 0.38};
    std::string source; // "fitzpatrick N" | "mesh albedo" | "default (fitzpatrick 3)"
    std::optional<Problem> warning;
};
LayerSkin layerSkin(const HeadModel& head, const ScalpChart& chart, const PigmentSpec& pigment,
                    const std::string& file = {});

// Bakes every layer of `dots` under `chart` (computeScalpChart(head, region) for the design's
// hairline) at `size`^2 (power of two, kLayerSizeMin..kLayerSizeMax). Deterministic: identical
// inputs give byte-identical layers. Throws stipple::Error for a bad size (naming
// /render/layer_size; a host with its own size option validates it first). `chart` must belong
// to `head` (one UV per vertex, one flag per triangle: STIPPLE_ASSERT). Warnings (dots
// outside the chart's region, folded triangles, scars reaching beyond the region, a missing
// mesh albedo) are Problems naming the design field.
LayerStack bakeLayers(const HeadModel& head, const ScalpChart& chart, const FollicleSet& dots,
                      const LayerSpec& spec, int size);

// Re-bakes only what the dots feed (the pigment layer, the zone map, dots_splatted,
// dots_skipped, splat_seconds and the dots-outside warning) of `stack` for new `dots`, in place,
// reusing its pigment and zone map allocations and keeping its skin, scar, scar_roughness and
// before layers, recommended_shade and other warnings. `stack` must come from bakeLayers (or
// this function) with the same `head`, chart, `spec` and size: only the dots may differ
// (STIPPLE_ASSERT on the chart's and the layers' sizes; the spec is the caller's promise). The
// result is byte-identical to bakeLayers(head, stack.chart, dots, spec, stack.size); only the
// tiles that the dots that changed reach are splatted again (stack.tiles_splatted). A scar,
// skin, pigment, chart or size edit needs bakeLayers.
void rebakePigment(LayerStack& stack, const HeadModel& head, const FollicleSet& dots,
                   const LayerSpec& spec);

// Brings `stack` (from bakeLayers or these functions, same head, size and spec) to a new chart
// with the same UVs, byte for byte (STIPPLE_ASSERT), and new `dots`: what a hairline edit that
// keeps the chart's fit needs (computeScalpChart(head, region, projection)). Only the inside
// flags differ, so the pigment is re-splatted where the changed dots reach (as
// rebakePigment()), and the scar layer, which is placed on the region, is baked again. When the
// skin under the region changes (skin from the mesh albedo), everything is re-baked. The result
// is byte-identical to bakeLayers(head, chart, dots, spec, stack.size).
void rechartLayers(LayerStack& stack, const HeadModel& head, const ScalpChart& chart,
                   const FollicleSet& dots, const LayerSpec& spec);

// Convenience for callers that hold a whole design: builds the ScalpRegion of the design's
// hairline and seed, the chart (computeScalpChart(head, region)) and bakes as above. Throws
// stipple::Error as ScalpRegion's constructor and the bake do.
LayerStack bakeLayers(const HeadModel& head, const FollicleSet& dots, const Design& design,
                      int size);

// --- added by the layers work ---

// Throws stipple::Error unless `size` is a power of two in kLayerSizeMin..kLayerSizeMax; the
// message names `option` (e.g. "--size" or "/render/layer_size") and the accepted values.
inline constexpr int kLayerSizeMin = 1024;
inline constexpr int kLayerSizeMax = 8192;
void validateLayerSize(int size, const std::string& option);

// The ink splats of `dots` on `head` under `chart` for `pigment` (one per dot that lies on an
// inside triangle; `skipped` counts the others) and the filter colour empty texels hold: the
// ink at the recommended shade for the pigment's hair colour on this skin (the zones' default),
// which does not depend on the dots. What bakeLayers splats; exposed for benchmarks and tests. The filters are
// computed for `skin_linear` (bakeLayers passes the skin it chose; null: the pigment's
// Fitzpatrick type, or III). Each splat's zone is 1 + the dot's ZoneId.
std::vector<InkSplat> inkSplats(const HeadModel& head, const ScalpChart& chart,
                                const FollicleSet& dots, const PigmentSpec& pigment,
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

// --- Re-colouring baked layers (LayerColour, see above) ---

// From this age on (days) a dot's geometry no longer changes visibly with age: the fresh
// enlargement (+100% e^(-age/3.5)) is below 0.1% of the diameter and the redness
// (0.35 e^(-age/1.5)) far below 1/2000 coverage. The edge blur and the diffusion halo keep
// widening slowly over years: re-colouring between healed ages ignores that and its error is
// measured (pigment-model.md).
inline constexpr double kHealedAgeDays = 25.0;

// The shade each zone's dots are drawn with, as the re-colouring sees it: the zone's shade; for
// front_transition, whose dots run from 0.8x (at the hairline) to 1x the zone's shade, 0.9x.
using ZoneShades = std::array<double, size_t(ZoneId::Count)>;
ZoneShades zoneShades(const Design& design);

// True when going from the pigment `baked` to `now` changes only the colour of the pigment
// layer's texels, never their coverage or the other layers: ink type, hair colour (which only
// moves LayerStack::recommended_shade, a report figure), zone shades (not an argument: always
// colour-only), and age_days when both ages are >= kHealedAgeDays. Not colour-only: an age
// below kHealedAgeDays on either side (fresh dots are larger and redden), and any change of
// fitzpatrick or skin_from_mesh (the skin itself changes: LayerStack::skin_linear, the scar
// tint and the before layer, which LayerColour does not carry).
bool colourOnly(const PigmentSpec& baked, const PigmentSpec& now);

// The per-zone, per-channel exponents ln F_now / ln F_baked (F = inkAppearance(shade, age,
// ink, skin).filter) that turn the filters of a bake with `baked`, `baked_shades` on
// `baked_skin` into those of `now`, `now_shades` on `now_skin` (pass the same skin unless the
// skin changes). A channel whose baked filter is 1 (no ink) keeps exponent 1.
LayerColour layerColour(const PigmentSpec& baked, const ZoneShades& baked_shades,
                        const glm::dvec3& baked_skin, const PigmentSpec& now,
                        const ZoneShades& now_shades, const glm::dvec3& now_skin);

// Applies `colour` to `pigment` (RGBA16, as baked) in place: rgb' = pow(rgb, exponent[z]) for
// every texel with zone_map z > 0; texels of zone 0 and alpha are unchanged. `zone_map` must be
// R8 of the pigment's size (STIPPLE_ASSERT). The CPU path for hosts without shaders; threads
// over rows; identity colours return at once.
void applyLayerColour(Image16& pigment, const Image8& zone_map, const LayerColour& colour);

} // namespace stipple
