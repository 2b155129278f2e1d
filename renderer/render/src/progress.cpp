#include "stipple/render/progress.h"

#include <cstdio>
#include <unistd.h>

namespace stipple::render {

bool stderrIsTerminal() {
    return ::isatty(2) == 1;
}

Progress::Progress(std::string label, int total, bool enabled)
    : m_label(std::move(label)), m_total(total < 1 ? 1 : total), m_enabled(enabled),
      m_start(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
    if (m_drawn) std::fputc('\n', stderr);
}

void Progress::step(int n) {
    m_done += n;
    if (!m_enabled) return;
    const auto now = std::chrono::steady_clock::now();
    // At most ~10 redraws per second, and always the last one.
    if (m_done < m_total && m_drawn && now - m_last_draw < std::chrono::milliseconds(100)) return;
    m_last_draw = now;
    draw();
}

void Progress::draw() {
    constexpr int kWidth = 28;
    const double fraction = double(m_done) / double(m_total);
    const int filled = int(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i)
        bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = 0;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const double left = m_done > 0 ? elapsed / m_done * (m_total - m_done) : 0;
    std::fprintf(stderr, "\r%s [%s] %d/%d  %.1f s elapsed, %.1f s left   ", m_label.c_str(), bar,
                 m_done, m_total, elapsed, left);
    std::fflush(stderr);
    m_drawn = true;
}

} // namespace stipple::render
