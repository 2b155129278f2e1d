#pragma once

// Images: 8- and 16-bit interleaved images, PNG encoding with text chunks (provenance),
// PNG/JPEG decoding. Files are written with the one atomic writer (atomic_file.h, included
// here for its Overwrite and writeFileAtomic).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stipple/core/atomic_file.h"

namespace stipple {

// Interleaved pixels, row 0 at the top, `channels` 1..4 (grey, grey+alpha, RGB, RGBA).
template <typename T> struct ImageT {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<T> pixels; // width * height * channels

    ImageT() = default;
    ImageT(int w, int h, int c, T fill = T(0))
        : width(w), height(h), channels(c), pixels(size_t(w) * size_t(h) * size_t(c), fill) {}
    T* at(int x, int y) {
        return pixels.data() + (size_t(y) * size_t(width) + size_t(x)) * size_t(channels);
    }
    const T* at(int x, int y) const {
        return pixels.data() + (size_t(y) * size_t(width) + size_t(x)) * size_t(channels);
    }
    bool empty() const { return pixels.empty(); }
};
using Image8 = ImageT<uint8_t>;
using Image16 = ImageT<uint16_t>;

// PNG text chunks (tEXt/iTXt), e.g. {"stipple:design_sha256", "..."}.
using TextChunks = std::vector<std::pair<std::string, std::string>>;

// Encodes to PNG bytes in memory (8- or 16-bit per channel), with text chunks. `compression`
// is zlib's level 0..9 (1 is fast and still small for renders). Throws stipple::Error on an
// empty image.
std::string encodePng(const Image8& image, const TextChunks& text = {}, int compression = 6);
std::string encodePng(const Image16& image, const TextChunks& text = {}, int compression = 6);

// Decodes PNG/JPEG/TGA/BMP (stb_image) to 8 bits per channel, keeping the file's channel
// count. Throws stipple::Error naming the file and the decoder's reason.
Image8 readImage8(const std::filesystem::path& file);
// The text chunks of a PNG file (for provenance checks). Throws stipple::Error.
TextChunks readPngText(const std::filesystem::path& file);

// sRGB <-> linear transfer functions (IEC 61966-2-1), values in 0..1.
double srgbToLinear(double v);
double linearToSrgb(double v);

} // namespace stipple
