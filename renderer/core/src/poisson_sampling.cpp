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
#include <cmath>
#include <limits>
#include <numeric>

#include "stipple/core/error.h"

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

// Points bucketed by cubic cell: cells are dense indices, each with a contiguous range.
struct Grid {
    float cell_mm = 1;
    CellMap map{16};
    std::vector<glm::ivec3> coords; // per cell
    std::vector<uint32_t> start;    // per cell + 1
    std::vector<uint32_t> order;    // point indices grouped by cell

    glm::ivec3 coordOf(const glm::vec3& p) const {
        return glm::ivec3(int(std::floor(p.x / cell_mm)), int(std::floor(p.y / cell_mm)),
                          int(std::floor(p.z / cell_mm)));
    }
    uint32_t find(const glm::ivec3& c) const { return map.find(cellKey(c.x, c.y, c.z)); }
};

template <typename PositionOf>
Grid buildGrid(size_t count, float cell_mm, PositionOf position_of) {
    Grid grid;
    grid.cell_mm = cell_mm;
    grid.map = CellMap(count / 4 + 16);
    std::vector<uint32_t> cell_of(count);
    std::vector<uint32_t> counts;
    for (size_t i = 0; i < count; ++i) {
        const glm::ivec3 c = grid.coordOf(position_of(i));
        const auto [cell, inserted] =
            grid.map.insert(cellKey(c.x, c.y, c.z), uint32_t(grid.coords.size()));
        if (inserted) {
            grid.coords.push_back(c);
            counts.push_back(0);
        }
        cell_of[i] = cell;
        ++counts[cell];
    }
    grid.start.assign(counts.size() + 1, 0);
    for (size_t c = 0; c < counts.size(); ++c) grid.start[c + 1] = grid.start[c] + counts[c];
    grid.order.resize(count);
    std::vector<uint32_t> fill(grid.start.begin(), grid.start.end() - 1);
    for (size_t i = 0; i < count; ++i) grid.order[fill[cell_of[i]]++] = uint32_t(i);
    return grid;
}

} // namespace

std::vector<SampleCandidate> selectPoissonDisk(const std::vector<SampleCandidate>& candidates,
                                               float max_radius_mm, float radius_scale) {
    STIPPLE_ASSERT(max_radius_mm > 0, "selectPoissonDisk(): max_radius_mm must be positive");
    if (candidates.empty()) return {};
    // Cells of side 2 r_max: a conflict (distance < r <= r_max = half a cell) can only be with
    // the own cell or the neighbour on the near side along each axis: 8 cells, not 27.
    const float cell_mm = 2.0f * max_radius_mm;
    const Grid grid = buildGrid(candidates.size(), cell_mm,
                                [&](size_t i) { return candidates[i].position; });
    const size_t cells = grid.coords.size();

    // Candidates grouped by cell, each cell's run ordered by priority (ties by index and
    // position so the order never depends on the input order).
    std::vector<SampleCandidate> sorted(candidates.size());
    for (size_t i = 0; i < grid.order.size(); ++i) {
        sorted[i] = candidates[grid.order[i]];
        sorted[i].radius_mm *= radius_scale;
    }
    for (size_t c = 0; c < cells; ++c)
        std::sort(sorted.begin() + grid.start[c], sorted.begin() + grid.start[c + 1],
                  [](const SampleCandidate& a, const SampleCandidate& b) {
                      if (a.priority != b.priority) return a.priority < b.priority;
                      if (a.triangle != b.triangle) return a.triangle < b.triangle;
                      return a.index < b.index;
                  });

    // Neighbour table: for each cell the 27 cells around it (kNone when empty).
    std::vector<uint32_t> neighbours(cells * 27);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 base = grid.coords[c];
        int n = 0;
        for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx)
                    neighbours[c * 27 + size_t(n++)] = grid.find(base + glm::ivec3(dx, dy, dz));
    }

    std::vector<uint32_t> accepted(cells, 0); // kept candidates sit at sorted[start, start+n)
    std::vector<uint32_t> next(cells, 0);     // next untried candidate of each cell
    std::vector<std::vector<uint32_t>> active(8);
    for (size_t c = 0; c < cells; ++c) {
        const glm::ivec3 k = grid.coords[c];
        active[size_t((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2))].push_back(uint32_t(c));
    }

    auto conflicts = [&](uint32_t cell, const SampleCandidate& s) {
        const glm::vec3 local = s.position / cell_mm - glm::vec3(grid.coords[cell]);
        const int ox = local.x < 0.5f ? 0 : 2;
        const int oy = local.y < 0.5f ? 0 : 2;
        const int oz = local.z < 0.5f ? 0 : 2;
        for (int dz : {1, oz})
            for (int dy : {1, oy})
                for (int dx : {1, ox}) {
                    const uint32_t other =
                        neighbours[size_t(cell) * 27 + size_t(dz * 9 + dy * 3 + dx)];
                    if (other == CellMap::kNone) continue;
                    const uint32_t begin = grid.start[other];
                    for (uint32_t i = begin; i < begin + accepted[other]; ++i) {
                        const SampleCandidate& q = sorted[i];
                        const float r = std::max(s.radius_mm, q.radius_mm);
                        const glm::vec3 d = q.position - s.position;
                        if (glm::dot(d, d) < r * r) return true;
                    }
                }
        return false;
    };

    bool any = true;
    while (any) {
        any = false;
        for (auto& phase : active) {
            size_t kept = 0;
            for (uint32_t cell : phase) {
                const uint32_t begin = grid.start[cell];
                const uint32_t count = grid.start[cell + 1] - begin;
                const uint32_t end = std::min(count, next[cell] + kCandidatesPerTurn);
                for (; next[cell] < end; ++next[cell]) {
                    const SampleCandidate s = sorted[begin + next[cell]];
                    if (conflicts(cell, s)) continue;
                    std::swap(sorted[begin + accepted[cell]], sorted[begin + next[cell]]);
                    ++accepted[cell];
                }
                if (next[cell] < count) phase[kept++] = cell;
            }
            phase.resize(kept);
            any = any || kept > 0;
        }
    }

    std::vector<SampleCandidate> kept;
    size_t total = 0;
    for (size_t c = 0; c < cells; ++c) total += accepted[c];
    kept.reserve(total);
    for (size_t c = 0; c < cells; ++c)
        kept.insert(kept.end(), sorted.begin() + grid.start[c],
                    sorted.begin() + grid.start[c] + accepted[c]);
    return kept;
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

std::vector<float> nearestNeighbourDistances(const std::vector<glm::vec3>& points, float cell_mm) {
    STIPPLE_ASSERT(cell_mm > 0, "nearestNeighbourDistances(): cell_mm must be positive");
    const Grid grid = buildGrid(points.size(), cell_mm, [&](size_t i) { return points[i]; });
    std::vector<float> result(points.size(), std::numeric_limits<float>::infinity());
    std::vector<uint32_t> around;
    // Cell by cell, so the neighbour cells are looked up once for all the cell's points.
    for (size_t cell = 0; cell < grid.coords.size(); ++cell) {
        const glm::ivec3 c = grid.coords[cell];
        around.clear();
        for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const uint32_t other = grid.find(c + glm::ivec3(dx, dy, dz));
                    if (other != CellMap::kNone) around.push_back(other);
                }
        for (uint32_t k = grid.start[cell]; k < grid.start[cell + 1]; ++k) {
            const uint32_t i = grid.order[k];
            const glm::vec3 p = points[i];
            float best2 = std::numeric_limits<float>::infinity();
            for (uint32_t other : around)
                for (uint32_t j = grid.start[other]; j < grid.start[other + 1]; ++j) {
                    const uint32_t o = grid.order[j];
                    const glm::vec3 d = points[o] - p;
                    const float d2 = glm::dot(d, d);
                    if (o != i && d2 < best2) best2 = d2;
                }
            if (best2 > cell_mm * cell_mm) {
                // Nothing within one cell: widen ring by ring (rare: isolated points).
                for (int r = 2; r <= 8 && best2 > float(r - 1) * float(r - 1) * cell_mm * cell_mm; ++r)
                    for (int dz = -r; dz <= r; ++dz)
                        for (int dy = -r; dy <= r; ++dy)
                            for (int dx = -r; dx <= r; ++dx) {
                                if (std::max({std::abs(dx), std::abs(dy), std::abs(dz)}) < r) continue;
                                const uint32_t other = grid.find(c + glm::ivec3(dx, dy, dz));
                                if (other == CellMap::kNone) continue;
                                for (uint32_t j = grid.start[other]; j < grid.start[other + 1]; ++j) {
                                    const glm::vec3 d = points[grid.order[j]] - p;
                                    best2 = std::min(best2, glm::dot(d, d));
                                }
                            }
            }
            result[i] = std::sqrt(best2);
        }
    }
    return result;
}

} // namespace stipple
