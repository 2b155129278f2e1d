// No light lanes along zone borders (issue 12): the dot density in a band one spacing wide
// centred on each border against the bands either side (lane_measure.h), on the mannequin with
// the bundled natural design and two others.

#include <cstdio>

#include <gtest/gtest.h>

#include "lane_measure.h"
#include "stipple/core/design.h"
#include "stipple/core/follicle_stages.h"
#include "stipple/core/follicles.h"
#include "test_util.h"

namespace stipple {
namespace {

// Borders whose border band expects fewer dots than this are reported, not judged (the
// front|temples corner holds 5). At 80 dots the band's count alone scatters by about 11%
// (Poisson), so the per-border threshold below leaves room for it; the overall ratio pools
// about a thousand border-band dots per design (3% scatter) and is held tighter.
constexpr double kMinBandDots = 80;
// Measured on the mannequin, judged borders (docs/follicles.md, "Borders"):
//   before the fix (each zone kept 0.5 r clear of its borders): per border 0.25-0.48, overall
//   0.381 (natural), 0.320 (defined_edge_up), 0.336 (receded_norwood);
//   after (zones sample up to the border, cross-border pairs resolved at the merge): per border
//   0.88-1.09, overall 0.998, 0.975, 0.979.
// 0.75 per border fails every judged border of the old sampler (the best was 0.48) and sits
// about one and a half standard deviations of an 80-dot band below the fixed sampler's worst
// (0.883, receded front_transition|mid); 0.90 overall is three standard deviations below 1.
constexpr double kBorderRatio = 0.75;
constexpr double kOverallRatio = 0.90;

void expectNoLanes(const char* name) {
    const Design design = loadDesign(test::sourceDir() / "examples" / name);
    static const HeadModel head = loadHeadModel(design.head);
    const FollicleSet set = generateFollicles(head, design);
    std::vector<Problem> warnings;
    const FollicleRegion region(head, design.hairline, design.seed,
                                design.density_mask ? &*design.density_mask : nullptr, "",
                                warnings);
    const PerZone<double> peaks = zonePeaks(region, zoneSettings(design), "", warnings);
    std::array<double, size_t(ZoneId::Count)> peak_per_cm2{};
    for (size_t z = 0; z < peaks.size(); ++z)
        peak_per_cm2[z] = 100 * peaks[z];
    const std::vector<test::BorderLane> lanes =
        test::measureLanes(head, region.scalp(), set, peak_per_cm2);
    double border_dots = 0, border_expected = 0, sides = 0, sides_expected = 0;
    size_t judged = 0;
    for (const test::BorderLane& lane : lanes) {
        std::printf("%s %s|%s: border %.0f/%.0f (%.3f), sides %.3f %.3f -> ratio %.3f\n", name,
                    kZoneNames[size_t(lane.a)], kZoneNames[size_t(lane.b)], lane.border.dots,
                    lane.border.expected, lane.border.ratio(), lane.side_a.ratio(),
                    lane.side_b.ratio(), lane.ratio());
        border_dots += lane.border.dots;
        border_expected += lane.border.expected;
        sides += lane.side_a.dots + lane.side_b.dots;
        sides_expected += lane.side_a.expected + lane.side_b.expected;
        if (lane.border.expected < kMinBandDots) continue;
        ++judged;
        EXPECT_GE(lane.ratio(), kBorderRatio)
            << name << ": a light lane along " << kZoneNames[size_t(lane.a)] << " | "
            << kZoneNames[size_t(lane.b)];
    }
    const double overall = (border_dots / border_expected) / (sides / sides_expected);
    std::printf("%s overall: %.3f over %zu borders (%zu judged)\n", name, overall, lanes.size(),
                judged);
    EXPECT_GE(judged, 3u) << name;
    EXPECT_GE(overall, kOverallRatio) << name;
}

TEST(Lanes, NoneOnTheMannequinNatural) {
    expectNoLanes("natural.json");
}

TEST(Lanes, NoneOnTheMannequinDefinedEdgeUp) {
    expectNoLanes("defined_edge_up.json");
}

TEST(Lanes, NoneOnTheMannequinReceded) {
    expectNoLanes("receded_norwood.json");
}

} // namespace
} // namespace stipple
