#include "stipple/core/image.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include <png.h>

#include <stb_image.h>

#include "stipple/core/error.h"

namespace stipple {

namespace {

struct PngWriteState {
    std::string* out;
};

void pngWriteCallback(png_structp png, png_bytep data, png_size_t length) {
    auto* state = static_cast<PngWriteState*>(png_get_io_ptr(png));
    state->out->append(reinterpret_cast<const char*>(data), length);
}

void pngFlushCallback(png_structp) {}

template <typename T>
std::string encodePngImpl(const ImageT<T>& image, const TextChunks& text, int compression) {
    if (image.empty() || image.channels < 1 || image.channels > 4)
        throw Error("encodePng(): image is empty or has an unsupported channel count");
    static const int kColourTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    std::string out;
    // Room for the worst case (stored rows plus a filter byte each) up front: growing by
    // doubling would copy the buffer and hold old and new at once (an 8192² 16-bit layer
    // encodes to ~160 MB). Pages are committed only when written, so this costs nothing.
    const size_t row_bytes = size_t(image.width) * size_t(image.channels) * sizeof(T) + 1;
    out.reserve(size_t(image.height) * row_bytes + size_t(image.height / 8 + 1) * 16 + 65536);
    PngWriteState state{&out};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        throw RuntimeFailure("encodePng(): out of memory");
    }
    std::vector<png_text> chunks(text.size());
    std::vector<png_bytep> rows(size_t(image.height));
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw RuntimeFailure("encodePng(): libpng failed");
    }
    png_set_write_fn(png, &state, pngWriteCallback, pngFlushCallback);
    png_set_compression_level(png, compression);
    // Renders compress best with the adaptive filters; SUB alone is much faster to choose.
    png_set_filter(png, 0, compression <= 2 ? PNG_FILTER_SUB : PNG_ALL_FILTERS);
    png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), int(sizeof(T) * 8),
                 kColourTypes[image.channels - 1], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    for (size_t i = 0; i < text.size(); ++i) {
        std::memset(&chunks[i], 0, sizeof(png_text));
        chunks[i].compression = PNG_ITXT_COMPRESSION_NONE; // iTXt: UTF-8 values are allowed
        chunks[i].key = const_cast<char*>(text[i].first.c_str());
        chunks[i].text = const_cast<char*>(text[i].second.c_str());
        chunks[i].itxt_length = text[i].second.size();
    }
    if (!chunks.empty()) png_set_text(png, info, chunks.data(), int(chunks.size()));
    png_write_info(png, info);
    if (sizeof(T) == 2) png_set_swap(png); // PNG is big-endian, our uint16_t are native
    const size_t stride = size_t(image.width) * size_t(image.channels);
    for (int y = 0; y < image.height; ++y)
        rows[size_t(y)] =
            reinterpret_cast<png_bytep>(const_cast<T*>(image.pixels.data() + size_t(y) * stride));
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

} // namespace

std::string encodePng(const Image8& image, const TextChunks& text, int compression) {
    return encodePngImpl(image, text, compression);
}

std::string encodePng(const Image16& image, const TextChunks& text, int compression) {
    return encodePngImpl(image, text, compression);
}

Image8 readImage8(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw Error("image not found (or not a file)", file.string());
    int w = 0, h = 0, c = 0;
    stbi_uc* data = stbi_load(file.string().c_str(), &w, &h, &c, 0);
    if (!data)
        throw Error(std::string("cannot be decoded as an image: ") + stbi_failure_reason(),
                    file.string());
    Image8 image(w, h, c);
    std::memcpy(image.pixels.data(), data, image.pixels.size());
    stbi_image_free(data);
    return image;
}

TextChunks readPngText(const std::filesystem::path& file) {
    FILE* fp = std::fopen(file.string().c_str(), "rb");
    if (!fp) throw Error("cannot be opened for reading", file.string());
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    TextChunks out;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        std::fclose(fp);
        throw Error("is not a readable PNG", file.string());
    }
    png_init_io(png, fp);
    png_read_info(png, info);
    png_textp text = nullptr;
    const int count = png_get_text(png, info, &text, nullptr);
    for (int i = 0; i < count; ++i)
        out.emplace_back(text[i].key,
                         std::string(text[i].text, text[i].compression > 0 ? text[i].itxt_length
                                                                           : text[i].text_length));
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(fp);
    return out;
}

double srgbToLinear(double v) {
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double linearToSrgb(double v) {
    return v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

} // namespace stipple
