#include "stipple/core/follicle_stages.h"

#include <algorithm>
#include <cstring>
#include <map>

#include <gtest/gtest.h>

#include "stipple/core/image.h"
#include "synthetic_head.h"
#include "test_util.h"

// The stages a Session caches (follicle_stages.h) against their composition,
// generateFollicles(): one zone sampled alone must give exactly the dots that zone has among
// all zones, whatever the other zones are, on the synthetic ellipsoid and on the mannequin with
// the bundled demo design.

namespace stipple {
namespace {

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

// Field by field, bit for bit (float ==; NaN would fail, and there must be none).
bool sameDot(const Dot& a, const Dot& b) {
    return a.position_mm == b.position_mm && a.normal == b.normal &&
           a.diameter_mm == b.diameter_mm && a.aspect == b.aspect && a.angle_rad == b.angle_rad &&
           a.shade == b.shade && a.zone == b.zone && a.triangle == b.triangle && a.id == b.id;
}

// The dots of `zone` in `set`, in order.
std::vector<Dot> dotsOf(const FollicleSet& set, ZoneId zone) {
    std::vector<Dot> out;
    for (const Dot& d : set.dots)
        if (d.zone == zone) out.push_back(d);
    return out;
}

// Expects zone z's dots from sampleZone() on its own to be generateFollicles()' zone z, for
// every zone, but for the dots the merge drops at a border (resolveBorders() in follicles.cpp):
// the whole set's zone z is the alone set in order, bit for bit, with some dots left out, and
// each left-out dot has a dot of another zone in the whole set closer than 0.65 x the larger
// of the two dots' hexagonal spacings. Returns how many zones had dots.
size_t expectEachZoneAloneEqualsTheWhole(const HeadModel& head, const Design& design,
                                         const std::string& what) {
    const FollicleSet whole = generateFollicles(head, design);
    std::vector<Problem> warnings;
    const std::string file = design.source.string();
    const FollicleRegion region(head, design.hairline, design.seed,
                                design.density_mask ? &*design.density_mask : nullptr, file,
                                warnings);
    const ZoneSettings settings = zoneSettings(design);
    const PerZone<double> peaks = zonePeaks(region, settings, file, warnings);
    PerZone<ZoneDots> alone;
    std::map<uint64_t, double> spacing_of; // dot id -> hexagonal spacing, mm
    for (size_t z = 0; z < peaks.size(); ++z) {
        alone[z] = sampleZone(head, region, ZoneId(z), settings.zones[z], peaks[z]);
        for (size_t i = 0; i < alone[z].dots.size(); ++i)
            spacing_of[alone[z].dots[i].id] =
                std::sqrt(2.0 / (std::sqrt(3.0) * alone[z].local_density_per_mm2[i]));
    }
    size_t zones_with_dots = 0, dropped_total = 0, alone_total = 0;
    for (size_t z = 0; z < peaks.size(); ++z) {
        const std::vector<Dot> expected = dotsOf(whole, ZoneId(z));
        EXPECT_EQ(alone[z].local_density_per_mm2.size(), alone[z].dots.size());
        size_t next = 0, differing = 0, unexplained = 0;
        for (const Dot& dot : alone[z].dots) {
            if (next < expected.size() && expected[next].id == dot.id) {
                differing += sameDot(dot, expected[next]) ? 0 : 1;
                ++next;
                continue;
            }
            ++dropped_total;
            bool near = false;
            for (const Dot& other : whole.dots) {
                if (other.zone == dot.zone) continue;
                const double limit = 0.65 * std::max(spacing_of[dot.id], spacing_of[other.id]);
                near = near || glm::length(other.position_mm - dot.position_mm) < limit * 1.0001;
                if (near) break;
            }
            unexplained += near ? 0 : 1;
        }
        alone_total += alone[z].dots.size();
        EXPECT_EQ(next, expected.size()) << what << ", zone " << kZoneNames[z]
                                         << ": a dot of the whole set is not in the zone alone";
        EXPECT_EQ(differing, 0u) << what << ", zone " << kZoneNames[z] << " of " << expected.size();
        EXPECT_EQ(unexplained, 0u) << what << ", zone " << kZoneNames[z]
                                   << ": dropped without another zone's dot near";
        zones_with_dots += expected.empty() ? 0 : 1;
    }
    // The border resolution drops a border's worth, not a zone's: measured 1.5-3%.
    EXPECT_LT(double(dropped_total), 0.05 * double(alone_total)) << what;
    EXPECT_EQ(dropped_total, whole.border_dropped) << what;
    return zones_with_dots;
}

TEST(FollicleStages, EachZoneAloneEqualsItsDotsInTheWholeOnTheEllipsoid) {
    // All seven zones are on by default: every border pairs zones, so the ball cache of a zone
    // run alone differs from the all-zone pass near every border. Its balls are proofs, so the
    // dots must not differ.
    EXPECT_EQ(expectEachZoneAloneEqualsTheWhole(ellipsoidHead(), baseDesign(), "ellipsoid"), 7u);
}

TEST(FollicleStages, EachZoneAloneEqualsItsDotsInTheWholeInTotalMode) {
    Design d = baseDesign();
    d.mode = DensityMode::Total;
    d.total_dots = 20000;
    EXPECT_EQ(expectEachZoneAloneEqualsTheWhole(ellipsoidHead(), d, "total mode"), 7u);
}

TEST(FollicleStagesAcceptance, EachZoneAloneEqualsItsDotsInTheWholeOnTheMannequin) {
    const Design d = loadDesign(test::sourceDir() / "examples" / "natural.json");
    const HeadModel head = loadHeadModel(d.head);
    // natural.json leaves every zone on (four of them with their own densities).
    EXPECT_EQ(expectEachZoneAloneEqualsTheWhole(head, d, "mannequin natural.json"), 7u);
}

// A grey mask written to a temp folder and parsed with the design, as a user gives it.
Design maskedDesign(const std::string& name, const Image8& mask, double strength) {
    const std::filesystem::path dir = test::outputDir(name);
    writeFileAtomic(dir / "mask.png", encodePng(mask), Overwrite::Yes);
    const std::string json = R"({"stipple": 1, "seed": 7, "head": {"mesh": "head.glb"},
        "hairline": {"nape_height_mm": -30},
        "density_mask": {"image": "mask.png", "strength": )" +
                             std::to_string(strength) + "}}";
    return parseDesign(json, dir / "design.json");
}

TEST(FollicleStages, EachZoneAloneEqualsItsDotsInTheWholeWithAMask) {
    // A gradient with fine structure: the local density (and so the radius) varies everywhere.
    Image8 mask(128, 128, 1);
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
            mask.at(x, y)[0] = uint8_t(60 + (x + 3 * y + (x * y) % 29) % 196);
    const Design d = maskedDesign("stages_mask_gradient", mask, 0.8);
    EXPECT_EQ(expectEachZoneAloneEqualsTheWhole(ellipsoidHead(), d, "mask"), 7u);
}

TEST(FollicleStages, AUniformMaskScalesEachZonesDensityIntegral) {
    // Known answer: a uniform mask of grey g at strength s multiplies the local density by
    // 1 - s + s g / 255 everywhere, so a zone without falloff (all but the transition band)
    // integrates to exactly that fraction of its area (the same quadrature points; 1e-9 for the
    // summation's rounding).
    const Image8 grey(16, 16, 1, 102); // 0.4
    const Design d = maskedDesign("stages_mask_uniform", grey, 0.5);
    std::vector<Problem> warnings;
    const FollicleRegion masked(ellipsoidHead(), d.hairline, d.seed, &*d.density_mask, "",
                                warnings);
    EXPECT_TRUE(masked.maskActive());
    const double factor = 1 - 0.5 + 0.5 * 102.0 / 255.0; // 0.7
    for (size_t z = 1; z < size_t(ZoneId::Count); ++z) {
        const ZoneId zone = ZoneId(z);
        ASSERT_GT(masked.areaMm2(zone), 500) << kZoneNames[z];
        EXPECT_NEAR(masked.densityIntegralMm2(zone) / masked.areaMm2(zone), factor, 1e-9)
            << kZoneNames[z];
    }
    // And the dots follow: the mid zone at its density x 0.7 (+-5%: the count matching holds each
    // zone within 2.5% of its target, plus the quadrature, as in the unmasked tests).
    const FollicleSet set = generateFollicles(ellipsoidHead(), d);
    const ZoneStats& mid = set.zones[size_t(ZoneId::Mid)];
    const double target = defaultZone(ZoneId::Mid).density_per_cm2 * factor;
    EXPECT_NEAR(mid.density_per_cm2, target, 0.05 * target);
}

TEST(FollicleStages, AMaskThatWasNotDecodedIsAnErrorNamingTheImage) {
    DensityMaskSpec spec; // built in code: a path, no pixels
    spec.image = "/somewhere/mask.png";
    std::vector<Problem> warnings;
    try {
        FollicleRegion region(ellipsoidHead(), baseDesign().hairline, 7, &spec, "d.json", warnings);
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/density_mask/image"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("readable grey PNG"), std::string::npos) << e.what();
    }
}

TEST(FollicleStages, ChangingOneZoneLeavesTheOtherZonesStagesIdentical) {
    // Through the stage API, as a Session edits: the region is shared, the crown's density and
    // size change, the temples go off. Every other zone's peak and dots stay the same, and
    // resampling only the changed zones (sampleZones with `which`) gives the same set as a
    // full recompute.
    const Design before = baseDesign();
    Design after = before;
    ZoneSpec crown = defaultZone(ZoneId::Crown);
    crown.density_per_cm2 = 110;
    crown.diameter_mm = 0.6;
    after.zones.push_back(crown);
    ZoneSpec temples = defaultZone(ZoneId::Temples);
    temples.enabled = false;
    after.zones.push_back(temples);

    std::vector<Problem> warnings;
    const FollicleRegion region(ellipsoidHead(), before.hairline, before.seed, nullptr, "",
                                warnings);
    const ZoneSettings s0 = zoneSettings(before), s1 = zoneSettings(after);
    const PerZone<double> p0 = zonePeaks(region, s0, "", warnings);
    const PerZone<double> p1 = zonePeaks(region, s1, "", warnings);
    PerZone<bool> all;
    all.fill(true);
    SamplingScratch scratch;
    const PerZone<ZoneDots> z0 = sampleZones(ellipsoidHead(), region, s0.zones, p0, all, &scratch);
    PerZone<bool> changed{};
    changed[size_t(ZoneId::Crown)] = changed[size_t(ZoneId::Temples)] = true;
    PerZone<ZoneDots> z1 = sampleZones(ellipsoidHead(), region, s1.zones, p1, changed, &scratch);
    for (size_t z = 0; z < z0.size(); ++z) {
        if (changed[z]) continue;
        EXPECT_EQ(p0[z], p1[z]) << kZoneNames[z];
        EXPECT_TRUE(z0[z].sampled) << kZoneNames[z];
        EXPECT_FALSE(z1[z].sampled) << kZoneNames[z] << ": not asked for";
        z1[z] = z0[z]; // the cached zone, as a Session keeps it
    }
    EXPECT_FALSE(z1[size_t(ZoneId::Temples)].sampled);
    EXPECT_TRUE(z1[size_t(ZoneId::Temples)].dots.empty());
    PerZone<const ZoneDots*> merged{};
    for (size_t z = 0; z < z1.size(); ++z)
        merged[z] = &z1[z];
    std::vector<Problem> assemble_warnings;
    const FollicleSet partial =
        assembleFollicles(ellipsoidHead(), region, merged, after.scars,
                          after.impressions_per_session, "", assemble_warnings);
    const FollicleSet full = generateFollicles(ellipsoidHead(), after);
    ASSERT_EQ(partial.dots.size(), full.dots.size());
    size_t differing = 0;
    for (size_t i = 0; i < full.dots.size(); ++i)
        differing += sameDot(partial.dots[i], full.dots[i]) ? 0 : 1;
    EXPECT_EQ(differing, 0u);
    EXPECT_EQ(partial.nn_min_ratio, full.nn_min_ratio);
    EXPECT_EQ(partial.area_cm2, full.area_cm2);
    EXPECT_EQ(partial.zones[size_t(ZoneId::Temples)].dots, 0u);
    EXPECT_EQ(partial.outside_region, 0u);
    // The crown itself did change (110/cm2 against the default).
    EXPECT_NE(z0[size_t(ZoneId::Crown)].dots.size(), z1[size_t(ZoneId::Crown)].dots.size());
}

TEST(FollicleStages, ARegionOnASharedScalpRegionEqualsOneThatBuildsItsOwn) {
    // A Session keeps the ScalpRegion (the chart reads it) and rebuilds only the follicle
    // tables for a mask edit: the two constructors must agree exactly.
    const Design d = baseDesign();
    std::vector<Problem> warnings;
    const FollicleRegion own(ellipsoidHead(), d.hairline, d.seed, nullptr, "", warnings);
    const FollicleRegion shared(ellipsoidHead(), own.sharedScalp(), d.hairline, d.seed, nullptr,
                                "");
    EXPECT_EQ(&own.scalp(), &shared.scalp());
    for (size_t z = 0; z < size_t(ZoneId::Count); ++z) {
        EXPECT_EQ(own.areaMm2(ZoneId(z)), shared.areaMm2(ZoneId(z)));
        EXPECT_EQ(own.densityIntegralMm2(ZoneId(z)), shared.densityIntegralMm2(ZoneId(z)));
    }
    const ZoneSpec front = defaultZone(ZoneId::Front);
    const ZoneDots a = sampleZone(ellipsoidHead(), own, ZoneId::Front, front, 0.7);
    const ZoneDots b = sampleZone(ellipsoidHead(), shared, ZoneId::Front, front, 0.7);
    ASSERT_EQ(a.dots.size(), b.dots.size());
    ASSERT_GT(a.dots.size(), 1000u);
    for (size_t i = 0; i < a.dots.size(); ++i)
        ASSERT_TRUE(sameDot(a.dots[i], b.dots[i])) << i;
}

TEST(FollicleStages, ZonePeaksValidateWithTheDesignsPointers) {
    std::vector<Problem> warnings;
    const FollicleRegion region(ellipsoidHead(), baseDesign().hairline, 7, nullptr, "d.json",
                                warnings);
    Design d = baseDesign();
    ZoneSpec mid = defaultZone(ZoneId::Mid);
    mid.diameter_mm = 0;
    d.zones = {defaultZone(ZoneId::Crown), mid};
    try {
        zonePeaks(region, zoneSettings(d), "d.json", warnings);
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        // The pointer is the zone's index in the design's array (1), not its ZoneId (2).
        EXPECT_NE(std::string(e.what()).find("/zones/1/diameter_mm"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("accepted 0.1..1.2"), std::string::npos);
    }
    // Density mode: each peak is the zone's own density, per mm^2; a zone that is off has 0.
    d.zones = {defaultZone(ZoneId::Crown)};
    d.zones[0].enabled = false;
    const PerZone<double> peaks = zonePeaks(region, zoneSettings(d), "d.json", warnings);
    EXPECT_EQ(peaks[size_t(ZoneId::Crown)], 0.0);
    EXPECT_DOUBLE_EQ(peaks[size_t(ZoneId::Mid)], defaultZone(ZoneId::Mid).density_per_cm2 / 100);
    // Total mode: the peaks share the total, so peak x density integral sums to it.
    d.mode = DensityMode::Total;
    d.total_dots = 30000;
    const PerZone<double> shared = zonePeaks(region, zoneSettings(d), "d.json", warnings);
    double expected = 0;
    for (size_t z = 0; z < shared.size(); ++z)
        expected += shared[z] * region.densityIntegralMm2(ZoneId(z));
    EXPECT_NEAR(expected, 30000, 1e-6 * 30000);
    EXPECT_EQ(shared[size_t(ZoneId::Crown)], 0.0);
}

} // namespace
} // namespace stipple
