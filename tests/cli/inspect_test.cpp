// `stipple inspect` end to end: the executable on the real ICT head and on a missing file.

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_stipple.h"
#include "test_util.h"

namespace {

using stipple::test::RunResult;

RunResult run(const std::string& args) { return stipple::test::runStipple(args); }

std::string ictSkin() {
    return (stipple::test::sharedHeads() / "ict_facekit_neutral" /
            "generic_neutral_mesh_skin_only.obj")
        .string();
}

TEST(InspectCli, JsonOnIctHasEveryKeyWithPlausibleValues) {
    const RunResult r = run("inspect --json '" + ictSkin() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    for (const char* key :
         {"vertices", "triangles", "components", "dropped", "has_uvs", "has_normals", "bbox",
          "units", "up", "forward", "landmarks", "head", "warnings"})
        EXPECT_TRUE(j.contains(key)) << key;
    // README: 22,288 triangles in the skin-only file; UVs (UDIM tiles) but no normals.
    EXPECT_EQ(j["triangles"].get<int>(), 22288);
    EXPECT_TRUE(j["has_uvs"].get<bool>());
    EXPECT_FALSE(j["has_normals"].get<bool>());
    EXPECT_NEAR(j["bbox"]["max"][1].get<double>(), 14.50, 0.01) << "README: top at y 14.50 cm";
    EXPECT_EQ(j["units"]["mm_per_unit"].get<double>(), 10);
    EXPECT_EQ(j["units"]["source"], "inferred");
    EXPECT_GT(j["units"]["confidence"].get<double>(), 0.8);
    EXPECT_EQ(j["up"], "+Y");
    EXPECT_EQ(j["forward"], "+Z");
    for (const char* name : {"vertex", "glabella", "nose_tip", "ear_left", "ear_right", "occiput"})
        ASSERT_EQ(j["landmarks"][name].size(), 3u) << name;
    // Nose tip ~12 cm in front of the ear axis, vertex ~13-14 cm above it.
    EXPECT_NEAR(j["landmarks"]["nose_tip"][2].get<double>(), 120, 15);
    EXPECT_NEAR(j["landmarks"]["vertex"][1].get<double>(), 135, 15);
    EXPECT_NEAR(j["head"]["breadth_mm"].get<double>(), 158, 5);
    EXPECT_NEAR(j["head"]["length_mm"].get<double>(), 192, 5);
}

TEST(InspectCli, JsonOnTheMannequinIsSureOfMillimetres) {
    // The bundled mannequin is an average adult head in millimetres: the inference must say
    // so with confidence, and its ears (true tragus at x +-69.2 mm) must be found.
    const std::string mannequin = (stipple::test::sourceDir() / "meshes" / "mannequin.glb").string();
    const RunResult r = run("inspect --json '" + mannequin + "'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["units"]["mm_per_unit"].get<double>(), 1);
    EXPECT_EQ(j["units"]["source"], "inferred");
    EXPECT_GT(j["units"]["confidence"].get<double>(), 0.8);
    EXPECT_NEAR(j["landmarks"]["ear_left"][0].get<double>(), 69.2, 5);
    EXPECT_NEAR(j["head"]["breadth_mm"].get<double>(), 151.9, 5);
}

TEST(InspectCli, HumanSummaryNamesUnitsAxesAndLandmarks) {
    const RunResult r = run("inspect '" + ictSkin() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    for (const char* text : {"10 mm per unit (inferred", "centimetres", "up +Y, forward +Z",
                             "nose_tip", "ear_left", "breadth"})
        EXPECT_NE(r.out.find(text), std::string::npos) << text << " missing in:\n" << r.out;
}

TEST(InspectCli, MissingMeshExitsTwoNamingTheFile) {
    const RunResult r = run("inspect /nonexistent/head_that_is_not_there.obj");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("head_that_is_not_there.obj"), std::string::npos) << r.out;
}

} // namespace
