#include "stipple/core/parallel.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace stipple {
namespace {

TEST(Parallel, EveryItemRunsExactlyOnceWhateverTheThreadCount) {
    for (int threads : {1, 2, 5, 0}) {
        std::vector<std::atomic<int>> hits(1000);
        parallelFor(1000, threads, [&](int i) { ++hits[size_t(i)]; });
        for (const std::atomic<int>& h : hits)
            ASSERT_EQ(h.load(), 1) << threads;
    }
    parallelFor(0, 2, [](int) { FAIL() << "no item"; });
}

TEST(Parallel, AWorkersExceptionReachesTheCaller) {
    // A host that turns broken invariants into exceptions must get them, not a terminate().
    std::atomic<int> done{0};
    EXPECT_THROW(parallelFor(100, 3,
                             [&](int i) {
                                 if (i == 37) throw std::runtime_error("item 37");
                                 ++done;
                             }),
                 std::runtime_error);
    EXPECT_GE(done.load(), 1);
}

} // namespace
} // namespace stipple
