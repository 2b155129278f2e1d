#include "stipple/core/preview.h"

// A plain scan-converting z-buffer rasterizer (edge functions over each triangle's bounding
// box, perspective-correct interpolation as in Heckbert & Moreton 1991, "Interpolation for
// polygon texture mapping and shading"). Anti-aliasing is supersampling plus a box filter in
// linear light, which is enough for looking at meshes and for docs pictures.

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/core/error.h"

namespace stipple {

PreviewView parsePreviewView(const std::string& name) {
    if (name == "front") return PreviewView::Front;
    if (name == "left") return PreviewView::Left;
    if (name == "right") return PreviewView::Right;
    if (name == "back") return PreviewView::Back;
    if (name == "top") return PreviewView::Top;
    if (name == "three-quarter" || name == "threequarter") return PreviewView::ThreeQuarter;
    throw Error("unknown view '" + name +
                "'; accepted: front, left, right, back, top, three-quarter");
}

const char* previewViewName(PreviewView view) {
    switch (view) {
    case PreviewView::Front:
        return "front";
    case PreviewView::Left:
        return "left";
    case PreviewView::Right:
        return "right";
    case PreviewView::Back:
        return "back";
    case PreviewView::Top:
        return "top";
    case PreviewView::ThreeQuarter:
        return "three-quarter";
    }
    return "front";
}

namespace {

struct Camera {
    glm::dvec3 right, up, forward; // forward points from the eye into the scene
    glm::dvec3 eye;
    bool perspective = false;
    double scale = 1;     // pixels per unit (ortho) or per unit of x/z (perspective)
    glm::dvec2 offset{0}; // pixel position of the projected origin
};

void viewBasis(PreviewView view, glm::dvec3& to_camera, glm::dvec3& up) {
    up = {0, 1, 0};
    switch (view) {
    case PreviewView::Front:
        to_camera = {0, 0, 1};
        break;
    case PreviewView::Back:
        to_camera = {0, 0, -1};
        break;
    case PreviewView::Left:
        to_camera = {1, 0, 0};
        break;
    case PreviewView::Right:
        to_camera = {-1, 0, 0};
        break;
    case PreviewView::ThreeQuarter:
        to_camera = glm::normalize(glm::dvec3(1, 0, 1));
        break;
    case PreviewView::Top:
        to_camera = {0, 1, 0};
        up = {0, 0, 1};
        break;
    }
}

// Camera-space point: x right, y up, z depth along forward (positive in front of the eye).
glm::dvec3 toCamera(const Camera& cam, const glm::dvec3& p) {
    const glm::dvec3 d = p - cam.eye;
    return {glm::dot(d, cam.right), glm::dot(d, cam.up), glm::dot(d, cam.forward)};
}

glm::dvec2 projectXY(const Camera& cam, const glm::dvec3& c) {
    return cam.perspective ? glm::dvec2(c.x / c.z, c.y / c.z) : glm::dvec2(c.x, c.y);
}

struct Framebuffer {
    int width = 0, height = 0;
    std::vector<float> depth;
    std::vector<glm::vec3> colour; // linear
    std::vector<uint8_t> covered;
};

// One vertex ready for rasterization: pixel position, camera depth, attributes.
struct RasterVertex {
    glm::dvec2 px;
    double z;
    glm::dvec3 normal;
    glm::dvec3 albedo; // linear
};

double edgeFn(const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& p) {
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
}

// Shades and writes the covered pixels of one triangle. depth_bias is subtracted from the
// triangle's depth before the test (dots sit on the surface they decorate).
void rasterTriangle(Framebuffer& fb, const Camera& cam, const RasterVertex* v,
                    const glm::dvec3& light_world, double ambient, double depth_bias) {
    const double area = edgeFn(v[0].px, v[1].px, v[2].px);
    if (!(std::abs(area) > 1e-12)) return;
    const double min_x = std::min({v[0].px.x, v[1].px.x, v[2].px.x});
    const double max_x = std::max({v[0].px.x, v[1].px.x, v[2].px.x});
    const double min_y = std::min({v[0].px.y, v[1].px.y, v[2].px.y});
    const double max_y = std::max({v[0].px.y, v[1].px.y, v[2].px.y});
    const int x0 = std::max(0, int(std::floor(min_x)));
    const int x1 = std::min(fb.width - 1, int(std::ceil(max_x)));
    const int y0 = std::max(0, int(std::floor(min_y)));
    const int y1 = std::min(fb.height - 1, int(std::ceil(max_y)));
    if (x0 > x1 || y0 > y1) return;
    const glm::dvec3 view_dir = -cam.forward;
    // Perspective-correct weights divide by camera depth; orthographic ones do not.
    const double w[3] = {cam.perspective ? 1.0 / v[0].z : 1.0, cam.perspective ? 1.0 / v[1].z : 1.0,
                         cam.perspective ? 1.0 / v[2].z : 1.0};
    for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
            const glm::dvec2 p(x + 0.5, y + 0.5);
            const double b0 = edgeFn(v[1].px, v[2].px, p) / area;
            const double b1 = edgeFn(v[2].px, v[0].px, p) / area;
            const double b2 = 1.0 - b0 - b1;
            if (b0 < 0 || b1 < 0 || b2 < 0) continue;
            const double q0 = b0 * w[0], q1 = b1 * w[1], q2 = b2 * w[2];
            const double qs = q0 + q1 + q2;
            const double z = cam.perspective ? 1.0 / qs : b0 * v[0].z + b1 * v[1].z + b2 * v[2].z;
            const size_t i = size_t(y) * size_t(fb.width) + size_t(x);
            if (z - depth_bias >= double(fb.depth[i])) continue;
            glm::dvec3 n = (q0 * v[0].normal + q1 * v[1].normal + q2 * v[2].normal) / qs;
            const double len = glm::length(n);
            n = len > 0 ? n / len : view_dir;
            if (glm::dot(n, view_dir) < 0) n = -n; // both sides face the viewer
            const glm::dvec3 albedo = (q0 * v[0].albedo + q1 * v[1].albedo + q2 * v[2].albedo) / qs;
            const double lambert = std::max(0.0, glm::dot(n, light_world));
            fb.depth[i] = float(z);
            fb.colour[i] = glm::vec3(albedo * (ambient + (1.0 - ambient) * lambert));
            fb.covered[i] = 1;
        }
    }
}

glm::dvec3 srgbToLinear3(const glm::dvec3& c) {
    return {srgbToLinear(c.x), srgbToLinear(c.y), srgbToLinear(c.z)};
}

Camera frameCamera(const Mesh& mesh, const PreviewOptions& options, int width, int height) {
    glm::dvec3 to_camera(0, 0, 1), up(0, 1, 0);
    viewBasis(options.view, to_camera, up);
    Camera cam;
    cam.forward = -to_camera;
    cam.right = glm::normalize(glm::cross(cam.forward, up));
    cam.up = glm::cross(cam.right, cam.forward);
    cam.perspective = options.projection == PreviewProjection::Perspective;

    Box box = options.frame ? *options.frame : boundingBox(mesh);
    if (box.empty())
        for (const PreviewDot& d : options.dots) {
            box.min = glm::min(box.min, glm::dvec3(d.position) - double(d.diameter_mm));
            box.max = glm::max(box.max, glm::dvec3(d.position) + double(d.diameter_mm));
        }
    const glm::dvec3 centre = box.centre();
    const double radius = std::max(1e-9, 0.5 * glm::length(box.size()));
    const double half_fov = 0.5 * options.fov_deg * M_PI / 180.0;
    const double distance = cam.perspective ? radius / std::sin(half_fov) : 4 * radius;
    cam.eye = centre - cam.forward * distance;

    // Fit what is framed: the mesh's own vertices when framing the whole mesh (tighter than
    // the box corners), else the corners of the requested box.
    std::vector<glm::dvec3> points;
    if (!options.frame && !mesh.positions.empty()) {
        points.assign(mesh.positions.begin(), mesh.positions.end());
    } else {
        for (int c = 0; c < 8; ++c)
            points.emplace_back(c & 1 ? box.max.x : box.min.x, c & 2 ? box.max.y : box.min.y,
                                c & 4 ? box.max.z : box.min.z);
    }
    glm::dvec2 lo(1e300), hi(-1e300);
    for (const glm::dvec3& p : points) {
        const glm::dvec2 q = projectXY(cam, toCamera(cam, p));
        lo = glm::min(lo, q);
        hi = glm::max(hi, q);
    }
    const glm::dvec2 extent = glm::max(hi - lo, glm::dvec2(1e-12));
    const double usable = 1.0 - 2.0 * options.margin;
    cam.scale = usable * std::min(width / extent.x, height / extent.y);
    const glm::dvec2 mid = 0.5 * (lo + hi);
    cam.offset = glm::dvec2(0.5 * width - cam.scale * mid.x, 0.5 * height + cam.scale * mid.y);
    return cam;
}

RasterVertex rasterVertex(const Camera& cam, const glm::dvec3& p, const glm::dvec3& normal,
                          const glm::dvec3& albedo_linear) {
    const glm::dvec3 c = toCamera(cam, p);
    const glm::dvec2 q = projectXY(cam, c);
    return {glm::dvec2(cam.offset.x + cam.scale * q.x, cam.offset.y - cam.scale * q.y), c.z, normal,
            albedo_linear};
}

} // namespace

Image8 renderPreview(const Mesh& mesh, const PreviewOptions& options) {
    if (options.width < 1 || options.width > 8192 || options.height < 1 || options.height > 8192)
        throw Error("renderPreview(): size " + std::to_string(options.width) + "x" +
                    std::to_string(options.height) + " is out of range 1..8192");
    if (options.supersample < 1 || options.supersample > 4)
        throw Error("renderPreview(): supersample " + std::to_string(options.supersample) +
                    " is out of range 1..4");
    if (!options.vertex_colours.empty() && options.vertex_colours.size() != mesh.vertexCount())
        throw Error("renderPreview(): " + std::to_string(options.vertex_colours.size()) +
                    " vertex colours for " + std::to_string(mesh.vertexCount()) +
                    " vertices; give one per vertex or none");
    if (mesh.triangles.empty() && options.dots.empty())
        throw Error("renderPreview(): nothing to draw (no triangles and no dots)");

    const int ss = options.supersample;
    Framebuffer fb;
    fb.width = options.width * ss;
    fb.height = options.height * ss;
    const size_t n = size_t(fb.width) * size_t(fb.height);
    fb.depth.assign(n, std::numeric_limits<float>::infinity());
    fb.colour.assign(n, glm::vec3(0));
    fb.covered.assign(n, 0);

    const Camera cam = frameCamera(mesh, options, fb.width, fb.height);
    const glm::dvec3 l = glm::normalize(options.light_dir);
    const glm::dvec3 light_world =
        glm::normalize(l.x * cam.right + l.y * cam.up - l.z * cam.forward);
    const glm::dvec3 base_albedo = srgbToLinear3(options.albedo);
    const bool has_normals = mesh.normals.size() == mesh.positions.size();

    for (const glm::uvec3& t : mesh.triangles) {
        const glm::dvec3 p[3] = {mesh.positions[t.x], mesh.positions[t.y], mesh.positions[t.z]};
        const glm::dvec3 face = glm::cross(p[1] - p[0], p[2] - p[0]);
        RasterVertex v[3];
        for (int k = 0; k < 3; ++k) {
            const uint32_t id = t[k];
            const glm::dvec3 nrm = has_normals ? glm::dvec3(mesh.normals[id]) : face;
            const glm::dvec3 alb = options.vertex_colours.empty()
                                       ? base_albedo
                                       : srgbToLinear3(glm::dvec3(options.vertex_colours[id]));
            v[k] = rasterVertex(cam, p[k], nrm, alb);
        }
        if (cam.perspective && (v[0].z <= 0 || v[1].z <= 0 || v[2].z <= 0)) continue;
        rasterTriangle(fb, cam, v, light_world, options.ambient, 0.0);
    }

    // Dots: 16-sided flat discs; the depth bias lets a disc win against the facet it lies on
    // (the disc is tangent to the smooth normal, the facet is not) but not against a nearer
    // part of the head.
    constexpr int kSides = 16;
    for (const PreviewDot& dot : options.dots) {
        glm::dvec3 nrm = glm::dvec3(dot.normal);
        if (!(glm::length(nrm) > 0)) continue;
        nrm = glm::normalize(nrm);
        const glm::dvec3 helper = std::abs(nrm.y) < 0.9 ? glm::dvec3(0, 1, 0) : glm::dvec3(1, 0, 0);
        const glm::dvec3 t1 = glm::normalize(glm::cross(nrm, helper));
        const glm::dvec3 t2 = glm::cross(nrm, t1);
        // The polygon's radius is scaled so its area equals the disc's (a 16-gon inscribed in
        // the circle would be 2.5% short).
        const double r = 0.5 * double(dot.diameter_mm) *
                         std::sqrt(M_PI / (0.5 * kSides * std::sin(2 * M_PI / kSides)));
        const double grey = srgbToLinear(dot.grey / 255.0);
        const glm::dvec3 alb(grey);
        const glm::dvec3 c(dot.position);
        const RasterVertex centre = rasterVertex(cam, c, nrm, alb);
        RasterVertex rim[kSides];
        for (int k = 0; k < kSides; ++k) {
            const double a = 2 * M_PI * k / kSides;
            rim[k] = rasterVertex(cam, c + r * (std::cos(a) * t1 + std::sin(a) * t2), nrm, alb);
        }
        const double bias = std::max(0.5 * double(dot.diameter_mm), 1e-3);
        for (int k = 0; k < kSides; ++k) {
            const RasterVertex tri[3] = {centre, rim[k], rim[(k + 1) % kSides]};
            if (cam.perspective && (tri[0].z <= 0 || tri[1].z <= 0 || tri[2].z <= 0)) continue;
            rasterTriangle(fb, cam, tri, light_world, options.ambient, bias);
        }
    }

    // Box filter in linear light, then encode.
    const int channels = options.transparent ? 4 : 3;
    Image8 out(options.width, options.height, channels);
    const glm::dvec3 bg = srgbToLinear3(options.background);
    const double inv = 1.0 / double(ss * ss);
    for (int y = 0; y < options.height; ++y) {
        for (int x = 0; x < options.width; ++x) {
            glm::dvec3 sum(0);
            int covered = 0;
            for (int sy = 0; sy < ss; ++sy)
                for (int sx = 0; sx < ss; ++sx) {
                    const size_t i = size_t(y * ss + sy) * size_t(fb.width) + size_t(x * ss + sx);
                    if (fb.covered[i]) {
                        sum += glm::dvec3(fb.colour[i]);
                        ++covered;
                    } else if (!options.transparent) {
                        sum += bg;
                    }
                }
            glm::dvec3 c = sum * inv;
            double alpha = 1;
            if (options.transparent) {
                alpha = covered * inv;
                c = covered ? sum / double(covered) : glm::dvec3(0);
            }
            uint8_t* px = out.at(x, y);
            for (int k = 0; k < 3; ++k)
                px[k] = uint8_t(std::lround(255.0 * linearToSrgb(std::clamp(c[k], 0.0, 1.0))));
            if (options.transparent) px[3] = uint8_t(std::lround(255.0 * alpha));
        }
    }
    return out;
}

} // namespace stipple
