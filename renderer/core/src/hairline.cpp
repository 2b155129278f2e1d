// The designed hairline (see hairline.h for the templates and their control points). Every
// length is measured on the surface through the polar chart; the anatomical proportions come
// from DESIGN.md "Domain facts" (mid-frontal point 7-10 cm above the glabella, frontotemporal
// corner on the line through the outer eye corner, temporal peaks, up to 2 mm asymmetry).

#include "stipple/core/hairline.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "stipple/core/poisson_sampling.h"
#include "stipple/core/scalp_region.h" // valueNoise3

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr int kColumns = PolarChart::kThetaSteps;
constexpr double kColumnDeg = 360.0 / kColumns;

double smoothstep(double e0, double e1, double x) {
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

struct Control {
    double theta = 0; // radians
    double s = 0;     // surface distance from the top, mm
};

// Linear interpolation of periodic controls (sorted by theta, spanning -pi..pi) at a column.
double interpolate(const std::vector<Control>& controls, double theta) {
    for (size_t k = 1; k < controls.size(); ++k)
        if (theta <= controls[k].theta) {
            const Control& a = controls[k - 1];
            const Control& b = controls[k];
            const double w = b.theta > a.theta ? (theta - a.theta) / (b.theta - a.theta) : 0;
            return a.s + w * (b.s - a.s);
        }
    return controls.back().s;
}

// The first point where the ray origin + t dir (t in 0..300 mm, origin inside the head)
// leaves the chart's outer surface: bisection on "outside the chart radius".
glm::dvec3 surfaceAlong(const PolarChart& chart, const glm::dvec3& origin, const glm::dvec3& dir) {
    auto outside = [&](double t) {
        const glm::dvec3 p = origin + t * dir;
        return glm::length(p - chart.centre()) > chart.radius(chart.thetaOf(p), chart.phiOf(p));
    };
    double lo = 0, hi = 300;
    if (outside(lo)) return origin;
    for (int it = 0; it < 40; ++it) {
        const double mid = 0.5 * (lo + hi);
        (outside(mid) ? hi : lo) = mid;
    }
    return origin + hi * dir;
}

// Projects a point onto the outer surface along the ray from the chart centre.
glm::dvec3 onSurface(const PolarChart& chart, const glm::dvec3& p) {
    return chart.surfacePoint(chart.thetaOf(p), chart.phiOf(p));
}

} // namespace

double HairlineCurve::lineAt(double theta) const {
    double f = (theta + kPi) / (2 * kPi) * kColumns;
    f -= std::floor(f / kColumns) * kColumns;
    const int i0 = std::min(int(f), kColumns - 1);
    const int i1 = (i0 + 1) % kColumns;
    const double w = f - i0;
    return line_s[size_t(i0)] * (1 - w) + line_s[size_t(i1)] * w;
}

HairlineCurve buildHairline(const PolarChart& chart, const Landmarks& landmarks,
                            const HairlineSpec& spec, uint64_t seed, const std::string& file,
                            std::vector<Problem>& warnings) {
    auto warn = [&](const std::string& pointer, const std::string& message) {
        warnings.push_back(Problem{file, pointer, message, true});
    };
    const double H = spec.frontal_height_mm;
    const double glabella_y = landmarks.glabella.y;
    auto browDistance = [&](double theta) {
        return chart.surfaceDistance(theta, chart.phiAtHeight(theta, glabella_y));
    };
    auto levelDistance = [&](double theta, double y) {
        return chart.surfaceDistance(theta, chart.phiAtHeight(theta, y));
    };

    HairlineCurve curve;
    curve.brow_distance_mm = chart.surfaceDistance(landmarks.glabella);
    const double brow0 = browDistance(0);
    if (!(H > 0))
        throw Error("frontal_height_mm is " + formatFixed(H) +
                        "; it must be positive (accepted 60..110)",
                    file, "/hairline/frontal_height_mm");
    // The line must stay clearly below the top of the head: 15 mm leaves room for the
    // transition zone and the crown.
    if (brow0 - H < 15)
        throw Error("frontal_height_mm " + formatFixed(H) +
                        " puts the hairline above the top of the head: "
                        "this head measures " +
                        formatFixed(brow0) +
                        " mm from the glabella to the top along "
                        "the surface; accepted 60..110 and at most " +
                        formatFixed(brow0 - 15) + " here",
                    file, "/hairline/frontal_height_mm");
    if (H < 60 || H > 110)
        warn("/hairline/frontal_height_mm",
             formatFixed(H) +
                 " mm is outside the usual 60..110 mm (7 cm aggressive, 10 cm conservative)");
    if (!(spec.transition_mm > 0))
        throw Error("transition_mm is " + formatFixed(spec.transition_mm) + "; accepted 5..20",
                    file, "/hairline/transition_mm");
    if (spec.transition_mm < 5 || spec.transition_mm > 20)
        warn("/hairline/transition_mm",
             formatFixed(spec.transition_mm) + " mm is outside 5..20 mm");
    if (spec.asymmetry_mm < 0 || spec.asymmetry_mm > 5)
        throw Error("asymmetry_mm is " + formatFixed(spec.asymmetry_mm) + "; accepted 0..5", file,
                    "/hairline/asymmetry_mm");
    if (spec.irregularity_amplitude_mm < 0 || spec.irregularity_amplitude_mm > 10)
        throw Error("irregularity_amplitude_mm is " + formatFixed(spec.irregularity_amplitude_mm) +
                        "; accepted 0..5",
                    file, "/hairline/irregularity_amplitude_mm");
    if (!(spec.irregularity_scale_mm > 0))
        throw Error("irregularity_scale_mm is " + formatFixed(spec.irregularity_scale_mm) +
                        "; accepted 2..30",
                    file, "/hairline/irregularity_scale_mm");
    if (spec.shape != HairlineTemplate::Custom && !spec.control_points.empty())
        throw Error("control_points_mm are only used with \"template\": \"custom\"", file,
                    "/hairline/control_points_mm");

    // Template parameters.
    double R = std::max(0.0, spec.frontotemporal_recession_mm);
    double k = 0.25, amplitude = spec.irregularity_amplitude_mm;
    switch (spec.shape) {
    case HairlineTemplate::Natural:
        break;
    case HairlineTemplate::Defined:
        k = 0.05;
        amplitude *= 0.3;
        break;
    case HairlineTemplate::Soft:
        k = 0.35;
        amplitude *= 1.8;
        break;
    case HairlineTemplate::Receded:
        R += 20;
        k = 0.4;
        break;
    case HairlineTemplate::WidowsPeak:
        break;
    case HairlineTemplate::Custom:
        break;
    }
    const double P = std::max(0.0, spec.temporal_peak_mm);
    const double C = std::max(0.0, spec.ear_clearance_mm);
    const glm::dvec3 centre = chart.centre();
    const bool custom_shape = spec.shape == HairlineTemplate::Custom;
    // Sideburn bottom: at mid-ear height (the centre of the ear ellipse, 8 mm above the
    // tragus), 2 mm in front of the ellipse grown by the clearance.
    auto sideburn = [&](int side, const glm::dvec3& ear) {
        return surfaceAlong(chart, glm::dvec3(centre.x, ear.y + 8, ear.z + 10 + C),
                            glm::dvec3(side, 0, 0));
    };

    // Controls of one side; `side` is +1 for the subject's left (theta > 0), -1 for the right.
    auto sideControls = [&](int side, const glm::dvec3& ear) {
        std::vector<Control> c;
        auto front = [&](double deg, double h) {
            c.push_back({side * deg * kDeg, browDistance(side * deg * kDeg) - h});
        };
        auto level = [&](double theta, double y) { c.push_back({theta, levelDistance(theta, y)}); };
        const double theta_sideburn =
            std::atan2(std::abs(ear.x - centre.x), ear.z + 14 + C - centre.z);
        const double theta_behind =
            std::atan2(std::abs(ear.x - centre.x), ear.z - 42 - C - centre.z);
        if (custom_shape) {
            // Custom lines keep the azimuth controls (their own points replace the front ones).
            front(15, H + k * R);
            front(32, H + R);
            front(47, 0.8 * (H + R));
            front(60, 0.55 * (H + R) + P);
            level(side * std::min(70 * kDeg, theta_sideburn - 6 * kDeg), ear.y + 55);
            level(side * theta_sideburn, ear.y - 5);
        } else {
            // The front line is built in 3D below; its sideburn end anchors the ear arch.
            const glm::dvec3 sb = sideburn(side, ear);
            c.push_back({chart.thetaOf(sb), chart.surfaceDistance(sb)});
        }
        // The nape behind the ear.
        level(side * theta_behind, ear.y + spec.nape_height_mm);
        level(side * kPi, ear.y + spec.nape_height_mm - 8);
        return c;
    };
    std::vector<Control> controls = sideControls(+1, landmarks.ear_left);
    for (const Control& c : sideControls(-1, landmarks.ear_right))
        controls.push_back(c);
    controls.push_back({0, brow0 - H});

    // The front line, from one sideburn over the forehead to the other, is placed by
    // landmarks in 3D rather than by azimuth: near the top the chart's azimuths converge, so
    // a corner "at 32 deg" lands far inside the outer-eye-corner line and the temple becomes a
    // vertical cut. Controls (subject's right to left): sideburn S, temporal peak tip T (in
    // the side region, between the tragus and the outer eye corner, pointing forward),
    // frontotemporal corner F (on the outer-canthus line x = 0.62 ear_x, H + R up the
    // surface from the brow in that plane), an intermediate point K, optionally the widow's
    // peak W, and the mid-frontal point M. Between controls the line follows the straight
    // segment projected onto the surface, then is smoothed along its length in 3D.
    std::vector<glm::dvec3> front_3d; // right sideburn ... M ... left sideburn, ~1 mm steps
    if (!custom_shape) {
        // Walks up the surface in the plane x = x0 from brow level; returns the point arc_mm
        // along the surface.
        auto planeWalk = [&](double x0, double arc_mm) {
            const glm::dvec3 origin(x0, centre.y, centre.z);
            glm::dvec3 prev{0};
            bool started = false;
            double walked = 0;
            for (double a = 0; a <= 180; a += 0.25) {
                const glm::dvec3 q = surfaceAlong(
                    chart, origin, glm::dvec3(0, std::sin(a * kDeg), std::cos(a * kDeg)));
                if (!started) {
                    if (q.y >= glabella_y) {
                        started = true;
                        prev = q;
                    }
                    continue;
                }
                const double step = glm::length(q - prev);
                if (walked + step >= arc_mm)
                    return onSurface(chart, prev + (q - prev) * ((arc_mm - walked) / step));
                walked += step;
                prev = q;
            }
            return prev;
        };
        const double canthus_z = landmarks.glabella.z - 22; // outer eye corner, typical depth
        std::vector<glm::dvec3> knots;
        for (int side : {-1, +1}) {
            const glm::dvec3& ear = side > 0 ? landmarks.ear_left : landmarks.ear_right;
            const double ear_dx = std::abs(ear.x - centre.x);
            std::vector<glm::dvec3> half;
            const glm::dvec3 bottom = sideburn(side, ear);
            half.push_back(bottom);
            // The tip: further forward and a little lower for a more pronounced peak; about
            // brow height (at least 45 mm above the tragus), toward the outer eye corner.
            const double tip_z = ear.z + (canthus_z - ear.z) * (0.35 + 0.025 * P);
            const double tip_y = std::max(ear.y + 45, glabella_y) - 0.5 * P;
            const glm::dvec3 tip =
                surfaceAlong(chart, glm::dvec3(centre.x, tip_y, tip_z), glm::dvec3(side, 0, 0));
            const glm::dvec3 corner = planeWalk(centre.x + side * 0.62 * ear_dx, H + R);
            // Under the peak the line goes back to the sideburn's front edge, which runs
            // straight down in front of the ear to the sideburn's bottom.
            half.push_back(surfaceAlong(
                chart, glm::dvec3(centre.x, bottom.y + 0.45 * (tip.y - bottom.y), bottom.z + 3),
                glm::dvec3(side, 0, 0)));
            half.push_back(tip);
            half.push_back(corner);
            half.push_back(
                planeWalk(centre.x + side * 0.31 * ear_dx,
                          H + k * R + (spec.shape == HairlineTemplate::WidowsPeak ? 14 : 0)));
            if (spec.shape == HairlineTemplate::WidowsPeak)
                half.push_back(planeWalk(centre.x + side * 0.16 * ear_dx, H + 12));
            if (side < 0) {
                knots.insert(knots.end(), half.begin(), half.end());
                knots.push_back(planeWalk(centre.x, H));
            } else {
                knots.insert(knots.end(), half.rbegin(), half.rend());
            }
        }
        // Dense samples (~1 mm) along the projected segments.
        std::vector<glm::dvec3> dense;
        for (size_t i = 0; i + 1 < knots.size(); ++i) {
            const int n = std::max(1, int(std::ceil(glm::length(knots[i + 1] - knots[i]))));
            for (int j = 0; j < n; ++j)
                dense.push_back(
                    onSurface(chart, knots[i] + (knots[i + 1] - knots[i]) * (double(j) / n)));
        }
        dense.push_back(knots.back());
        // Side profile: Gaussian along the line (samples ~1 mm apart), ends held.
        const double sigma_mm = spec.side_profile == SideProfile::Sharp  ? 2.0
                                : spec.side_profile == SideProfile::Soft ? 10.0
                                                                         : 5.0;
        const int reach = int(std::ceil(3 * sigma_mm));
        std::vector<glm::dvec3> smooth(dense.size());
        for (size_t i = 0; i < dense.size(); ++i) {
            glm::dvec3 sum{0};
            double total = 0;
            for (int d = -reach; d <= reach; ++d) {
                const long j = long(i) + d;
                if (j < 0 || j >= long(dense.size())) continue;
                const double w = std::exp(-0.5 * (d / sigma_mm) * (d / sigma_mm));
                sum += w * dense[size_t(j)];
                total += w;
            }
            smooth[i] = onSurface(chart, sum / total);
        }
        front_3d = smooth;
    }

    // Custom control points replace the front controls over their azimuth range.
    double custom_lo = 0, custom_hi = 0;
    if (spec.shape == HairlineTemplate::Custom) {
        const auto& points = spec.control_points;
        if (points.size() < 3)
            throw Error("a custom hairline needs at least 3 control points, found " +
                            std::to_string(points.size()),
                        file, "/hairline/control_points_mm");
        std::vector<Control> custom;
        glm::dvec3 previous{0};
        for (size_t i = 0; i < points.size(); ++i) {
            const std::string pointer = "/hairline/control_points_mm/" + std::to_string(i);
            const double theta = chart.thetaOf(points[i]);
            const double phi = chart.phiOf(points[i]);
            const glm::dvec3 on_surface = chart.surfacePoint(theta, phi);
            const double s = chart.surfaceDistance(theta, phi);
            if (glm::length(on_surface - points[i]) > 30)
                warn(pointer, "the point is " + formatFixed(glm::length(on_surface - points[i])) +
                                  " mm from the surface; it was projected onto the scalp");
            if (s >= browDistance(theta) - 5)
                throw Error("the point lies at or below the brow line; a hairline point must be "
                            "above it",
                            file, pointer);
            if (s < 15)
                throw Error("the point is at the top of the head (" + formatFixed(s) +
                                " mm from the top); the hairline would be above the head",
                            file, pointer);
            if (i > 0) {
                const double gap = glm::length(on_surface - previous);
                if (gap < 2)
                    throw Error("overlaps control point " + std::to_string(i - 1) + " (" +
                                    formatFixed(gap, 2) +
                                    " mm apart; points must be at least 2 mm apart)",
                                file, pointer);
                if (theta >= custom.back().theta)
                    throw Error("control points must run from the subject's left (+X) to the "
                                "right (-X) over the forehead; this one is not to the right of "
                                "point " +
                                    std::to_string(i - 1),
                                file, pointer);
            }
            previous = on_surface;
            custom.push_back({theta, s});
        }
        custom_lo = custom.back().theta - 3 * kDeg;
        custom_hi = custom.front().theta + 3 * kDeg;
        std::vector<Control> kept;
        for (const Control& c : controls)
            if (c.theta < custom_lo || c.theta > custom_hi) kept.push_back(c);
        controls = kept;
        controls.insert(controls.end(), custom.begin(), custom.end());
    }
    std::sort(controls.begin(), controls.end(),
              [](const Control& a, const Control& b) { return a.theta < b.theta; });
    // Close the loop at +-pi with the average of both nape ends.
    const double nape = 0.5 * (controls.front().s + controls.back().s);
    controls.insert(controls.begin(), Control{-kPi - 1e-9, nape});
    controls.push_back(Control{kPi + 1e-9, nape});

    std::vector<double> line(kColumns);
    for (int i = 0; i < kColumns; ++i)
        line[size_t(i)] = interpolate(controls, PolarChart::thetaOfColumn(i));
    const double anchor = interpolate(controls, 0.0);

    // Side profile: Gaussian smoothing over azimuth.
    const double sigma_deg = spec.side_profile == SideProfile::Sharp  ? 1.0
                             : spec.side_profile == SideProfile::Soft ? 6.0
                                                                      : 3.0;
    {
        const int radius = int(std::ceil(3 * sigma_deg / kColumnDeg));
        std::vector<double> weights(size_t(2 * radius + 1));
        double total = 0;
        for (int d = -radius; d <= radius; ++d) {
            const double x = d * kColumnDeg / sigma_deg;
            weights[size_t(d + radius)] = std::exp(-0.5 * x * x);
            total += weights[size_t(d + radius)];
        }
        std::vector<double> smoothed(kColumns);
        for (int i = 0; i < kColumns; ++i) {
            double sum = 0;
            for (int d = -radius; d <= radius; ++d)
                sum += weights[size_t(d + radius)] *
                       line[size_t(((i + d) % kColumns + kColumns) % kColumns)];
            smoothed[size_t(i)] = sum / total;
        }
        line = smoothed;
    }
    // Re-anchor the mid-frontal point (smoothing a V or a curve moves its tip).
    const int column0 = kColumns / 2; // theta = 0
    const double shift = anchor - line[size_t(column0)];
    for (int i = 0; i < kColumns; ++i) {
        const double deg = std::abs(PolarChart::thetaOfColumn(i)) / kDeg;
        if (deg < 20) line[size_t(i)] += shift * 0.5 * (1 + std::cos(kPi * deg / 20));
    }
    // Temporal peaks: a V pointing down, 10 deg wide (kept sharp whatever the profile).
    for (int i = 0; i < kColumns; ++i) {
        const double theta = PolarChart::thetaOfColumn(i);
        for (int side : {+1, -1}) {
            const double centre_theta = side * 60 * kDeg;
            if (!custom_shape || (centre_theta > custom_lo && centre_theta < custom_hi))
                continue; // the 3D front line has its own peaks
            const double w = 1 - std::abs(theta - centre_theta) / (5 * kDeg);
            if (w > 0) line[size_t(i)] += P * w;
        }
    }
    // Around each ear: the line stays above an ellipse around the pinna grown by the clearance
    // (tragus at the front of an ear about 66 mm tall and 40 mm deep).
    for (const glm::dvec3& ear : {landmarks.ear_left, landmarks.ear_right}) {
        const double ear_theta = chart.thetaOf(ear);
        const double ay = 33 + C, az = 20 + C;
        const glm::dvec2 ec(ear.y + 8, ear.z - 12);
        for (int i = 0; i < kColumns; ++i) {
            double dtheta = PolarChart::thetaOfColumn(i) - ear_theta;
            dtheta -= 2 * kPi * std::round(dtheta / (2 * kPi));
            if (std::abs(dtheta) > 60 * kDeg) continue;
            for (int j = 0; j <= PolarChart::kPhiSteps; ++j) {
                const glm::dvec3 p = chart.nodePoint(i, j);
                if ((p.x - centre.x) * (ear.x - centre.x) <= 0) continue;
                if (std::abs(p.x - centre.x) < 0.5 * std::abs(ear.x - centre.x)) continue;
                const double qy = (p.y - ec.x) / ay, qz = (p.z - ec.y) / az;
                if (qy * qy + qz * qz < 1) {
                    line[size_t(i)] = std::min(line[size_t(i)], chart.nodeDistance(i, j));
                    break;
                }
            }
        }
    }

    auto pointOf = [&](double theta, double s) {
        return chart.surfacePoint(theta, chart.phiAtSurfaceDistance(theta, s));
    };
    auto pointsOf = [&](const std::vector<double>& s) {
        std::vector<glm::dvec3> points(kColumns);
        for (int i = 0; i < kColumns; ++i)
            points[size_t(i)] = pointOf(PolarChart::thetaOfColumn(i), s[size_t(i)]);
        return points;
    };
    // Moves a point along its meridian by ds (down the head for ds > 0).
    auto alongMeridian = [&](const glm::dvec3& p, double ds) {
        const double theta = chart.thetaOf(p);
        return pointOf(theta, chart.surfaceDistance(theta, chart.phiOf(p)) + ds);
    };

    // The closed loop. Templates: the 3D front line (it may turn back in azimuth: the
    // temporal peak in front of and below the recess) joined to the azimuth line behind the
    // sideburns. Custom lines: the azimuth line all round.
    std::vector<glm::dvec3> loop;
    size_t front_count = 0; // loop[0, front_count) is the front line, right to left
    if (!custom_shape) {
        // Re-anchor the mid-frontal point along the meridian (smoothing a V moves its tip),
        // tapered over 20 deg of azimuth as for the azimuth line.
        size_t m = 0;
        for (size_t i = 0; i < front_3d.size(); ++i)
            if (std::abs(chart.thetaOf(front_3d[i])) < std::abs(chart.thetaOf(front_3d[m]))) m = i;
        const double front_shift = anchor - chart.surfaceDistance(front_3d[m]);
        for (glm::dvec3& p : front_3d) {
            const double deg = std::abs(chart.thetaOf(p)) / kDeg;
            if (deg < 20) p = alongMeridian(p, front_shift * 0.5 * (1 + std::cos(kPi * deg / 20)));
        }
        // Keep clear of the grown ear ellipse (as the azimuth line below): a point inside is
        // pushed out to its rim in the side view.
        for (const glm::dvec3& ear : {landmarks.ear_left, landmarks.ear_right}) {
            const double ay = 33 + C, az = 20 + C;
            const glm::dvec2 ec(ear.y + 8, ear.z - 12);
            for (glm::dvec3& p : front_3d) {
                if ((p.x - centre.x) * (ear.x - centre.x) <= 0) continue;
                if (std::abs(p.x - centre.x) < 0.5 * std::abs(ear.x - centre.x)) continue;
                const double qy = (p.y - ec.x) / ay, qz = (p.z - ec.y) / az;
                const double q = std::sqrt(qy * qy + qz * qz);
                if (q >= 1 || q == 0) continue;
                const double grow = 1.001 / q;
                p = surfaceAlong(
                    chart,
                    glm::dvec3(centre.x, ec.x + (p.y - ec.x) * grow, ec.y + (p.z - ec.y) * grow),
                    glm::dvec3(p.x > centre.x ? 1 : -1, 0, 0));
            }
        }
        loop = front_3d;
        front_count = loop.size();
        // Behind the sideburns: the azimuth columns from the left sideburn round the nape to
        // the right one.
        const double theta_left = chart.thetaOf(front_3d.back());
        const double theta_right = chart.thetaOf(front_3d.front());
        const std::vector<glm::dvec3> columns = pointsOf(line);
        for (int step = 1; step <= kColumns; ++step) {
            const int i = (kColumns / 2 + step) % kColumns; // from theta 0 upward, wrapping
            const double theta = PolarChart::thetaOfColumn(i);
            const bool behind =
                theta > 0 ? theta > theta_left + 0.25 * kDeg : theta < theta_right - 0.25 * kDeg;
            if (behind) loop.push_back(columns[size_t(i)]);
        }
    } else {
        // Columns in theta order: the same direction as the template loop (right to left
        // over the forehead).
        loop = pointsOf(line);
    }

    // Micro-irregularity, a 3D value noise of the line's own points in cells of
    // irregularity_scale_mm (so its wavelength is in mm on the head), across the line on the
    // front part: the temple's edge is as irregular as the forehead's. A function of each
    // point alone, not of the whole loop's length: an edit that moves one part of the line
    // leaves the rest where it was (the Session resamples only the zones the edit reaches).
    const size_t count = loop.size();
    if (amplitude > 0) {
        // Across = tangent x outward normal; its sign is fixed so that it points down the
        // forehead at the front (away from the region).
        std::vector<glm::dvec3> across(count);
        size_t front_most = 0;
        for (size_t i = 0; i < count; ++i) {
            const glm::dvec3 t = loop[(i + 1) % count] - loop[(i + count - 1) % count];
            const glm::dvec3 n = loop[i] - centre;
            const glm::dvec3 a = glm::cross(t, n);
            across[i] = glm::length(a) > 0 ? glm::normalize(a) : glm::dvec3(0);
            if (loop[i].z > loop[front_most].z) front_most = i;
        }
        const double sign = across[front_most].y < 0 ? 1 : -1;
        std::vector<glm::dvec3> rough(count);
        const double cell = spec.irregularity_scale_mm;
        for (size_t i = 0; i < count; ++i) {
            const double n = (valueNoise3(loop[i] / cell, seed, 0x4a11) +
                              0.4 * valueNoise3(loop[i] * (2.3 / cell), seed, 0x4a12)) /
                             1.4;
            // The front line (forehead, temples, sideburns) moves across itself; behind the
            // sideburns the line moves along the meridian as a surface distance, since the
            // chart's rays graze the neck there and a 3D offset projected back along them
            // could jump far along the surface.
            rough[i] = i < front_count
                           ? onSurface(chart, loop[i] + sign * amplitude * n * across[i])
                           : alongMeridian(loop[i], amplitude * n);
        }
        loop = rough;
    }
    // Asymmetry: left half lower by a/2, right half higher by a/2 (along the meridian),
    // blended at front and back.
    if (spec.asymmetry_mm > 0) {
        for (glm::dvec3& p : loop) {
            const double theta = chart.thetaOf(p);
            const double deg = std::abs(theta) / kDeg;
            const double w = smoothstep(0, 20, deg) * smoothstep(180, 160, deg);
            if (w > 0) p = alongMeridian(p, (theta > 0 ? 0.5 : -0.5) * spec.asymmetry_mm * w);
        }
    }
    curve.loop_mm = loop;

    // The per-column summary: the lowest crossing of the loop with each meridian.
    std::vector<double> lowest(kColumns, -1.0);
    for (size_t seg = 0; seg < count; ++seg) {
        const glm::dvec3& a = loop[seg];
        const glm::dvec3& b = loop[(seg + 1) % count];
        const double ta = chart.thetaOf(a);
        double dt = chart.thetaOf(b) - ta;
        dt -= 2 * kPi * std::round(dt / (2 * kPi));
        const double sa = chart.surfaceDistance(a), sb = chart.surfaceDistance(b);
        const double first = (ta + std::min(0.0, dt) + kPi) / (2 * kPi) * kColumns;
        for (int ii = int(std::floor(first));
             ii <= int(std::ceil(first + std::abs(dt) / (2 * kPi) * kColumns)); ++ii) {
            const int i = ((ii % kColumns) + kColumns) % kColumns;
            double t = PolarChart::thetaOfColumn(i) - ta;
            t -= 2 * kPi * std::round(t / (2 * kPi));
            const bool crosses = dt != 0 && ((t >= 0) != (t >= dt));
            const bool on_vertex = std::abs(t) < 1e-12;
            if (!crosses && !on_vertex) continue;
            const double w = dt != 0 ? std::clamp(t / dt, 0.0, 1.0) : 0.0;
            lowest[size_t(i)] = std::max(lowest[size_t(i)], sa + w * (sb - sa));
        }
    }
    for (int pass = 0; pass < 2; ++pass) // a column no segment crossed takes its neighbour's
        for (int i = 0; i < kColumns; ++i)
            if (lowest[size_t(i)] < 0)
                lowest[size_t(i)] = lowest[size_t((i + kColumns - 1) % kColumns)];
    for (double& s : lowest)
        s = std::max(s, 1.0);
    line = lowest;

    curve.line_s = line;
    curve.outline_mm = pointsOf(line);
    curve.frontal_height_mm =
        curve.brow_distance_mm - curve.lineAt(chart.thetaOf(landmarks.glabella));
    double diff = 0;
    int n = 0;
    for (int i = 0; i < kColumns; ++i) {
        const double deg = PolarChart::thetaOfColumn(i) / kDeg;
        if (deg >= 20 && deg <= 80) {
            diff += line[size_t(i)] - curve.lineAt(-PolarChart::thetaOfColumn(i));
            ++n;
        }
    }
    curve.asymmetry_mm = n ? std::abs(diff / n) : 0;
    // Front line: from the left sideburn over the forehead to the right one.
    if (!custom_shape) {
        curve.front_line_mm.assign(loop.begin(), loop.begin() + long(front_count));
        std::reverse(curve.front_line_mm.begin(), curve.front_line_mm.end());
    } else {
        const double left_end = std::atan2(std::abs(landmarks.ear_left.x - centre.x),
                                           landmarks.ear_left.z + 14 + C - centre.z);
        const double right_end = -std::atan2(std::abs(landmarks.ear_right.x - centre.x),
                                             landmarks.ear_right.z + 14 + C - centre.z);
        for (int i = kColumns - 1; i >= 0; --i) {
            const double theta = PolarChart::thetaOfColumn(i);
            if (theta <= left_end && theta >= right_end)
                curve.front_line_mm.push_back(curve.outline_mm[size_t(i)]);
        }
    }
    return curve;
}

} // namespace stipple
