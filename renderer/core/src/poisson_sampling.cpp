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
//
// Implementation: the output is defined by the algorithm above, not by the data structures,
// and tests/core/poisson_sampling_test.cpp holds a plain reference of it that the fast code
// must match exactly. The memory is what costs (10^5..10^7 candidates): cells are found by
// a radix sort on a row-major cell key (no hash map; the 27 neighbours are runs of the
// sorted cells, found by forward-only walks), candidates are stored per cell as compact
// float4 runs, accepted samples as 4 SoA slots per cell in one cache line tested 4 at a time
// (SSE2) with an overflow store, and the phase sweeps prefetch the scattered cells ahead.

#include "stipple/core/poisson_sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "stipple/core/error.h"
#include "stipple/core/huge_pages.h"

namespace stipple {
namespace {

// Candidates a cell tries per turn. Wei (2008) tries one per turn so no cell races ahead of its
// neighbours; a few per turn keeps that balance (a cell holds ~4 dots) while sweeping memory
// several times less often, which is what the time goes into.
constexpr uint32_t kCandidatesPerTurn = 3;
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
        while (capacity < expected * 2)
            capacity *= 2;
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
    glm::ivec3 low{0}; // cell coordinate of key 0 (smallest coordinate - 1)
    uint64_t nx = 0, ny = 0, nz = 0;
    HugeVector<uint64_t> keys;     // per cell, ascending
    HugeVector<glm::ivec3> coords; // per cell
    HugeVector<uint32_t> start;    // per cell + 1: its run in `order`
    HugeVector<uint32_t> order;    // point indices by cell, ascending inside a cell

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

// Least-significant-digit radix sort of `values` on bits [low_bit, low_bit + bits).
// The candidates a selector works on: a view of the caller's array.
struct CandidateSpan {
    const SampleCandidate* data;
    size_t count;
    size_t size() const { return count; }
    bool empty() const { return count == 0; }
    const SampleCandidate& operator[](size_t i) const { return data[i]; }
};

void radixSort(HugeVector<uint64_t>& values, HugeVector<uint64_t>& scratch, int low_bit, int bits) {
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
        for (size_t d = 0; d < kBuckets; ++d)
            sum += std::exchange(count[d], sum);
        const int shift = low_bit + p * kDigitBits;
        for (uint64_t v : values)
            scratch[count[(v >> shift) & (kBuckets - 1)]++] = v;
        values.swap(scratch);
    }
}

// `on_cell(i, position / cell_mm, cell coordinate)` is called for every point, in order.
// Inside a cell the points are in ascending index, or, when `pre_digit` is given (filled by
// on_cell at the latest: a value below kPreDigits per point), by that digit first.
constexpr uint32_t kPreDigits = 2048;
// Working memory of sortIntoCells(), kept by callers that sort repeatedly (page faults on
// fresh buffers cost about as much as the sort).
struct CellScratch {
    HugeVector<uint64_t> keys, swap;
    HugeVector<uint32_t> counts;
};

template <typename PositionOf, typename OnCell>
void sortIntoCells(size_t count, float cell_mm, PositionOf position_of, OnCell on_cell,
                   const uint32_t* pre_digit, SortedCells& grid, CellScratch& scratch) {
    // Not input-reachable: the head size limit (buildHeadModel) and 150 dots/cm2 keep the
    // candidates far below 2^32.
    STIPPLE_ASSERT(count < std::numeric_limits<uint32_t>::max(),
                   "sortIntoCells(): more than 2^32 - 1 points");
    grid.cell_mm = cell_mm;
    grid.keys.clear();
    grid.coords.clear();
    grid.start.clear();
    grid.order.clear();
    if (count == 0) {
        grid.start.assign(1, 0);
        return;
    }
    // The cell box from the position box: x -> floor(x / cell) is monotonic in float too.
    glm::vec3 min_p = position_of(0), max_p = min_p;
    for (size_t i = 1; i < count; ++i) {
        const glm::vec3 p = position_of(i);
        min_p = glm::min(min_p, p);
        max_p = glm::max(max_p, p);
    }
    const glm::vec3 min_q = min_p / cell_mm, max_q = max_p / cell_mm;
    const glm::ivec3 lo(floorToInt(min_q.x), floorToInt(min_q.y), floorToInt(min_q.z));
    const glm::ivec3 hi(floorToInt(max_q.x), floorToInt(max_q.y), floorToInt(max_q.z));
    grid.low = lo - 1;
    grid.nx = uint64_t(int64_t(hi.x) - lo.x + 3);
    grid.ny = uint64_t(int64_t(hi.y) - lo.y + 3);
    grid.nz = uint64_t(int64_t(hi.z) - lo.z + 3);
    const double total = double(grid.nx) * double(grid.ny) * double(grid.nz);
    // Not input-reachable: buildHeadModel refuses heads over its size limit, so points span a
    // bounded box.
    STIPPLE_ASSERT(total < 0x1.0p62, "sortIntoCells(): points spread over too many cells");
    int key_bits = 1;
    while (double(uint64_t(1) << key_bits) < total)
        ++key_bits;
    const bool packed = key_bits <= 32; // cell key and point index in one integer
    HugeVector<uint64_t>& keys = scratch.keys;
    keys.resize(count);
    for (size_t i = 0; i < count; ++i) {
        const glm::vec3 q = position_of(i) / cell_mm;
        const glm::ivec3 c(floorToInt(q.x), floorToInt(q.y), floorToInt(q.z));
        on_cell(i, q, c);
        keys[i] = packed ? (grid.keyOf(c) << 32) | i : grid.keyOf(c);
    }
    grid.order.resize(count);
    if (packed) {
        if (pre_digit) {
            // One counting pass on the minor digit first; the stable passes below keep it.
            scratch.counts.assign(kPreDigits + 1, 0);
            uint32_t* counts = scratch.counts.data();
            for (size_t i = 0; i < count; ++i)
                ++counts[pre_digit[i] + 1];
            for (size_t d = 0; d < kPreDigits; ++d)
                counts[d + 1] += counts[d];
            scratch.swap.resize(count);
            for (size_t i = 0; i < count; ++i)
                scratch.swap[counts[pre_digit[i]]++] = keys[i];
            keys.swap(scratch.swap);
        }
        radixSort(keys, scratch.swap, 32, key_bits); // stable
        for (size_t i = 0; i < count; ++i) {
            grid.order[i] = uint32_t(keys[i]);
            keys[i] >>= 32;
        }
    } else {
        // Sparse points over a huge box (not seen in practice): a comparison sort.
        std::iota(grid.order.begin(), grid.order.end(), 0u);
        std::sort(grid.order.begin(), grid.order.end(), [&](uint32_t a, uint32_t b) {
            if (keys[a] != keys[b]) return keys[a] < keys[b];
            if (pre_digit && pre_digit[a] != pre_digit[b]) return pre_digit[a] < pre_digit[b];
            return a < b;
        });
        scratch.swap.resize(count);
        for (size_t i = 0; i < count; ++i)
            scratch.swap[i] = keys[grid.order[i]];
        keys.swap(scratch.swap);
    }
    for (size_t i = 0; i < count; ++i)
        if (i == 0 || keys[i] != keys[i - 1]) {
            // The cell's coordinate again from its first point (cheaper than dividing
            // the key, and the same numbers as above).
            const glm::vec3 q = position_of(grid.order[i]) / cell_mm;
            grid.keys.push_back(keys[i]);
            grid.coords.push_back(glm::ivec3(floorToInt(q.x), floorToInt(q.y), floorToInt(q.z)));
            grid.start.push_back(uint32_t(i));
        }
    grid.start.push_back(uint32_t(count));
}

template <typename PositionOf>
SortedCells sortIntoCells(size_t count, float cell_mm, PositionOf position_of) {
    SortedCells grid;
    CellScratch scratch;
    sortIntoCells(
        count, cell_mm, position_of, [](size_t, const glm::vec3&, const glm::ivec3&) {}, nullptr,
        grid, scratch);
    return grid;
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
        const HugeVector<uint64_t>& keys = m_grid.keys;
        const size_t n = keys.size();
        for (int r = 0; r < 9; ++r) {
            const uint64_t centre = keys[cell] + m_offset[r]; // wraps back into range
            size_t p = m_pos[r];
            while (p < n && keys[p] < centre - 1)
                ++p;
            m_pos[r] = p;
            size_t q = p;
            while (q < n && keys[q] <= centre + 1)
                ++q;
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

inline void prefetch(const void* address) {
    __builtin_prefetch(address);
}
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
                    for (int dx : xs)
                        cells[o][n++] = uint8_t(dz * 9 + dy * 3 + dx);
        }
    }
};
constexpr OctantCells kOctantCells;

} // namespace

struct PoissonSelector::Scratch {
    SortedCells grid;
    CellScratch sort;
    HugeVector<uint32_t> cell_at;
};

PoissonSelector::PoissonSelector() : m_scratch(std::make_unique<Scratch>()) {}
PoissonSelector::~PoissonSelector() = default;
PoissonSelector::PoissonSelector(PoissonSelector&&) noexcept = default;
PoissonSelector& PoissonSelector::operator=(PoissonSelector&&) noexcept = default;

void PoissonSelector::prepare(const SampleCandidate* data, size_t size, float max_radius_mm) {
    // Not input-reachable: radii come from densities validated 5..150 dots/cm2.
    STIPPLE_ASSERT(max_radius_mm > 0, "PoissonSelector::prepare(): max_radius_mm must be positive");
    m_candidates = data;
    m_candidate_count = size;
    const CandidateSpan candidates{data, size};
    // Cells of side 2 r_max: a conflict (distance < r <= r_max = half a cell) can only be with
    // the own cell or the neighbour on the near side along each axis: 8 cells, not 27.
    const float cell_mm = 2.0f * max_radius_mm;
    // Which half of its cell a candidate lies in along each axis, from the same float
    // expression as ever (position / cell - corner < 0.5): another rounding at the mid-plane
    // could pick the other neighbour and change the result.
    HugeVector<uint8_t>& octant_of = m_octant_of;
    octant_of.resize(candidates.size());
    // The cells come out with their runs already ordered by the top 11 priority bits, so
    // the per-cell sort below is an insertion sort over an almost sorted run.
    HugeVector<uint32_t>& digit_of = m_digit_of;
    digit_of.resize(candidates.size());
    SortedCells& grid = m_scratch->grid;
    sortIntoCells(
        candidates.size(), cell_mm, [&](size_t i) { return candidates[i].position; },
        [&](size_t i, const glm::vec3& q, const glm::ivec3& c) {
            const glm::vec3 local = q - glm::vec3(c);
            octant_of[i] = uint8_t((local.x < 0.5f ? 0 : 1) | (local.y < 0.5f ? 0 : 2) |
                                   (local.z < 0.5f ? 0 : 4));
            digit_of[i] = candidates[i].priority >> 21;
        },
        digit_of.data(), grid, m_scratch->sort);
    const size_t cells = grid.keys.size();
    const size_t count = candidates.size();

    // Each cell's run by priority (ties by triangle and index so the order never depends on
    // the input order), then the compact per-candidate arrays.
    m_points.resize(count);
    m_source.resize(count);
    m_octant.resize(count);
    m_start = grid.start;
    HugeVector<uint64_t>& run = m_run;
    auto tieLess = [&](uint32_t a, uint32_t b) {
        const SampleCandidate& x = candidates[a];
        const SampleCandidate& y = candidates[b];
        return x.triangle != y.triangle ? x.triangle < y.triangle : x.index < y.index;
    };
    HugeVector<uint32_t>& cell_at = m_scratch->cell_at;
    cell_at.assign(count, SortedCells::kNoCell);
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
                for (; j > 0 && run[j - 1] > v; --j)
                    run[j] = run[j - 1];
                run[j] = v;
            }
        } else {
            std::sort(run.begin(), run.end());
        }
        for (size_t i = 0; i + 1 < run.size(); ++i) {
            if ((run[i] >> 32) != (run[i + 1] >> 32)) continue;
            size_t j = i + 1;
            while (j + 1 < run.size() && (run[j + 1] >> 32) == (run[i] >> 32))
                ++j;
            std::sort(run.begin() + ptrdiff_t(i), run.begin() + ptrdiff_t(j + 1),
                      [&](uint64_t a, uint64_t b) {
                          return tieLess(source[uint32_t(a)], source[uint32_t(b)]);
                      });
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

    // Neighbour table from the row runs, no lookups: each pair of neighbours is found once,
    // from the one with the smaller key (its x + 1 in its own row, and in the rows y + 1 and
    // z + 1, whose runs only move forward), and entered on both sides.
    // Missing neighbours point at the always-empty cell `cells` (see select()).
    m_neighbours.assign(cells * 27, uint32_t(cells));
    {
        const HugeVector<uint64_t>& keys = grid.keys;
        uint32_t* table = m_neighbours.data();
        const int forward_rows[4] = {5, 6, 7, 8}; // (dz, dy) = (0, 1), (1, -1), (1, 0), (1, 1)
        uint64_t offset[4];
        size_t pos[4] = {};
        for (int i = 0; i < 4; ++i) {
            const int r = forward_rows[i];
            offset[i] = uint64_t(int64_t(r / 3 - 1) * int64_t(grid.ny * grid.nx) +
                                 int64_t(r % 3 - 1) * int64_t(grid.nx));
        }
        for (size_t c = 0; c < cells; ++c) {
            table[c * 27 + 13] = uint32_t(c);
            if (c + 1 < cells && keys[c + 1] == keys[c] + 1) {
                table[c * 27 + 14] = uint32_t(c + 1);
                table[(c + 1) * 27 + 12] = uint32_t(c);
            }
            for (int i = 0; i < 4; ++i) {
                const uint64_t low = keys[c] + offset[i] - 1; // wraps back into range
                size_t q = pos[i];
                while (q < cells && keys[q] < low)
                    ++q;
                pos[i] = q;
                for (; q < cells && keys[q] <= low + 2; ++q) {
                    const size_t dir = size_t(forward_rows[i] * 3) + size_t(keys[q] - low);
                    table[c * 27 + dir] = uint32_t(q);
                    table[q * 27 + 26 - dir] = uint32_t(c);
                }
            }
        }
    }

    // Parity phases: cells of one phase are two cells apart and cannot conflict.
    m_phase_start.assign(9, 0);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 k = grid.coords[c];
        ++m_phase_start[size_t((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2)) + 1];
    }
    for (size_t p = 0; p < 8; ++p)
        m_phase_start[p + 1] += m_phase_start[p];
    m_phase_cells.resize(cells);
    std::vector<uint32_t> fill(m_phase_start.begin(), m_phase_start.end() - 1);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 k = grid.coords[c];
        m_phase_cells[fill[size_t((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2))]++] =
            uint32_t(c);
    }
}

std::vector<SampleCandidate> PoissonSelector::select(float radius_scale) {
    // Not input-reachable: selectToTarget calls prepare() before select().
    STIPPLE_ASSERT(m_candidates || m_candidate_count == 0,
                   "PoissonSelector::select(): call prepare() first");
    const CandidateSpan candidates{m_candidates, m_candidate_count};
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
        for (int i = 0; i < 12; ++i)
            line[i] = inf;
        for (int i = 12; i < 16; ++i)
            line[i] = 0;
    }
    std::vector<uint64_t> spilled((cells + 64) / 64, 0);
    m_accepted.assign(cells, 0);
    m_next.assign(cells, 0);
    m_kept.resize(count); // per cell, its accepted candidates' sources from the run's start
    m_active = m_phase_cells;
    uint32_t phase_end[8];
    for (size_t p = 0; p < 8; ++p)
        phase_end[p] = m_phase_start[p + 1];
    size_t total_kept = 0;

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
            const __m128 d2 =
                _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
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
                    prefetch(&m_source[k]);
                    prefetch(&m_kept[m_start[later] + m_accepted[later]]);
                }
                if (a + kCellsAhead / 2 < phase_end[p]) {
                    const uint32_t later = m_active[a + kCellsAhead / 2];
                    const uint32_t* around = &m_neighbours[size_t(later) * 27];
                    const uint8_t* look =
                        kOctantCells.cells[m_octant[m_start[later] + m_next[later]]];
                    for (int n = 1; n < 8; ++n)
                        prefetch(slots + size_t(around[look[n]]) * 16);
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
                    ++total_kept;
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
                    m_kept[begin + n] = m_source[k];
                }
                m_next[cell] = next;
                if (next < size) m_active[kept++] = cell;
            }
            phase_end[p] = kept;
            any = any || kept > m_phase_start[p];
        }
    }

    // The kept candidates, cells in output order, each cell's in priority order. The cells'
    // counters, kept lists and candidates are scattered: fetched ahead in three steps.
    std::vector<SampleCandidate> kept(total_kept);
    size_t out = 0;
    const size_t output_cells = m_output_cells.size();
    for (size_t i = 0; i < output_cells; ++i) {
        if (i + 3 * kCellsAhead < output_cells) {
            prefetch(&m_start[m_output_cells[i + 3 * kCellsAhead]]);
            prefetch(&m_accepted[m_output_cells[i + 3 * kCellsAhead]]);
        }
        if (i + 2 * kCellsAhead < output_cells)
            prefetch(&m_kept[m_start[m_output_cells[i + 2 * kCellsAhead]]]);
        if (i + kCellsAhead < output_cells) {
            const uint32_t later = m_output_cells[i + kCellsAhead];
            const uint32_t* sources = &m_kept[m_start[later]];
            for (uint32_t n = 0; n < std::min(m_accepted[later], 3u); ++n)
                prefetch(&candidates[sources[n]]);
        }
        const uint32_t c = m_output_cells[i];
        const uint32_t* sources = &m_kept[m_start[c]];
        for (uint32_t n = 0; n < m_accepted[c]; ++n) {
            kept[out] = candidates[sources[n]];
            kept[out++].radius_mm *= radius_scale;
        }
    }
    return kept;
}

std::vector<SampleCandidate> selectPoissonDisk(const SampleCandidate* candidates, size_t count,
                                               float max_radius_mm, float radius_scale) {
    // Not input-reachable: radii come from densities validated 5..150 dots/cm2.
    STIPPLE_ASSERT(max_radius_mm > 0, "selectPoissonDisk(): max_radius_mm must be positive");
    if (count == 0) return {};
    PoissonSelector selector;
    selector.prepare(candidates, count, max_radius_mm);
    return selector.select(radius_scale);
}

std::vector<glm::vec3> dartThrowing(const Mesh& mesh, const std::vector<uint32_t>& triangles,
                                    float radius_mm, size_t max_samples, size_t max_failures,
                                    uint64_t seed) {
    // Not input-reachable: called by tests and benchmarks with constant radii.
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
        const glm::vec3 p = mesh.positions[t.x] +
                            float(u) * (mesh.positions[t.y] - mesh.positions[t.x]) +
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
        const auto [cell, inserted] =
            heads.insert(cellKey(c.x, c.y, c.z), uint32_t(head_of.size()));
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
    HugeVector<float> x, y, z, w;
    template <typename Get> PointColumns(const SortedCells& grid, Get get) {
        // 4 padding entries: a 4-lane load may start at the last point.
        const size_t n = grid.order.size();
        x.assign(n + 4, 0);
        y.assign(n + 4, 0);
        z.assign(n + 4, 0);
        w.assign(n + 4, 1);
        for (size_t k = 0; k < n; ++k) {
            const glm::vec4 v = get(grid.order[k]);
            x[k] = v.x;
            y[k] = v.y;
            z[k] = v.z;
            w[k] = v.w;
        }
    }
};

// Running minimum, over runs of PointColumns, of the squared distance to a point p over the
// squared mean spacing ((s_p + w) / 2). 4 lanes at a time:
// lanes past a run's end and the point itself are masked to +infinity, so a run needs no
// scalar tail (the columns are padded). The float expressions are those of scalar code
// ((dx * dx + dy * dy) + dz * dz, as glm::dot), and a minimum is exact, so the results
// equal a plain loop's.
class MinScan {
public:
    MinScan(const PointColumns& pts, uint32_t self, const glm::vec3& p, float spacing)
        : m_pts(pts), m_self(self), m_p(p), m_spacing(spacing) {
#if defined(__SSE2__)
        m_min = _mm_set1_ps(std::numeric_limits<float>::infinity());
#endif
    }
    void ratios(uint32_t begin, uint32_t end) {
#if defined(__SSE2__)
        const __m128 px = _mm_set1_ps(m_p.x), py = _mm_set1_ps(m_p.y), pz = _mm_set1_ps(m_p.z);
        const __m128i lanes = _mm_setr_epi32(0, 1, 2, 3);
        const __m128i last = _mm_set1_epi32(int(end) - 1), self = _mm_set1_epi32(int(m_self));
        const __m128 inf = _mm_set1_ps(std::numeric_limits<float>::infinity());
        for (uint32_t j = begin; j < end; j += 4) {
            const __m128 dx = _mm_sub_ps(_mm_loadu_ps(&m_pts.x[j]), px);
            const __m128 dy = _mm_sub_ps(_mm_loadu_ps(&m_pts.y[j]), py);
            const __m128 dz = _mm_sub_ps(_mm_loadu_ps(&m_pts.z[j]), pz);
            __m128 v =
                _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
            const __m128 mean = _mm_mul_ps(
                _mm_set1_ps(0.5f), _mm_add_ps(_mm_set1_ps(m_spacing), _mm_loadu_ps(&m_pts.w[j])));
            v = _mm_div_ps(v, _mm_mul_ps(mean, mean));
            const __m128i index = _mm_add_epi32(_mm_set1_epi32(int(j)), lanes);
            const __m128 masked = _mm_castsi128_ps(
                _mm_or_si128(_mm_cmpgt_epi32(index, last), _mm_cmpeq_epi32(index, self)));
            v = _mm_or_ps(_mm_and_ps(masked, inf), _mm_andnot_ps(masked, v));
            m_min = _mm_min_ps(m_min, v);
        }
#else
        for (uint32_t j = begin; j < end; ++j) {
            if (j == m_self) continue;
            const float dx = m_pts.x[j] - m_p.x, dy = m_pts.y[j] - m_p.y, dz = m_pts.z[j] - m_p.z;
            const float mean = 0.5f * (m_spacing + m_pts.w[j]);
            m_min = std::min(m_min, (dx * dx + dy * dy + dz * dz) / (mean * mean));
        }
#endif
    }
    float best() const {
#if defined(__SSE2__)
        __m128 m = _mm_min_ps(m_min, _mm_shuffle_ps(m_min, m_min, _MM_SHUFFLE(1, 0, 3, 2)));
        m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
        return _mm_cvtss_f32(m);
#else
        return m_min;
#endif
    }

private:
    const PointColumns& m_pts;
    uint32_t m_self;
    glm::vec3 m_p;
    float m_spacing;
#if defined(__SSE2__)
    __m128 m_min;
#else
    float m_min = std::numeric_limits<float>::infinity();
#endif
};

// The 27 cells around one cell of a SortedCells grid as point runs: each of its 9 rows
// (see RowWalker) also split at the cell's own x, so a point can take just the 2 x 2 x 2
// cells of its octant (the near neighbour along each axis), which reach at least half a
// cell around it.
struct CellRows {
    uint32_t low_begin[9], low_end[9], high_begin[9], high_end[9];

    void compute(const SortedCells& grid, RowWalker& walker, size_t cell) {
        uint32_t first[9], last[9];
        walker.rows(cell, first, last);
        for (int r = 0; r < 9; ++r) {
            const uint64_t centre = walker.centre(cell, r);
            uint32_t mid = first[r];
            while (mid < last[r] && grid.keys[mid] < centre)
                ++mid; // cells x-1 | x, x+1
            uint32_t after = mid;
            if (after < last[r] && grid.keys[after] == centre) ++after; // x-1, x | x+1
            low_begin[r] = grid.start[first[r]];
            low_end[r] = grid.start[after];
            high_begin[r] = grid.start[mid];
            high_end[r] = grid.start[last[r]];
        }
    }
    // visit(begin, end) for the 4 runs of the octant of a point at `local` (its position in
    // its cell, in cells).
    template <typename Visit> void octant(const glm::vec3& local, Visit visit) const {
        const int up = local.y < 0.5f ? -1 : 1, ahead = local.z < 0.5f ? -3 : 3;
        const bool high = !(local.x < 0.5f);
        for (int r : {4, 4 + up, 4 + ahead, 4 + ahead + up}) {
            if (high)
                visit(high_begin[r], high_end[r]);
            else
                visit(low_begin[r], low_end[r]);
        }
    }
    // visit(begin, end) for the 9 rows, 27 cells.
    template <typename Visit> void all(Visit visit) const {
        for (int r = 0; r < 9; ++r)
            visit(low_begin[r], high_end[r]);
    }
};

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

} // namespace

std::vector<float> nearestSpacingRatios(const std::vector<glm::vec3>& points,
                                        const std::vector<float>& spacing_mm) {
    // Not input-reachable: spacingFigures builds one spacing per dot.
    STIPPLE_ASSERT(points.size() == spacing_mm.size(),
                   "nearestSpacingRatios(): one spacing per point required");
    float max_spacing = 0;
    for (float s : spacing_mm) {
        // Not input-reachable: a dot is kept only where its local density is positive (validated
        // 5..150 x mask).
        STIPPLE_ASSERT(std::isfinite(s) && s > 0,
                       "nearestSpacingRatios(): spacings must be finite and positive");
        max_spacing = std::max(max_spacing, s);
    }
    std::vector<float> result(points.size(), std::numeric_limits<float>::infinity());
    if (points.empty()) return result;
    // Cells of twice the largest spacing: the 8 cells of a point's octant reach one largest
    // spacing around it, which settles every ratio below smax / mean(s_i, smax) >= 1, where
    // an even pattern has its nearest ratio; then the 27 cells (ratios below 2), then rings.
    const float cell_mm = 2 * max_spacing;
    const float inverse_cell = 1 / cell_mm;
    const SortedCells grid =
        sortIntoCells(points.size(), cell_mm, [&](size_t i) { return points[i]; });
    const PointColumns sorted(grid,
                              [&](uint32_t i) { return glm::vec4(points[i], spacing_mm[i]); });
    const float limit2 = kSpacingRatioLimit * kSpacingRatioLimit;
    // Every point not yet scanned is at least `covered_mm` away, so its ratio is at least
    // covered / mean(s_i, s_max); the margin absorbs the rounding of the squared distances.
    auto excluded2 = [&](float spacing, double covered_mm) {
        const double bound = covered_mm / (0.5 * (double(spacing) + double(max_spacing)));
        return float(bound * bound * (1 - 1e-5));
    };
    RowWalker walker(grid);
    CellRows rows;
    for (size_t cell = 0; cell < grid.keys.size(); ++cell) {
        rows.compute(grid, walker, cell);
        const glm::ivec3 c = grid.coords[cell];
        const glm::vec3 corner(c);
        for (uint32_t k = grid.start[cell]; k < grid.start[cell + 1]; ++k) {
            const glm::vec3 p(sorted.x[k], sorted.y[k], sorted.z[k]);
            const float spacing = sorted.w[k];
            MinScan scan(sorted, k, p, spacing);
            rows.octant(p * inverse_cell - corner,
                        [&](uint32_t b, uint32_t e) { scan.ratios(b, e); });
            float best = scan.best();
            if (!(best < excluded2(spacing, 0.5 * cell_mm))) {
                rows.all([&](uint32_t b, uint32_t e) { scan.ratios(b, e); });
                best = scan.best();
                // Ring by ring (the whole cube again: rare) until nothing unseen can be
                // nearer, or nothing unseen can be below the limit.
                for (int ring = 1; best >= excluded2(spacing, double(ring) * cell_mm) &&
                                   excluded2(spacing, double(ring) * cell_mm) < limit2;) {
                    ++ring;
                    visitCube(grid, c, ring, [&](uint32_t b, uint32_t e) { scan.ratios(b, e); });
                    best = scan.best();
                }
            }
            if (best < limit2) result[grid.order[k]] = std::sqrt(best);
        }
    }
    return result;
}

std::vector<uint32_t> eliminateSamples(const std::vector<glm::vec3>& points,
                                       const std::vector<float>& spacing_mm, size_t keep,
                                       double floor_ratio, size_t min_keep) {
    STIPPLE_ASSERT(points.size() == spacing_mm.size(),
                   "eliminateSamples(): one spacing per point required");
    constexpr double kFloorWeight = 64;
    const size_t n = points.size();
    std::vector<uint32_t> kept(n);
    std::iota(kept.begin(), kept.end(), 0u);
    if (keep >= n) return kept;
    float max_spacing = 0;
    for (float s : spacing_mm) {
        STIPPLE_ASSERT(std::isfinite(s) && s > 0,
                       "eliminateSamples(): spacings must be finite and positive");
        max_spacing = std::max(max_spacing, s);
    }
    // Neighbours closer than the mean of the two spacings, with Yuksel's weight
    // (1 - d / d_max)^8, d_max = that mean: the 27 cells of side max_spacing hold them all.
    const SortedCells grid = sortIntoCells(n, max_spacing, [&](size_t i) { return points[i]; });
    std::vector<uint32_t> first(n + 1, 0), other;
    std::vector<double> pair_weight, weight(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
        first[i] = uint32_t(other.size());
        const glm::ivec3 c(glm::floor(points[i] / max_spacing));
        visitCube(grid, c, 1, [&](uint32_t b, uint32_t e) {
            for (uint32_t k = b; k < e; ++k) {
                const uint32_t j = grid.order[k];
                if (j == i) continue;
                const double d_max = 0.5 * (double(spacing_mm[i]) + double(spacing_mm[j]));
                const double d = glm::length(glm::dvec3(points[i]) - glm::dvec3(points[j]));
                if (d >= d_max) continue;
                // A pair under the floor outweighs any neighbourhood ((1 - d / d_max)^8 <= 1
                // each, and at most a few dozen neighbours are within d_max).
                const double w =
                    std::pow(1 - d / d_max, 8) + (d < floor_ratio * d_max ? kFloorWeight : 0);
                other.push_back(j);
                pair_weight.push_back(w);
                weight[i] += w;
            }
        });
    }
    first[n] = uint32_t(other.size());
    // Remove the most crowded sample until `keep` remain; ties go to the higher index. Weights
    // only fall, so a heap entry whose weight is no longer current is skipped when it surfaces.
    std::vector<std::pair<double, uint32_t>> heap;
    heap.reserve(n + other.size());
    for (uint32_t i = 0; i < n; ++i)
        heap.emplace_back(weight[i], i);
    std::make_heap(heap.begin(), heap.end());
    std::vector<uint8_t> removed(n, 0);
    for (size_t left = n; !heap.empty();) {
        std::pop_heap(heap.begin(), heap.end());
        const auto [w, i] = heap.back();
        heap.pop_back();
        if (removed[i] || w != weight[i]) continue;
        // Past `keep` only while a pair under the floor remains (it is on top), down to min_keep.
        if (left <= keep && (w < kFloorWeight || left <= min_keep)) break;
        removed[i] = 1;
        --left;
        for (uint32_t k = first[i]; k < first[i + 1]; ++k) {
            const uint32_t j = other[k];
            if (removed[j]) continue;
            weight[j] -= pair_weight[k];
            heap.emplace_back(weight[j], j);
            std::push_heap(heap.begin(), heap.end());
        }
    }
    kept.clear();
    for (uint32_t i = 0; i < n; ++i)
        if (!removed[i]) kept.push_back(i);
    return kept;
}

} // namespace stipple
