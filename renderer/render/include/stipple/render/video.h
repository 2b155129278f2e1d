#pragma once

// Turntable clips: MP4 (H.264 through FFmpeg's libavcodec/libavformat/libswscale, yuv420p,
// BT.709, +faststart so browsers start playing before the download ends) and animated GIF
// (giflib, one palette for the whole clip so colours do not flicker between frames).
// Both write through the one atomic writer (stipple/core/atomic_file.h): an anonymous
// temporary in the target folder (or a ".stipple-tmp-" name) put in place at the end, so an
// interrupted or killed encode never leaves a partial clip under the final name.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "stipple/core/image.h"

namespace stipple::render {

class Mp4Writer {
public:
    // Opens the encoder for width x height (odd sizes lose their last column/row: yuv420p
    // needs even dimensions) at `fps`. Encoder preference: libx264, libopenh264, any other
    // H.264 encoder. Throws stipple::RuntimeFailure when this FFmpeg build has no H.264
    // encoder (the message says so and names what to install), stipple::Error as
    // AtomicFile (the file exists and overwrite is No, a symbolic link or FIFO in the way).
    Mp4Writer(const std::filesystem::path& file, int width, int height, double fps,
              Overwrite overwrite);
    ~Mp4Writer(); // without finish(): removes the temporary file
    Mp4Writer(const Mp4Writer&) = delete;
    Mp4Writer& operator=(const Mp4Writer&) = delete;

    // Adds one frame: RGBA8 of the size given at construction; alpha is ignored (flatten
    // transparent frames first).
    void add(const Image8& rgba);
    // Flushes the encoder, writes the index at the front (+faststart) and renames the file
    // into place. Throws stipple::RuntimeFailure on an encoder or I/O failure.
    void finish();
    // "libx264" or whichever encoder was opened.
    std::string encoderName() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Writes an animated, looping GIF of `frames` (RGBA8, equal sizes, straight alpha) at `fps`.
// One palette of at most 255 colours for the whole clip (median cut over all frames); when
// any pixel has alpha < 128 one more index is reserved for transparency, and partly covered
// edge pixels keep their own colour (not darkened towards black). Throws stipple::Error when
// `file` exists and overwrite is No, stipple::RuntimeFailure on I/O failure.
void writeGif(const std::filesystem::path& file, const std::vector<Image8>& frames, double fps,
              Overwrite overwrite);

} // namespace stipple::render
