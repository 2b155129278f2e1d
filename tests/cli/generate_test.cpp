#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

// `stipple generate` end to end on the ICT head: the --json fields, the output formats,
// atomic no-overwrite, and bad inputs naming the field with exit code 2.

namespace {

struct CliRun {
    int code = 0;
    std::string out;
    std::string err;
};

CliRun run(const std::string& args, const std::filesystem::path& dir) {
    const std::string cmd = std::string(STIPPLE_EXE) + " " + args + " > " + (dir / "out.txt").string() +
                            " 2> " + (dir / "err.txt").string();
    CliRun r;
    const int status = std::system(cmd.c_str());
    r.code = WEXITSTATUS(status);
    auto slurp = [](const std::filesystem::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    r.out = slurp(dir / "out.txt");
    r.err = slurp(dir / "err.txt");
    return r;
}

std::filesystem::path writeDesign(const std::filesystem::path& dir, const std::string& extra) {
    const auto mesh =
        stipple::test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    std::ofstream out(dir / "design.json");
    out << "{\"stipple\": 1, \"name\": \"t\", \"seed\": 5, \"head\": {\"mesh\": \""
        << mesh.string() << "\"}" << extra << "}";
    return dir / "design.json";
}

TEST(GenerateCli, JsonSummaryHasTheFields) {
    const auto dir = stipple::test::outputDir("generate_json");
    const auto design = writeDesign(dir, ", \"hairline\": {\"nape_height_mm\": -30}");
    const CliRun r = run("generate " + design.string() + " --json -o " + (dir / "dots.csv").string(), dir);
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    for (const char* key : {"dots", "area_cm2", "zones", "nn_min_ratio", "nn_mean_ratio",
                            "outside_region", "hairline", "sessions"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_GT(j["dots"].get<size_t>(), 20000u);
    EXPECT_EQ(j["outside_region"].get<size_t>(), 0u);
    EXPECT_NEAR(j["sessions"].get<double>(), j["dots"].get<double>() / 12000, 1e-9);
    ASSERT_EQ(j["zones"].size(), 7u);
    for (const auto& z : j["zones"])
        for (const char* key : {"name", "area_cm2", "dots", "density_per_cm2", "target_density_per_cm2"})
            EXPECT_TRUE(z.contains(key)) << key;
    EXPECT_NEAR(j["hairline"]["frontal_height_mm"].get<double>(), 80, 3);
    EXPECT_TRUE(j["hairline"].contains("asymmetry_mm"));
    // The CSV has one row per dot plus the header.
    std::ifstream csv(dir / "dots.csv");
    size_t lines = 0;
    for (std::string line; std::getline(csv, line);) ++lines;
    EXPECT_EQ(lines, j["dots"].get<size_t>() + 1);
    // No overwrite without --force; with --force the same bytes (deterministic).
    const CliRun again = run("generate " + design.string() + " -o " + (dir / "dots.csv").string(), dir);
    EXPECT_EQ(again.code, 2);
    EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
    const CliRun forced = run("generate " + design.string() + " --force -o " + (dir / "dots.ply").string(), dir);
    EXPECT_EQ(forced.code, 0) << forced.err;
    EXPECT_NE(forced.out.find("frontal height"), std::string::npos) << forced.out;
}

TEST(GenerateCli, BadInputsExitTwoNamingTheField) {
    const auto dir = stipple::test::outputDir("generate_bad");
    const auto design = writeDesign(dir, ", \"hairline\": {\"frontal_height_mm\": 109, "
                                         "\"template\": \"receded\"}, \"scars\": [{\"type\": "
                                         "\"polygon\", \"points_mm\": [[-10, -80, 90], [10, -80, 90], "
                                         "[0, -95, 85]]}]");
    const CliRun r = run("generate " + design.string(), dir);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.err.find("/scars/0/points_mm"), std::string::npos) << r.err;
    const CliRun wrong = run("generate " + design.string() + " -o dots.txt", dir);
    EXPECT_EQ(wrong.code, 2);
    EXPECT_NE(wrong.err.find(".csv"), std::string::npos) << wrong.err;
}

TEST(GenerateCli, SessionNShowsTheDotsAfterThatSession) {
    const auto dir = stipple::test::outputDir("generate_session");
    const auto design = writeDesign(dir, ", \"hairline\": {\"nape_height_mm\": -30}");
    const CliRun whole = run("generate " + design.string() + " --json", dir);
    ASSERT_EQ(whole.code, 0) << whole.err;
    const nlohmann::json w = nlohmann::json::parse(whole.out);
    const int count = w["session_count"].get<int>();
    ASSERT_TRUE(count == 3 || count == 4);
    EXPECT_EQ(w["shown_session"].get<int>(), 0);
    ASSERT_EQ(w["session_figures"].size(), size_t(count));
    const CliRun first = run("generate " + design.string() + " --session 1 --json", dir);
    ASSERT_EQ(first.code, 0) << first.err;
    const nlohmann::json f = nlohmann::json::parse(first.out);
    EXPECT_EQ(f["shown_session"].get<int>(), 1);
    EXPECT_EQ(f["dots"].get<size_t>(), w["session_figures"][0]["dots"].get<size_t>());
    EXPECT_GE(f["nn_min_ratio"].get<double>(), 0.65);
    // The text summary has the per-session table.
    const CliRun text = run("generate " + design.string() + " --session 2", dir);
    ASSERT_EQ(text.code, 0) << text.err;
    EXPECT_NE(text.out.find("shown after session 2"), std::string::npos) << text.out;
    for (const std::string& bad : {std::string("0"), std::string("9"), std::to_string(count + 1)}) {
        const CliRun r = run("generate " + design.string() + " --session " + bad, dir);
        EXPECT_EQ(r.code, 2) << bad << ": " << r.out;
        EXPECT_NE(r.err.find("--session"), std::string::npos) << bad << ": " << r.err;
        EXPECT_NE(r.err.find("accepted 1.."), std::string::npos) << bad << ": " << r.err;
    }
}

} // namespace
