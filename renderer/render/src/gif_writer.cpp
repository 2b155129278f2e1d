// Animated GIF output. Palette by median cut (Heckbert 1982, "Color image quantization for
// frame buffer display") over the histogram of every frame, so the whole clip shares one
// palette and nothing flickers from frame to frame.

#include "stipple/render/video.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <exception>
#include <string_view>

#include <gif_lib.h>

#include "stipple/core/error.h"

namespace stipple::render {

namespace {

constexpr int kBits = 6; // histogram/LUT resolution per channel
constexpr int kLevels = 1 << kBits;
constexpr int kShift = 8 - kBits;

inline int cellOf(const uint8_t* p) {
    return ((p[0] >> kShift) << (2 * kBits)) | ((p[1] >> kShift) << kBits) | (p[2] >> kShift);
}

struct Cell {
    int index;
    uint64_t count;
    uint64_t sum[3];
    uint8_t key[3]; // cell coordinates
};

struct BoxRange {
    size_t begin, end; // into the cell list
    uint64_t count;
    int axis;
    int extent;
};

BoxRange describe(std::vector<Cell>& cells, size_t begin, size_t end) {
    BoxRange b{begin, end, 0, 0, -1};
    int lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
    for (size_t i = begin; i < end; ++i) {
        b.count += cells[i].count;
        for (int c = 0; c < 3; ++c) {
            lo[c] = std::min<int>(lo[c], cells[i].key[c]);
            hi[c] = std::max<int>(hi[c], cells[i].key[c]);
        }
    }
    for (int c = 0; c < 3; ++c)
        if (hi[c] - lo[c] > b.extent) {
            b.extent = hi[c] - lo[c];
            b.axis = c;
        }
    return b;
}

std::vector<std::array<uint8_t, 3>> medianCut(std::vector<Cell>& cells, size_t max_colours) {
    std::vector<BoxRange> boxes;
    if (cells.empty()) return {{0, 0, 0}};
    boxes.push_back(describe(cells, 0, cells.size()));
    while (boxes.size() < max_colours) {
        // Split the box with the most pixels weighted by its extent (keeps gradients smooth).
        size_t best = boxes.size();
        double best_score = 0;
        for (size_t i = 0; i < boxes.size(); ++i) {
            const double score = double(boxes[i].count) * double(boxes[i].extent);
            if (boxes[i].extent > 0 && boxes[i].end - boxes[i].begin > 1 && score > best_score) {
                best_score = score;
                best = i;
            }
        }
        if (best == boxes.size()) break;
        const BoxRange b = boxes[best];
        std::sort(cells.begin() + long(b.begin), cells.begin() + long(b.end),
                  [&](const Cell& x, const Cell& y) { return x.key[b.axis] < y.key[b.axis]; });
        uint64_t acc = 0;
        size_t mid = b.begin + 1;
        for (size_t i = b.begin; i < b.end - 1; ++i) {
            acc += cells[i].count;
            mid = i + 1;
            if (acc * 2 >= b.count) break;
        }
        boxes[best] = describe(cells, b.begin, mid);
        boxes.push_back(describe(cells, mid, b.end));
    }
    std::vector<std::array<uint8_t, 3>> palette;
    for (const BoxRange& b : boxes) {
        uint64_t sum[3] = {0, 0, 0}, n = 0;
        for (size_t i = b.begin; i < b.end; ++i) {
            n += cells[i].count;
            for (int c = 0; c < 3; ++c)
                sum[c] += cells[i].sum[c];
        }
        std::array<uint8_t, 3> colour{};
        for (int c = 0; c < 3; ++c)
            colour[size_t(c)] = uint8_t(n ? (sum[c] + n / 2) / n : 0);
        palette.push_back(colour);
    }
    return palette;
}

// giflib's output callback: appends to the atomic writer's temporary. It runs inside C code, so
// an error is kept for later and reported to giflib as a short write.
struct GifSink {
    AtomicFile* out;
    std::exception_ptr error;
};

int writeToSink(GifFileType* gif, const GifByteType* bytes, int length) {
    auto* sink = static_cast<GifSink*>(gif->UserData);
    if (sink->error) return 0;
    try {
        sink->out->write(std::string_view(reinterpret_cast<const char*>(bytes), size_t(length)));
    } catch (...) {
        sink->error = std::current_exception();
        return 0;
    }
    return length;
}

[[noreturn]] void gifFail(const std::filesystem::path& file, int code) {
    throw RuntimeFailure(std::string("cannot write GIF: ") + GifErrorString(code), file.string());
}

} // namespace

void writeGif(const std::filesystem::path& file, const std::vector<Image8>& frames, double fps,
              Overwrite overwrite) {
    // Not input-reachable: turntable frames are validated 1..720 and /render/fps 1..60 first.
    STIPPLE_ASSERT(!frames.empty() && fps > 0, "writeGif(): no frames");
    const int w = frames[0].width, h = frames[0].height;
    for (const Image8& f : frames)
        // Not input-reachable: the render job scales every frame to one GIF size.
        STIPPLE_ASSERT(f.width == w && f.height == h && f.channels == 4,
                       "writeGif(): equal RGBA frames");
    // The temporary first: a bad output path is refused before the palette work.
    AtomicFile out(file, overwrite);
    GifSink sink{&out, nullptr};

    // Histogram of the covered pixels of every frame.
    std::vector<Cell> table(size_t(kLevels) * kLevels * kLevels);
    bool transparent = false;
    for (const Image8& f : frames)
        for (size_t i = 0; i < f.pixels.size(); i += 4) {
            const uint8_t* p = f.pixels.data() + i;
            if (p[3] < 128) {
                transparent = true;
                continue;
            }
            Cell& c = table[size_t(cellOf(p))];
            c.count++;
            for (int k = 0; k < 3; ++k)
                c.sum[k] += p[k];
        }
    std::vector<Cell> cells;
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i].count) {
            Cell c = table[i];
            c.index = int(i);
            c.key[0] = uint8_t(i >> (2 * kBits));
            c.key[1] = uint8_t((i >> kBits) & (kLevels - 1));
            c.key[2] = uint8_t(i & (kLevels - 1));
            cells.push_back(c);
        }
    const size_t max_colours = transparent ? 255 : 256;
    std::vector<std::array<uint8_t, 3>> palette = medianCut(cells, max_colours);
    const int transparent_index = transparent ? int(palette.size()) : -1;
    if (transparent) palette.push_back({0, 0, 0});
    // Colour tables must have a power-of-two size.
    int table_size = 2;
    while (table_size < int(palette.size()))
        table_size *= 2;
    std::vector<GifColorType> colours(size_t(table_size), GifColorType{0, 0, 0});
    for (size_t i = 0; i < palette.size(); ++i)
        colours[i] = GifColorType{palette[i][0], palette[i][1], palette[i][2]};

    // Nearest palette entry per histogram cell, computed on first use.
    std::vector<int16_t> lut(table.size(), -1);
    const size_t opaque_colours = palette.size() - (transparent ? 1 : 0);
    const auto nearest = [&](const uint8_t* p) -> uint8_t {
        const int cell = cellOf(p);
        int16_t& slot = lut[size_t(cell)];
        if (slot < 0) {
            // Compare against the cell's mean colour when known, else its centre.
            int rgb[3];
            const Cell& c = table[size_t(cell)];
            for (int k = 0; k < 3; ++k)
                rgb[k] = c.count ? int(c.sum[k] / c.count)
                                 : (p[k] & ~((1 << kShift) - 1)) + (1 << kShift) / 2;
            int best = 0, best_d = 1 << 30;
            for (size_t i = 0; i < opaque_colours; ++i) {
                const int dr = rgb[0] - palette[i][0], dg = rgb[1] - palette[i][1],
                          db = rgb[2] - palette[i][2];
                // Weighted for perceived difference (green counts most).
                const int d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
                if (d < best_d) {
                    best_d = d;
                    best = int(i);
                }
            }
            slot = int16_t(best);
        }
        return uint8_t(slot);
    };

    int error = 0;
    GifFileType* gif = EGifOpen(&sink, writeToSink, &error);
    if (!gif)
        throw RuntimeFailure(std::string("cannot create: ") + GifErrorString(error), file.string());
    bool closed = false;
    try {
        EGifSetGifVersion(gif, true);
        ColorMapObject* map = GifMakeMapObject(table_size, colours.data());
        if (EGifPutScreenDesc(gif, w, h, 8, 0, map) == GIF_ERROR) {
            GifFreeMapObject(map);
            gifFail(file, gif->Error);
        }
        GifFreeMapObject(map);
        // NETSCAPE2.0: loop forever.
        const unsigned char app[] = "NETSCAPE2.0";
        const unsigned char loop[] = {1, 0, 0};
        if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
            EGifPutExtensionBlock(gif, 11, app) == GIF_ERROR ||
            EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
            EGifPutExtensionTrailer(gif) == GIF_ERROR)
            gifFail(file, gif->Error);
        std::vector<GifPixelType> row(static_cast<size_t>(w));
        for (size_t k = 0; k < frames.size(); ++k) {
            // Delays are whole centiseconds; spread the rounding so the clip keeps its rate.
            const int delay = int(std::lround(double(k + 1) * 100.0 / fps) -
                                  std::lround(double(k) * 100.0 / fps));
            GraphicsControlBlock gcb;
            gcb.DisposalMode = transparent ? DISPOSE_BACKGROUND : DISPOSE_DO_NOT;
            gcb.UserInputFlag = false;
            gcb.DelayTime = std::max(2, delay);
            gcb.TransparentColor =
                transparent_index >= 0 ? transparent_index : NO_TRANSPARENT_COLOR;
            GifByteType ext[4];
            EGifGCBToExtension(&gcb, ext);
            if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
                EGifPutImageDesc(gif, 0, 0, w, h, false, nullptr) == GIF_ERROR)
                gifFail(file, gif->Error);
            const Image8& f = frames[k];
            for (int y = 0; y < h; ++y) {
                for (int x = 0; x < w; ++x) {
                    const uint8_t* p = f.at(x, y);
                    row[size_t(x)] = p[3] < 128 ? GifPixelType(transparent_index) : nearest(p);
                }
                if (EGifPutLine(gif, row.data(), w) == GIF_ERROR) gifFail(file, gif->Error);
            }
        }
        closed = true;
        if (EGifCloseFile(gif, &error) == GIF_ERROR)
            throw RuntimeFailure(std::string("cannot finish GIF: ") + GifErrorString(error),
                                 file.string());
    } catch (...) {
        if (!closed) EGifCloseFile(gif, &error);
        if (sink.error) std::rethrow_exception(sink.error); // the I/O error behind giflib's
        throw;
    }
    if (sink.error) std::rethrow_exception(sink.error);
    out.commit();
}

} // namespace stipple::render
