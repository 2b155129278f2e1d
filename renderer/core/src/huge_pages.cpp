#include "stipple/core/huge_pages.h"

#include <cstdint>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace stipple {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeFrom = size_t(1) << 20; // smaller blocks: plain operator new

} // namespace

void* allocateHuge(size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= kHugeFrom) {
        const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void* p = nullptr;
        if (posix_memalign(&p, kHugePage, rounded) != 0) throw std::bad_alloc();
        // Advice only: a kernel without THP (or set to `never`) refuses and nothing changes.
        madvise(p, rounded, MADV_HUGEPAGE);
        return p;
    }
#endif
    return ::operator new(bytes);
}

void freeHuge(void* p, size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= kHugeFrom) {
        std::free(p);
        return;
    }
#endif
    ::operator delete(p);
}

} // namespace stipple
