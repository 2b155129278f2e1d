// stipple-viewer driven by --script under xvfb-run, as a practitioner's session would go: drag a
// hairline control point, save, undo, compare a screenshot with the CLI's still, scrub the age.
// Each test is one viewer run (the window, the head and the bake cost ~10 s on llvmpipe).

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "render/image_compare.h"
#include "stipple/core/design.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/image.h"
#include "stipple/core/mesh_ray.h"
#include "stipple/core/session.h"
#include "stipple/render/camera.h"
#include "stipple/render/renderer.h"
#include "test_util.h"

namespace {

using namespace stipple;
namespace fs = std::filesystem;

// The window of every test: small, so llvmpipe draws a frame in well under a second.
constexpr int kWidth = 640, kHeight = 360;

// Runs the viewer on `design` with `actions` under a virtual X display; the exit code.
int runViewer(const fs::path& dir, const fs::path& design, const nlohmann::json& actions) {
    const fs::path script = dir / "actions.json";
    std::ofstream(script) << actions.dump(1);
    const std::string command = "cd '" + dir.string() +
                                "' && xvfb-run -a -s '-screen 0 1280x720x24' " +
                                STIPPLE_VIEWER_EXE + " '" + design.string() + "' --script '" +
                                script.string() + "' --size " + std::to_string(kWidth) + "x" +
                                std::to_string(kHeight) + " --stats stats.json > viewer.log 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Where the viewer's camera for named view `view` puts `point`: the framing every host uses
// (ViewFramer), so the test does not read the viewer's camera.
glm::dvec2 projected(const Session& session, const std::string& view, const glm::dvec3& point) {
    const render::ViewFramer framer(session.head(), nullptr);
    const render::CameraPose pose = *render::viewPose(view, session.design().render.elevation_deg);
    return render::projectToPixel(framer.fit(view, pose, kWidth, kHeight), pose, kWidth, kHeight,
                                  point);
}

// The drag, save and undo part of a session on `design`: control point 3 dragged to `to`
// (window pixels) in the front view.
nlohmann::json dragScript(const glm::dvec2& to) {
    return nlohmann::json::array({
        // The panels would cover most of a 640 px window (and take the mouse).
        {{"action", "toggle"}, {"name", "panels"}, {"value", false}},
        {{"action", "wait"}, {"frames", 2}},
        {{"action", "save"}, {"file", "a.json"}, {"overwrite", true}},
        {{"action", "drag_control_point"}, {"index", 3}, {"to", {to.x, to.y}}, {"steps", 4}},
        {{"action", "wait"}, {"frames", 2}},
        {{"action", "expect_no_message"}},
        {{"action", "save"}, {"file", "b.json"}, {"overwrite", true}},
        {{"action", "undo"}}, // the drag
        {{"action", "undo"}}, // the switch to a custom hairline
        {{"action", "wait"}, {"frames", 1}},
        {{"action", "save"}, {"file", "c.json"}, {"overwrite", true}},
    });
}

// Checks the saved files of dragScript: point 3 where the drag ended and on the surface, and
// undo giving back the first file byte for byte.
void expectDragSaved(const fs::path& dir, const glm::dvec2& to) {
    ASSERT_TRUE(fs::exists(dir / "b.json")) << test::readText(dir / "viewer.log");
    Session session(loadDesign(dir / "b.json"));
    session.loadHead();
    const HairlineSpec& h = session.design().hairline;
    ASSERT_EQ(h.shape, HairlineTemplate::Custom);
    ASSERT_GT(h.control_points.size(), 3u);
    const glm::dvec3 p = h.control_points[3];
    // Picked on the mesh by a ray: on the surface up to float rounding of the vertices.
    EXPECT_LT(distanceToMesh(session.head().mesh, p), 1.0) << "mm";
    // Where the mouse was released, up to the pixel grid (half a pixel each way) and the
    // float matrices of the window's camera.
    const glm::dvec2 seen = projected(session, "front", p);
    EXPECT_NEAR(seen.x, to.x, 1.5) << "px";
    EXPECT_NEAR(seen.y, to.y, 1.5) << "px";
    // Undo twice restores the design as it was saved before the drag, byte for byte.
    EXPECT_EQ(test::readText(dir / "c.json"), test::readText(dir / "a.json"));
}

// Mean luma over the pixels where `after` is darker than `before` by more than 6 levels (the
// dots), for each image of `ages`.
std::vector<double> dotLumas(const Image8& before, const Image8& mask_after,
                             const std::vector<Image8>& ages) {
    std::vector<size_t> dots;
    for (size_t i = 0; i < size_t(before.width) * size_t(before.height); ++i)
        if (test::luma(&before.pixels[i * 4]) - test::luma(&mask_after.pixels[i * 4]) > 6.0)
            dots.push_back(i);
    std::vector<double> lumas;
    for (const Image8& image : ages) {
        double sum = 0;
        for (size_t i : dots)
            sum += test::luma(&image.pixels[i * 4]);
        lumas.push_back(dots.empty() ? 0 : sum / double(dots.size()));
    }
    return lumas;
}

Image8 rgba(const Image8& image) {
    if (image.channels == 4) return image;
    Image8 out(image.width, image.height, 4, 255);
    for (size_t i = 0; i < size_t(image.width) * size_t(image.height); ++i)
        for (size_t c = 0; c < 3; ++c)
            out.pixels[i * 4 + c] = image.pixels[i * size_t(image.channels) + c];
    return out;
}

TEST(ViewerScript, MannequinDragSaveUndoScreenshotAndAge) {
    const fs::path dir = test::outputDir("viewer_mannequin");
    const fs::path design = test::sourceDir() / "examples" / "natural.json";
    const glm::dvec2 to(330, 125); // the middle of the forehead in the front view
    nlohmann::json script = dragScript(to);
    const std::vector<int> ages = {30, 365, 1095, 1825};
    for (const nlohmann::json& a : nlohmann::json::array({
             {{"action", "screenshot"}, {"file", "front.png"}, {"panels", false}},
             {{"action", "view"}, {"name", "hairline_closeup"}},
             {{"action", "toggle"}, {"name", "after"}, {"value", false}},
             {{"action", "screenshot"}, {"file", "before.png"}, {"panels", false}},
             {{"action", "toggle"}, {"name", "after"}, {"value", true}},
         }))
        script.push_back(a);
    for (int age : ages) {
        script.push_back({{"action", "set"}, {"pointer", "/pigment/age_days"}, {"value", age}});
        script.push_back({{"action", "screenshot"},
                          {"file", "age" + std::to_string(age) + ".png"},
                          {"panels", false}});
    }
    script.push_back({{"action", "wait"}, {"frames", 1}});
    ASSERT_EQ(runViewer(dir, design, script), 0) << test::readText(dir / "viewer.log");
    expectDragSaved(dir, to);

    // The screenshot of the front view against the CLI's still of the same design and size,
    // at the viewer's live layer size.
    const std::string cli = std::string(STIPPLE_EXE) + " render '" + (dir / "c.json").string() +
                            "' --view front --size 640x360 --layer-size 2048 --watermark '' -o '" +
                            (dir / "cli").string() + "' > /dev/null 2>&1";
    ASSERT_EQ(std::system(cli.c_str()), 0) << cli;
    const Image8 ours = readImage8(dir / "front.png");
    const Image8 theirs = rgba(readImage8(dir / "cli" / "front.png"));
    const test::ImageDiff d = test::compareImages(ours, theirs, 2);
    const test::ImageDiff strong = test::compareImages(ours, theirs, 48);
    std::cout << "viewer vs CLI front: max " << d.max_channel_diff
              << ", differing by > 2: " << d.differing_fraction * 100
              << "%, by > 48: " << strong.differing_fraction * 100 << "%\n";
    // Same Scene and shader; the viewer's full quality is 4x supersampled (a 2x target, box
    // filtered: scene_passes.h), the CLI's 4x MSAA, so the textures' level of detail and the
    // skin detail's footprint fade are one step finer in the viewer and edge samples sit
    // elsewhere: many pixels differ by a few levels, almost none by much. Measured: 3.3% of
    // the pixels differ by more than 2 levels, 0.003% by more than 48. A misplaced camera, a
    // wrong light or missing layers would change most of the head (~25% of this frame).
    EXPECT_LE(d.differing_fraction, 0.05) << "images in " << dir;
    EXPECT_LE(strong.differing_fraction, 0.003) << "images in " << dir;

    // The timeline: the dots lighten monotonically as the ink ages (pigment model: fading).
    std::vector<Image8> age_images;
    for (int age : ages)
        age_images.push_back(readImage8(dir / ("age" + std::to_string(age) + ".png")));
    const std::vector<double> lumas =
        dotLumas(readImage8(dir / "before.png"), age_images.front(), age_images);
    for (size_t i = 0; i < lumas.size(); ++i)
        std::cout << "age " << ages[i] << " d: dot luma " << lumas[i] << "\n";
    for (size_t i = 1; i < lumas.size(); ++i)
        EXPECT_GT(lumas[i], lumas[i - 1]) << ages[i - 1] << " -> " << ages[i] << " days";
}

// Columns [x0, x1) of `image`.
Image8 columns(const Image8& image, int x0, int x1) {
    Image8 out(x1 - x0, image.height, image.channels);
    const size_t c = size_t(image.channels);
    for (int y = 0; y < image.height; ++y)
        std::copy_n(image.at(x0, y), size_t(x1 - x0) * c,
                    out.pixels.begin() + long(size_t(y) * size_t(out.width) * c));
    return out;
}

// The before | after split line at 50 %: its left half is the "before" picture and its right
// half the "after" picture, drawn with the same lights (the left half used to be lit flat).
TEST(ViewerScript, SplitHalvesAreTheBeforeAndAfterPictures) {
    const fs::path dir = test::outputDir("viewer_split");
    const fs::path design = test::sourceDir() / "examples" / "natural.json";
    const nlohmann::json script = nlohmann::json::array({
        {{"action", "toggle"}, {"name", "panels"}, {"value", false}},
        {{"action", "view"}, {"name", "hairline_closeup"}},
        {{"action", "screenshot"}, {"file", "after.png"}, {"panels", false}},
        {{"action", "toggle"}, {"name", "after"}, {"value", false}},
        {{"action", "screenshot"}, {"file", "before.png"}, {"panels", false}},
        {{"action", "toggle"}, {"name", "after"}, {"value", true}},
        {{"action", "toggle"}, {"name", "split"}, {"value", true}},
        {{"action", "split"}, {"x", 0.5}},
        {{"action", "screenshot"}, {"file", "split.png"}, {"panels", false}},
        {{"action", "wait"}, {"frames", 1}},
    });
    ASSERT_EQ(runViewer(dir, design, script), 0) << test::readText(dir / "viewer.log");
    const Image8 split = readImage8(dir / "split.png");
    const Image8 before = readImage8(dir / "before.png");
    const Image8 after = readImage8(dir / "after.png");
    ASSERT_EQ(split.width, kWidth);
    const int half = kWidth / 2;
    // One pass, one shader: each half is its picture up to rounding (the line falls between
    // two pixels of the 2x supersampled target, so no pixel mixes the two).
    const test::ImageDiff left =
        test::compareImages(columns(split, 0, half), columns(before, 0, half), 1);
    const test::ImageDiff right =
        test::compareImages(columns(split, half, kWidth), columns(after, half, kWidth), 1);
    std::cout << "split left vs before: max " << left.max_channel_diff
              << ", > 1: " << left.differing_fraction * 100 << "%; right vs after: max "
              << right.max_channel_diff << ", > 1: " << right.differing_fraction * 100 << "%\n";
    EXPECT_LE(left.differing_fraction, 0.001) << "images in " << dir;
    EXPECT_LE(right.differing_fraction, 0.001) << "images in " << dir;
    // The test can fail: the close-up's left half shows dots after and none before, so the
    // two pictures differ there on many pixels (a split showing "after" on both sides, or a
    // flat-lit left half, would not match `before`).
    const test::ImageDiff dots =
        test::compareImages(columns(after, 0, half), columns(before, 0, half), 1);
    std::cout << "before vs after, left half: > 1: " << dots.differing_fraction * 100 << "%\n";
    EXPECT_GE(dots.differing_fraction, 0.05) << "images in " << dir;
}

// A polygon scar outlined by four clicks on the scalp, then its first point dragged: the saved
// design has the point where the drag ended, on the surface; undo takes the drag back.
TEST(ViewerScript, ScarOutlineAddedAndItsPointDragged) {
    const fs::path dir = test::outputDir("viewer_scar");
    const fs::path design = test::sourceDir() / "examples" / "natural.json";
    nlohmann::json script = nlohmann::json::array({
        {{"action", "toggle"}, {"name", "panels"}, {"value", false}},
        {{"action", "view"}, {"name", "top"}},
        {{"action", "toggle"}, {"name", "add_scar"}, {"value", true}},
    });
    // A quadrilateral around the crown of the top view (window centre).
    for (const auto& [x, y] : {std::pair{300, 160}, {340, 160}, {340, 200}, {300, 200}})
        script.push_back({{"action", "drag"}, {"from", {x, y}}, {"to", {x, y}}, {"steps", 0}});
    const glm::dvec2 to(315, 150);
    for (const nlohmann::json& a : nlohmann::json::array({
             {{"action", "finish_scar"}},
             {{"action", "toggle"}, {"name", "add_scar"}, {"value", false}},
             {{"action", "wait"}, {"frames", 1}},
             {{"action", "expect_no_message"}},
             {{"action", "save"}, {"file", "a.json"}, {"overwrite", true}},
             {{"action", "drag_scar_point"},
              {"scar", 0},
              {"index", 0},
              {"to", {to.x, to.y}},
              {"steps", 4}},
             {{"action", "wait"}, {"frames", 2}},
             {{"action", "expect_no_message"}},
             {{"action", "save"}, {"file", "b.json"}, {"overwrite", true}},
             {{"action", "undo"}},
             {{"action", "save"}, {"file", "c.json"}, {"overwrite", true}},
         }))
        script.push_back(a);
    ASSERT_EQ(runViewer(dir, design, script), 0) << test::readText(dir / "viewer.log");
    Session session(loadDesign(dir / "b.json"));
    session.loadHead();
    ASSERT_EQ(session.design().scars.size(), 1u);
    const ScarSpec& scar = session.design().scars[0];
    ASSERT_EQ(scar.type, ScarType::Polygon);
    ASSERT_EQ(scar.points_mm.size(), 4u);
    for (const glm::dvec3& p : scar.points_mm)
        EXPECT_LT(distanceToMesh(session.head().mesh, p), 1.0) << "mm";
    const glm::dvec2 seen = projected(session, "top", scar.points_mm[0]);
    EXPECT_NEAR(seen.x, to.x, 1.5) << "px";
    EXPECT_NEAR(seen.y, to.y, 1.5) << "px";
    // The other points stay where they were clicked.
    const glm::dvec2 second = projected(session, "top", scar.points_mm[1]);
    EXPECT_NEAR(second.x, 340, 1.5) << "px";
    EXPECT_NEAR(second.y, 160, 1.5) << "px";
    EXPECT_EQ(test::readText(dir / "c.json"), test::readText(dir / "a.json"));
}

// The files of folder `dir` (names, sorted), without the manifest (it records its run).
std::vector<std::string> filesOf(const fs::path& dir) {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir))
        if (e.path().filename() != "manifest.json") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Exports are the CLI's files and never replace a file unasked; saving asks before replacing;
// a missing file, a bad design and a scan that is not a head are messages in the window, and
// the last good design stays (on screen and in what is saved next).
TEST(ViewerScript, ExportsSaveConfirmationAndErrorsKeepTheLastGoodState) {
    const fs::path dir = test::outputDir("viewer_files");
    nlohmann::json design =
        nlohmann::json::parse(test::readText(test::sourceDir() / "examples" / "natural.json"));
    design["head"]["mesh"] = (test::sourceDir() / "meshes" / "mannequin.glb").string();
    design["render"]["width"] = 320;
    design["render"]["height"] = 180;
    design["render"]["views"] = {"front", "top"};
    design["render"]["turntable_frames"] = 3;
    design["render"]["top_view"] = false;
    design["render"]["layer_size"] = 1024;
    std::ofstream(dir / "design.json") << design.dump(1);
    std::ofstream(dir / "bad.json") << R"({"stipple": 1, "zones": [{"name": "front",
        "density_per_cm2": 5000}]})";
    std::string cube = "v -1 -1 -1\nv 1 -1 -1\nv -1 1 -1\nv 1 1 -1\nv -1 -1 1\nv 1 -1 1\n"
                       "v -1 1 1\nv 1 1 1\n";
    for (const char* f : {"1 5 7", "1 7 3", "2 4 8", "2 8 6", "1 2 6", "1 6 5", "3 7 8", "3 8 4",
                          "1 3 4", "1 4 2", "5 6 8", "5 8 7"})
        cube += std::string("f ") + f + "\n";
    std::ofstream(dir / "cube.obj") << cube;
    std::ofstream(dir / "cube.json") << R"({"stipple": 1, "head": {"mesh": "cube.obj"}})";
    std::ofstream(dir / "taken.json") << "keep me";
    for (const char* old : {"stills", "turntable", "saved.json"})
        fs::remove_all(dir / old);
    const nlohmann::json script = nlohmann::json::array({
        {{"action", "toggle"}, {"name", "panels"}, {"value", false}},
        {{"action", "screenshot"}, {"file", "first.png"}, {"panels", false}},
        // Save: an existing file needs confirmation; a new one is written.
        {{"action", "save"}, {"file", "taken.json"}},
        {{"action", "expect_message"}, {"contains", "confirm to replace it"}},
        {{"action", "save"}, {"file", "saved.json"}},
        {{"action", "expect_no_message"}},
        // Exports: stills and a turntable; a second export into the same folder is refused.
        {{"action", "export"}, {"dir", "stills"}},
        {{"action", "expect_message"}, {"contains", "wrote"}},
        {{"action", "export"}, {"dir", "turntable"}, {"turntable", true}},
        {{"action", "expect_message"}, {"contains", "wrote"}},
        {{"action", "export"}, {"dir", "stills"}},
        {{"action", "expect_message"}, {"contains", "stills"}},
        // Errors: each a message; the design on screen stays.
        {{"action", "open"}, {"file", "missing.json"}},
        {{"action", "expect_message"}, {"contains", "missing.json"}},
        {{"action", "open"}, {"file", "bad.json"}},
        {{"action", "expect_message"}, {"contains", "/zones/0/density_per_cm2"}},
        {{"action", "open"}, {"file", "cube.json"}},
        {{"action", "expect_message"}, {"contains", "is not a head"}},
        {{"action", "set"}, {"pointer", "/zones/1/density_per_cm2"}, {"value", -3}},
        {{"action", "expect_message"}, {"contains", "density"}},
        {{"action", "screenshot"}, {"file", "after_errors.png"}, {"panels", false}},
        {{"action", "save"}, {"file", "after_errors.json"}, {"overwrite", true}},
        {{"action", "expect_no_message"}},
        {{"action", "wait"}, {"frames", 1}},
    });
    ASSERT_EQ(runViewer(dir, dir / "design.json", script), 0) << test::readText(dir / "viewer.log");

    EXPECT_EQ(test::readText(dir / "taken.json"), "keep me");
    EXPECT_EQ(test::readText(dir / "after_errors.json"), test::readText(dir / "saved.json"));
    // The picture after the errors is the first picture (the last good state on screen).
    const test::ImageDiff same =
        test::compareImages(readImage8(dir / "first.png"), readImage8(dir / "after_errors.png"), 0);
    EXPECT_EQ(same.max_channel_diff, 0) << "images in " << dir;

    // The CLI's files for the same design: same names, same pixels.
    for (const auto& [folder, flags] :
         {std::pair<std::string, std::string>{"stills", ""}, {"turntable", " --turntable"}}) {
        const fs::path cli = dir / ("cli_" + folder);
        fs::remove_all(cli);
        const std::string command = std::string(STIPPLE_EXE) + " render '" +
                                    (dir / "design.json").string() + "'" + flags + " -o '" +
                                    cli.string() + "' > /dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        const std::vector<std::string> ours = filesOf(dir / folder), theirs = filesOf(cli);
        EXPECT_EQ(ours, theirs) << folder;
        EXPECT_GE(ours.size(), folder == "stills" ? 2u : 3u) << folder;
        for (const std::string& name : ours) {
            if (fs::path(name).extension() != ".png") continue;
            const test::ImageDiff d =
                test::compareImages(readImage8(dir / folder / name), readImage8(cli / name), 0);
            // One renderer, one job, one design: the same pixels.
            EXPECT_EQ(d.max_channel_diff, 0) << folder << "/" << name;
        }
    }
}

TEST(ViewerScript, SharedHeadDragSaveUndo) {
    const fs::path mesh =
        test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
    if (!fs::exists(mesh)) GTEST_SKIP() << "shared heads missing";
    const fs::path dir = test::outputDir("viewer_ict");
    const nlohmann::json design = {{"stipple", 1},
                                   {"name", "ICT viewer test"},
                                   {"seed", 3},
                                   {"head", {{"mesh", mesh.string()}, {"units", "cm"}}},
                                   {"render", {{"layer_size", 1024}}}};
    std::ofstream(dir / "ict.json") << design.dump(1);
    const glm::dvec2 to(322, 110);
    ASSERT_EQ(runViewer(dir, dir / "ict.json", dragScript(to)), 0)
        << test::readText(dir / "viewer.log");
    expectDragSaved(dir, to);
}

} // namespace
