#include "stipple/render/camera.h"

#include <algorithm>
#include <cmath>

#include "stipple/core/error.h"

namespace stipple::render {

namespace {

constexpr double kPi = 3.14159265358979323846;
double radians(double deg) {
    return deg * kPi / 180.0;
}

struct NamedView {
    const char* name;
    double azimuth_deg;
    double elevation_deg; // NaN: the design's turntable elevation
    // Close-ups: the width in mm the frame spans at the target (0: the whole head is framed),
    // and the direction (from the ear-line centre) whose outermost head point is the target.
    double closeup_width_mm = 0;
    double target_azimuth_deg = 0;
    double target_elevation_deg = 0;
};

// The crown view (top_back) looks down on the back of the head from behind, where FUT scars
// and crown density are judged. The close-ups are what practitioners zoom on: the front
// hairline with the left temple point (seen from the front three-quarter, a little above, so
// the frontal line and the temporal recession are both in the picture), and the crown whorl
// from above and behind. The renderer passes the treated region's vertices when it has layers,
// so the hairline target is the region's outermost point toward the front-left temple, below
// the hairline (55 degrees above the ear line): a point on the hairline itself.
const NamedView kViews[] = {
    {"front", 0, NAN},
    {"three_quarter_left", 45, NAN},
    {"three_quarter_right", -45, NAN},
    {"left", 90, NAN},
    {"right", -90, NAN},
    {"back", 180, NAN},
    {"top", 0, 90},
    {"top_back", 180, 55},
    {"hairline_closeup", 35, 25, kHairlineCloseupWidthMm, 30, 55},
    {"crown_closeup", 180, 62, kCrownCloseupWidthMm, 180, 62},
};

} // namespace

const std::vector<std::string>& viewNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const NamedView& v : kViews)
            out.emplace_back(v.name);
        return out;
    }();
    return names;
}

std::optional<CameraPose> viewPose(const std::string& name, double elevation_deg) {
    for (const NamedView& v : kViews) {
        if (name != v.name) continue;
        CameraPose pose;
        pose.azimuth_deg = v.azimuth_deg;
        pose.elevation_deg = std::isnan(v.elevation_deg) ? elevation_deg : v.elevation_deg;
        return pose;
    }
    return std::nullopt;
}

std::vector<CameraPose> turntablePoses(int frames, double elevation_deg) {
    // Not input-reachable: --turntable and /render/turntable_frames are validated 1..720 first.
    STIPPLE_ASSERT(frames >= 1, "turntablePoses(): frames must be >= 1");
    std::vector<CameraPose> poses(static_cast<size_t>(frames));
    for (int i = 0; i < frames; ++i) {
        poses[size_t(i)].azimuth_deg = 360.0 * double(i) / double(frames);
        poses[size_t(i)].elevation_deg = elevation_deg;
    }
    return poses;
}

std::vector<glm::dvec3> framingPoints(const Mesh& mesh_mm, size_t max_points) {
    std::vector<glm::dvec3> out;
    if (mesh_mm.positions.empty()) return out;
    double top = -1e300;
    for (const glm::vec3& p : mesh_mm.positions)
        top = std::max(top, double(p.y));
    const double floor_y = top - kHeadCropHeightMm;
    const size_t step =
        std::max<size_t>(1, mesh_mm.positions.size() / std::max<size_t>(1, max_points));
    for (size_t i = 0; i < mesh_mm.positions.size(); i += step) {
        const glm::dvec3 p(mesh_mm.positions[i]);
        if (p.y >= floor_y) out.push_back(p);
    }
    // The extreme points matter for framing; the stride may skip them, so add the top.
    for (const glm::vec3& p : mesh_mm.positions)
        if (double(p.y) == top) {
            out.emplace_back(p);
            break;
        }
    return out;
}

CameraBasis cameraBasis(const Framing& framing, const CameraPose& pose) {
    const double az = radians(pose.azimuth_deg);
    const double el = radians(pose.elevation_deg);
    const glm::dvec3 to_eye(std::sin(az) * std::cos(el), std::sin(el), std::cos(az) * std::cos(el));
    CameraBasis b;
    b.eye = framing.target + framing.distance_mm * to_eye;
    b.forward = -to_eye;
    // Near the pole, image-up follows the face direction rotated by the azimuth (top view:
    // face at the top of the picture); elsewhere it is world up.
    glm::dvec3 up_hint(0, 1, 0);
    if (std::abs(pose.elevation_deg) > 89.0) up_hint = glm::dvec3(std::sin(az), 0, std::cos(az));
    b.right = glm::normalize(glm::cross(b.forward, up_hint));
    b.up = glm::cross(b.right, b.forward);
    return b;
}

namespace {

double fovX(double fov_y_deg, int width, int height) {
    return 2.0 * std::atan(std::tan(radians(fov_y_deg) / 2) * double(width) / double(height));
}

double shortSideFovY(int width, int height) {
    if (width >= height) return kPortraitFovShortSideDeg;
    // Portrait frame: the 85 mm field applies to the width.
    const double half_x = radians(kPortraitFovShortSideDeg) / 2;
    return 2.0 * std::atan(std::tan(half_x) * double(height) / double(width)) * 180.0 / kPi;
}

// Distance so that every point projects within `share` of the half-frame around the target.
double fitDistance(const std::vector<glm::dvec3>& points, const Framing& f, const CameraPose& pose,
                   double tan_x, double tan_y, double share) {
    Framing probe = f;
    probe.distance_mm = 1;
    const CameraBasis b = cameraBasis(probe, pose);
    double d = 0;
    for (const glm::dvec3& p : points) {
        const glm::dvec3 q = p - f.target;
        const double xc = glm::dot(q, b.right);
        const double yc = glm::dot(q, b.up);
        const double zc = glm::dot(q, -b.forward); // toward the camera
        d = std::max(d, zc + std::abs(xc) / (share * tan_x));
        d = std::max(d, zc + std::abs(yc) / (share * tan_y));
    }
    return d;
}

} // namespace

Framing fitFraming(const std::vector<glm::dvec3>& points, const std::vector<CameraPose>& poses,
                   int width, int height) {
    // Not input-reachable: framing points are the head's vertices (a head has 200+ triangles).
    STIPPLE_ASSERT(!points.empty(), "fitFraming(): no points");
    // Not input-reachable: poses come from validated views or 1..720 turntable frames.
    STIPPLE_ASSERT(!poses.empty(), "fitFraming(): no poses");
    // Not input-reachable: sizes are validated 16..3840 x 16..2160 first.
    STIPPLE_ASSERT(width > 0 && height > 0, "fitFraming(): empty frame");
    Box box;
    for (const glm::dvec3& p : points) {
        box.min = glm::min(box.min, p);
        box.max = glm::max(box.max, p);
    }
    Framing f;
    f.target = box.centre();
    f.fov_y_deg = shortSideFovY(width, height);
    const double tan_y = std::tan(radians(f.fov_y_deg) / 2);
    const double tan_x = std::tan(fovX(f.fov_y_deg, width, height) / 2);

    const auto fitAll = [&] {
        double d = 0;
        for (const CameraPose& pose : poses)
            d = std::max(d, fitDistance(points, f, pose, tan_x, tan_y, kHeadFillShare));
        f.distance_mm = d;
    };
    fitAll();
    // A single still is centred on its projected bounding box (the nose and the neck make the
    // 3D box centre sit off the picture's centre); a turntable keeps one target for all frames.
    if (poses.size() == 1) {
        for (int iter = 0; iter < 4; ++iter) {
            glm::dvec2 lo(1e300), hi(-1e300);
            for (const glm::dvec3& p : points) {
                const glm::dvec2 px = projectToPixel(f, poses[0], width, height, p);
                lo = glm::min(lo, px);
                hi = glm::max(hi, px);
            }
            const glm::dvec2 offset_px = 0.5 * (lo + hi) - glm::dvec2(width, height) * 0.5;
            const CameraBasis b = cameraBasis(f, poses[0]);
            const double mm_per_px = 2.0 * f.distance_mm * tan_y / double(height);
            f.target += b.right * (offset_px.x * mm_per_px) - b.up * (offset_px.y * mm_per_px);
            fitAll();
        }
    }
    double radius = 0;
    for (const glm::dvec3& p : points)
        radius = std::max(radius, glm::length(p - f.target));
    f.near_mm = std::max(1.0, f.distance_mm - 1.5 * radius);
    f.far_mm = f.distance_mm + 1.5 * radius;
    return f;
}

glm::dvec2 projectToPixel(const Framing& framing, const CameraPose& pose, int width, int height,
                          const glm::dvec3& point) {
    const CameraBasis b = cameraBasis(framing, pose);
    const glm::dvec3 q = point - b.eye;
    const double depth = glm::dot(q, b.forward);
    const double tan_y = std::tan(radians(framing.fov_y_deg) / 2);
    const double tan_x = std::tan(fovX(framing.fov_y_deg, width, height) / 2);
    const double ndc_x = glm::dot(q, b.right) / (depth * tan_x);
    const double ndc_y = glm::dot(q, b.up) / (depth * tan_y);
    return {(ndc_x * 0.5 + 0.5) * double(width), (0.5 - ndc_y * 0.5) * double(height)};
}

bool isCloseupView(const std::string& name) {
    for (const NamedView& v : kViews)
        if (name == v.name) return v.closeup_width_mm > 0;
    return false;
}

std::optional<Framing> closeupFraming(const std::string& name, const Landmarks& landmarks,
                                      const std::vector<glm::dvec3>& points, int width,
                                      int height) {
    // Not input-reachable: sizes are validated 16..3840 x 16..2160 first.
    STIPPLE_ASSERT(width > 0 && height > 0, "closeupFraming(): empty frame");
    const NamedView* view = nullptr;
    for (const NamedView& v : kViews)
        if (name == v.name && v.closeup_width_mm > 0) view = &v;
    if (!view || points.empty()) return std::nullopt;
    // The target: the head point farthest out in the target direction from the ear-line
    // centre (a support point), so it lies on the scalp whatever the head's proportions.
    const glm::dvec3 centre = 0.5 * (landmarks.ear_left + landmarks.ear_right);
    const double az = radians(view->target_azimuth_deg);
    const double el = radians(view->target_elevation_deg);
    const glm::dvec3 dir(std::sin(az) * std::cos(el), std::sin(el), std::cos(az) * std::cos(el));
    glm::dvec3 target = points.front();
    double best = -1e300;
    for (const glm::dvec3& p : points) {
        const double d = glm::dot(p - centre, dir);
        if (d > best) {
            best = d;
            target = p;
        }
    }
    Framing f;
    f.target = target;
    f.fov_y_deg = shortSideFovY(width, height);
    const double tan_x = std::tan(fovX(f.fov_y_deg, width, height) / 2);
    f.distance_mm = 0.5 * view->closeup_width_mm / tan_x;
    // The head is ~200 mm deep; the near plane stays in front of anything the camera sees.
    f.near_mm = std::max(1.0, f.distance_mm - 150.0);
    f.far_mm = f.distance_mm + 400.0;
    return f;
}

} // namespace stipple::render
