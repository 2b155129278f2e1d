#pragma once

// Camera placement for head renders: named views, turntable poses, and framing fitted to the
// head (cranium and face, not the shoulders) with a portrait focal length. Pure math, no GL.
//
// Conventions (head frame, see design.h): millimetres, +Y up, +Z out of the face, +X to the
// subject's left. A camera pose is an orbit around the framing target: azimuth 0 puts the
// camera in front of the face, +90 on the subject's left (+X), 180 behind; elevation 0 is
// level, +90 straight above.

#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/head_model.h"
#include "stipple/core/mesh.h"

namespace stipple::render {

struct CameraPose {
    double azimuth_deg = 0;
    double elevation_deg = 0;
    // For elevation 90 the orbit's "up" is undefined; top views put the face at the top of
    // the picture (what practitioners expect), so image-up is +Z then.
};

// The accepted view names, in the order help texts list them: front, three_quarter_left,
// three_quarter_right, left, right, back, top, top_back, hairline_closeup, crown_closeup.
const std::vector<std::string>& viewNames();

// The pose of a named view, or nullopt for an unknown name. `elevation_deg` is the design's
// turntable elevation, used by the side and front views so stills match the turntable.
std::optional<CameraPose> viewPose(const std::string& name, double elevation_deg);

// N poses over 360 degrees with no duplicated end frame: azimuth_i = 360 * i / N.
// Requires frames >= 1.
std::vector<CameraPose> turntablePoses(int frames, double elevation_deg);

// Vertical field of view (degrees) of the picture's shorter side for an 85 mm lens on a
// 24 x 36 mm full-frame sensor: 2 * atan(12 / 85) = 16.1 degrees.
inline constexpr double kPortraitFovShortSideDeg = 16.1;

// The part of the mesh that framing looks at: vertices at most `kHeadCropHeightMm` below the
// top of the head (vertex to chin is about 230 mm in adults), so shoulders and bust bases are
// ignored. Positions in millimetres.
inline constexpr double kHeadCropHeightMm = 245.0;
std::vector<glm::dvec3> framingPoints(const Mesh& mesh_mm, size_t max_points = 4000);

// How much of the frame the head fills: its projected bounding box spans this share of the
// limiting dimension (height for landscape frames showing a head, whichever binds first).
inline constexpr double kHeadFillShare = 0.78;

// A resolved camera: look-at target, distance, vertical fov, clip planes.
struct Framing {
    glm::dvec3 target{0};
    double distance_mm = 600;
    double fov_y_deg = kPortraitFovShortSideDeg;
    double near_mm = 10;
    double far_mm = 2000;
};

// Camera basis for a pose: eye position, view direction and image-up in the head frame.
struct CameraBasis {
    glm::dvec3 eye{0};
    glm::dvec3 forward{0, 0, -1};
    glm::dvec3 up{0, 1, 0};
    glm::dvec3 right{1, 0, 0};
};
CameraBasis cameraBasis(const Framing& framing, const CameraPose& pose);

// Fits one framing for all `poses` (so a turntable does not zoom from frame to frame): the
// target is the centre of the points' bounding box; the distance is the smallest that keeps
// the projected extent of `points` within kHeadFillShare of the frame for every pose, with the
// projection centred on the target. Requires points non-empty, width/height > 0.
Framing fitFraming(const std::vector<glm::dvec3>& points, const std::vector<CameraPose>& poses,
                   int width, int height);

// Close-up views frame a region of the scalp instead of the whole head: the frame's width
// spans this many millimetres at the target (a 1920 px frame: ~0.05 mm per pixel, so a
// 0.3 mm dot is ~6 px across).
inline constexpr double kHairlineCloseupWidthMm = 100.0; // front hairline and left temple
inline constexpr double kCrownCloseupWidthMm = 120.0;    // crown, from above and behind

// True for the close-up views (hairline_closeup, crown_closeup).
bool isCloseupView(const std::string& name);

// The framing of close-up view `name`, or nullopt when `name` is not a close-up (or `points`
// is empty). The target is the point of `points` (head frame, mm; framingPoints) farthest out
// in the view's target direction from the midpoint of the ear landmarks, and it sits at the
// picture's centre; the distance makes the frame's width span the view's width in mm there.
std::optional<Framing> closeupFraming(const std::string& name, const Landmarks& landmarks,
                                      const std::vector<glm::dvec3>& points, int width,
                                      int height);

// Projects a head-frame point to pixel coordinates (x right, y down, origin top-left).
glm::dvec2 projectToPixel(const Framing& framing, const CameraPose& pose, int width, int height,
                          const glm::dvec3& point);

} // namespace stipple::render
