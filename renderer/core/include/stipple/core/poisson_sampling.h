#pragma once

// Blue-noise (Poisson-disk) selection of surface samples, and the stateless hashing every
// random choice in Stipple goes through. See poisson_sampling.cpp for the algorithm and papers.

#include <cstdint>
#include <memory>
#include <vector>

#include "stipple/core/huge_pages.h"

#include <glm/glm.hpp>

#include "stipple/core/mesh.h"

namespace stipple {

// SplitMix64 finaliser: a bijective 64-bit mix. Pure function, no state.
inline uint64_t mixHash(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
// Hash of a tuple of integers: order matters, every element changes the result.
inline uint64_t hashOf(uint64_t a, uint64_t b) {
    return mixHash(mixHash(a) ^ (b + 0x632be59bd9b4e019ull));
}
inline uint64_t hashOf(uint64_t a, uint64_t b, uint64_t c) {
    return hashOf(hashOf(a, b), c);
}
inline uint64_t hashOf(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    return hashOf(hashOf(a, b, c), d);
}
// Uniform double in [0, 1) from a hash (53 high bits).
inline double unitOf(uint64_t h) {
    return double(h >> 11) * 0x1.0p-53;
}

// One candidate sample on a surface. `radius_mm` is the candidate's own minimum distance (it
// may vary with the local density); `priority` orders candidates inside a grid cell and must
// be a hash of the candidate's stable id.
struct SampleCandidate {
    glm::vec3 position{0};
    float radius_mm = 0;
    uint32_t triangle = 0;
    uint32_t index = 0; // caller's id of the candidate (e.g. its number on its triangle)
    uint32_t priority = 0;
};

// Keeps a subset of `candidates` in which any two kept samples p, q are at least
// max(p.radius_mm, q.radius_mm) apart (3D Euclidean distance), by dart throwing over the
// candidates in a fixed order: space is cut into cubic cells of side 2 * max_radius_mm, cells
// are visited in 8 parity phases (cells of one phase never interact, so the order inside a
// phase does not matter), and each round every cell tries its next candidate by priority.
// The result is a pure function of the candidate set (not of its order in the vector).
// Every radius is multiplied by `radius_scale` first (the kept candidates carry the scaled
// radii). Requires every scaled radius in (0, max_radius_mm]. Returns the kept candidates in a
// deterministic order. Linear time in the number of candidates (plus small per-cell sorts).
// A wrapper over PoissonSelector (prepare, then one select).
std::vector<SampleCandidate> selectPoissonDisk(const SampleCandidate* candidates, size_t count,
                                               float max_radius_mm, float radius_scale = 1.0f);
template <typename Alloc>
std::vector<SampleCandidate>
selectPoissonDisk(const std::vector<SampleCandidate, Alloc>& candidates, float max_radius_mm,
                  float radius_scale = 1.0f) {
    return selectPoissonDisk(candidates.data(), candidates.size(), max_radius_mm, radius_scale);
}

// selectPoissonDisk() split in two, for callers that rerun the selection of one candidate set
// with several radius scales: prepare() does everything that depends only on the candidates
// and the grid (bucketing into cells of side 2 * max_radius_mm, the per-cell priority order,
// the neighbour table) and select(radius_scale) runs the dart throwing. select(s) returns
// exactly selectPoissonDisk(candidates, max_radius_mm, s): the same kept candidates in the
// same order. Buffers are kept and reused across calls (page faults cost as much as the
// work at 10^6 candidates).
// The selector keeps a pointer to `candidates`: the vector must stay alive and unchanged
// from prepare() until the last select(). Not thread-safe (one selector per thread).
class PoissonSelector {
public:
    PoissonSelector();
    ~PoissonSelector();
    PoissonSelector(PoissonSelector&&) noexcept;
    PoissonSelector& operator=(PoissonSelector&&) noexcept;
    // Requires max_radius_mm > 0 (asserted).
    void prepare(const SampleCandidate* candidates, size_t count, float max_radius_mm);
    template <typename Alloc>
    void prepare(const std::vector<SampleCandidate, Alloc>& candidates, float max_radius_mm) {
        prepare(candidates.data(), candidates.size(), max_radius_mm);
    }
    // Requires prepare() first and every radius_mm * radius_scale in (0, max_radius_mm] (not
    // checked: a larger radius can miss conflicts with cells beyond the neighbours).
    std::vector<SampleCandidate> select(float radius_scale);

private:
    const SampleCandidate* m_candidates = nullptr;
    size_t m_candidate_count = 0;
    // Candidates in cell order, each cell's run by priority: position + unscaled radius, the
    // index in *m_candidates, and the 3 bits telling which half of its cell it lies in.
    HugeVector<glm::vec4> m_points;
    HugeVector<uint32_t> m_source;
    HugeVector<uint8_t> m_octant;
    HugeVector<uint32_t> m_start;        // per cell + 1: its run in m_points
    HugeVector<uint32_t> m_neighbours;   // per cell x 27 (dz, dy, dx in 0..2); none: `cells`
    HugeVector<uint32_t> m_phase_cells;  // cells grouped by parity phase
    std::vector<uint32_t> m_phase_start; // 9 entries
    HugeVector<uint32_t> m_output_cells; // cells in order of first appearance in the input
    // select() state, reused.
    HugeVector<glm::vec4> m_slots;    // per cell 4 accepted (see select())
    HugeVector<glm::vec4> m_overflow; // accepted beyond kSlots, at m_points' index
    HugeVector<uint32_t> m_accepted, m_next, m_active;
    HugeVector<uint32_t> m_kept; // per cell: its accepted candidates, at m_points' index
    // prepare() scratch, reused.
    HugeVector<uint8_t> m_octant_of;
    HugeVector<uint32_t> m_digit_of;
    HugeVector<uint64_t> m_run;
    struct Scratch; // the cell sort's buffers (types private to poisson_sampling.cpp)
    std::unique_ptr<Scratch> m_scratch;
};

// Plain dart throwing (the textbook baseline, Cook 1986 / Bridson 2007 without the active
// list): darts uniform by area on `triangles` of `mesh`, one after another, each kept when no
// kept sample is closer than radius_mm; stops after `max_samples` kept or `max_failures`
// consecutive rejections. Deterministic from `seed`. For benchmarks and comparisons.
std::vector<glm::vec3> dartThrowing(const Mesh& mesh, const std::vector<uint32_t>& triangles,
                                    float radius_mm, size_t max_samples, size_t max_failures,
                                    uint64_t seed);

// Ratios at or above this are reported as +infinity by nearestSpacingRatios().
constexpr float kSpacingRatioLimit = 4.0f;

// Per point i: min over j != i of |p_i - p_j| / (0.5 * (spacing_mm[i] + spacing_mm[j])), the
// variable-radius Poisson-disk convention (a pair is judged against the mean of both dots'
// ideal spacings). Exact whenever that minimum is below kSpacingRatioLimit; +infinity
// otherwise (so the search never goes beyond 4 x the largest spacing, and a point with no
// other point that near gets +infinity). Requires points.size() == spacing_mm.size() and
// every spacing finite and > 0 (asserted). Linear time for evenly spread points.
std::vector<float> nearestSpacingRatios(const std::vector<glm::vec3>& points,
                                        const std::vector<float>& spacing_mm);

// Weighted sample elimination (C. Yuksel, "Sample Elimination for Generating Poisson Disk
// Sample Sets", EG 2015), variable radius: removes points one at a time, always the one whose
// neighbours crowd it most (weight sum over j of (1 - d_ij / s_ij)^8 for d_ij < s_ij, s_ij the
// mean of both points' spacing_mm), until `keep` remain; returns their indices, ascending.
// Pairs closer than floor_ratio x s_ij weigh more than any neighbourhood, so the points in
// them go first; while such a pair remains, removal goes on past `keep`, down to min_keep (so
// fewer than `keep` may remain, never fewer than min(keep, min_keep)).
// spacing_mm is each point's hexagonal spacing at the density the kept set should have. The
// kept set is a pure function of the points in their order (ties: the higher index goes
// first). Requires one finite spacing > 0 per point (asserted). O(n log n) for evenly spread
// points.
std::vector<uint32_t> eliminateSamples(const std::vector<glm::vec3>& points,
                                       const std::vector<float>& spacing_mm, size_t keep,
                                       double floor_ratio = 0, size_t min_keep = 0);

} // namespace stipple
