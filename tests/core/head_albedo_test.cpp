// /head/albedo: an external albedo image for a mesh whose file names none (design.h,
// HeadSpec::albedo). The ICT head (OBJ, UDIM UVs, no texture in its material) with a flat-colour
// PNG and JPEG beside the design; bad inputs named at /head/albedo.

#include <fstream>

#include <gtest/gtest.h>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/pigment.h"
#include "stipple/core/session.h"
#include "test_util.h"

namespace stipple {
namespace {

// The skin colour of the test images (sRGB 8-bit): a light olive skin, unlike Fitzpatrick III.
constexpr uint8_t kSkin[3] = {196, 150, 120};

std::filesystem::path ictMesh() {
    return test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
}

Image8 flatImage(int size) {
    Image8 image(size, size, 3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            for (int c = 0; c < 3; ++c)
                image.at(x, y)[c] = kSkin[c];
    return image;
}

void writeBytes(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
}

// A design on the ICT head beside `dir`, with "albedo": `albedo` (a JSON value) unless null.
std::string designText(const std::string& albedo_json) {
    return R"({"stipple": 1, "seed": 7, "head": {"mesh": ")" + ictMesh().string() + "\"" +
           (albedo_json.empty() ? "" : ", \"albedo\": " + albedo_json) +
           R"(}, "pigment": {"skin_from_mesh": true}})";
}

Design designIn(const std::filesystem::path& dir, const std::string& albedo_json) {
    const std::filesystem::path file = dir / "design.json";
    writeBytes(file, designText(albedo_json));
    return loadDesign(file);
}

std::string errorOf(const std::filesystem::path& dir, const std::string& albedo_json) {
    try {
        designIn(dir, albedo_json);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(HeadAlbedo, PngAndJpegAreDecodedOnceAndUsedWithTheMeshUvs) {
    const std::filesystem::path dir = test::outputDir("head_albedo");
    std::filesystem::create_directories(dir / "maps");
    const Image8 image = flatImage(64);
    writeBytes(dir / "maps" / "skin.png", encodePng(image));
    // The JPEG is a committed fixture: stb's JPEG writer, quality 95, of this same image (its
    // encoder shifts negative values, which UBSan stops, so the sanitizer build cannot make it).
    std::filesystem::copy_file(test::sourceDir() / "tests" / "core" / "data" / "flat_skin_64.jpg",
                               dir / "maps" / "skin.jpg",
                               std::filesystem::copy_options::overwrite_existing);
    for (const char* name : {"maps/skin.png", "maps/skin.jpg"}) {
        const Design design = designIn(dir, std::string("\"") + name + "\"");
        // Relative to the design file's folder, decoded by the parser.
        EXPECT_EQ(design.head.albedo, (dir / name).lexically_normal()) << name;
        ASSERT_TRUE(design.head.albedo_pixels) << name;
        EXPECT_EQ(design.head.albedo_pixels->width, 64) << name;
        EXPECT_EQ(design.head.albedo_pixels->channels, 3) << name;
        EXPECT_EQ(design.head.albedo_sha256.size(), 64u) << name;
        // The head takes the decoded pixels (the same buffer: nothing is read again).
        Session session(design);
        session.loadHead();
        EXPECT_EQ(session.head().mesh.albedo, design.head.albedo_pixels) << name;
        EXPECT_EQ(session.head().mesh.albedo_texture, design.head.albedo) << name;
        // The skin under the scalp, read through the mesh's own UVs: the image's colour. A
        // flat JPEG at quality 95 decodes within 2 levels of its source: 0.01 in linear.
        const LayerStack& layers = session.layers();
        EXPECT_EQ(layers.skin_source, "mesh albedo") << name;
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(layers.skin_linear[c], srgbToLinear(kSkin[c] / 255.0), 0.01)
                << name << " channel " << c;
    }
    // Without it the ICT head has no albedo (its material names no texture): Fitzpatrick III.
    Session bare(designIn(dir, ""));
    bare.loadHead();
    EXPECT_FALSE(bare.head().mesh.albedo);
    EXPECT_NE(bare.layers().skin_source, "mesh albedo");
}

TEST(HeadAlbedo, BadInputIsNamedAtHeadAlbedo) {
    const std::filesystem::path dir = test::outputDir("head_albedo_bad");
    writeBytes(dir / "notes.txt", "not an image at all");
    writeBytes(dir / "truncated.png", encodePng(flatImage(16)).substr(0, 60));
    writeBytes(dir / "fake.jpg", std::string("\xff\xd8\xff\xe0", 4) + std::string(40, 'x'));
    std::filesystem::create_directories(dir / "folder.png");
    const struct {
        const char* value;
        const char* expect;
    } cases[] = {
        {R"("missing.png")", "not found"},
        {R"("notes.txt")", "neither a PNG nor a JPEG"},
        {R"("truncated.png")", "cannot be decoded"},
        {R"("fake.jpg")", "cannot be decoded"},
        {R"("folder.png")", "not a regular file"},
        {R"("/dev/zero")", "not a regular file"},
        {R"("../../../../../../../../proc/self/mem")", "cannot be read"},
        {R"("")", "is empty"},
        {R"(42)", "/head/albedo"},
    };
    for (const auto& c : cases) {
        const std::string e = errorOf(dir, c.value);
        EXPECT_NE(e.find("/head/albedo"), std::string::npos) << c.value << ": " << e;
        EXPECT_NE(e.find(c.expect), std::string::npos) << c.value << ": " << e;
        EXPECT_NE(e.find("design.json"), std::string::npos) << c.value << ": " << e;
    }
}

TEST(HeadAlbedo, AMeshWithoutUvsWarnsAndKeepsNoAlbedo) {
    // The Demosthenes bust has no UVs: the image cannot be mapped, a warning says so.
    const std::filesystem::path dir = test::outputDir("head_albedo_no_uv");
    writeBytes(dir / "skin.png", encodePng(flatImage(8)));
    writeBytes(dir / "design.json",
               R"({"stipple": 1, "head": {"mesh": ")" +
                   (test::sharedHeads() / "demosthenes_bust" / "demosthenes-low-res.obj").string() +
                   R"(", "albedo": "skin.png"}})");
    const Design design = loadDesign(dir / "design.json");
    const HeadModel head = loadHeadModel(design.head);
    EXPECT_FALSE(head.mesh.albedo);
    bool warned = false;
    for (const Problem& p : head.warnings)
        warned = warned || (p.pointer == "/head/albedo" &&
                            p.message.find("no UVs") != std::string::npos);
    EXPECT_TRUE(warned);
}

} // namespace
} // namespace stipple
