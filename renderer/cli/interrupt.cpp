#include "interrupt.h"

#include <csignal>
#include <ctime>

namespace stipple::cli {

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<long long> g_first_signal_ns{0};

long long monotonicNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts); // async-signal-safe
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

extern "C" void onInterrupt(int sig) {
    const long long now = monotonicNs();
    if (!g_interrupted.exchange(true)) {
        g_first_signal_ns.store(now);
        return;
    }
    // Copies of the same signal arriving together (a terminal or `timeout` signalling the
    // whole process group) are not a second request.
    if (now - g_first_signal_ns.load() > 1000000000LL) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

} // namespace

const std::atomic<bool>& interruptFlag() {
    return g_interrupted;
}

InterruptGuard::InterruptGuard() {
    g_interrupted.store(false);
    m_old_int = std::signal(SIGINT, onInterrupt);
    m_old_term = std::signal(SIGTERM, onInterrupt);
}

InterruptGuard::~InterruptGuard() {
    std::signal(SIGINT, m_old_int);
    std::signal(SIGTERM, m_old_term);
}

} // namespace stipple::cli
