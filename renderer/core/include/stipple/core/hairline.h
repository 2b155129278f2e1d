#pragma once

// The designed hairline as a closed curve on the head (front line, temples, the arch around
// each ear, the nape): a polyline on the surface that may cross a meridian several times, so a
// temporal peak can point forward under the frontotemporal recess. The scalp region is
// everything inside it (HairlineField tabulates the signed distance to it).
//
// The front part (sideburn to sideburn over the forehead) is placed by landmarks in 3D: the
// mid-frontal point M (H up the surface from the glabella), the frontotemporal corners F on
// the outer-canthus line x = +-0.62 ear_x (H + R up the surface in that vertical plane from
// brow level), K between them (x = +-0.31 ear_x, H + k R; k: natural .25, defined .05, soft
// .35, receded .4), the temporal peak tips T (max(E.y + 45, glabella.y) - P/2 high, (0.35 +
// 0.025 P) of the way from the tragus to the outer eye corner forward), under each tip the
// top of the sideburn's front edge U (3 mm in front of S, 0.45 of the way up from S to T) and
// the sideburn bottoms S (mid-ear height E.y + 8, 2 mm in front of the grown ear ellipse).
// Widow's peak adds W (x = +-0.16 ear_x, H + 12) and K at H + 14 + k R. Between controls the
// line follows the straight segment projected onto the surface, smoothed along its length by
// the side profile (sharp 2 mm, rounded 5 mm, soft 10 mm Gaussian), and is kept out of the
// grown ear ellipse. R = frontotemporal_recession_mm (+20 for "receded"), P =
// temporal_peak_mm, E the ear landmark. Behind the sideburns (azimuth controls, smoothed over
// azimuth: sharp 1, rounded 3, soft 6 deg):
//   E + 30 deg    behind the ear: y = E.y + nape_height_mm
//   theta 180     nape centre: y = E.y + nape_height_mm - 8
// Custom control points use azimuth controls throughout (the old template heights at 15, 32,
// 47 and 60 deg, replaced by the custom points over their azimuth range). The mid-frontal
// height is re-anchored exact, the line is carved around each ear (an ellipse 66 x 40 mm
// around the ear, grown by ear_clearance_mm), given micro-irregularity (two octaves of
// periodic value noise along the line, amplitude irregularity_amplitude_mm, wavelength
// irregularity_scale_mm, from the design seed; across the line on the front part, along the
// meridian behind the sideburns) and asymmetry (the subject's left side asymmetry_mm / 2
// lower along the meridian, the right side as much higher).

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/head_chart.h"
#include "stipple/core/head_model.h"

namespace stipple {

struct HairlineCurve {
    // The line itself: a closed polyline on the surface (~1 mm steps), from the subject's
    // right sideburn over the forehead to the left one, then behind the left ear, round the
    // nape and back. It may cross a meridian several times (a temporal peak below the
    // frontotemporal recess): the scalp region's inside test and depth use this loop.
    std::vector<glm::dvec3> loop_mm;
    // Per chart column: surface distance top -> the lowest crossing of the loop with that
    // meridian, mm. A summary for reports and tests; it cannot show a peak under a recess.
    std::vector<double> line_s;
    std::vector<glm::dvec3> outline_mm;     // line_s as points, one per column
    std::vector<glm::dvec3> front_line_mm;  // sideburn to sideburn over the forehead, L to R
    double frontal_height_mm = 0;           // measured: glabella to the line along the surface
    double asymmetry_mm = 0;                // measured: mean |left - right| over 20..80 deg
    double brow_distance_mm = 0;            // surface distance top -> glabella

    // Line position at any azimuth (linear between columns), mm from the top.
    double lineAt(double theta) const;
};

// Builds the hairline of `spec` on the head. `seed` drives the micro-irregularity; `file` is
// the design file named in errors (may be empty).
// Throws stipple::Error naming the field for designs that cannot be realised: a frontal height
// that puts the line above the top of the head or below the brow, custom control points that
// are too few, overlap (closer than 2 mm), are not ordered left to right or lie below the
// brow. Appends non-fatal findings (values outside the recommended ranges) to `warnings`.
HairlineCurve buildHairline(const PolarChart& chart, const Landmarks& landmarks,
                            const HairlineSpec& spec, uint64_t seed, const std::string& file,
                            std::vector<Problem>& warnings);

} // namespace stipple
