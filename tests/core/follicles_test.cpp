#include "stipple/core/follicles.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "stipple/core/image.h"
#include "stipple/core/poisson_sampling.h"
#include "stipple/core/preview.h"
#include "stipple/core/scalp_region.h"
#include "synthetic_head.h"
#include "test_util.h"

// Known-answer tests on synthetic heads (an ellipsoid cranium and a sphere, built in code so
// every length is known), then acceptance on the real heads in ../shared/heads.

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;

Design baseDesign() {
    Design d;
    d.seed = 7;
    d.hairline.nape_height_mm = -30; // a natural nape below the ear line
    return d;
}

const HeadModel& ellipsoidHead() {
    static const HeadModel head = test::syntheticHead();
    return head;
}

std::string errorOf(const HeadModel& head, const Design& design) {
    try {
        generateFollicles(head, design);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Follicles, DotCountIsDensityTimesAreaPerZone) {
    const FollicleSet set = generateFollicles(ellipsoidHead(), baseDesign());
    ASSERT_GT(set.dots.size(), 10000u);
    for (const ZoneStats& z : set.zones) {
        const char* name = kZoneNames[size_t(z.id)];
        ASSERT_GT(z.area_cm2, 5.0) << name;
        const double expected = z.target_density_per_cm2 * z.area_cm2;
        // +-5%, every zone including the 10 mm transition band and the 10 cm2 temples (the
        // issue's figure): the sampler rescales each zone's radius until its count is within
        // 1.5-2.5% of the target, so what is left is the area quadrature's own error (2.5 mm
        // sub-triangles on the border triangles) and the radius floor. Measured: within 3.2%.
        EXPECT_NEAR(double(z.dots), expected, 0.05 * expected) << name;
    }
    double total_area = 0;
    for (const ZoneStats& z : set.zones)
        total_area += z.area_cm2;
    EXPECT_NEAR(set.area_cm2, total_area, 1e-9);
    // The ellipsoid cap above the line: 380-420 cm2 (a real scalp is 500-775 with the sides
    // lower; the synthetic head's nape is 30 mm below the ears).
    EXPECT_GT(set.area_cm2, 350);
    EXPECT_LT(set.area_cm2, 450);
    EXPECT_NEAR(set.sessions, double(set.dots.size()) / 12000.0, 1e-12);
}

TEST(Follicles, BlueNoiseSpacingAndNoDotOutside) {
    const FollicleSet set = generateFollicles(ellipsoidHead(), baseDesign());
    // Minimum distance is 0.68 of the hexagonal spacing by construction (0.655 after the
    // border compensation); the floor is 0.65.
    EXPECT_GE(set.nn_min_ratio, 0.65);
    // Mean nearest neighbour of a dart-throwing set at this minimum distance: 0.7-0.85
    // (a hexagonal lattice would be 1, white noise 0.54).
    EXPECT_GT(set.nn_mean_ratio, 0.70);
    EXPECT_LT(set.nn_mean_ratio, 0.85);
    EXPECT_EQ(set.outside_region, 0u);
    for (const Dot& d : set.dots) {
        ASSERT_NEAR(glm::length(d.normal), 1.0f, 1e-3f);
        ASSERT_GT(d.diameter_mm, 0.0f);
        ASSERT_GT(d.aspect, 0.0f);
        ASSERT_LE(d.aspect, 1.0f);
    }
}

TEST(Follicles, PoissonSelectionKeepsMinimumDistance) {
    // 5,000 candidates in a 20 mm square: every kept pair at least r apart, brute force.
    std::vector<SampleCandidate> c;
    for (uint32_t i = 0; i < 5000; ++i) {
        SampleCandidate s;
        s.position = glm::vec3(20 * unitOf(hashOf(1, i)), 20 * unitOf(hashOf(2, i)), 0);
        s.radius_mm = 0.5f + 0.5f * float(unitOf(hashOf(3, i)));
        s.index = i;
        s.priority = uint32_t(hashOf(4, i));
        c.push_back(s);
    }
    std::vector<SampleCandidate> reversed(c.rbegin(), c.rend());
    const auto kept = selectPoissonDisk(c, 1.0f);
    const auto kept_reversed = selectPoissonDisk(reversed, 1.0f);
    ASSERT_GT(kept.size(), 300u);
    for (size_t a = 0; a < kept.size(); ++a)
        for (size_t b = a + 1; b < kept.size(); ++b)
            ASSERT_GE(glm::length(kept[a].position - kept[b].position),
                      std::max(kept[a].radius_mm, kept[b].radius_mm) - 1e-5f);
    // The kept set does not depend on the order of the input.
    std::vector<uint32_t> ia, ib;
    for (const auto& s : kept)
        ia.push_back(s.index);
    for (const auto& s : kept_reversed)
        ib.push_back(s.index);
    std::sort(ia.begin(), ia.end());
    std::sort(ib.begin(), ib.end());
    EXPECT_EQ(ia, ib);
}

TEST(Follicles, FrontalHeightMeasuredOnTheDotsOnASphere) {
    // Sphere of radius 100 mm centred between the ears: meridians are great circles, so the
    // surface distance from the glabella is 100 x the angle. The lowest dot on the midline
    // must sit at the designed height (+-3 mm: the transition keeps 35% density at the line,
    // spacing ~2 mm, plus the line's own 0 mm irregularity here).
    const HeadModel head = test::syntheticHead({100, 100, 100}, 48);
    for (double height : {65.0, 80.0, 100.0}) {
        Design d = baseDesign();
        d.hairline.frontal_height_mm = height;
        d.hairline.irregularity_amplitude_mm = 0;
        d.hairline.asymmetry_mm = 0;
        const FollicleSet set = generateFollicles(head, d);
        const glm::dvec3 g = head.landmarks.glabella;
        const double glabella_angle = std::atan2(g.z, g.y);
        double lowest = 0;
        for (const Dot& dot : set.dots) {
            if (std::abs(dot.position_mm.x) > 4 || dot.position_mm.z < 0) continue;
            lowest =
                std::max(lowest, std::atan2(double(dot.position_mm.z), double(dot.position_mm.y)));
        }
        const double measured = 100 * (glabella_angle - lowest);
        EXPECT_NEAR(measured, height, 3.0) << "designed " << height;
        EXPECT_NEAR(set.hairline.frontal_height_mm, height, 0.5);
    }
}

TEST(Follicles, SymmetricWhenAsymmetryIsZero) {
    Design d = baseDesign();
    d.hairline.asymmetry_mm = 0;
    d.hairline.irregularity_amplitude_mm = 0;
    const FollicleSet set = generateFollicles(ellipsoidHead(), d);
    EXPECT_LT(set.hairline.asymmetry_mm, 0.05);
    // Outline column i and its mirror (theta -> -theta) are mirror images (x -> -x) to within
    // the chart's 0.5 deg sampling (~0.8 mm).
    const auto& line = set.hairline.outline_mm;
    ASSERT_EQ(line.size(), 720u);
    for (size_t i = 1; i < 360; ++i) {
        const glm::dvec3 a = line[360 + i], b = line[360 - i];
        ASSERT_NEAR(a.x, -b.x, 0.8) << i;
        ASSERT_NEAR(a.y, b.y, 0.8) << i;
        ASSERT_NEAR(a.z, b.z, 0.8) << i;
    }
    // Dots left and right: same count per zone within 3% of the zone's total. The zone
    // borders are mirror images (their noise is evaluated at |x|), so what remains is the
    // blue-noise placement itself and the per-zone count matching (2.5%).
    std::map<int, std::pair<int, int>> sides;
    for (const Dot& dot : set.dots)
        (dot.position_mm.x > 0 ? sides[int(dot.zone)].first : sides[int(dot.zone)].second)++;
    for (const auto& [zone, lr] : sides) {
        if (lr.first + lr.second < 1000) continue;
        EXPECT_NEAR(lr.first, lr.second, 0.03 * (lr.first + lr.second)) << kZoneNames[size_t(zone)];
    }

    Design asym = d;
    asym.hairline.asymmetry_mm = 2;
    EXPECT_NEAR(generateFollicles(ellipsoidHead(), asym).hairline.asymmetry_mm, 2.0, 0.1);
}

TEST(Follicles, IdenticalDesignsGiveIdenticalDots) {
    const FollicleSet a = generateFollicles(ellipsoidHead(), baseDesign());
    const FollicleSet b = generateFollicles(ellipsoidHead(), baseDesign());
    ASSERT_EQ(a.dots.size(), b.dots.size());
    for (size_t i = 0; i < a.dots.size(); ++i) {
        ASSERT_EQ(a.dots[i].id, b.dots[i].id);
        ASSERT_EQ(a.dots[i].position_mm, b.dots[i].position_mm);
        ASSERT_EQ(a.dots[i].diameter_mm, b.dots[i].diameter_mm);
    }
    Design other = baseDesign();
    other.seed = 8;
    EXPECT_NE(generateFollicles(ellipsoidHead(), other).dots[0].position_mm, a.dots[0].position_mm);
}

TEST(Follicles, ChangingOneZoneLeavesTheOthersUnchanged) {
    const Design before = baseDesign();
    Design after = before;
    ZoneSpec crown = defaultZone(ZoneId::Crown);
    crown.density_per_cm2 = 110;
    crown.diameter_mm = 0.6;
    after.zones.push_back(crown);
    ZoneSpec temples = defaultZone(ZoneId::Temples);
    temples.enabled = false;
    after.zones.push_back(temples);
    const FollicleSet a = generateFollicles(ellipsoidHead(), before);
    const FollicleSet b = generateFollicles(ellipsoidHead(), after);
    auto others = [](const FollicleSet& set) {
        std::map<uint64_t, std::pair<glm::vec3, float>> m;
        for (const Dot& d : set.dots)
            if (d.zone != ZoneId::Crown && d.zone != ZoneId::Temples)
                m[d.id] = {d.position_mm, d.diameter_mm};
        return m;
    };
    const auto ma = others(a), mb = others(b);
    EXPECT_GT(ma.size(), 10000u);
    // Identical but along the edited zones' borders, where the merge drops a dot closer than
    // 0.65 spacings to another zone's (docs/follicles.md, "Borders"): a dot that comes or goes
    // lies within about two such distances of a crown or temples dot of either design (at 40
    // dots/cm2, s = 1.70 mm: 2 x 1.1 mm; 3 mm allowed, and every changed dot is within it).
    std::vector<glm::vec3> edited;
    for (const FollicleSet* set : {&a, &b})
        for (const Dot& d : set->dots)
            if (d.zone == ZoneId::Crown || d.zone == ZoneId::Temples) edited.push_back(d.position_mm);
    auto nearEdited = [&](const glm::vec3& p) {
        for (const glm::vec3& q : edited)
            if (glm::length(p - q) < 3.0f) return true;
        return false;
    };
    size_t changed = 0;
    for (const auto& [id, dot] : ma) {
        const auto it = mb.find(id);
        if (it != mb.end()) {
            EXPECT_TRUE(it->second == dot) << "dot " << id << " moved";
            continue;
        }
        ++changed;
        EXPECT_TRUE(nearEdited(dot.first)) << "dot " << id << " lost away from the edited zones";
    }
    for (const auto& [id, dot] : mb)
        if (!ma.count(id)) {
            ++changed;
            EXPECT_TRUE(nearEdited(dot.first)) << "dot " << id << " gained away from them";
        }
    EXPECT_LT(double(changed), 0.02 * double(ma.size())) << changed << " border dots changed";
    EXPECT_EQ(b.zones[size_t(ZoneId::Temples)].dots, 0u);
    EXPECT_NEAR(b.zones[size_t(ZoneId::Crown)].density_per_cm2, 110, 0.05 * 110);
    EXPECT_GE(b.nn_min_ratio, 0.65);
}

TEST(Follicles, TotalModeSpreadsTheCount) {
    Design d = baseDesign();
    d.mode = DensityMode::Total;
    d.total_dots = 30000;
    const FollicleSet set = generateFollicles(ellipsoidHead(), d);
    // +-3%: every zone is matched to its share within 2.5% (see above), plus the quadrature.
    EXPECT_NEAR(double(set.dots.size()), 30000.0, 0.03 * 30000);
}

ScarSpec stripScar() {
    ScarSpec s;
    s.type = ScarType::Strip;
    s.width_mm = 8;
    // Across the back, above the nape: a FUT donor scar.
    for (double x = -50; x <= 50; x += 25)
        s.points_mm.push_back({x, 10, -120});
    return s;
}

TEST(Follicles, ScarsAreFilledAndKept) {
    Design d = baseDesign();
    d.scars.push_back(stripScar());
    ScarSpec fue;
    fue.type = ScarType::Fue;
    fue.points_mm = {{0, 40, -120}};
    fue.radius_mm = 25;
    fue.count = 150;
    d.scars.push_back(fue);
    const FollicleSet set = generateFollicles(ellipsoidHead(), d);
    ASSERT_EQ(set.scars.size(), 2u);
    const ScarRegion& strip = set.scars[0];
    EXPECT_GT(strip.points_mm.size(), 5u); // densified along the surface
    // Camouflage: the strip carries the surrounding pattern, dots/area within 25% of the zone
    // density (~8 cm2, ~550 dots, and the strip's area is approximate).
    const double density = double(strip.dots) / strip.area_cm2;
    EXPECT_NEAR(density, 70.0, 0.25 * 70) << strip.dots << " dots on " << strip.area_cm2;
    EXPECT_EQ(set.scars[1].discs_mm.size(), 150u);
    EXPECT_GT(set.scars[1].dots, 0u);

    Design bare = d;
    bare.scars[0].camouflage = false;
    const FollicleSet left = generateFollicles(ellipsoidHead(), bare);
    size_t inside = 0;
    for (const Dot& dot : left.dots)
        inside += left.scars[0].contains(dot.position_mm);
    EXPECT_EQ(inside, 0u);
    EXPECT_NEAR(double(left.dots.size()), double(set.dots.size() - strip.dots), 1.0);
}

TEST(Follicles, BadInputsNameTheField) {
    const HeadModel& head = ellipsoidHead();
    {
        Design d = baseDesign();
        d.hairline.frontal_height_mm = 200; // the ellipsoid is ~145 mm glabella to top
        const std::string e = errorOf(head, d);
        EXPECT_NE(e.find("/hairline/frontal_height_mm"), std::string::npos) << e;
        EXPECT_NE(e.find("above the top of the head"), std::string::npos) << e;
    }
    {
        Design d = baseDesign();
        ZoneSpec mid = defaultZone(ZoneId::Mid);
        mid.density_per_cm2 = 0;
        d.zones = {defaultZone(ZoneId::Front), mid};
        const std::string e = errorOf(head, d);
        EXPECT_NE(e.find("/zones/1/density_per_cm2"), std::string::npos) << e;
        EXPECT_NE(e.find("enabled"), std::string::npos) << e; // suggests switching it off
        d.zones[1].density_per_cm2 = 5000;
        const std::string absurd = errorOf(head, d);
        EXPECT_NE(absurd.find("/zones/1/density_per_cm2"), std::string::npos) << absurd;
        EXPECT_NE(absurd.find("absurd"), std::string::npos) << absurd;
        d.zones[1].density_per_cm2 = 200; // possible but unusual: a warning
        const FollicleSet set = generateFollicles(head, d);
        ASSERT_FALSE(set.warnings.empty());
        EXPECT_EQ(set.warnings[0].pointer, "/zones/1/density_per_cm2");
    }
    {
        Design d = baseDesign();
        ScarSpec chin;
        chin.type = ScarType::Polygon;
        chin.points_mm = {{-10, -80, 60}, {10, -80, 60}, {0, -95, 50}}; // on the face
        d.scars = {stripScar(), chin};
        const std::string e = errorOf(head, d);
        EXPECT_NE(e.find("/scars/1/points_mm"), std::string::npos) << e;
        EXPECT_NE(e.find("outside the scalp"), std::string::npos) << e;
    }
    {
        Design d = baseDesign();
        d.hairline.shape = HairlineTemplate::Custom;
        d.hairline.control_points = {{40, 90, 70}, {40.5, 90, 70}, {-40, 90, 70}};
        const std::string e = errorOf(head, d);
        EXPECT_NE(e.find("/hairline/control_points_mm/1"), std::string::npos) << e;
        EXPECT_NE(e.find("overlaps"), std::string::npos) << e;
        d.hairline.control_points = {{40, 90, 70}};
        EXPECT_NE(errorOf(head, d).find("at least 3"), std::string::npos);
    }
    {
        Design d = baseDesign();
        d.mode = DensityMode::Total;
        d.total_dots = 0;
        EXPECT_NE(errorOf(head, d).find("/total_dots"), std::string::npos);
    }
}

// Acceptance on the real heads: landmarks and units from the head-frame code.
// `nn_floor`: 0.65 (the blue-noise floor) except on the carved Demosthenes bust.
void expectAcceptable(const FollicleSet& set, const Design& d, const char* what,
                      double nn_floor = 0.65) {
    EXPECT_EQ(set.outside_region, 0u) << what;
    EXPECT_NEAR(set.hairline.frontal_height_mm, d.hairline.frontal_height_mm, 3.0) << what;
    size_t sampled = 0;
    for (const ZoneStats& z : set.zones) {
        if (z.target_density_per_cm2 <= 0) continue;
        ++sampled;
        // +-5% for every enabled zone, the transition band and 10 cm2 zones included, on
        // coarse real meshes too (ICT's back: 8 mm edges): counts are matched to 1.5-2.5% and
        // the rest is the area quadrature's error. Measured: within 3.2%.
        EXPECT_NEAR(z.density_per_cm2, z.target_density_per_cm2, 0.05 * z.target_density_per_cm2)
            << what << " " << kZoneNames[size_t(z.id)];
    }
    EXPECT_GE(sampled, 4u) << what;
    EXPECT_GE(set.nn_min_ratio, nn_floor) << what;
    // Mean nearest neighbour of dart throwing at 0.65-0.68 of the hexagonal spacing.
    EXPECT_GT(set.nn_mean_ratio, 0.70) << what;
    EXPECT_LT(set.nn_mean_ratio, 0.85) << what;
}

TEST(FolliclesScale, AMillionDotsAndNoneOutside) {
    // The benchmark's case (tests/bench/follicles_bench.cpp): 1M dots on the 49k-triangle
    // ellipsoid head. At this density the sampler skips most classifications on the strength of
    // the zone map's margins; every dot is re-classified for the figure, so a margin that
    // overestimates anywhere shows here (it did: 61 dots behind the ears before the hairline
    // loop was resampled onto the surface).
    static const HeadModel head = test::syntheticHead({76, 115, 97.5}, 64);
    Design d;
    d.seed = 11;
    d.hairline.nape_height_mm = -30;
    d.mode = DensityMode::Total;
    d.total_dots = 1000000;
    const FollicleSet set = generateFollicles(head, d);
    EXPECT_NEAR(double(set.dots.size()), 1e6, 0.05e6);
    EXPECT_EQ(set.outside_region, 0u);
    EXPECT_GE(set.nn_min_ratio, 0.65);
}

TEST(FolliclesAcceptance, IctHead) {
    Design d = baseDesign();
    d.head.mesh =
        test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    const HeadModel head = loadHeadModel(d.head);
    const FollicleSet set = generateFollicles(head, d);
    expectAcceptable(set, d, "ICT");
    // A real scalp above a natural line: 400-700 cm2 (DESIGN.md: 500-775 for the whole scalp).
    EXPECT_GT(set.area_cm2, 400);
    EXPECT_LT(set.area_cm2, 700);
}

TEST(FolliclesAcceptance, MannequinWithTheNaturalExample) {
    // The bundled demo as a user runs it: examples/natural.json on meshes/mannequin.glb.
    const Design d = loadDesign(test::sourceDir() / "examples" / "natural.json");
    const HeadModel head = loadHeadModel(d.head);
    const FollicleSet set = generateFollicles(head, d);
    expectAcceptable(set, d, "mannequin");
    // natural.json enables the transition, front, mid and crown zones (the others are on by
    // default): the transition band must be there and hold its target.
    const ZoneStats& band = set.zones[size_t(ZoneId::FrontTransition)];
    EXPECT_GT(band.dots, 200u);
    EXPECT_GT(set.area_cm2, 400);
    EXPECT_LT(set.area_cm2, 775);
}

TEST(FolliclesAcceptance, DemosthenesBumpyScalpIsUniformOnTheSurface) {
    Design d = baseDesign();
    d.head.mesh = test::sharedHeads() / "demosthenes_bust" / "demosthenes-low-res.obj";
    const HeadModel head = loadHeadModel(d.head);
    const FollicleSet set = generateFollicles(head, d);
    // The floor, 0.65, on the carved curls too: where a triangle faces away from the
    // chart's ray, the inset probes also circle across the ray (before, two zones' dots faced
    // each other at 0.61 of their spacing on the temple).
    expectAcceptable(set, d, "Demosthenes");
    // Local uniformity on the true surface: cut the scalp into patches of about 4 cm2
    // (triangles grouped by 20 mm cubes of their centroid; the carved surface in a cube is
    // measured by its own triangle areas) and compare the dots in each patch with the
    // target density x the patch's true area. Patches of one zone only (borders and the
    // transition's falloff are tested elsewhere), at least 3 cm2 wholly inside the region.
    // Expected dots per patch ~250-300: dart throwing's count fluctuation is about
    // +-3%, the patch edge (a dot is counted by the triangle it lies on) another +-5%; the
    // band +-15% per patch and +-5% on the spread catch any bias from the bumps (a sampler
    // uniform in projection would be 20-40% short on the carved patches).
    const Mesh& mesh = head.mesh;
    struct Patch {
        double area_mm2 = 0;
        size_t dots = 0;
        int zone = -1;
        bool mixed = false;
    };
    std::map<std::tuple<int, int, int>, Patch> patches;
    auto keyOf = [](const glm::dvec3& p) {
        return std::make_tuple(int(std::floor(p.x / 20)), int(std::floor(p.y / 20)),
                               int(std::floor(p.z / 20)));
    };
    // Zone of each triangle from the zone map at its corners (-1: outside or on a border).
    std::vector<Problem> warnings;
    const ScalpRegion region(head, d.hairline, d.seed, "", warnings);
    std::vector<int> dots_of(mesh.triangles.size(), 0);
    for (const Dot& dot : set.dots)
        dots_of[dot.triangle]++;
    for (size_t t = 0; t < mesh.triangles.size(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::dvec3 a = mesh.positions[tri.x], b = mesh.positions[tri.y],
                         c = mesh.positions[tri.z];
        const glm::dvec3 centroid = (a + b + c) / 3.0;
        // Only the scalp's neighbourhood: the face and neck would make empty "patches".
        if (!region.classify(centroid).inside && dots_of[t] == 0) continue;
        Patch& patch = patches[keyOf(centroid)];
        patch.area_mm2 += 0.5 * glm::length(glm::cross(b - a, c - a));
        patch.dots += size_t(dots_of[t]);
        int zone = -2;
        for (const glm::dvec3& v : {a, b, c}) {
            const ZonePoint zp = region.classify(v);
            const int z = zp.inside ? int(zp.zone) : -1;
            zone = zone == -2 || zone == z ? z : -1;
        }
        if (zone < 0 || (patch.zone >= 0 && patch.zone != zone)) patch.mixed = true;
        patch.zone = zone;
    }
    std::vector<double> ratios;
    for (const auto& [key, patch] : patches) {
        if (patch.mixed || patch.zone < 0 || patch.area_mm2 < 300) continue;
        const ZoneStats& zone = set.zones[size_t(patch.zone)];
        if (zone.id == ZoneId::FrontTransition) continue;
        const double expected = zone.target_density_per_cm2 * patch.area_mm2 / 100;
        ratios.push_back(double(patch.dots) / expected);
    }
    ASSERT_GT(ratios.size(), 30u) << "too few whole patches to judge uniformity";
    double sum = 0, worst = 0;
    for (double r : ratios) {
        sum += r;
        worst = std::max(worst, std::abs(r - 1));
    }
    EXPECT_NEAR(sum / double(ratios.size()), 1.0, 0.05);
    EXPECT_LT(worst, 0.15) << ratios.size() << " patches";
    const ZoneStats& mid = set.zones[size_t(ZoneId::Mid)];
    EXPECT_GT(mid.dots, 1000u);
}

// A picture of the dots for docs/: the bundled demo (examples/natural.json on the mannequin)
// from the top, the front, and a close-up of the front transition from above, drawn by the
// CPU preview rasterizer with each dot at its true diameter. Written to the test output
// folder; docs/images/follicles_top_front.png is a copy.
TEST(FolliclesPicture, TopAndFrontViews) {
    const Design d = loadDesign(test::sourceDir() / "examples" / "natural.json");
    const HeadModel head = loadHeadModel(d.head);
    const FollicleSet set = generateFollicles(head, d);
    PreviewOptions options;
    options.width = 900;
    options.height = 900;
    options.supersample = 2;
    for (const Dot& dot : set.dots) {
        PreviewDot p;
        p.position = dot.position_mm;
        p.normal = dot.normal;
        p.diameter_mm = dot.diameter_mm;
        // Dilution 1..10 to a grey: diluted (low shade) dots are lighter.
        p.grey = uint8_t(std::clamp(150.0 - 18.0 * dot.shade, 20.0, 150.0));
        options.dots.push_back(p);
    }
    Box scalp;
    for (const Dot& dot : set.dots) {
        scalp.min = glm::min(scalp.min, glm::dvec3(dot.position_mm));
        scalp.max = glm::max(scalp.max, glm::dvec3(dot.position_mm));
    }
    options.view = PreviewView::Top;
    const Image8 top = renderPreview(head.mesh, options);
    options.view = PreviewView::Front;
    options.frame = std::nullopt;
    Box upper = scalp;
    upper.min.y -= 60; // the brow and the eyes under the hairline
    options.frame = upper;
    const Image8 front = renderPreview(head.mesh, options);
    // Close-up from above: 60 mm of the front line around the midline.
    const glm::dvec3 mid = set.hairline.front_line_mm[set.hairline.front_line_mm.size() / 2];
    Box close;
    close.min = mid - glm::dvec3(30, 30, 45);
    close.max = mid + glm::dvec3(30, 30, 15);
    options.view = PreviewView::Top;
    options.frame = close;
    const Image8 zoom = renderPreview(head.mesh, options);
    Image8 image(3 * options.width, options.height, 3, 255);
    int x0 = 0;
    for (const Image8* part : {&top, &front, &zoom}) {
        for (int y = 0; y < part->height; ++y)
            for (int x = 0; x < part->width; ++x)
                for (int k = 0; k < 3; ++k)
                    image.at(x0 + x, y)[k] = part->at(x, y)[k];
        x0 += part->width;
    }
    const auto dir = test::outputDir("follicles_picture");
    writeFileAtomic(dir / "follicles_top_front.png", encodePng(image), Overwrite::Yes);
    EXPECT_GT(set.dots.size(), 20000u);
}

} // namespace
} // namespace stipple

namespace stipple {
namespace {

// Size distributions per zone and needle: with needles set, each zone's dot diameters have the
// needle's mean and spread. Tolerances: the mean of n normal draws is within 4 sd/sqrt(n) of
// the true mean (the clamp to [0.4, 2] x mean cuts nothing at a 15% spread: 4 sd below, 6.7
// above); the sd to 10% (its sampling error is sd/sqrt(2n), under 4% for n > 300). The front
// transition is left out: its sizes taper across the band by design (0.7..1 x).
TEST(Follicles, NeedleSizesPerZoneMatchTheNeedle) {
    Design d = baseDesign();
    const std::pair<ZoneId, const char*> needles[] = {{ZoneId::Temples, "1RL 0.20"},
                                                      {ZoneId::Front, "1RL"},
                                                      {ZoneId::Mid, "3RL"},
                                                      {ZoneId::Crown, "3RL 0.30"}};
    for (const auto& [zone, needle] : needles) {
        ZoneSpec z = defaultZone(zone);
        z.needle = needle;
        z.diameter_mm = needleDot(needle)->diameter_mm;
        z.diameter_spread_mm = needleDot(needle)->spread_mm;
        d.zones.push_back(z);
    }
    const FollicleSet set = generateFollicles(ellipsoidHead(), d);
    for (const auto& [zone, needle] : needles) {
        double sum = 0, sum2 = 0;
        size_t n = 0;
        for (const Dot& dot : set.dots)
            if (dot.zone == zone) {
                sum += dot.diameter_mm;
                sum2 += double(dot.diameter_mm) * dot.diameter_mm;
                ++n;
            }
        ASSERT_GT(n, 300u) << needle;
        const double mean = sum / double(n), sd = std::sqrt(sum2 / double(n) - mean * mean);
        const NeedleDot expected = *needleDot(needle);
        EXPECT_NEAR(mean, expected.diameter_mm, 4 * expected.spread_mm / std::sqrt(double(n)))
            << needle;
        EXPECT_NEAR(sd, expected.spread_mm, 0.1 * expected.spread_mm) << needle;
        // Inside the published healed range (0.09-0.17 mm) for these 1-3 point needles.
        EXPECT_GE(mean, 0.09 - 1e-3) << needle;
        EXPECT_LE(mean, 0.17 + 1e-3) << needle;
    }
}

} // namespace
} // namespace stipple
