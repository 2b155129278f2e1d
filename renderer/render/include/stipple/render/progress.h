#pragma once

// A progress bar with ETA on stderr for long work ("[#####.....] 12/36 frames  1.3 s left").
// Drawn in place only when stderr is a terminal; otherwise silent, so logs stay clean.

#include <chrono>
#include <string>

namespace stipple::render {

class Progress {
public:
    // `enabled` false: draws nothing. total >= 1.
    Progress(std::string label, int total, bool enabled);
    ~Progress(); // ends the line if anything was drawn
    void step(int n = 1);
    int done() const { return m_done; }

private:
    void draw();
    std::string m_label;
    int m_total;
    int m_done = 0;
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_draw;
};

// True when stderr is an interactive terminal.
bool stderrIsTerminal();

} // namespace stipple::render
