// Replacing a whole output set (output_set.h): an older run's files that the new one does not
// write are removed when they still hold what the old manifest recorded; a changed one stops
// the run; nothing the old manifest does not list, and nothing outside the folder, is touched.

#include "stipple/core/output_set.h"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace stipple;

void put(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// A manifest listing `paths` with the SHA-256 of their current contents ("path" key, as
// render's manifest.json; bake.json uses "name" and is read the same way).
void writeManifest(const fs::path& dir, const std::vector<std::string>& paths,
                   const char* key = "path") {
    nlohmann::json files = nlohmann::json::array();
    for (const std::string& p : paths)
        files.push_back({{key, p}, {"sha256", sha256Hex(test::readText(dir / p))}});
    std::ofstream(dir / "manifest.json") << nlohmann::json{{"files", files}}.dump();
}

TEST(OutputSet, LeftoversOfAnOlderLargerRunAreRemovedAndNothingElse) {
    const fs::path dir = test::outputDir("output_set_replace");
    for (const char* f : {"turntable_000.png", "turntable_001.png", "turntable_002.png",
                          "turntable.mp4", "turntable.gif", "2_bare/front.png"})
        put(dir / f, std::string("old ") + f);
    writeManifest(dir, {"turntable_000.png", "turntable_001.png", "turntable_002.png",
                        "turntable.mp4", "turntable.gif", "2_bare/front.png"});
    put(dir / "notes.txt", "the clinic's own file");
    const fs::path outside = test::outputDir("output_set_outside") / "keep.png";
    put(outside, "outside");
    // A hostile old manifest: entries outside the folder are ignored, never opened.
    nlohmann::json m = nlohmann::json::parse(test::readText(dir / "manifest.json"));
    m["files"].push_back(
        {{"path", "../output_set_outside/keep.png"}, {"sha256", sha256Hex("outside")}});
    m["files"].push_back({{"path", outside.string()}, {"sha256", sha256Hex("outside")}});
    std::ofstream(dir / "manifest.json") << m.dump();

    const std::set<std::string> planned = {"turntable_000.png", "turntable_001.png",
                                           "manifest.json"};
    const OutputLeftovers left = findOutputLeftovers(dir, "manifest.json", planned);
    ASSERT_EQ(left.files.size(), 4u);
    const std::vector<std::string> removed = removeOutputLeftovers(left, planned);
    EXPECT_EQ(removed.size(), 4u);
    for (const char* gone :
         {"turntable_002.png", "turntable.mp4", "turntable.gif", "2_bare/front.png"})
        EXPECT_FALSE(fs::exists(dir / gone)) << gone;
    EXPECT_TRUE(fs::exists(dir / "turntable_000.png"));
    EXPECT_EQ(test::readText(dir / "notes.txt"), "the clinic's own file");
    EXPECT_EQ(test::readText(outside), "outside");
}

TEST(OutputSet, ChangedOrNonRegularLeftoverIsInTheWay) {
    const fs::path dir = test::outputDir("output_set_in_the_way");
    put(dir / "a.png", "a");
    put(dir / "b.png", "b");
    put(dir / "c.png", "c");
    writeManifest(dir, {"a.png", "b.png", "c.png"}, "name");
    put(dir / "b.png", "edited by hand");
    fs::remove(dir / "c.png");
    fs::create_symlink(dir / "a.png", dir / "c.png");
    try {
        findOutputLeftovers(dir, "manifest.json", {"manifest.json"});
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("2 file(s) of an older run"), std::string::npos) << m;
        EXPECT_NE(m.find("b.png, c.png"), std::string::npos) << m;
        EXPECT_NE(m.find("nothing was written"), std::string::npos) << m;
        EXPECT_EQ(e.problems().front().pointer, "overwrite");
    }
    EXPECT_EQ(test::readText(dir / "b.png"), "edited by hand");
    EXPECT_TRUE(fs::is_symlink(dir / "c.png"));
    // No manifest, or one that is not JSON: nothing is an older run's file.
    EXPECT_TRUE(findOutputLeftovers(dir, "other.json", {}).files.empty());
    put(dir / "broken.json", "{not json");
    EXPECT_TRUE(findOutputLeftovers(dir, "broken.json", {}).files.empty());
}

TEST(OutputSet, LeftoverChangedAfterTheCheckIsKept) {
    const fs::path dir = test::outputDir("output_set_late_change");
    put(dir / "old.png", "old");
    writeManifest(dir, {"old.png"});
    const OutputLeftovers left = findOutputLeftovers(dir, "manifest.json", {});
    ASSERT_EQ(left.files.size(), 1u);
    put(dir / "old.png", "replaced by someone meanwhile");
    EXPECT_TRUE(removeOutputLeftovers(left, {}).empty());
    EXPECT_EQ(test::readText(dir / "old.png"), "replaced by someone meanwhile");
}

} // namespace
