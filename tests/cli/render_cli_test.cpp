// `stipple render` end to end: bad inputs give clear errors and exit 2, a missing EGL driver
// exits 1, and a small render on the real ICT head writes stills with provenance.

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_stipple.h"
#include "test_util.h"

namespace {

using stipple::test::RunResult;

RunResult run(const std::string& args, const std::string& env = "") {
    return stipple::test::runStipple(args, env);
}

// A design on the ICT head (centimetres) in a fresh folder, with `render` as its render
// section; empty when the shared heads are not there.
std::string ictDesign(const std::filesystem::path& dir,
                      const nlohmann::json& render = nlohmann::json::object()) {
    const auto mesh =
        stipple::test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    if (!std::filesystem::exists(mesh)) return {};
    const auto file = dir / "ict.json";
    nlohmann::json design = {{"stipple", 1},
                             {"name", "ICT render test"},
                             {"seed", 3},
                             {"head", {{"mesh", mesh.string()}, {"units", "cm"}}}};
    if (!render.empty()) design["render"] = render;
    std::ofstream(file) << design.dump();
    return file.string();
}

// The PNG files in `dir`, sorted.
std::vector<std::string> pngsIn(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    if (!std::filesystem::exists(dir)) return names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".png") names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(RenderCli, BadInputsExit2WithClearMessages) {
    const auto dir = stipple::test::outputDir("render_cli_bad");
    const std::string design = ictDesign(dir);
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    const std::string out = " -o '" + (dir / "out").string() + "'";
    RunResult r = run("render '" + design + "'" + out + " --view sideways");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("unknown view 'sideways'; accepted: front, three_quarter_left"),
              std::string::npos)
        << r.out;
    r = run("render '" + design + "'" + out + " --turntable 0");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("accepted 1..720"), std::string::npos) << r.out;
    // Issue 13: a negative count was once accepted.
    for (const char* frames : {" --turntable -3", " --turntable=-3"}) {
        r = run("render '" + design + "'" + out + frames);
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_NE(r.out.find("--turntable: turntable frames -3 out of range; accepted 1..720"),
                  std::string::npos)
            << r.out;
    }
    r = run("render '" + design + "'" + out + " --view front --size 8000x8000");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("3840x2160"), std::string::npos) << r.out;
    r = run("render '" + design + "'" + out + " --view front --size big");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    r = run("render '" + design + "' -o /proc/stipple_cannot_write_here --view front");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("/proc/stipple_cannot_write_here"), std::string::npos) << r.out;
    r = run("render '" + design + "'" + out + " --view front --lighting candle");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("studio, clinic, daylight"), std::string::npos) << r.out;
    // Library errors name neutral options; the command shows its own flags.
    r = run("render '" + design + "'" + out + " --view front --layer-size 1000");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--layer-size: layer size 1000"), std::string::npos) << r.out;
}

TEST(RenderCli, RefusesWhatValidateRefuses) {
    // Issue 13: `render` accepts nothing that `validate` rejects. The bad designs of
    // input_limits_cli_test.cpp, each refused before any GL work with the same message.
    const auto dir = stipple::test::outputDir("render_cli_refuses");
    const std::string design = ictDesign(dir);
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    nlohmann::json base = nlohmann::json::parse(stipple::test::readText(design));
    const std::vector<std::pair<nlohmann::json, std::string>> cases = {
        {{{"scars", {{{"type", "strip"}, {"points_mm", {{0, 20, -90}, {0, 20, -90}}}}}}},
         "/scars/0/points_mm: the strip is 0 mm long"},
        {{{"head", {{"landmarks", {{"glabella", {0, 1e30, 0}}}}}}},
         "/head/landmarks/glabella: [0,1e+30,0] is out of reach"},
        // Upside down: on this head the cranium measure already fails (an error at /head/...).
        {{{"head", {{"up", "-Y"}, {"forward", "-Z"}}}}, "/head/"},
    };
    for (const auto& [edit, message] : cases) {
        nlohmann::json bad = base;
        if (edit.contains("head"))
            bad["head"].update(edit["head"]);
        else
            bad.update(edit);
        const std::string file = (dir / "bad.json").string();
        std::ofstream(file) << bad.dump();
        for (const char* command : {"validate '", "render '"}) {
            const RunResult r =
                run(command + file + "'" +
                    (command[0] == 'r' ? " -o '" + (dir / "out").string() + "' --view front" : ""));
            if (command[0] == 'v' && message == "/head/") {
                EXPECT_EQ(r.exit_code, 0) << r.out; // needs the mesh: only loading finds it
                continue;
            }
            EXPECT_EQ(r.exit_code, 2) << command << r.out;
            EXPECT_NE(r.out.find(message), std::string::npos) << command << r.out;
        }
    }
}

TEST(RenderCli, MissingEglDriverExits1WithAHint) {
    const auto dir = stipple::test::outputDir("render_cli_noegl");
    const std::string design = ictDesign(dir);
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    // GLVND finds no EGL vendor library: what a machine without Mesa's EGL looks like.
    const RunResult r =
        run("render '" + design + "' -o '" + (dir / "out").string() + "' --view front --size 64x64",
            "env -u DISPLAY __EGL_VENDOR_LIBRARY_FILENAMES=/nonexistent.json");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("cannot create an offscreen OpenGL context"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("libegl-mesa0"), std::string::npos) << r.out;
}

TEST(RenderCli, StillsOfTheIctHeadWithJsonSummary) {
    const auto dir = stipple::test::outputDir("render_cli_ict");
    const std::string design = ictDesign(dir);
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    const std::string out = (dir / "out").string();
    RunResult r =
        run("render '" + design + "' -o '" + out + "' --view front --view top --size 96x64 --json",
            "env -u DISPLAY");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const nlohmann::json j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    EXPECT_EQ(j["files"].size(), 2u);
    EXPECT_EQ(j["designs"][0]["name"], "ICT render test");
    EXPECT_EQ(j["designs"][0]["mesh_sha256"].get<std::string>().size(), 64u);
    // Again without --force: refused, exit 2, nothing touched.
    r = run("render '" + design + "' -o '" + out + "' --view front --size 96x64", "env -u DISPLAY");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
}

} // namespace

namespace {

TEST(RenderCli, InterruptedTurntableLeavesOnlyCompleteFrames) {
    const auto dir = stipple::test::outputDir("render_cli_sigint");
    const std::string design = ictDesign(dir);
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    const auto out = dir / "out";
    // SIGINT after 4 s, in the middle of a long turntable (or before its first frame on a
    // busy machine: either way the process must stop cleanly).
    const RunResult r = run("render '" + design + "' -o '" + out.string() +
                                "' --no-layers --turntable 500 --size 320x240 --mp4",
                            "env -u DISPLAY timeout --preserve-status -s INT 4");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("interrupted after"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(out / "turntable.mp4"));
    size_t frames = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        const std::string name = entry.path().filename().string();
        EXPECT_EQ(name.find(".tmp"), std::string::npos) << "temporary left: " << name;
        if (name.rfind("turntable_", 0) == 0) {
            ++frames;
            // Every frame under a final name is a complete PNG (IEND at the end).
            std::ifstream in(entry.path(), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), {});
            ASSERT_GE(bytes.size(), 12u) << name;
            EXPECT_EQ(bytes.substr(bytes.size() - 8, 4), "IEND") << name;
        }
    }
    EXPECT_LT(frames, 500u);
    const nlohmann::json manifest = nlohmann::json::parse(std::string(
        (std::istreambuf_iterator<char>(std::ifstream(out / "manifest.json").rdbuf())), {}));
    EXPECT_TRUE(manifest["interrupted"].get<bool>());
    EXPECT_EQ(manifest["files"].size(), frames);
}

} // namespace

namespace {

// render.turntable_frames and render.top_view apply, and the flags override them:
// --turntable alone takes the design's count, --turntable N overrides it, --top-view and
// --no-top-view override the design's top pass.
TEST(RenderCli, TurntableFramesAndTopViewComeFromTheDesignUnlessOverridden) {
    const auto dir = stipple::test::outputDir("render_cli_turntable_fields");
    const std::string design = ictDesign(
        dir, {{"width", 32}, {"height", 32}, {"turntable_frames", 2}, {"top_view", false}});
    if (design.empty()) GTEST_SKIP() << "shared heads missing";
    const auto render = [&](const std::string& name, const std::string& flags) {
        const auto out = dir / name;
        const RunResult r =
            run("render '" + design + "' -o '" + out.string() + "' --no-layers " + flags,
                "env -u DISPLAY");
        EXPECT_EQ(r.exit_code, 0) << flags << "\n" << r.out;
        return pngsIn(out);
    };
    using Names = std::vector<std::string>;
    EXPECT_EQ(render("alone", "--turntable"), (Names{"turntable_000.png", "turntable_001.png"}));
    EXPECT_EQ(render("three_top", "--turntable 3 --top-view"),
              (Names{"turntable_000.png", "turntable_001.png", "turntable_002.png",
                     "turntable_top_000.png", "turntable_top_001.png", "turntable_top_002.png"}));
    // The design's default top_view (true) and --no-top-view.
    const std::string with_top =
        ictDesign(dir, {{"width", 32}, {"height", 32}, {"turntable_frames", 1}});
    RunResult r =
        run("render '" + with_top + "' -o '" + (dir / "top").string() + "' --no-layers --turntable",
            "env -u DISPLAY");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(pngsIn(dir / "top"), (Names{"turntable_000.png", "turntable_top_000.png"}));
    r = run("render '" + with_top + "' -o '" + (dir / "no_top").string() +
                "' --no-layers --turntable --no-top-view",
            "env -u DISPLAY");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(pngsIn(dir / "no_top"), (Names{"turntable_000.png"}));

    // Bad uses: the messages name this command's flags.
    r = run("render '" + with_top + "' -o '" + (dir / "bad").string() + "' --turntable many");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--turntable"), std::string::npos) << r.out;
    r = run("render '" + with_top + "' -o '" + (dir / "bad").string() + "' --top-view");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--top-view: the top-view pass needs a turntable"), std::string::npos)
        << r.out;
    r = run("render '" + with_top + "' -o '" + (dir / "bad").string() + "' --view front --mp4");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--mp4: an MP4 needs a turntable"), std::string::npos) << r.out;
    r = run("render '" + with_top + "' -o '" + (dir / "bad").string() +
            "' --turntable --top-view --no-top-view");
    EXPECT_EQ(r.exit_code, 2) << r.out;
}

} // namespace
