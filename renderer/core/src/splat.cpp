#include "stipple/core/splat.h"

// Elliptical footprints through the local Jacobian follow Heckbert 1989, "Fundamentals of
// Texture Mapping and Image Warping" (UC Berkeley, ch. 3: the affine approximation of a mapping
// and the ellipse it makes of a circle), as used in EWA splatting (Zwicker et al. 2001).
// The soft edge is a disc convolved with a Gaussian (light scattering in the dermis), in the
// usual edge approximation 0.5 erfc(d / (sqrt(2) sigma)).
// The ink's shadow (a smooth 1.2 mm bump) is accumulated in a reduced-resolution field and
// blended into the layer with one bilinear upsampling pass (docs/pigment-model.md, "The ink's
// shadow around each dot"; docs/benchmarks.md, "Texture layers").

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "stipple/core/error.h"
#include "stipple/core/parallel.h"

namespace stipple {

namespace {

// Coverage LUT spans +-4 sigma around the edge (beyond: < 3e-5, two 16-bit steps).
constexpr float kEdgeRange = 4.0f;
constexpr int kLutSize = 1024;

struct CoverageLut {
    std::array<float, kLutSize + 1> values{};
    CoverageLut() {
        for (int i = 0; i <= kLutSize; ++i) {
            const double x = -kEdgeRange + 2.0 * kEdgeRange * i / kLutSize;
            values[size_t(i)] = float(0.5 * std::erfc(x / std::sqrt(2.0)));
        }
    }
    // Coverage at `x` sigmas outside the edge.
    float operator()(float x) const {
        if (x <= -kEdgeRange) return 1.0f;
        if (x >= kEdgeRange) return 0.0f;
        const float t = (x + kEdgeRange) * (kLutSize / (2 * kEdgeRange));
        const int i = std::min(int(t), kLutSize - 1);
        const float f = t - float(i);
        return values[size_t(i)] + (values[size_t(i) + 1] - values[size_t(i)]) * f;
    }
};

const CoverageLut& coverageLut() {
    static const CoverageLut lut;
    return lut;
}

// The edge radius that keeps the blurred disc's integral at pi R^2: a disc of radius e blurred
// by sigma integrates to pi (e^2 + sigma^2) (exact for the erfc edge profile).
float edgeRadius(float radius, float sigma) {
    return std::sqrt(std::max(radius * radius - sigma * sigma, 0.25f * radius * radius));
}

// Where the diffusion halo of peak `strength` and `sigma` falls below kDiffusionCutoff.
float diffusionReach(float strength, float sigma) {
    return sigma * std::sqrt(2.0f * std::log(std::max(strength / kDiffusionCutoff, 1.0f)));
}

// A splat in texel space: w = m * (x + 0.5 - cx, y + 0.5 - cy).
struct TexelSplat {
    float cx = 0, cy = 0;
    float m00 = 0, m01 = 0, m10 = 0, m11 = 0;
    float edge = 0, inv_sigma = 0, reach2 = 0;
    float ink_reach2 = 0; // beyond this the core's coverage is 0 (only the halos)
    float diffusion_strength = 0, diffusion_k = 0, diffusion_reach2 = 0;
    float halo_strength = 0, halo_k = 0;
    float shadow_strength = 0, shadow_inv_r2 = 0; // shadow grid splats only
    std::array<float, 3> filter{}, halo_filter{}, shadow_filter{};
    uint8_t zone = 0;
    int x0 = 0, x1 = -1, y0 = 0, y1 = -1;
};

// Maps a uv-space footprint to texel space and its bounding box (clipped to the image).
template <typename Splat>
void placeInTexels(const Splat& s, int size, float reach, TexelSplat& t) {
    const float inv = 1.0f / float(size);
    // Texel offset (px, py) -> uv offset (px / size, -py / size): row 0 is v = 1.
    const glm::mat2 m = s.mm_from_uv * glm::mat2(glm::vec2(inv, 0), glm::vec2(0, -inv));
    t.cx = s.centre_uv.x * float(size);
    t.cy = (1.0f - s.centre_uv.y) * float(size);
    t.m00 = m[0][0];
    t.m01 = m[1][0];
    t.m10 = m[0][1];
    t.m11 = m[1][1];
    t.reach2 = reach * reach;
    const float det = m[0][0] * m[1][1] - m[1][0] * m[0][1];
    if (!(std::abs(det) > 0) || !std::isfinite(det)) return; // empty box
    const glm::mat2 minv = glm::inverse(m);
    const float hx = reach * std::sqrt(minv[0][0] * minv[0][0] + minv[1][0] * minv[1][0]);
    const float hy = reach * std::sqrt(minv[0][1] * minv[0][1] + minv[1][1] * minv[1][1]);
    if (!std::isfinite(hx) || !std::isfinite(hy) || hx > float(size) || hy > float(size)) return;
    t.x0 = std::max(0, int(std::floor(t.cx - hx - 0.5f)));
    t.x1 = std::min(size - 1, int(std::ceil(t.cx + hx - 0.5f)));
    t.y0 = std::max(0, int(std::floor(t.cy - hy - 0.5f)));
    t.y1 = std::min(size - 1, int(std::ceil(t.cy + hy - 0.5f)));
}

inline uint16_t toU16(float v) {
    return uint16_t(std::clamp(v, 0.0f, 1.0f) * 65535.0f + 0.5f);
}

// A rectangle of texels (or shadow-grid texels), inclusive bounds.
struct Rect {
    int x0 = 0, y0 = 0, x1 = -1, y1 = -1;
    bool empty() const { return x1 < x0 || y1 < y0; }
    bool overlaps(const Rect& o) const {
        return !empty() && !o.empty() && x0 <= o.x1 && o.x0 <= x1 && y0 <= o.y1 && o.y0 <= y1;
    }
};

Rect boxOf(const TexelSplat& s) {
    return {s.x0, s.y0, s.x1, s.y1};
}

// The texels of row offset `py` within the splat's reach: |w|^2 = qa px^2 + 2 qb px py +
// qc py^2 <= reach2 is one span per row, clipped to columns clip_x0..clip_x1. False when the
// row misses the ellipse.
bool rowSpan(const TexelSplat& s, float qa, float qb, float qc, float py, int clip_x0, int clip_x1,
             int& x0, int& x1) {
    const float disc = qb * qb * py * py - qa * (qc * py * py - s.reach2);
    if (disc < 0 || qa <= 0) return false;
    const float root = std::sqrt(disc);
    const float px_lo = (-qb * py - root) / qa, px_hi = (-qb * py + root) / qa;
    x0 = std::max({s.x0, clip_x0, int(std::floor(s.cx + px_lo - 0.5f))});
    x1 = std::min({s.x1, clip_x1, int(std::ceil(s.cx + px_hi - 0.5f))});
    return true;
}

// Per-tile zone bookkeeping: the strongest ink coverage so far (1/255 steps) per texel of the
// tile, and the zone map itself (null: no zone map wanted).
struct ZoneTile {
    Image8* map = nullptr;
    std::vector<uint8_t> best; // (y - tile.y0) * tile width + (x - tile.x0)
    Rect tile;
    uint8_t& bestAt(int x, int y) {
        return best[size_t(y - tile.y0) * size_t(tile.x1 - tile.x0 + 1) + size_t(x - tile.x0)];
    }
    void note(int x, int y, float coverage, uint8_t zone) {
        const uint8_t q = uint8_t(coverage * 255.0f + 0.5f);
        uint8_t& b = bestAt(x, y);
        if (q > b) {
            b = q;
            *map->at(x, y) = zone;
        }
    }
};

// Splats `s` into the texels of `tile` (the rest of the splat is left to other tiles).
void splatTexels(Image16& layer, const TexelSplat& s, const Rect& tile, ZoneTile& zones) {
    const CoverageLut& lut = coverageLut();
    const int y0 = std::max(s.y0, tile.y0), y1 = std::min(s.y1, tile.y1);
    constexpr float kInv = 1.0f / 65535.0f;
    const uint16_t filter16[3] = {toU16(s.filter[0]), toU16(s.filter[1]), toU16(s.filter[2])};
    // |w|^2 = A px^2 + 2 B px py + C py^2: per row, the texels within reach form one span.
    const float qa = s.m00 * s.m00 + s.m10 * s.m10;
    const float qb = s.m00 * s.m01 + s.m10 * s.m11;
    const float qc = s.m01 * s.m01 + s.m11 * s.m11;
    for (int y = y0; y <= y1; ++y) {
        const float py = float(y) + 0.5f - s.cy;
        int x0 = 0, x1 = -1;
        if (!rowSpan(s, qa, qb, qc, py, tile.x0, tile.x1, x0, x1)) continue;
        uint16_t* row = layer.at(0, y);
        for (int x = x0; x <= x1; ++x) {
            const float px = float(x) + 0.5f - s.cx;
            const float w0 = s.m00 * px + s.m01 * py;
            const float w1 = s.m10 * px + s.m11 * py;
            const float r2 = w0 * w0 + w1 * w1;
            if (r2 >= s.reach2) continue;
            // Texels in the halos only: no sqrt or profile lookup.
            const float core =
                r2 < s.ink_reach2 ? lut((std::sqrt(r2) - s.edge) * s.inv_sigma) : 0.0f;
            const float c = r2 < s.diffusion_reach2 ? core + (1.0f - core) * s.diffusion_strength *
                                                                 std::exp(r2 * s.diffusion_k)
                                                    : core;
            const float h = s.halo_strength > 0 ? s.halo_strength * std::exp(r2 * s.halo_k) : 0;
            if (c < 1e-5f && h < 1e-5f) continue;
            if (zones.map) zones.note(x, y, c, s.zone);
            uint16_t* texel = row + size_t(x) * 4;
            if (texel[3] == 0 && h == 0) {
                // Untouched texel, no redness: the dot's own filter with its coverage (the
                // general formula below reduces to this exactly).
                texel[0] = filter16[0];
                texel[1] = filter16[1];
                texel[2] = filter16[2];
                texel[3] = toU16(c);
                continue;
            }
            float a = float(texel[3]) * kInv;
            float t[3];
            for (int k = 0; k < 3; ++k) t[k] = 1.0f - a * (1.0f - float(texel[k]) * kInv);
            // Redness first (it is in the skin around the ink), then the ink.
            for (int k = 0; k < 3; ++k)
                t[k] *= (1.0f - h * (1.0f - s.halo_filter[size_t(k)])) *
                        (1.0f - c * (1.0f - s.filter[size_t(k)]));
            a = 1.0f - (1.0f - a) * (1.0f - h) * (1.0f - c);
            const float inv_a = a > 1e-6f ? 1.0f / a : 0.0f;
            for (int k = 0; k < 3; ++k)
                texel[k] = toU16(a > 1e-6f ? 1.0f - (1.0f - t[k]) * inv_a : s.filter[size_t(k)]);
            texel[3] = toU16(a);
        }
    }
}

// The shadows of one tile at reduced resolution: per grid texel of `rect` (a window of the
// `low`^2 shadow grid), the products over shadows of (1 - coverage) and of the per-channel
// transmittance (1 - coverage (1 - f)), and, when `with_zones`, the strongest shadow's
// coverage and zone (as floats). Every grid texel's value depends only on the shadows over it,
// taken in input order, so it is the same whichever tile computes it.
struct ShadowWindow {
    Rect rect;
    std::vector<float> field; // 4 per grid texel: S', E0', E1', E2' (products, start at 1)
    std::vector<float> zones; // 2 per grid texel: strength, zone
    void reset(const Rect& r, bool with_zones) {
        rect = r;
        const size_t n = size_t(r.x1 - r.x0 + 1) * size_t(r.y1 - r.y0 + 1);
        field.assign(n * 4, 1.0f);
        zones.assign(with_zones ? n * 2 : 0, 0.0f);
    }
    size_t index(int gx, int gy) const {
        return size_t(gy - rect.y0) * size_t(rect.x1 - rect.x0 + 1) + size_t(gx - rect.x0);
    }
};

void splatShadow(ShadowWindow& window, const TexelSplat& s) {
    const Rect& r = window.rect;
    const int y0 = std::max(s.y0, r.y0), y1 = std::min(s.y1, r.y1);
    const float qa = s.m00 * s.m00 + s.m10 * s.m10;
    const float qb = s.m00 * s.m01 + s.m10 * s.m11;
    const float qc = s.m01 * s.m01 + s.m11 * s.m11;
    const float absorb[3] = {1.0f - s.shadow_filter[0], 1.0f - s.shadow_filter[1],
                             1.0f - s.shadow_filter[2]};
    for (int y = y0; y <= y1; ++y) {
        const float py = float(y) + 0.5f - s.cy;
        int x0 = 0, x1 = -1;
        if (!rowSpan(s, qa, qb, qc, py, r.x0, r.x1, x0, x1)) continue;
        for (int x = x0; x <= x1; ++x) {
            const float px = float(x) + 0.5f - s.cx;
            const float w0 = s.m00 * px + s.m01 * py;
            const float w1 = s.m10 * px + s.m11 * py;
            const float q = 1.0f - (w0 * w0 + w1 * w1) * s.shadow_inv_r2;
            if (q <= 0) continue;
            const float sh = s.shadow_strength * q * q;
            const size_t i = window.index(x, y);
            if (!window.zones.empty()) {
                float* z = window.zones.data() + i * 2;
                if (sh > z[0]) {
                    z[0] = sh;
                    z[1] = float(s.zone);
                }
            }
            float* v = window.field.data() + i * 4;
            v[0] *= 1.0f - sh;
            v[1] *= 1.0f - sh * absorb[0];
            v[2] *= 1.0f - sh * absorb[1];
            v[3] *= 1.0f - sh * absorb[2];
        }
    }
}

// How the layer samples the shadow grid: `factor` layer texels per grid texel, bilinear.
struct ShadowGrid {
    int size = 0, factor = 1, low = 0;
    ShadowGrid(int size_, int factor_)
        : size(size_), factor(factor_), low((size_ + factor_ - 1) / factor_) {}
    // Lower grid texel of the bilinear pair for layer coordinate `x` (a row or column) and the
    // weight of the upper one; at the grid's ends both samples are the end texel.
    int lower(int x, float& w) const {
        const float f = (float(x) + 0.5f) / float(factor) - 0.5f;
        const int g = int(std::floor(f));
        w = g < 0 || g >= low - 1 ? 0.0f : f - float(g);
        return std::clamp(g, 0, low - 1);
    }
    int upper(int lower_texel) const { return std::min(lower_texel + 1, low - 1); }
    // The grid texel a layer texel lies in (its zone fallback).
    int cell(int x) const { return std::min(x / factor, low - 1); }
    // The grid texels the layer texels of `tile` read (bilinear pairs and cells).
    Rect window(const Rect& tile) const {
        float w = 0;
        return {std::min(lower(tile.x0, w), cell(tile.x0)),
                std::min(lower(tile.y0, w), cell(tile.y0)),
                std::max(upper(lower(tile.x1, w)), cell(tile.x1)),
                std::max(upper(lower(tile.y1, w)), cell(tile.y1))};
    }
    // The layer texels that read any grid texel of `cells` (conservative by one texel).
    Rect reach(const Rect& cells) const {
        return {std::max(0, (cells.x0 - 1) * factor - 1), std::max(0, (cells.y0 - 1) * factor - 1),
                std::min(size - 1, (cells.x1 + 2) * factor),
                std::min(size - 1, (cells.y1 + 2) * factor)};
    }
};

// Blends the tile's shadow window into the tile's texels, bilinearly upsampled. The shadow
// fills the part of a texel the ink leaves uncovered: coverage a + (1 - a) S, and the
// transmittance drops by (1 - a) E (S the shadow's coverage, E its per-channel absorbed
// share), which is the "shadow times (1 - dot coverage)" of docs/pigment-model.md exactly for
// a single dot. Where the shadow covers a texel more than its ink does, the texel's zone
// becomes the strongest shadow's of the grid texel it lies in.
void blendShadow(Image16& layer, const ShadowWindow& window, const ShadowGrid& grid,
                 const Rect& tile, ZoneTile& zones) {
    constexpr float kInv = 1.0f / 65535.0f;
    const Rect& r = window.rect;
    const int width = r.x1 - r.x0 + 1;
    std::vector<float> scratch(size_t(width) * 4);
    std::vector<int> x_lo(size_t(tile.x1 - tile.x0 + 1));
    std::vector<float> x_w(x_lo.size());
    for (int x = tile.x0; x <= tile.x1; ++x)
        x_lo[size_t(x - tile.x0)] = grid.lower(x, x_w[size_t(x - tile.x0)]) - r.x0;
    for (int y = tile.y0; y <= tile.y1; ++y) {
        // Vertical interpolation once per grid row, then horizontal per texel.
        float wy = 0;
        const int gy = grid.lower(y, wy);
        const float* r0 = window.field.data() + window.index(r.x0, gy) * 4;
        const float* r1 = window.field.data() + window.index(r.x0, grid.upper(gy)) * 4;
        bool any = false;
        for (size_t i = 0; i < size_t(width) * 4; ++i) {
            scratch[i] = 1.0f - (r0[i] + (r1[i] - r0[i]) * wy); // S, E0, E1, E2
            any = any || scratch[i] >= 1e-5f;
        }
        if (!any) continue;
        uint16_t* texel = layer.at(tile.x0, y);
        for (int x = tile.x0; x <= tile.x1; ++x, texel += 4) {
            const size_t lo = size_t(x_lo[size_t(x - tile.x0)]);
            const float* g0 = scratch.data() + lo * 4;
            const float* g1 = scratch.data() + size_t(grid.upper(int(lo) + r.x0) - r.x0) * 4;
            const float wx = x_w[size_t(x - tile.x0)];
            const float shadow = g0[0] + (g1[0] - g0[0]) * wx;
            if (shadow < 1e-5f) continue;
            if (zones.map) {
                const uint8_t ink = zones.bestAt(x, y);
                const float open = 1.0f - float(texel[3]) * kInv;
                if (float(ink) < 255.0f * shadow * open)
                    *zones.map->at(x, y) =
                        uint8_t(window.zones[window.index(grid.cell(x), grid.cell(y)) * 2 + 1]);
            }
            if (texel[3] == 0) {
                // No ink here (most shadowed texels): the shadow's own mix (the general
                // formula below with a_ink = 0).
                const float inv_shadow = 1.0f / shadow;
                for (int k = 0; k < 3; ++k) {
                    const float absorbed = g0[k + 1] + (g1[k + 1] - g0[k + 1]) * wx;
                    texel[k] = toU16(1.0f - absorbed * inv_shadow);
                }
                texel[3] = toU16(shadow);
                continue;
            }
            const float a_ink = float(texel[3]) * kInv;
            const float open = 1.0f - a_ink;
            const float a = a_ink + open * shadow;
            const float inv_a = 1.0f / a;
            for (int k = 0; k < 3; ++k) {
                const float absorbed = a_ink * (1.0f - float(texel[k]) * kInv) +
                                       open * (g0[k + 1] + (g1[k + 1] - g0[k + 1]) * wx);
                texel[k] = toU16(1.0f - absorbed * inv_a);
            }
            texel[3] = toU16(a);
        }
    }
}

// Layer texels per shadow-grid texel: the largest power of two (at most 8) that still samples
// every shadow with kShadowTexels grid texels per radius along its narrowest axis (the bump is
// smooth, so its bilinear reconstruction keeps its integral within a fraction of a percent:
// the coverage known answer moves by < 0.6%). 2.25 lets the chart's rim, where the projection
// squeezes a shadow to ~70% of its crown width, still use 1/4 at 4096^2 and 1/8 at 8192^2.
constexpr float kShadowTexels = 2.25f;

// The splats placed in layer texels (ink and halo) and in shadow-grid texels (shadows), in
// input order; shadow_of[i] is the index in `shadows` of splat i's shadow, or -1.
struct PlacedSplats {
    std::vector<TexelSplat> ink, shadows;
    std::vector<int> shadow_of;
};

PlacedSplats placeSplats(const std::vector<InkSplat>& splats, const ShadowGrid& grid) {
    PlacedSplats out;
    out.ink.resize(splats.size());
    out.shadow_of.assign(splats.size(), -1);
    for (size_t i = 0; i < splats.size(); ++i) {
        const InkSplat& s = splats[i];
        TexelSplat& t = out.ink[i];
        const float sigma = std::max(s.edge_sigma_mm, 1e-4f);
        t.edge = edgeRadius(s.radius_mm, sigma);
        t.inv_sigma = 1.0f / sigma;
        float reach = t.edge + kEdgeRange * sigma;
        t.ink_reach2 = reach * reach;
        if (s.diffusion_strength > kDiffusionCutoff && s.diffusion_sigma_mm > 0) {
            t.diffusion_strength = std::min(s.diffusion_strength, 1.0f);
            t.diffusion_k = -0.5f / (s.diffusion_sigma_mm * s.diffusion_sigma_mm);
            const float d = diffusionReach(t.diffusion_strength, s.diffusion_sigma_mm);
            t.diffusion_reach2 = d * d;
            reach = std::max(reach, d);
        }
        if (s.halo_strength > 1e-4f && s.halo_sigma_mm > 0) {
            t.halo_strength = s.halo_strength;
            t.halo_k = -0.5f / (s.halo_sigma_mm * s.halo_sigma_mm);
            // Out to where the redness is below one 16-bit step.
            reach = std::max(reach, s.halo_sigma_mm *
                                        std::sqrt(2.0f * std::log(s.halo_strength * 65535.0f)));
        }
        t.zone = s.zone;
        for (int k = 0; k < 3; ++k) {
            t.filter[size_t(k)] = std::clamp(s.filter[k], 0.0f, 1.0f);
            t.halo_filter[size_t(k)] = std::clamp(s.halo_filter[k], 0.0f, 1.0f);
            t.shadow_filter[size_t(k)] = std::clamp(s.shadow_filter[k], 0.0f, 1.0f);
        }
        placeInTexels(s, grid.size, reach, t);
        if (s.shadow_strength > 0 && s.shadow_radius_mm > 0) {
            TexelSplat sh = t;
            sh.shadow_strength = std::min(s.shadow_strength, 1.0f);
            sh.shadow_inv_r2 = 1.0f / (s.shadow_radius_mm * s.shadow_radius_mm);
            placeInTexels(s, grid.low, s.shadow_radius_mm, sh);
            out.shadow_of[i] = int(out.shadows.size());
            out.shadows.push_back(sh);
        }
    }
    return out;
}

// The layer texels splat i can change: its ink and halo box, and every texel that reads a
// grid texel of its shadow.
Rect changedTexels(const PlacedSplats& placed, size_t i, const ShadowGrid& grid) {
    Rect r = boxOf(placed.ink[i]);
    if (placed.shadow_of[i] >= 0) {
        const Rect cells = boxOf(placed.shadows[size_t(placed.shadow_of[i])]);
        if (!cells.empty()) {
            const Rect s = grid.reach(cells);
            r = r.empty() ? s
                          : Rect{std::min(r.x0, s.x0), std::min(r.y0, s.y0), std::max(r.x1, s.x1),
                                 std::max(r.y1, s.y1)};
        }
    }
    return r;
}

// The tiles of a layer: kSplatTile^2 texels each, row-major.
struct Tiles {
    int size = 0, per_side = 0;
    explicit Tiles(int size_) : size(size_), per_side((size_ + kSplatTile - 1) / kSplatTile) {}
    Rect tile(int index) const {
        const int tx = index % per_side, ty = index / per_side;
        return {tx * kSplatTile, ty * kSplatTile, std::min(size, (tx + 1) * kSplatTile) - 1,
                std::min(size, (ty + 1) * kSplatTile) - 1};
    }
    // Calls f(tile index) for every tile `r` (texels) overlaps.
    template <typename F> void forEach(const Rect& r, const F& f) const {
        if (r.empty()) return;
        for (int ty = std::max(0, r.y0 / kSplatTile);
             ty <= std::min(per_side - 1, r.y1 / kSplatTile); ++ty)
            for (int tx = std::max(0, r.x0 / kSplatTile);
                 tx <= std::min(per_side - 1, r.x1 / kSplatTile); ++tx)
                f(ty * per_side + tx);
    }
};

// Per marked tile (CSR), the splats that reach it, in input order: the ink boxes over the
// tile's texels and the shadow boxes over its grid window.
struct TileBins {
    std::vector<uint32_t> ink_offsets, ink, shadow_offsets, shadows;
};

TileBins binByTile(const PlacedSplats& placed, const ShadowGrid& grid, const Tiles& tiles,
                   const std::vector<int>& slot_of_tile, int slots) {
    TileBins bins;
    auto build = [&](const std::vector<TexelSplat>& splats, bool shadow,
                     std::vector<uint32_t>& offsets, std::vector<uint32_t>& members) {
        offsets.assign(size_t(slots) + 1, 0);
        auto each = [&](const TexelSplat& t, const auto& f) {
            const Rect box = boxOf(t);
            if (box.empty()) return;
            tiles.forEach(shadow ? grid.reach(box) : box, [&](int tile) {
                const int slot = slot_of_tile[size_t(tile)];
                if (slot < 0) return;
                if (shadow && !grid.window(tiles.tile(tile)).overlaps(box)) return;
                f(slot);
            });
        };
        for (const TexelSplat& t : splats)
            each(t, [&](int slot) { ++offsets[size_t(slot) + 1]; });
        for (int s = 0; s < slots; ++s)
            offsets[size_t(s) + 1] += offsets[size_t(s)];
        members.resize(offsets.back());
        std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
        for (size_t i = 0; i < splats.size(); ++i)
            each(splats[i], [&](int slot) { members[fill[size_t(slot)]++] = uint32_t(i); });
    };
    build(placed.ink, false, bins.ink_offsets, bins.ink);
    build(placed.shadows, true, bins.shadow_offsets, bins.shadows);
    return bins;
}

// Everything a tile's texels hold: filled empty, its splats in input order, its shadows.
void splatTile(Image16& layer, Image8* zone_map, const PlacedSplats& placed, const TileBins& bins,
               int slot, const Rect& tile, const ShadowGrid& grid, const uint16_t empty[4]) {
    for (int y = tile.y0; y <= tile.y1; ++y) {
        uint16_t* p = layer.at(tile.x0, y);
        for (int x = tile.x0; x <= tile.x1; ++x, p += 4)
            std::copy(empty, empty + 4, p);
    }
    ZoneTile zones;
    if (zone_map) {
        zones.map = zone_map;
        zones.tile = tile;
        zones.best.assign(size_t(tile.x1 - tile.x0 + 1) * size_t(tile.y1 - tile.y0 + 1), 0);
        for (int y = tile.y0; y <= tile.y1; ++y)
            std::fill(zone_map->at(tile.x0, y), zone_map->at(tile.x1, y) + 1, uint8_t(0));
    }
    for (uint32_t k = bins.ink_offsets[size_t(slot)]; k < bins.ink_offsets[size_t(slot) + 1]; ++k)
        splatTexels(layer, placed.ink[bins.ink[k]], tile, zones);
    const uint32_t s0 = bins.shadow_offsets[size_t(slot)],
                   s1 = bins.shadow_offsets[size_t(slot) + 1];
    if (s0 == s1) return;
    ShadowWindow window;
    window.reset(grid.window(tile), zone_map != nullptr);
    for (uint32_t k = s0; k < s1; ++k)
        splatShadow(window, placed.shadows[bins.shadows[k]]);
    blendShadow(layer, window, grid, tile, zones);
}

} // namespace

float dotCoverage(float r_mm, float radius_mm, float sigma_mm) {
    return coverageLut()((r_mm - edgeRadius(radius_mm, sigma_mm)) / sigma_mm);
}

float inkCoverage(float r_mm, const InkSplat& splat) {
    const float sigma = std::max(splat.edge_sigma_mm, 1e-4f);
    const float core = dotCoverage(r_mm, splat.radius_mm, sigma);
    const float strength = std::min(splat.diffusion_strength, 1.0f);
    if (!(strength > kDiffusionCutoff && splat.diffusion_sigma_mm > 0) ||
        r_mm >= diffusionReach(strength, splat.diffusion_sigma_mm))
        return core;
    const float k = -0.5f / (splat.diffusion_sigma_mm * splat.diffusion_sigma_mm);
    return core + (1.0f - core) * strength * std::exp(r_mm * r_mm * k);
}

int shadowGridFactor(const std::vector<InkSplat>& splats, int size) {
    float narrowest = std::numeric_limits<float>::infinity();
    for (const InkSplat& s : splats) {
        if (!(s.shadow_strength > 0 && s.shadow_radius_mm > 0)) continue;
        // Largest singular value of the texel -> mm map: mm per texel along the worst axis.
        const glm::mat2 m = s.mm_from_uv / float(size);
        const float fro =
            m[0][0] * m[0][0] + m[0][1] * m[0][1] + m[1][0] * m[1][0] + m[1][1] * m[1][1];
        const float det = m[0][0] * m[1][1] - m[1][0] * m[0][1];
        const float smax =
            std::sqrt(0.5f * (fro + std::sqrt(std::max(fro * fro - 4 * det * det, 0.0f))));
        if (smax > 0 && std::isfinite(smax))
            narrowest = std::min(narrowest, s.shadow_radius_mm / smax);
    }
    int factor = 1;
    while (factor < 8 && size / (factor * 2) >= 16 &&
           narrowest / float(factor * 2) >= kShadowTexels)
        factor *= 2;
    return factor;
}

int splatTileCount(int size) {
    const int per_side = (size + kSplatTile - 1) / kSplatTile;
    return per_side * per_side;
}

void markSplatTiles(const std::vector<InkSplat>& splats, int size, int factor,
                    std::vector<uint8_t>& tiles) {
    // Not input-reachable: bakeLayers sizes the tile flags with splatTileCount.
    STIPPLE_ASSERT(tiles.size() == size_t(splatTileCount(size)),
                   "markSplatTiles(): tiles must hold splatTileCount(size) flags");
    const ShadowGrid grid(size, factor);
    const Tiles layout(size);
    const PlacedSplats placed = placeSplats(splats, grid);
    for (size_t i = 0; i < splats.size(); ++i)
        layout.forEach(changedTexels(placed, i, grid), [&](int t) { tiles[size_t(t)] = 1; });
}

size_t splatInkTiles(Image16& layer, const std::vector<InkSplat>& splats,
                     const glm::vec3& empty_filter, int factor, const std::vector<uint8_t>& tiles,
                     int threads, Image8* zone_map) {
    // Not input-reachable: bakeLayers allocates square RGBA16 layers of a validated size.
    STIPPLE_ASSERT(layer.channels == 4 && layer.width == layer.height && layer.width > 0,
                   "splatInkTiles(): layer must be square RGBA16");
    STIPPLE_ASSERT(!zone_map || (zone_map->width == layer.width &&
                                 zone_map->height == layer.height && zone_map->channels == 1),
                   "splatInkTiles(): zone_map must be R8 of the layer's size");
    STIPPLE_ASSERT(factor >= 1 && (factor & (factor - 1)) == 0 &&
                       tiles.size() == size_t(splatTileCount(layer.width)),
                   "splatInkTiles(): factor must be a power of two and tiles hold "
                   "splatTileCount(size) flags");
    const ShadowGrid grid(layer.width, factor);
    const Tiles layout(layer.width);
    const PlacedSplats placed = placeSplats(splats, grid);
    size_t touched = 0;
    for (const TexelSplat& t : placed.ink)
        if (!boxOf(t).empty()) ++touched;

    std::vector<int> slot_of_tile(tiles.size(), -1), tile_of_slot;
    for (size_t t = 0; t < tiles.size(); ++t)
        if (tiles[t]) {
            slot_of_tile[t] = int(tile_of_slot.size());
            tile_of_slot.push_back(int(t));
        }
    const int slots = int(tile_of_slot.size());
    const TileBins bins = binByTile(placed, grid, layout, slot_of_tile, slots);
    const uint16_t empty[4] = {toU16(empty_filter.x), toU16(empty_filter.y), toU16(empty_filter.z),
                               0};
    parallelFor(slots, threads, [&](int slot) {
        splatTile(layer, zone_map, placed, bins, slot, layout.tile(tile_of_slot[size_t(slot)]),
                  grid, empty);
    });
    return touched;
}

size_t splatInk(Image16& layer, const std::vector<InkSplat>& splats, const glm::vec3& empty_filter,
                int threads, Image8* zone_map) {
    // Not input-reachable: bakeLayers allocates square RGBA16 layers of a validated size.
    STIPPLE_ASSERT(layer.channels == 4 && layer.width == layer.height && layer.width > 0,
                   "splatInk(): layer must be square RGBA16");
    const std::vector<uint8_t> all(size_t(splatTileCount(layer.width)), 1);
    return splatInkTiles(layer, splats, empty_filter, shadowGridFactor(splats, layer.width), all,
                         threads, zone_map);
}

void splatScar(std::vector<float>& coverage, int size, const std::vector<ScarSplat>& splats) {
    // Not input-reachable: bakeLayers sizes the scar coverage size x size.
    STIPPLE_ASSERT(coverage.size() == size_t(size) * size_t(size),
                   "splatScar(): coverage must hold size^2 values");
    const CoverageLut& lut = coverageLut();
    for (const ScarSplat& s : splats) {
        TexelSplat t;
        const float sigma = std::max(s.edge_sigma_mm, 1e-4f);
        // A chain of discs, not a dot: the edge stays at the half width (no area bookkeeping).
        const float edge = s.radius_mm;
        placeInTexels(s, size, edge + kEdgeRange * sigma, t);
        for (int y = t.y0; y <= t.y1; ++y) {
            const float py = float(y) + 0.5f - t.cy;
            for (int x = t.x0; x <= t.x1; ++x) {
                const float px = float(x) + 0.5f - t.cx;
                const float w0 = t.m00 * px + t.m01 * py;
                const float w1 = t.m10 * px + t.m11 * py;
                const float r2 = w0 * w0 + w1 * w1;
                if (r2 >= t.reach2) continue;
                const float c = s.coverage * lut((std::sqrt(r2) - edge) / sigma);
                float& dst = coverage[size_t(y) * size_t(size) + size_t(x)];
                dst = std::max(dst, c);
            }
        }
    }
}

} // namespace stipple
