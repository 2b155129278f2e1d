#pragma once

// The lane measure of issue 12: along each zone border, the dot density in a band one spacing
// wide centred on the border, against the bands one spacing wide either side of it. A light
// lane (fewer dots along a border) shows as a ratio below 1.
//
// How: area samples, hashed uniform by area at kSamplesPerMm2 on every triangle that comes
// within kReachMm of a zone border (by the zone map's margin bound), each classified; a point's
// distance to the border is its distance to the nearest sample of another zone (the error is
// about the sample spacing, 0.2 mm, the same for dots and area samples, against bands of
// 1.2-1.6 mm). Each band's density is counted as dots / (sum over its samples of the sample's
// area x the peak density of its zone), so zones of different densities compare; the
// transition band's falloff is not modelled (its density falls towards the hairline, away from
// the border, so its outer band reads a few per cent low, which makes the ratio a little kinder
// to a lane on that border only).

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/poisson_sampling.h"
#include "stipple/core/scalp_region.h"

namespace stipple::test {

struct LaneBand {
    double dots = 0;     // dots counted in the band
    double expected = 0; // sum of sample area x zone peak density
    double ratio() const { return expected > 0 ? dots / expected : 0; }
};

struct BorderLane {
    ZoneId a = ZoneId::Count, b = ZoneId::Count; // a < b
    double spacing_mm = 0;                        // mean of the two zones' hexagonal spacings
    LaneBand border, side_a, side_b;
    // The border band's density against the mean of the bands either side.
    double ratio() const {
        const double sides = 0.5 * (side_a.ratio() + side_b.ratio());
        return sides > 0 ? border.ratio() / sides : 0;
    }
};

namespace lane_detail {

constexpr double kSamplesPerMm2 = 25;
constexpr double kCellMm = 1.0;

inline long long cellKey(const glm::vec3& p) {
    const auto c = [](float v) { return (long long)std::floor(v / kCellMm) & 0x1fffff; };
    return (c(p.x) << 42) | (c(p.y) << 21) | c(p.z);
}

struct Sample {
    glm::vec3 p;
    int8_t zone;
};

} // namespace lane_detail

// `peak_per_cm2[z]`: zone z's peak density (density mode: the zone's density_per_cm2); zones
// with 0 are not measured. Returns one BorderLane per pair of zones that share a border.
inline std::vector<BorderLane> measureLanes(const HeadModel& head, const ScalpRegion& region,
                                            const FollicleSet& set,
                                            const std::array<double, size_t(ZoneId::Count)>&
                                                peak_per_cm2) {
    using namespace lane_detail;
    const Mesh& mesh = head.mesh;
    const auto spacing = [](double per_cm2) {
        return std::sqrt(2.0 / (std::sqrt(3.0) * per_cm2 / 100));
    };
    double max_spacing = 0;
    for (double d : peak_per_cm2)
        if (d > 0) max_spacing = std::max(max_spacing, spacing(d));
    const double reach = 1.5 * max_spacing + 1.0; // the outer bands end at 1.5 spacings
    std::vector<Sample> samples;
    for (size_t t = 0; t < mesh.triangles.size(); ++t) {
        const glm::uvec3 tri = mesh.triangles[t];
        const glm::dvec3 a = mesh.positions[tri.x], b = mesh.positions[tri.y],
                         c = mesh.positions[tri.z];
        const double edge =
            std::max({glm::length(b - a), glm::length(c - b), glm::length(a - c)});
        const ZonePoint centre = region.classify((a + b + c) / 3.0);
        if (centre.inside && centre.zone_margin_mm > reach + edge) continue;
        if (!centre.inside && centre.margin_mm > edge + 1.0) continue;
        const double area = 0.5 * glm::length(glm::cross(b - a, c - a));
        const double expected = area * kSamplesPerMm2;
        size_t n = size_t(expected);
        if (unitOf(hashOf(0x1A4E, t)) < expected - double(n)) ++n;
        for (size_t j = 0; j < n; ++j) {
            double u = unitOf(hashOf(0x1A4E, t, j, 1)), v = unitOf(hashOf(0x1A4E, t, j, 2));
            if (u + v > 1) u = 1 - u, v = 1 - v;
            const glm::dvec3 p = a + u * (b - a) + v * (c - a);
            const ZonePoint zp = region.classify(p);
            if (!zp.inside || peak_per_cm2[size_t(zp.zone)] <= 0) continue;
            samples.push_back({glm::vec3(p), int8_t(zp.zone)});
        }
    }
    std::unordered_map<long long, std::vector<uint32_t>> grid;
    for (uint32_t i = 0; i < samples.size(); ++i)
        grid[cellKey(samples[i].p)].push_back(i);
    // Distance from p (in `zone`) to the nearest sample of another zone, and that zone.
    const int rings = int(std::ceil(reach / kCellMm));
    const auto nearestOther = [&](const glm::vec3& p, int8_t zone) {
        double best = 1e30;
        int8_t other = -1;
        const long long cx = (long long)std::floor(p.x / kCellMm),
                        cy = (long long)std::floor(p.y / kCellMm),
                        cz = (long long)std::floor(p.z / kCellMm);
        for (long long dx = -rings; dx <= rings; ++dx)
            for (long long dy = -rings; dy <= rings; ++dy)
                for (long long dz = -rings; dz <= rings; ++dz) {
                    const glm::vec3 q((cx + dx + 0.5) * kCellMm, (cy + dy + 0.5) * kCellMm,
                                      (cz + dz + 0.5) * kCellMm);
                    auto it = grid.find(cellKey(q));
                    if (it == grid.end()) continue;
                    for (uint32_t i : it->second) {
                        if (samples[i].zone == zone) continue;
                        const double d = glm::length(samples[i].p - p);
                        if (d < best) best = d, other = samples[i].zone;
                    }
                }
        return std::make_pair(best, other);
    };
    std::map<std::pair<int, int>, BorderLane> lanes;
    // Adds weight w at p of `zone` to the band it falls in.
    const auto add = [&](const glm::vec3& p, int8_t zone, bool is_dot, double w) {
        const auto [d, other] = nearestOther(p, zone);
        if (other < 0) return;
        const int a = std::min<int>(zone, other), b = std::max<int>(zone, other);
        BorderLane& lane = lanes[{a, b}];
        lane.a = ZoneId(a);
        lane.b = ZoneId(b);
        lane.spacing_mm = 0.5 * (spacing(peak_per_cm2[size_t(a)]) + spacing(peak_per_cm2[size_t(b)]));
        const double s = lane.spacing_mm;
        LaneBand* band = nullptr;
        if (d < 0.5 * s)
            band = &lane.border;
        else if (d < 1.5 * s)
            band = zone == a ? &lane.side_a : &lane.side_b;
        if (!band) return;
        if (is_dot)
            band->dots += 1;
        else
            band->expected += w * peak_per_cm2[size_t(zone)] / 100;
    };
    for (const Sample& s : samples)
        add(s.p, s.zone, false, 1.0 / kSamplesPerMm2);
    for (const Dot& dot : set.dots) {
        if (peak_per_cm2[size_t(dot.zone)] <= 0) continue;
        const ZonePoint zp = region.classify(dot.position_mm);
        if (!zp.inside || zp.zone_margin_mm > reach) continue;
        add(dot.position_mm, int8_t(dot.zone), true, 0);
    }
    std::vector<BorderLane> out;
    for (auto& [key, lane] : lanes)
        out.push_back(lane);
    return out;
}

} // namespace stipple::test
