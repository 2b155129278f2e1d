#pragma once

// The pigment model: how a carbon-black SMP dot of a given dilution ("shade") looks in skin of a
// given tone at a given age. Everything is in linear sRGB (Rec. 709 primaries, D65), 0..1.
// The model, its numbers and their sources are in docs/pigment-model.md; the functions here are
// the single implementation the layers, the reports and the tests share.

#include <glm/glm.hpp>

#include "stipple/core/design.h"

namespace stipple {

// Shade limits of the dilution scale: 1 = lightest grey wash, 10 = undiluted carbon black.
inline constexpr double kShadeMin = 1.0;
inline constexpr double kShadeMax = 10.0;

// Linear sRGB albedo of scalp skin of Fitzpatrick type 1..6 (from CIELAB values in the ITA°
// classes of Chardon 1991 / Del Bino 2006, see docs). Throws stipple::Error naming
// /pigment/fitzpatrick for a type outside 1..6.
glm::dvec3 fitzpatrickAlbedoLinear(int type);

// How one dot looks at `age_days` (0 = just tattooed). All factors are relative to the dot as
// the follicle set describes it (diameter_mm, aspect).
struct InkAppearance {
    // Linear filter colour of the ink seen through the skin above it: the skin's albedo is
    // multiplied by this where the dot's coverage is 1 (1 = no ink). It is skin * T + (1 - T) *
    // (bluish light scattered back from above the ink), divided by the skin it was computed
    // for: red passes less than blue, so the dot is a cool grey on that skin, not a darker skin.
    glm::dvec3 filter{1.0};
    double optical_density = 0;   // decadic OD of the ink layer on a double pass (at 550 nm)
    // Fresh impressions look larger: the open hole and its scab are the needle's footprint,
    // about twice the healed core (>= 1; 1 once healed).
    double diameter_scale = 1;
    // The dense core: a disc of the dot's (scaled) diameter whose edge is blurred by a Gaussian
    // of sigma = edge_sigma_mm + edge_sigma_per_radius * core radius (scattering, migration).
    double edge_sigma_mm = 0.012;
    double edge_sigma_per_radius = 0.12;
    // The soft diffusion halo around the core: the same ink with coverage
    // diffusion_strength * exp(-r^2 / (2 s^2)) * (1 - core(r)),
    // s = min(diffusion_sigma_mm + diffusion_sigma_per_radius * core radius,
    //         diffusion_sigma_max_mm). 0 = none.
    double diffusion_strength = 0;
    double diffusion_sigma_mm = 0;
    double diffusion_sigma_per_radius = 0;
    double diffusion_sigma_max_mm = 0;
    // Fresh redness around each impression: a multiplicative tint `halo_filter` with peak
    // coverage `halo_strength` and a Gaussian of sigma halo_sigma_mm + halo_sigma_scale x core
    // radius.
    glm::dvec3 halo_filter{1.0, 0.78, 0.80};
    double halo_strength = 0;
    double halo_sigma_mm = 0.4;
    double halo_sigma_scale = 1.4;
    // The ink's shadow in the skin around the dot (light diffusing under the ink, see docs):
    // filter shadow_filter with coverage shadow_strength * (1 - r^2/R^2)^2 * (1 - ink), R =
    // shadow_radius_mm from the dot's centre. 0 = none. shadow_filter = filter ^ (1, 0.4, 0.15)
    // per channel: the light that travels a millimetre sideways under the ink is mostly red.
    double shadow_strength = 0;
    double shadow_radius_mm = 0;
    glm::dvec3 shadow_filter{1.0};
};

// The appearance of ink of `shade` (clamped to 1..10) of `ink` type at `age_days` (>= 0).
// Monotonic: for a fixed shade, the filter's luminance never darkens, the fresh size and the
// redness never grow, and the edge blur and the diffusion halo never shrink with age.
// `skin_linear` is the skin the filter is computed for (the design's skin tone; by default
// Fitzpatrick III): the filter turns that skin's colour into the ink's grey.
InkAppearance inkAppearance(double shade, double age_days, InkType ink,
                            const glm::dvec3& skin_linear = fitzpatrickAlbedoLinear(3));

// The linear colour of skin `skin_linear` under a dot's centre (coverage 1): skin * filter.
glm::dvec3 dotColourLinear(double shade, const glm::dvec3& skin_linear, double age_days,
                           InkType ink);

// The shade (1..10, to 0.1) whose healed dot on `skin_linear` has the luminance closest to the
// hair colour `hair_srgb` (gamma-encoded sRGB, as in the design file): the practitioner's
// "match the stubble" starting point.
double recommendedShade(const glm::dvec3& hair_srgb, const glm::dvec3& skin_linear, InkType ink);

// Rec. 709 relative luminance of a linear colour.
double luminanceLinear(const glm::dvec3& linear);

// CIE 1976 L*a*b* (D65) of a linear sRGB colour, and the CIE76 colour difference.
glm::dvec3 linearToLab(const glm::dvec3& linear);
double deltaE76(const glm::dvec3& linear_a, const glm::dvec3& linear_b);

} // namespace stipple
