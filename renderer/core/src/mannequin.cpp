#include "stipple/core/mannequin.h"

// The mannequin head, built in four steps:
//  1. A signed distance field: smooth-min unions of ellipsoids, superellipsoids, capsules and
//     round cones (Quilez, "Smooth minimum", iquilezles.org, 2013; Hart 1996, "Sphere tracing")
//     laid out on average adult anthropometry (Farkas 1994, "Anthropometry of the Head and
//     Face": head breadth ~152 mm, length ~195 mm, vertex-chin ~230 mm, bitragion ~142 mm,
//     ear length ~62 mm, protrusion ~18 mm).
//  2. Surface nets on a regular grid (Gibson 1998, "Constrained elastic surface nets"), the
//     vertices then projected onto the zero set with Newton steps.
//  3. Quadric edge-collapse decimation (Garland & Heckbert 1997, "Surface simplification
//     using quadric error metrics") with an edge-length cap and shape checks, followed by
//     tangential relaxation and re-projection so the triangles are well shaped.
//  4. UVs: the surface is a disc once cut along the back midline from the neck opening to the
//     top of the head; it is mapped onto a convex polygon with positive (clamped cotangent)
//     weights, which Tutte's / Floater's theorem guarantees has no flipped triangle
//     (Tutte 1963; Floater 1997, "Parametrization and smooth approximation of surface
//     triangulations").

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>

#include "stipple/core/error.h"

namespace stipple {

namespace {

using glm::dvec2;
using glm::dvec3;

// ----------------------------------------------------------------------------------------
// Distance primitives

double smin(double a, double b, double k) {
    if (k <= 0) return std::min(a, b);
    const double h = std::max(k - std::abs(a - b), 0.0) / k;
    return std::min(a, b) - h * h * k * 0.25;
}
double smax(double a, double b, double k) {
    return -smin(-a, -b, k);
}

// Approximate ellipsoid distance (Quilez): exact on the surface, good near it.
double sdEllipsoid(const dvec3& p, const dvec3& c, const dvec3& r) {
    const dvec3 q = p - c;
    const double k0 = glm::length(q / r);
    const double k1 = glm::length(q / (r * r));
    return k1 > 0 ? k0 * (k0 - 1.0) / k1 : -std::min({r.x, r.y, r.z});
}

// Capsule whose radius varies linearly from ra at a to rb at b.
double sdRoundCone(const dvec3& p, const dvec3& a, const dvec3& b, double ra, double rb) {
    const dvec3 pa = p - a, ba = b - a;
    const double h = std::clamp(glm::dot(pa, ba) / glm::dot(ba, ba), 0.0, 1.0);
    return glm::length(pa - ba * h) - (ra + (rb - ra) * h);
}

// Superellipsoid |x/rx|^n + |y/ry|^n + |z/rz|^n = 1, distance by one first-order step.
double sdSuperEllipsoid(const dvec3& p, const dvec3& c, const dvec3& r, double n) {
    const dvec3 q = glm::abs(p - c) / r;
    const dvec3 qn(std::pow(q.x, n), std::pow(q.y, n), std::pow(q.z, n));
    const double s = qn.x + qn.y + qn.z;
    if (s <= 0) return -std::min({r.x, r.y, r.z});
    const double f = std::pow(s, 1.0 / n);
    // grad f = f^(1-n) * q^(n-1) / r
    const dvec3 g =
        std::pow(f, 1.0 - n) *
        dvec3(std::pow(q.x, n - 1) / r.x, std::pow(q.y, n - 1) / r.y, std::pow(q.z, n - 1) / r.z);
    const double gl = glm::length(g);
    return gl > 0 ? (f - 1.0) / gl : -std::min({r.x, r.y, r.z});
}

// A tube of varying radius along a polyline: min over round cones.
struct Tube {
    std::vector<dvec3> points;
    std::vector<double> radii;
    dvec3 bound_centre{0};
    double bound_radius = 0;

    double distance(const dvec3& p) const {
        double d = 1e9;
        for (size_t i = 0; i + 1 < points.size(); ++i)
            d = std::min(d, sdRoundCone(p, points[i], points[i + 1], radii[i], radii[i + 1]));
        return d;
    }
};

// Catmull-Rom resampling of control points (with per-point radius) to a smooth polyline.
Tube makeTube(const std::vector<glm::dvec4>& control, int per_segment) {
    Tube tube;
    const int n = int(control.size());
    for (int i = 0; i + 1 < n; ++i) {
        const glm::dvec4 p0 = control[std::max(i - 1, 0)], p1 = control[i], p2 = control[i + 1],
                         p3 = control[std::min(i + 2, n - 1)];
        for (int s = 0; s < per_segment; ++s) {
            const double t = double(s) / per_segment, t2 = t * t, t3 = t2 * t;
            const glm::dvec4 q =
                0.5 * ((2.0 * p1) + (-p0 + p2) * t + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * t2 +
                       (-p0 + 3.0 * p1 - 3.0 * p2 + p3) * t3);
            tube.points.emplace_back(q.x, q.y, q.z);
            tube.radii.push_back(q.w);
        }
    }
    tube.points.emplace_back(control.back().x, control.back().y, control.back().z);
    tube.radii.push_back(control.back().w);
    dvec3 lo(1e9), hi(-1e9);
    double rmax = 0;
    for (size_t i = 0; i < tube.points.size(); ++i) {
        lo = glm::min(lo, tube.points[i]);
        hi = glm::max(hi, tube.points[i]);
        rmax = std::max(rmax, tube.radii[i]);
    }
    tube.bound_centre = 0.5 * (lo + hi);
    tube.bound_radius = 0.5 * glm::length(hi - lo) + rmax;
    return tube;
}

// ----------------------------------------------------------------------------------------
// The head. All numbers are millimetres in the head frame; comments give the anatomy.

// The ear is modelled in its own frame: u forward along the ear, v up along the ear, w out of
// the ear's plane (away from the head). The plane is turned 25 degrees about the vertical so
// the back rim stands ~18 mm off the skull (the cephalo-auricular angle), and the ear's long
// axis leans back 15 degrees.
struct EarFrame {
    dvec3 origin{70.0, 4.0, -12.0}; // concha centre, left ear
    dvec3 u, v, w;
    EarFrame() {
        const double beta = 25.0 * M_PI / 180.0, gamma = 15.0 * M_PI / 180.0;
        const dvec3 u0(-std::sin(beta), 0, std::cos(beta));
        w = dvec3(std::cos(beta), 0, std::sin(beta));
        v = std::cos(gamma) * dvec3(0, 1, 0) - std::sin(gamma) * u0;
        u = std::cos(gamma) * u0 + std::sin(gamma) * dvec3(0, 1, 0);
    }
    dvec3 toWorld(double a, double b, double c) const { return origin + a * u + b * v + c * w; }
};

struct HeadShape {
    EarFrame ear;
    Tube helix, antihelix, inferior_crus;
    Tube lid_line; // left eye; the right is mirrored by symmetry
    dvec3 ear_bound_centre{0};
    double ear_bound_radius = 0;

    HeadShape() {
        auto ep = [&](double a, double b, double c, double r) {
            const dvec3 q = ear.toWorld(a, b, c);
            return glm::dvec4(q, r);
        };
        // Helix: from its crus inside the concha, up the front, over the top, down the back
        // rim into the lobe. Radius grows to ~3.5 mm at the top/back rim.
        helix = makeTube({ep(0, 3, 0.5, 1.8), ep(5, 12, 1.2, 2.6), ep(5.5, 23, 1.8, 3.1),
                          ep(0, 31, 2.4, 3.4), ep(-10, 33, 3.0, 3.6), ep(-19, 27, 3.6, 3.6),
                          ep(-24, 15, 4.0, 3.5), ep(-24, 2, 4.0, 3.3), ep(-21, -10, 3.4, 3.0),
                          ep(-16, -18, 2.6, 2.8)},
                         6);
        // Antihelix: from the antitragus up the middle of the ear, forking at the top into
        // the superior crus (this tube) and the inferior crus.
        antihelix = makeTube({ep(-10, -11, 2.2, 2.4), ep(-14, -2, 2.4, 2.6), ep(-14, 9, 2.4, 2.5),
                              ep(-10, 18, 2.2, 2.1), ep(-4, 24, 1.8, 1.7), ep(0, 26, 1.4, 1.4)},
                             6);
        inferior_crus =
            makeTube({ep(-14, 9, 2.2, 2.2), ep(-7, 12, 1.8, 1.8), ep(0, 13, 1.2, 1.4)}, 6);
        ear_bound_centre = ear.toWorld(-8, 5, 0);
        ear_bound_radius = 44;
        // Closed eyelids: a shallow groove along the lid margin across the eyeball, slightly
        // below the eye's centre and curving down at the corners. The tube runs 1 mm above
        // the eyeball with a 1.6 mm radius: a 0.6 mm deep, 3 mm wide crease, wide enough for
        // the 1 mm grid and the decimation to keep it smooth (a thinner cut came out ragged).
        const dvec3 eye(32, 15, 79);
        const double eye_r = 12.5;
        std::vector<glm::dvec4> lower;
        for (int i = -4; i <= 4; ++i) {
            const double a = i * 14.0 * M_PI / 180.0;
            const double droop = 0.18 * i * i;
            lower.emplace_back(
                eye + dvec3(eye_r * std::sin(a), -1.5 - droop, eye_r * std::cos(a) + 1.0), 1.6);
        }
        lid_line = makeTube(lower, 3);
    }

    double earDistance(const dvec3& p) const {
        // Ellipsoids are laid out in the ear's own frame (u, v, w); the tubes are in world
        // coordinates already (the frame is orthonormal, so distances agree).
        const EarFrame& e = ear;
        const dvec3 r = p - e.origin;
        const dvec3 q(glm::dot(r, e.u), glm::dot(r, e.v), glm::dot(r, e.w));
        double d = helix.distance(p);
        d = smin(d, antihelix.distance(p), 2.0);
        d = smin(d, inferior_crus.distance(p), 1.5);
        // Lobe: soft, thicker than the rim.
        d = smin(d, sdEllipsoid(q, dvec3(-9, -22, 1.0), dvec3(9.5, 9.5, 3.8)), 3.0);
        // The ear's body (scapha, fossa and concha floor), a thin shell.
        d = smin(d, sdEllipsoid(q, dvec3(-9, 6, 0.5), dvec3(15, 25, 2.6)), 2.0);
        // Tragus and antitragus, either side of the intertragic notch.
        d = smin(d, sdEllipsoid(q, dvec3(7.5, -3, 2.5), dvec3(4.0, 5.5, 3.2)), 2.0);
        d = smin(d, sdEllipsoid(q, dvec3(-9, -12, 2.4), dvec3(4.0, 3.5, 2.8)), 1.5);
        // Root: bridges the front of the ear to the side of the head.
        d = smin(d, sdEllipsoid(q, dvec3(3, 4, -5), dvec3(8, 20, 7)), 4.0);
        // Concha: the bowl in front of the antihelix leading to the ear canal.
        d = smax(d, -sdEllipsoid(q, dvec3(-2.5, -1, 4.0), dvec3(8, 10, 5.0)), 2.0);
        // Scaphoid fossa (between helix and antihelix) and triangular fossa (between the crura).
        d = smax(d, -sdEllipsoid(q, dvec3(-19.5, 12, 5.0), dvec3(3.5, 14, 2.6)), 1.5);
        d = smax(d, -sdEllipsoid(q, dvec3(-6, 18, 4.4), dvec3(6, 3.5, 2.5)), 1.5);
        return d;
    }

    // Distance for the subject's left half (x >= 0); the head is mirror-symmetric.
    double half(const dvec3& p) const {
        const double x = p.x, y = p.y, z = p.z;
        // Cranium: a superellipsoid (flatter forehead and crown than an ellipsoid), shorter
        // below its equator, narrowing towards the forehead.
        const double ry = y > 40 ? 90.0 : 70.0;
        const double taper =
            1.0 + 0.09 * std::clamp(z / 96.0, 0.0, 1.0) * std::clamp(z / 96.0, 0.0, 1.0);
        dvec3 q(x * taper, y, z);
        double d = sdSuperEllipsoid(q, dvec3(0, 40, -2), dvec3(76, ry, 96), 2.3);
        // Face: one soft mass from the cheekbones to the jaw. Wide, generous blends keep the
        // surface free of the valleys (read as bruises under studio light) that many small
        // blended parts leave between them.
        d = smin(d, sdEllipsoid(p, dvec3(0, -24, 40), dvec3(55, 68, 60)), 24.0);
        // Jaw: a thick round cone from the angle of the mandible (gonion) to the chin, so the
        // lower face is one solid mass seen from the side.
        d = smin(d, sdRoundCone(p, dvec3(40, -54, 10), dvec3(16, -84, 66), 11.0, 12.0), 22.0);
        d = smin(d, sdEllipsoid(p, dvec3(0, -88, 78), dvec3(19, 13, 13)), 14.0); // chin
        // Cheeks: the zygoma and the cheek's fat pad as one mass.
        d = smin(d, sdEllipsoid(p, dvec3(42, -6, 62), dvec3(20, 24, 20)), 20.0);
        // Masseter: fills the side of the face between the cheekbone and the angle of the
        // jaw, where the blends of cheek, jaw and neck would otherwise leave a hollow.
        d = smin(d, sdEllipsoid(p, dvec3(44, -36, 24), dvec3(13, 24, 24)), 16.0);
        // Brow ridge across the forehead.
        d = smin(d, sdEllipsoid(p, dvec3(21, 35, 89), dvec3(22, 7, 8)), 14.0);
        d = smin(d, sdEllipsoid(p, dvec3(0, 35, 93), dvec3(14, 7, 6)), 10.0); // glabella
        // Eye sockets under the brow, then the closed eyes: the eyeball under the upper lid,
        // and the lid margin as a shallow, curved crease.
        d = smax(d, -sdEllipsoid(p, dvec3(32, 17, 102), dvec3(20, 11, 14)), 10.0);
        d = smin(d, sdEllipsoid(p, dvec3(32, 15, 79), dvec3(12.5, 12.5, 12.5)), 6.0);
        if (glm::length(p - lid_line.bound_centre) < lid_line.bound_radius + 4)
            d = smax(d, -lid_line.distance(p), 1.2);
        // Nose: bridge from the nasion down to the tip, the tip, the wings (alae) and the
        // columella, then the nostrils.
        double nose = sdRoundCone(p, dvec3(0, 24, 89), dvec3(0, -13, 111), 5.0, 6.5);
        nose = smin(nose, sdEllipsoid(p, dvec3(0, -5, 98), dvec3(11, 25, 10)), 6.0);
        nose = smin(nose, sdEllipsoid(p, dvec3(0, -18, 111), dvec3(7.5, 7, 8.5)), 7.0);
        nose = smin(nose, sdEllipsoid(p, dvec3(10, -24, 102), dvec3(5.0, 5.0, 7.0)), 9.0);
        nose = smin(nose, sdEllipsoid(p, dvec3(0, -28, 107), dvec3(3.5, 4, 9)), 4.0);
        d = smin(d, nose, 7.0);
        d = smax(d, -sdEllipsoid(p, dvec3(5.5, -31.5, 104), dvec3(2.4, 1.4, 3.4)), 2.0);
        // Lips: upper and lower, meeting along a mouth line that turns slightly down and
        // back at the corners; broad enough to stay clean after decimation.
        const double upper = sdEllipsoid(p, dvec3(0, -45, 95.5), dvec3(21, 5.5, 6.0));
        const double lower = sdEllipsoid(p, dvec3(0, -56.5, 93.5), dvec3(16, 5.5, 6.0));
        d = smin(d, smin(upper, lower, 2.0), 10.0);
        d = smax(d,
                 -std::min(sdRoundCone(p, dvec3(0, -50.6, 101.5), dvec3(12, -51.0, 99.5), 1.3, 1.1),
                           sdRoundCone(p, dvec3(12, -51.0, 99.5), dvec3(23, -53, 91), 1.1, 0.7)),
                 2.0);
        // Neck: an elliptic cylinder leaning slightly forward, blended into the skull base
        // and under the jaw, ending in a short flare (the base of a display head) that is
        // cut flat at kNeckBottomY.
        {
            const double t = std::clamp((-30.0 - y) / 140.0, 0.0, 1.0);
            const dvec2 c(0, -14 + 10 * t);
            const double flare = std::clamp((-145.0 - y) / 25.0, 0.0, 1.0);
            const dvec2 r = dvec2(52, 53) * (1.0 + 0.14 * flare * flare);
            const dvec2 qq = (dvec2(x, z) - c);
            const double k0 = glm::length(qq / r), k1 = glm::length(qq / (r * r));
            double neck = k1 > 0 ? k0 * (k0 - 1.0) / k1 : -52.0;
            neck = smax(neck, y + 20.0, 10.0);
            d = smin(d, neck, 22.0);
        }
        // Ear (only where it can matter: the blend reaches 5 mm beyond either shape).
        if (glm::length(p - ear_bound_centre) - ear_bound_radius < d + 5.0)
            d = smin(d, earDistance(p), 4.0);
        return d;
    }

    double distance(const dvec3& p) const { return half(dvec3(std::abs(p.x), p.y, p.z)); }
};

const HeadShape& headShape() {
    static const HeadShape shape;
    return shape;
}

// The neck opening: the surface is cut by this plane (about 70 mm below the chin: a display
// head's short neck; the former 100 mm read as a long cylinder).
constexpr double kNeckBottomY = -170.0;

dvec3 gradient(const dvec3& p) {
    const double e = 0.02;
    const HeadShape& s = headShape();
    return dvec3(s.distance(p + dvec3(e, 0, 0)) - s.distance(p - dvec3(e, 0, 0)),
                 s.distance(p + dvec3(0, e, 0)) - s.distance(p - dvec3(0, e, 0)),
                 s.distance(p + dvec3(0, 0, e)) - s.distance(p - dvec3(0, 0, e))) /
           (2 * e);
}

// Newton steps onto the zero set along the gradient.
dvec3 projectToSurface(dvec3 p, int steps = 3) {
    for (int i = 0; i < steps; ++i) {
        const double d = headShape().distance(p);
        const dvec3 g = gradient(p);
        const double g2 = glm::dot(g, g);
        if (g2 < 1e-12) break;
        dvec3 step = d * g / g2;
        const double len = glm::length(step);
        if (len > 2.0) step *= 2.0 / len; // never jump across a thin part
        p -= step;
        if (std::abs(d) < 1e-6) break;
    }
    return p;
}

// Marches along `dir` from `from` (outside) to the first surface crossing.
dvec3 march(const dvec3& from, const dvec3& dir) {
    double t = 0;
    const HeadShape& s = headShape();
    for (int i = 0; i < 2000; ++i) {
        const double d = s.distance(from + t * dir);
        if (d < 1e-4) break;
        t += std::max(0.5 * d, 1e-4);
    }
    // Refine by bisection on the sign around t.
    double lo = std::max(0.0, t - 0.6), hi = t + 0.01;
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        (s.distance(from + mid * dir) > 0 ? lo : hi) = mid;
    }
    return from + hi * dir;
}

// ----------------------------------------------------------------------------------------
// Surface nets

struct RawMesh {
    std::vector<dvec3> positions;
    std::vector<glm::uvec3> triangles;
};

RawMesh surfaceNets(double h) {
    const dvec3 lo(-105, kNeckBottomY, -115), hi(105, 140, 140);
    const int nx = int(std::ceil((hi.x - lo.x) / h)) + 1;
    const int ny = int(std::ceil((hi.y - lo.y) / h)) + 1;
    const int nz = int(std::ceil((hi.z - lo.z) / h)) + 1;
    auto gp = [&](int i, int j, int k) { return lo + dvec3(i, j, k) * h; };
    auto idx = [&](int i, int j, int k) {
        return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx) + size_t(i);
    };
    std::vector<float> f(size_t(nx) * ny * nz);
    const HeadShape& shape = headShape();
    // Blocks far from the surface take the value at their centre (only the sign matters
    // there); the 1.5 factor covers the field's departure from a true distance.
    constexpr int kB = 8;
    for (int bk = 0; bk < nz; bk += kB)
        for (int bj = 0; bj < ny; bj += kB)
            for (int bi = 0; bi < nx; bi += kB) {
                const int ei = std::min(bi + kB, nx), ej = std::min(bj + kB, ny),
                          ek = std::min(bk + kB, nz);
                const dvec3 c = 0.5 * (gp(bi, bj, bk) + gp(ei - 1, ej - 1, ek - 1));
                const double dc = shape.distance(c);
                const double reach = 0.5 * kB * h * std::sqrt(3.0);
                const bool far = std::abs(dc) > 1.5 * reach + 2 * h;
                for (int k = bk; k < ek; ++k)
                    for (int j = bj; j < ej; ++j)
                        for (int i = bi; i < ei; ++i)
                            f[idx(i, j, k)] = float(far ? dc : shape.distance(gp(i, j, k)));
            }
    // The grid's bottom layer lies on the neck plane; mark it outside so no cap is made there
    // (quads need cells on both sides of an edge, so the opening stays open).
    RawMesh out;
    std::unordered_map<size_t, uint32_t> cell_vertex;
    cell_vertex.reserve(400000);
    auto cellVertex = [&](int i, int j, int k) -> uint32_t {
        const size_t key = idx(i, j, k);
        const auto it = cell_vertex.find(key);
        if (it != cell_vertex.end()) return it->second;
        dvec3 sum(0);
        int count = 0;
        static const int kEdges[12][2] = {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {0, 2}, {1, 3},
                                          {4, 6}, {5, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
        double v[8];
        dvec3 p[8];
        for (int c = 0; c < 8; ++c) {
            const int ci = i + (c & 1), cj = j + ((c >> 1) & 1), ck = k + ((c >> 2) & 1);
            v[c] = f[idx(ci, cj, ck)];
            p[c] = gp(ci, cj, ck);
        }
        for (const auto& e : kEdges) {
            const double a = v[e[0]], b = v[e[1]];
            if ((a < 0) == (b < 0)) continue;
            const double t = a / (a - b);
            sum += p[e[0]] + t * (p[e[1]] - p[e[0]]);
            ++count;
        }
        const uint32_t id = uint32_t(out.positions.size());
        out.positions.push_back(count ? sum / double(count) : gp(i, j, k) + 0.5 * h);
        cell_vertex.emplace(key, id);
        return id;
    };
    auto quad = [&](uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
        // Split along the shorter diagonal.
        const double ac = glm::length(out.positions[a] - out.positions[c]);
        const double bd = glm::length(out.positions[b] - out.positions[d]);
        if (ac <= bd) {
            out.triangles.emplace_back(a, b, c);
            out.triangles.emplace_back(a, c, d);
        } else {
            out.triangles.emplace_back(a, b, d);
            out.triangles.emplace_back(b, c, d);
        }
    };
    for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) {
                const bool inside = f[idx(i, j, k)] < 0;
                // x edge (i,j,k)-(i+1,j,k): cells (i, j-1..j, k-1..k).
                if (i + 1 < nx && j > 0 && k > 0 && j < ny - 1 && k < nz - 1 &&
                    inside != (f[idx(i + 1, j, k)] < 0)) {
                    const uint32_t c00 = cellVertex(i, j - 1, k - 1), c10 = cellVertex(i, j, k - 1),
                                   c11 = cellVertex(i, j, k), c01 = cellVertex(i, j - 1, k);
                    // Outward normal is +x when the inside is at i.
                    if (inside)
                        quad(c00, c10, c11, c01);
                    else
                        quad(c00, c01, c11, c10);
                }
                if (j + 1 < ny && i > 0 && k > 0 && i < nx - 1 && k < nz - 1 &&
                    inside != (f[idx(i, j + 1, k)] < 0)) {
                    const uint32_t c00 = cellVertex(i - 1, j, k - 1), c10 = cellVertex(i, j, k - 1),
                                   c11 = cellVertex(i, j, k), c01 = cellVertex(i - 1, j, k);
                    if (inside)
                        quad(c00, c01, c11, c10);
                    else
                        quad(c00, c10, c11, c01);
                }
                if (k + 1 < nz && i > 0 && j > 0 && i < nx - 1 && j < ny - 1 &&
                    inside != (f[idx(i, j, k + 1)] < 0)) {
                    const uint32_t c00 = cellVertex(i - 1, j - 1, k), c10 = cellVertex(i, j - 1, k),
                                   c11 = cellVertex(i, j, k), c01 = cellVertex(i - 1, j, k);
                    if (inside)
                        quad(c00, c10, c11, c01);
                    else
                        quad(c00, c01, c11, c10);
                }
            }
    return out;
}

// ----------------------------------------------------------------------------------------
// Mesh utilities on the raw mesh

// Vertices on open edges (the neck opening).
std::vector<uint8_t> boundaryVertices(const RawMesh& m) {
    std::vector<uint64_t> edges;
    edges.reserve(m.triangles.size() * 3);
    for (const glm::uvec3& t : m.triangles)
        for (int k = 0; k < 3; ++k) {
            const uint64_t a = std::min(t[k], t[(k + 1) % 3]), b = std::max(t[k], t[(k + 1) % 3]);
            edges.push_back(a << 32 | b);
        }
    std::sort(edges.begin(), edges.end());
    std::vector<uint8_t> on(m.positions.size(), 0);
    for (size_t i = 0; i < edges.size();) {
        size_t j = i;
        while (j < edges.size() && edges[j] == edges[i])
            ++j;
        if (j - i == 1) on[edges[i] >> 32] = on[edges[i] & 0xffffffffu] = 1;
        i = j;
    }
    return on;
}

// Moves boundary vertices onto the neck plane and the rest onto the zero set.
void projectAll(RawMesh& m, const std::vector<uint8_t>& boundary, int steps) {
    for (size_t v = 0; v < m.positions.size(); ++v) {
        dvec3 p = m.positions[v];
        if (boundary[v]) {
            for (int i = 0; i < 3; ++i) {
                p.y = kNeckBottomY;
                p = projectToSurface(p, 1);
            }
            p.y = kNeckBottomY;
        } else {
            p = projectToSurface(p, steps);
        }
        m.positions[v] = p;
    }
}

double triangleQuality(const dvec3& a, const dvec3& b, const dvec3& c) {
    // 1 for an equilateral triangle, 0 for a degenerate one.
    const double area2 = glm::length(glm::cross(b - a, c - a));
    const double l2 = glm::dot(b - a, b - a) + glm::dot(c - b, c - b) + glm::dot(a - c, a - c);
    return l2 > 0 ? 2.0 * std::sqrt(3.0) * area2 / l2 : 0.0;
}

using Quadric = std::array<double, 10>; // upper triangle of the symmetric 4x4

Quadric planeQuadric(const dvec3& n, double d, double w) {
    return {w * n.x * n.x, w * n.x * n.y, w * n.x * n.z, w * n.x * d, w * n.y * n.y,
            w * n.y * n.z, w * n.y * d,   w * n.z * n.z, w * n.z * d, w * d * d};
}

double quadricError(const Quadric& q, const dvec3& p) {
    const double x = p.x, y = p.y, z = p.z;
    return q[0] * x * x + 2 * q[1] * x * y + 2 * q[2] * x * z + 2 * q[3] * x + q[4] * y * y +
           2 * q[5] * y * z + 2 * q[6] * y + q[7] * z * z + 2 * q[8] * z + q[9];
}

// Quadric edge collapse to `target` triangles (see the file comment). Boundary vertices are
// kept; a collapse is refused when it would break the manifold (link condition), flip or
// badly shape a triangle, or make an edge longer than max_edge.
void decimate(RawMesh& m, size_t target, double max_edge) {
    const size_t nv = m.positions.size();
    const std::vector<uint8_t> boundary = boundaryVertices(m);
    std::vector<std::vector<uint32_t>> vt(nv);
    for (uint32_t t = 0; t < m.triangles.size(); ++t)
        for (int k = 0; k < 3; ++k)
            vt[m.triangles[t][k]].push_back(t);
    std::vector<uint8_t> tri_alive(m.triangles.size(), 1);
    std::vector<Quadric> quadrics(nv, Quadric{});
    for (const glm::uvec3& t : m.triangles) {
        const dvec3 a = m.positions[t.x], b = m.positions[t.y], c = m.positions[t.z];
        dvec3 n = glm::cross(b - a, c - a);
        const double len = glm::length(n);
        if (len <= 0) continue;
        n /= len;
        const Quadric q = planeQuadric(n, -glm::dot(n, a), 0.5 * len);
        for (int k = 0; k < 3; ++k)
            for (int i = 0; i < 10; ++i)
                quadrics[t[k]][i] += q[i];
    }
    std::vector<uint32_t> stamp(nv, 0);
    std::vector<uint8_t> vert_alive(nv, 1);
    struct Entry {
        double cost;
        uint32_t a, b, sa, sb;
        bool operator<(const Entry& o) const {
            if (cost != o.cost) return cost > o.cost; // min-heap
            if (a != o.a) return a > o.a;
            return b > o.b;
        }
    };
    std::priority_queue<Entry> heap;
    auto push = [&](uint32_t a, uint32_t b) {
        if (boundary[a] || boundary[b]) return;
        const dvec3 mid = 0.5 * (m.positions[a] + m.positions[b]);
        Quadric q = quadrics[a];
        for (int i = 0; i < 10; ++i)
            q[i] += quadrics[b][i];
        const double len = glm::length(m.positions[a] - m.positions[b]);
        // A small length term keeps flat regions uniform instead of collapsing at random.
        const double cost = quadricError(q, mid) + 1e-4 * len * len;
        heap.push(
            {cost, std::min(a, b), std::max(a, b), stamp[std::min(a, b)], stamp[std::max(a, b)]});
    };
    for (const glm::uvec3& t : m.triangles)
        for (int k = 0; k < 3; ++k)
            if (t[k] < t[(k + 1) % 3])
                push(t[k], t[(k + 1) % 3]);
            else
                push(t[(k + 1) % 3], t[k]);
    size_t alive = m.triangles.size();
    std::vector<uint32_t> na, nb;
    auto neighbours = [&](uint32_t v, std::vector<uint32_t>& out) {
        out.clear();
        for (uint32_t t : vt[v])
            for (int k = 0; k < 3; ++k)
                if (m.triangles[t][k] != v) out.push_back(m.triangles[t][k]);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    };
    while (alive > target && !heap.empty()) {
        const Entry e = heap.top();
        heap.pop();
        const uint32_t a = e.a, b = e.b;
        if (!vert_alive[a] || !vert_alive[b] || stamp[a] != e.sa || stamp[b] != e.sb) continue;
        // Link condition: the common neighbours are exactly the two opposite corners.
        neighbours(a, na);
        neighbours(b, nb);
        if (!std::binary_search(na.begin(), na.end(), b)) continue;
        std::vector<uint32_t> common;
        std::set_intersection(na.begin(), na.end(), nb.begin(), nb.end(),
                              std::back_inserter(common));
        std::vector<uint32_t> shared;
        for (uint32_t t : vt[a]) {
            const glm::uvec3& tri = m.triangles[t];
            if (tri.x == b || tri.y == b || tri.z == b) shared.push_back(t);
        }
        if (shared.size() != 2 || common.size() != 2) continue;
        const dvec3 p = 0.5 * (m.positions[a] + m.positions[b]);
        bool ok = true;
        for (uint32_t v : {a, b}) {
            for (uint32_t t : vt[v]) {
                if (t == shared[0] || t == shared[1]) continue;
                const glm::uvec3 tri = m.triangles[t];
                dvec3 q[3], o[3];
                for (int k = 0; k < 3; ++k) {
                    o[k] = m.positions[tri[k]];
                    q[k] = (tri[k] == a || tri[k] == b) ? p : o[k];
                }
                const dvec3 n_old = glm::cross(o[1] - o[0], o[2] - o[0]);
                const dvec3 n_new = glm::cross(q[1] - q[0], q[2] - q[0]);
                const double ln = glm::length(n_new), lo = glm::length(n_old);
                if (ln <= 0 || lo <= 0 || glm::dot(n_new, n_old) < 0.5 * ln * lo)
                    ok = false;
                else if (triangleQuality(q[0], q[1], q[2]) <
                         std::min(0.45, triangleQuality(o[0], o[1], o[2])))
                    ok = false;
                else
                    for (int k = 0; k < 3; ++k)
                        if (glm::length(q[k] - q[(k + 1) % 3]) > max_edge) ok = false;
                if (!ok) break;
            }
            if (!ok) break;
        }
        if (!ok) continue;
        // Collapse b into a.
        for (uint32_t t : shared) {
            tri_alive[t] = 0;
            --alive;
        }
        std::vector<uint32_t> merged;
        for (uint32_t v : {a, b})
            for (uint32_t t : vt[v])
                if (tri_alive[t]) merged.push_back(t);
        std::sort(merged.begin(), merged.end());
        merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
        for (uint32_t t : merged)
            for (int k = 0; k < 3; ++k)
                if (m.triangles[t][k] == b) m.triangles[t][k] = a;
        for (uint32_t c : common) {
            auto& list = vt[c];
            list.erase(
                std::remove_if(list.begin(), list.end(), [&](uint32_t t) { return !tri_alive[t]; }),
                list.end());
        }
        vt[a] = std::move(merged);
        vt[b].clear();
        vert_alive[b] = 0;
        m.positions[a] = p;
        for (int i = 0; i < 10; ++i)
            quadrics[a][i] += quadrics[b][i];
        ++stamp[a];
        // Only the edges at a changed cost (a moved, its quadric grew); the others keep
        // theirs, and every entry is re-checked when it is popped.
        neighbours(a, na);
        for (uint32_t n : na)
            push(std::min(a, n), std::max(a, n));
    }
    // Compact.
    std::vector<uint32_t> remap(nv, UINT32_MAX);
    RawMesh out;
    for (uint32_t t = 0; t < m.triangles.size(); ++t) {
        if (!tri_alive[t]) continue;
        glm::uvec3 tri = m.triangles[t];
        for (int k = 0; k < 3; ++k) {
            uint32_t& r = remap[tri[k]];
            if (r == UINT32_MAX) {
                r = uint32_t(out.positions.size());
                out.positions.push_back(m.positions[tri[k]]);
            }
            tri[k] = r;
        }
        out.triangles.push_back(tri);
    }
    m = std::move(out);
}

// Tangential Laplacian relaxation (even spacing), each step followed by re-projection.
void relax(RawMesh& m, int iterations) {
    const std::vector<uint8_t> boundary = boundaryVertices(m);
    std::vector<std::vector<uint32_t>> nbr(m.positions.size());
    for (const glm::uvec3& t : m.triangles)
        for (int k = 0; k < 3; ++k) {
            nbr[t[k]].push_back(t[(k + 1) % 3]);
            nbr[t[k]].push_back(t[(k + 2) % 3]);
        }
    for (auto& list : nbr) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    for (int it = 0; it < iterations; ++it) {
        std::vector<dvec3> next = m.positions;
        for (size_t v = 0; v < m.positions.size(); ++v) {
            if (boundary[v] || nbr[v].empty()) continue;
            dvec3 c(0);
            for (uint32_t n : nbr[v])
                c += m.positions[n];
            c /= double(nbr[v].size());
            const dvec3 p = m.positions[v];
            const dvec3 g = gradient(p);
            const double gl = glm::length(g);
            const dvec3 n = gl > 0 ? g / gl : dvec3(0);
            const dvec3 delta = c - p;
            next[v] = projectToSurface(p + 0.6 * (delta - glm::dot(delta, n) * n), 2);
        }
        m.positions = std::move(next);
    }
}

// ----------------------------------------------------------------------------------------
// UVs: cut along the back midline, map the disc to a convex polygon.

std::vector<glm::vec2> discUvs(const RawMesh& m, std::vector<uint32_t>& origin,
                               std::vector<glm::uvec3>& triangles) {
    const size_t nv = m.positions.size();
    const std::vector<uint8_t> boundary = boundaryVertices(m);
    std::vector<std::vector<std::pair<uint32_t, double>>> adj(nv);
    for (const glm::uvec3& t : m.triangles)
        for (int k = 0; k < 3; ++k) {
            const uint32_t a = t[k], b = t[(k + 1) % 3];
            const dvec3 pa = m.positions[a], pb = m.positions[b];
            const dvec3 mid = 0.5 * (pa + pb);
            // Prefer the back midline: |x| is expensive, the front half forbidden.
            const double w =
                glm::length(pa - pb) * (1.0 + 0.25 * mid.x * mid.x) * (mid.z > 0 ? 100.0 : 1.0);
            adj[a].push_back({b, w});
        }
    // The pole: the highest vertex.
    uint32_t pole = 0;
    for (uint32_t v = 0; v < nv; ++v)
        if (m.positions[v].y > m.positions[pole].y) pole = v;
    // Dijkstra from the pole to the nearest rim vertex at the back.
    std::vector<double> dist(nv, 1e300);
    std::vector<uint32_t> prev(nv, UINT32_MAX);
    using QE = std::pair<double, uint32_t>;
    std::priority_queue<QE, std::vector<QE>, std::greater<QE>> pq;
    dist[pole] = 0;
    pq.push({0, pole});
    uint32_t rim_end = UINT32_MAX;
    while (!pq.empty()) {
        const auto [d, v] = pq.top();
        pq.pop();
        if (d > dist[v]) continue;
        if (boundary[v] && m.positions[v].z < 0) {
            rim_end = v;
            break;
        }
        for (const auto& [n, w] : adj[v])
            if (d + w < dist[n]) {
                dist[n] = d + w;
                prev[n] = v;
                pq.push({dist[n], n});
            }
    }
    // Not input-reachable: the mannequin is generated from constants (tested against the committed
    // file).
    STIPPLE_ASSERT(rim_end != UINT32_MAX, "discUvs(): no path from the top to the neck");
    std::vector<uint32_t> path; // rim end first
    for (uint32_t v = rim_end; v != UINT32_MAX; v = prev[v])
        path.push_back(v);

    // Duplicate the path vertices (all but the pole) for the triangles on the +X side, found
    // by turning counter-clockwise (seen from outside) from the edge towards the pole.
    origin.resize(nv);
    for (uint32_t v = 0; v < nv; ++v)
        origin[v] = v;
    triangles = m.triangles;
    std::vector<std::vector<uint32_t>> vt(nv);
    for (uint32_t t = 0; t < triangles.size(); ++t)
        for (int k = 0; k < 3; ++k)
            vt[triangles[t][k]].push_back(t);
    std::vector<uint32_t> copy_of(nv, UINT32_MAX);
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        const uint32_t v = path[i], up = path[i + 1];
        const uint32_t down = i > 0 ? path[i - 1] : UINT32_MAX;
        const uint32_t copy = uint32_t(origin.size());
        origin.push_back(v);
        copy_of[v] = copy;
        uint32_t from = up;
        for (size_t guard = 0; guard < vt[v].size(); ++guard) {
            // The triangle (v, from, next) in counter-clockwise order.
            uint32_t found = UINT32_MAX, next = UINT32_MAX;
            for (uint32_t t : vt[v]) {
                const glm::uvec3& tri = triangles[t];
                for (int k = 0; k < 3; ++k)
                    if (tri[k] == v &&
                        (tri[(k + 1) % 3] == from ||
                         (from < nv && copy_of[from] != UINT32_MAX &&
                          tri[(k + 1) % 3] == copy_of[from]))) {
                        found = t;
                        next = tri[(k + 2) % 3];
                    }
            }
            if (found == UINT32_MAX) break;
            for (int k = 0; k < 3; ++k)
                if (triangles[found][k] == v) triangles[found][k] = copy;
            if (next == down || (down != UINT32_MAX && next == copy_of[down])) break;
            from = next;
        }
    }
    const size_t n = origin.size();
    // The boundary of the cut disc, as a loop of directed boundary edges.
    std::map<std::pair<uint32_t, uint32_t>, int> half;
    for (const glm::uvec3& t : triangles)
        for (int k = 0; k < 3; ++k)
            half[{t[k], t[(k + 1) % 3]}]++;
    std::vector<uint32_t> next_on_boundary(n, UINT32_MAX);
    for (const auto& [e, c] : half)
        if (!half.count({e.second, e.first})) next_on_boundary[e.first] = e.second;
    // Walk the loop from the pole.
    std::vector<uint32_t> loop{pole};
    for (uint32_t v = next_on_boundary[pole]; v != pole && v != UINT32_MAX;
         v = next_on_boundary[v]) {
        loop.push_back(v);
        // Not input-reachable: the mannequin is generated from constants (tested against the
        // committed file).
        STIPPLE_ASSERT(loop.size() <= n, "discUvs(): the cut surface is not a disc");
    }
    // Convex polygon: the pole at the top centre, the two seam sides down to the bottom
    // corners, the neck rim along the bottom. Positions by arc length along each part.
    std::vector<glm::vec2> uv(n, glm::vec2(0));
    std::vector<uint8_t> fixed(n, 0);
    // Split the loop into three runs at the two rim-end copies.
    const uint32_t rim_a = path[0], rim_b = copy_of[path[0]];
    size_t ia = 0, ib = 0;
    for (size_t i = 0; i < loop.size(); ++i) {
        if (loop[i] == rim_a) ia = i;
        if (loop[i] == rim_b) ib = i;
    }
    const bool a_first = ia < ib;
    const size_t i1 = std::min(ia, ib), i2 = std::max(ia, ib);
    auto arc = [&](size_t from, size_t to) { // inclusive indices into loop (wrapping)
        std::vector<uint32_t> run;
        for (size_t i = from;; i = (i + 1) % loop.size()) {
            run.push_back(loop[i]);
            if (i == to) break;
        }
        std::vector<double> s{0};
        for (size_t i = 1; i < run.size(); ++i)
            s.push_back(s.back() +
                        glm::length(m.positions[origin[run[i]]] - m.positions[origin[run[i - 1]]]));
        for (double& x : s)
            x /= std::max(s.back(), 1e-12);
        return std::make_pair(run, s);
    };
    // Seam side polygon: from a bottom corner up to (corner.x, kSeamKnee) then to the pole.
    constexpr double kSeamKnee = 0.55;
    auto seamPoint = [&](double corner_u, double t) { // t: 0 at the pole .. 1 at the corner
        const double l1 = std::sqrt(0.25 + (1 - kSeamKnee) * (1 - kSeamKnee)), l2 = kSeamKnee;
        const double s = t * (l1 + l2);
        if (s <= l1) {
            const double f = s / l1;
            return glm::dvec2(0.5 + (corner_u - 0.5) * f, 1.0 - (1.0 - kSeamKnee) * f);
        }
        return glm::dvec2(corner_u, kSeamKnee * (1.0 - (s - l1) / l2));
    };
    // loop[0] is the pole; run 1: pole .. first rim copy (a seam side), run 2: rim, run 3:
    // second rim copy .. pole (the other seam side).
    {
        auto [run, s] = arc(0, i1);
        const double corner = a_first ? 0.0 : 1.0;
        for (size_t i = 0; i < run.size(); ++i)
            uv[run[i]] = glm::vec2(seamPoint(corner, s[i]));
        for (uint32_t v : run)
            fixed[v] = 1;
    }
    {
        auto [run, s] = arc(i1, i2);
        const double u0 = a_first ? 0.0 : 1.0;
        for (size_t i = 0; i < run.size(); ++i)
            uv[run[i]] = glm::vec2(float(u0 + (1 - 2 * u0) * s[i]), 0.0f);
        for (uint32_t v : run)
            fixed[v] = 1;
    }
    {
        auto [run, s] = arc(i2, 0);
        const double corner = a_first ? 1.0 : 0.0;
        for (size_t i = 0; i < run.size(); ++i)
            uv[run[i]] = glm::vec2(seamPoint(corner, 1.0 - s[i]));
        for (uint32_t v : run)
            fixed[v] = 1;
    }
    // Interior: weighted average of neighbours (clamped cotangent weights, always positive),
    // solved by conjugate gradients on the symmetric positive definite system.
    std::vector<std::map<uint32_t, double>> w(n);
    for (const glm::uvec3& t : triangles)
        for (int k = 0; k < 3; ++k) {
            const uint32_t i = t[k], j = t[(k + 1) % 3], o = t[(k + 2) % 3];
            const dvec3 pi = m.positions[origin[i]], pj = m.positions[origin[j]],
                        po = m.positions[origin[o]];
            const dvec3 e1 = pi - po, e2 = pj - po;
            const double cot = glm::dot(e1, e2) / std::max(glm::length(glm::cross(e1, e2)), 1e-12);
            const double c = 0.5 * std::max(cot, 0.05);
            w[i][j] += c;
            w[j][i] += c;
        }
    std::vector<uint32_t> unknown;
    std::vector<int32_t> index(n, -1);
    for (uint32_t v = 0; v < n; ++v)
        if (!fixed[v]) {
            index[v] = int32_t(unknown.size());
            unknown.push_back(v);
        }
    const size_t nu = unknown.size();
    for (int axis = 0; axis < 2; ++axis) {
        std::vector<double> b(nu, 0), x(nu, 0), diag(nu, 0);
        for (size_t r = 0; r < nu; ++r) {
            const uint32_t v = unknown[r];
            for (const auto& [j, c] : w[v]) {
                diag[r] += c;
                if (fixed[j]) b[r] += c * uv[j][axis];
            }
            x[r] = axis == 0 ? 0.5 : 0.5;
        }
        auto apply = [&](const std::vector<double>& in, std::vector<double>& out) {
            for (size_t r = 0; r < nu; ++r) {
                double s = diag[r] * in[r];
                for (const auto& [j, c] : w[unknown[r]])
                    if (index[j] >= 0) s -= c * in[size_t(index[j])];
                out[r] = s;
            }
        };
        std::vector<double> r(nu), z(nu), p(nu), ap(nu);
        apply(x, ap);
        double bnorm = 0;
        for (size_t i = 0; i < nu; ++i) {
            r[i] = b[i] - ap[i];
            z[i] = r[i] / diag[i];
            p[i] = z[i];
            bnorm += b[i] * b[i];
        }
        double rz = 0;
        for (size_t i = 0; i < nu; ++i)
            rz += r[i] * z[i];
        for (int it = 0; it < 20000; ++it) {
            apply(p, ap);
            double pap = 0;
            for (size_t i = 0; i < nu; ++i)
                pap += p[i] * ap[i];
            const double alpha = rz / pap;
            double rr = 0;
            for (size_t i = 0; i < nu; ++i) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
                rr += r[i] * r[i];
            }
            if (rr <= 1e-26 * std::max(bnorm, 1e-30)) break;
            double rz_new = 0;
            for (size_t i = 0; i < nu; ++i) {
                z[i] = r[i] / diag[i];
                rz_new += r[i] * z[i];
            }
            const double beta = rz_new / rz;
            rz = rz_new;
            for (size_t i = 0; i < nu; ++i)
                p[i] = z[i] + beta * p[i];
        }
        for (size_t i = 0; i < nu; ++i)
            uv[unknown[i]][axis] = float(x[i]);
    }
    // Counter-clockwise triangles (seen from outside) must stay counter-clockwise in UV; if
    // the loop ran the other way, mirror u (the polygon is symmetric, so it stays convex).
    double signed_area = 0;
    for (const glm::uvec3& t : triangles) {
        const glm::vec2 a = uv[t.x], b = uv[t.y], c = uv[t.z];
        signed_area += double((b - a).x * (c - a).y - (b - a).y * (c - a).x);
    }
    if (signed_area < 0)
        for (glm::vec2& q : uv)
            q.x = 1.0f - q.x;
    return uv;
}

// ----------------------------------------------------------------------------------------
// Landmarks and measurements on the exact surface.

MannequinLandmarks findLandmarks() {
    MannequinLandmarks lm;
    lm.vertex = dvec3(0, -1e9, 0);
    for (double z = -40; z <= 40; z += 0.25) {
        const dvec3 hit = march(dvec3(0, 200, z), dvec3(0, -1, 0));
        if (hit.y > lm.vertex.y) lm.vertex = hit;
    }
    lm.glabella = dvec3(0, 0, -1e9);
    for (double y = 22; y <= 50; y += 0.25) {
        const dvec3 hit = march(dvec3(0, y, 200), dvec3(0, 0, -1));
        if (hit.z > lm.glabella.z) lm.glabella = hit;
    }
    lm.nose_tip = dvec3(0, 0, -1e9);
    for (double y = -40; y <= 10; y += 0.25) {
        const dvec3 hit = march(dvec3(0, y, 200), dvec3(0, 0, -1));
        if (hit.z > lm.nose_tip.z) lm.nose_tip = hit;
    }
    lm.occiput = dvec3(0, 0, 1e9);
    for (double y = -10; y <= 90; y += 0.25) {
        const dvec3 hit = march(dvec3(0, y, -200), dvec3(0, 0, 1));
        if (hit.z < lm.occiput.z) lm.occiput = hit;
    }
    lm.ear_left = march(dvec3(150, 0, 0), dvec3(-1, 0, 0));
    lm.ear_right = dvec3(-lm.ear_left.x, lm.ear_left.y, lm.ear_left.z);
    return lm;
}

} // namespace

Mannequin generateMannequin(const MannequinOptions& options) {
    if (!(options.voxel_mm >= 0.5 && options.voxel_mm <= 3))
        throw Error("generateMannequin(): voxel_mm " + std::to_string(options.voxel_mm) +
                    " is out of range 0.5..3");
    if (options.target_triangles < 5000 || options.target_triangles > 1000000)
        throw Error("generateMannequin(): target_triangles " +
                    std::to_string(options.target_triangles) + " is out of range 5000..1000000");
    if (!(options.max_edge_mm >= options.voxel_mm && options.max_edge_mm <= 20))
        throw Error("generateMannequin(): max_edge_mm must be in voxel_mm..20");
    RawMesh raw = surfaceNets(options.voxel_mm);
    projectAll(raw, boundaryVertices(raw), 3);
    decimate(raw, options.target_triangles, options.max_edge_mm);
    relax(raw, 4);
    projectAll(raw, boundaryVertices(raw), 2);

    Mannequin out;
    std::vector<uint32_t> origin;
    std::vector<glm::uvec3> triangles;
    const std::vector<glm::vec2> uvs = discUvs(raw, origin, triangles);
    Mesh& mesh = out.mesh;
    mesh.triangles = std::move(triangles);
    mesh.uvs = uvs;
    mesh.weld = origin;
    for (uint32_t o : origin) {
        const dvec3 p = raw.positions[o];
        mesh.positions.emplace_back(p);
        const dvec3 g = gradient(p);
        mesh.normals.emplace_back(glm::length(g) > 0 ? g / glm::length(g) : dvec3(0, -1, 0));
    }
    out.landmarks = findLandmarks();
    out.neck_bottom_y_mm = kNeckBottomY;
    double max_x = 0;
    for (const glm::vec3& p : mesh.positions)
        if (p.y > 45) max_x = std::max(max_x, double(std::abs(p.x)));
    out.breadth_mm = 2 * max_x;
    out.length_mm = out.landmarks.glabella.z - out.landmarks.occiput.z;
    double menton = 1e9;
    for (double z = 62; z <= 95; z += 0.25)
        menton = std::min(menton, march(dvec3(0, -160, z), dvec3(0, 1, 0)).y);
    out.height_mm = out.landmarks.vertex.y - menton;
    return out;
}

double mannequinDistance(const glm::dvec3& p_mm) {
    return std::max(headShape().distance(p_mm), kNeckBottomY - p_mm.y);
}

} // namespace stipple
