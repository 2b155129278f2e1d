#pragma once

// Turntable clips: MP4 (H.264 through FFmpeg's libavcodec/libavformat/libswscale, yuv420p,
// BT.709, +faststart so browsers start playing before the download ends) and animated GIF
// (giflib, one palette for the whole clip so colours do not flicker between frames).
// Both write to a temporary file beside the final name and rename it at the end, so an
// interrupted encode never leaves a partial clip under the final name.

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
    // encoder (the message says so and names what to install), stipple::Error when `file`
    // exists and overwrite is No.
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

// Moves a finished temporary file to its final name: with Overwrite::No it fails (and removes
// the temporary) when the final name exists; the move is an atomic rename in one folder.
void commitTempFile(const std::filesystem::path& tmp, const std::filesystem::path& file,
                    Overwrite overwrite);
// A temporary name for `file` in the same folder: ".name.tmp-<pid>-<n>".
std::filesystem::path tempNameFor(const std::filesystem::path& file);

} // namespace stipple::render
