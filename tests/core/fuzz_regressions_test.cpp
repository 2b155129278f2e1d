// Inputs the fuzz targets (tests/fuzz) found to crash, hang or blow up the readers, replayed in
// the regular suites so that the sanitizer build (scripts/test.sh) keeps them fixed. Each test
// names the target that found it; the inputs are also in the fuzz seed corpus.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <zlib.h>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/image.h"
#include "stipple/core/mesh_import.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace stipple;

namespace {

// A design with only a density mask, `image` beside it in `dir`.
Design parseMaskDesign(const fs::path& dir, const std::string& image) {
    return parseDesign(R"({"stipple": 1, "head": {"mesh": "head.glb"},
                           "density_mask": {"image": ")" +
                           image + R"("}})",
                       dir / "design.json");
}

std::string bigEndian(uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// A PNG chunk with its length and CRC-32.
std::string chunk(const std::string& type, const std::string& data) {
    const std::string body = type + data;
    const uint32_t crc = uint32_t(crc32(
        crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
    return bigEndian(uint32_t(data.size())) + body + bigEndian(crc);
}

// `png` (from encodePng: signature, then IHDR) with its IHDR's size set to width x height.
std::string withSize(const std::string& png, uint32_t width, uint32_t height) {
    const std::string ihdr = png.substr(16, 13);
    return png.substr(0, 8) + chunk("IHDR", bigEndian(width) + bigEndian(height) + ihdr.substr(8)) +
           png.substr(8 + 25);
}

// The one problem of `e`, expected at /density_mask/image.
std::string maskProblem(const Error& e) {
    EXPECT_EQ(e.problems().size(), 1u) << e.what();
    if (e.problems().empty()) return "";
    EXPECT_EQ(e.problems()[0].pointer, "/density_mask/image");
    return e.what();
}

Image8 smallGrey() {
    Image8 grey(5, 3, 1);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            grey.at(x, y)[0] = uint8_t(40 * x + 7 * y);
    return grey;
}

} // namespace

// A zero-length IDAT chunk is legal PNG; stb_image 2.27 copies it with memcpy(NULL, p, 0), which
// UBSan reports (fuzz_png_mask, 66 bytes; src/stb_image_impl.cpp). The mask must decode to
// exactly the pixels of the same file without the empty chunk.
TEST(FuzzRegression, MaskWithAnEmptyIdatChunkDecodesLikeTheSameMaskWithout) {
    const fs::path dir = test::outputDir("fuzz_empty_idat");
    const Image8 grey = smallGrey();
    const std::string png = encodePng(grey);
    const size_t idat = png.find("IDAT");
    ASSERT_NE(idat, std::string::npos);
    const std::string spliced = png.substr(0, idat - 4) + chunk("IDAT", "") + png.substr(idat - 4);
    writeFileAtomic(dir / "mask.png", spliced, Overwrite::Yes);
    const Design d = parseMaskDesign(dir, "mask.png");
    ASSERT_TRUE(d.density_mask && d.density_mask->pixels);
    EXPECT_EQ(d.density_mask->pixels->width, 5);
    EXPECT_EQ(d.density_mask->pixels->height, 3);
    EXPECT_EQ(d.density_mask->pixels->pixels, grey.pixels);
}

// A 60-byte PNG whose header claims 30000 x 30000 pixels made stb reserve about a gigabyte
// before finding the data missing. The header is read first: more than 8192 pixels on a side
// (the largest /render/layer_size) is an error naming the size, and nothing is decoded.
TEST(FuzzRegression, MaskLargerThanTheLargestLayerIsRefusedFromItsHeader) {
    const fs::path dir = test::outputDir("fuzz_mask_too_large");
    const std::string png = encodePng(Image8(4, 4, 1, 128));
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"wide.png", "8193 x 4 pixels"}, {"tall.png", "4 x 30000 pixels"}};
    writeFileAtomic(dir / "wide.png", withSize(png, 8193, 4), Overwrite::Yes);
    writeFileAtomic(dir / "tall.png", withSize(png, 4, 30000), Overwrite::Yes);
    for (const auto& [name, size] : cases) {
        try {
            parseMaskDesign(dir, name);
            ADD_FAILURE() << name << ": expected stipple::Error";
        } catch (const Error& e) {
            const std::string message = maskProblem(e);
            EXPECT_NE(message.find(size), std::string::npos) << message;
            EXPECT_NE(message.find("accepted: at most 8192 per side"), std::string::npos)
                << message;
        }
    }
    // 8192 wide passes the size check; its 16 pixels of data are then too few to decode.
    writeFileAtomic(dir / "edge.png", withSize(png, 8192, 4), Overwrite::Yes);
    try {
        parseMaskDesign(dir, "edge.png");
        ADD_FAILURE() << "edge.png: expected stipple::Error";
    } catch (const Error& e) {
        const std::string message = maskProblem(e);
        EXPECT_NE(message.find("cannot be decoded"), std::string::npos) << message;
        EXPECT_EQ(message.find("per side"), std::string::npos) << message;
    }
}

// stb reserves what an IDAT chunk claims before reading it: a 133-byte mask claiming 2 GB
// (fuzz_png_mask, "out-of-memory (malloc(2147483648))"). Chunk lengths are checked against the
// file, and CRCs too (stb ignores them, so a flipped bit decoded to wrong pixels).
TEST(FuzzRegression, MaskChunksMustFitTheFileAndMatchTheirCrc) {
    const fs::path dir = test::outputDir("fuzz_mask_chunks");
    const std::string png = encodePng(smallGrey());
    const size_t idat = png.find("IDAT");
    ASSERT_NE(idat, std::string::npos);
    std::string liar = png;
    liar.replace(idat - 4, 4, bigEndian(0x7fff0000u));
    std::string flipped = png;
    flipped[idat + 6] = char(flipped[idat + 6] ^ 0x10);
    writeFileAtomic(dir / "liar.png", liar, Overwrite::Yes);
    writeFileAtomic(dir / "flipped.png", flipped, Overwrite::Yes);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"liar.png",
         "chunk 'IDAT' at byte " + std::to_string(idat - 4) + " claims 2147418112 bytes"},
        {"flipped.png",
         "chunk 'IDAT' at byte " + std::to_string(idat - 4) + " fails its CRC check"}};
    for (const auto& [name, what] : cases) {
        try {
            parseMaskDesign(dir, name);
            ADD_FAILURE() << name << ": expected stipple::Error";
        } catch (const Error& e) {
            const std::string message = maskProblem(e);
            EXPECT_NE(message.find("\"" + name + "\" cannot be decoded (" + what),
                      std::string::npos)
                << message;
        }
    }
}

// Assimp 5.2's ASCII PLY reader loops forever when 'end_header' runs on into other characters
// ("end_header(", and "end_header" + vertical tab: fuzz_mesh). importMesh refuses such a header at
// once; white space after the keyword is fine and the tetrahedron imports (4 triangles).
TEST(FuzzRegression, PlyEndHeaderRunningOnIsRefusedNotAHang) {
    const fs::path dir = test::outputDir("fuzz_ply_end_header");
    const std::string head = "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\n"
                             "property float y\nproperty float z\nelement face 4\n"
                             "property list uchar int vertex_indices\n";
    const std::string body = "0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n";
    writeFileAtomic(dir / "runon.ply", head + "end_header(\n" + body, Overwrite::Yes);
    writeFileAtomic(dir / "vtab.ply", head + "end_header\v" + body, Overwrite::Yes);
    writeFileAtomic(dir / "spaces.ply", head + "end_header \t \n" + body, Overwrite::Yes);
    const auto start = std::chrono::steady_clock::now();
    for (const char* name : {"runon.ply", "vtab.ply"}) {
        try {
            importMesh(dir / name);
            ADD_FAILURE() << name << ": expected stipple::Error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("'end_header' keyword runs on"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    }
    // Generous: the refusal reads a 200-byte header; the hang never returned.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(importMesh(dir / "spaces.ply").mesh.triangleCount(), 4u);
}

// fuzz_mesh (harden4's long run, 3,298th input): a binary PLY whose header has properties of no
// PLY type ("property ary_big_endian 1.0", "property \x91char red"). Assimp skips such a
// property while the body walk counted it as 4 bytes, so Assimp read a face's list count from
// other bytes and asked for 6.4 GB (libFuzzer: out-of-memory). Unknown types are refused by
// name; the same header with a known type imports (the 4-vertex, 1-face body fits).
TEST(FuzzRegression, PlyPropertyOfAnUnknownTypeIsRefusedNotReadAtOtherOffsets) {
    const fs::path dir = test::outputDir("fuzz_ply_unknown_type");
    const std::string seed =
        test::readText(test::sourceDir() / "tests/fuzz/corpus/mesh/regress_ply_unknown_type.ply");
    ASSERT_GT(seed.size(), 1u);
    writeFileAtomic(dir / "oom.ply", seed.substr(1), Overwrite::Yes); // byte 0 picks PLY
    try {
        importMesh(dir / "oom.ply");
        ADD_FAILURE() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("a property has the type 'ary_big_endian'"),
                  std::string::npos)
            << e.what();
    }
    std::string ascii = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                        "property float y\nproperty float z\nproperty colour red\n"
                        "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
                        "0 0 0 1\n1 0 0 1\n0 1 0 1\n3 0 1 2\n";
    writeFileAtomic(dir / "colour.ply", ascii, Overwrite::Yes);
    EXPECT_THROW(importMesh(dir / "colour.ply"), Error);
    ascii.replace(ascii.find("colour"), 6, "uchar");
    writeFileAtomic(dir / "uchar.ply", ascii, Overwrite::Yes);
    EXPECT_EQ(importMesh(dir / "uchar.ply").mesh.triangleCount(), 1u);
}

// fuzz_mesh (harden4's long run, second finding): a 41-byte GLB whose header declares a total
// length of 9 bytes, so the chunk walk never looked at its JSON chunk, which claims 0x6f33714c
// bytes; Assimp allocated them (1.9 GB peak RSS in the release build, over fuzz.sh's 2 GB limit
// under ASan). A length below the header and one chunk header is refused.
TEST(FuzzRegression, GlbDeclaringLessThanOneChunkIsRefusedBeforeAssimp) {
    const fs::path dir = test::outputDir("fuzz_glb_short_length");
    const std::string seed =
        test::readText(test::sourceDir() / "tests/fuzz/corpus/mesh/regress_glb_short_length.glb");
    ASSERT_GT(seed.size(), 1u);
    writeFileAtomic(dir / "short.glb", seed.substr(1), Overwrite::Yes); // byte 0 picks GLB
    try {
        importMesh(dir / "short.glb");
        ADD_FAILURE() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("its header declares 9 bytes, less than the 20 of "
                                             "the header and one chunk header"),
                  std::string::npos)
            << e.what();
    }
}
