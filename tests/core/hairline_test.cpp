#include "stipple/core/hairline.h"

#include <cmath>

#include <gtest/gtest.h>

#include "stipple/core/scalp_region.h"
#include "synthetic_head.h"

// The hairline templates on the synthetic ellipsoid head: where the line sits, in mm on the
// surface, relative to the natural template.

namespace stipple {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180;

HairlineCurve lineFor(const HairlineSpec& spec) {
    static const HeadModel head = test::syntheticHead();
    static const PolarChart chart(head.mesh, glm::dvec3(0, 0, 0));
    std::vector<Problem> warnings;
    return buildHairline(chart, head.landmarks, spec, 7, "", warnings);
}

HairlineSpec plain() {
    HairlineSpec s;
    s.irregularity_amplitude_mm = 0;
    s.asymmetry_mm = 0;
    return s;
}

TEST(Hairline, FrontalHeightIsExactWithoutIrregularity) {
    for (double h : {60.0, 85.0, 110.0}) {
        HairlineSpec s = plain();
        s.frontal_height_mm = h;
        EXPECT_NEAR(lineFor(s).frontal_height_mm, h, 0.2) << h; // chart interpolation
    }
}

TEST(Hairline, TemplatesMoveTheLineWhereTheyShould) {
    const HairlineCurve natural = lineFor(plain());
    HairlineSpec receded = plain();
    receded.shape = HairlineTemplate::Receded;
    // Receded adds 20 mm of frontotemporal recession: the corner (32 deg) is ~20 mm higher
    // (smaller distance from the top), the mid-frontal point is unchanged.
    const HairlineCurve r = lineFor(receded);
    EXPECT_NEAR(natural.lineAt(32 * kDeg) - r.lineAt(32 * kDeg), 20, 4);
    EXPECT_NEAR(r.frontal_height_mm, natural.frontal_height_mm, 0.2);
    // Widow's peak: the centre stays, the line beside it (10 deg) rises by ~10 mm.
    HairlineSpec widow = plain();
    widow.shape = HairlineTemplate::WidowsPeak;
    const HairlineCurve w = lineFor(widow);
    EXPECT_NEAR(w.frontal_height_mm, natural.frontal_height_mm, 0.2);
    EXPECT_GT(natural.lineAt(10 * kDeg) - w.lineAt(10 * kDeg), 6);
    // Temporal peak: the tip (60 deg) reaches temporal_peak_mm below the line 5 deg beside
    // it, so doubling the peak from 10 to 20 mm deepens that step by 10 mm.
    HairlineSpec peak = plain();
    peak.temporal_peak_mm = 20;
    const HairlineCurve p = lineFor(peak);
    const double step_natural = natural.lineAt(60 * kDeg) - natural.lineAt(55 * kDeg);
    const double step_peak = p.lineAt(60 * kDeg) - p.lineAt(55 * kDeg);
    EXPECT_NEAR(step_peak - step_natural, 10, 2);
}

TEST(Hairline, IrregularityHasTheGivenAmplitude) {
    HairlineSpec s = plain();
    const HairlineCurve smooth = lineFor(s);
    s.irregularity_amplitude_mm = 2;
    const HairlineCurve rough = lineFor(s);
    double max_dev = 0;
    for (size_t i = 0; i < smooth.line_s.size(); ++i)
        max_dev = std::max(max_dev, std::abs(rough.line_s[i] - smooth.line_s[i]));
    EXPECT_GT(max_dev, 1.0); // two octaves of noise reach most of the amplitude somewhere
    EXPECT_LE(max_dev, 2.0 + 1e-9);
}

TEST(Hairline, LineKeepsClearOfTheEars) {
    HairlineSpec s = plain();
    s.ear_clearance_mm = 15;
    const HairlineCurve line = lineFor(s);
    // The ellipse around the left ear (66 x 40 mm, centred 8 mm up and 12 mm back of the
    // tragus) grown by 15 mm: no outline point inside it.
    for (const glm::dvec3& p : line.outline_mm) {
        if (p.x < 38) continue;
        const double qy = (p.y - 8) / (33 + 15 - 1), qz = (p.z + 12) / (20 + 15 - 1);
        EXPECT_GE(qy * qy + qz * qz, 1.0) << p.x << " " << p.y << " " << p.z;
    }
}

TEST(Hairline, CustomLinePassesThroughItsPoints) {
    HairlineSpec s = plain();
    s.shape = HairlineTemplate::Custom;
    s.side_profile = SideProfile::Sharp;
    s.control_points = {{45, 75, 75}, {15, 90, 70}, {0, 88, 72}, {-15, 90, 70}, {-45, 75, 75}};
    const HairlineCurve line = lineFor(s);
    static const HeadModel head = test::syntheticHead();
    const PolarChart chart(head.mesh, glm::dvec3(0, 0, 0));
    for (const glm::dvec3& p : s.control_points) {
        const double theta = chart.thetaOf(p);
        // Within 2.5 mm: the sharp profile still smooths over 1 deg.
        EXPECT_NEAR(line.lineAt(theta), chart.surfaceDistance(p), 2.5);
    }
}

} // namespace
} // namespace stipple
