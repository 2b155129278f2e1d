#pragma once

// Splatting footprints into chart layers. A footprint is a disc (or ellipse) on the 3D surface,
// described in the surface's own millimetres and carried into the chart by the local linear
// map (Jacobian) of the chart, so it stays round and true to size in 3D wherever it lands.

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/image.h"

namespace stipple {

// One ink impression, ready to splat. `mm_from_uv` maps a chart-UV offset from `centre_uv` to
// the footprint's normalised surface coordinates w (mm): |w| = radius_mm on the nominal edge of
// the ellipse (for a round dot, w is just the surface offset in mm).
struct InkSplat {
    glm::vec2 centre_uv{0};
    glm::mat2 mm_from_uv{1.0f};
    float radius_mm = 0.2f;      // equal-area radius of the dense core
    float edge_sigma_mm = 0.03f; // Gaussian softness of the core's edge
    glm::vec3 filter{1.0f};      // linear filter colour at full coverage (see layers.h)
    // The soft diffusion halo around the core (InkAppearance::diffusion_strength): the same
    // filter, coverage diffusion_strength * exp(-r^2 / (2 diffusion_sigma_mm^2)), united with
    // the core's: core + (1 - core) * halo. 0 = none.
    float diffusion_strength = 0;
    float diffusion_sigma_mm = 0;
    float halo_strength = 0;     // peak coverage of the fresh redness, 0 = none
    float halo_sigma_mm = 0;
    glm::vec3 halo_filter{1.0f};
    // The ink's shadow around the dot (InkAppearance::shadow_strength): shadow_filter with
    // coverage shadow_strength * (1 - r^2/shadow_radius_mm^2)^2 * (1 - ink coverage).
    float shadow_strength = 0;
    float shadow_radius_mm = 0;
    glm::vec3 shadow_filter{1.0f};
    uint8_t zone = 0; // 1 + ZoneId of the dot (LayerStack::zone_map), 0 = none
};

// Coverage of a dot's core of equal-area radius `radius_mm` at distance `r_mm` from its centre:
// a disc blurred by a Gaussian of `sigma_mm`, with the edge moved in so the integral stays
// pi * radius^2 (the blur spreads ink, it does not add any). Needs sigma < 0.87 radius (a
// wider blur keeps the edge at radius / 2 and adds ink).
float dotCoverage(float r_mm, float radius_mm, float sigma_mm);

// Ink coverage of a whole dot (core and diffusion halo) at `r_mm` from its centre, as
// splatInk draws it: core + (1 - core) * strength * exp(-r^2 / (2 halo_sigma^2)), the halo cut
// off where it falls below kDiffusionCutoff. Without a halo (strength 0) this is dotCoverage.
inline constexpr float kDiffusionCutoff = 1e-4f;
float inkCoverage(float r_mm, const InkSplat& splat);

// Splats `splats` in order into `layer` (RGBA16, square, linear filter colour + coverage per
// layers.h), first filling it with (empty_filter, 0). Coverage accumulates as a union
// (1 - prod(1 - c)) and the filter as a product of transmittances, so overlapping dots darken
// but coverage never exceeds 1. Works tile by tile (kSplatTile below), one thread per tile at a
// time (`threads` <= 0: hardware concurrency); the result does not depend on the thread count.
// The shadows are accumulated the same way on a grid of up to 1/8 the resolution (at least
// 2.25 grid texels per shadow radius) and blended in with one bilinear pass over the part of
// each texel the ink leaves uncovered (docs/pigment-model.md, "The ink's shadow around each
// dot"). Returns the number of splats that touched at least one texel.
// `zone_map` (optional, R8, same size as `layer`) receives per texel the `zone` of the splat
// whose ink covers it most (coverage quantised to 1/255, the first splat in input order on a
// tie), or where the ink covers less than the shadows, the zone of the strongest shadow (taken
// on the shadow grid); 0 where nothing reaches. Also independent of the thread count.
size_t splatInk(Image16& layer, const std::vector<InkSplat>& splats, const glm::vec3& empty_filter,
                int threads = 0, Image8* zone_map = nullptr);

// Partial re-splats. splatInk computes the layer in square tiles of kSplatTile^2 texels
// (row-major, splatTileCount(size) of them); every texel's value depends only on the splats
// that reach it, taken in input order, and on the shadow grid factor, so re-splatting just the
// tiles an edit can change gives the same bytes as splatting everything again.
inline constexpr int kSplatTile = 128;
int splatTileCount(int size);

// The shadow grid's reduction: layer texels per grid texel (1, 2, 4 or 8) that splatInk uses
// for `splats` at `size`^2 (the narrowest shadow keeps >= 2.25 grid texels per radius).
int shadowGridFactor(const std::vector<InkSplat>& splats, int size);

// Sets tiles[t] = 1 for every tile whose texels any of `splats` can change (ink, halo, and
// shadow through the bilinear upsampling) in a layer of `size` with shadow grid `factor`.
// `tiles` must hold splatTileCount(size) flags; others are left as they are.
void markSplatTiles(const std::vector<InkSplat>& splats, int size, int factor,
                    std::vector<uint8_t>& tiles);

// splatInk restricted to the tiles flagged in `tiles`, with the shadow grid `factor` given:
// the flagged tiles get exactly the bytes splatInk(layer, splats, ...) would give them when
// shadowGridFactor(splats, size) == factor; other texels (and zone_map texels) are not touched.
// Returns the number of splats that touch at least one texel of the whole layer.
size_t splatInkTiles(Image16& layer, const std::vector<InkSplat>& splats,
                     const glm::vec3& empty_filter, int factor, const std::vector<uint8_t>& tiles,
                     int threads = 0, Image8* zone_map = nullptr);

// One patch of scar tissue: same geometry as an ink splat, `radius_mm` the half width.
struct ScarSplat {
    glm::vec2 centre_uv{0};
    glm::mat2 mm_from_uv{1.0f};
    float radius_mm = 0.5f;
    float edge_sigma_mm = 0.2f;
    float coverage = 1.0f; // peak coverage
};

// Splats scar patches into `coverage` (1 channel float, square) taking the maximum, so a strip
// drawn as a chain of overlapping discs has the profile of its distance to the centre line.
void splatScar(std::vector<float>& coverage, int size, const std::vector<ScarSplat>& splats);

} // namespace stipple
