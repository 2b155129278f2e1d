#pragma once

// Image statistics and golden-image comparison for the render tests.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "stipple/core/image.h"
#include "test_util.h"

namespace stipple::test {

struct ImageDiff {
    int max_channel_diff = 0;
    double differing_fraction = 0; // pixels with any channel differing by more than `noise`
};

inline ImageDiff compareImages(const Image8& a, const Image8& b, int noise = 2) {
    ImageDiff d;
    if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
        d.max_channel_diff = 255;
        d.differing_fraction = 1;
        return d;
    }
    size_t differing = 0;
    const size_t pixels = size_t(a.width) * size_t(a.height);
    for (size_t i = 0; i < pixels; ++i) {
        int m = 0;
        for (int c = 0; c < a.channels; ++c)
            m = std::max(m, std::abs(int(a.pixels[i * size_t(a.channels) + size_t(c)]) -
                                     int(b.pixels[i * size_t(a.channels) + size_t(c)])));
        d.max_channel_diff = std::max(d.max_channel_diff, m);
        if (m > noise) ++differing;
    }
    d.differing_fraction = double(differing) / double(pixels);
    return d;
}

// Rec. 709 luma of an sRGB-encoded pixel, 0..255.
inline double luma(const uint8_t* p) {
    return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
}

// Compares `actual` with tests/render/golden/<name>.png. With STIPPLE_UPDATE_GOLDENS=1 in the
// environment the golden is (re)written instead. On failure writes <name>.actual.png,
// <name>.expected.png and <name>.diff.png (absolute difference x 8) under the build tree
// (tests/output/golden/) for inspection.
inline void expectMatchesGolden(const Image8& actual, const std::string& name, int max_channel_diff,
                                double max_differing_fraction) {
    const std::filesystem::path golden =
        sourceDir() / "tests" / "render" / "golden" / (name + ".png");
    if (const char* update = std::getenv("STIPPLE_UPDATE_GOLDENS");
        update && std::string(update) == "1") {
        std::filesystem::create_directories(golden.parent_path());
        writeFileAtomic(golden, encodePng(actual, {}, 9), Overwrite::Yes);
        GTEST_SKIP() << "golden written: " << golden;
    }
    ASSERT_TRUE(std::filesystem::exists(golden))
        << golden << " is missing; create it with STIPPLE_UPDATE_GOLDENS=1";
    const Image8 expected = readImage8(golden);
    const ImageDiff d = compareImages(actual, expected);
    const bool ok =
        d.max_channel_diff <= max_channel_diff && d.differing_fraction <= max_differing_fraction;
    if (!ok) {
        const std::filesystem::path dir = std::filesystem::path(STIPPLE_TEST_OUTPUT_DIR) / "golden";
        std::filesystem::create_directories(dir);
        writeFileAtomic(dir / (name + ".actual.png"), encodePng(actual), Overwrite::Yes);
        writeFileAtomic(dir / (name + ".expected.png"), encodePng(expected), Overwrite::Yes);
        if (expected.width == actual.width && expected.height == actual.height &&
            expected.channels == actual.channels) {
            Image8 diff = actual;
            for (size_t i = 0; i < diff.pixels.size(); ++i)
                diff.pixels[i] = uint8_t(
                    std::min(255, 8 * std::abs(int(actual.pixels[i]) - int(expected.pixels[i]))));
            if (diff.channels == 4)
                for (size_t i = 3; i < diff.pixels.size(); i += 4)
                    diff.pixels[i] = 255;
            writeFileAtomic(dir / (name + ".diff.png"), encodePng(diff), Overwrite::Yes);
        }
    }
    EXPECT_TRUE(ok) << name << ": max channel difference " << d.max_channel_diff << " (allowed "
                    << max_channel_diff << "), differing pixels " << d.differing_fraction * 100
                    << "% (allowed " << max_differing_fraction * 100 << "%); images in "
                    << STIPPLE_TEST_OUTPUT_DIR << "/golden";
}

} // namespace stipple::test
