#pragma once

// Ctrl-C (SIGINT) and SIGTERM for long commands (render, bake): the first signal sets a flag
// the library polls (RenderJob::cancel, writeBakeOutputs' cancel), so the run stops cleanly:
// no partial file under a final name, what was promised is finished or removed. A second
// signal more than a second later ends the process the usual way (writes are atomic, so even
// then nothing half-written appears under a final name).

#include <atomic>

namespace stipple::cli {

// The flag the handler sets; false while no guard is installed.
const std::atomic<bool>& interruptFlag();

// Installs the handler for SIGINT and SIGTERM for its lifetime and restores the old ones.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*m_old_int)(int) = nullptr;
    void (*m_old_term)(int) = nullptr;
};

} // namespace stipple::cli
