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

// A splat in texel space: w = m * (x + 0.5 - cx, y + 0.5 - cy).
struct TexelSplat {
    float cx = 0, cy = 0;
    float m00 = 0, m01 = 0, m10 = 0, m11 = 0;
    float edge = 0, inv_sigma = 0, reach2 = 0;
    float ink_reach2 = 0; // beyond this the dot's own coverage is 0 (only the halo)
    float halo_strength = 0, halo_k = 0;
    float shadow_strength = 0, shadow_inv_r2 = 0; // shadow grid splats only
    std::array<float, 3> filter{}, halo_filter{};
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

// The texels of row offset `py` within the splat's reach: |w|^2 = qa px^2 + 2 qb px py +
// qc py^2 <= reach2 is one span per row. False when the row misses the ellipse.
bool rowSpan(const TexelSplat& s, float qa, float qb, float qc, float py, int& x0, int& x1) {
    const float disc = qb * qb * py * py - qa * (qc * py * py - s.reach2);
    if (disc < 0 || qa <= 0) return false;
    const float root = std::sqrt(disc);
    const float px_lo = (-qb * py - root) / qa, px_hi = (-qb * py + root) / qa;
    x0 = std::max(s.x0, int(std::floor(s.cx + px_lo - 0.5f)));
    x1 = std::min(s.x1, int(std::ceil(s.cx + px_hi - 0.5f)));
    return true;
}

// Per-band zone bookkeeping: the strongest ink coverage so far (1/255 steps) per texel of the
// band's rows, and the zone map itself (null: no zone map wanted).
struct ZoneRows {
    Image8* map = nullptr;
    std::vector<uint8_t> best; // (y - row_begin) * size + x
    int row_begin = 0;
    void note(int x, int y, float coverage, uint8_t zone) {
        const uint8_t q = uint8_t(coverage * 255.0f + 0.5f);
        uint8_t& b = best[size_t(y - row_begin) * size_t(map->width) + size_t(x)];
        if (q > b) {
            b = q;
            *map->at(x, y) = zone;
        }
    }
};

void splatRows(Image16& layer, const TexelSplat& s, int row_begin, int row_end, ZoneRows& zones) {
    const CoverageLut& lut = coverageLut();
    const int y0 = std::max(s.y0, row_begin), y1 = std::min(s.y1, row_end - 1);
    constexpr float kInv = 1.0f / 65535.0f;
    const uint16_t filter16[3] = {toU16(s.filter[0]), toU16(s.filter[1]), toU16(s.filter[2])};
    // |w|^2 = A px^2 + 2 B px py + C py^2: per row, the texels within reach form one span.
    const float qa = s.m00 * s.m00 + s.m10 * s.m10;
    const float qb = s.m00 * s.m01 + s.m10 * s.m11;
    const float qc = s.m01 * s.m01 + s.m11 * s.m11;
    for (int y = y0; y <= y1; ++y) {
        const float py = float(y) + 0.5f - s.cy;
        int x0 = 0, x1 = -1;
        if (!rowSpan(s, qa, qb, qc, py, x0, x1)) continue;
        uint16_t* row = layer.at(0, y);
        for (int x = x0; x <= x1; ++x) {
            const float px = float(x) + 0.5f - s.cx;
            const float w0 = s.m00 * px + s.m01 * py;
            const float w1 = s.m10 * px + s.m11 * py;
            const float r2 = w0 * w0 + w1 * w1;
            if (r2 >= s.reach2) continue;
            // Texels in the halo only: no sqrt or profile lookup.
            const float c = r2 < s.ink_reach2 ? lut((std::sqrt(r2) - s.edge) * s.inv_sigma) : 0.0f;
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

// The shadows at reduced resolution: `field` holds, per texel of a `low`^2 grid, the products
// over shadows of (1 - coverage) and of the per-channel transmittance (1 - coverage (1 - f)).
// Rows row_begin..row_end-1 of the grid; the splat is placed in the grid's own texels.
// `zone_field` (empty: no zone map) holds per grid texel the strongest shadow's coverage and
// its zone (strength, zone as a float).
void splatShadowRows(std::vector<float>& field, std::vector<float>& zone_field, int low,
                     const TexelSplat& s, int row_begin, int row_end) {
    const int y0 = std::max(s.y0, row_begin), y1 = std::min(s.y1, row_end - 1);
    const float qa = s.m00 * s.m00 + s.m10 * s.m10;
    const float qb = s.m00 * s.m01 + s.m10 * s.m11;
    const float qc = s.m01 * s.m01 + s.m11 * s.m11;
    const float absorb[3] = {1.0f - s.filter[0], 1.0f - s.filter[1], 1.0f - s.filter[2]};
    for (int y = y0; y <= y1; ++y) {
        const float py = float(y) + 0.5f - s.cy;
        int x0 = 0, x1 = -1;
        if (!rowSpan(s, qa, qb, qc, py, x0, x1)) continue;
        float* row = field.data() + size_t(y) * size_t(low) * 4;
        for (int x = x0; x <= x1; ++x) {
            const float px = float(x) + 0.5f - s.cx;
            const float w0 = s.m00 * px + s.m01 * py;
            const float w1 = s.m10 * px + s.m11 * py;
            const float q = 1.0f - (w0 * w0 + w1 * w1) * s.shadow_inv_r2;
            if (q <= 0) continue;
            const float sh = s.shadow_strength * q * q;
            if (!zone_field.empty()) {
                float* z = zone_field.data() + (size_t(y) * size_t(low) + size_t(x)) * 2;
                if (sh > z[0]) {
                    z[0] = sh;
                    z[1] = float(s.zone);
                }
            }
            float* v = row + size_t(x) * 4;
            v[0] *= 1.0f - sh;
            v[1] *= 1.0f - sh * absorb[0];
            v[2] *= 1.0f - sh * absorb[1];
            v[3] *= 1.0f - sh * absorb[2];
        }
    }
}

// Blends the shadow field (grid `low`^2, `factor` layer texels per grid texel) into rows
// row_begin..row_end-1 of `layer`, bilinearly upsampled. The shadow fills the part of a texel
// the ink leaves uncovered: coverage a + (1 - a) S, and the transmittance drops by (1 - a) E
// (S the shadow's coverage, E its per-channel absorbed share), which is the "shadow times
// (1 - dot coverage)" of docs/pigment-model.md exactly for a single dot.
// Where the shadow covers a texel more than its ink does, the texel's zone becomes the
// strongest shadow's of the grid texel it lies in.
void blendShadowRows(Image16& layer, const std::vector<float>& field, int low, int factor,
                     const std::vector<int>& x_lo, const std::vector<float>& x_w,
                     std::vector<float>& scratch, int row_begin, int row_end,
                     const std::vector<float>& zone_field, ZoneRows& zones) {
    constexpr float kInv = 1.0f / 65535.0f;
    const int size = layer.width;
    scratch.resize(size_t(low) * 4);
    for (int y = row_begin; y < row_end; ++y) {
        // Vertical interpolation once per grid row, then horizontal per texel.
        const float fy = (float(y) + 0.5f) / float(factor) - 0.5f;
        const int gy = int(std::floor(fy));
        const float wy = fy - float(gy);
        const float* r0 = field.data() + size_t(std::clamp(gy, 0, low - 1)) * size_t(low) * 4;
        const float* r1 = field.data() + size_t(std::clamp(gy + 1, 0, low - 1)) * size_t(low) * 4;
        bool any = false;
        for (size_t i = 0; i < size_t(low) * 4; ++i) {
            scratch[i] = 1.0f - (r0[i] + (r1[i] - r0[i]) * wy); // S, E0, E1, E2
            any = any || scratch[i] >= 1e-5f;
        }
        if (!any) continue;
        uint16_t* texel = layer.at(0, y);
        for (int x = 0; x < size; ++x, texel += 4) {
            const float* g0 = scratch.data() + size_t(x_lo[size_t(x)]) * 4;
            const float* g1 = g0 + (x_lo[size_t(x)] + 1 < low ? 4 : 0);
            const float wx = x_w[size_t(x)];
            const float shadow = g0[0] + (g1[0] - g0[0]) * wx;
            if (shadow < 1e-5f) continue;
            if (zones.map) {
                const uint8_t ink = zones.best[size_t(y - row_begin) * size_t(size) + size_t(x)];
                const float open = 1.0f - float(texel[3]) * kInv;
                if (float(ink) < 255.0f * shadow * open) {
                    const size_t g = size_t(std::min(y / factor, low - 1)) * size_t(low) +
                                     size_t(std::min(x / factor, low - 1));
                    *zones.map->at(x, y) = uint8_t(zone_field[g * 2 + 1]);
                }
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
int shadowFactor(const std::vector<InkSplat>& splats, int size) {
    float narrowest = std::numeric_limits<float>::infinity();
    for (const InkSplat& s : splats) {
        if (!(s.shadow_strength > 0 && s.shadow_radius_mm > 0)) continue;
        // Largest singular value of the texel -> mm map: mm per texel along the worst axis.
        const glm::mat2 m = s.mm_from_uv / float(size);
        const float fro = m[0][0] * m[0][0] + m[0][1] * m[0][1] + m[1][0] * m[1][0] +
                          m[1][1] * m[1][1];
        const float det = m[0][0] * m[1][1] - m[1][0] * m[0][1];
        const float smax = std::sqrt(0.5f * (fro + std::sqrt(std::max(fro * fro - 4 * det * det,
                                                                       0.0f))));
        if (smax > 0 && std::isfinite(smax))
            narrowest = std::min(narrowest, s.shadow_radius_mm / smax);
    }
    int factor = 1;
    while (factor < 8 && size / (factor * 2) >= 16 &&
           narrowest / float(factor * 2) >= kShadowTexels)
        factor *= 2;
    return factor;
}

// Bins splats into bands of `band_rows` rows (CSR), keeping the input order inside each band.
struct Bands {
    std::vector<uint32_t> offsets, members;
};
Bands binSplats(const std::vector<TexelSplat>& splats, int bands, int band_rows) {
    Bands out;
    out.offsets.assign(size_t(bands) + 1, 0);
    for (const TexelSplat& t : splats)
        if (t.x1 >= t.x0 && t.y1 >= t.y0)
            for (int b = t.y0 / band_rows; b <= t.y1 / band_rows; ++b) ++out.offsets[size_t(b) + 1];
    for (int b = 0; b < bands; ++b) out.offsets[size_t(b) + 1] += out.offsets[size_t(b)];
    out.members.resize(out.offsets.back());
    std::vector<uint32_t> fill = out.offsets;
    for (size_t i = 0; i < splats.size(); ++i) {
        const TexelSplat& t = splats[i];
        if (t.x1 < t.x0 || t.y1 < t.y0) continue;
        for (int b = t.y0 / band_rows; b <= t.y1 / band_rows; ++b)
            out.members[fill[size_t(b)]++] = uint32_t(i);
    }
    return out;
}

} // namespace

float dotCoverage(float r_mm, float radius_mm, float sigma_mm) {
    return coverageLut()((r_mm - edgeRadius(radius_mm, sigma_mm)) / sigma_mm);
}

size_t splatInk(Image16& layer, const std::vector<InkSplat>& splats, const glm::vec3& empty_filter,
                int threads, Image8* zone_map) {
    STIPPLE_ASSERT(layer.channels == 4 && layer.width == layer.height && layer.width > 0,
                   "splatInk(): layer must be square RGBA16");
    STIPPLE_ASSERT(!zone_map || (zone_map->width == layer.width &&
                                 zone_map->height == layer.height && zone_map->channels == 1),
                   "splatInk(): zone_map must be R8 of the layer's size");
    const int size = layer.width;
    const int factor = shadowFactor(splats, size);
    const int low = (size + factor - 1) / factor;
    std::vector<TexelSplat> texel_splats(splats.size()), shadow_splats;
    std::vector<uint8_t> shadowed(splats.size(), 0);
    size_t shadow_count = 0;
    for (size_t i = 0; i < splats.size(); ++i) {
        const InkSplat& s = splats[i];
        TexelSplat& t = texel_splats[i];
        const float sigma = std::max(s.edge_sigma_mm, 1e-4f);
        t.edge = edgeRadius(s.radius_mm, sigma);
        t.inv_sigma = 1.0f / sigma;
        float reach = t.edge + kEdgeRange * sigma;
        t.ink_reach2 = reach * reach;
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
        }
        placeInTexels(s, size, reach, t);
        if (s.shadow_strength > 0 && s.shadow_radius_mm > 0) {
            shadowed[i] = 1;
            ++shadow_count;
        }
    }
    shadow_splats.reserve(shadow_count);
    for (size_t i = 0; i < splats.size(); ++i) {
        if (!shadowed[i]) continue;
        TexelSplat t = texel_splats[i];
        t.shadow_strength = std::min(splats[i].shadow_strength, 1.0f);
        t.shadow_inv_r2 = 1.0f / (splats[i].shadow_radius_mm * splats[i].shadow_radius_mm);
        placeInTexels(splats[i], low, splats[i].shadow_radius_mm, t);
        shadow_splats.push_back(t);
    }
    size_t touched = 0;
    for (const TexelSplat& t : texel_splats)
        if (t.x1 >= t.x0 && t.y1 >= t.y0) ++touched;

    // The shadows first, at reduced resolution (bands of 16 grid rows, in input order).
    const int band_rows = 16;
    std::vector<float> field, zone_field;
    if (!shadow_splats.empty()) {
        field.assign(size_t(low) * size_t(low) * 4, 1.0f);
        if (zone_map) zone_field.assign(size_t(low) * size_t(low) * 2, 0.0f);
        const int low_bands = (low + band_rows - 1) / band_rows;
        const Bands bins = binSplats(shadow_splats, low_bands, band_rows);
        parallelFor(low_bands, threads, [&](int band) {
            const int row_begin = band * band_rows;
            const int row_end = std::min(low, row_begin + band_rows);
            for (uint32_t k = bins.offsets[size_t(band)]; k < bins.offsets[size_t(band) + 1]; ++k)
                splatShadowRows(field, zone_field, low, shadow_splats[bins.members[k]], row_begin,
                                row_end);
        });
    }
    // Horizontal bilinear weights of the upsampling, the same for every row.
    std::vector<int> x_lo(static_cast<size_t>(size));
    std::vector<float> x_w(static_cast<size_t>(size));
    for (int x = 0; x < size; ++x) {
        const float fx = (float(x) + 0.5f) / float(factor) - 0.5f;
        const int gx = int(std::floor(fx));
        x_lo[size_t(x)] = std::clamp(gx, 0, low - 1);
        x_w[size_t(x)] = gx < 0 || gx >= low - 1 ? 0.0f : fx - float(gx);
    }

    // Bands of 16 rows (512 KB at 4096^2): a band stays in L2 while its dots are splatted.
    const int bands = (size + band_rows - 1) / band_rows;
    const Bands bins = binSplats(texel_splats, bands, band_rows);
    const uint16_t empty[4] = {toU16(empty_filter.x), toU16(empty_filter.y),
                               toU16(empty_filter.z), 0};
    parallelFor(bands, threads, [&](int band) {
        const int row_begin = band * band_rows;
        const int row_end = std::min(size, row_begin + band_rows);
        // Fill this band's rows here, in the thread that splats them (first touch, cache).
        ZoneRows zones;
        for (int y = row_begin; y < row_end; ++y) {
            uint16_t* p = layer.at(0, y);
            for (int x = 0; x < size; ++x, p += 4)
                std::copy(empty, empty + 4, p);
        }
        if (zone_map) {
            zones.map = zone_map;
            zones.row_begin = row_begin;
            zones.best.assign(size_t(row_end - row_begin) * size_t(size), 0);
            std::fill(zone_map->at(0, row_begin),
                      zone_map->at(0, row_begin) + size_t(row_end - row_begin) * size_t(size),
                      uint8_t(0));
        }
        for (uint32_t k = bins.offsets[size_t(band)]; k < bins.offsets[size_t(band) + 1]; ++k)
            splatRows(layer, texel_splats[bins.members[k]], row_begin, row_end, zones);
        if (!field.empty()) {
            std::vector<float> scratch;
            blendShadowRows(layer, field, low, factor, x_lo, x_w, scratch, row_begin, row_end,
                            zone_field, zones);
        }
    });
    return touched;
}

void splatScar(std::vector<float>& coverage, int size, const std::vector<ScarSplat>& splats) {
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
