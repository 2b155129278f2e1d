#pragma once

// The polar chart of the head: directions from a centre inside the cranium, as azimuth
// theta around the vertical (+Y) axis (0 = forward +Z, +90 deg = subject's left +X) and polar
// angle phi from +Y (0 = straight up). For each direction the chart stores the outermost
// surface point of the mesh and the surface distance ("height") from the top of the head
// along that meridian. Hairlines, zones and the density mask are defined in this chart, so
// every length in them is a length on the real surface, in millimetres.

#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/mesh.h"

namespace stipple {

class PolarChart {
public:
    static constexpr int kThetaSteps = 720; // 0.5 deg
    static constexpr int kPhiSteps = 360;   // 0.5 deg, phi in [0, 180] (nodes 0..kPhiSteps)

    PolarChart() = default;
    // Casts the chart's rays against `mesh` (head frame, mm). Directions that miss the mesh
    // (the open neck) copy the radius above them. `centre` must lie inside the surface.
    PolarChart(const Mesh& mesh, const glm::dvec3& centre);

    const glm::dvec3& centre() const { return m_centre; }

    // Azimuth in (-pi, pi] and polar angle in [0, pi] of the direction from the centre to p.
    double thetaOf(const glm::dvec3& p) const;
    double phiOf(const glm::dvec3& p) const;

    // Outermost surface radius (mm from the centre) and surface distance from the top of the
    // head along the meridian (mm), bilinear between chart nodes.
    double radius(double theta, double phi) const;
    double surfaceDistance(double theta, double phi) const;
    double surfaceDistance(const glm::dvec3& p) const { return surfaceDistance(thetaOf(p), phiOf(p)); }
    // The outermost surface point in direction (theta, phi).
    glm::dvec3 surfacePoint(double theta, double phi) const;
    // Polar angle where the meridian at theta reaches surface distance s (clamped to the chart).
    double phiAtSurfaceDistance(double theta, double s) const;
    // First polar angle (from the top) where the meridian at theta descends to height y.
    // Returns pi when it never does.
    double phiAtHeight(double theta, double y_mm) const;
    // Node accessors for code that walks a whole column.
    static double thetaOfColumn(int i);
    static double phiOfRow(int j);
    double nodeDistance(int i, int j) const { return m_distance[index(i, j)]; }
    // Radius (mm from the centre) of the outer surface at node (i, j).
    double nodeRadius(int i, int j) const { return m_radius[index(i, j)]; }
    glm::dvec3 nodePoint(int i, int j) const;

private:
    size_t index(int i, int j) const { return size_t(i) * (kPhiSteps + 1) + size_t(j); }
    double bilinear(const std::vector<float>& table, double theta, double phi) const;

    glm::dvec3 m_centre{0};
    std::vector<float> m_radius;   // kThetaSteps x (kPhiSteps + 1)
    std::vector<float> m_distance; // same layout
};

// atan2(y, x) to within 1e-5 rad (1 um on a head), several times cheaper than std::atan2.
double fastAtan2(double y, double x);
// Unit direction of (theta, phi) in the head frame.
glm::dvec3 polarDirection(double theta, double phi);

} // namespace stipple
