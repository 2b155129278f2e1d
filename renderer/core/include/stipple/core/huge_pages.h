#pragma once

// Large scratch buffers on transparent huge pages.
//
// A 100k-dot generation writes ~40 MB of fresh scratch memory (candidates, the selector's
// sorted copies, the spacing grid). On 4 KiB pages that is ~10,000 page faults per run,
// measured at ~20 ms of a ~150 ms run (tests/bench/follicles_bench). Linux kernels set to
// `madvise` (Debian's default) back a 2 MiB-aligned range with 2 MiB pages when asked before
// its first touch. HugeAllocator hands out such ranges for blocks of 1 MiB and more; smaller
// blocks and other systems get plain operator new.

#include <cstddef>
#include <new>
#include <vector>

namespace stipple {

// Block of `bytes` (>= 1) aligned to 2 MiB and advised for huge pages when large enough, else
// a plain allocation. Release with freeHuge(p, bytes). Throws std::bad_alloc.
void* allocateHuge(size_t bytes);
void freeHuge(void* p, size_t bytes) noexcept;

template <typename T> struct HugeAllocator {
    using value_type = T;
    HugeAllocator() = default;
    template <typename U> HugeAllocator(const HugeAllocator<U>&) noexcept {}
    T* allocate(size_t n) { return static_cast<T*>(allocateHuge(n * sizeof(T))); }
    void deallocate(T* p, size_t n) noexcept { freeHuge(p, n * sizeof(T)); }
    template <typename U> bool operator==(const HugeAllocator<U>&) const noexcept { return true; }
    template <typename U> bool operator!=(const HugeAllocator<U>&) const noexcept { return false; }
};

// A vector for large scratch data (see above).
template <typename T> using HugeVector = std::vector<T, HugeAllocator<T>>;

} // namespace stipple
