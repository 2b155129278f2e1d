// `stipple validate` end to end: the built executable on good and bad files, checking exit
// codes (0 valid, 2 bad input) and what the user reads on stdout/stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace {

namespace fs = std::filesystem;

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs `stipple <args>` with stdout and stderr captured in files under `dir`.
Outcome stipple(const std::string& args, const fs::path& dir) {
    const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
    const std::string command = std::string("\"") + STIPPLE_EXE + "\" " + args + " >\"" +
                                out.string() + "\" 2>\"" + err.string() + "\"";
    const int status = std::system(command.c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = slurp(out);
    run.err = slurp(err);
    return run;
}

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
    const fs::path file = dir / name;
    std::ofstream(file) << text;
    return file;
}

#define EXPECT_CONTAINS(haystack, needle)                                                          \
    EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                               \
        << "\"" << (haystack) << "\" does not contain \"" << (needle) << "\""

TEST(ValidateCli, GoodDesignPrintsOkAndExitsZero) {
    const fs::path dir = stipple::test::outputDir("validate_good");
    const fs::path file = write(dir, "good.json", R"({"stipple": 1, "head": {"mesh": "head.glb"},
            "zones": [{"name": "crown", "density_per_cm2": 80}]})");
    const Outcome run = stipple("validate \"" + file.string() + "\"", dir);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_CONTAINS(run.out, "ok: " + file.string() + " (design v1, 1 zones set");
    EXPECT_EQ(run.err, "");
}

TEST(ValidateCli, BadDesignListsEveryProblemAndExitsTwo) {
    const fs::path dir = stipple::test::outputDir("validate_bad");
    const fs::path file = write(dir, "bad.json", R"({"stipple": 1, "head": {"mesh": "h.glb"},
        "zones": [{"name": "mid"}, {"name": "front", "density_per_cm2": 900}],
        "hairline": {"frontal_heigth_mm": 80}})");
    const Outcome run = stipple("validate \"" + file.string() + "\"", dir);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.out, "");
    EXPECT_CONTAINS(run.err,
                    file.string() +
                        ": /zones/1/density_per_cm2: 900 is out of range 5..150 dots/cm²\n");
    EXPECT_CONTAINS(run.err, "/hairline/frontal_heigth_mm: unknown field \"frontal_heigth_mm\"; "
                             "did you mean \"frontal_height_mm\"?\n");
    EXPECT_CONTAINS(run.err, "(2 errors)");
}

TEST(ValidateCli, BrokenJsonGivesLineAndColumn) {
    const fs::path dir = stipple::test::outputDir("validate_broken");
    const fs::path file =
        write(dir, "broken.json", "{\n  \"stipple\": 1,\n  \"head\": {\"mesh\": \"x.glb\",}\n}\n");
    const Outcome run = stipple("validate \"" + file.string() + "\"", dir);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_CONTAINS(run.err, "invalid JSON at line 3, column 28");
}

TEST(ValidateCli, JsonOutputListsProblemsWithPointerAndSeverity) {
    const fs::path dir = stipple::test::outputDir("validate_json");
    const fs::path bad = write(dir, "bad.json", R"({"stipple": 1, "head": {"mesh": "h.glb"},
        "hairline": {"frontal_height_mm": 65}, "render": {"msaa": 8}})");
    const Outcome run = stipple("validate --json \"" + bad.string() + "\"", dir);
    EXPECT_EQ(run.exit_code, 2); // still 2: scripts branch on the exit code
    const nlohmann::json j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["valid"], false);
    ASSERT_EQ(j["problems"].size(), 2u);
    EXPECT_EQ(j["problems"][0]["pointer"], "/render/msaa");
    EXPECT_EQ(j["problems"][0]["severity"], "error");
    EXPECT_CONTAINS(j["problems"][0]["message"].get<std::string>(), "accepted: 0, 2, 4");
    EXPECT_EQ(j["problems"][1]["pointer"], "/hairline/frontal_height_mm");
    EXPECT_EQ(j["problems"][1]["severity"], "warning");

    const fs::path good = write(dir, "good.json", R"({"stipple": 1, "head": {"mesh": "h.glb"}})");
    const Outcome ok = stipple("validate --json \"" + good.string() + "\"", dir);
    EXPECT_EQ(ok.exit_code, 0);
    const nlohmann::json k = nlohmann::json::parse(ok.out);
    EXPECT_EQ(k["valid"], true);
    EXPECT_TRUE(k["problems"].empty());
}

TEST(ValidateCli, MissingFileAndMissingArgumentExitTwo) {
    const fs::path dir = stipple::test::outputDir("validate_missing");
    const Outcome missing = stipple("validate /nonexistent/design.json", dir);
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_CONTAINS(missing.err, "/nonexistent/design.json: file not found");
    const Outcome usage = stipple("validate", dir);
    EXPECT_EQ(usage.exit_code, 2);
}

TEST(ValidateCli, EveryShippedExampleValidates) {
    const fs::path dir = stipple::test::outputDir("validate_examples");
    size_t count = 0;
    for (const auto& entry : fs::directory_iterator(stipple::test::sourceDir() / "examples")) {
        if (entry.path().extension() != ".json") continue;
        ++count;
        const Outcome run = stipple("validate \"" + entry.path().string() + "\"", dir);
        EXPECT_EQ(run.exit_code, 0) << entry.path() << "\n" << run.err;
        EXPECT_EQ(run.err, "") << entry.path() << " has warnings";
    }
    EXPECT_GE(count, 5u);
}

} // namespace
