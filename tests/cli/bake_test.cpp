// `stipple bake` end to end: bad inputs (size, output folder, existing files) are refused with
// exit code 2 before anything is written; on the real ICT head the layers, flattened albedo
// tiles and report are written, and a second identical bake is byte-identical.

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stipple/core/hash.h"
#include "stipple/core/image.h"
#include "run_stipple.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;

using stipple::test::RunResult;

// stderr goes with stdout, or (for --json runs) to `stderr_file`.
RunResult run(const std::string& args, const fs::path& stderr_file = {}) {
    return stipple::test::runStipple(args, "", stderr_file);
}

// A small design on the ICT head (centimetres, UDIM UVs), written into `dir`.
fs::path writeDesign(const fs::path& dir, int layer_size = 1024) {
    const fs::path mesh =
        stipple::test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    const fs::path file = dir / "design.json";
    std::ofstream(file) << R"({"stipple": 1, "name": "bake test", "seed": 7,
        "head": {"mesh": ")" << mesh.string() << R"("},
        "pigment": {"fitzpatrick": 2, "hair_colour": "#2b2521", "age_days": 30},
        "render": {"layer_size": )" << layer_size << "}}";
    return file;
}

size_t filesIn(const fs::path& dir) {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir)) n += entry.is_regular_file();
    return n;
}

TEST(BakeCli, BadSizesAreRefusedNamingTheOption) {
    const fs::path dir = stipple::test::outputDir("bake_bad_size");
    const fs::path design = writeDesign(dir);
    const fs::path out = dir / "out";
    for (const char* size : {"1000", "16384", "512", "0", "-4096"}) {
        const RunResult r = run("bake '" + design.string() + "' -o '" + out.string() +
                                "' --size " + size);
        EXPECT_EQ(r.exit_code, 2) << size << ": " << r.out;
        EXPECT_NE(r.out.find("--size"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("power of two"), std::string::npos) << r.out;
        EXPECT_FALSE(fs::exists(out)) << "nothing may be created for a bad size";
    }
    const RunResult r = run("bake '" + design.string() + "' -o '" + out.string() + "' --size abc");
    EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(BakeCli, UnwritableOutputFolderIsRefused) {
    const fs::path dir = stipple::test::outputDir("bake_unwritable");
    const fs::path design = writeDesign(dir);
    // A folder below a regular file can never be created, even as root.
    std::ofstream(dir / "a_file") << "x";
    const RunResult r =
        run("bake '" + design.string() + "' -o '" + (dir / "a_file" / "out").string() + "'");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--output"), std::string::npos) << r.out;
}

TEST(BakeCli, MissingDesignIsBadInput) {
    const fs::path dir = stipple::test::outputDir("bake_missing");
    const RunResult r = run("bake '" + (dir / "nope.json").string() + "' -o '" + dir.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("nope.json"), std::string::npos) << r.out;
}

TEST(BakeCli, ExistingOutputIsNotOverwrittenWithoutForce) {
    const fs::path dir = stipple::test::outputDir("bake_existing");
    const fs::path design = writeDesign(dir);
    const fs::path out = dir / "out";
    fs::create_directories(out);
    std::ofstream(out / "pigment.png") << "precious";
    const RunResult r = run("bake '" + design.string() + "' -o '" + out.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pigment.png"), std::string::npos) << r.out;
    EXPECT_EQ(stipple::readFile(out / "pigment.png"), "precious");
    EXPECT_EQ(filesIn(out), 1u) << "nothing else may be written";
}

TEST(BakeCli, BakesIctWithReportAndIsByteIdenticalOnRepeat) {
    const fs::path dir = stipple::test::outputDir("bake_ict");
    const fs::path design = writeDesign(dir);
    const fs::path out = dir / "out";
    const RunResult r = run("bake '" + design.string() + "' -o '" + out.string() + "' --json",
                            dir / "stderr.txt");
    if (r.exit_code != 0 &&
        stipple::readFile(dir / "stderr.txt").find("not implemented") != std::string::npos)
        GTEST_SKIP() << "follicle generation is not on this branch yet";
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    // ICT has UDIM tiles: the face (front of the scalp) in 1001, the back of the head in 1002.
    std::vector<std::string> expected = {"pigment.png", "scar.png", "scar_roughness.png",
                                         "before.png", "albedo_chart.png",
                                         "albedo_flat.1001.png", "albedo_flat.1002.png",
                                         "head_chart.glb"};
    for (const std::string& name : expected) {
        bool listed = false;
        for (const auto& f : j["files"])
            if (f["name"] == name) {
                listed = true;
                EXPECT_EQ(f["bytes"].get<size_t>(), fs::file_size(out / name)) << name;
                EXPECT_EQ(f["sha256"], stipple::sha256File(out / name)) << name;
            }
        EXPECT_TRUE(listed) << name;
    }
    EXPECT_TRUE(fs::exists(out / "bake.json"));
    for (const char* key : {"area_distortion", "angle_distortion_deg", "region_area_cm2",
                            "flipped_triangles", "mean_texel_mm"})
        EXPECT_TRUE(j["chart"].contains(key)) << key;
    EXPECT_GT(j["dots_splatted"].get<size_t>(), 1000u);
    EXPECT_GT(j["seconds"]["encode"].get<double>(), 0.0);
    // No temporary files left behind.
    for (const auto& entry : fs::directory_iterator(out))
        EXPECT_EQ(entry.path().filename().string().find("tmp"), std::string::npos);
    // Repeat: refused without --force, byte-identical with it.
    EXPECT_EQ(run("bake '" + design.string() + "' -o '" + out.string() + "'").exit_code, 2);
    const RunResult again =
        run("bake '" + design.string() + "' -o '" + out.string() + "' --json --force",
            dir / "stderr.txt");
    ASSERT_EQ(again.exit_code, 0) << again.out;
    const nlohmann::json j2 = nlohmann::json::parse(again.out);
    for (size_t i = 0; i < j["files"].size(); ++i)
        EXPECT_EQ(j["files"][i]["sha256"], j2["files"][i]["sha256"]) << j["files"][i]["name"];
}

} // namespace
