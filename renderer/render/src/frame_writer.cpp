#include "stipple/render/frame_writer.h"

#include "stipple/core/hash.h"

namespace stipple::render {

PngWriterPool::PngWriterPool(int threads, Overwrite overwrite, int compression)
    : m_overwrite(overwrite), m_compression(compression),
      m_max_queue(size_t(std::max(1, threads)) * 2) {
    for (int i = 0; i < std::max(1, threads); ++i)
        m_threads.emplace_back([this] { work(); });
}

PngWriterPool::~PngWriterPool() {
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_work_ready.notify_all();
    for (std::thread& t : m_threads)
        t.join();
}

void PngWriterPool::submit(const std::filesystem::path& file, Image8 image, TextChunks text) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_space_ready.wait(lock, [&] { return m_queue.size() < m_max_queue || m_error; });
    if (m_error) std::rethrow_exception(m_error);
    m_queue.push_back({file, std::move(image), std::move(text)});
    m_work_ready.notify_one();
}

void PngWriterPool::finish() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_space_ready.wait(lock, [&] { return m_queue.empty() && m_busy == 0; });
    if (m_error) std::rethrow_exception(m_error);
}

std::vector<PngWriterPool::Written> PngWriterPool::written() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_written;
}

void PngWriterPool::work() {
    while (true) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            // Drain the queue even when stopping: a queued frame is a promised file.
            m_work_ready.wait(lock, [&] { return m_stop || !m_queue.empty(); });
            if (m_queue.empty()) return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_busy;
        }
        m_space_ready.notify_all();
        Written done;
        std::exception_ptr error;
        try {
            // Opaque frames are written as RGB: a quarter less data to deflate and to store.
            bool opaque = job.image.channels == 4;
            for (size_t i = 3; opaque && i < job.image.pixels.size(); i += 4)
                opaque = job.image.pixels[i] == 255;
            if (opaque) {
                Image8 rgb(job.image.width, job.image.height, 3);
                const size_t n = size_t(job.image.width) * size_t(job.image.height);
                for (size_t i = 0; i < n; ++i)
                    for (size_t c = 0; c < 3; ++c)
                        rgb.pixels[i * 3 + c] = job.image.pixels[i * 4 + c];
                job.image = std::move(rgb);
            }
            const std::string png = encodePng(job.image, job.text, m_compression);
            writeFileAtomic(job.file, png, m_overwrite);
            done = {job.file, sha256Hex(png), png.size()};
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_busy;
            if (error && !m_error) m_error = error;
            if (!error) m_written.push_back(std::move(done));
        }
        m_space_ready.notify_all();
    }
}

} // namespace stipple::render
