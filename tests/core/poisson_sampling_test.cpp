#include "stipple/core/poisson_sampling.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

// The selection's output is defined by its algorithm (cells of side 2 r_max, 8 parity phases,
// kCandidatesPerTurn per cell per round, per-cell priority order, conflict when closer than
// max(r_a, r_b)), not by its data structures. These tests keep a plain reference of that
// algorithm (maps, one candidate at a time) and require the optimised code to return exactly
// the same candidates in the same order, on sets chosen to reach every path: priority ties,
// cells that spill past their slots, empty neighbours, negative coordinates, reuse of one
// selector for several sets and scales.

namespace stipple {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// The selection as first written (before the memory layout was optimised), kept verbatim in
// its arithmetic: cell = floor(p / (2 r_max)), octant from p / cell - corner < 0.5, the 8
// cells of the octant, (dx dx + dy dy) + dz dz < max(r_a, r_b)^2.
std::vector<SampleCandidate> referenceSelect(const std::vector<SampleCandidate>& candidates,
                                             float max_radius_mm, float radius_scale) {
    const float cell_mm = 2.0f * max_radius_mm;
    using Key = std::tuple<int, int, int>;
    std::map<Key, uint32_t> index_of;
    std::vector<glm::ivec3> coords;
    std::vector<std::vector<SampleCandidate>> runs;
    for (const SampleCandidate& c : candidates) {
        const glm::ivec3 k(int(std::floor(c.position.x / cell_mm)),
                           int(std::floor(c.position.y / cell_mm)),
                           int(std::floor(c.position.z / cell_mm)));
        const auto [it, inserted] = index_of.insert({Key(k.x, k.y, k.z), uint32_t(runs.size())});
        if (inserted) {
            coords.push_back(k);
            runs.emplace_back();
        }
        runs[it->second].push_back(c);
        runs[it->second].back().radius_mm *= radius_scale;
    }
    for (auto& run : runs)
        std::sort(run.begin(), run.end(), [](const SampleCandidate& a, const SampleCandidate& b) {
            return std::tie(a.priority, a.triangle, a.index) < std::tie(b.priority, b.triangle, b.index);
        });
    std::vector<std::vector<SampleCandidate>> accepted(runs.size());
    std::vector<size_t> next(runs.size(), 0);
    auto conflicts = [&](size_t cell, const SampleCandidate& s) {
        const glm::vec3 local = s.position / cell_mm - glm::vec3(coords[cell]);
        const int ox = local.x < 0.5f ? -1 : 1, oy = local.y < 0.5f ? -1 : 1, oz = local.z < 0.5f ? -1 : 1;
        for (int dz : {0, oz})
            for (int dy : {0, oy})
                for (int dx : {0, ox}) {
                    const glm::ivec3 k = coords[cell] + glm::ivec3(dx, dy, dz);
                    const auto it = index_of.find(Key(k.x, k.y, k.z));
                    if (it == index_of.end()) continue;
                    for (const SampleCandidate& q : accepted[it->second]) {
                        const float r = std::max(s.radius_mm, q.radius_mm);
                        const glm::vec3 d = q.position - s.position;
                        if (glm::dot(d, d) < r * r) return true;
                    }
                }
        return false;
    };
    for (bool any = true; any;) {
        any = false;
        for (int phase = 0; phase < 8; ++phase)
            for (size_t cell = 0; cell < runs.size(); ++cell) {
                const glm::ivec3 k = coords[cell];
                if (((k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2)) != phase) continue;
                for (int turn = 0; turn < 3 && next[cell] < runs[cell].size(); ++turn) {
                    const SampleCandidate& s = runs[cell][next[cell]++];
                    if (!conflicts(cell, s)) accepted[cell].push_back(s);
                }
                any = any || next[cell] < runs[cell].size();
            }
    }
    std::vector<SampleCandidate> kept;
    for (const auto& a : accepted) kept.insert(kept.end(), a.begin(), a.end());
    return kept;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expectSame(const std::vector<SampleCandidate>& actual,
                const std::vector<SampleCandidate>& expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
        ASSERT_EQ(actual[i].triangle, expected[i].triangle) << "at " << i;
        ASSERT_EQ(actual[i].index, expected[i].index) << "at " << i;
        ASSERT_TRUE(sameBits(actual[i].radius_mm, expected[i].radius_mm)) << "at " << i;
        ASSERT_EQ(actual[i].position, expected[i].position) << "at " << i;
    }
}

// n candidates on a sphere of radius `sphere_mm` around `centre`, radii in [r0, r0 + dr],
// priorities from `priority_bits` hash bits (few bits: many ties inside a cell).
std::vector<SampleCandidate> sphereCandidates(uint32_t n, float sphere_mm, glm::vec3 centre, float r0,
                                              float dr, int priority_bits, uint64_t seed) {
    std::vector<SampleCandidate> c;
    for (uint32_t i = 0; i < n; ++i) {
        const double u = 2 * unitOf(hashOf(seed, 1, i)) - 1, phi = 6.283185307 * unitOf(hashOf(seed, 2, i));
        const double s = std::sqrt(1 - u * u);
        SampleCandidate x;
        x.position = centre + sphere_mm * glm::vec3(float(s * std::cos(phi)), float(u), float(s * std::sin(phi)));
        x.radius_mm = r0 + dr * float(unitOf(hashOf(seed, 3, i)));
        x.triangle = i / 5;
        x.index = i % 5;
        x.priority = uint32_t(hashOf(seed, 4, i) >> (64 - priority_bits));
        c.push_back(x);
    }
    return c;
}

TEST(PoissonSampling, SelectionIsIdenticalToTheReference) {
    // Sphere straddling the origin (negative cell coordinates), radii varying by 2x.
    const auto c = sphereCandidates(20000, 30, {3, -2, 1}, 0.4f, 0.4f, 32, 1);
    for (float scale : {1.0f, 0.97f, 0.6f}) {
        SCOPED_TRACE(scale);
        const auto kept = selectPoissonDisk(c, 0.8f, scale);
        EXPECT_GT(kept.size(), 2000u);
        expectSame(kept, referenceSelect(c, 0.8f, scale));
    }
}

TEST(PoissonSampling, SelectionIsIdenticalWithPriorityTies) {
    // 6 priority bits: most candidates of a cell share their priority with another one, so
    // the (triangle, index) tie-break decides.
    const auto c = sphereCandidates(8000, 15, {0, 0, 0}, 0.5f, 0.2f, 6, 2);
    expectSame(selectPoissonDisk(c, 0.7f), referenceSelect(c, 0.7f, 1.0f));
}

TEST(PoissonSampling, SelectionIsIdenticalWhenCellsSpill) {
    // Radii a tenth of the grid's r_max: a cell keeps dozens of samples, far more than its
    // in-line slots, so the overflow store and its checks are exercised.
    const auto c = sphereCandidates(30000, 12, {-40, 5, 7}, 0.1f, 0.05f, 32, 3);
    const auto kept = selectPoissonDisk(c, 1.5f);
    const auto expected = referenceSelect(c, 1.5f, 1.0f);
    expectSame(kept, expected);
    EXPECT_GT(kept.size(), 20000u / 4) << "expected a dense selection (many samples per cell)";
}

TEST(PoissonSampling, SelectorReusedAcrossSetsAndScales) {
    // One selector, a large set then a small one, several scales each: buffers left from the
    // previous call must not leak into the next result.
    const auto big = sphereCandidates(30000, 12, {-40, 5, 7}, 0.1f, 0.05f, 32, 3);
    const auto small = sphereCandidates(3000, 10, {1, 2, 3}, 0.6f, 0.1f, 32, 4);
    PoissonSelector selector;
    selector.prepare(big, 1.5f);
    expectSame(selector.select(1.0f), referenceSelect(big, 1.5f, 1.0f));
    selector.prepare(small, 0.7f);
    for (float scale : {0.99f, 0.96f, 1.0f}) {
        SCOPED_TRACE(scale);
        expectSame(selector.select(scale), referenceSelect(small, 0.7f, scale));
    }
    EXPECT_TRUE(selectPoissonDisk(std::vector<SampleCandidate>{}, 1.0f).empty());
}

TEST(PoissonSampling, SpacingRatiosOnAHexagonalLatticeWithTwoSpacings) {
    // Hexagonal lattice of pitch 1 mm in the plane z = 5: every point's nearest neighbours
    // are exactly 1 mm away. Points with x < 0 have an ideal spacing of 1 mm, the others
    // 2 mm. A pair inside the left region has ratio 1 / 1 = 1, inside the right region
    // 1 / 2 = 0.5, and across the border 1 / 1.5 = 2/3. So a left point touching the border
    // has 2/3, a left interior point 1, every right point 0.5 (its own region is nearer in
    // ratio). Lattice coordinates are sums of multiples of 0.5 and sqrt(3)/2 in float:
    // distances are 1 to within 1e-6 relative, hence the tolerance.
    std::vector<glm::vec3> p;
    std::vector<float> s;
    const float h = std::sqrt(3.0f) / 2;
    for (int row = -10; row <= 10; ++row)
        for (int col = -10; col <= 10; ++col) {
            const float x = float(col) + 0.5f * float(row & 1) - 0.25f;
            p.push_back({x, h * float(row), 5});
            s.push_back(x < 0 ? 1.0f : 2.0f);
        }
    const auto ratio = nearestSpacingRatios(p, s);
    ASSERT_EQ(ratio.size(), p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        float expected = 0.5f;
        if (p[i].x < 0) expected = p[i].x > -1.0f ? 2.0f / 3.0f : 1.0f;
        EXPECT_NEAR(ratio[i], expected, 1e-5f) << "point " << i << " at x = " << p[i].x;
    }
}

TEST(PoissonSampling, SpacingRatiosMatchBruteForceAndStopAtTheLimit) {
    // Random points with spacings from 0.5 to 3 mm (so the search bound is set by the
    // largest), a few isolated points: exact against brute force below the limit, +inf
    // at or above it. Same float expression, so equality is exact.
    std::vector<glm::vec3> p;
    std::vector<float> s;
    for (uint32_t i = 0; i < 2000; ++i) {
        p.push_back(glm::vec3(40 * unitOf(hashOf(8, i)), 40 * unitOf(hashOf(9, i)), 2 * unitOf(hashOf(10, i))));
        s.push_back(0.5f + 2.5f * float(unitOf(hashOf(11, i))));
    }
    p.push_back({100, 0, 0});   // 60 mm from the rest: ratio >= 60 / 3 > limit
    s.push_back(1);
    p.push_back({-7, 20, 1});   // 7+ mm from the rest: ratio about 7 / 1.7, may be either side
    s.push_back(0.5f);
    p.push_back({-5.5f, 20, 1});
    s.push_back(3);
    const auto ratio = nearestSpacingRatios(p, s);
    for (size_t i = 0; i < p.size(); ++i) {
        float best = kInf;
        for (size_t j = 0; j < p.size(); ++j) {
            if (j == i) continue;
            const float dx = p[j].x - p[i].x, dy = p[j].y - p[i].y, dz = p[j].z - p[i].z;
            const float mean = 0.5f * (s[i] + s[j]);
            best = std::min(best, (dx * dx + dy * dy + dz * dz) / (mean * mean));
        }
        const float expected = best < kSpacingRatioLimit * kSpacingRatioLimit ? std::sqrt(best) : kInf;
        ASSERT_EQ(ratio[i], expected) << "point " << i;
    }
    EXPECT_EQ(ratio[2000], kInf);
    // The last pair: 1.5 mm apart, mean spacing 1.75 mm.
    EXPECT_NEAR(ratio[2002], 1.5f / 1.75f, 1e-6f);
    EXPECT_TRUE(nearestSpacingRatios({}, {}).empty());
}

} // namespace
} // namespace stipple
