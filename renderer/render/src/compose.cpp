#include "stipple/render/compose.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_STATIC
#include <stb_easy_font.h>
#include <stb_image_resize.h>

#include "stipple/core/error.h"

namespace stipple::render {

Image8 resizeRgba(const Image8& rgba, int width, int height) {
    // Not input-reachable: callers pass rendered RGBA frames and a validated size.
    STIPPLE_ASSERT(rgba.channels == 4, "resizeRgba(): RGBA expected");
    STIPPLE_ASSERT(width >= 1 && height >= 1, "resizeRgba(): empty target");
    if (rgba.width == width && rgba.height == height) return rgba;
    Image8 out(width, height, 4);
    stbir_resize_uint8_srgb(rgba.pixels.data(), rgba.width, rgba.height, 0, out.pixels.data(),
                            width, height, 0, 4, 3, 0);
    return out;
}

Image8 flatten(const Image8& rgba, const glm::dvec3& background_srgb) {
    // Not input-reachable: callers pass rendered RGBA frames.
    STIPPLE_ASSERT(rgba.channels == 4, "flatten(): RGBA expected");
    Image8 out = rgba;
    double bg_lin[3];
    for (int c = 0; c < 3; ++c)
        bg_lin[c] = srgbToLinear(background_srgb[c]);
    // Per-byte lookup of sRGB -> linear for speed (frames are large).
    static const auto lut = [] {
        std::vector<double> t(256);
        for (int i = 0; i < 256; ++i)
            t[size_t(i)] = srgbToLinear(i / 255.0);
        return t;
    }();
    for (size_t i = 0; i < out.pixels.size(); i += 4) {
        const double a = out.pixels[i + 3] / 255.0;
        if (out.pixels[i + 3] != 255) {
            for (int c = 0; c < 3; ++c) {
                const double lin = lut[out.pixels[i + size_t(c)]] * a + bg_lin[c] * (1 - a);
                out.pixels[i + size_t(c)] = uint8_t(std::lround(linearToSrgb(lin) * 255.0));
            }
        }
        out.pixels[i + 3] = 255;
    }
    return out;
}

namespace {

struct Quad {
    float x0, y0, x1, y1;
};

std::vector<Quad> glyphQuads(const std::string& text) {
    std::vector<char> buffer(text.size() * 270 + 1024);
    const int quads = stb_easy_font_print(0, 0, const_cast<char*>(text.c_str()), nullptr,
                                          buffer.data(), int(buffer.size()));
    std::vector<Quad> out;
    // Each vertex is 16 bytes: x, y, z floats and a 4-byte colour; 4 vertices per quad.
    for (int q = 0; q < quads; ++q) {
        const char* base = buffer.data() + size_t(q) * 64;
        float v0[2], v2[2];
        std::memcpy(v0, base, sizeof v0);
        std::memcpy(v2, base + 32, sizeof v2);
        out.push_back({std::min(v0[0], v2[0]), std::min(v0[1], v2[1]), std::max(v0[0], v2[0]),
                       std::max(v0[1], v2[1])});
    }
    return out;
}

void blendPixel(uint8_t* p, const glm::u8vec4& c, double coverage) {
    const double a = c.w / 255.0 * coverage;
    if (a <= 0) return;
    const double dst_a = p[3] / 255.0;
    const double out_a = a + dst_a * (1 - a);
    for (int i = 0; i < 3; ++i) {
        const double src = c[i] / 255.0, dst = p[i] / 255.0;
        const double v = out_a > 0 ? (src * a + dst * dst_a * (1 - a)) / out_a : 0;
        p[i] = uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255));
    }
    p[3] = uint8_t(std::lround(out_a * 255));
}

} // namespace

glm::ivec2 textSize(const std::string& text, int scale) {
    return {stb_easy_font_width(const_cast<char*>(text.c_str())) * scale,
            stb_easy_font_height(const_cast<char*>(text.c_str())) * scale};
}

void fillRect(Image8& image, int x, int y, int w, int h, const glm::u8vec4& rgba) {
    const int x0 = std::max(0, x), y0 = std::max(0, y);
    const int x1 = std::min(image.width, x + w), y1 = std::min(image.height, y + h);
    for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx)
            blendPixel(image.at(xx, yy), rgba, 1.0);
}

void drawText(Image8& image, const std::string& text, int x, int y, int scale,
              const glm::u8vec4& rgba) {
    // Not input-reachable: callers pass rendered RGBA frames.
    STIPPLE_ASSERT(image.channels == 4, "drawText(): RGBA expected");
    for (const Quad& q : glyphQuads(text)) {
        // Quads may overlap (strokes share ends); fill each pixel once per quad at most and
        // accept the overlap - the font's strokes are opaque anyway.
        fillRect(image, x + int(std::lround(q.x0 * float(scale))),
                 y + int(std::lround(q.y0 * float(scale))),
                 int(std::lround((q.x1 - q.x0) * float(scale))),
                 int(std::lround((q.y1 - q.y0) * float(scale))), rgba);
    }
}

void drawLabel(Image8& image, const std::string& text, int x, int y, int scale) {
    const glm::ivec2 size = textSize(text, scale);
    const int pad = 3 * scale;
    fillRect(image, x, y, size.x + 2 * pad, size.y + 2 * pad - scale, {20, 20, 24, 150});
    drawText(image, text, x + pad, y + pad, scale, {255, 255, 255, 255});
}

void drawWatermark(Image8& image, const std::string& text) {
    if (text.empty()) return;
    const int scale = std::max(1, image.height / 400);
    const glm::ivec2 size = textSize(text, scale);
    const int pad = 4 * scale;
    const int margin = std::max(4, image.height / 60);
    const int x = image.width - margin - size.x - 2 * pad;
    const int y = image.height - margin - size.y - 2 * pad;
    fillRect(image, x, y, size.x + 2 * pad, size.y + 2 * pad - scale, {15, 15, 18, 140});
    drawText(image, text, x + pad, y + pad, scale, {255, 255, 255, 235});
}

Image8 sideBySide(const std::vector<Image8>& images, const std::vector<std::string>& labels,
                  int gap) {
    // Not input-reachable: the render job passes one image per design (1+).
    STIPPLE_ASSERT(!images.empty(), "sideBySide(): no images");
    int width = 0;
    const int height = images[0].height;
    for (const Image8& im : images) {
        // Not input-reachable: every design's still is rendered at the job's one size.
        STIPPLE_ASSERT(im.height == height && im.channels == 4, "sideBySide(): equal-height RGBA");
        width += im.width;
    }
    width += gap * int(images.size() - 1);
    const bool opaque = std::all_of(images.begin(), images.end(), [](const Image8& im) {
        for (size_t i = 3; i < im.pixels.size(); i += 4)
            if (im.pixels[i] != 255) return false;
        return true;
    });
    Image8 out(width, height, 4, 0);
    if (opaque) // gaps in white on opaque sheets
        for (size_t i = 0; i < out.pixels.size(); ++i)
            out.pixels[i] = 255;
    int x0 = 0;
    for (size_t k = 0; k < images.size(); ++k) {
        const Image8& im = images[k];
        for (int y = 0; y < height; ++y)
            std::copy_n(im.at(0, y), size_t(im.width) * 4, out.at(x0, y));
        if (k < labels.size() && !labels[k].empty())
            drawLabel(out, labels[k], x0 + height / 40, height / 40, std::max(1, height / 300));
        x0 += im.width + gap;
    }
    return out;
}

Image8 splitCompare(const Image8& before, const Image8& after) {
    // Not input-reachable: before and after are rendered with the same framing and size.
    STIPPLE_ASSERT(before.width == after.width && before.height == after.height,
                   "splitCompare(): equal sizes expected");
    Image8 out = after;
    const int half = before.width / 2;
    for (int y = 0; y < before.height; ++y)
        std::copy_n(before.at(0, y), size_t(half) * 4, out.at(0, y));
    const int line = std::max(2, before.width / 480);
    fillRect(out, half - line / 2, 0, line, out.height, {255, 255, 255, 230});
    const int scale = std::max(1, before.height / 300);
    const int margin = before.height / 40;
    drawLabel(out, "BEFORE", margin, margin, scale);
    const int w = textSize("AFTER", scale).x + 6 * scale;
    drawLabel(out, "AFTER", out.width - margin - w, margin, scale);
    return out;
}

Image8 contactSheet(const std::vector<Image8>& frames, const std::vector<std::string>& labels,
                    int columns, int cell_width, const std::string& title,
                    const glm::dvec3& background_srgb) {
    // Not input-reachable: 1..720 frames, columns min(6, frames), cell width a constant.
    STIPPLE_ASSERT(!frames.empty() && columns >= 1 && cell_width >= 16,
                   "contactSheet(): bad layout");
    const int cell_height = std::max(
        1, int(std::lround(double(cell_width) * frames[0].height / double(frames[0].width))));
    const int rows = (int(frames.size()) + columns - 1) / columns;
    const int gap = std::max(2, cell_width / 40);
    const int title_scale = std::max(1, cell_width / 160);
    const int title_h = title.empty() ? 0 : textSize(title, title_scale).y + 4 * gap;
    const int width = columns * cell_width + (columns + 1) * gap;
    const int height = title_h + rows * cell_height + (rows + 1) * gap;
    Image8 out(width, height, 4);
    for (size_t i = 0; i < out.pixels.size(); i += 4) {
        for (int c = 0; c < 3; ++c)
            out.pixels[i + size_t(c)] = uint8_t(std::lround(background_srgb[c] * 255));
        out.pixels[i + 3] = 255;
    }
    if (!title.empty()) drawText(out, title, gap * 2, gap * 2, title_scale, {30, 30, 34, 255});
    for (size_t k = 0; k < frames.size(); ++k) {
        const int col = int(k) % columns, row = int(k) / columns;
        const int x = gap + col * (cell_width + gap);
        const int y = title_h + gap + row * (cell_height + gap);
        const Image8 cell =
            flatten(resizeRgba(frames[k], cell_width, cell_height), background_srgb);
        for (int yy = 0; yy < cell_height; ++yy)
            std::copy_n(cell.at(0, yy), size_t(cell_width) * 4, out.at(x, y + yy));
        if (k < labels.size() && !labels[k].empty())
            drawLabel(out, labels[k], x + gap, y + gap, std::max(1, cell_width / 240));
    }
    return out;
}

} // namespace stipple::render
