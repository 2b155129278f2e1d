#include "stipple/core/design.h"

#include <fstream>

#include <gtest/gtest.h>

#include "stipple/core/hash.h"
#include "stipple/core/image.h"
#include "test_util.h"

// The design parser's contract is its messages: each problem names the file, the JSON pointer,
// the value found and what is accepted. These tests pin the messages users will read.

namespace stipple {
namespace {

namespace fs = std::filesystem;

const std::string kMinimal = R"({"stipple": 1, "head": {"mesh": "head.glb"}})";

// A minimal valid design with `extra` members appended to the root object.
std::string withRoot(const std::string& extra) {
    return R"({"stipple": 1, "head": {"mesh": "head.glb"}, )" + extra + "}";
}

// Parses text that must fail; returns the problems.
std::vector<Problem> problemsOf(const std::string& text, const fs::path& source = "d.json") {
    try {
        parseDesign(text, source);
    } catch (const Error& e) {
        return e.problems();
    }
    ADD_FAILURE() << "expected stipple::Error for: " << text;
    return {};
}

// The message of the (first) error at `pointer`, or "" with a test failure listing all.
std::string errorAt(const std::string& text, const std::string& pointer) {
    const std::vector<Problem> problems = problemsOf(text);
    for (const Problem& p : problems)
        if (p.pointer == pointer && !p.warning) return p.message;
    std::string all;
    for (const Problem& p : problems)
        all += "\n  " + p.format();
    ADD_FAILURE() << "no error at " << pointer << "; got:" << all;
    return {};
}

#define EXPECT_CONTAINS(haystack, needle)                                                          \
    EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                               \
        << "\"" << (haystack) << "\" does not contain \"" << (needle) << "\""

TEST(Design, MinimalDesignGetsDocumentedDefaults) {
    const Design d = parseDesign(kMinimal, "/clinic/designs/client.json");
    EXPECT_EQ(d.version, 1);
    EXPECT_EQ(d.seed, 1u);
    EXPECT_EQ(d.head.mesh, fs::path("/clinic/designs/head.glb")); // relative to the design
    EXPECT_FALSE(d.head.mm_per_unit);
    EXPECT_FALSE(d.head.up);
    EXPECT_EQ(d.hairline.shape, HairlineTemplate::Natural);
    EXPECT_EQ(d.hairline.frontal_height_mm, 80);
    EXPECT_EQ(d.mode, DensityMode::Density);
    EXPECT_TRUE(d.zones.empty());
    EXPECT_EQ(d.zone(ZoneId::Crown).density_per_cm2, defaultZone(ZoneId::Crown).density_per_cm2);
    EXPECT_EQ(d.pigment.fitzpatrick, 3); // filled when neither skin source is given
    EXPECT_EQ(d.pigment.ink, InkType::Permanent);
    EXPECT_EQ(d.render.width, 1920);
    EXPECT_EQ(d.render.msaa, 4);
    EXPECT_TRUE(d.warnings.empty());
    EXPECT_EQ(d.sha256, sha256Hex(kMinimal));
}

TEST(Design, DefaultZonesAreLighterAndSmallerAtTheFront) {
    // SMP practice: single-prong, diluted dots at the hairline, larger and darker behind it.
    const ZoneSpec edge = defaultZone(ZoneId::FrontTransition);
    const ZoneSpec crown = defaultZone(ZoneId::Crown);
    EXPECT_LT(edge.diameter_mm, crown.diameter_mm);
    EXPECT_LT(edge.shade, crown.shade);
    EXPECT_LT(edge.density_per_cm2, crown.density_per_cm2);
    for (size_t i = 0; i < size_t(ZoneId::Count); ++i) {
        const ZoneSpec z = defaultZone(ZoneId(i));
        EXPECT_EQ(z.id, ZoneId(i));
        // Domain: healed dots 0.09-0.17 mm at the surface (the needles' healed dots:
        // 1RL at the hairline and temples, 3RL behind), densities up to natural ~90/cm².
        EXPECT_GE(z.diameter_mm, 0.09);
        EXPECT_LE(z.diameter_mm, 0.17 + 1e-9);
        const char* needle = i == size_t(ZoneId::FrontTransition) || i == size_t(ZoneId::Temples)
                                 ? "1RL 0.25"
                             : i == size_t(ZoneId::Crown) || i == size_t(ZoneId::Back) ? "3RL 0.30"
                                                                                       : "3RL 0.25";
        EXPECT_EQ(z.diameter_mm, needleDot(needle)->diameter_mm) << zoneName(ZoneId(i));
        EXPECT_EQ(z.diameter_spread_mm, needleDot(needle)->spread_mm) << zoneName(ZoneId(i));
        EXPECT_LE(z.density_per_cm2, 90);
        EXPECT_EQ(parseZoneName(zoneName(ZoneId(i))), ZoneId(i));
    }
    EXPECT_FALSE(parseZoneName("Crown"));
}

TEST(Design, PartialZoneKeepsThatZonesDefaults) {
    const Design d = parseDesign(withRoot(R"("zones": [{"name": "crown", "shade": 7}])"), "d.json");
    ASSERT_EQ(d.zones.size(), 1u);
    EXPECT_EQ(d.zone(ZoneId::Crown).shade, 7);
    EXPECT_EQ(d.zone(ZoneId::Crown).diameter_mm, defaultZone(ZoneId::Crown).diameter_mm);
}

TEST(Design, OutOfRangeNamesFilePointerValueAndRange) {
    try {
        parseDesign(
            withRoot(R"("zones": [{"name": "mid"}, {"name": "front", "density_per_cm2": 900}])"),
            "demo.json");
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(),
                        "demo.json: /zones/1/density_per_cm2: 900 is out of range 5..150 dots/cm²");
    }
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"frontal_height_mm": 130})"),
                            "/hairline/frontal_height_mm"),
                    "130 is out of range 60..110 mm");
    EXPECT_CONTAINS(errorAt(withRoot(R"("pigment": {"age_days": -1})"), "/pigment/age_days"),
                    "-1 is out of range 0..3650 days");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"width": 5000})"), "/render/width"),
                    "5000 is out of range 16..3840 px");
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("impressions_per_session": 99)"), "/impressions_per_session"),
        "99 is out of range 1000..50000");
}

TEST(Design, WrongTypesSayWhatWasFoundAndExpected) {
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"frontal_height_mm": "80"})"),
                            "/hairline/frontal_height_mm"),
                    "\"80\" is a string; expected a number in 60..110 mm");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"top_view": "yes"})"), "/render/top_view"),
                    "expected true or false");
    EXPECT_CONTAINS(errorAt(withRoot(R"("zones": {"name": "front"})"), "/zones"),
                    "is an object; expected an array");
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("render": {"turntable_frames": 36.5})"), "/render/turntable_frames"),
        "36.5 is not a whole number; expected an integer in 1..720");
    EXPECT_CONTAINS(errorAt(withRoot(R"("seed": -3)"), "/seed"), "-3 is negative");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": "head.glb"})", "/head"),
                    "\"head.glb\" is a string; expected an object");
}

TEST(Design, LargeSeedsAreKeptExactly) {
    const Design d = parseDesign(withRoot(R"("seed": 18446744073709551615)"), "d.json");
    EXPECT_EQ(d.seed, 18446744073709551615ull);
}

TEST(Design, VersionIsRequiredAndMustBeOne) {
    EXPECT_CONTAINS(errorAt(R"({"head": {"mesh": "h.glb"}})", "/stipple"),
                    "missing required field \"stipple\"");
    EXPECT_CONTAINS(errorAt(R"({"head": {"mesh": "h.glb"}})", "/stipple"), "accepted: 1");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 2, "head": {"mesh": "h.glb"}})", "/stipple"),
                    "2 is not a version this Stipple");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 2, "head": {"mesh": "h.glb"}})", "/stipple"),
                    "accepted: 1");
    EXPECT_CONTAINS(errorAt(R"({"stipple": "1", "head": {"mesh": "h.glb"}})", "/stipple"),
                    "accepted: 1");
}

TEST(Design, HeadAndMeshAreRequiredAndMeshMayNotBeEmpty) {
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1})", "/head"), "missing required section \"head\"");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": {}})", "/head/mesh"),
                    "missing required field \"mesh\"");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": {"mesh": ""}})", "/head/mesh"), "is empty");
}

TEST(Design, RootMustBeAnObject) {
    EXPECT_CONTAINS(errorAt("[1, 2]", ""), "the design must be a JSON object");
}

TEST(Design, InvalidJsonReportsLineAndColumn) {
    // The stray "}" after the comma is line 3, column 28.
    const std::string text = "{\n  \"stipple\": 1,\n  \"head\": {\"mesh\": \"x.glb\",}\n}\n";
    try {
        parseDesign(text, "broken.json");
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(), "broken.json: invalid JSON at line 3, column 28");
        EXPECT_CONTAINS(e.what(), "unexpected '}'");
    }
    // Columns count characters, not bytes: "²" is two bytes in UTF-8, and the stray "}" is the
    // 15th character of the line (the 16th byte).
    const std::vector<Problem> problems = problemsOf("{\"name\": \"²\", }", "u.json");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_CONTAINS(problems[0].message, "line 1, column 15");
    EXPECT_CONTAINS(problemsOf("", "empty.json").at(0).message, "line 1, column 1");
    EXPECT_CONTAINS(problemsOf("{\"stipple\": 1,", "cut.json").at(0).message,
                    "invalid JSON at line 1, column 15");
}

TEST(Design, NumbersTooLargeForADoubleAreInvalidJsonWithAPosition) {
    // nlohmann throws out_of_range (not parse_error) for 1e400; it must still be bad input
    // with a position, not an internal error.
    const std::vector<Problem> problems =
        problemsOf("{\"stipple\": 1,\n \"seed\": 1e400}", "big.json");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_CONTAINS(problems[0].message, "invalid JSON at line 2, column 10");
    EXPECT_CONTAINS(problems[0].message, "1e400");
}

TEST(Design, WholeFloatsCountAsIntegersAndNullIsNotAValue) {
    const Design d = parseDesign(R"({"stipple": 1.0, "head": {"mesh": "h"},
        "render": {"msaa": 2.0, "layer_size": 2048.0}, "pigment": {"fitzpatrick": "iv"}})",
                                 "d.json");
    EXPECT_EQ(d.render.msaa, 2);
    EXPECT_EQ(d.render.layer_size, 2048);
    EXPECT_EQ(d.pigment.fitzpatrick, 4);
    EXPECT_CONTAINS(errorAt(withRoot(R"("zones": [null])"), "/zones/0"),
                    "null is not a value; expected a zone object");
}

TEST(Design, UnknownFieldsSuggestTheClosestKnownField) {
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"frontal_heigth_mm": 80})"),
                            "/hairline/frontal_heigth_mm"),
                    "unknown field \"frontal_heigth_mm\"; did you mean \"frontal_height_mm\"?");
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("pigment": {"hair_color": "#102030"})"), "/pigment/hair_color"),
        "did you mean \"hair_colour\"?");
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("zones": [{"name": "mid", "density": 60}])"), "/zones/0/density"),
        "did you mean \"density_per_cm2\"?");
    EXPECT_CONTAINS(errorAt(withRoot(R"("Seed": 4)"), "/Seed"), "did you mean \"seed\"?");
    // Nothing close: list what is accepted instead of guessing.
    const std::string far = errorAt(withRoot(R"("colour_of_the_sky": 1)"), "/colour_of_the_sky");
    EXPECT_CONTAINS(far, "accepted fields here:");
    EXPECT_CONTAINS(far, "\"hairline\"");
    EXPECT_EQ(far.find("did you mean"), std::string::npos);
    // Landmark names and enum values get suggestions too.
    EXPECT_CONTAINS(errorAt(withRoot(R"("zones": [{"name": "crwn"}])"), "/zones/0/name"),
                    "did you mean \"crown\"?");
}

TEST(Design, DuplicateJsonKeysAreReportedWithTheirPointer) {
    EXPECT_CONTAINS(
        errorAt(
            withRoot(R"("zones": [{"name": "mid"}, {"name": "front", "shade": 4, "shade": 6}])"),
            "/zones/1/shade"),
        "is given twice");
}

TEST(Design, EnumsListTheAcceptedValues) {
    const std::string message =
        errorAt(withRoot(R"("hairline": {"template": "wavy"})"), "/hairline/template");
    EXPECT_CONTAINS(message, "\"wavy\" is not accepted; accepted: \"natural\", \"defined\", "
                             "\"soft\", \"receded\", \"widows_peak\", \"custom\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("mode": "dots")"), "/mode"),
                    "accepted: \"density\", \"total\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"lighting": "neon"})"), "/render/lighting"),
                    "accepted: \"studio\", \"clinic\", \"daylight\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"msaa": 8})"), "/render/msaa"),
                    "8 is not accepted; accepted: 0, 2, 4");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"layer_size": 3000})"), "/render/layer_size"),
                    "accepted: 1024, 2048, 4096, 8192");
    EXPECT_CONTAINS(errorAt(withRoot(R"("head": {"mesh": "h", "units": "feet"})"), "/head/units"),
                    "accepted: \"mm\", \"cm\", \"m\", \"in\", \"auto\"");
}

TEST(Design, ColoursAreHashRrggbb) {
    const Design d = parseDesign(
        withRoot(R"("pigment": {"hair_colour": "#FF8000"}, "render": {"background": "#000000"})"),
        "d.json");
    EXPECT_DOUBLE_EQ(d.pigment.hair_colour_srgb.x, 1.0);
    EXPECT_NEAR(d.pigment.hair_colour_srgb.y, 128.0 / 255.0, 1e-12);
    EXPECT_DOUBLE_EQ(d.pigment.hair_colour_srgb.z, 0.0);
    EXPECT_EQ(d.render.background, Background::Colour);
    EXPECT_EQ(parseDesign(withRoot(R"("render": {"background": "transparent"})"), "d.json")
                  .render.background,
              Background::Transparent);
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("pigment": {"hair_colour": "#12345"})"), "/pigment/hair_colour"),
        "\"#12345\" is not a colour; expected a colour \"#rrggbb\"");
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("pigment": {"hair_colour": "#12345g"})"), "/pigment/hair_colour"),
        "is not a colour");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"background": "white"})"), "/render/background"),
                    "expected \"transparent\" or a colour \"#rrggbb\"");
}

TEST(Design, AxesParseAndMustNotBeParallel) {
    const Design d =
        parseDesign(R"({"stipple": 1, "head": {"mesh": "h", "up": "+z", "forward": "-Y"}})", "d");
    EXPECT_EQ(d.head.up, Axis::PosZ);
    EXPECT_EQ(d.head.forward, Axis::NegY);
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": {"mesh": "h", "up": "up"}})", "/head/up"),
                    "\"up\" is not an axis; accepted: \"+X\", \"-X\"");
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": {"mesh": "h", "up": "+Y", "forward": "-y"}})",
                            "/head/forward"),
                    "\"-Y\" is parallel to up \"+Y\"; forward must be perpendicular to up");
    // Z-up scan that forgot "forward": the default +Z forward is parallel to it.
    EXPECT_CONTAINS(errorAt(R"({"stipple": 1, "head": {"mesh": "h", "up": "+Z"}})", "/head/up"),
                    "parallel to the default forward axis");
    EXPECT_EQ(axisName(*parseAxis("-x")), "-X");
    EXPECT_FALSE(parseAxis("x"));
}

TEST(Design, UnitsByNameOrFactorButNotContradicting) {
    auto units = [](const std::string& head) {
        return parseDesign(R"({"stipple": 1, "head": {"mesh": "h", )" + head + "}}", "d")
            .head.mm_per_unit;
    };
    EXPECT_EQ(units(R"("units": "cm")"), 10.0);
    EXPECT_EQ(units(R"("units": "in")"), 25.4);
    EXPECT_EQ(units(R"("units": "m", "mm_per_unit": 1000)"), 1000.0);
    EXPECT_EQ(units(R"("mm_per_unit": 2.5)"), 2.5);
    EXPECT_FALSE(units(R"("units": "auto")"));
    EXPECT_CONTAINS(
        errorAt(R"({"stipple": 1, "head": {"mesh": "h", "units": "cm", "mm_per_unit": 5}})",
                "/head/mm_per_unit"),
        "5 contradicts \"units\": \"cm\" (10 mm per unit)");
    EXPECT_CONTAINS(
        errorAt(R"({"stipple": 1, "head": {"mesh": "h", "mm_per_unit": 0}})", "/head/mm_per_unit"),
        "0 is out of range 0.0001..100000 mm per mesh unit");
}

TEST(Design, LandmarksAndKeep) {
    const Design d = parseDesign(R"({"stipple": 1, "head": {"mesh": "h", "keep": ["Head", "skin"],
        "landmarks": {"glabella": [0, 14.5, 9.8], "vertex": [0, 26, 0]}}})",
                                 "d");
    ASSERT_EQ(d.head.keep.size(), 2u);
    EXPECT_EQ(d.head.keep[1], "skin");
    ASSERT_EQ(d.head.landmarks.count("glabella"), 1u);
    EXPECT_EQ(d.head.landmarks.at("glabella").y, 14.5);
    EXPECT_CONTAINS(
        errorAt(R"({"stipple": 1, "head": {"mesh": "h", "landmarks": {"nose": [0,0,0]}}})",
                "/head/landmarks/nose"),
        "did you mean \"nose_tip\"?");
    EXPECT_CONTAINS(
        errorAt(R"({"stipple": 1, "head": {"mesh": "h", "landmarks": {"vertex": [0, "a", 0]}}})",
                "/head/landmarks/vertex"),
        "is not a point; expected [x, y, z]");
    EXPECT_CONTAINS(
        errorAt(R"({"stipple": 1, "head": {"mesh": "h", "keep": [""]}})", "/head/keep/0"),
        "expected a non-empty mesh or material name");
}

TEST(Design, DuplicatedZoneNamesAreErrors) {
    EXPECT_CONTAINS(errorAt(withRoot(R"("zones": [{"name": "crown"}, {"name": "mid"},
                                                   {"name": "crown"}])"),
                            "/zones/2/name"),
                    "\"crown\" is already defined at /zones/0; each zone may appear once");
    EXPECT_CONTAINS(errorAt(withRoot(R"("zones": [{"shade": 5}])"), "/zones/0/name"),
                    "missing required field \"name\"; accepted: \"front_transition\"");
}

TEST(Design, CustomHairlineNeedsThreeControlPointsAndOnlyThen) {
    const Design d = parseDesign(withRoot(R"("hairline": {"template": "custom",
        "control_points_mm": [[-45, 95, 70], [0, 100, 80], [45, 95, 70]]})"),
                                 "d.json");
    EXPECT_EQ(d.hairline.shape, HairlineTemplate::Custom);
    ASSERT_EQ(d.hairline.control_points.size(), 3u);
    EXPECT_EQ(d.hairline.control_points[1].z, 80);
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("hairline": {"template": "custom"})"), "/hairline/control_points_mm"),
        "needs \"control_points_mm\", at least 3 points");
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"template": "custom",
                                         "control_points_mm": [[0, 100, 80], [10, 100, 80]]})"),
                            "/hairline/control_points_mm"),
                    "has 2 points; expected at least 3 points");
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"template": "soft",
        "control_points_mm": [[-45, 95, 70], [0, 100, 80], [45, 95, 70]]})"),
                            "/hairline/control_points_mm"),
                    "only used with \"template\": \"custom\" (this hairline is \"soft\")");
    // Head-frame points farther than 200 mm from the ears' midpoint cannot be on a scalp.
    EXPECT_CONTAINS(errorAt(withRoot(R"("hairline": {"template": "custom",
        "control_points_mm": [[-45, 95, 70], [0, 100, 800], [45, 95, 70]]})"),
                            "/hairline/control_points_mm/1/2"),
                    "800 is out of range -200..200 mm");
}

TEST(Design, ScarsHaveTypeSpecificFields) {
    const Design d = parseDesign(withRoot(R"("scars": [
        {"type": "strip", "points_mm": [[-60, 12, -62], [0, 22, -100], [60, 12, -62]], "width_mm": 5},
        {"type": "fue", "center_mm": [0, 40, -92], "radius_mm": 40, "count": 800},
        {"type": "polygon", "points_mm": [[10, 90, 0], [30, 90, 0], [20, 95, 20]], "camouflage": false}])"),
                                 "d.json");
    ASSERT_EQ(d.scars.size(), 3u);
    EXPECT_EQ(d.scars[0].type, ScarType::Strip);
    EXPECT_EQ(d.scars[0].width_mm, 5);
    EXPECT_EQ(d.scars[1].type, ScarType::Fue);
    ASSERT_EQ(d.scars[1].points_mm.size(), 1u); // the region centre
    EXPECT_EQ(d.scars[1].points_mm[0].z, -92);
    EXPECT_EQ(d.scars[1].count, 800);
    EXPECT_FALSE(d.scars[2].camouflage);

    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"type": "strip", "points_mm": [[0, 0, -90],
                        [10, 0, -90]], "radius_mm": 10}])"),
                            "/scars/0/radius_mm"),
                    "is only used by \"fue\" scars (this scar is \"strip\")");
    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"type": "fue", "center_mm": [0, 40, -92],
                        "points_mm": [[0, 0, -90], [10, 0, -90]]}])"),
                            "/scars/0/points_mm"),
                    "is only used by \"strip\" and \"polygon\" scars (this scar is \"fue\")");
    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"type": "fue"}])"), "/scars/0/center_mm"),
                    "missing");
    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"type": "polygon",
                        "points_mm": [[0, 0, -90], [10, 0, -90]]}])"),
                            "/scars/0/points_mm"),
                    "has 2 points; expected a closed outline of at least 3 points");
    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"points_mm": []}])"), "/scars/0/type"),
                    "missing required field \"type\"; accepted: \"strip\", \"fue\", \"polygon\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("scars": [{"type": "fue", "center_mm": [0, 40, -92],
                        "count": 9000}])"),
                            "/scars/0/count"),
                    "9000 is out of range 1..5000");
}

TEST(Design, TotalDotsRequiredExactlyInTotalMode) {
    const Design d = parseDesign(withRoot(R"("mode": "total", "total_dots": 40000)"), "d.json");
    EXPECT_EQ(d.mode, DensityMode::Total);
    EXPECT_EQ(d.total_dots, 40000);
    EXPECT_CONTAINS(errorAt(withRoot(R"("mode": "total")"), "/total_dots"),
                    "required when \"mode\" is \"total\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("total_dots": 40000)"), "/total_dots"),
                    "40000 is only used with \"mode\": \"total\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("mode": "total", "total_dots": 50)"), "/total_dots"),
                    "50 is out of range 100..2000000 dots");
    // Every weight zero leaves nowhere to put the dots.
    std::string zones;
    for (const char* name : kZoneNames)
        zones +=
            std::string(zones.empty() ? "" : ", ") + "{\"name\": \"" + name + "\", \"weight\": 0}";
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("mode": "total", "total_dots": 1000, "zones": [)" + zones + "]"),
                "/zones"),
        "at least one enabled zone needs a \"weight\" above 0");
}

TEST(Design, DensityMaskPathIsRelativeToTheDesignAndMustBeAPng) {
    const fs::path dir = test::outputDir("design_mask");
    {
        // 3 x 2 RGB: the parser keeps the first channel (red), row 0 at the top.
        Image8 rgb(3, 2, 3);
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x) {
                rgb.at(x, y)[0] = uint8_t(10 * x + 100 * y);
                rgb.at(x, y)[1] = 255;
                rgb.at(x, y)[2] = 7;
            }
        writeFileAtomic(dir / "mask.png", encodePng(rgb), Overwrite::Yes);
        std::ofstream text(dir / "mask.txt");
        text << "not an image";
    }
    const Design d = parseDesign(
        withRoot(R"("density_mask": {"image": "mask.png", "strength": 0.5})"), dir / "design.json");
    ASSERT_TRUE(d.density_mask);
    EXPECT_EQ(d.density_mask->image, dir / "mask.png");
    EXPECT_EQ(d.density_mask->strength, 0.5);
    // Decoded at parse time: the sampler never reads the file.
    ASSERT_TRUE(d.density_mask->pixels);
    const Image8& pixels = *d.density_mask->pixels;
    EXPECT_EQ(pixels.width, 3);
    EXPECT_EQ(pixels.height, 2);
    EXPECT_EQ(pixels.channels, 1);
    EXPECT_EQ(pixels.at(2, 0)[0], 20);
    EXPECT_EQ(pixels.at(1, 1)[0], 110);
    EXPECT_EQ(d.density_mask->sha256, sha256File(dir / "mask.png"));

    const std::string missing =
        errorAt(withRoot(R"("density_mask": {"image": "nope.png"})"), "/density_mask/image");
    EXPECT_CONTAINS(missing, "\"nope.png\" not found");
    try {
        parseDesign(withRoot(R"("density_mask": {"image": "mask.txt"})"), dir / "design.json");
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(), "/density_mask/image: \"mask.txt\" is not a PNG file");
    }
    EXPECT_CONTAINS(errorAt(withRoot(R"("density_mask": {"strength": 2})"), "/density_mask/image"),
                    "missing required field \"image\"");
}

// A mask cut short (a copy interrupted, a download that stopped) is a design error when the
// design is parsed, at /density_mask/image, saying what is accepted; not a failure later inside
// the sampler. Cut in the pixel data (IDAT) and in the header (IHDR); only the signature left.
TEST(Design, TruncatedOrCorruptDensityMaskIsAnErrorAtParseTime) {
    const fs::path dir = test::outputDir("design_mask_truncated");
    Image8 grey(64, 64, 1);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            grey.at(x, y)[0] = uint8_t((x * 7) ^ (y * 13));
    const std::string png = encodePng(grey);
    ASSERT_GT(png.size(), 100u);
    const std::vector<std::pair<std::string, size_t>> cuts = {
        {"idat.png", png.size() / 2}, {"ihdr.png", 20}, {"signature.png", 8}};
    for (const auto& [name, length] : cuts) {
        writeFileAtomic(dir / name, png.substr(0, length), Overwrite::Yes);
        try {
            parseDesign(withRoot(R"("density_mask": {"image": ")" + name + R"("})"),
                        dir / "design.json");
            ADD_FAILURE() << name << ": expected stipple::Error";
        } catch (const Error& e) {
            bool at_image = false;
            for (const Problem& p : e.problems())
                at_image = at_image || (p.pointer == "/density_mask/image" && !p.warning);
            EXPECT_TRUE(at_image) << name << ": " << e.what();
            EXPECT_CONTAINS(e.what(), "\"" + name + "\" cannot be decoded");
            EXPECT_CONTAINS(e.what(), "expected a readable grey PNG");
        }
    }
    // The whole file decodes to the same pixels.
    writeFileAtomic(dir / "whole.png", png, Overwrite::Yes);
    const Design d =
        parseDesign(withRoot(R"("density_mask": {"image": "whole.png"})"), dir / "design.json");
    ASSERT_TRUE(d.density_mask && d.density_mask->pixels);
    EXPECT_EQ(d.density_mask->pixels->pixels, grey.pixels);
}

// Without a mask the parser reads no file at all (hosts parse designs from memory).
TEST(Design, ParsingWithoutAMaskReadsNoFile) {
    const Design d = parseDesign(kMinimal, "/nonexistent/folder/design.json");
    EXPECT_FALSE(d.density_mask);
}

TEST(Design, PigmentSkinSources) {
    const Design roman = parseDesign(withRoot(R"("pigment": {"fitzpatrick": "IV"})"), "d.json");
    EXPECT_EQ(roman.pigment.fitzpatrick, 4);
    const Design mesh = parseDesign(withRoot(R"("pigment": {"skin_from_mesh": true})"), "d.json");
    EXPECT_FALSE(mesh.pigment.fitzpatrick);
    EXPECT_CONTAINS(errorAt(withRoot(R"("pigment": {"fitzpatrick": 2, "skin_from_mesh": true})"),
                            "/pigment/fitzpatrick"),
                    "give either \"fitzpatrick\" or \"skin_from_mesh\": true, not both");
    EXPECT_CONTAINS(errorAt(withRoot(R"("pigment": {"fitzpatrick": 7})"), "/pigment/fitzpatrick"),
                    "7 is out of range 1..6");
    EXPECT_CONTAINS(errorAt(withRoot(R"("pigment": {"ink": "henna"})"), "/pigment/ink"),
                    "accepted: \"permanent\", \"temporary\"");
}

TEST(Design, RenderViewsAreKnownAndUnique) {
    const Design d = parseDesign(withRoot(R"("render": {"views": ["top", "back"]})"), "d.json");
    EXPECT_EQ(d.render.views, (std::vector<std::string>{"top", "back"}));
    EXPECT_CONTAINS(
        errorAt(withRoot(R"("render": {"views": ["front", "front"]})"), "/render/views/1"),
        "\"front\" is listed twice");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"views": ["side"]})"), "/render/views/0"),
                    "\"side\" is not accepted; accepted: \"front\", \"back\"");
}

TEST(Design, EveryProblemIsCollectedNotJustTheFirst) {
    // Five independent mistakes in five sections: the user must see all five at once.
    const std::vector<Problem> problems = problemsOf(R"({"stipple": 1, "seed": 1.5,
        "head": {"mesh": "h", "up": "sideways"},
        "hairline": {"transition_mm": 50},
        "zones": [{"name": "mid", "diameter_mm": 3}],
        "pigment": {"hair_colour": "black"}})");
    std::vector<std::string> pointers;
    for (const Problem& p : problems) {
        EXPECT_FALSE(p.warning);
        EXPECT_EQ(p.file, "d.json");
        pointers.push_back(p.pointer);
    }
    EXPECT_EQ(pointers, (std::vector<std::string>{"/seed", "/head/up", "/hairline/transition_mm",
                                                  "/zones/0/diameter_mm", "/pigment/hair_colour"}));
}

TEST(Design, WarningsAreNonFatal) {
    const Design d =
        parseDesign(withRoot(R"("hairline": {"frontal_height_mm": 65, "asymmetry_mm": 4},
        "render": {"top_view": false})"),
                    "d.json");
    ASSERT_EQ(d.warnings.size(), 3u);
    for (const Problem& p : d.warnings)
        EXPECT_TRUE(p.warning);
    EXPECT_EQ(d.warnings[0].pointer, "/hairline/frontal_height_mm");
    EXPECT_CONTAINS(d.warnings[0].message, "lower than the usual 70 mm");
    EXPECT_EQ(d.warnings[2].pointer, "/render/top_view");
    // Parameters that nothing reads in this mode are reported (Mitsuba's "unused parameter").
    const Design unused = parseDesign(withRoot(R"("zones": [{"name": "mid", "weight": 2}])"), "d");
    ASSERT_EQ(unused.warnings.size(), 1u);
    EXPECT_EQ(unused.warnings[0].pointer, "/zones/0/weight");
    // When there are errors too, the warnings travel with them, marked as warnings.
    const std::vector<Problem> both =
        problemsOf(withRoot(R"("hairline": {"frontal_height_mm": 65}, "seed": "x")"));
    ASSERT_EQ(both.size(), 2u);
    EXPECT_FALSE(both[0].warning);
    EXPECT_TRUE(both[1].warning);
    EXPECT_CONTAINS(both[1].format(), "d.json: /hairline/frontal_height_mm: warning: ");
}

TEST(Design, LoadDesignNamesAMissingFile) {
    try {
        loadDesign("/nonexistent/client.json");
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(), "/nonexistent/client.json: file not found");
    }
}

TEST(Design, EveryExampleParsesWithoutErrors) {
    size_t count = 0;
    for (const auto& entry : fs::directory_iterator(test::sourceDir() / "examples")) {
        if (entry.path().extension() != ".json") continue;
        ++count;
        SCOPED_TRACE(entry.path().string());
        try {
            const Design d = loadDesign(entry.path());
            EXPECT_FALSE(d.name.empty()) << "examples should say what they show";
            EXPECT_EQ(d.head.mesh, (test::sourceDir() / "meshes/mannequin.glb").lexically_normal());
            for (const Problem& p : d.warnings)
                ADD_FAILURE() << "warning: " << p.format();
        } catch (const Error& e) {
            ADD_FAILURE() << e.what();
        }
    }
    EXPECT_GE(count, 5u);
    const Design natural = loadDesign(test::sourceDir() / "examples/natural.json");
    EXPECT_EQ(natural.zone(ZoneId::Front).density_per_cm2, 65);
    const Design total = loadDesign(test::sourceDir() / "examples/density_total_mode.json");
    EXPECT_EQ(total.mode, DensityMode::Total);
    const Design fut = loadDesign(test::sourceDir() / "examples/fut_scar_camouflage.json");
    ASSERT_FALSE(fut.scars.empty());
    EXPECT_EQ(fut.scars[0].type, ScarType::Strip);
    EXPECT_LT(fut.scars[0].points_mm[2].z, -50); // the strip runs across the back of the head
}

} // namespace
} // namespace stipple

namespace stipple {
namespace {

TEST(Design, CustomLightingReadsItsLights) {
    const Design d = parseDesign(withRoot(R"("render": {"lighting": "custom", "ambient": 0.1,
        "lights": [{"azimuth_deg": -40, "elevation_deg": 35, "intensity": 2.5,
                    "colour": "#fff4e0", "shadow": true},
                   {"azimuth_deg": 160, "elevation_deg": 20, "intensity": 0.8}]})"),
                                 "d.json");
    ASSERT_EQ(d.render.lights.size(), 2u);
    EXPECT_EQ(d.render.lights[0].azimuth_deg, -40);
    EXPECT_EQ(d.render.lights[0].intensity, 2.5);
    EXPECT_TRUE(d.render.lights[0].shadow);
    EXPECT_NEAR(d.render.lights[0].colour_srgb.z, 0xe0 / 255.0, 1e-12);
    EXPECT_FALSE(d.render.lights[1].shadow);
    EXPECT_EQ(d.render.ambient, 0.1);
}

TEST(Design, CustomLightingErrorsNameTheField) {
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"lighting": "custom"})"), "/render/lights"),
                    "needs an array of 1..4 lights");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"lights": [{"intensity": 1}]})"),
                            "/render/lights"),
                    "only read with \"lighting\": \"custom\"");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"lighting": "custom",
                                        "lights": [{"elevation_deg": 120}]})"),
                            "/render/lights/0/elevation_deg"),
                    "-90..90");
    EXPECT_CONTAINS(errorAt(withRoot(R"("render": {"lighting": "custom", "lights":
                                        [{"shadow": true}, {"shadow": true}]})"),
                            "/render/lights/1/shadow"),
                    "at most one light casts a shadow");
}

} // namespace
} // namespace stipple

namespace stipple {
namespace {

TEST(Design, NeedleSetsThePublishedHealedDotSize) {
    // Published: healed impressions ~0.09-0.17 mm from 0.18-0.30 mm needles, 1 to 3 points
    // (DESIGN.md domain facts). The ends of the needle range map onto the ends of the dot range.
    EXPECT_NEAR(needleDot("1RL 0.18")->diameter_mm, 0.09, 1e-9);
    EXPECT_NEAR(needleDot("3RL 0.30")->diameter_mm, 0.17, 0.001);
    for (const char* n : {"1RL 0.18", "1RL 0.20", "1RL", "3RL 0.20", "3RL", "3RL 0.30"}) {
        const NeedleDot dot = *needleDot(n);
        EXPECT_GE(dot.diameter_mm, 0.09 - 1e-9) << n;
        EXPECT_LE(dot.diameter_mm, 0.17 + 1e-9) << n;
        EXPECT_NEAR(dot.spread_mm, 0.15 * dot.diameter_mm, 1e-12) << n;
    }
    EXPECT_EQ(needleDot("1RL")->needle_mm, 0.25); // 0803, the usual needle
    EXPECT_LT(needleDot("1RL")->diameter_mm, needleDot("3RL")->diameter_mm);
    EXPECT_LT(needleDot("3RL")->diameter_mm, needleDot("5RL")->diameter_mm);
    for (const char* bad : {"", "2RL", "1rl", "1RL 0.1", "1RL 0.5", "1RL abc", "1RL 0.25 x"})
        EXPECT_FALSE(needleDot(bad).has_value()) << bad;
}

TEST(Design, NeedleFieldSetsTheZoneAndAnExplicitDiameterWins) {
    const Design d =
        parseDesign(withRoot(R"("zones": [{"name": "front_transition", "needle": "1RL 0.20"},
                              {"name": "crown", "needle": "3RL", "diameter_mm": 0.15}])"),
                    "d.json");
    const ZoneSpec ft = d.zone(ZoneId::FrontTransition);
    EXPECT_EQ(ft.needle, "1RL 0.20");
    EXPECT_NEAR(ft.diameter_mm, 0.1, 1e-12);
    EXPECT_NEAR(ft.diameter_spread_mm, 0.015, 1e-12);
    const ZoneSpec crown = d.zone(ZoneId::Crown);
    EXPECT_NEAR(crown.diameter_mm, 0.15, 1e-12);
    EXPECT_NEAR(crown.diameter_spread_mm, 0.15 * needleDot("3RL")->diameter_mm, 1e-12);
    // Zones without a needle keep their defaults (design v1 files are unchanged).
    EXPECT_EQ(d.zone(ZoneId::Mid).diameter_mm, defaultZone(ZoneId::Mid).diameter_mm);
    EXPECT_TRUE(d.zone(ZoneId::Mid).needle.empty());

    const std::string message =
        errorAt(withRoot(R"("zones": [{"name": "front", "needle": "7RL"}])"), "/zones/0/needle");
    EXPECT_CONTAINS(message, "\"7RL\" is not a needle");
    EXPECT_CONTAINS(message, "\"1RL\", \"3RL\" or \"5RL\"");
}

} // namespace
} // namespace stipple
