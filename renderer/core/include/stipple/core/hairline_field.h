#pragma once

// The hairline as a field over the polar chart: at every chart node the signed distance (mm,
// positive inside the scalp region) from the node's surface point to the hairline loop,
// bilinear between nodes. Unlike one line position per azimuth, the loop may cross a meridian
// several times (a temporal peak under the frontotemporal recess, the sideburn in front of the
// ear), and the depth is measured across the line rather than down the meridian.

#include <algorithm>
#include <cmath>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/head_chart.h"

namespace stipple {

class HairlineField {
public:
    // Bound on how fast depth() changes per mm of movement over the surface: the node values
    // are distances (1 per mm between neighbouring nodes along the chord joining them), and a
    // bilinear blend of two such directions grows by at most sqrt(2); 1.5 leaves room for the
    // chart's cells not being square on the surface. This needs the sign and the distances to
    // see the same curve: the loop is resampled onto the chart's surface first (see the .cpp).
    // |depth| / kSlope is therefore a lower bound of the distance to the line as depth() draws
    // it (checked by brute force in tests/core/scalp_region_test.cpp).
    static constexpr double kSlope = 1.5;

    HairlineField() = default;
    // Tabulates the field over `chart` for the closed polyline `loop_mm` (head frame, mm, on the
    // surface, at least 3 points, winding once round the vertical axis with the top of the head
    // inside). Nodes lower than floor_y_mm - 30 (no line point is below floor_y_mm) store the
    // cheaper bound -(floor_y_mm - y) instead of their distance.
    HairlineField(const PolarChart& chart, const std::vector<glm::dvec3>& loop_mm,
                  double floor_y_mm);

    // Signed distance to the line at chart direction (theta, phi), mm, > 0 inside.
    double depth(double theta, double phi) const {
        constexpr double kDTheta = 2 * 3.14159265358979323846 / PolarChart::kThetaSteps;
        constexpr double kDPhi = 3.14159265358979323846 / PolarChart::kPhiSteps;
        double ft = (theta + 3.14159265358979323846) / kDTheta;
        if (ft < 0 || ft >= PolarChart::kThetaSteps)
            ft -= std::floor(ft / PolarChart::kThetaSteps) * PolarChart::kThetaSteps;
        const int i0 = std::min(int(ft), PolarChart::kThetaSteps - 1);
        const int i1 = i0 + 1 == PolarChart::kThetaSteps ? 0 : i0 + 1;
        const double wt = ft - i0;
        const double fp = std::clamp(phi / kDPhi, 0.0, double(PolarChart::kPhiSteps));
        const int j0 = std::min(int(fp), PolarChart::kPhiSteps - 1);
        const double wp = fp - j0;
        const float* a = &m_depth[size_t(i0) * kRows + size_t(j0)];
        const float* b = &m_depth[size_t(i1) * kRows + size_t(j0)];
        return (a[0] + (a[1] - a[0]) * wp) * (1 - wt) + (b[0] + (b[1] - b[0]) * wp) * wt;
    }

    // The tabulated value at column i (theta), row j (phi) (0 <= i < kThetaSteps,
    // 0 <= j <= kPhiSteps); empty field: 0.
    float node(int i, int j) const {
        return m_depth.empty() ? 0.0f : m_depth[size_t(i) * kRows + size_t(j)];
    }

private:
    static constexpr size_t kRows = PolarChart::kPhiSteps + 1;
    std::vector<float> m_depth; // kThetaSteps x kRows, as the chart's tables
};

} // namespace stipple
