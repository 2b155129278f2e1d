#include "stipple/core/pigment.h"

#include <gtest/gtest.h>

#include "stipple/core/error.h"

namespace stipple {
namespace {

// The table in docs/pigment-model.md ("Known answers"), healed (30 days), permanent ink.
// Tolerance Delta E 0.2 (CIE76): the table is printed to 4 decimals, whose rounding is worth
// < 0.05; anything larger means the model changed and the docs must change with it.
struct KnownAnswer {
    int fitzpatrick;
    double shade;
    glm::dvec3 dot_linear;
};
const KnownAnswer kKnown[] = {
    {1, 3, {0.3303, 0.2236, 0.1727}},
    {3, 6, {0.1456, 0.0869, 0.0649}},
    {3, 10, {0.0425, 0.0319, 0.0375}},
    {6, 8, {0.0256, 0.0134, 0.0114}},
};

TEST(Pigment, ShadeAndSkinGiveTheDocumentedColour) {
    for (const KnownAnswer& k : kKnown) {
        const glm::dvec3 got = dotColourLinear(k.shade, fitzpatrickAlbedoLinear(k.fitzpatrick),
                                               30, InkType::Permanent);
        EXPECT_LT(deltaE76(got, k.dot_linear), 0.2)
            << "type " << k.fitzpatrick << " shade " << k.shade << ": " << got.x << ", "
            << got.y << ", " << got.z;
    }
}

TEST(Pigment, FitzpatrickAlbedosMatchTheirItaClass) {
    // ITA = atan((L* - 50) / b*) in degrees must fall in the class of each type (Del Bino 2006).
    const double lo[] = {55, 41, 28, 10, -30, -90};
    const double hi[] = {90, 55, 41, 28, 10, -30};
    for (int type = 1; type <= 6; ++type) {
        const glm::dvec3 lab = linearToLab(fitzpatrickAlbedoLinear(type));
        const double ita = std::atan((lab.x - 50) / lab.z) * 180 / 3.14159265358979;
        EXPECT_GT(ita, lo[type - 1]) << type;
        EXPECT_LT(ita, hi[type - 1]) << type;
    }
    EXPECT_THROW(fitzpatrickAlbedoLinear(0), Error);
    EXPECT_THROW(fitzpatrickAlbedoLinear(7), Error);
}

TEST(Pigment, DeeperShadesAreDarkerAndShiftBlueGrey) {
    double previous = 2;
    for (int shade = 1; shade <= 10; ++shade) {
        const glm::dvec3 f = inkAppearance(shade, 30, InkType::Permanent).filter;
        const double y = luminanceLinear(f);
        EXPECT_LT(y, previous) << shade;
        previous = y;
    }
    // Deep ink: the filter passes more blue than red (the skin above scatters blue back);
    // a light shade stays close to neutral.
    const glm::dvec3 deep = inkAppearance(10, 30, InkType::Permanent).filter;
    const glm::dvec3 light = inkAppearance(1, 30, InkType::Permanent).filter;
    EXPECT_GT(deep.z / deep.x, 1.15);
    EXPECT_LT(light.z / light.x, deep.z / deep.x);
    // Never a black disc: even pure black lets the skin show through a little.
    EXPECT_GT(deep.x, 0.1);
}

TEST(Pigment, AgeingFadesMonotonicallyAndTemporaryFadesFaster) {
    for (InkType ink : {InkType::Permanent, InkType::Temporary}) {
        InkAppearance previous = inkAppearance(7, 0, ink);
        for (double age = 1; age <= 3650; age *= 1.5) {
            const InkAppearance now = inkAppearance(7, age, ink);
            for (int c = 0; c < 3; ++c) EXPECT_GE(now.filter[c], previous.filter[c]) << age;
            EXPECT_LE(now.halo_strength, previous.halo_strength);
            EXPECT_LE(now.diameter_scale, previous.diameter_scale);
            EXPECT_GE(now.edge_sigma_mm, previous.edge_sigma_mm);
            previous = now;
        }
    }
    for (double age : {30.0, 365.0, 1825.0})
        EXPECT_LT(inkAppearance(7, age, InkType::Temporary).optical_density,
                  inkAppearance(7, age, InkType::Permanent).optical_density);
    // Documented anchors: fresh is darker than healed; redness gone after ~4 days; permanent
    // keeps ~70% of its healed OD at 5 years, temporary ~50% after one year.
    EXPECT_GT(inkAppearance(7, 0, InkType::Permanent).optical_density,
              1.3 * inkAppearance(7, 30, InkType::Permanent).optical_density);
    EXPECT_LT(inkAppearance(7, 4, InkType::Permanent).halo_strength, 0.03);
    EXPECT_NEAR(inkAppearance(7, 1825, InkType::Permanent).optical_density /
                    inkAppearance(7, 30, InkType::Permanent).optical_density,
                0.71, 0.02);
    EXPECT_NEAR(inkAppearance(7, 365, InkType::Temporary).optical_density /
                    inkAppearance(7, 0.0, InkType::Temporary).optical_density * 1.45,
                0.5, 0.02);
}

TEST(Pigment, RecommendedShadeFollowsHairColour) {
    const glm::dvec3 skin = fitzpatrickAlbedoLinear(3);
    const double black = recommendedShade({0.10, 0.09, 0.08}, skin, InkType::Permanent);
    const double brown = recommendedShade({0.35, 0.25, 0.18}, skin, InkType::Permanent);
    const double grey = recommendedShade({0.60, 0.60, 0.60}, skin, InkType::Permanent);
    EXPECT_GT(black, brown);
    EXPECT_GT(brown, grey);
    EXPECT_GE(black, 6.0);
}

} // namespace
} // namespace stipple
