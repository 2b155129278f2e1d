#include "stipple/core/image.h"

#include <gtest/gtest.h>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "test_util.h"

namespace stipple {
namespace {

TEST(Image, PngRoundTripKeepsPixelsAndText) {
    const auto dir = test::outputDir("image_roundtrip");
    Image8 image(3, 2, 4);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = uint8_t(i * 10);
    writeFileAtomic(dir / "a.png", encodePng(image, {{"stipple:seed", "42"}}), Overwrite::No);
    const Image8 back = readImage8(dir / "a.png");
    EXPECT_EQ(back.width, 3);
    EXPECT_EQ(back.height, 2);
    EXPECT_EQ(back.channels, 4);
    EXPECT_EQ(back.pixels, image.pixels);
    const TextChunks text = readPngText(dir / "a.png");
    ASSERT_EQ(text.size(), 1u);
    EXPECT_EQ(text[0].first, "stipple:seed");
    EXPECT_EQ(text[0].second, "42");
}

TEST(Image, SixteenBitPngIsBigEndianOnDisk) {
    const auto dir = test::outputDir("image_16");
    Image16 image(1, 1, 1, 0x1234);
    const std::string png = encodePng(image);
    writeFileAtomic(dir / "g.png", png, Overwrite::No);
    // stb decodes 16-bit files to 8 bits by taking the high byte: 0x12.
    EXPECT_EQ(readImage8(dir / "g.png").pixels[0], 0x12);
}

TEST(AtomicWrite, RefusesToOverwriteUnlessAsked) {
    const auto dir = test::outputDir("atomic");
    writeFileAtomic(dir / "f.txt", "one", Overwrite::No);
    try {
        writeFileAtomic(dir / "f.txt", "two", Overwrite::No);
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        // The library names the host option neutrally; the CLI shows "--force" (option_names.h).
        EXPECT_NE(std::string(e.what()).find("exists; not replaced without overwrite"),
                  std::string::npos);
        EXPECT_EQ(e.problems().front().pointer, "overwrite");
    }
    EXPECT_EQ(readFile(dir / "f.txt"), "one");
    writeFileAtomic(dir / "f.txt", "two", Overwrite::Yes);
    EXPECT_EQ(readFile(dir / "f.txt"), "two");
    // No temporary file is left behind.
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file();
    EXPECT_EQ(files, 1u);
}

TEST(AtomicWrite, MissingFolderIsNamed) {
    try {
        writeFileAtomic("/nonexistent-stipple-dir/out.png", "x", Overwrite::No);
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-stipple-dir: output folder does not exist"),
                  std::string::npos);
    }
}

TEST(Srgb, TransferFunctionKnownAnswers) {
    // sRGB 0.5 is linear 0.2140 (IEC 61966-2-1); round trip within float precision.
    EXPECT_NEAR(srgbToLinear(0.5), 0.21404, 1e-4);
    EXPECT_NEAR(linearToSrgb(srgbToLinear(0.73)), 0.73, 1e-9);
}

} // namespace
} // namespace stipple
