#include "stipple/core/pigment.h"

// Pigment model for SMP dots. Sources (details and numbers in docs/pigment-model.md):
// - Beer-Lambert attenuation on a double pass through the ink layer.
// - Bond & Bergstrom 2006, "Light absorption by carbonaceous particles: an investigative
//   review", Aerosol Sci. Technol. 40:27-67: carbon black absorbs with an Angstrom exponent ~1.
// - Anderson & Parrish 1981, "The optics of human skin", J. Invest. Dermatol. 77:13-19: short
//   wavelengths scatter back from shallower depths, so the skin above deep ink reflects blue
//   (the Tyndall / "blue tattoo" effect) while red reaches the ink.
// - Engel et al. 2010, Contact Dermatitis 63:30-37: about a third of the applied pigment is lost
//   within ~6 weeks, hence fresh impressions are darker than healed ones.
// - Baranska et al. 2018, J. Exp. Med. 215:1115-1133: macrophage capture-release cycles keep
//   tattoo pigment in place for years while it slowly spreads (edge softening).
// - Chardon et al. 1991, Int. J. Cosmet. Sci. 13:191-208, and Del Bino et al. 2006, Pigment Cell
//   Res. 19:606-614: ITA skin colour classes used for the Fitzpatrick albedos.

#include <algorithm>
#include <cmath>
#include <string>

#include "stipple/core/error.h"
#include "stipple/core/image.h"

namespace stipple {

namespace {

// CIELAB (D65) values chosen inside the ITA class that corresponds to each Fitzpatrick type
// (I very light ITA > 55, II light 41..55, III intermediate 28..41, IV tan 10..28, V brown
// -30..10, VI dark < -30), converted to linear sRGB (see docs/pigment-model.md for the table).
constexpr double kFitzpatrickLinear[6][3] = {
    {0.5651, 0.3916, 0.2997}, // I   L* 71 a* 8  b* 14, ITA  56
    {0.4802, 0.3109, 0.2220}, // II  L* 65 a* 9  b* 16, ITA  43
    {0.4150, 0.2524, 0.1723}, // III L* 60 a* 10 b* 17, ITA  31
    {0.3554, 0.2018, 0.1305}, // IV  L* 55 a* 11 b* 18, ITA  16
    {0.2436, 0.1234, 0.0744}, // V   L* 45 a* 12 b* 18, ITA -16
    {0.1261, 0.0637, 0.0418}, // VI  L* 33 a* 10 b* 13, ITA -53
};

// Undiluted carbon black, healed, double pass through the dermal ink layer (decadic OD at
// 550 nm). 2.4 lets ~0.4% of the light that reaches the ink back out: what remains of a healed
// black dot is the light scattered back from the skin above the ink (below), so it reads as a
// cool charcoal grey, never the 0 of a printed disc. Shade 6 healed: OD 0.95, T = 11%.
constexpr double kOdPure = 2.4;
// Dilution scale: shade 1 carries 1/8 of the pigment of shade 10, geometric steps in between
// (equal steps in OD ratio read as roughly equal visual steps).
constexpr double kLightestConcentration = 1.0 / 8.0;
// Spectral shape of carbon black absorption, OD relative to 550 nm at the sRGB primaries'
// dominant wavelengths (610, 550, 465 nm) with an Angstrom exponent of 1.
const glm::dvec3 kInkSpectrum{550.0 / 610.0, 1.0, 550.0 / 465.0};
// Light scattered back by the skin above the ink (epidermis and papillary dermis, 0.25-0.5 mm)
// without meeting it, relative to the skin's luminance Y: small, and bluer than the skin
// because short wavelengths scatter more and penetrate less (the Tyndall effect of deep ink).
// This is the colour that replaces the skin's where the ink absorbs: visible colour =
// skin * T + (1 - T) * Y_skin * kAboveInk, so a dot is cool grey on every skin, not brown.
const glm::dvec3 kAboveInk{0.15, 0.25, 0.30};
// Over the years the pigment that stays moves deeper and into finer aggregates (macrophage
// capture-release, Baranska 2018): the light from above it turns bluer (Tyndall), the "blue-grey"
// of old SMP. kAboveInk is scaled per channel by 1 + kAgeBlue * t / (t + kAgeHalfDays).
const glm::dvec3 kAgeBlue{-0.35, 0.0, 0.35};
// The ink's shadow in the skin around a dot: light entering the skin next to the dot diffuses
// sideways through the dermis (transport length ~1 mm, Anderson & Parrish 1981) and part of it
// passes under the ink, so a ring around each dot is darkened a little by the same filter.
// It is what makes a field of small dots read as a shadow (a shaved head) from a distance while
// each dot stays a distinct point up close. Profile: peak * (1 - r^2/R^2)^2 outside the dot.
constexpr double kShadowPeak = 0.22;
constexpr double kShadowRadiusMm = 1.8;
// Per channel, the share of that sideways light that the ink meets, as an exponent on the ink's
// filter (shadow filter = F^w): red light diffuses ~1.5 mm in the dermis, green ~0.6, blue
// ~0.25 (penetration depths, Anderson & Parrish 1981), so the shadow is a red-absorbing, cool
// darkening. A power of the filter keeps re-colouring exact (LayerColour scales ln F).
const glm::dvec3 kShadowChannelShare{1.0, 0.4, 0.15};

// Fresh ink sits partly in the epidermis and the wound crust: darker for the first weeks.
constexpr double kFreshExtraOd = 0.45;    // +45% OD at day 0
constexpr double kFreshDecayDays = 6.0;   // gone by ~30 days (e^-5)
// Fresh impressions: the open hole and its scab are the needle's footprint, twice the healed
// core (the hole shrinks ~50% on healing); scabs are shed within about a week.
constexpr double kFreshSizeScale = 1.0;     // +100% diameter at day 0
constexpr double kFreshSizeDecayDays = 3.5; // +14% at 7 days, < 0.1% from 25 days
// Redness: visible for 3-4 days, around each puncture out to ~1 mm (neighbours merge into a
// blush over the treated area on the first day).
constexpr double kHaloStrength = 0.35;
constexpr double kHaloDecayDays = 1.5;
constexpr double kHaloSigmaMm = 0.4;
// Long-term fading of the ink's OD: permanent SMP keeps ~70% after 5 years (touch-up after
// 4-6 years); temporary SMP keeps ~50% after one year (gone in 2-3 years).
constexpr double kPermanentFadeDays = 1825.0 / 0.35667494393873245; // -ln(0.7)
constexpr double kTemporaryFadeDays = 365.0 / 0.69314718055994531;  // -ln(0.5)
// The dense core's edge: a narrow scattering blur plus slow migration over years.
constexpr double kEdgeSigmaHealedMm = 0.012;
constexpr double kEdgeSigmaPerRadius = 0.12;
constexpr double kEdgeSpreadMm = 0.015;
// Slow changes over years (edge, halo, blue shift) go as t / (t + kAgeHalfDays).
constexpr double kAgeHalfDays = 1825.0;
// The soft diffusion halo around the core (docs/pigment-model.md, "Core and halo"): pigment
// left in the part of the needle's hole that contracted on healing, seen through the skin
// above it. Its half maximum (1.18 sigma) lies at the fresh hole's edge, twice the core radius
// (sigma = 1.7 R), plus the blur of ink seen through ~0.3 mm of skin; peak 0.25 of the core's
// coverage. Over years it widens and gains ink as the core's pigment migrates.
constexpr double kDiffusionPeak = 0.25;
constexpr double kDiffusionPeakAgeGain = 0.6; // x (1 + 0.6 s): 0.325 at five years
constexpr double kDiffusionSigmaMm = 0.02;
constexpr double kDiffusionSigmaPerRadius = 1.5;
constexpr double kDiffusionSpreadMm = 0.05;
// The optical part of the halo is at most the ink's depth (0.25-0.5 mm); a wider spread would
// be a blowout (ink too deep), not healing. Keeps oversized dots from turning into blurs.
constexpr double kDiffusionSigmaMaxMm = 0.25;

} // namespace

glm::dvec3 fitzpatrickAlbedoLinear(int type) {
    if (type < 1 || type > 6)
        throw Error("Fitzpatrick skin type " + std::to_string(type) + " is out of range; 1..6",
                    "", "/pigment/fitzpatrick");
    const double* v = kFitzpatrickLinear[type - 1];
    return {v[0], v[1], v[2]};
}

InkAppearance inkAppearance(double shade, double age_days, InkType ink,
                            const glm::dvec3& skin_linear) {
    shade = std::clamp(shade, kShadeMin, kShadeMax);
    age_days = std::max(0.0, age_days);
    const double concentration =
        std::pow(kLightestConcentration, (kShadeMax - shade) / (kShadeMax - kShadeMin));
    const double fade_days = ink == InkType::Permanent ? kPermanentFadeDays : kTemporaryFadeDays;
    const double od = kOdPure * concentration *
                      (1.0 + kFreshExtraOd * std::exp(-age_days / kFreshDecayDays)) *
                      std::exp(-age_days / fade_days);
    InkAppearance out;
    out.optical_density = od;
    const double skin_y = luminanceLinear(skin_linear);
    const double slow = age_days / (age_days + kAgeHalfDays); // 0 fresh, 0.5 at five years
    for (int c = 0; c < 3; ++c) {
        const double transmittance = std::pow(10.0, -od * kInkSpectrum[c]);
        // visible = skin * T + (1 - T) * above, as a filter on the skin (<= 1: the ink never
        // brightens a channel, even on an unusually coloured mesh albedo).
        const double above = std::min(kAboveInk[c] * (1.0 + kAgeBlue[c] * slow) * skin_y /
                                          std::max(skin_linear[c], 1e-4),
                                      1.0);
        out.filter[c] = transmittance + (1.0 - transmittance) * above;
    }
    out.shadow_strength = kShadowPeak;
    out.shadow_radius_mm = kShadowRadiusMm;
    for (int c = 0; c < 3; ++c)
        out.shadow_filter[c] = std::pow(out.filter[c], kShadowChannelShare[c]);
    out.diameter_scale = 1.0 + kFreshSizeScale * std::exp(-age_days / kFreshSizeDecayDays);
    out.edge_sigma_mm = kEdgeSigmaHealedMm + kEdgeSpreadMm * slow;
    out.edge_sigma_per_radius = kEdgeSigmaPerRadius;
    out.diffusion_strength = kDiffusionPeak * (1.0 + kDiffusionPeakAgeGain * slow);
    out.diffusion_sigma_mm = kDiffusionSigmaMm + kDiffusionSpreadMm * slow;
    out.diffusion_sigma_per_radius = kDiffusionSigmaPerRadius;
    out.diffusion_sigma_max_mm = kDiffusionSigmaMaxMm;
    out.halo_strength = kHaloStrength * std::exp(-age_days / kHaloDecayDays);
    out.halo_sigma_mm = kHaloSigmaMm;
    return out;
}

glm::dvec3 dotColourLinear(double shade, const glm::dvec3& skin_linear, double age_days,
                           InkType ink) {
    return skin_linear * inkAppearance(shade, age_days, ink, skin_linear).filter;
}

double luminanceLinear(const glm::dvec3& c) { return 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z; }

double recommendedShade(const glm::dvec3& hair_srgb, const glm::dvec3& skin_linear, InkType ink) {
    const glm::dvec3 hair_linear{srgbToLinear(hair_srgb.x), srgbToLinear(hair_srgb.y),
                                 srgbToLinear(hair_srgb.z)};
    // A shaved hair seen on the scalp is a dark dot through which some skin shows: aim the dot
    // at 70% hair over 30% skin, in L* (perceptual) terms.
    const double target = linearToLab(0.7 * hair_linear + 0.3 * skin_linear).x;
    double best_shade = kShadeMin;
    double best_error = 1e300;
    for (int i = 10; i <= 100; ++i) {
        const double shade = i / 10.0;
        const double error =
            std::abs(linearToLab(dotColourLinear(shade, skin_linear, 30.0, ink)).x - target);
        if (error < best_error) {
            best_error = error;
            best_shade = shade;
        }
    }
    return best_shade;
}

glm::dvec3 linearToLab(const glm::dvec3& c) {
    const double x = 0.4124564 * c.x + 0.3575761 * c.y + 0.1804375 * c.z;
    const double y = 0.2126729 * c.x + 0.7151522 * c.y + 0.0721750 * c.z;
    const double z = 0.0193339 * c.x + 0.1191920 * c.y + 0.9503041 * c.z;
    auto f = [](double t) {
        constexpr double d = 6.0 / 29.0;
        return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
    };
    const double fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883);
    return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

double deltaE76(const glm::dvec3& a, const glm::dvec3& b) {
    return glm::length(linearToLab(a) - linearToLab(b));
}

} // namespace stipple
