// The hairline's signed distance field over the polar chart. Inside/outside per node by the
// even-odd rule along each meridian from the top of the head (inside, as the loop winds once
// round the vertical axis), the way polygon scan conversion counts edge crossings per scan
// line; the distance to the loop is exact (point to segment in 3D), with segments grouped into
// runs bounded by spheres so most runs are rejected by one test.

#include "stipple/core/hairline_field.h"

#include <limits>

#include "stipple/core/error.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kColumns = PolarChart::kThetaSteps;
constexpr int kRun = 16; // segments per bounding sphere

// Beyond this depth nothing reads the field's value (the deepest zone border is the front
// band's, at most ~70 mm behind the line): values are clamped to +-kCapMm, which keeps them
// 1-Lipschitz and lets most runs of segments be rejected at once.
constexpr double kCapMm = 72;
// Outside the line only margins read the field (no zone lives there), and a margin of
// 12 / HairlineField::kSlope = 8 mm is more than any shortcut needs: outside values are
// clamped at -kOutsideCapMm, which spares exact distances over the face and neck.
constexpr double kOutsideCapMm = 12;

double segmentDistance2(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b) {
    const glm::dvec3 ab = b - a;
    const double len2 = glm::dot(ab, ab);
    const double t = len2 > 0 ? std::clamp(glm::dot(p - a, ab) / len2, 0.0, 1.0) : 0.0;
    const glm::dvec3 d = p - (a + t * ab);
    return glm::dot(d, d);
}

} // namespace

HairlineField::HairlineField(const PolarChart& chart, const std::vector<glm::dvec3>& loop_in,
                             double floor_y_mm) {
    // Not input-reachable: buildHairline resamples every loop (templates, or 3+ validated
    // control_points_mm) to many points.
    STIPPLE_ASSERT(loop_in.size() >= 3, "HairlineField(): the loop needs at least 3 points");
    // The loop resampled every kStepMm and put on the chart's surface. The sign comes from
    // where the loop crosses the meridians in chart angles, the magnitude from 3D distances:
    // both must see the same curve. A long straight segment cuts under a curved surface (a
    // 33 mm chord sags 1.5 mm below a 90 mm head), so its crossings and its distances
    // disagreed and the sign flipped 1.5 mm from the line (behind the ear of the bench head).
    constexpr double kStepMm = 1.0;
    std::vector<glm::dvec3> loop_mm;
    for (size_t k = 0; k < loop_in.size(); ++k) {
        const glm::dvec3 a = loop_in[k], b = loop_in[(k + 1) % loop_in.size()];
        const int steps = std::max(1, int(std::ceil(glm::length(b - a) / kStepMm)));
        for (int i = 0; i < steps; ++i) {
            const glm::dvec3 q = a + (b - a) * (double(i) / steps);
            loop_mm.push_back(chart.surfacePoint(chart.thetaOf(q), chart.phiOf(q)));
        }
    }
    const size_t count = loop_mm.size();
    // Crossings of each meridian with the loop, as polar angles.
    std::vector<std::vector<double>> crossings(kColumns);
    for (size_t k = 0; k < count; ++k) {
        const glm::dvec3& a = loop_mm[k];
        const glm::dvec3& b = loop_mm[(k + 1) % count];
        const double ta = chart.thetaOf(a), pa = chart.phiOf(a), pb = chart.phiOf(b);
        double dt = chart.thetaOf(b) - ta;
        dt -= 2 * kPi * std::round(dt / (2 * kPi));
        if (dt == 0) continue; // along the meridian: no crossing by the half-open rule
        const double first = (ta + std::min(0.0, dt) + kPi) / (2 * kPi) * kColumns;
        const int last = int(std::ceil(first + std::abs(dt) / (2 * kPi) * kColumns));
        for (int ii = int(std::floor(first)) - 1; ii <= last + 1; ++ii) {
            const int i = ((ii % kColumns) + kColumns) % kColumns;
            double t = PolarChart::thetaOfColumn(i) - ta;
            t -= 2 * kPi * std::round(t / (2 * kPi));
            // Half-open in the direction of travel: a vertex on a meridian counts once for a
            // line passing through it, twice or not at all for one touching it.
            if ((t >= 0) == (t >= dt)) continue;
            crossings[size_t(i)].push_back(pa + (t / dt) * (pb - pa));
        }
    }
    for (std::vector<double>& c : crossings)
        std::sort(c.begin(), c.end());

    // Runs of kRun segments with bounding spheres.
    struct Run {
        glm::dvec3 centre{0};
        double radius = 0;
        size_t first = 0, last = 0; // segment indices [first, last)
        // Capsule around the run: every point of it lies within `deviation` of the chord
        // from loop[first] to loop[last], a much tighter bound than the sphere for the
        // nearly straight runs a hairline is made of.
        glm::dvec3 chord_a{0}, chord_b{0};
        double deviation = 0;
    };
    std::vector<Run> runs;
    for (size_t first = 0; first < count; first += kRun) {
        Run run;
        run.first = first;
        run.last = std::min(count, first + kRun);
        glm::dvec3 lo(std::numeric_limits<double>::max()), hi(-std::numeric_limits<double>::max());
        for (size_t k = run.first; k <= run.last; ++k) {
            lo = glm::min(lo, loop_mm[k % count]);
            hi = glm::max(hi, loop_mm[k % count]);
        }
        run.centre = 0.5 * (lo + hi);
        for (size_t k = run.first; k <= run.last; ++k)
            run.radius = std::max(run.radius, glm::length(loop_mm[k % count] - run.centre));
        run.chord_a = loop_mm[run.first];
        run.chord_b = loop_mm[run.last % count];
        // Segments are straight, so their farthest points from the chord are their ends.
        for (size_t k = run.first; k <= run.last; ++k)
            run.deviation =
                std::max(run.deviation,
                         std::sqrt(segmentDistance2(loop_mm[k % count], run.chord_a, run.chord_b)));
        runs.push_back(run);
    }
    // Groups of kGroup runs with their own spheres: a node far from a stretch of the line
    // rejects the whole stretch with one test instead of kGroup.
    struct Group {
        glm::dvec3 centre{0};
        double radius = 0;
        size_t first = 0, last = 0; // run indices [first, last)
    };
    constexpr size_t kGroup = 8;
    std::vector<Group> groups;
    for (size_t first = 0; first < runs.size(); first += kGroup) {
        Group group;
        group.first = first;
        group.last = std::min(runs.size(), first + kGroup);
        glm::dvec3 lo(std::numeric_limits<double>::max()), hi(-std::numeric_limits<double>::max());
        for (size_t r = group.first; r < group.last; ++r) {
            lo = glm::min(lo, runs[r].centre - runs[r].radius);
            hi = glm::max(hi, runs[r].centre + runs[r].radius);
        }
        group.centre = 0.5 * (lo + hi);
        for (size_t r = group.first; r < group.last; ++r)
            group.radius =
                std::max(group.radius, glm::length(runs[r].centre - group.centre) + runs[r].radius);
        groups.push_back(group);
    }
    auto runDistance2 = [&](const Run& run, const glm::dvec3& p) {
        double best = std::numeric_limits<double>::max();
        for (size_t k = run.first; k < run.last; ++k)
            best = std::min(best, segmentDistance2(p, loop_mm[k], loop_mm[(k + 1) % count]));
        return best;
    };
    // Whether some point of `run` may lie closer to p than `best` (mm).
    auto mayBeCloser = [&](const Run& run, const glm::dvec3& p, double best) {
        const glm::dvec3 d = p - run.centre;
        const double reach = best + run.radius;
        if (glm::dot(d, d) >= reach * reach) return false;
        const double capsule = best + run.deviation;
        return segmentDistance2(p, run.chord_a, run.chord_b) < capsule * capsule;
    };

    m_depth.assign(size_t(kColumns) * kRows, 0.0f);
    std::vector<double> sin_p(kRows), cos_p(kRows);
    for (size_t j = 0; j < kRows; ++j) {
        sin_p[j] = std::sin(PolarChart::phiOfRow(int(j)));
        cos_p[j] = std::cos(PolarChart::phiOfRow(int(j)));
    }
    size_t hint = 0; // the nearest run of the previous node: a good first bound
    // Signed, capped distance of node point p (inside or not by the crossings).
    auto exactValue = [&](const glm::dvec3& p, bool inside) {
        const double cap = inside ? kCapMm : kOutsideCapMm;
        if (!inside && p.y < floor_y_mm - 30) return std::max(-cap, p.y - floor_y_mm);
        double best = cap;
        if (mayBeCloser(runs[hint], p, best))
            best = std::min(best, std::sqrt(runDistance2(runs[hint], p)));
        for (const Group& group : groups) {
            const glm::dvec3 gd = p - group.centre;
            const double reach = best + group.radius;
            if (glm::dot(gd, gd) >= reach * reach) continue;
            for (size_t r = group.first; r < group.last; ++r) {
                if (r == hint || !mayBeCloser(runs[r], p, best)) continue;
                const double d = std::sqrt(runDistance2(runs[r], p));
                if (d < best) {
                    best = d;
                    hint = r;
                }
            }
        }
        return inside ? best : -best;
    };
    // Walks column i top down, calling visit(j, p, inside) at every node.
    auto walkColumn = [&](int i, auto visit) {
        const std::vector<double>& c = crossings[size_t(i)];
        const double theta = PolarChart::thetaOfColumn(i);
        const double sin_t = std::sin(theta), cos_t = std::cos(theta);
        size_t passed = 0;
        for (int j = 0; j <= PolarChart::kPhiSteps; ++j) {
            while (passed < c.size() && c[passed] < PolarChart::phiOfRow(j))
                ++passed;
            const glm::dvec3 p =
                chart.centre() + chart.nodeRadius(i, j) * glm::dvec3(sin_p[size_t(j)] * sin_t,
                                                                     cos_p[size_t(j)],
                                                                     sin_p[size_t(j)] * cos_t);
            visit(j, p, passed % 2 == 0);
        }
    };
    // Deep inside, the distance is smooth and only the front band's border (tens of mm behind
    // the line, itself moved by noise) reads it: there the field is the bilinear blend of exact
    // values on a coarse lattice of every kCoarse-th node. A node takes the blend when all four
    // coarse corners are on its side of the line and at least kBlendFromMm deep; since the
    // distance is 1-Lipschitz, the node is then deeper than kBlendFromMm - (the corners'
    // distance to it) as well. Blending a distance function underestimates it at its ridges and
    // is within ~h^2 / (8 depth) (at most 0.13 mm here) elsewhere, so margins stay lower bounds.
    constexpr int kCoarse = 4;
    constexpr double kBlendFromMm = 10;
    constexpr int kCoarseRows = PolarChart::kPhiSteps / kCoarse + 1;
    static_assert(PolarChart::kPhiSteps % kCoarse == 0 && kColumns % kCoarse == 0,
                  "the coarse lattice must end on the last row and wrap in theta");
    std::vector<float> coarse(size_t(kColumns / kCoarse) * kCoarseRows);
    for (int ci = 0; ci < kColumns / kCoarse; ++ci)
        walkColumn(ci * kCoarse, [&](int j, const glm::dvec3& p, bool inside) {
            if (j % kCoarse == 0)
                coarse[size_t(ci) * kCoarseRows + size_t(j / kCoarse)] =
                    float(exactValue(p, inside));
        });
    for (int i = 0; i < kColumns; ++i) {
        const int ci0 = i / kCoarse, ci1 = (ci0 + 1) % (kColumns / kCoarse);
        const double wi = double(i % kCoarse) / kCoarse;
        walkColumn(i, [&](int j, const glm::dvec3& p, bool inside) {
            const int cj0 = std::min(j / kCoarse, kCoarseRows - 2), cj1 = cj0 + 1;
            const double wj = double(j - cj0 * kCoarse) / kCoarse;
            const float c00 = coarse[size_t(ci0) * kCoarseRows + size_t(cj0)];
            const float c01 = coarse[size_t(ci0) * kCoarseRows + size_t(cj1)];
            const float c10 = coarse[size_t(ci1) * kCoarseRows + size_t(cj0)];
            const float c11 = coarse[size_t(ci1) * kCoarseRows + size_t(cj1)];
            const float deep = inside ? std::min({c00, c01, c10, c11}) : 0.0f;
            float& out = m_depth[size_t(i) * kRows + size_t(j)];
            if (inside && deep >= kBlendFromMm)
                out = float((c00 * (1 - wj) + c01 * wj) * (1 - wi) +
                            (c10 * (1 - wj) + c11 * wj) * wi);
            else
                out = float(exactValue(p, inside));
        });
    }
}

} // namespace stipple
