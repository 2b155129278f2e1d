#pragma once

// The one thread helper of stipple::core: plain std::threads over a shared counter, no pool
// kept between calls (the work items here are coarse: bands of rows, chart candidates).
// Results never depend on the thread count: callers give every item its own output.

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace stipple {

// Threads to use for `threads` (<= 0: the machine's hardware concurrency), at least 1.
inline int threadCount(int threads) {
    if (threads > 0) return threads;
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs worker() on threadCount(threads) threads, the calling one included, and waits for all.
// The first exception a worker throws is rethrown here once every thread has joined (a
// throwing STIPPLE_ASSERT in a host must not terminate it).
template <typename Worker> void runWorkers(int threads, const Worker& worker) {
    threads = threadCount(threads);
    std::exception_ptr error;
    std::mutex error_mutex;
    auto guarded = [&] {
        try {
            worker();
        } catch (...) {
            const std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i)
        pool.emplace_back(guarded);
    guarded();
    for (std::thread& t : pool)
        t.join();
    if (error) std::rethrow_exception(error);
}

// body(i) for every i in [0, count), items claimed in increasing order by the workers of
// runWorkers(min(threadCount(threads), count)). Each item must write only its own data.
template <typename Body> void parallelFor(int count, int threads, const Body& body) {
    if (count <= 0) return;
    std::atomic<int> next{0};
    runWorkers(std::min(threadCount(threads), count), [&] {
        for (int i = next++; i < count; i = next++)
            body(i);
    });
}

} // namespace stipple
