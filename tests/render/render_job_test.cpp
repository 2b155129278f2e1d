// The whole `stipple render` pipeline as a library call, on tiny frames: which files appear,
// their provenance, the manifest, MP4/GIF structure, refusing to overwrite, and interruption.

#include <atomic>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "image_compare.h"
#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/render/render_job.h"
#include "test_scene.h"

namespace {

using namespace stipple;
using namespace stipple::render;

struct Fixture {
    HeadModel head = test::syntheticHead(48);
    LayerStack layers = test::syntheticLayers(head, 512, 4.0, 1.2);
    RenderSubject subject() const {
        RenderSubject s;
        s.head = &head;
        s.layers = &layers;
        s.provenance.design_name = "Test design";
        s.provenance.design_sha256 = std::string(64, 'a');
        s.provenance.seed = 42;
        s.provenance.mesh_sha256 = std::string(64, 'b');
        return s;
    }
};

RenderJob smallJob(const std::filesystem::path& dir) {
    RenderJob job;
    job.out_dir = dir;
    job.settings.width = 66; // even after the MP4's crop to even sizes? 66 is even already
    job.settings.height = 50;
    job.settings.lighting = *lightingPreset("studio");
    job.date = "2026-01-02T03:04:05Z";
    return job;
}

std::string readAll(const std::filesystem::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(RenderJob, StillsTurntableClipsAndManifest) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_all");
    RenderJob job = smallJob(dir);
    job.views = {"front", "top"};
    job.before_after = true;
    job.turntable_frames = 6;
    job.top_view_pass = true;
    job.mp4 = job.gif = job.contact_sheet = true;
    job.watermark = "Simulation - results vary";
    job.settings.transparent = true;
    const nlohmann::json summary = runRenderJob({fx.subject()}, job);

    for (const char* name :
         {"front.png", "front_before.png", "front_before_after.png", "front_split.png", "top.png",
          "turntable_000.png", "turntable_005.png", "turntable_top_005.png", "turntable.mp4",
          "turntable.gif", "contact_sheet.png", "manifest.json"})
        EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
    EXPECT_FALSE(std::filesystem::exists(dir / "turntable_006.png")) << "duplicated end frame";
    // 4 files per still view with before/after, 12 frames, mp4, gif, contact sheet.
    EXPECT_EQ(summary["files"].size(), 2u * 4u + 12u + 3u);

    // Provenance in the PNG text chunks.
    const TextChunks text = readPngText(dir / "turntable_003.png");
    std::map<std::string, std::string> kv(text.begin(), text.end());
    EXPECT_EQ(kv["stipple:design_sha256"], std::string(64, 'a'));
    EXPECT_EQ(kv["stipple:mesh_sha256"], std::string(64, 'b'));
    EXPECT_EQ(kv["stipple:seed"], "42");
    EXPECT_EQ(kv["stipple:version"], STIPPLE_VERSION);
    EXPECT_EQ(kv["stipple:date"], "2026-01-02T03:04:05Z");
    EXPECT_EQ(kv["Disclaimer"], "Simulation - results vary");

    // The manifest lists every file with its real SHA-256.
    const nlohmann::json manifest = nlohmann::json::parse(readAll(dir / "manifest.json"));
    EXPECT_EQ(manifest["files"].size(), summary["files"].size());
    for (const auto& f : manifest["files"])
        EXPECT_EQ(f["sha256"], sha256File(dir / f["path"].get<std::string>())) << f["path"];
    EXPECT_FALSE(manifest["interrupted"].get<bool>());

    // Transparent PNG frames keep alpha; straight alpha means edge pixels are not darkened.
    const Image8 frame = readImage8(dir / "turntable_000.png");
    ASSERT_EQ(frame.channels, 4);
    EXPECT_EQ(frame.at(0, 0)[3], 0);

    // MP4: ISO BMFF with the index (moov) before the media data (+faststart), H.264 (avc1).
    const std::string mp4 = readAll(dir / "turntable.mp4");
    EXPECT_EQ(mp4.substr(4, 4), "ftyp");
    ASSERT_NE(mp4.find("moov"), std::string::npos);
    EXPECT_LT(mp4.find("moov"), mp4.find("mdat"));
    EXPECT_NE(mp4.find("avc1"), std::string::npos);

    // GIF: GIF89a, looping, 12 frames (one graphic control block each), transparent index set.
    const std::string gif = readAll(dir / "turntable.gif");
    EXPECT_EQ(gif.substr(0, 6), "GIF89a");
    EXPECT_NE(gif.find("NETSCAPE2.0"), std::string::npos);
    size_t gce = 0;
    for (size_t p = gif.find("\x21\xF9\x04"); p != std::string::npos;
         p = gif.find("\x21\xF9\x04", p + 1)) {
        ++gce;
        EXPECT_EQ(gif[p + 3] & 1, 1) << "transparency flag";
    }
    EXPECT_EQ(gce, 12u);
}

TEST(RenderJob, RefusesToOverwriteBeforeRenderingAnything) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_overwrite");
    RenderJob job = smallJob(dir);
    job.views = {"front", "left"};
    runRenderJob({fx.subject()}, job);
    const auto stamp = std::filesystem::last_write_time(dir / "front.png");
    try {
        runRenderJob({fx.subject()}, job);
        FAIL() << "overwrote without permission";
    } catch (const Error& e) {
        // The library names the neutral option ("overwrite"); the CLI maps it to --force.
        ASSERT_EQ(e.problems().size(), 1u);
        EXPECT_EQ(e.problems()[0].pointer, "overwrite");
        EXPECT_NE(std::string(e.what()).find("already exist"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
    }
    EXPECT_EQ(std::filesystem::last_write_time(dir / "front.png"), stamp);
    job.overwrite = Overwrite::Yes;
    EXPECT_NO_THROW(runRenderJob({fx.subject()}, job));
}

TEST(RenderJob, InterruptionLeavesOnlyCompleteFilesAndSaysSo) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_cancel");
    RenderJob job = smallJob(dir);
    job.turntable_frames = 8;
    job.mp4 = job.gif = true;
    std::atomic<bool> cancel{true}; // as if Ctrl-C arrived before the first frame
    job.cancel = &cancel;
    EXPECT_THROW(runRenderJob({fx.subject()}, job), RuntimeFailure);
    // No clip under a final name, no temporary left behind, manifest says interrupted.
    EXPECT_FALSE(std::filesystem::exists(dir / "turntable.mp4"));
    EXPECT_FALSE(std::filesystem::exists(dir / "turntable.gif"));
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        EXPECT_EQ(entry.path().filename().string().find("tmp"), std::string::npos) << entry.path();
    const nlohmann::json manifest = nlohmann::json::parse(readAll(dir / "manifest.json"));
    EXPECT_TRUE(manifest["interrupted"].get<bool>());
}

TEST(RenderJob, SeveralDesignsSideBySide) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_designs");
    RenderJob job = smallJob(dir);
    job.views = {"front"};
    RenderSubject a = fx.subject(), b = fx.subject();
    b.layers = nullptr;
    b.provenance.design_name = "Bare head";
    runRenderJob({a, b}, job);
    EXPECT_TRUE(std::filesystem::exists(dir / "1_test_design" / "front.png"));
    EXPECT_TRUE(std::filesystem::exists(dir / "2_bare_head" / "front.png"));
    const Image8 sheet = readImage8(dir / "designs_front.png");
    EXPECT_GT(sheet.width, 2 * 66);
    EXPECT_EQ(sheet.height, 50);
}

// Issue 13: `--force` over an older, larger render left its frames, GIF and MP4 beside the new
// ones while the manifest listed only the new. Now the older run's files go; a file the older
// manifest does not list stays.
TEST(RenderJob, OverwriteReplacesTheWholeOutputSet) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_replace_set");
    RenderJob job = smallJob(dir);
    job.views = {"front"};
    job.turntable_frames = 6;
    job.mp4 = job.gif = true;
    runRenderJob({fx.subject()}, job);
    std::ofstream(dir / "notes.txt") << "the clinic's own file";
    job.overwrite = Overwrite::Yes;
    job.turntable_frames = 3;
    job.mp4 = job.gif = false;
    const nlohmann::json summary = runRenderJob({fx.subject()}, job);
    for (const char* gone : {"turntable_003.png", "turntable_004.png", "turntable_005.png",
                             "turntable.mp4", "turntable.gif"})
        EXPECT_FALSE(std::filesystem::exists(dir / gone)) << gone;
    EXPECT_EQ(summary["removed_from_older_run"].size(), 5u);
    EXPECT_EQ(readAll(dir / "notes.txt"), "the clinic's own file");
    // What is in the folder is exactly what the manifest lists (plus the clinic's file).
    std::set<std::string> listed = {"manifest.json", "notes.txt"}, present;
    for (const auto& f : summary["files"])
        listed.insert(f["path"].get<std::string>());
    for (const auto& e : std::filesystem::directory_iterator(dir))
        present.insert(e.path().filename().string());
    EXPECT_EQ(present, listed);
}

TEST(RenderJob, OverwriteRefusesWhenAChangedFileOfTheOlderRunIsInTheWay) {
    const Fixture fx;
    const auto dir = test::outputDir("render_job_in_the_way");
    RenderJob job = smallJob(dir);
    job.turntable_frames = 4;
    runRenderJob({fx.subject()}, job);
    std::ofstream(dir / "turntable_003.png") << "retouched by hand";
    const auto stamp = std::filesystem::last_write_time(dir / "turntable_000.png");
    job.overwrite = Overwrite::Yes;
    job.turntable_frames = 2;
    try {
        runRenderJob({fx.subject()}, job);
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("in the way"), std::string::npos) << m;
        EXPECT_NE(m.find("turntable_003.png"), std::string::npos) << m;
        EXPECT_EQ(e.problems().front().pointer, "overwrite");
    }
    EXPECT_EQ(std::filesystem::last_write_time(dir / "turntable_000.png"), stamp);
    EXPECT_EQ(readAll(dir / "turntable_003.png"), "retouched by hand");
}

// Issue 13: every PNG carried the design's name, the manifest its paths. Private by default.
TEST(RenderJob, ProvenanceIsPrivateByDefaultAndFullOnRequest) {
    const Fixture fx;
    RenderSubject subject = fx.subject();
    subject.provenance.design_name = "Jane Roe, client 17";
    subject.provenance.design_file = "/clinic/clients/jane_roe.json";
    subject.provenance.mesh_file = "/clinic/scans/jane_roe.obj";
    for (ProvenanceMode mode : {ProvenanceMode::Private, ProvenanceMode::Full}) {
        const bool full = mode == ProvenanceMode::Full;
        const auto dir = test::outputDir(full ? "render_job_prov_full" : "render_job_prov_private");
        RenderJob job = smallJob(dir);
        job.views = {"front"};
        job.provenance = mode;
        runRenderJob({subject}, job);
        std::map<std::string, std::string> kv;
        for (const auto& [key, value] : readPngText(dir / "front.png"))
            kv[key] = value;
        EXPECT_EQ(kv["stipple:design_sha256"], std::string(64, 'a'));
        EXPECT_EQ(kv.count("stipple:design") == 1, full);
        EXPECT_EQ(kv.count("stipple:design_file") == 1, full);
        if (full) {
            EXPECT_EQ(kv["stipple:design"], "Jane Roe, client 17");
        }
        const std::string manifest = readAll(dir / "manifest.json");
        EXPECT_EQ(manifest.find("Jane Roe") != std::string::npos, full) << manifest;
        EXPECT_EQ(manifest.find("/clinic/") != std::string::npos, full) << manifest;
        const nlohmann::json m = nlohmann::json::parse(manifest);
        EXPECT_EQ(m["provenance"], full ? "full" : "private");
        EXPECT_EQ(m["designs"][0]["design_sha256"], std::string(64, 'a'));
        EXPECT_EQ(m["files"][0]["design_sha256"], std::string(64, 'a'));
    }
}

TEST(RenderJob, BadInputsNameTheOptionAndWhatIsAccepted) {
    RenderJob job = smallJob(test::outputDir("render_job_bad"));
    job.views = {"frnt"};
    try {
        validateRenderJob(job);
        FAIL();
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("unknown view 'frnt'"), std::string::npos) << m;
        EXPECT_NE(m.find("three_quarter_left"), std::string::npos) << m;
    }
    job.views = {"front"};
    job.settings.width = 7680;
    EXPECT_THROW(validateRenderJob(job), Error);
    job.settings.width = 64;
    job.turntable_frames = 721;
    EXPECT_THROW(validateRenderJob(job), Error);
    job.turntable_frames = 0;
    job.mp4 = true;
    EXPECT_THROW(validateRenderJob(job), Error);
}

} // namespace
