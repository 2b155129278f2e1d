#pragma once

// The designed hairline as a closed curve on the head: for every azimuth of the polar chart,
// the surface distance from the top of the head down to the line (front line, temples, the
// arch around each ear, the nape). The scalp region is everything above it.
//
// Templates (HairlineSpec::shape) and their control points, left half (theta >= 0, subject's
// left), mirrored for the right; h is the height above the brow along the surface, y the
// head-frame height, E the ear landmark:
//   theta  0      mid-frontal point: h = frontal_height_mm (H)
//   theta 15      h = H + k R            (k: natural .25, defined .05, soft .35, receded .4)
//   theta 32      frontotemporal corner (line through the outer eye corner): h = H + R
//   theta 47      temple: h = 0.8 (H + R)
//   theta 60      temporal peak: base h = 0.55 (H + R) + P, tip P lower (a 10 deg wide V)
//   theta 70      temple recess above the sideburn: y = E.y + 55
//   E - 9 deg     sideburn bottom: y = E.y - 5
//   E + 30 deg    behind the ear: y = E.y + nape_height_mm
//   theta 180     nape centre: y = E.y + nape_height_mm - 8
// R = frontotemporal_recession_mm (+20 for "receded"), P = temporal_peak_mm. Widow's peak
// adds a V: h = H + 9 at 7 deg, H + 12 + k R at 15 deg. Custom control points replace the
// front controls over their azimuth range. The curve is linear between controls, smoothed by
// the side profile (sharp 1 deg, rounded 3 deg, soft 6 deg Gaussian), re-anchored so the
// mid-frontal height stays exact, carved around each ear (an ellipse 66 x 40 mm around the
// ear, grown by ear_clearance_mm), given micro-irregularity (two octaves of periodic value
// noise along the line, amplitude irregularity_amplitude_mm, wavelength irregularity_scale_mm,
// from the design seed) and asymmetry (the subject's left side asymmetry_mm / 2 lower, the
// right side as much higher).

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/head_chart.h"
#include "stipple/core/head_model.h"

namespace stipple {

struct HairlineCurve {
    std::vector<double> line_s;             // per chart column: surface distance top -> line, mm
    std::vector<glm::dvec3> outline_mm;     // the closed line, one point per column
    std::vector<glm::dvec3> front_line_mm;  // sideburn to sideburn over the forehead, L to R
    double frontal_height_mm = 0;           // measured: glabella to the line along the surface
    double asymmetry_mm = 0;                // measured: mean |left - right| over 20..80 deg
    double brow_distance_mm = 0;            // surface distance top -> glabella

    std::vector<double> slope;              // per column: max |d line / d theta| nearby, mm/rad

    // Line position at any azimuth (linear between columns), mm from the top.
    double lineAt(double theta) const;
    // Upper bound of |d line / d theta| (mm per radian) within about 2 deg of theta.
    double slopeAt(double theta) const;
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
