#include "stipple/core/head_model.h"

// The head frame: units, axes and landmarks of an arbitrary head mesh.
//
// Anthropometric reference values (adult head length glabella-opisthocranion ~175-205 mm,
// breadth euryon-euryon ~140-165 mm, vertex-menton ~210-250 mm) are from Farkas, "Anthropometry
// of the Head and Face" (2nd ed., 1994) and the ANSUR II survey (Gordon et al. 2014). Landmark
// definitions follow Farkas: vertex (highest point of the head), glabella (most prominent
// mid-sagittal point between the brows, above the nasion), pronasale (nose tip), tragion
// (ear), opisthocranion (occiput: most posterior point of the head). The estimation is a
// mid-sagittal profile analysis in the spirit of the soft-tissue profile methods used for
// 3D facial scans (e.g. Gupta et al. 2010, "Anthropometric 3D face recognition"): the nose
// tip is the most anterior face point, the nasion the deepest point under the supporting line
// from the nose to the forehead, the glabella the brow bump above it.
//
// Everything is first measured scale-free (in file units, after orientation) so that units
// can be inferred before any millimetre threshold is used.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <unordered_map>

#include <glm/gtc/matrix_transform.hpp>

namespace stipple {

glm::dvec3& Landmarks::operator[](const std::string& name) {
    if (name == "vertex") return vertex;
    if (name == "glabella") return glabella;
    if (name == "nose_tip") return nose_tip;
    if (name == "ear_left") return ear_left;
    if (name == "ear_right") return ear_right;
    // Not input-reachable: names come from kLandmarkNames; a design's unknown landmark is refused
    // first (/head/landmarks/<name>).
    STIPPLE_ASSERT(name == "occiput", "Landmarks::operator[](): unknown landmark name");
    return occiput;
}

const glm::dvec3& Landmarks::operator[](const std::string& name) const {
    return const_cast<Landmarks&>(*this)[name];
}

glm::dmat3 headAxesRotation(Axis up, Axis forward) {
    const glm::dvec3 u = axisVector(up);
    const glm::dvec3 f = axisVector(forward);
    if (std::abs(glm::dot(u, f)) > 0.5)
        throw Error("up " + axisName(up) + " and forward " + axisName(forward) +
                        " are not perpendicular; accepted: two different axes, e.g. up +Y "
                        "with forward +Z, or up +Z with forward -Y",
                    "", "/head/forward");
    const glm::dvec3 left = glm::cross(u, f);
    // Rows are the head axes expressed in file coordinates (glm is column-major).
    return glm::transpose(glm::dmat3(left, u, f));
}

namespace {

constexpr double kMeanLengthMm = 190;  // glabella-occiput, adult mean (Farkas)
constexpr double kMeanBreadthMm = 152; // euryon-euryon, adult mean
constexpr double kMinUnitMm = 1e-3;    // micrometres: the smallest unit a head file could use
constexpr double kMaxUnitMm = 1e4;     // 10 m: the largest

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, format, a, b, c);
    return buffer;
}

// For each vertex, the first vertex at the same welded position (so the id doubles as an
// index into positions): from the mesh's own weld ids when present, else exact equality.
std::vector<uint32_t> weldIds(const Mesh& mesh) {
    if (mesh.weld.size() == mesh.positions.size()) {
        std::unordered_map<uint32_t, uint32_t> representative;
        std::vector<uint32_t> ids(mesh.positions.size());
        for (size_t v = 0; v < mesh.positions.size(); ++v)
            ids[v] = representative.emplace(mesh.weld[v], uint32_t(v)).first->second;
        return ids;
    }
    struct Hash {
        size_t operator()(const glm::vec3& p) const {
            const std::hash<float> h;
            return h(p.x) * 73856093u ^ h(p.y) * 19349663u ^ h(p.z) * 83492791u;
        }
    };
    std::unordered_map<glm::vec3, uint32_t, Hash> first;
    std::vector<uint32_t> ids(mesh.positions.size());
    for (size_t v = 0; v < mesh.positions.size(); ++v)
        ids[v] = first.emplace(mesh.positions[v], uint32_t(v)).first->second;
    return ids;
}

struct UnionFind {
    std::vector<uint32_t> parent;
    explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
    uint32_t find(uint32_t a) {
        while (parent[a] != a)
            a = parent[a] = parent[parent[a]];
        return a;
    }
    void unite(uint32_t a, uint32_t b) { parent[find(a)] = find(b); }
};

// The surface the analysis uses: the largest connected component by area (eyes, teeth and
// lashes of face kits are separate components), as welded positions and triangles.
struct Surface {
    std::vector<glm::dvec3> points;    // file units, later oriented / scaled in place
    std::vector<glm::uvec3> triangles; // into points
};

Surface largestComponent(const Mesh& mesh) {
    const std::vector<uint32_t> weld = weldIds(mesh);
    UnionFind uf(mesh.positions.size());
    for (const glm::uvec3& t : mesh.triangles) {
        uf.unite(weld[t.x], weld[t.y]);
        uf.unite(weld[t.y], weld[t.z]);
    }
    std::unordered_map<uint32_t, double> area;
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        area[uf.find(weld[t.x])] += glm::length(glm::cross(b - a, c - a));
    }
    uint32_t best = 0;
    double best_area = -1;
    for (const auto& [root, a] : area)
        if (a > best_area || (a == best_area && root < best)) best = root, best_area = a;
    Surface surface;
    std::vector<uint32_t> index(mesh.positions.size(), UINT32_MAX);
    auto id = [&](uint32_t v) {
        const uint32_t w = weld[v];
        if (index[w] == UINT32_MAX) {
            index[w] = uint32_t(surface.points.size());
            surface.points.emplace_back(mesh.positions[w]);
        }
        return index[w];
    };
    for (const glm::uvec3& t : mesh.triangles)
        if (uf.find(weld[t.x]) == best) surface.triangles.emplace_back(id(t.x), id(t.y), id(t.z));
    return surface;
}

double triangleArea(const Surface& s, const glm::uvec3& t) {
    return 0.5 *
           glm::length(glm::cross(s.points[t.y] - s.points[t.x], s.points[t.z] - s.points[t.x]));
}

struct Cranium {
    double length = 0;  // front-back extent of the cranium (file units)
    double breadth = 0; // left-right extent
    double depth = 0;   // how far below the top the measurement went
};
Cranium measureCranium(const std::vector<glm::dvec3>& points);

// --- Axes detection (file coordinates, scale-free) -----------------------------------------

struct AxesGuess {
    std::optional<Axis> up;
    std::optional<Axis> forward;
    double up_confidence = 0;
    double forward_confidence = 0;
    std::string reason;
};

Axis nearestAxis(const glm::dvec3& v, double* cosine) {
    Axis best = Axis::PosY;
    double best_cos = -2;
    for (int a = 0; a < 6; ++a) {
        const double c = glm::dot(glm::normalize(v), axisVector(Axis(a)));
        if (c > best_cos) best_cos = c, best = Axis(a);
    }
    if (cosine) *cosine = best_cos;
    return best;
}

// Up from the neck opening: scans and busts are cut open at the bottom, so the longest
// boundary loop lies below the head. Nothing is concluded for closed meshes.
void detectUp(const Surface& s, AxesGuess& guess) {
    std::unordered_map<uint64_t, int> edge_use;
    auto key = [](uint32_t a, uint32_t b) {
        return (uint64_t(std::min(a, b)) << 32) | std::max(a, b);
    };
    for (const glm::uvec3& t : s.triangles) {
        ++edge_use[key(t.x, t.y)];
        ++edge_use[key(t.y, t.z)];
        ++edge_use[key(t.z, t.x)];
    }
    UnionFind uf(s.points.size());
    std::vector<std::pair<uint32_t, uint32_t>> boundary;
    for (const auto& [k, n] : edge_use) {
        if (n != 1) continue;
        const uint32_t a = uint32_t(k >> 32), b = uint32_t(k & 0xffffffffu);
        boundary.emplace_back(a, b);
        uf.unite(a, b);
    }
    std::unordered_map<uint32_t, std::pair<double, glm::dvec3>> loops; // length, weighted sum
    for (const auto& [a, b] : boundary) {
        const double len = glm::distance(s.points[a], s.points[b]);
        auto& loop = loops[uf.find(a)];
        loop.first += len;
        loop.second += len * 0.5 * (s.points[a] + s.points[b]);
    }
    double area = 0;
    glm::dvec3 centroid(0);
    for (const glm::uvec3& t : s.triangles) {
        const double a = triangleArea(s, t);
        area += a;
        centroid += a * (s.points[t.x] + s.points[t.y] + s.points[t.z]) / 3.0;
    }
    if (area <= 0) return;
    centroid /= area;
    double best_len = 0;
    glm::dvec3 best_centre(0);
    for (const auto& [root, loop] : loops)
        if (loop.first > best_len) best_len = loop.first, best_centre = loop.second / loop.first;
    // A neck or bust cut is long compared with the head's size (ICT: perimeter 0.9 sqrt(area));
    // eye and mouth openings are far shorter.
    if (best_len < 0.4 * std::sqrt(area)) return;
    const glm::dvec3 down = best_centre - centroid;
    if (glm::length(down) <= 0) return;
    double cosine = 0;
    guess.up = nearestAxis(-down, &cosine);
    guess.up_confidence = std::clamp((cosine - 0.6) / 0.3, 0.0, 1.0);
    guess.reason =
        "the largest opening (neck/base) is toward " + axisName(nearestAxis(down, nullptr));
}

// Forward from the nose: among the horizontal axes the front/back pair is the asymmetric one
// (left/right ears are alike), and the nose is a sharp extreme while the occiput is a broad
// dome. Sharpness = surface area within a thin slab at the extreme.
void detectForward(const Surface& s, Axis up, AxesGuess& guess) {
    const glm::dvec3 u = axisVector(up);
    // The head only (a bust's shoulders and back would swamp the nose): the cranium cap as in
    // measureCranium(), with the larger horizontal extent standing in for the unknown length,
    // and 1.1 cranium lengths below the top (a bowed head's nose is 0.94 L down).
    std::vector<glm::dvec3> upright;
    upright.reserve(s.points.size());
    const glm::dmat3 to_upright =
        headAxesRotation(up, std::abs(u.x) > 0.5 ? Axis::PosY : Axis::PosX);
    for (const glm::dvec3& p : s.points)
        upright.push_back(to_upright * p);
    const Cranium cap = measureCranium(upright);
    double top = -1e300;
    for (const glm::dvec3& p : s.points)
        top = std::max(top, glm::dot(p, u));
    const double head_floor = top - 1.1 * std::max(cap.length, cap.breadth);
    std::vector<const glm::uvec3*> head;
    for (const glm::uvec3& t : s.triangles)
        if (glm::dot(s.points[t.x], u) > head_floor) head.push_back(&t);
    double best_asym = 0;
    Axis best = Axis::PosZ;
    for (int a = 0; a < 6; a += 2) {
        const glm::dvec3 d = axisVector(Axis(a));
        if (std::abs(glm::dot(d, u)) > 0.5) continue;
        double lo = 1e300, hi = -1e300, horizontal = 0;
        for (const glm::uvec3* t : head)
            for (int k = 0; k < 3; ++k) {
                const double x = glm::dot(s.points[(*t)[k]], d);
                lo = std::min(lo, x), hi = std::max(hi, x);
            }
        horizontal = hi - lo;
        const double slab = 0.05 * horizontal;
        // The extremes are the head's, but the area near them is counted on the whole mesh:
        // where the head region's floor cuts a bust's back or neck, the cut is no protrusion.
        double area_hi = 0, area_lo = 0;
        for (const glm::uvec3& triangle : s.triangles) {
            const glm::uvec3* t = &triangle;
            const double x = glm::dot(s.points[t->x] + s.points[t->y] + s.points[t->z], d) / 3.0;
            if (x > hi - slab) area_hi += triangleArea(s, *t);
            if (x < lo + slab) area_lo += triangleArea(s, *t);
        }
        if (area_hi <= 0 || area_lo <= 0) continue;
        const double asym = std::log(area_lo / area_hi); // > 0: the + end is sharper
        if (std::abs(asym) > std::abs(best_asym))
            best_asym = asym, best = asym > 0 ? Axis(a) : Axis(a + 1);
    }
    if (best_asym == 0) return;
    guess.forward = best;
    // A nose against an occiput is an area ratio of about 5-10 (ICT 9); 2 is a weak hint.
    guess.forward_confidence =
        std::clamp((std::abs(best_asym) - std::log(2.0)) / std::log(3.0), 0.0, 1.0);
    if (!guess.reason.empty()) guess.reason += "; ";
    guess.reason += "the sharpest protrusion (nose) points " + axisName(best);
}

// --- Scale-free cranium measurement --------------------------------------------------------

// Oriented points (+Y up, +Z forward). Grows a cap down from the top until it is twice as long
// as it is deep: then it spans the cranium's widest ring (glabella-occiput level) but not yet
// the nose or the ears (ICT: stops 97 mm below the vertex, the ears start at 110 mm).
Cranium measureCranium(const std::vector<glm::dvec3>& points) {
    std::vector<const glm::dvec3*> order;
    order.reserve(points.size());
    for (const glm::dvec3& p : points)
        order.push_back(&p);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->y > b->y; });
    Cranium c;
    if (order.empty()) return c;
    const double top = order.front()->y;
    glm::dvec3 lo(1e300), hi(-1e300);
    size_t count = 0;
    for (const glm::dvec3* p : order) {
        const double depth = top - p->y;
        // A few points first: a lone top vertex has no length yet.
        if (++count > 8 && depth > 0.5 * (hi.z - lo.z)) break;
        lo = glm::min(lo, *p), hi = glm::max(hi, *p);
        c.length = hi.z - lo.z, c.breadth = hi.x - lo.x, c.depth = depth;
    }
    return c;
}

UnitsInfo inferUnits(const Cranium& c, const std::string& file) {
    const double fit_length = kMeanLengthMm / c.length;
    const double fit_breadth = kMeanBreadthMm / c.breadth;
    // Length weighs double: ears, hair and cheeks widen a head more than they lengthen it.
    const double fit = std::exp((2 * std::log(fit_length) + std::log(fit_breadth)) / 3);
    if (!(fit >= kMinUnitMm && fit <= kMaxUnitMm))
        throw Error(fmt("cannot be a head at any plausible unit: its cranium measures %.3g x %.3g "
                        "file units, which would need %.3g mm per unit; accepted: a head in "
                        "micrometres to metres (set head.mm_per_unit to force a unit)",
                        c.length, c.breadth, fit),
                    file, "/head/mm_per_unit");
    struct Candidate {
        const char* name;
        double mm;
    };
    static const Candidate kCandidates[] = {
        {"millimetres", 1}, {"centimetres", 10}, {"inches", 25.4}, {"metres", 1000}};
    // Adult heads vary by about +-8 % (1 sd) in length and breadth; a standard unit is taken
    // when it lies within +-30 % of the fit.
    const double ratio = c.breadth / c.length;
    const double shape =
        ratio >= 0.6 && ratio <= 1.05 ? 1.0 : std::exp(-std::pow(std::log(ratio / 0.8) / 0.3, 2));
    UnitsInfo units;
    units.source = "inferred";
    for (const Candidate& candidate : kCandidates) {
        const double off = std::log(candidate.mm / fit);
        if (std::abs(off) > std::log(1.3)) continue;
        units.mm_per_unit = candidate.mm;
        units.confidence = 0.97 * std::exp(-0.5 * std::pow(off / 0.15, 2)) * shape;
        units.reason = fmt(": the cranium is %.0f mm long and %.0f mm wide in them "
                           "(adults: 175-205 and 140-165)",
                           candidate.mm * c.length, candidate.mm * c.breadth);
        units.reason = candidate.name + units.reason;
        return units;
    }
    units.mm_per_unit = fit;
    units.confidence = 0.45 * shape;
    units.reason = fmt("no standard unit fits (the cranium is %.3g x %.3g file units); scaled to "
                       "an average adult head, %.4g mm per unit (hair or a bust shift this by a "
                       "few per cent)",
                       c.length, c.breadth, fit);
    return units;
}

// --- Landmarks (oriented millimetres, before the origin moves to the ears) -----------------

struct ProfilePoint {
    double y, z;
};

// Mid-sagittal profile: the surface cut by the plane x = x0.
std::vector<ProfilePoint> sagittalProfile(const Surface& s, double x0) {
    std::vector<ProfilePoint> out;
    for (const glm::uvec3& t : s.triangles)
        for (int k = 0; k < 3; ++k) {
            const glm::dvec3 a = s.points[t[k]], b = s.points[t[(k + 1) % 3]];
            if ((a.x - x0) * (b.x - x0) > 0 || a.x == b.x) continue;
            const double f = (x0 - a.x) / (b.x - a.x);
            out.push_back({a.y + f * (b.y - a.y), a.z + f * (b.z - a.z)});
        }
    return out;
}

// Front profile: the most anterior profile point per 2 mm band of height, from y0 upward.
std::vector<ProfilePoint> frontProfile(const std::vector<ProfilePoint>& profile, double y0) {
    std::map<long, ProfilePoint> bins;
    for (const ProfilePoint& p : profile) {
        if (p.y < y0) continue;
        const long k = long(std::floor((p.y - y0) / 2.0));
        auto [it, fresh] = bins.emplace(k, p);
        if (!fresh && p.z > it->second.z) it->second = p;
    }
    std::vector<ProfilePoint> out;
    for (const auto& [k, p] : bins)
        out.push_back(p);
    return out;
}

// --- Ears: a side height map of the ear region -------------------------------------------

// How far the surface reaches out to one side, seen from that side: for each 1 mm cell of
// the (y, z) plane, the largest side * (x - x_mid) of the surface over it. The outermost
// surface is what an observer (or a manual placement on a side render) sees.
struct SideMap {
    double y0 = 0, z0 = 0; // millimetres at cell (0, 0)
    int ny = 0, nz = 0;
    std::vector<double> r; // ny * nz, kNoSurface where nothing is over the cell
    static constexpr double kNoSurface = -1e300;
    double at(int i, int j) const { return r[size_t(i) * size_t(nz) + size_t(j)]; }
    double& at(int i, int j) { return r[size_t(i) * size_t(nz) + size_t(j)]; }
    bool has(int i, int j) const { return at(i, j) > kNoSurface; }
};

SideMap sideMap(const Surface& s, int side, double x_mid, double y0, double y1, double z0,
                double z1) {
    SideMap m;
    m.y0 = y0, m.z0 = z0;
    m.ny = std::max(1, int(y1 - y0) + 1), m.nz = std::max(1, int(z1 - z0) + 1);
    m.r.assign(size_t(m.ny) * size_t(m.nz), SideMap::kNoSurface);
    for (const glm::uvec3& t : s.triangles) {
        const glm::dvec3 &a = s.points[t.x], &b = s.points[t.y], &c = s.points[t.z];
        if (side * (a.x - x_mid) <= 0 && side * (b.x - x_mid) <= 0 && side * (c.x - x_mid) <= 0)
            continue;
        const double ylo = std::min({a.y, b.y, c.y}), yhi = std::max({a.y, b.y, c.y});
        const double zlo = std::min({a.z, b.z, c.z}), zhi = std::max({a.z, b.z, c.z});
        if (yhi < y0 || ylo > y1 || zhi < z0 || zlo > z1) continue;
        const double det = (b.y - a.y) * (c.z - a.z) - (c.y - a.y) * (b.z - a.z);
        if (std::abs(det) < 1e-12) continue; // seen edge-on: its neighbours cover it
        const int i_lo = std::max(0, int(std::ceil(ylo - y0)));
        const int i_hi = std::min(m.ny - 1, int(std::floor(yhi - y0)));
        const int j_lo = std::max(0, int(std::ceil(zlo - z0)));
        const int j_hi = std::min(m.nz - 1, int(std::floor(zhi - z0)));
        for (int i = i_lo; i <= i_hi; ++i)
            for (int j = j_lo; j <= j_hi; ++j) {
                const double y = y0 + i, z = z0 + j;
                const double u = ((b.y - y) * (c.z - z) - (c.y - y) * (b.z - z)) / det;
                const double v = ((c.y - y) * (a.z - z) - (a.y - y) * (c.z - z)) / det;
                const double w = 1 - u - v;
                if (u < -1e-9 || v < -1e-9 || w < -1e-9) continue;
                m.at(i, j) = std::max(m.at(i, j), side * (u * a.x + v * b.x + w * c.x - x_mid));
            }
    }
    return m;
}

// The side map minus a smooth head: a quadratic in (y, z) fitted by least squares while
// leaving out what stands more than 3 mm proud of it (the pinna, hair curls), re-fitted until
// stable. What remains is the ear's relief: the helix and lobe stand 10-25 mm out, the concha
// is a pit, the cheek in front of the ear is ~0.
SideMap sideRelief(const SideMap& m) {
    const double yc = m.y0 + 0.5 * m.ny, zc = m.z0 + 0.5 * m.nz;
    auto basis = [&](int i, int j) {
        const double y = (m.y0 + i - yc) / 50, z = (m.z0 + j - zc) / 50;
        return std::array<double, 6>{1, y, z, y * y, y * z, z * z};
    };
    std::array<double, 6> coef{};
    std::vector<char> use(m.r.size());
    for (size_t k = 0; k < m.r.size(); ++k)
        use[k] = m.r[k] > SideMap::kNoSurface;
    SideMap relief = m;
    for (int iteration = 0; iteration < 8; ++iteration) {
        double a[6][7] = {};
        for (int i = 0; i < m.ny; ++i)
            for (int j = 0; j < m.nz; ++j) {
                if (!use[size_t(i) * size_t(m.nz) + size_t(j)]) continue;
                const std::array<double, 6> b = basis(i, j);
                for (int r = 0; r < 6; ++r) {
                    for (int c = 0; c < 6; ++c)
                        a[r][c] += b[r] * b[c];
                    a[r][6] += b[r] * m.at(i, j);
                }
            }
        for (int c = 0; c < 6; ++c) { // Gaussian elimination: the normal matrix is SPD
            if (std::abs(a[c][c]) < 1e-12) return relief;
            for (int r = c + 1; r < 6; ++r) {
                const double f = a[r][c] / a[c][c];
                for (int k = c; k < 7; ++k)
                    a[r][k] -= f * a[c][k];
            }
        }
        for (int r = 5; r >= 0; --r) {
            double v = a[r][6];
            for (int k = r + 1; k < 6; ++k)
                v -= a[r][k] * coef[size_t(k)];
            coef[size_t(r)] = v / a[r][r];
        }
        for (int i = 0; i < m.ny; ++i)
            for (int j = 0; j < m.nz; ++j) {
                if (!m.has(i, j)) continue;
                const std::array<double, 6> b = basis(i, j);
                double base = 0;
                for (int k = 0; k < 6; ++k)
                    base += b[size_t(k)] * coef[size_t(k)];
                relief.at(i, j) = m.at(i, j) - base;
                use[size_t(i) * size_t(m.nz) + size_t(j)] = relief.at(i, j) < 3;
            }
    }
    return relief;
}

// One side's ear in the side map: the pinna and the tragus on it.
struct EarFind {
    bool found = false;
    glm::dvec2 tragus_yz{0};             // millimetres
    double tragus_r = 0;                 // side * (x - x_mid) of the skin there
    glm::dvec2 pinna_lo{0}, pinna_hi{0}; // the pinna's (y, z) bounding box
};

// The pinna is the connected relief standing more than 6 mm proud that contains the most
// proud cell; it must lie inside the map (hair that runs off the map is no ear) and be
// ear-sized (adult ear length 55-70 mm, Farkas; 30-90 accepted). The tragus is at the height
// of the concha, 0.43 of the ear's length above the lobe (mannequin 0.41, ICT 0.45: the
// tragus covers the ear canal just below the crus of the helix), and at the front of the ear
// there: going forward from the pinna, the last place where the relief still changes steeply
// (the tragus' front wall, or the front wall of the concha where the tragus is flat) before
// the smooth cheek.
EarFind findEar(const SideMap& m, const SideMap& relief) {
    EarFind ear;
    int best = -1;
    for (int k = 0; k < int(relief.r.size()); ++k)
        if (relief.r[size_t(k)] > SideMap::kNoSurface &&
            (best < 0 || relief.r[size_t(k)] > relief.r[size_t(best)]))
            best = k;
    if (best < 0 || relief.r[size_t(best)] < 8) return ear;
    constexpr double kPinnaMm = 6;
    std::vector<char> in(relief.r.size(), 0);
    std::vector<int> stack{best};
    in[size_t(best)] = 1;
    int i_lo = m.ny, i_hi = -1, j_lo = m.nz, j_hi = -1;
    bool touches_edge = false;
    while (!stack.empty()) {
        const int k = stack.back();
        stack.pop_back();
        const int i = k / m.nz, j = k % m.nz;
        i_lo = std::min(i_lo, i), i_hi = std::max(i_hi, i);
        j_lo = std::min(j_lo, j), j_hi = std::max(j_hi, j);
        touches_edge |= i == 0 || j == 0 || i == m.ny - 1 || j == m.nz - 1;
        const int next[4][2] = {{i + 1, j}, {i - 1, j}, {i, j + 1}, {i, j - 1}};
        for (const auto& n : next) {
            if (n[0] < 0 || n[1] < 0 || n[0] >= m.ny || n[1] >= m.nz) continue;
            const int kk = n[0] * m.nz + n[1];
            if (!in[size_t(kk)] && relief.r[size_t(kk)] > kPinnaMm) {
                in[size_t(kk)] = 1;
                stack.push_back(kk);
            }
        }
    }
    const double length = i_hi - i_lo, width = j_hi - j_lo;
    if (touches_edge || length < 30 || length > 90 || width < 10 || width > 60) return ear;
    ear.pinna_lo = {m.y0 + i_lo, m.z0 + j_lo};
    ear.pinna_hi = {m.y0 + i_hi, m.z0 + j_hi};
    const int i_tragus = i_lo + int(std::lround(0.43 * length));
    // The front of the pinna at that height (3 mm band): the scan for the tragus starts there.
    int j_start = -1;
    for (int i = std::max(0, i_tragus - 3); i <= std::min(m.ny - 1, i_tragus + 3); ++i)
        for (int j = 0; j < m.nz; ++j)
            if (in[size_t(i) * size_t(m.nz) + size_t(j)]) j_start = std::max(j_start, j);
    if (j_start < 0) return ear;
    // Steepness of the relief along z, averaged over 5 rows to ride over mesh facets.
    auto slope = [&](int j) {
        double sum = 0;
        int n = 0;
        for (int i = std::max(0, i_tragus - 2); i <= std::min(m.ny - 1, i_tragus + 2); ++i)
            if (j >= 1 && j + 1 < m.nz && relief.has(i, j - 1) && relief.has(i, j + 1))
                sum += 0.5 * (relief.at(i, j + 1) - relief.at(i, j - 1)), ++n;
        return n ? std::abs(sum / n) : 0.0;
    };
    int j_front = j_start;
    for (int j = j_start; j < std::min(m.nz - 1, j_start + 35); ++j)
        if (slope(j) > 0.6) j_front = j;
    ear.found = true;
    ear.tragus_yz = {m.y0 + i_tragus, m.z0 + j_front};
    double r = SideMap::kNoSurface;
    for (int dj = -1; dj <= 1; ++dj)
        if (j_front + dj >= 0 && j_front + dj < m.nz) r = std::max(r, m.at(i_tragus, j_front + dj));
    ear.tragus_r = r;
    return ear;
}

struct Estimate {
    Landmarks landmarks;
    double x_mid = 0;
    double breadth_mm = 0;  // widest cranium slice without the ears
    std::string ear_method; // how the ears were found; empty: the rim fallback
};

Estimate estimateLandmarks(const Surface& s, const Cranium& c_mm) {
    const double L = c_mm.length;
    const std::vector<glm::dvec3>& P = s.points;
    Estimate e;
    Landmarks& lm = e.landmarks;

    // Vertex: the highest point.
    lm.vertex = *std::max_element(P.begin(), P.end(), [](auto& a, auto& b) { return a.y < b.y; });
    const double top = lm.vertex.y;

    // Mid-sagittal plane: median of the cranium's left/right midpoints over ten slabs.
    std::vector<double> mids;
    for (int i = 0; i < 10; ++i) {
        const double y_hi = top - L * (0.1 + 0.04 * i), y_lo = y_hi - L * 0.04;
        double lo = 1e300, hi = -1e300;
        for (const glm::dvec3& p : P)
            if (p.y >= y_lo && p.y < y_hi) lo = std::min(lo, p.x), hi = std::max(hi, p.x);
        if (hi > lo) mids.push_back(0.5 * (lo + hi));
    }
    std::sort(mids.begin(), mids.end());
    e.x_mid = mids.empty() ? lm.vertex.x : mids[mids.size() / 2];
    const double x_mid = e.x_mid;

    // Nose tip: the most anterior point near the mid-plane in the face's height range (a
    // bowed head puts the nose nearly a head length below the vertex: Demosthenes 0.94 L).
    const glm::dvec3* nose = nullptr;
    for (const glm::dvec3& p : P) {
        const double depth = top - p.y;
        if (std::abs(p.x - x_mid) > 20 || depth < 0.3 * L || depth > 1.1 * L) continue;
        if (!nose || p.z > nose->z) nose = &p;
    }
    lm.nose_tip = nose ? *nose : lm.vertex;

    // Nasion: deepest point under the supporting line from the nose tip to the forehead.
    const std::vector<ProfilePoint> profile = sagittalProfile(s, x_mid);
    // Only the face side: coarse meshes leave height bands where the cut has no front point.
    std::vector<ProfilePoint> face_side;
    for (const ProfilePoint& p : profile)
        if (p.z > lm.nose_tip.z - 0.4 * L) face_side.push_back(p);
    const std::vector<ProfilePoint> front = frontProfile(face_side, lm.nose_tip.y);
    const ProfilePoint tip{lm.nose_tip.y, lm.nose_tip.z};
    const ProfilePoint* touch = nullptr;
    double best_angle = -1e300;
    for (const ProfilePoint& p : front) {
        if (p.y - tip.y < 10 || p.y - tip.y > 0.6 * L) continue;
        const double angle = std::atan2(p.z - tip.z, p.y - tip.y);
        if (angle > best_angle) best_angle = angle, touch = &p;
    }
    ProfilePoint nasion{tip.y + 0.18 * L, tip.z}; // fallback: typical height, no profile found
    if (touch) {
        const glm::dvec2 dir = glm::normalize(glm::dvec2(touch->y - tip.y, touch->z - tip.z));
        double deepest = -1e300;
        for (const ProfilePoint& p : front) {
            if (p.y <= tip.y + 5 || p.y >= touch->y) continue;
            const glm::dvec2 rel(p.y - tip.y, p.z - tip.z);
            const double behind = dir.y * rel.x - dir.x * rel.y; // distance behind the line
            if (behind > deepest) deepest = behind, nasion = p;
        }
    }

    // Glabella: the brow's bump in front of the line from the nasion to the forehead 40 mm up.
    ProfilePoint forehead = nasion;
    for (const ProfilePoint& p : front)
        if (p.y <= nasion.y + 40) forehead = p;
    ProfilePoint glabella{nasion.y + 12, nasion.z}; // fallback: no bump (a flat brow)
    double proudest = 0;
    if (forehead.y > nasion.y) {
        const glm::dvec2 dir =
            glm::normalize(glm::dvec2(forehead.y - nasion.y, forehead.z - nasion.z));
        for (const ProfilePoint& p : front) {
            if (p.y <= nasion.y || p.y > nasion.y + 25) continue;
            const glm::dvec2 rel(p.y - nasion.y, p.z - nasion.z);
            const double proud = dir.x * rel.y - dir.y * rel.x;
            if (proud > proudest) proudest = proud, glabella = p;
        }
    }
    if (proudest == 0)
        for (const ProfilePoint& p : front)
            if (p.y <= nasion.y + 12) glabella = p;
    lm.glabella = {x_mid, glabella.y, glabella.z};

    // Occiput: the most posterior mid-plane point between the nasion level and the crown.
    const ProfilePoint* occ = nullptr;
    for (const ProfilePoint& p : profile)
        if (p.y >= nasion.y - 0.1 * L && p.y <= top - 0.15 * L && (!occ || p.z < occ->z)) occ = &p;
    lm.occiput = occ ? glm::dvec3(x_mid, occ->y, occ->z)
                     : glm::dvec3(x_mid, lm.glabella.y, lm.glabella.z - L);

    // Ears: the tragus found on the pinna in a side height map (see findEar()); where no
    // pinna stands out (hair over the ears, a worn statue) the old rule: the pinna is the most
    // lateral thing between nose and brow height, and the tragus a fixed offset in front of
    // and below its outer rim.
    const double map_y0 = lm.nose_tip.y - 40, map_y1 = lm.glabella.y + 20;
    const double map_z0 = lm.occiput.z + 0.2 * L, map_z1 = lm.glabella.z - 0.2 * L;
    SideMap maps[2];
    EarFind found[2];
    for (int k = 0; k < 2; ++k) {
        maps[k] = sideMap(s, k == 0 ? +1 : -1, x_mid, map_y0, map_y1, map_z0, map_z1);
        found[k] = findEar(maps[k], sideRelief(maps[k]));
    }
    const double y_lo = lm.nose_tip.y - 10, y_hi = nasion.y + 10;
    const double z_lo = lm.occiput.z + 0.25 * L, z_hi = lm.glabella.z - 0.3 * L;
    glm::dvec2 ear_yz[2];
    double ear_r[2] = {0, 0};
    for (int side : {+1, -1}) {
        double r_max = 0;
        for (const glm::dvec3& p : P)
            if (p.y >= y_lo && p.y <= y_hi && p.z >= z_lo && p.z <= z_hi)
                r_max = std::max(r_max, side * (p.x - x_mid));
        double y_min = 1e300, y_max = -1e300, z_sum = 0, n = 0;
        for (const glm::dvec3& p : P)
            if (p.y >= y_lo && p.y <= y_hi && p.z >= z_lo && p.z <= z_hi &&
                side * (p.x - x_mid) >= r_max - 6) {
                y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
                z_sum += p.z, n += 1;
            }
        const bool rim_found = n > 0;
        // The outer rim is the helix, behind and above the tragus (ICT: 17 mm, 8 mm).
        const double ty = rim_found ? 0.5 * (y_min + y_max) - 8 : 0.5 * (y_lo + y_hi);
        const double tz = rim_found ? z_sum / n + 17 : 0.5 * (z_lo + z_hi);
        ear_yz[side > 0 ? 0 : 1] = {ty, tz};
        ear_r[side > 0 ? 0 : 1] = r_max;
    }
    // Ears are mirror images in a head facing +Z: averaging the two sides halves the error of
    // a side whose pinna is hidden under hair (Demosthenes: 19 mm -> 5 mm). A pinna found on
    // one side only stands for both.
    glm::dvec2 yz = 0.5 * (ear_yz[0] + ear_yz[1]);
    if (found[0].found || found[1].found) {
        const int n = int(found[0].found) + int(found[1].found);
        yz = ((found[0].found ? found[0].tragus_yz : glm::dvec2(0)) +
              (found[1].found ? found[1].tragus_yz : glm::dvec2(0))) /
             double(n);
        e.ear_method = n == 2 ? "pinna found on both sides" : "pinna found on one side";
    } else {
        e.ear_method = "";
    }
    for (int side : {+1, -1}) {
        const int k = side > 0 ? 0 : 1;
        // The skin there: the side map's outermost surface over the spot, else the most
        // lateral point within 4 mm (wider if the mesh is coarse).
        const SideMap& m = maps[k];
        const int i = int(std::lround(yz.x - m.y0)), j = int(std::lround(yz.y - m.z0));
        if (found[0].found || found[1].found) {
            double r = SideMap::kNoSurface;
            for (int di = -1; di <= 1; ++di)
                for (int dj = -1; dj <= 1; ++dj)
                    if (i + di >= 0 && i + di < m.ny && j + dj >= 0 && j + dj < m.nz)
                        r = std::max(r, m.at(i + di, j + dj));
            if (r > SideMap::kNoSurface) {
                (side > 0 ? lm.ear_left : lm.ear_right) = {x_mid + side * r, yz.x, yz.y};
                continue;
            }
        }
        glm::dvec3 ear(x_mid + side * ear_r[k], yz.x, yz.y);
        for (double radius : {4.0, 8.0, 16.0}) {
            double best = -1e300;
            for (const glm::dvec3& p : P) {
                const double r = side * (p.x - x_mid);
                if (r > 0 && std::hypot(p.y - yz.x, p.z - yz.y) < radius && r > best)
                    best = r, ear = {p.x, yz.x, yz.y};
            }
            if (best > -1e300) break;
        }
        (side > 0 ? lm.ear_left : lm.ear_right) = ear;
    }

    // Breadth (euryon-euryon): the widest horizontal slice of the head from the tragus level
    // up, leaving out the pinnae (a box around each found pinna, 4 mm margin; else a box of an
    // average ear's size around the tragus: 65 mm long, 35 mm deep, Farkas).
    glm::dvec2 box_lo[2], box_hi[2];
    for (int k = 0; k < 2; ++k) {
        const EarFind& f = found[k].found ? found[k] : found[1 - k];
        if (f.found) {
            box_lo[k] = f.pinna_lo - 4.0, box_hi[k] = f.pinna_hi + 4.0;
        } else {
            box_lo[k] = yz + glm::dvec2(-30, -45), box_hi[k] = yz + glm::dvec2(40, 5);
        }
    }
    std::map<long, std::pair<double, double>> slices; // 2 mm slice -> min, max x
    for (const glm::dvec3& p : P) {
        if (p.y < yz.x) continue;
        const int k = p.x > x_mid ? 0 : 1;
        if (p.y >= box_lo[k].x && p.y <= box_hi[k].x && p.z >= box_lo[k].y && p.z <= box_hi[k].y)
            continue;
        auto [it, fresh] = slices.emplace(long(std::floor(p.y / 2)), std::make_pair(p.x, p.x));
        if (!fresh)
            it->second = {std::min(it->second.first, p.x), std::max(it->second.second, p.x)};
    }
    for (const auto& [key, range] : slices)
        e.breadth_mm = std::max(e.breadth_mm, range.second - range.first);
    return e;
}

} // namespace

namespace {
// A finding about the head that does not stop the work, naming the design field to look at.
Problem headWarning(const HeadModel& head, const std::string& pointer, std::string message) {
    return {head.import.file.string(), pointer, std::move(message), true};
}

// The design field to blame for a head frame that does not hold together: the landmarks the
// design set (those named), else the axes.
std::string framePointer(const HeadModel& head, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        const auto it = head.landmarks.source.find(name);
        if (it != head.landmarks.source.end() && it->second == "design")
            return std::string("/head/landmarks/") + name;
    }
    return "/head/up";
}

std::string axesText(const HeadModel& head) {
    std::string text =
        "up " + axisName(head.up) + ", forward " + axisName(head.forward) + " (" + head.axes_source;
    if (head.axes_confidence > 0 &&
        (head.detected_up != head.up || head.detected_forward != head.forward))
        text += "; the mesh looks like up " + axisName(head.detected_up) + ", forward " +
                axisName(head.detected_forward);
    return text + ")";
}

// True when the ray from `from` straight up (+Y) crosses a triangle of `mesh`.
bool rayUpHits(const Mesh& mesh, const glm::dvec3& from) {
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 a = mesh.positions[t.x], b = mesh.positions[t.y], c = mesh.positions[t.z];
        // Barycentric coordinates of (from.x, from.z) in the triangle projected on XZ.
        const double det = (b.x - a.x) * (c.z - a.z) - (c.x - a.x) * (b.z - a.z);
        if (det == 0) continue;
        const double u = ((from.x - a.x) * (c.z - a.z) - (c.x - a.x) * (from.z - a.z)) / det;
        const double v = ((b.x - a.x) * (from.z - a.z) - (from.x - a.x) * (b.z - a.z)) / det;
        if (u < 0 || v < 0 || u + v > 1) continue;
        if (a.y + u * (b.y - a.y) + v * (c.y - a.y) > from.y) return true;
    }
    return false;
}

// What later stages rely on (ScalpRegion and PolarChart assert it): landmarks near the mesh,
// in a head's order, and a crown above the chart centre. A flipped or mismatched axis pair,
// or a landmark override in other coordinates than the rest, breaks one of them; each becomes
// an error naming the field.
void checkHeadFrame(const HeadModel& head, const std::string& file) {
    const Box box = boundingBox(head.mesh);
    const double reach = std::max(100.0, double(glm::length(box.max - box.min)));
    for (const char* name : kLandmarkNames) {
        const glm::dvec3 p = head.landmarks[name];
        const glm::dvec3 nearest = glm::clamp(p, glm::dvec3(box.min), glm::dvec3(box.max));
        const double distance = glm::length(p - nearest);
        if (!(distance <= reach)) // NaN fails too
            throw Error(fmt("is %.3g mm from the head mesh (the head frame); expected a point "
                            "on or near the surface, in the mesh file's own coordinates and "
                            "units",
                            distance),
                        file, std::string("/head/landmarks/") + name);
    }
    const Landmarks& lm = head.landmarks;
    const double ear_y = 0.5 * (lm.ear_left.y + lm.ear_right.y);
    if (!(lm.glabella.z - lm.occiput.z > 50))
        throw Error(fmt("the glabella is not in front of the occiput (%.0f mm apart along "
                        "forward, expected > 50) with ",
                        lm.glabella.z - lm.occiput.z) +
                        axesText(head) +
                        ": check head.up/head.forward and the glabella/occiput landmarks",
                    file, framePointer(head, {"glabella", "occiput"}));
    if (!(lm.vertex.y - ear_y > 40))
        throw Error(fmt("the vertex is not above the ears (%.0f mm, expected > 40) with ",
                        lm.vertex.y - ear_y) +
                        axesText(head) +
                        ": check head.up/head.forward and the vertex/ear landmarks",
                    file, framePointer(head, {"vertex", "ear_left", "ear_right"}));
    if (!(lm.ear_left.x - lm.ear_right.x > 40))
        throw Error(fmt("the left ear is not on the subject's left of the right ear (%.0f mm, "
                        "expected > 40 along +X = up x forward) with ",
                        lm.ear_left.x - lm.ear_right.x) +
                        axesText(head) + ": check head.up/head.forward and the ear landmarks",
                    file, framePointer(head, {"ear_left", "ear_right"}));
    if (!rayUpHits(head.mesh, headChartCentre(lm)))
        throw Error("the top of the head is open: straight up from between the ears there is no "
                    "surface with " +
                        axesText(head) +
                        " (upside down, or landmarks in other coordinates than the mesh?); "
                        "expected the crown above the ears: check head.up/head.forward and the "
                        "landmarks",
                    file, framePointer(head, {"ear_left", "ear_right", "glabella", "occiput"}));
}

// A head has a face and a neck or at least a jaw: it is longer than wide and taller than
// long, and it is one connected surface of many triangles. The thresholds leave wide room for
// real heads (the mannequin, the ICT face kit and the Demosthenes bust are 2.1-2.2 times as
// tall as wide; a cranium cut at the ears is still 1.3 times as long as tall) and refuse a
// sphere or a cube (1.0-1.04) and a triangle soup. docs/design-file.md (head.accept_non_head).
constexpr double kMinHeadAspect = 1.15;
constexpr size_t kMinHeadTriangles = 200;
constexpr double kMinKeptFraction = 0.05;

void checkLooksLikeAHead(const HeadModel& head, const HeadSpec& spec, const std::string& file) {
    const std::string force = "; set head.accept_non_head to use it anyway";
    const size_t kept = head.mesh.triangles.size();
    if (kept < kMinHeadTriangles)
        throw Error("is not a head: its largest connected surface has only " +
                        std::to_string(kept) + " triangles (a head needs at least " +
                        std::to_string(kMinHeadTriangles) + "; a triangle soup?)" + force,
                    file, "/head/mesh");
    const size_t dropped = head.import.nonfinite_triangles + head.import.degenerate_triangles;
    // A host's arrays or a test may leave the source counts at 0: then there is no fraction.
    const size_t usable =
        head.import.source_triangles > dropped ? head.import.source_triangles - dropped : 0;
    if (spec.keep.empty() && usable > 0 && double(kept) < kMinKeptFraction * double(usable))
        throw Error(fmt("is not a head: its largest connected surface holds only %.1f%% of the "
                        "usable triangles (expected at least %.0f%%: a triangle soup or a mesh "
                        "in pieces?); name the parts in head.keep",
                        100.0 * double(kept) / double(usable), 100 * kMinKeptFraction) +
                        force,
                    file, "/head/mesh");
    const double lo = std::min({head.breadth_mm, head.length_mm, head.height_mm});
    const double hi = std::max({head.breadth_mm, head.length_mm, head.height_mm});
    if (!(hi > kMinHeadAspect * lo))
        throw Error(fmt("is not a head: it is about as wide (%.0f mm) as long (%.0f mm) and ",
                        head.breadth_mm, head.length_mm) +
                        fmt("tall (%.0f mm), a sphere or a box; a head is at least %.2f times "
                            "as tall or as long as it is wide",
                            head.height_mm, kMinHeadAspect) +
                        force,
                    file, "/head/mesh");
}
} // namespace

glm::dvec3 headChartCentre(const Landmarks& lm) {
    // On the ear axis height, midway between the ears, 62% of the way from the glabella to the
    // occiput (inside the cranium for any head). Behind the middle so the azimuths spread over
    // the temples: seen from there the temporal peak lies at a larger azimuth than the
    // frontotemporal corner above it, and the chart's one-line-per-azimuth can hold a peak that
    // points forward.
    return {0.5 * (lm.ear_left.x + lm.ear_right.x), 0.5 * (lm.ear_left.y + lm.ear_right.y),
            lm.glabella.z - 0.62 * (lm.glabella.z - lm.occiput.z)};
}

namespace {

// The design's /head/albedo (decoded by the parser) in place of the texture the mesh file
// names, if any; a mesh without UVs cannot carry it (a warning, the head still works).
void useDesignAlbedo(const HeadSpec& spec, HeadModel& head) {
    if (!spec.albedo_pixels) return;
    if (head.mesh.uvs.empty()) {
        head.warnings.push_back(headWarning(head, "/head/albedo",
                                            "the mesh has no UVs, so the albedo image " +
                                                spec.albedo.filename().string() +
                                                " cannot be mapped onto it; it is not used"));
        return;
    }
    if (head.mesh.albedo && head.mesh.albedo_texture != spec.albedo)
        head.warnings.push_back(headWarning(head, "/head/albedo",
                                            "replaces the texture the mesh file names (" +
                                                head.mesh.albedo_texture.filename().string() +
                                                ")"));
    head.mesh.albedo = spec.albedo_pixels;
    head.mesh.albedo_texture = spec.albedo;
}

} // namespace

HeadModel buildHeadModel(ImportedMesh imported, const HeadSpec& spec) {
    HeadModel head;
    head.import = std::move(imported.report);
    head.mesh = std::move(imported.mesh);
    const std::string file =
        head.import.file.empty() ? spec.mesh.string() : head.import.file.string();
    useDesignAlbedo(spec, head);

    Surface surface = largestComponent(head.mesh);
    if (surface.triangles.empty()) throw Error("has no triangles to build a head from", file);

    // Axes: the design's, else the default unless the detection clearly disagrees.
    AxesGuess guess;
    detectUp(surface, guess);
    detectForward(surface, guess.up.value_or(spec.up.value_or(Axis::PosY)), guess);
    head.axes_confidence = std::min(guess.up ? guess.up_confidence : 0.5,
                                    guess.forward ? guess.forward_confidence : 0.0);
    head.detected_up = guess.up.value_or(spec.up.value_or(Axis::PosY));
    head.detected_forward = guess.forward.value_or(spec.forward.value_or(Axis::PosZ));
    const bool detected_differs = head.detected_up != spec.up.value_or(Axis::PosY) ||
                                  head.detected_forward != spec.forward.value_or(Axis::PosZ);
    if (spec.up || spec.forward) {
        head.up = spec.up.value_or(Axis::PosY);
        head.forward = spec.forward.value_or(Axis::PosZ);
        head.axes_source = "design";
        if (detected_differs && head.axes_confidence >= 0.5)
            head.warnings.push_back(headWarning(
                head, "/head/up",
                "the design says up " + axisName(head.up) + ", forward " + axisName(head.forward) +
                    " but the mesh looks like up " + axisName(head.detected_up) + ", forward " +
                    axisName(head.detected_forward) + " (" + guess.reason + ")"));
    } else if (detected_differs && head.axes_confidence >= 0.5 &&
               std::abs(glm::dot(axisVector(head.detected_up), axisVector(head.detected_forward))) <
                   0.5) {
        head.up = head.detected_up;
        head.forward = head.detected_forward;
        head.axes_source = "detected";
        head.warnings.push_back(headWarning(head, "/head/up",
                                            "the mesh is not +Y up / +Z forward: using up " +
                                                axisName(head.up) + ", forward " +
                                                axisName(head.forward) + " (" + guess.reason +
                                                "); set head.up/head.forward to be sure"));
    } else if (detected_differs && head.axes_confidence > 0) {
        head.warnings.push_back(headWarning(
            head, "/head/up",
            "the orientation may be wrong: the mesh hints at up " + axisName(head.detected_up) +
                ", forward " + axisName(head.detected_forward) + " (" + guess.reason +
                "); set head.up/head.forward in the design"));
    }
    glm::dmat3 rotation;
    try {
        rotation = headAxesRotation(head.up, head.forward);
    } catch (const Error& e) {
        throw Error(e.problems().front().message, file, "/head/forward");
    }
    for (glm::dvec3& p : surface.points)
        p = rotation * p;

    // Units.
    const Cranium cranium = measureCranium(surface.points);
    const glm::dvec3 extent = [&] {
        glm::dvec3 lo(1e300), hi(-1e300);
        for (const glm::dvec3& p : surface.points)
            lo = glm::min(lo, p), hi = glm::max(hi, p);
        return hi - lo;
    }();
    const double largest = std::max({extent.x, extent.y, extent.z});
    const double smallest = std::min({extent.x, extent.y, extent.z});
    if (!(largest > 0) || smallest < 0.05 * largest || cranium.length <= 0 || cranium.breadth <= 0)
        throw Error(fmt("cannot be a head: it is flat (extent %.3g x %.3g x %.3g file units); "
                        "accepted: a closed or open 3D head surface",
                        extent.x, extent.y, extent.z),
                    file);
    if (spec.mm_per_unit) {
        head.units.mm_per_unit = *spec.mm_per_unit;
        head.units.source = "design";
        head.units.confidence = 1;
        const double length_mm = cranium.length * *spec.mm_per_unit;
        head.units.reason = fmt("given by the design (%.4g mm per unit)", *spec.mm_per_unit);
        // A head is 175-205 mm long; a child or a miniature bust may be smaller, a bust with a
        // big wig larger, but a factor of 2.5 off is a wrong unit.
        if (length_mm < 70 || length_mm > 500)
            throw Error(std::string(length_mm < 70 ? "is too small" : "is too large") +
                            fmt(" to be a head with mm_per_unit %.4g: its cranium is %.3g mm "
                                "long; accepted: about 70-500 mm (adults 175-205)",
                                *spec.mm_per_unit, length_mm),
                        file, "/head/mm_per_unit");
    } else {
        head.units = inferUnits(cranium, file);
        if (head.units.confidence < 0.5)
            head.warnings.push_back(
                headWarning(head, "/head/units",
                            fmt("units are a guess (%.4g mm per unit, confidence "
                                "%.2f); set head.mm_per_unit if you know them",
                                head.units.mm_per_unit, head.units.confidence)));
    }
    const double scale = head.units.mm_per_unit;
    for (glm::dvec3& p : surface.points)
        p *= scale;
    Cranium cranium_mm = cranium;
    cranium_mm.length *= scale, cranium_mm.breadth *= scale, cranium_mm.depth *= scale;

    // Landmarks, then the design's overrides (file coordinates) win.
    Estimate estimate = estimateLandmarks(surface, cranium_mm);
    head.landmarks = estimate.landmarks;
    for (const char* name : kLandmarkNames)
        head.landmarks.source[name] = "estimated";
    for (const auto& [name, p] : spec.landmarks) {
        if (std::find_if(kLandmarkNames.begin(), kLandmarkNames.end(),
                         [&landmark = name](const char* n) { return landmark == n; }) ==
            kLandmarkNames.end())
            throw Error("unknown landmark '" + name +
                            "'; accepted: vertex, glabella, nose_tip, ear_left, ear_right, "
                            "occiput",
                        file, "/head/landmarks/" + name);
        head.landmarks[name] = scale * (rotation * p);
        head.landmarks.source[name] = "design";
    }

    // Origin midway between the ears.
    const glm::dvec3 origin = 0.5 * (head.landmarks.ear_left + head.landmarks.ear_right);
    for (const char* name : kLandmarkNames)
        head.landmarks[name] -= origin;
    head.midsagittal_x_mm = estimate.x_mid - origin.x;
    glm::dmat4 linear(scale * rotation);
    head.file_to_head = glm::translate(glm::dmat4(1), -origin) * linear;

    for (glm::vec3& p : head.mesh.positions)
        p = glm::vec3(scale * (rotation * glm::dvec3(p)) - origin);
    if (head.mesh.normals.size() == head.mesh.positions.size())
        for (glm::vec3& n : head.mesh.normals)
            n = glm::vec3(rotation * glm::dvec3(n));
    else
        computeNormals(head.mesh);

    // Measurements.
    head.breadth_mm = estimate.breadth_mm > 0 ? estimate.breadth_mm : cranium_mm.breadth;
    head.length_mm = glm::distance(head.landmarks.glabella, head.landmarks.occiput);
    double lowest = 1e300;
    for (const glm::vec3& p : head.mesh.positions)
        lowest = std::min(lowest, double(p.y));
    head.height_mm = head.landmarks.vertex.y - lowest;
    if (head.length_mm < 140 || head.length_mm > 240)
        head.warnings.push_back(
            headWarning(head, "/head/landmarks",
                        fmt("the head length glabella-occiput is %.0f mm, outside the "
                            "adult range 160-220 mm: check the units and landmarks",
                            head.length_mm)));
    const bool ears_given = spec.landmarks.count("ear_left") && spec.landmarks.count("ear_right");
    if (estimate.ear_method.empty() && !ears_given)
        head.warnings.push_back(
            headWarning(head, "/head/landmarks",
                        "no ear stands out from the side of the head (hair or a worn "
                        "surface?): the ear landmarks are an offset from the head's "
                        "outline, check them (head.landmarks.ear_left/ear_right)"));
    const double ear_asymmetry = std::abs(head.landmarks.ear_left.y - head.landmarks.ear_right.y) +
                                 std::abs(head.landmarks.ear_left.z - head.landmarks.ear_right.z);
    if (ear_asymmetry > 20)
        head.warnings.push_back(
            headWarning(head, "/head/landmarks",
                        fmt("the ear landmarks differ by %.0f mm in height/depth: check "
                            "them (head.landmarks.ear_left/ear_right)",
                            ear_asymmetry)));
    // The shape first: for a soup or a sphere, "not a head" is the answer, not its axes.
    if (spec.accept_non_head)
        head.warnings.push_back(headWarning(head, "/head/accept_non_head",
                                            "the head-shape checks are off: the mesh is used "
                                            "whatever its shape"));
    else
        checkLooksLikeAHead(head, spec, file);
    checkHeadFrame(head, file);
    return head;
}

HeadModel loadHeadModel(const HeadSpec& spec) {
    ImportOptions options;
    options.keep = spec.keep;
    return buildHeadModel(importMesh(spec.mesh, options), spec);
}

} // namespace stipple
