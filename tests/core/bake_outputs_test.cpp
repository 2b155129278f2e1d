#include "stipple/core/bake_outputs.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "core/layers_test_head.h"
#include "stipple/core/dot_writers.h"
#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/core/scalp_chart.h"
#include "test_util.h"

namespace stipple {
namespace {

namespace fs = std::filesystem;

// Two dots with known values: enough to check every writer's layout.
FollicleSet twoDots() {
    FollicleSet set;
    Dot a;
    a.position_mm = {1, 2, 3};
    a.normal = {0, 1, 0};
    a.zone = ZoneId::Crown;
    a.id = 42;
    Dot b = a;
    b.id = 43;
    b.zone = ZoneId::Mid;
    set.dots = {a, b};
    return set;
}

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

TEST(DotWriters, FormatsHoldEveryDot) {
    const FollicleSet set = twoDots();
    const Design design;
    const std::string csv = dotsCsv(set);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3); // header + 2 dots
    EXPECT_NE(csv.find("42,crown,1.0000,2.0000,3.0000"), std::string::npos) << csv;
    EXPECT_NE(dotsPly(set).find("element vertex 2\n"), std::string::npos);
    const nlohmann::json j = nlohmann::json::parse(dotsJson(set, design));
    ASSERT_EQ(j["dots_list"].size(), 2u);
    EXPECT_EQ(j["dots_list"][1]["zone"], "mid");
    EXPECT_FALSE(j.contains("seconds")); // identical designs give identical files
    EXPECT_EQ(dotFormatOf("a/b.PLY"), DotFormat::Ply);
}

TEST(DotWriters, MessagesNameNeutralOptionsNotCliFlags) {
    const fs::path dir = test::outputDir("dot_writers");
    const std::string bad = messageOf([&] { dotFormatOf(dir / "dots.txt"); });
    EXPECT_NE(bad.find(".csv"), std::string::npos) << bad;
    const fs::path file = dir / "dots.csv";
    std::ofstream(file) << "precious";
    const std::string exists =
        messageOf([&] { writeDots(file, twoDots(), Design{}, Overwrite::No); });
    EXPECT_NE(exists.find("overwrite"), std::string::npos) << exists;
    EXPECT_EQ(exists.find("--"), std::string::npos) << exists;
    EXPECT_EQ(readFile(file), "precious");
    writeDots(file, twoDots(), Design{}, Overwrite::Yes);
    EXPECT_EQ(readFile(file), dotsCsv(twoDots()));
}

class BakeOutputsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_head = new HeadModel(test::layers::syntheticHead(80, 160));
        s_dots = new FollicleSet(test::layers::latticeDots(*s_head, 80, 160, 3000, 40, 0.5f, 6));
        Design design;
        design.pigment.fitzpatrick = 3;
        s_layers = new LayerStack(
            bakeLayers(*s_head, computeScalpChart(*s_head), *s_dots, layerSpec(design), 1024));
    }
    static void TearDownTestSuite() {
        delete s_layers;
        delete s_dots;
        delete s_head;
    }
    static HeadModel* s_head;
    static FollicleSet* s_dots;
    static LayerStack* s_layers;
};
HeadModel* BakeOutputsTest::s_head = nullptr;
FollicleSet* BakeOutputsTest::s_dots = nullptr;
LayerStack* BakeOutputsTest::s_layers = nullptr;

TEST_F(BakeOutputsTest, WritesEveryNamedFileWithItsReport) {
    const fs::path dir = test::outputDir("bake_outputs_all");
    const nlohmann::json report =
        writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::Yes);
    const std::vector<std::string> names = bakeOutputNames(s_head->mesh);
    ASSERT_EQ(names.back(), "bake.json");
    ASSERT_EQ(report["files"].size(), names.size() - 1); // bake.json does not list itself
    for (size_t i = 0; i + 1 < names.size(); ++i) {
        EXPECT_EQ(report["files"][i]["name"], names[i]);
        EXPECT_EQ(report["files"][i]["sha256"], sha256File(dir / names[i])) << names[i];
    }
    EXPECT_EQ(nlohmann::json::parse(readFile(dir / "bake.json")), report);
    EXPECT_EQ(report["dots_splatted"].get<size_t>(), s_layers->dots_splatted);
    // Again without overwrite: refused naming the neutral option, nothing touched.
    const std::string refused = messageOf(
        [&] { writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::No); });
    EXPECT_NE(refused.find("overwrite"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("--force"), std::string::npos) << refused;
}

TEST_F(BakeOutputsTest, AFailureHalfWayRemovesWhatTheCallWrote) {
    // A folder where the GLB must go: the write fails after the PNGs, which must be removed.
    const fs::path dir = test::outputDir("bake_outputs_rollback");
    fs::create_directories(dir / "head_chart.glb" / "blocker");
    EXPECT_THROW(writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::Yes),
                 Error);
    EXPECT_FALSE(fs::exists(dir / "pigment.png"));
    EXPECT_FALSE(fs::exists(dir / "bake.json"));
    EXPECT_TRUE(fs::is_directory(dir / "head_chart.glb")); // not ours: left alone
}

// Issue 13: every PNG carried the design's name and the reports the design's and mesh's
// absolute paths. By default only SHA-256s identify them; full provenance adds both.
TEST_F(BakeOutputsTest, ProvenanceIsPrivateByDefaultAndFullOnRequest) {
    Design design;
    design.name = "Jane Roe, client 17";
    design.source = "/clinic/clients/jane_roe/design.json";
    design.sha256 = std::string(64, 'd');
    for (ProvenanceMode mode : {ProvenanceMode::Private, ProvenanceMode::Full}) {
        const bool full = mode == ProvenanceMode::Full;
        const fs::path dir = test::outputDir(full ? "bake_outputs_full" : "bake_outputs_private");
        writeBakeOutputs(dir, design, *s_head, *s_dots, *s_layers, {}, Overwrite::No, mode);
        const std::string report = readFile(dir / "bake.json");
        const nlohmann::json j = nlohmann::json::parse(report);
        EXPECT_EQ(j["design_sha256"], design.sha256);
        EXPECT_EQ(j["mesh_sha256"], s_head->import.sha256);
        EXPECT_EQ(report.find("Jane Roe") != std::string::npos, full) << report;
        EXPECT_EQ(report.find("/clinic/clients") != std::string::npos, full) << report;
        EXPECT_EQ(j.contains("design") && j.contains("mesh") && j.contains("name"), full);
        for (const char* png : {"pigment.png", "albedo_chart.png"}) {
            std::map<std::string, std::string> text;
            for (const auto& [key, value] : readPngText(dir / png))
                text[key] = value;
            EXPECT_EQ(text["stipple:design_sha256"], design.sha256) << png;
            EXPECT_EQ(text.count("stipple:name") == 1, full) << png;
            EXPECT_EQ(text.count("stipple:design") == 1, full) << png;
            if (full) {
                EXPECT_EQ(text["stipple:name"], design.name);
                EXPECT_EQ(text["stipple:design"], design.source.string());
            }
        }
    }
}

// Ctrl-C during a bake (the CLI sets the flag): nothing is left in the folder, not even the
// files written before the signal.
TEST_F(BakeOutputsTest, CancelRemovesEverythingTheCallWrote) {
    const fs::path dir = test::outputDir("bake_outputs_cancel");
    std::atomic<bool> cancel{true};
    const std::string m = messageOf([&] {
        writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::No,
                         ProvenanceMode::Private, &cancel);
    });
    EXPECT_NE(m.find("interrupted; no bake output was left"), std::string::npos) << m;
    EXPECT_TRUE(fs::is_empty(dir));
}

using test::entriesOf;

// The same head with UVs in two UDIM tiles (1001 for x < 0, 1002 for x >= 0): its bake writes
// albedo_flat.1001.png and albedo_flat.1002.png instead of one albedo_flat.png (or none).
HeadModel udimHead(const HeadModel& head) {
    HeadModel udim = head;
    udim.mesh.uvs.clear();
    for (const glm::vec3& p : udim.mesh.positions)
        udim.mesh.uvs.push_back({p.x < 0 ? 0.25f : 1.75f, 0.5f});
    return udim;
}

// Issue 13: `bake --force` over an older bake with more or other files leaves exactly the new
// set; the older run's files it no longer writes are removed (listed in the report), files the
// old bake.json does not list are never touched.
TEST_F(BakeOutputsTest, OverwriteLeavesExactlyTheNewSet) {
    const fs::path dir = test::outputDir("bake_outputs_replace");
    const HeadModel udim = udimHead(*s_head);
    const std::vector<std::string> old_names = bakeOutputNames(udim.mesh);
    ASSERT_NE(std::find(old_names.begin(), old_names.end(), "albedo_flat.1002.png"),
              old_names.end());
    writeBakeOutputs(dir, Design{}, udim, *s_dots, *s_layers, {}, Overwrite::No);
    std::ofstream(dir / "notes.txt") << "the clinic's own file";

    const nlohmann::json report =
        writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::Yes);
    std::vector<std::string> expected = bakeOutputNames(s_head->mesh);
    expected.push_back("notes.txt");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(entriesOf(dir), expected);
    ASSERT_TRUE(report.contains("removed_from_older_run")) << report.dump(2);
    EXPECT_EQ(report["removed_from_older_run"],
              nlohmann::json({"albedo_flat.1001.png", "albedo_flat.1002.png"}));
    EXPECT_EQ(nlohmann::json::parse(readFile(dir / "bake.json")), report);
}

// A file of the older bake changed since (or replaced by a link): in the way; the bake is
// refused before writing anything, naming the file.
TEST_F(BakeOutputsTest, OverwriteRefusesWhenAChangedFileOfTheOlderBakeIsInTheWay) {
    const fs::path dir = test::outputDir("bake_outputs_in_the_way");
    const HeadModel udim = udimHead(*s_head);
    writeBakeOutputs(dir, Design{}, udim, *s_dots, *s_layers, {}, Overwrite::No);
    std::ofstream(dir / "albedo_flat.1002.png") << "retouched by hand";
    const std::vector<std::string> before = entriesOf(dir);
    const std::string old_report = readFile(dir / "bake.json");
    const std::string old_pigment = readFile(dir / "pigment.png");

    const std::string m = messageOf(
        [&] { writeBakeOutputs(dir, Design{}, *s_head, *s_dots, *s_layers, {}, Overwrite::Yes); });
    EXPECT_NE(m.find("1 file(s) of an older run that bake.json lists are in the way"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("albedo_flat.1002.png"), std::string::npos) << m;
    EXPECT_NE(m.find("overwrite"), std::string::npos) << m;
    EXPECT_EQ(entriesOf(dir), before);
    EXPECT_EQ(readFile(dir / "bake.json"), old_report);
    EXPECT_EQ(readFile(dir / "pigment.png"), old_pigment);
    EXPECT_EQ(readFile(dir / "albedo_flat.1002.png"), "retouched by hand");
}

TEST(DotWriters, SummaryIsPrivateByDefault) {
    Design design;
    design.name = "Jane Roe";
    design.source = "/clinic/jane.json";
    design.sha256 = std::string(64, 'e');
    const nlohmann::json priv = follicleSummary(twoDots(), design);
    EXPECT_EQ(priv["design_sha256"], design.sha256);
    EXPECT_FALSE(priv.contains("design"));
    EXPECT_FALSE(priv.contains("name"));
    const nlohmann::json full = follicleSummary(twoDots(), design, ProvenanceMode::Full);
    EXPECT_EQ(full["design"], "/clinic/jane.json");
    EXPECT_EQ(full["name"], "Jane Roe");
    EXPECT_EQ(dotsJson(twoDots(), design).find("Jane"), std::string::npos);
}

} // namespace
} // namespace stipple
