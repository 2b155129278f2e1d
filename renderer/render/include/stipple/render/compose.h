#pragma once

// 2D composition of rendered frames (RGBA8, straight alpha, row 0 at the top): resizing,
// flattening onto a colour, side-by-side and split comparisons, contact sheets and text
// (labels, watermark/disclaimer) drawn with a small built-in bitmap font (stb_easy_font).

#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/image.h"

namespace stipple::render {

// Resizes an RGBA8 image with a filter that averages in linear light and weights colour by
// alpha (no dark fringes on transparent edges). Requires rgba.channels == 4, w, h >= 1.
Image8 resizeRgba(const Image8& rgba, int width, int height);

// The image composited over an opaque sRGB colour (alpha becomes 255).
Image8 flatten(const Image8& rgba, const glm::dvec3& background_srgb);

// Text in the built-in font: `scale` multiplies its ~7 px cap height. Returns the size in
// pixels of `text` at `scale`.
glm::ivec2 textSize(const std::string& text, int scale);
// Draws `text` with its top-left corner at (x, y), blending `rgba` (straight alpha, 0..255)
// over the image; clipped to the image.
void drawText(Image8& image, const std::string& text, int x, int y, int scale,
              const glm::u8vec4& rgba);
// Fills a rectangle, blending `rgba` over the image; clipped.
void fillRect(Image8& image, int x, int y, int w, int h, const glm::u8vec4& rgba);

// A label on a translucent plate, readable on any background.
void drawLabel(Image8& image, const std::string& text, int x, int y, int scale);

// The disclaimer/watermark: bottom-right corner, white text on a translucent dark plate,
// sized from the image height so it stays legible and small. Empty text draws nothing.
void drawWatermark(Image8& image, const std::string& text);

// Images of equal height placed left to right with `gap` pixels between, each labelled at its
// top-left when a label is given. Transparent gaps when the inputs have alpha.
Image8 sideBySide(const std::vector<Image8>& images, const std::vector<std::string>& labels,
                  int gap);

// Before on the left half, after on the right half of one frame, a thin divider and labels.
// Requires equal sizes.
Image8 splitCompare(const Image8& before, const Image8& after);

// Frames in a grid of `columns`, each scaled to `cell_width` wide, labelled, on an opaque
// background, with a title line on top.
Image8 contactSheet(const std::vector<Image8>& frames, const std::vector<std::string>& labels,
                    int columns, int cell_width, const std::string& title,
                    const glm::dvec3& background_srgb);

} // namespace stipple::render
