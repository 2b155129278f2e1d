#include "stipple/core/hairline.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "stipple/core/scalp_region.h"
#include "synthetic_head.h"
#include "test_util.h"

// The hairline templates on the synthetic ellipsoid head: where the line sits, in mm on the
// surface, relative to the natural template.

namespace stipple {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180;

// The hairline as the scalp region builds it (same chart centre).
HairlineCurve lineFor(const HairlineSpec& spec) {
    static const HeadModel head = test::syntheticHead();
    std::vector<Problem> warnings;
    return ScalpRegion(head, spec, 7, "", warnings).hairline();
}

const PolarChart& chartOf() {
    static const HeadModel head = test::syntheticHead();
    std::vector<Problem> warnings;
    static const ScalpRegion region(head, HairlineSpec{}, 7, "", warnings);
    return region.chart();
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

// Geometry of the left half of the front line (M outward to the sideburn), in 3D.
struct FrontShape {
    glm::dvec3 corner{0};     // frontotemporal corner: the deepest (rearmost) point of the
                              // recess, before the line comes forward again (side view)
    double tip_z = -1e9;      // most forward point below the corner
    double tip_y = 0;
    double corner_z = 0, end_z = 0;
    double end_y = 1e9;       // the sideburn's lowest point
    double longest_vertical_mm = 0; // longest run within 5 deg of straight down (side view)
};

// The shape of the left half of the front line, from the mid-frontal point M outward.
FrontShape frontShape(const std::vector<glm::dvec3>& f) { // left sideburn ... right sideburn
    size_t mid = 0;
    for (size_t i = 0; i < f.size(); ++i)
        if (std::abs(f[i].x) < std::abs(f[mid].x)) mid = i;
    FrontShape out;
    // Walking outward from M the line goes back over the forehead's curve; the recess ends
    // where the line has come forward by 4 mm from the rearmost point so far (a wall that never
    // comes forward puts the corner at the sideburn).
    size_t corner = mid;
    for (size_t i = mid; i-- > 0;) {
        if (f[i].z < f[corner].z) corner = i;
        if (f[i].z > f[corner].z + 4) break;
    }
    out.corner = f[corner];
    out.corner_z = f[corner].z;
    out.end_z = f.front().z;
    for (size_t i = 0; i < mid; ++i) out.end_y = std::min(out.end_y, f[i].y);
    double run = 0;
    for (size_t i = corner; i > 0; --i) {
        if (f[i - 1].z > out.tip_z) {
            out.tip_z = f[i - 1].z;
            out.tip_y = f[i - 1].y;
        }
        const glm::dvec3 d = f[i - 1] - f[i];
        const bool vertical = -d.y > 0 && std::abs(d.z) < std::tan(5 * kDeg) * -d.y;
        run = vertical ? run + glm::length(d) : 0;
        out.longest_vertical_mm = std::max(out.longest_vertical_mm, run);
    }
    return out;
}
FrontShape frontShape(const HairlineCurve& line) { return frontShape(line.front_line_mm); }

TEST(Hairline, FrontCornerSitsOnTheOuterEyeCornerLine) {
    // The frontotemporal corner lies on the line through the outer eye corner, x = 0.62 of
    // the ear's x (76 mm): within 8 mm (the rounded profile moves the turn by a few mm).
    for (HairlineTemplate shape : {HairlineTemplate::Natural, HairlineTemplate::Defined,
                                   HairlineTemplate::Receded, HairlineTemplate::WidowsPeak}) {
        HairlineSpec s = plain();
        s.shape = shape;
        const FrontShape f = frontShape(lineFor(s));
        EXPECT_NEAR(f.corner.x, 0.62 * 76, 8) << int(shape);
    }
}

TEST(Hairline, TemporalPeakPointsForward) {
    // Below the corner the line comes forward to the temporal peak and goes back to the
    // sideburn: a forward extreme clearly (> 4 mm) in front of both; the old azimuth line fell
    // straight down here (a vertical cut of ~90 mm).
    const FrontShape natural = frontShape(lineFor(plain()));
    EXPECT_GT(natural.tip_z, natural.corner_z + 4);
    EXPECT_GT(natural.tip_z, natural.end_z + 4);
    EXPECT_GT(natural.tip_y, 0);   // above the tragus
    EXPECT_LT(natural.longest_vertical_mm, 25);
    // A deeper peak reaches further forward (until it meets the corner's azimuth, which the
    // chart cannot pass): not behind the natural one, and still a peak.
    HairlineSpec deeper = plain();
    deeper.temporal_peak_mm = 20;
    const FrontShape d = frontShape(lineFor(deeper));
    EXPECT_GE(d.tip_z, natural.tip_z - 0.5);
    EXPECT_GT(d.tip_z, d.end_z + 4);
}

TEST(Hairline, TemplatesMoveTheLineWhereTheyShould) {
    const HairlineCurve natural = lineFor(plain());
    const FrontShape nf = frontShape(natural);
    HairlineSpec receded = plain();
    receded.shape = HairlineTemplate::Receded;
    // Receded adds 20 mm of frontotemporal recession along the surface: the corner moves
    // ~20 mm up and back (chord ~ arc over 20 mm; 7 mm for where the turn of the rounded
    // line is detected: the steeper receded line turns earlier), higher than before; the
    // mid-frontal point is unchanged.
    const HairlineCurve r = lineFor(receded);
    const FrontShape rf = frontShape(r);
    EXPECT_NEAR(glm::length(rf.corner - nf.corner), 20, 7);
    // On this ellipsoid the plane x = 47 mm is already curving over toward the top at the
    // corner's height, so 20 mm further up the surface is mostly further back: > 10 mm back,
    // not lower.
    EXPECT_LT(rf.corner.z, nf.corner.z - 10);
    EXPECT_GT(rf.corner.y, nf.corner.y);
    EXPECT_NEAR(r.frontal_height_mm, natural.frontal_height_mm, 0.2);
    // Widow's peak: the centre stays, the line beside it (10 deg) rises by > 6 mm.
    HairlineSpec widow = plain();
    widow.shape = HairlineTemplate::WidowsPeak;
    const HairlineCurve w = lineFor(widow);
    EXPECT_NEAR(w.frontal_height_mm, natural.frontal_height_mm, 0.2);
    EXPECT_GT(natural.lineAt(10 * kDeg) - w.lineAt(10 * kDeg), 6);
}

// Distance from p to the closed polyline `loop`.
double distanceToLoop(const glm::dvec3& p, const std::vector<glm::dvec3>& loop) {
    double best = 1e9;
    for (size_t i = 0; i < loop.size(); ++i) {
        const glm::dvec3 a = loop[i], ab = loop[(i + 1) % loop.size()] - a;
        const double t = std::clamp(glm::dot(p - a, ab) / std::max(1e-12, glm::dot(ab, ab)), 0.0, 1.0);
        best = std::min(best, glm::length(p - (a + t * ab)));
    }
    return best;
}

TEST(Hairline, IrregularityHasTheGivenAmplitude) {
    // The noise moves the line across itself on the surface (at the temple too), so it is
    // measured as the distance between the rough and the smooth loop.
    HairlineSpec s = plain();
    const HairlineCurve smooth = lineFor(s);
    s.irregularity_amplitude_mm = 2;
    const HairlineCurve rough = lineFor(s);
    double max_dev = 0;
    for (size_t i = 0; i < rough.loop_mm.size(); i += 3)
        max_dev = std::max(max_dev, distanceToLoop(rough.loop_mm[i], smooth.loop_mm));
    EXPECT_GT(max_dev, 1.0); // two octaves of noise reach most of the amplitude somewhere
    // The offset is 2 mm along the surface's tangent plane, then projected back onto the
    // surface along the chart's ray: on the head's curvature that changes it by < 0.1 mm.
    EXPECT_LE(max_dev, 2.1);
}

TEST(Hairline, AFrontEditLeavesTheBackOfTheLineInPlace) {
    // The irregularity is a noise of each line point, not of the loop's length: moving the
    // front line leaves every point behind the ears where it was, bit for bit (the Session
    // keeps the dots of the zones there), while the front moves by the edit.
    HairlineSpec a;
    a.irregularity_amplitude_mm = 2;
    HairlineSpec b = a;
    b.frontal_height_mm = a.frontal_height_mm + 4;
    const HairlineCurve la = lineFor(a), lb = lineFor(b);
    const PolarChart& chart = chartOf();
    auto back = [&](const HairlineCurve& c) {
        std::vector<glm::dvec3> out;
        for (const glm::dvec3& p : c.loop_mm)
            if (std::abs(chart.thetaOf(p)) > 130 * kDeg) out.push_back(p);
        return out;
    };
    const std::vector<glm::dvec3> back_a = back(la), back_b = back(lb);
    ASSERT_GT(back_a.size(), 50u);
    EXPECT_EQ(back_a, back_b);
    double front_moved = 0;
    for (const glm::dvec3& p : lb.loop_mm)
        if (std::abs(chart.thetaOf(p)) < 10 * kDeg)
            front_moved = std::max(front_moved, distanceToLoop(p, la.loop_mm));
    EXPECT_GT(front_moved, 2.0);
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
    const PolarChart& chart = chartOf();
    for (const glm::dvec3& p : s.control_points) {
        const double theta = chart.thetaOf(p);
        // Within 4 mm: the sharp profile still smooths over 1 deg, and from the region's chart
        // centre (behind the middle) the outer points sit on a steep stretch of the line.
        EXPECT_NEAR(line.lineAt(theta), chart.surfaceDistance(p), 4);
    }
}


// The temple on real heads, with the bundled demo's line (examples/natural.json: recession 12
// mm, temporal peak 10 mm, clearance 12 mm, irregularity 1.5 mm, asymmetry 1.2 mm). On ICT the
// line used to fall as a straight wall from the corner to below the tragus (the chart held one
// line position per azimuth): no peak in front of the recess, sideburn 5 mm below the tragus
// and 26 mm in front of it.
TEST(HairlineAcceptance, TemporalPeakAndSideburnOnRealHeads) {
    const Design demo = loadDesign(test::sourceDir() / "examples" / "natural.json");
    struct Case {
        std::string name;
        std::filesystem::path mesh;
        double mm_per_unit;
    };
    for (const Case& c : {Case{"mannequin", test::sourceDir() / "meshes" / "mannequin.glb", 1.0},
                          Case{"ICT", test::sharedHeads() / "ict_facekit_neutral" /
                                          "generic_neutral_mesh.obj", 10.0}}) {
        HeadSpec spec = demo.head;
        spec.mesh = c.mesh;
        spec.mm_per_unit = c.mm_per_unit;
        const HeadModel head = loadHeadModel(spec);
        std::vector<Problem> warnings;
        const ScalpRegion region(head, demo.hairline, demo.seed, "", warnings);
        const std::vector<glm::dvec3>& front = region.hairline().front_line_mm;
        // Left half as measured; the right half mirrored (x -> -x, reversed) the same way.
        std::vector<glm::dvec3> mirrored(front.rbegin(), front.rend());
        for (glm::dvec3& p : mirrored) p.x = -p.x;
        const glm::dvec3 ears[2] = {head.landmarks.ear_left, head.landmarks.ear_right};
        for (int side = 0; side < 2; ++side) {
            const FrontShape f = frontShape(side == 0 ? front : mirrored);
            const std::string what = c.name + (side == 0 ? " left" : " right");
            // The peak's tip lies clearly in front of the recess above it: the design asks for
            // 10 mm of peak; 8 mm leaves room for the rounded profile's 5 mm smoothing and the
            // 1.5 mm irregularity (the old wall measured < 1 mm).
            EXPECT_GT(f.tip_z, f.corner_z + 8) << what;
            // ... and below it, above the tragus.
            EXPECT_LT(f.tip_y, f.corner.y - 20) << what;
            EXPECT_GT(f.tip_y, ears[side].y + 20) << what;
            // The sideburn ends at about mid-ear height: the ear's middle is ~8 mm above the
            // tragus landmark (a 66 mm ear from 25 below to 41 above it); +-8 mm covers the
            // irregularity, asymmetry and the landmark's own error (10 mm on ICT, see
            // head_model_test.cpp).
            EXPECT_NEAR(f.end_y, ears[side].y + 8, 8) << what;
            // ... and just in front of the ear: 10..30 mm ahead of the tragus (12 mm clearance
            // around the ear ellipse, whose front is 8 mm ahead of the tragus).
            EXPECT_GT(f.end_z, ears[side].z + 10) << what;
            EXPECT_LT(f.end_z, ears[side].z + 30) << what;
            // No vertical wall: the old line fell ~90 mm within 5 deg of straight down.
            EXPECT_LT(f.longest_vertical_mm, 30) << what;
        }
    }
}

} // namespace
} // namespace stipple
