#pragma once

// Frames are encoded to PNG on worker threads: on llvmpipe a 1080p PNG costs more than the
// render itself, so the render thread hands frames to a small pool and goes on drawing.

#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stipple/core/image.h"

namespace stipple::render {

class PngWriterPool {
public:
    struct Written {
        std::filesystem::path file;
        std::string sha256; // of the PNG bytes
        size_t bytes = 0;
    };

    // `threads` workers (>= 1); `compression` is zlib's level (1: fast, still small for
    // renders). Files are written with writeFileAtomic(overwrite); fully opaque RGBA frames are
    // stored as RGB.
    PngWriterPool(int threads, Overwrite overwrite, int compression = 1);
    // Waits for queued work; errors at this point are dropped (call finish() to see them).
    ~PngWriterPool();
    PngWriterPool(const PngWriterPool&) = delete;
    PngWriterPool& operator=(const PngWriterPool&) = delete;

    // Queues one frame. Blocks while 2 x threads frames are waiting (bounded memory). Throws
    // the first error a worker met (e.g. the file exists) so the caller stops early.
    void submit(const std::filesystem::path& file, Image8 image, TextChunks text);
    // Waits until everything queued is written; rethrows the first worker error.
    void finish();
    // Files written so far, in completion order.
    std::vector<Written> written() const;

private:
    struct Job {
        std::filesystem::path file;
        Image8 image;
        TextChunks text;
    };
    void work();

    Overwrite m_overwrite;
    int m_compression;
    size_t m_max_queue;
    mutable std::mutex m_mutex;
    std::condition_variable m_work_ready;
    std::condition_variable m_space_ready;
    std::deque<Job> m_queue;
    size_t m_busy = 0;
    bool m_stop = false;
    std::exception_ptr m_error;
    std::vector<Written> m_written;
    std::vector<std::thread> m_threads;
};

} // namespace stipple::render
