// Follicle dots: the merge of the sampled zones, scars and figures (assembleFollicles()), and
// generateFollicles(), the composition of the stages in follicle_stages.h (where the sampling
// itself and its references are).

#include "stipple/core/follicles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

#include "stipple/core/follicle_stages.h"
#include "stipple/core/poisson_sampling.h"
#include "stipple/core/scalp_region.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Ideal hexagonal spacing (mm) at `per_mm2` dots per mm^2.
double hexSpacingMm(double per_mm2) {
    return std::sqrt(2.0 / (std::sqrt(3.0) * per_mm2));
}

// Projects a design point onto the outer surface through the chart.
glm::dvec3 project(const PolarChart& chart, const glm::dvec3& p) {
    return chart.surfacePoint(chart.thetaOf(p), chart.phiOf(p));
}

double distanceToSegment(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b) {
    const glm::dvec3 ab = b - a;
    const double len2 = glm::dot(ab, ab);
    const double t = len2 > 0 ? std::clamp(glm::dot(p - a, ab) / len2, 0.0, 1.0) : 0.0;
    return glm::length(p - (a + t * ab));
}

// Tangent basis around unit normal n.
void tangentBasis(const glm::dvec3& n, glm::dvec3& e1, glm::dvec3& e2) {
    const glm::dvec3 helper = std::abs(n.y) < 0.9 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
    e1 = glm::normalize(glm::cross(helper, n));
    e2 = glm::cross(n, e1);
}

// The design's scars realised on this head (FUE scars placed from `seed`). Throws for a scar
// that cannot be realised, naming /scars/<i>/...; warns for one partly off the scalp.
std::vector<ScarRegion> buildScars(const std::vector<ScarSpec>& specs, uint64_t seed,
                                   const ScalpRegion& region, const std::string& file,
                                   std::vector<Problem>& warnings) {
    const PolarChart& chart = region.chart();
    std::vector<ScarRegion> scars;
    for (size_t i = 0; i < specs.size(); ++i) {
        const ScarSpec& spec = specs[i];
        const std::string pointer = "/scars/" + std::to_string(i);
        ScarRegion scar;
        scar.type = spec.type;
        scar.design_index = i;
        scar.camouflage = spec.camouflage;
        const size_t needed = spec.type == ScarType::Polygon ? 3
                              : spec.type == ScarType::Strip ? 2
                                                             : 1;
        if (spec.points_mm.size() < needed)
            throw Error("needs at least " + std::to_string(needed) + " point(s), found " +
                            std::to_string(spec.points_mm.size()),
                        file, pointer + "/points_mm");
        std::vector<glm::dvec3> projected;
        for (const glm::dvec3& p : spec.points_mm)
            projected.push_back(project(chart, p));
        glm::dvec3 mean(0);
        for (const glm::dvec3& p : projected)
            mean += p;
        mean /= double(projected.size());
        scar.normal = glm::normalize(mean - chart.centre());
        switch (spec.type) {
        case ScarType::Strip: {
            if (!(spec.width_mm > 0) || spec.width_mm > 60)
                throw Error("width_mm is " + formatFixed(spec.width_mm) + "; accepted 0.5..30",
                            file, pointer + "/width_mm");
            scar.width_mm = spec.width_mm;
            // Densify so chords stay on the surface (5 mm steps: 0.03 mm sagitta on a head).
            double length = 0;
            scar.points_mm.push_back(projected.front());
            for (size_t k = 1; k < projected.size(); ++k) {
                const glm::dvec3 a = spec.points_mm[k - 1], b = spec.points_mm[k];
                const int steps =
                    std::max(1, int(std::ceil(glm::length(projected[k] - projected[k - 1]) / 5)));
                for (int s = 1; s <= steps; ++s) {
                    const glm::dvec3 q = project(chart, a + (b - a) * (double(s) / steps));
                    length += glm::length(q - scar.points_mm.back());
                    scar.points_mm.push_back(q);
                }
            }
            scar.area_cm2 = length * spec.width_mm / 100;
            break;
        }
        case ScarType::Fue: {
            if (!(spec.radius_mm > 0) || spec.radius_mm > 150)
                throw Error("radius_mm is " + formatFixed(spec.radius_mm) + "; accepted 5..120",
                            file, pointer + "/radius_mm");
            if (spec.count < 1 || spec.count > 20000)
                throw Error("count is " + std::to_string(spec.count) + "; accepted 1..5000", file,
                            pointer + "/count");
            if (!(spec.scar_diameter_mm > 0) || spec.scar_diameter_mm > 5)
                throw Error("scar_diameter_mm is " + formatFixed(spec.scar_diameter_mm) +
                                "; accepted 0.5..2",
                            file, pointer + "/scar_diameter_mm");
            scar.points_mm = {projected.front()};
            glm::dvec3 e1, e2;
            const glm::dvec3 n = glm::normalize(projected.front() - chart.centre());
            tangentBasis(n, e1, e2);
            for (int k = 0; k < spec.count; ++k) {
                const uint64_t h = hashOf(seed, 0xF0E5, i, uint64_t(k));
                const double rho = spec.radius_mm * std::sqrt(unitOf(h));
                const double angle = 2 * kPi * unitOf(mixHash(h));
                const glm::dvec3 q = project(
                    chart, projected.front() + rho * (std::cos(angle) * e1 + std::sin(angle) * e2));
                scar.discs_mm.emplace_back(q, spec.scar_diameter_mm);
            }
            scar.area_cm2 =
                spec.count * kPi * 0.25 * spec.scar_diameter_mm * spec.scar_diameter_mm / 100;
            break;
        }
        case ScarType::Polygon: {
            scar.points_mm = projected;
            glm::dvec3 e1, e2;
            tangentBasis(scar.normal, e1, e2);
            double area = 0;
            for (size_t k = 0; k < projected.size(); ++k) {
                const glm::dvec3 a = projected[k], b = projected[(k + 1) % projected.size()];
                area += glm::dot(a, e1) * glm::dot(b, e2) - glm::dot(b, e1) * glm::dot(a, e2);
            }
            scar.area_cm2 = std::abs(area) / 2 / 100;
            break;
        }
        }
        // A scar has to be on the scalp to be camouflaged or drawn on it.
        size_t outside = 0, total = 0;
        auto check = [&](const glm::dvec3& p) {
            ++total;
            if (!region.classify(p).inside) ++outside;
        };
        if (scar.type == ScarType::Fue)
            for (const glm::dvec4& d : scar.discs_mm)
                check(glm::dvec3(d));
        else
            for (const glm::dvec3& p : scar.points_mm)
                check(p);
        if (outside == total)
            throw Error("the scar lies entirely outside the scalp region (below the hairline or "
                        "off the head); give points on the treated scalp, head frame in mm",
                        file, pointer + "/points_mm");
        if (outside > 0)
            warnings.push_back({file, pointer + "/points_mm",
                                std::to_string(outside) + " of " + std::to_string(total) +
                                    " scar points lie outside the scalp region; only the part "
                                    "on the scalp gets dots",
                                true});
        scars.push_back(std::move(scar));
    }
    return scars;
}

} // namespace

bool ScarRegion::contains(const glm::dvec3& p) const {
    switch (type) {
    case ScarType::Strip:
        for (size_t k = 1; k < points_mm.size(); ++k)
            if (distanceToSegment(p, points_mm[k - 1], points_mm[k]) <= 0.5 * width_mm) return true;
        return points_mm.size() == 1 && glm::length(p - points_mm[0]) <= 0.5 * width_mm;
    case ScarType::Fue:
        for (const glm::dvec4& d : discs_mm)
            if (glm::length(p - glm::dvec3(d)) <= 0.5 * d.w) return true;
        return false;
    case ScarType::Polygon: {
        // Even-odd test in the tangent plane of the scar's mean direction; points on the far
        // side of the head are excluded by the normal.
        glm::dvec3 e1, e2;
        tangentBasis(normal, e1, e2);
        glm::dvec3 mean(0);
        for (const glm::dvec3& q : points_mm)
            mean += q;
        mean /= double(points_mm.size());
        if (glm::dot(p - mean, normal) < -40) return false;
        const glm::dvec2 q(glm::dot(p, e1), glm::dot(p, e2));
        bool in = false;
        for (size_t a = 0, b = points_mm.size() - 1; a < points_mm.size(); b = a++) {
            const glm::dvec2 pa(glm::dot(points_mm[a], e1), glm::dot(points_mm[a], e2));
            const glm::dvec2 pb(glm::dot(points_mm[b], e1), glm::dot(points_mm[b], e2));
            if ((pa.y > q.y) != (pb.y > q.y) &&
                q.x < (pb.x - pa.x) * (q.y - pa.y) / (pb.y - pa.y) + pa.x)
                in = !in;
        }
        return in;
    }
    }
    return false;
}

namespace {

// Removes the dots inside scars without camouflage (and their densities); counts each scar's
// dots.
void applyScars(std::vector<ScarRegion>& scars, std::vector<Dot>& dots,
                std::vector<float>& local_density) {
    if (scars.empty()) return;
    std::vector<Dot> kept_dots;
    std::vector<float> kept_densities;
    for (size_t i = 0; i < dots.size(); ++i) {
        const glm::dvec3 p = dots[i].position_mm;
        bool removed = false;
        for (ScarRegion& scar : scars)
            if (scar.contains(p)) {
                ++scar.dots;
                removed = removed || !scar.camouflage;
            }
        if (removed) continue;
        kept_dots.push_back(dots[i]);
        kept_densities.push_back(local_density[i]);
    }
    dots.swap(kept_dots);
    local_density.swap(kept_densities);
}

bool sampled(const ZoneDots* zone) {
    return zone && zone->sampled;
}

// Zone statistics, treated area, and the dots outside their zone. Every dot is classified
// again, from its stored position (no shortcut through the bounds the sampler used: this figure
// checks them).
void zoneFigures(const FollicleRegion& region, const PerZone<const ZoneDots*>& zones,
                 FollicleSet& result) {
    for (size_t z = 0; z < zones.size(); ++z) {
        ZoneStats stats;
        stats.id = ZoneId(z);
        const double area_mm2 = region.areaMm2(ZoneId(z));
        stats.area_cm2 = area_mm2 / 100;
        stats.target_density_per_cm2 =
            sampled(zones[z]) && area_mm2 > 0 ? 100 * zones[z]->target_dots / area_mm2 : 0;
        result.zones.push_back(stats);
        if (sampled(zones[z])) result.area_cm2 += stats.area_cm2;
    }
    for (const Dot& dot : result.dots)
        ++result.zones[size_t(dot.zone)].dots;
    for (ZoneStats& stats : result.zones)
        stats.density_per_cm2 = stats.area_cm2 > 0 ? double(stats.dots) / stats.area_cm2 : 0;
    for (const Dot& dot : result.dots) {
        const ZonePoint zp = region.scalp().classify(dot.position_mm);
        if (!zp.inside || zp.zone != dot.zone || !sampled(zones[size_t(dot.zone)]))
            ++result.outside_region;
    }
}

// Spacing figures: each dot's nearest neighbour as a ratio of the ideal hexagonal spacing, a
// pair judged against the mean of both dots' spacings (the variable-radius Poisson-disk
// convention): across a border between 40 and 65 dots/cm2, two dots are as close as the mean
// of the two zones' spacings allows, not as the sparser zone alone would.
// The minimum and mean of the finite nearestSpacingRatios() of `points` ({0, 0} when none).
std::pair<double, double> spacingRatioFigures(const std::vector<glm::vec3>& points,
                                              const std::vector<float>& spacing) {
    double min_ratio = std::numeric_limits<double>::max(), sum = 0;
    size_t n = 0;
    for (float ratio : nearestSpacingRatios(points, spacing)) {
        if (!std::isfinite(ratio)) continue;
        min_ratio = std::min(min_ratio, double(ratio));
        sum += ratio;
        ++n;
    }
    if (n == 0) return {0, 0};
    return {min_ratio, sum / double(n)};
}

void spacingFigures(const std::vector<float>& local_density, FollicleSet& result) {
    if (result.dots.empty()) return;
    std::vector<glm::vec3> points(result.dots.size());
    std::vector<float> spacing(result.dots.size());
    for (size_t i = 0; i < points.size(); ++i) {
        points[i] = result.dots[i].position_mm;
        spacing[i] = float(hexSpacingMm(local_density[i]));
    }
    std::tie(result.nn_min_ratio, result.nn_mean_ratio) = spacingRatioFigures(points, spacing);
}

// Borders (docs/follicles.md, "Borders"). Each zone samples up to its borders (its own
// candidates only, see follicle_stages.cpp), so two zones' dots can come closer across a border
// than one zone's would. One Poisson-disk selection over the merged dots, each with the radius
// kBorderRadiusFactor x the hexagonal spacing at its local density, keeps the blue-noise
// spacing across the border: that radius is below every zone's own selection radius (0.653 x
// the spacing at least), so only pairs of different zones can conflict, and a dot is dropped
// only for a closer dot of another zone. The selection is a pure function of the dots: after a
// one-zone edit, another zone's dots differ only where they had such a neighbour in the edited
// zone, or (along a chain of such pairs at a junction of three zones) in a zone that had.
constexpr double kBorderRadiusFactor = 0.65;

// Drops the dots that come closer than kBorderRadiusFactor x the spacing to a dot of another
// zone (see above); returns how many were dropped. Keeps the order of the rest.
size_t resolveBorders(std::vector<Dot>& dots, std::vector<float>& local_density, uint64_t seed) {
    if (dots.empty()) return 0;
    std::vector<SampleCandidate> candidates(dots.size());
    float r_max = 0;
    for (size_t i = 0; i < dots.size(); ++i) {
        SampleCandidate& c = candidates[i];
        c.position = dots[i].position_mm;
        c.radius_mm = float(kBorderRadiusFactor * hexSpacingMm(local_density[i]));
        c.triangle = dots[i].triangle;
        c.index = uint32_t(i);
        c.priority = uint32_t(hashOf(seed, 0xB0DE, dots[i].id) >> 32);
        r_max = std::max(r_max, c.radius_mm);
    }
    const std::vector<SampleCandidate> kept = selectPoissonDisk(candidates, r_max);
    if (kept.size() == dots.size()) return 0;
    std::vector<uint8_t> keep(dots.size(), 0);
    for (const SampleCandidate& c : kept)
        keep[c.index] = 1;
    size_t out = 0;
    for (size_t i = 0; i < dots.size(); ++i) {
        if (!keep[i]) continue;
        dots[out] = dots[i];
        local_density[out] = local_density[i];
        ++out;
    }
    const size_t dropped = dots.size() - out;
    dots.resize(out);
    local_density.resize(out);
    return dropped;
}

// Sessions (docs/follicles.md, "Sessions"). The final set is thinned into nested blue-noise
// subsets from the last session back to the first, as in progressive Poisson-disk sets: session
// k's dots are what weighted sample elimination (Yuksel 2015, eliminateSamples()) keeps of
// session k + 1's, round(share_k x the final count) of them, each judged against the
// hexagonal spacing at share_k x its local density. Each set is then blue noise at its own
// density and a subset of the next, and the last session is the whole design.
//
// Pairs closer than this fraction of their hexagonal spacing go first: the blue-noise
// floor, 0.65, with a little room for the float positions.
constexpr double kSessionFloorRatio = 0.655;
// When the pool cannot hold share x the final count without a pair under the floor, up to this
// fraction fewer are kept (the count is then that much under the plan; measured on the bundled
// designs: at most 3.9% under, in session 2 of 4).
constexpr double kSessionCountTolerance = 0.05;

// The dots of `pool` (indices into dots) that stay in the earlier session with cumulative share
// `share` of `final_count`.
std::vector<uint32_t> thinToSession(const std::vector<Dot>& dots,
                                    const std::vector<float>& local_density,
                                    const std::vector<uint32_t>& pool, double share,
                                    size_t final_count) {
    std::vector<glm::vec3> points(pool.size());
    std::vector<float> spacing(pool.size());
    for (size_t k = 0; k < pool.size(); ++k) {
        points[k] = dots[pool[k]].position_mm;
        spacing[k] = float(hexSpacingMm(share * local_density[pool[k]]));
    }
    const size_t keep = size_t(std::llround(share * double(final_count)));
    const size_t min_keep = size_t(std::ceil((1 - kSessionCountTolerance) * double(keep)));
    std::vector<uint32_t> out;
    for (uint32_t k : eliminateSamples(points, spacing, keep, kSessionFloorRatio, min_keep))
        out.push_back(pool[k]);
    return out;
}

// Spacing of the dots `which` against the hexagonal spacing at share x their local densities.
void sessionSpacing(const std::vector<Dot>& dots, const std::vector<float>& local_density,
                    const std::vector<uint32_t>& which, double share, SessionFigures& figures) {
    std::vector<glm::vec3> points(which.size());
    std::vector<float> spacing(which.size());
    for (size_t k = 0; k < which.size(); ++k) {
        points[k] = dots[which[k]].position_mm;
        spacing[k] = float(hexSpacingMm(share * local_density[which[k]]));
    }
    std::tie(figures.nn_min_ratio, figures.nn_mean_ratio) = spacingRatioFigures(points, spacing);
}

void validateImpressions(int impressions_per_session, const std::string& file) {
    if (impressions_per_session <= 0)
        throw Error("impressions_per_session is " + std::to_string(impressions_per_session) +
                        "; accepted 1000..50000",
                    file, "/impressions_per_session");
}

} // namespace

FollicleSet assembleFollicles(const HeadModel& head, const FollicleRegion& region,
                              const PerZone<const ZoneDots*>& zones,
                              const std::vector<ScarSpec>& scars, int impressions_per_session,
                              const std::string& file, std::vector<Problem>& warnings,
                              SessionLabels labels) {
    // Not input-reachable: the Session builds the region on the head it passes.
    STIPPLE_ASSERT(head.mesh.triangles.size() == region.triangleCount(),
                   "assembleFollicles(): the head is not the one the region was built on");
    validateImpressions(impressions_per_session, file);
    FollicleSet result;
    size_t count = 0;
    for (const ZoneDots* zone : zones)
        if (sampled(zone)) count += zone->dots.size();
    std::vector<float> local_density;
    result.dots.reserve(count);
    local_density.reserve(count);
    for (size_t z = 0; z < zones.size(); ++z) {
        if (!sampled(zones[z])) continue;
        // Not input-reachable: the Session passes sampleZones()' results in zone order.
        STIPPLE_ASSERT(zones[z]->zone == ZoneId(z) &&
                           zones[z]->dots.size() == zones[z]->local_density_per_mm2.size(),
                       "assembleFollicles(): zones[z] must be zone z's dots from sampleZone()");
        result.dots.insert(result.dots.end(), zones[z]->dots.begin(), zones[z]->dots.end());
        local_density.insert(local_density.end(), zones[z]->local_density_per_mm2.begin(),
                             zones[z]->local_density_per_mm2.end());
    }
    result.border_dropped = resolveBorders(result.dots, local_density, region.seed());
    result.scars = buildScars(scars, region.seed(), region.scalp(), file, warnings);
    applyScars(result.scars, result.dots, local_density);
    zoneFigures(region, zones, result);
    spacingFigures(local_density, result);
    result.impressions_per_session = size_t(impressions_per_session);
    result.sessions = double(result.dots.size()) / impressions_per_session;
    result.session_count = sessionCount(result.dots.size(), impressions_per_session);
    for (Dot& dot : result.dots)
        dot.session = 0;
    result.local_density_per_mm2 = std::move(local_density);
    if (labels == SessionLabels::Now) labelSessions(result);
    const HairlineCurve& line = region.scalp().hairline();
    result.hairline.front_line_mm = line.front_line_mm;
    result.hairline.outline_mm = line.outline_mm;
    result.hairline.frontal_height_mm = line.frontal_height_mm;
    result.hairline.asymmetry_mm = line.asymmetry_mm;
    result.warnings = warnings;
    return result;
}

int sessionCount(size_t dots, int impressions_per_session) {
    STIPPLE_ASSERT(impressions_per_session > 0,
                   "sessionCount(): impressions_per_session must be > 0");
    return dots > 3 * size_t(impressions_per_session) ? 4 : 3;
}

double sessionShare(int count, int session) {
    STIPPLE_ASSERT(count >= 3 && count <= 4 && session >= 1 && session <= count,
                   "sessionShare(): count must be 3 or 4 and session in 1..count");
    static constexpr double kThree[3] = {0.4, 0.7, 1.0};
    static constexpr double kFour[4] = {0.35, 0.6, 0.85, 1.0};
    return count == 3 ? kThree[session - 1] : kFour[session - 1];
}

void labelSessions(FollicleSet& result) {
    // Not input-reachable: the merge stores one density per dot; a cut set is never relabelled.
    STIPPLE_ASSERT(result.shown_session == 0 &&
                       result.local_density_per_mm2.size() == result.dots.size(),
                   "labelSessions(): `set` must be a whole set with one local density per dot");
    if (result.sessions_labelled) return;
    std::vector<Dot>& dots = result.dots;
    const std::vector<float>& local_density = result.local_density_per_mm2;
    const int count = sessionCount(dots.size(), int(result.impressions_per_session));
    result.session_count = count;
    result.session_figures.assign(size_t(count), SessionFigures{});
    std::vector<uint32_t> pool(dots.size());
    for (size_t i = 0; i < dots.size(); ++i)
        pool[i] = uint32_t(i);
    for (int k = count; k >= 1; --k) {
        const double share = sessionShare(count, k);
        if (k < count) pool = thinToSession(dots, local_density, pool, share, dots.size());
        for (uint32_t i : pool)
            dots[i].session = uint8_t(k);
        SessionFigures& figures = result.session_figures[size_t(k - 1)];
        figures.session = k;
        figures.share = share;
        figures.dots = pool.size();
        sessionSpacing(dots, local_density, pool, share, figures);
    }
    for (int k = count; k >= 1; --k) {
        SessionFigures& figures = result.session_figures[size_t(k - 1)];
        figures.new_dots = figures.dots - (k > 1 ? result.session_figures[size_t(k - 2)].dots : 0);
    }
    result.sessions_labelled = true;
}

FollicleSet dotsAfterSession(const FollicleSet& set, int session, const std::string& option) {
    // Not input-reachable: the Session labels the set before it cuts it.
    STIPPLE_ASSERT(set.shown_session == 0 && set.sessions_labelled,
                   "dotsAfterSession(): `set` must be a whole, labelled set");
    if (session < 1 || session > set.session_count)
        throw Error("session " + std::to_string(session) + " does not exist; this design has " +
                        std::to_string(set.session_count) + " sessions, accepted 1.." +
                        std::to_string(set.session_count),
                    "", option);
    // Every figure of the whole set, then the dots and the figures that follow them replaced
    // (a field-by-field copy would silently drop any figure added later).
    FollicleSet out = set;
    out.dots.clear();
    out.shown_session = session;
    const SessionFigures& figures = set.session_figures[size_t(session - 1)];
    out.nn_min_ratio = figures.nn_min_ratio;
    out.nn_mean_ratio = figures.nn_mean_ratio;
    out.dots.reserve(figures.dots);
    out.local_density_per_mm2.clear();
    for (size_t i = 0; i < set.dots.size(); ++i) {
        if (set.dots[i].session > session) continue;
        out.dots.push_back(set.dots[i]);
        out.local_density_per_mm2.push_back(set.local_density_per_mm2[i]);
    }
    for (ZoneStats& stats : out.zones)
        stats.dots = 0;
    for (const Dot& dot : out.dots)
        ++out.zones[size_t(dot.zone)].dots;
    for (ZoneStats& stats : out.zones)
        stats.density_per_cm2 = stats.area_cm2 > 0 ? double(stats.dots) / stats.area_cm2 : 0;
    // A scar without camouflage counts the dots it removed from the whole design.
    for (ScarRegion& scar : out.scars) {
        if (!scar.camouflage) continue;
        scar.dots = 0;
        for (const Dot& dot : out.dots)
            if (scar.contains(dot.position_mm)) ++scar.dots;
    }
    return out;
}

FollicleSet generateFollicles(const HeadModel& head, const Design& design) {
    const std::string file = design.source.string();
    std::vector<Problem> warnings;
    const FollicleRegion region(head, design.hairline, design.seed,
                                design.density_mask ? &*design.density_mask : nullptr, file,
                                warnings);
    validateImpressions(design.impressions_per_session, file);
    const ZoneSettings settings = zoneSettings(design);
    const PerZone<double> peaks = zonePeaks(region, settings, file, warnings);
    PerZone<bool> all;
    all.fill(true);
    SamplingScratch scratch;
    const PerZone<ZoneDots> zones = sampleZones(head, region, settings.zones, peaks, all, &scratch);
    PerZone<const ZoneDots*> merged{};
    for (size_t z = 0; z < zones.size(); ++z)
        merged[z] = &zones[z];
    return assembleFollicles(head, region, merged, design.scars, design.impressions_per_session,
                             file, warnings);
}

} // namespace stipple
