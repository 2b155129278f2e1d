// Poisson-disk selection of surface samples.
//
// References:
// - R. Bridson, "Fast Poisson Disk Sampling in Arbitrary Dimensions", SIGGRAPH sketches 2007:
//   a background grid of cells tied to the minimum distance makes each neighbour test O(1).
// - L.-Y. Wei, "Parallel Poisson Disk Sampling", SIGGRAPH 2008: cells processed in parity
//   phases so that cells of one phase cannot conflict, one dart per cell per round; the result
//   does not depend on the order inside a phase (here: determinism rather than parallelism).
// - C. Yuksel, "Sample Elimination for Generating Poisson Disk Sample Sets", Eurographics
//   2015, and M. Corsini, P. Cignoni, R. Scopigno, "Efficient and Flexible Sampling with Blue
//   Noise Properties of Triangular Meshes", IEEE TVCG 2012: pick from a finite pool of
//   candidates generated on the triangles (area-proportional) instead of unbounded dart
//   throwing, so the cost is linear in the pool and the pool is a pure function of the mesh.
//
// Distances are 3D Euclidean: at SMP spacings (0.5-2 mm) on a head (radius ~90 mm) they equal
// geodesic distances to better than 0.01%.

#include "stipple/core/poisson_sampling.h"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "stipple/core/error.h"

namespace stipple {
namespace {

// Candidates a cell tries per turn. Wei (2008) tries one per turn so no cell races ahead of its
// neighbours; a few per turn keeps that balance (a cell holds ~4 dots) while sweeping memory
// several times less often, which is what the time goes into.
constexpr uint32_t kCandidatesPerTurn = 3;
// Cell side of nearestSpacingRatios() in units of the largest spacing (measured: ...).
constexpr float kSpacingCellFactor = 2.0f;
constexpr int64_t kCellBias = int64_t(1) << 20; // cell coordinates kept positive in 21 bits

uint64_t cellKey(int64_t ix, int64_t iy, int64_t iz) {
    return (uint64_t(ix + kCellBias) << 42) | (uint64_t(iy + kCellBias) << 21) |
           uint64_t(iz + kCellBias);
}

// Open-addressing map from a cell key to a dense cell index.
class CellMap {
public:
    explicit CellMap(size_t expected) {
        size_t capacity = 64;
        while (capacity < expected * 2) capacity *= 2;
        m_keys.assign(capacity, kEmpty);
        m_values.assign(capacity, 0);
    }
    // Index of `key`, inserting `next_value` when absent. Returns {value, inserted}.
    std::pair<uint32_t, bool> insert(uint64_t key, uint32_t next_value) {
        if ((m_size + 1) * 2 > m_keys.size()) grow();
        size_t slot = mixHash(key) & (m_keys.size() - 1);
        while (m_keys[slot] != kEmpty) {
            if (m_keys[slot] == key) return {m_values[slot], false};
            slot = (slot + 1) & (m_keys.size() - 1);
        }
        m_keys[slot] = key;
        m_values[slot] = next_value;
        ++m_size;
        return {next_value, true};
    }
    // Index of `key` or UINT32_MAX.
    uint32_t find(uint64_t key) const {
        size_t slot = mixHash(key) & (m_keys.size() - 1);
        while (m_keys[slot] != kEmpty) {
            if (m_keys[slot] == key) return m_values[slot];
            slot = (slot + 1) & (m_keys.size() - 1);
        }
        return kNone;
    }
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    void grow() {
        std::vector<uint64_t> keys;
        std::vector<uint32_t> values;
        keys.swap(m_keys);
        values.swap(m_values);
        m_keys.assign(keys.size() * 2, kEmpty);
        m_values.assign(keys.size() * 2, 0);
        m_size = 0;
        for (size_t i = 0; i < keys.size(); ++i)
            if (keys[i] != kEmpty) insert(keys[i], values[i]);
    }
    std::vector<uint64_t> m_keys;
    std::vector<uint32_t> m_values;
    size_t m_size = 0;
};

// Points bucketed by cubic cell without hashing: each point's cell gets a row-major key
// (z, then y, then x) inside the padded bounding box of the cells, the (key, point) pairs are
// radix sorted, and equal keys form a cell. Cells (x-1..x+1, y, z) are then consecutive in
// the sorted order, so a 3 x 3 x 3 neighbourhood is 9 runs of cells, and walking the cells in
// key order the runs of each of the 9 rows only move forward (RowWalker): no lookups at all.
// The padding (one empty cell on every side) keeps the neighbours' keys in range.
struct SortedCells {
    float cell_mm = 1;
    glm::ivec3 low{0};     // cell coordinate of key 0 (smallest coordinate - 1)
    uint64_t nx = 0, ny = 0, nz = 0;
    std::vector<uint64_t> keys;      // per cell, ascending
    std::vector<glm::ivec3> coords;  // per cell
    std::vector<uint32_t> start;     // per cell + 1: its run in `order`
    std::vector<uint32_t> order;     // point indices by cell, ascending inside a cell

    uint64_t keyOf(const glm::ivec3& c) const {
        return (uint64_t(c.z - low.z) * ny + uint64_t(c.y - low.y)) * nx + uint64_t(c.x - low.x);
    }
    // First and one-past-last cell whose key lies in [first_key, last_key].
    std::pair<size_t, size_t> cellsBetween(uint64_t first_key, uint64_t last_key) const {
        const auto b = std::lower_bound(keys.begin(), keys.end(), first_key);
        const auto e = std::upper_bound(b, keys.end(), last_key);
        return {size_t(b - keys.begin()), size_t(e - keys.begin())};
    }
    // Cell at coordinate c, or kNoCell.
    uint32_t find(const glm::ivec3& c) const {
        const glm::ivec3 r = c - low;
        if (r.x < 0 || r.y < 0 || r.z < 0 || uint64_t(r.x) >= nx || uint64_t(r.y) >= ny ||
            uint64_t(r.z) >= nz)
            return kNoCell;
        const uint64_t key = keyOf(c);
        const auto it = std::lower_bound(keys.begin(), keys.end(), key);
        return it != keys.end() && *it == key ? uint32_t(it - keys.begin()) : kNoCell;
    }
    static constexpr uint32_t kNoCell = std::numeric_limits<uint32_t>::max();
};

// int(std::floor(x)) for x in int range, without the library call.
int floorToInt(float x) {
    const int i = int(x);
    return i - int(float(i) > x);
}

template <typename PositionOf>
SortedCells sortIntoCells(size_t count, float cell_mm, PositionOf position_of);

// Least-significant-digit radix sort of `values` on bits [low_bit, low_bit + bits).
void radixSort(std::vector<uint64_t>& values, std::vector<uint64_t>& scratch, int low_bit,
               int bits) {
    constexpr int kDigitBits = 11;
    constexpr size_t kBuckets = size_t(1) << kDigitBits;
    const int passes = (bits + kDigitBits - 1) / kDigitBits;
    std::vector<uint32_t> counts(size_t(passes) * kBuckets, 0);
    for (uint64_t v : values)
        for (int p = 0; p < passes; ++p)
            ++counts[size_t(p) * kBuckets + ((v >> (low_bit + p * kDigitBits)) & (kBuckets - 1))];
    scratch.resize(values.size());
    for (int p = 0; p < passes; ++p) {
        uint32_t* count = &counts[size_t(p) * kBuckets];
        // A digit that is the same everywhere moves nothing.
        if (std::find(count, count + kBuckets, uint32_t(values.size())) != count + kBuckets)
            continue;
        uint32_t sum = 0;
        for (size_t d = 0; d < kBuckets; ++d) sum += std::exchange(count[d], sum);
        const int shift = low_bit + p * kDigitBits;
        for (uint64_t v : values) scratch[count[(v >> shift) & (kBuckets - 1)]++] = v;
        values.swap(scratch);
    }
}

// `on_cell(i, position / cell_mm, cell coordinate)` is called for every point, in order.
// Inside a cell the points are in ascending index, or, when `pre_digit` is given (filled by
// on_cell at the latest: a value below kPreDigits per point), by that digit first.
constexpr uint32_t kPreDigits = 2048;
template <typename PositionOf, typename OnCell>
SortedCells sortIntoCells(size_t count, float cell_mm, PositionOf position_of, OnCell on_cell,
                          const uint32_t* pre_digit = nullptr) {
    STIPPLE_ASSERT(count < std::numeric_limits<uint32_t>::max(),
                   "sortIntoCells(): more than 2^32 - 1 points");
    SortedCells grid;
    grid.cell_mm = cell_mm;
    if (count == 0) {
        grid.start.assign(1, 0);
        return grid;
    }
    std::vector<glm::ivec3> coord_of(count);
    glm::ivec3 lo(std::numeric_limits<int>::max()), hi(std::numeric_limits<int>::min());
    for (size_t i = 0; i < count; ++i) {
        const glm::vec3 q = position_of(i) / cell_mm;
        coord_of[i] = glm::ivec3(floorToInt(q.x), floorToInt(q.y), floorToInt(q.z));
        on_cell(i, q, coord_of[i]);
        lo = glm::min(lo, coord_of[i]);
        hi = glm::max(hi, coord_of[i]);
    }
    grid.low = lo - 1;
    grid.nx = uint64_t(int64_t(hi.x) - lo.x + 3);
    grid.ny = uint64_t(int64_t(hi.y) - lo.y + 3);
    grid.nz = uint64_t(int64_t(hi.z) - lo.z + 3);
    const double total = double(grid.nx) * double(grid.ny) * double(grid.nz);
    STIPPLE_ASSERT(total < 0x1.0p62, "sortIntoCells(): points spread over too many cells");
    int key_bits = 1;
    while (double(uint64_t(1) << key_bits) < total) ++key_bits;
    std::vector<uint64_t> keys(count); // cell key, then the point's index when it fits
    if (key_bits <= 32) {
        for (size_t i = 0; i < count; ++i) keys[i] = (grid.keyOf(coord_of[i]) << 32) | i;
        std::vector<uint64_t> scratch;
        if (pre_digit) {
            // One counting pass on the minor digit first; the stable passes below keep it.
            std::vector<uint32_t> counts(kPreDigits + 1, 0);
            for (size_t i = 0; i < count; ++i) ++counts[pre_digit[i] + 1];
            for (size_t d = 0; d < kPreDigits; ++d) counts[d + 1] += counts[d];
            scratch.resize(count);
            for (size_t i = 0; i < count; ++i) scratch[counts[pre_digit[i]]++] = keys[i];
            keys.swap(scratch);
        }
        radixSort(keys, scratch, 32, key_bits); // stable
        grid.order.resize(count);
        for (size_t i = 0; i < count; ++i) grid.order[i] = uint32_t(keys[i]);
        for (uint64_t& k : keys) k >>= 32;
    } else {
        // Sparse points over a huge box (not seen in practice): a comparison sort.
        grid.order.resize(count);
        std::iota(grid.order.begin(), grid.order.end(), 0u);
        for (size_t i = 0; i < count; ++i) keys[i] = grid.keyOf(coord_of[i]);
        std::sort(grid.order.begin(), grid.order.end(), [&](uint32_t a, uint32_t b) {
            if (keys[a] != keys[b]) return keys[a] < keys[b];
            if (pre_digit && pre_digit[a] != pre_digit[b]) return pre_digit[a] < pre_digit[b];
            return a < b;
        });
        std::vector<uint64_t> sorted(count);
        for (size_t i = 0; i < count; ++i) sorted[i] = keys[grid.order[i]];
        keys.swap(sorted);
    }
    for (size_t i = 0; i < count; ++i)
        if (i == 0 || keys[i] != keys[i - 1]) {
            grid.keys.push_back(keys[i]);
            grid.coords.push_back(coord_of[grid.order[i]]);
            grid.start.push_back(uint32_t(i));
        }
    grid.start.push_back(uint32_t(count));
    return grid;
}

template <typename PositionOf>
SortedCells sortIntoCells(size_t count, float cell_mm, PositionOf position_of) {
    return sortIntoCells(count, cell_mm, position_of,
                         [](size_t, const glm::vec3&, const glm::ivec3&) {});
}

// The 3 x 3 x 3 neighbourhood of each cell as 9 runs of cells (rows dz, dy = -1..1, row
// r = (dz + 1) * 3 + (dy + 1)), for cells visited in ascending order.
class RowWalker {
public:
    explicit RowWalker(const SortedCells& grid) : m_grid(grid) {
        for (int r = 0; r < 9; ++r)
            m_offset[r] = uint64_t(int64_t(r / 3 - 1) * int64_t(grid.ny * grid.nx) +
                                   int64_t(r % 3 - 1) * int64_t(grid.nx));
    }
    // Row r of `cell` is cells [first[r], last[r]); `cell` must not decrease between calls.
    void rows(size_t cell, uint32_t first[9], uint32_t last[9]) {
        const std::vector<uint64_t>& keys = m_grid.keys;
        const size_t n = keys.size();
        for (int r = 0; r < 9; ++r) {
            const uint64_t centre = keys[cell] + m_offset[r]; // wraps back into range
            size_t p = m_pos[r];
            while (p < n && keys[p] < centre - 1) ++p;
            m_pos[r] = p;
            size_t q = p;
            while (q < n && keys[q] <= centre + 1) ++q;
            first[r] = uint32_t(p);
            last[r] = uint32_t(q);
        }
    }
    // Key of the cell at (0, dy, dz) from `cell`, row r = (dz + 1) * 3 + (dy + 1).
    uint64_t centre(size_t cell, int r) const { return m_grid.keys[cell] + m_offset[r]; }

private:
    const SortedCells& m_grid;
    uint64_t m_offset[9] = {};
    size_t m_pos[9] = {};
};

inline void prefetch(const void* address) { __builtin_prefetch(address); }
constexpr uint32_t kGatherAhead = 16; // candidates
constexpr uint32_t kCellsAhead = 8;   // cells of a phase

// Accepted samples a cell holds without spilling: one cache line. A cell of side 2 r_max
// holds about 2-4 dots; more go to the overflow array.
constexpr uint32_t kSlots = 4;

// Table index (dz * 9 + dy * 3 + dx, each 0..2) of the 8 cells a sample in octant o can
// conflict with: its own cell and the near neighbour along each axis (bit set: the + side).
struct OctantCells {
    uint8_t cells[8][8];
    constexpr OctantCells() : cells() {
        for (int o = 0; o < 8; ++o) {
            int n = 0;
            const int ox = (o & 1) ? 2 : 0, oy = (o & 2) ? 2 : 0, oz = (o & 4) ? 2 : 0;
            const int zs[2] = {1, oz}, ys[2] = {1, oy}, xs[2] = {1, ox};
            for (int dz : zs)
                for (int dy : ys)
                    for (int dx : xs) cells[o][n++] = uint8_t(dz * 9 + dy * 3 + dx);
        }
    }
};
constexpr OctantCells kOctantCells;



} // namespace

void PoissonSelector::prepare(const std::vector<SampleCandidate>& candidates,
                              float max_radius_mm) {
    STIPPLE_ASSERT(max_radius_mm > 0, "PoissonSelector::prepare(): max_radius_mm must be positive");
    m_candidates = &candidates;
    // Cells of side 2 r_max: a conflict (distance < r <= r_max = half a cell) can only be with
    // the own cell or the neighbour on the near side along each axis: 8 cells, not 27.
    const float cell_mm = 2.0f * max_radius_mm;
    // Which half of its cell a candidate lies in along each axis, from the same float
    // expression as ever (position / cell - corner < 0.5): another rounding at the mid-plane
    // could pick the other neighbour and change the result.
    std::vector<uint8_t>& octant_of = m_octant_of;
    octant_of.resize(candidates.size());
    // The cells come out with their runs already ordered by the top 11 priority bits, so
    // the per-cell sort below is an insertion sort over an almost sorted run.
    std::vector<uint32_t>& digit_of = m_digit_of;
    digit_of.resize(candidates.size());
    const SortedCells grid = sortIntoCells(
        candidates.size(), cell_mm, [&](size_t i) { return candidates[i].position; },
        [&](size_t i, const glm::vec3& q, const glm::ivec3& c) {
            const glm::vec3 local = q - glm::vec3(c);
            octant_of[i] = uint8_t((local.x < 0.5f ? 0 : 1) | (local.y < 0.5f ? 0 : 2) |
                                   (local.z < 0.5f ? 0 : 4));
            digit_of[i] = candidates[i].priority >> 21;
        },
        digit_of.data());
    const size_t cells = grid.keys.size();
    const size_t count = candidates.size();


    // Each cell's run by priority (ties by triangle and index so the order never depends on
    // the input order), then the compact per-candidate arrays.
    m_points.resize(count);
    m_source.resize(count);
    m_octant.resize(count);
    m_start = grid.start;
    std::vector<uint64_t>& run = m_run;
    auto tieLess = [&](uint32_t a, uint32_t b) {
        const SampleCandidate& x = candidates[a];
        const SampleCandidate& y = candidates[b];
        return x.triangle != y.triangle ? x.triangle < y.triangle : x.index < y.index;
    };
    std::vector<uint32_t> cell_at(count, SortedCells::kNoCell);
    for (size_t c = 0; c < cells; ++c) {
        const uint32_t begin = grid.start[c], end = grid.start[c + 1];
        const uint32_t* source = &grid.order[begin];
        uint32_t first_source = source[0];
        // (priority, place in the run) as one integer: an insertion sort on plain integers;
        // equal priorities (a 32-bit hash collision inside one cell) are ordered afterwards.
        run.resize(end - begin);
        for (uint32_t i = 0; i < end - begin; ++i) {
            // The gather is a permutation of the input: fetch ahead to overlap the misses.
            if (begin + i + kGatherAhead < count) prefetch(&candidates[source[i + kGatherAhead]]);
            run[i] = (uint64_t(candidates[source[i]].priority) << 32) | i;
            first_source = std::min(first_source, source[i]);
        }
        cell_at[first_source] = uint32_t(c);
        if (run.size() <= 32) {
            for (size_t i = 1; i < run.size(); ++i) {
                const uint64_t v = run[i];
                size_t j = i;
                for (; j > 0 && run[j - 1] > v; --j) run[j] = run[j - 1];
                run[j] = v;
            }
        } else {
            std::sort(run.begin(), run.end());
        }
        for (size_t i = 0; i + 1 < run.size(); ++i) {
            if ((run[i] >> 32) != (run[i + 1] >> 32)) continue;
            size_t j = i + 1;
            while (j + 1 < run.size() && (run[j + 1] >> 32) == (run[i] >> 32)) ++j;
            std::sort(run.begin() + ptrdiff_t(i), run.begin() + ptrdiff_t(j + 1),
                      [&](uint64_t a, uint64_t b) { return tieLess(source[uint32_t(a)], source[uint32_t(b)]); });
            i = j;
        }
        for (uint32_t k = begin; k < end; ++k) {
            const uint32_t src = source[uint32_t(run[k - begin])];
            const SampleCandidate& s = candidates[src];
            m_points[k] = glm::vec4(s.position, s.radius_mm);
            m_source[k] = src;
            m_octant[k] = octant_of[src];
        }
    }

    // Output order: cells by their first candidate in the input, as the selection has
    // always returned them.
    m_output_cells.clear();
    for (uint32_t c : cell_at)
        if (c != SortedCells::kNoCell) m_output_cells.push_back(c);

    // Neighbour table from the row runs: no lookups.
    // Missing neighbours point at the always-empty cell `cells` (see select()).
    m_neighbours.assign(cells * 27, uint32_t(cells));
    RowWalker walker(grid);
    uint32_t first[9], last[9];
    for (size_t c = 0; c < cells; ++c) {
        walker.rows(c, first, last);
        for (int r = 0; r < 9; ++r) {
            const int dz = r / 3, dy = r % 3;
            for (uint32_t q = first[r]; q < last[r]; ++q) {
                const int dx = grid.coords[q].x - grid.coords[c].x + 1;
                m_neighbours[c * 27 + size_t(dz * 9 + dy * 3 + dx)] = q;
            }
        }
    }

    // Parity phases: cells of one phase are two cells apart and cannot conflict.
    m_phase_start.assign(9, 0);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 k = grid.coords[c];
        ++m_phase_start[size_t((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2)) + 1];
    }
    for (size_t p = 0; p < 8; ++p) m_phase_start[p + 1] += m_phase_start[p];
    m_phase_cells.resize(cells);
    std::vector<uint32_t> fill(m_phase_start.begin(), m_phase_start.end() - 1);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 k = grid.coords[c];
        m_phase_cells[fill[size_t((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2))]++] =
            uint32_t(c);
    }
}

std::vector<SampleCandidate> PoissonSelector::select(float radius_scale) {
    STIPPLE_ASSERT(m_candidates, "PoissonSelector::select(): call prepare() first");
    const std::vector<SampleCandidate>& candidates = *m_candidates;
    const size_t cells = m_start.empty() ? 0 : m_start.size() - 1;
    const size_t count = m_points.size();
    if (count == 0) return {};
    // Accepted samples: kSlots per cell as x[4], y[4], z[4], r[4] in one 64-byte line, empty
    // slots at +infinity (never closer than anything), plus one always-empty cell (index
    // `cells`) that stands for the missing neighbours; beyond kSlots a cell spills into
    // m_overflow and sets its bit in `spilled`.
    m_slots.resize((cells + 1) * kSlots + 4);
    float* const slots = reinterpret_cast<float*>(
        (reinterpret_cast<uintptr_t>(m_slots.data()) + 63) & ~uintptr_t(63));
    const float inf = std::numeric_limits<float>::infinity();
    for (size_t c = 0; c <= cells; ++c) {
        float* line = slots + c * 16;
        for (int i = 0; i < 12; ++i) line[i] = inf;
        for (int i = 12; i < 16; ++i) line[i] = 0;
    }
    std::vector<uint64_t> spilled((cells + 64) / 64, 0);
    m_accepted.assign(cells, 0);
    m_next.assign(cells, 0);
    m_kept.assign(count, 0);
    m_active = m_phase_cells;
    uint32_t phase_end[8];
    for (size_t p = 0; p < 8; ++p) phase_end[p] = m_phase_start[p + 1];

    // Whether s (scaled radius r_s) lies closer than max(r_s, r_q) to an accepted q in one of
    // the 8 cells of its octant: the same pairs and the same float expression as the textbook
    // loop ((dx * dx + dy * dy) + dz * dz < r * r), 4 slots at a time.
    auto conflicts = [&](const uint32_t* around, uint8_t octant, const glm::vec4& s, float r_s) {
        const uint8_t* look = kOctantCells.cells[octant];
#if defined(__SSE2__)
        const __m128 sx = _mm_set1_ps(s.x), sy = _mm_set1_ps(s.y), sz = _mm_set1_ps(s.z);
        const __m128 rs = _mm_set1_ps(r_s);
        __m128 hit = _mm_setzero_ps();
#else
        bool hit = false;
#endif
        bool spill = false;
        for (int n = 0; n < 8; ++n) {
            const uint32_t other = around[look[n]];
            spill |= ((spilled[other >> 6] >> (other & 63)) & 1) != 0;
            const float* line = slots + size_t(other) * 16;
#if defined(__SSE2__)
            const __m128 r = _mm_max_ps(_mm_load_ps(line + 12), rs);
            const __m128 dx = _mm_sub_ps(_mm_load_ps(line), sx);
            const __m128 dy = _mm_sub_ps(_mm_load_ps(line + 4), sy);
            const __m128 dz = _mm_sub_ps(_mm_load_ps(line + 8), sz);
            const __m128 d2 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)),
                                         _mm_mul_ps(dz, dz));
            hit = _mm_or_ps(hit, _mm_cmplt_ps(d2, _mm_mul_ps(r, r)));
#else
            for (uint32_t i = 0; i < kSlots; ++i) {
                const float r = std::max(r_s, line[12 + i]);
                const float dx = line[i] - s.x, dy = line[4 + i] - s.y, dz = line[8 + i] - s.z;
                hit |= dx * dx + dy * dy + dz * dz < r * r;
            }
#endif
        }
#if defined(__SSE2__)
        if (_mm_movemask_ps(hit) != 0) return true;
#else
        if (hit) return true;
#endif
        if (!spill) return false;
        for (int n = 0; n < 8; ++n) {
            const uint32_t other = around[look[n]];
            if (other == cells) continue;
            for (uint32_t i = kSlots; i < m_accepted[other]; ++i) {
                const glm::vec4& q = m_overflow[m_start[other] + i];
                const float r = std::max(r_s, q.w);
                const float dx = q.x - s.x, dy = q.y - s.y, dz = q.z - s.z;
                if (dx * dx + dy * dy + dz * dz < r * r) return true;
            }
        }
        return false;
    };

    bool any = true;
    while (any) {
        any = false;
        for (size_t p = 0; p < 8; ++p) {
            uint32_t kept = m_phase_start[p];
            for (uint32_t a = m_phase_start[p]; a < phase_end[p]; ++a) {
                const uint32_t cell = m_active[a];
                // The cells of a phase are scattered: fetch ahead, in two steps, what a
                // later cell's turn reads (its counters, then its candidates and its
                // neighbour row, which need the counters).
                if (a + 2 * kCellsAhead < phase_end[p]) {
                    const uint32_t later = m_active[a + 2 * kCellsAhead];
                    prefetch(&m_start[later]);
                    prefetch(&m_next[later]);
                    prefetch(&m_accepted[later]);
                    prefetch(&m_neighbours[size_t(later) * 27]);
                    prefetch(&m_neighbours[size_t(later) * 27 + 26]);
                }
                if (a + kCellsAhead < phase_end[p]) {
                    const uint32_t later = m_active[a + kCellsAhead];
                    const uint32_t k = m_start[later] + m_next[later];
                    prefetch(&m_points[k]);
                    prefetch(&m_points[k + 2]);
                    prefetch(&m_octant[k]);
                }
                if (a + kCellsAhead / 2 < phase_end[p]) {
                    const uint32_t later = m_active[a + kCellsAhead / 2];
                    const uint32_t* around = &m_neighbours[size_t(later) * 27];
                    const uint8_t* look = kOctantCells.cells[m_octant[m_start[later] + m_next[later]]];
                    for (int n = 1; n < 8; ++n) prefetch(slots + size_t(around[look[n]]) * 16);
                }
                const uint32_t* around = &m_neighbours[size_t(cell) * 27];
                const uint32_t begin = m_start[cell];
                const uint32_t size = m_start[cell + 1] - begin;
                uint32_t next = m_next[cell];
                const uint32_t end = std::min(size, next + kCandidatesPerTurn);
                for (; next < end; ++next) {
                    const uint32_t k = begin + next;
                    const glm::vec4 s = m_points[k];
                    const float r_s = s.w * radius_scale;
                    if (conflicts(around, m_octant[k], s, r_s)) continue;
                    const uint32_t n = m_accepted[cell]++;
                    if (n < kSlots) {
                        float* line = slots + size_t(cell) * 16;
                        line[n] = s.x;
                        line[4 + n] = s.y;
                        line[8 + n] = s.z;
                        line[12 + n] = r_s;
                    } else {
                        if (m_overflow.size() < count) m_overflow.resize(count);
                        m_overflow[begin + n] = glm::vec4(s.x, s.y, s.z, r_s);
                        spilled[cell >> 6] |= uint64_t(1) << (cell & 63);
                    }
                    m_kept[k] = 1;
                }
                m_next[cell] = next;
                if (next < size) m_active[kept++] = cell;
            }
            phase_end[p] = kept;
            any = any || kept > m_phase_start[p];
        }
    }

    std::vector<SampleCandidate> kept;
    size_t total = 0;
    for (size_t c = 0; c < cells; ++c) total += m_accepted[c];
    if (getenv("PS_DEBUG")) { size_t h[6] = {}; for (size_t c = 0; c < cells; ++c) h[std::min<size_t>(5, m_accepted[c] / 4)]++; size_t sz[6] = {}; for (size_t c = 0; c < cells; ++c) sz[std::min<size_t>(5, (m_start[c+1]-m_start[c]) / 16)]++;
      fprintf(stderr, "cells=%zu acc/4 hist %zu %zu %zu %zu %zu %zu | size/16 hist %zu %zu %zu %zu %zu %zu\n", cells, h[0],h[1],h[2],h[3],h[4],h[5], sz[0],sz[1],sz[2],sz[3],sz[4],sz[5]); }
    kept.reserve(total);
    for (uint32_t c : m_output_cells)
        for (uint32_t k = m_start[c], n = 0; n < m_accepted[c]; ++k)
            if (m_kept[k]) {
                kept.push_back(candidates[m_source[k]]);
                kept.back().radius_mm *= radius_scale;
                ++n;
            }
    return kept;
}

std::vector<SampleCandidate> selectPoissonDisk(const std::vector<SampleCandidate>& candidates,
                                               float max_radius_mm, float radius_scale) {
    STIPPLE_ASSERT(max_radius_mm > 0, "selectPoissonDisk(): max_radius_mm must be positive");
    if (candidates.empty()) return {};
    PoissonSelector selector;
    auto t0 = std::chrono::steady_clock::now();
    selector.prepare(candidates, max_radius_mm);
    auto t1 = std::chrono::steady_clock::now();
    auto r = selector.select(radius_scale);
    auto t2 = std::chrono::steady_clock::now();
    if (getenv("PS_DEBUG")) fprintf(stderr, "select n=%zu kept=%zu prep=%.2fms sel=%.2fms\n", candidates.size(), r.size(), std::chrono::duration<double, std::milli>(t1-t0).count(), std::chrono::duration<double, std::milli>(t2-t1).count());
    return r;
}

std::vector<glm::vec3> dartThrowing(const Mesh& mesh, const std::vector<uint32_t>& triangles,
                                    float radius_mm, size_t max_samples, size_t max_failures,
                                    uint64_t seed) {
    STIPPLE_ASSERT(radius_mm > 0, "dartThrowing(): radius_mm must be positive");
    std::vector<double> cdf(triangles.size());
    double total = 0;
    for (size_t i = 0; i < triangles.size(); ++i) {
        const glm::uvec3 t = mesh.triangles[triangles[i]];
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        total += 0.5 * glm::length(glm::cross(b - a, c - a));
        cdf[i] = total;
    }
    std::vector<glm::vec3> points;
    if (triangles.empty() || total <= 0) return points;
    // Cells of side r: a conflict lies in the 27 cells around the dart. A linked list per
    // cell (head in the map, `next_point` per point) keeps insertion O(1).
    const float cell_mm = radius_mm;
    CellMap heads(max_samples / 2 + 16);
    std::vector<uint32_t> head_of; // per cell: last point inserted
    std::vector<uint32_t> next_point;
    size_t failures = 0;
    for (uint64_t dart = 0; points.size() < max_samples && failures < max_failures; ++dart) {
        const uint64_t h = hashOf(seed, dart);
        const double pick = unitOf(h) * total;
        const size_t tri = size_t(std::upper_bound(cdf.begin(), cdf.end(), pick) - cdf.begin());
        const glm::uvec3 t = mesh.triangles[triangles[std::min(tri, triangles.size() - 1)]];
        double u = unitOf(hashOf(h, 1)), v = unitOf(hashOf(h, 2));
        if (u + v > 1) {
            u = 1 - u;
            v = 1 - v;
        }
        const glm::vec3 p = mesh.positions[t.x] + float(u) * (mesh.positions[t.y] - mesh.positions[t.x]) +
                            float(v) * (mesh.positions[t.z] - mesh.positions[t.x]);
        const glm::ivec3 c(int(std::floor(p.x / cell_mm)), int(std::floor(p.y / cell_mm)),
                           int(std::floor(p.z / cell_mm)));
        bool ok = true;
        for (int dz = -1; dz <= 1 && ok; ++dz)
            for (int dy = -1; dy <= 1 && ok; ++dy)
                for (int dx = -1; dx <= 1 && ok; ++dx) {
                    const uint32_t cell = heads.find(cellKey(c.x + dx, c.y + dy, c.z + dz));
                    if (cell == CellMap::kNone) continue;
                    for (uint32_t i = head_of[cell]; i != CellMap::kNone; i = next_point[i]) {
                        const glm::vec3 d = points[i] - p;
                        if (glm::dot(d, d) < radius_mm * radius_mm) {
                            ok = false;
                            break;
                        }
                    }
                }
        if (!ok) {
            ++failures;
            continue;
        }
        failures = 0;
        const auto [cell, inserted] = heads.insert(cellKey(c.x, c.y, c.z), uint32_t(head_of.size()));
        if (inserted) head_of.push_back(CellMap::kNone);
        next_point.push_back(head_of[cell]);
        head_of[cell] = uint32_t(points.size());
        points.push_back(p);
    }
    return points;
}

namespace {

// Points in cell order as structure of arrays, for 4-wide distance loops.
struct PointColumns {
    std::vector<float> x, y, z, w;
    template <typename Get>
    PointColumns(const SortedCells& grid, Get get) {
        const size_t n = grid.order.size();
        x.resize(n);
        y.resize(n);
        z.resize(n);
        w.resize(n);
        for (size_t k = 0; k < n; ++k) {
            const glm::vec4 v = get(grid.order[k]);
            x[k] = v.x;
            y[k] = v.y;
            z[k] = v.z;
            w[k] = v.w;
        }
    }
};

// min(best, (dx * dx + dy * dy) + dz * dz over points [begin, end)): the same float
// expression as glm::dot, so the same values as a scalar loop; the minimum of a set is exact.
float minDistance2(const PointColumns& pts, uint32_t begin, uint32_t end, const glm::vec3& p,
                   float best) {
    uint32_t j = begin;
#if defined(__SSE2__)
    if (end - begin >= 4) {
        const __m128 px = _mm_set1_ps(p.x), py = _mm_set1_ps(p.y), pz = _mm_set1_ps(p.z);
        __m128 m = _mm_set1_ps(best);
        for (; j + 4 <= end; j += 4) {
            const __m128 dx = _mm_sub_ps(_mm_loadu_ps(&pts.x[j]), px);
            const __m128 dy = _mm_sub_ps(_mm_loadu_ps(&pts.y[j]), py);
            const __m128 dz = _mm_sub_ps(_mm_loadu_ps(&pts.z[j]), pz);
            m = _mm_min_ps(m, _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)),
                                         _mm_mul_ps(dz, dz)));
        }
        m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
        m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
        best = _mm_cvtss_f32(m);
    }
#endif
    for (; j < end; ++j) {
        const float dx = pts.x[j] - p.x, dy = pts.y[j] - p.y, dz = pts.z[j] - p.z;
        best = std::min(best, dx * dx + dy * dy + dz * dz);
    }
    return best;
}

// min(best, squared distance / squared mean spacing) over points [begin, end), `w` holding
// the spacings.
float minSpacingRatio2(const PointColumns& pts, uint32_t begin, uint32_t end, const glm::vec3& p,
                       float spacing, float best) {
    uint32_t j = begin;
#if defined(__SSE2__)
    if (end - begin >= 4) {
        const __m128 px = _mm_set1_ps(p.x), py = _mm_set1_ps(p.y), pz = _mm_set1_ps(p.z);
        const __m128 ps = _mm_set1_ps(spacing), half = _mm_set1_ps(0.5f);
        __m128 m = _mm_set1_ps(best);
        for (; j + 4 <= end; j += 4) {
            const __m128 dx = _mm_sub_ps(_mm_loadu_ps(&pts.x[j]), px);
            const __m128 dy = _mm_sub_ps(_mm_loadu_ps(&pts.y[j]), py);
            const __m128 dz = _mm_sub_ps(_mm_loadu_ps(&pts.z[j]), pz);
            const __m128 mean = _mm_mul_ps(half, _mm_add_ps(ps, _mm_loadu_ps(&pts.w[j])));
            const __m128 d2 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)),
                                         _mm_mul_ps(dz, dz));
            m = _mm_min_ps(m, _mm_div_ps(d2, _mm_mul_ps(mean, mean)));
        }
        m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
        m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
        best = _mm_cvtss_f32(m);
    }
#endif
    for (; j < end; ++j) {
        const float dx = pts.x[j] - p.x, dy = pts.y[j] - p.y, dz = pts.z[j] - p.z;
        const float mean = 0.5f * (spacing + pts.w[j]);
        best = std::min(best, (dx * dx + dy * dy + dz * dz) / (mean * mean));
    }
    return best;
}

// Calls visit(begin, end) for the point runs of the cells within `ring` cells of cell
// coordinate c (a cube), one run per row of cells.
template <typename Visit>
void visitCube(const SortedCells& grid, const glm::ivec3& c, int ring, Visit visit) {
    for (int dz = -ring; dz <= ring; ++dz)
        for (int dy = -ring; dy <= ring; ++dy) {
            const glm::ivec3 row = c + glm::ivec3(0, dy, dz) - grid.low;
            if (row.y < 0 || row.z < 0 || uint64_t(row.y) >= grid.ny || uint64_t(row.z) >= grid.nz)
                continue;
            const int x0 = std::max(0, row.x - ring);
            const int x1 = int(std::min<int64_t>(int64_t(grid.nx) - 1, int64_t(row.x) + ring));
            if (x1 < x0) continue;
            const auto [b, e] =
                grid.cellsBetween(grid.keyOf(grid.low + glm::ivec3(x0, row.y, row.z)),
                                  grid.keyOf(grid.low + glm::ivec3(x1, row.y, row.z)));
            visit(grid.start[b], grid.start[e]);
        }
}

// Squared distance below which a search that has covered `covered_mm` around the point is
// final: anything unseen is at least that far, less the rounding of squared distances.
float settled2(double covered_mm) { return float(covered_mm * covered_mm * (1 - 1e-5)); }

} // namespace

std::vector<float> nearestNeighbourDistances(const std::vector<glm::vec3>& points, float cell_mm) {
    STIPPLE_ASSERT(cell_mm > 0, "nearestNeighbourDistances(): cell_mm must be positive");
    // The search runs on cells twice the size asked for: a point looks first at the 8 cells
    // of its octant (2 x 2 x 2 around its corner), which cover one cell_mm around it, where
    // an even pattern has its nearest neighbour; the larger cells make the per-cell work
    // (finding the runs) 4 to 8 times rarer. Beyond that it widens to the 27 cells, then
    // ring by ring. The result is what the contract defines, in every case: the exact nearest
    // distance when it is at most 8 cell_mm; otherwise the nearest among the points whose
    // cell_mm cell lies within 8 cells of the point's along every axis, or +infinity.
    const float search_mm = 2 * cell_mm;
    const float inverse_search = 1 / search_mm;
    const SortedCells grid =
        sortIntoCells(points.size(), search_mm, [&](size_t i) { return points[i]; });
    std::vector<float> result(points.size(), std::numeric_limits<float>::infinity());
    const PointColumns sorted(grid, [&](uint32_t i) { return glm::vec4(points[i], 0); });
    // min(best, squared distance from k over [begin, end)) without k itself.
    auto scan = [&](uint32_t k, const glm::vec3& p, uint32_t begin, uint32_t end, float best) {
        if (k < begin || k >= end) return minDistance2(sorted, begin, end, p, best);
        return minDistance2(sorted, k + 1, end, p, minDistance2(sorted, begin, k, p, best));
    };
    RowWalker walker(grid);
    uint32_t first[9], last[9];
    uint32_t low_begin[9], low_end[9], high_begin[9], high_end[9]; // x halves of each row
    for (size_t cell = 0; cell < grid.keys.size(); ++cell) {
        walker.rows(cell, first, last);
        for (int r = 0; r < 9; ++r) {
            const uint64_t centre = walker.centre(cell, r);
            uint32_t mid = first[r];
            while (mid < last[r] && grid.keys[mid] < centre) ++mid; // cells x-1 | x, x+1
            uint32_t after = mid;
            if (after < last[r] && grid.keys[after] == centre) ++after; // x-1, x | x+1
            low_begin[r] = grid.start[first[r]];
            low_end[r] = grid.start[after];
            high_begin[r] = grid.start[mid];
            high_end[r] = grid.start[last[r]];
        }
        const glm::ivec3 c = grid.coords[cell];
        const glm::vec3 corner(c);
        for (uint32_t k = grid.start[cell]; k < grid.start[cell + 1]; ++k) {
            const glm::vec3 p(sorted.x[k], sorted.y[k], sorted.z[k]);
            const glm::vec3 local = p * inverse_search - corner;
            const int dy = local.y < 0.5f ? -1 : 1, dz = local.z < 0.5f ? -1 : 1;
            const bool high = !(local.x < 0.5f);
            float best2 = std::numeric_limits<float>::infinity();
            for (int r : {4, 4 + dy, 4 + 3 * dz, 4 + 3 * dz + dy})
                best2 = high ? scan(k, p, high_begin[r], high_end[r], best2)
                             : scan(k, p, low_begin[r], low_end[r], best2);
            if (!(best2 < settled2(0.5 * search_mm))) {
                for (int r = 0; r < 9; ++r) best2 = scan(k, p, low_begin[r], high_end[r], best2);
                for (int ring = 2; ring <= 4 && !(best2 < settled2(double(ring - 1) * search_mm));
                     ++ring)
                    visitCube(grid, c, ring, [&](uint32_t b, uint32_t e) { best2 = scan(k, p, b, e, best2); });
                if (!(best2 < settled2(4.0 * search_mm))) {
                    // Nothing within 8 cell_mm: the nearest of the cube of 8 cell_mm cells
                    // around the point's cell_mm cell (which reaches 9 cell_mm, within 5
                    // search cells), as the contract states.
                    const glm::ivec3 own(floorToInt(p.x / cell_mm), floorToInt(p.y / cell_mm),
                                         floorToInt(p.z / cell_mm));
                    best2 = std::numeric_limits<float>::infinity();
                    visitCube(grid, c, 5, [&](uint32_t b, uint32_t e) {
                        for (uint32_t j = b; j < e; ++j) {
                            if (j == k) continue;
                            const glm::ivec3 other(floorToInt(sorted.x[j] / cell_mm),
                                                   floorToInt(sorted.y[j] / cell_mm),
                                                   floorToInt(sorted.z[j] / cell_mm));
                            const glm::ivec3 d = glm::abs(other - own);
                            if (std::max({d.x, d.y, d.z}) <= 8)
                                best2 = minDistance2(sorted, j, j + 1, p, best2);
                        }
                    });
                }
            }
            result[grid.order[k]] = std::sqrt(best2);
        }
    }
    return result;
}

std::vector<float> nearestSpacingRatios(const std::vector<glm::vec3>& points,
                                        const std::vector<float>& spacing_mm) {
    STIPPLE_ASSERT(points.size() == spacing_mm.size(),
                   "nearestSpacingRatios(): one spacing per point required");
    float max_spacing = 0;
    for (float s : spacing_mm) {
        STIPPLE_ASSERT(std::isfinite(s) && s > 0,
                       "nearestSpacingRatios(): spacings must be finite and positive");
        max_spacing = std::max(max_spacing, s);
    }
    std::vector<float> result(points.size(), std::numeric_limits<float>::infinity());
    if (points.empty()) return result;
    // Cells of the largest spacing: in an even pattern the nearest ratio is below 1, and the
    // 27 cells around a point cover every pair with a ratio below
    // cell / mean(s_i, s_max) >= 1, so the wider search is the exception.
    const float cell_mm = kSpacingCellFactor * max_spacing;
    const SortedCells grid = sortIntoCells(points.size(), cell_mm, [&](size_t i) { return points[i]; });
    const PointColumns sorted(grid, [&](uint32_t i) { return glm::vec4(points[i], spacing_mm[i]); });
    const float limit2 = kSpacingRatioLimit * kSpacingRatioLimit;
    // Smallest squared ratio of point k against points [begin, end) (k itself skipped).
    auto scan = [&](uint32_t k, uint32_t begin, uint32_t end, float best) {
        const glm::vec3 p(sorted.x[k], sorted.y[k], sorted.z[k]);
        if (k < begin || k >= end) return minSpacingRatio2(sorted, begin, end, p, sorted.w[k], best);
        best = minSpacingRatio2(sorted, begin, k, p, sorted.w[k], best);
        return minSpacingRatio2(sorted, k + 1, end, p, sorted.w[k], best);
    };
    // Every point not yet scanned is at least `covered_mm` away, so its ratio is at least
    // covered / mean(s_i, s_max); the margin absorbs the rounding of the squared distances.
    auto excluded2 = [&](float spacing, double covered_mm) {
        const double bound = covered_mm / (0.5 * (double(spacing) + double(max_spacing)));
        return float(bound * bound * (1 - 1e-5));
    };
    RowWalker walker(grid);
    uint32_t first[9], last[9];
    for (size_t cell = 0; cell < grid.keys.size(); ++cell) {
        walker.rows(cell, first, last);
        const glm::ivec3 c = grid.coords[cell];
        for (uint32_t k = grid.start[cell]; k < grid.start[cell + 1]; ++k) {
            float best = std::numeric_limits<float>::infinity();
            for (int r = 0; r < 9; ++r) best = scan(k, grid.start[first[r]], grid.start[last[r]], best);
            // Ring by ring (the whole cube again: rare) until nothing unseen can be nearer,
            // or nothing unseen can be below the limit.
            const float spacing = sorted.w[k];
            for (int ring = 1; best >= excluded2(spacing, double(ring) * cell_mm) &&
                               excluded2(spacing, double(ring) * cell_mm) < limit2;) {
                ++ring;
                best = std::numeric_limits<float>::infinity();
                for (int dz = -ring; dz <= ring; ++dz)
                    for (int dy = -ring; dy <= ring; ++dy) {
                        const glm::ivec3 row = c + glm::ivec3(0, dy, dz) - grid.low;
                        if (row.y < 0 || row.z < 0 || uint64_t(row.y) >= grid.ny ||
                            uint64_t(row.z) >= grid.nz)
                            continue;
                        const int x0 = std::max(0, row.x - ring);
                        const int x1 = int(std::min<int64_t>(int64_t(grid.nx) - 1, row.x + ring));
                        const auto [b, e] = grid.cellsBetween(
                            grid.keyOf(grid.low + glm::ivec3(x0, row.y, row.z)),
                            grid.keyOf(grid.low + glm::ivec3(x1, row.y, row.z)));
                        best = scan(k, grid.start[b], grid.start[e], best);
                    }
            }
            if (best < limit2) result[grid.order[k]] = std::sqrt(best);
        }
    }
    return result;
}

} // namespace stipple
