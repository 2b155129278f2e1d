#pragma once

// A small CPU z-buffer rasterizer for looking at meshes and dots without the GL renderer:
// debug views, docs pictures, tests. Lambert plus ambient shading, optional per-vertex
// colours, dots drawn as small filled discs of a true world-space size, anti-aliased by
// rendering at a multiple of the output size and box-filtering down (in linear light).

#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/image.h"
#include "stipple/core/mesh.h"

namespace stipple {

// Named camera directions in the head frame (+Y up, +Z forward, +X subject's left).
// Left/Right name the side of the subject seen (Left looks at the +X side).
// ThreeQuarter looks from 45 degrees between the front and the subject's left.
// Top looks down -Y with the face (+Z) towards the top of the image.
enum class PreviewView { Front, Left, Right, Back, Top, ThreeQuarter };

// "front", "left", "right", "back", "top", "three-quarter" (also "threequarter").
// Throws stipple::Error naming the accepted names for anything else.
PreviewView parsePreviewView(const std::string& name);
const char* previewViewName(PreviewView view);

enum class PreviewProjection { Orthographic, Perspective };

// One dot, drawn as a flat disc of `diameter_mm` in the plane through `position` orthogonal
// to `normal`, in the units of the mesh (millimetres for a head model). `grey` is the dot's
// albedo, 0 black .. 255 white (sRGB-encoded), lit like the surface.
struct PreviewDot {
    glm::vec3 position{0};
    glm::vec3 normal{0, 1, 0};
    float diameter_mm = 0.4f;
    uint8_t grey = 40;
};

struct PreviewOptions {
    PreviewView view = PreviewView::Front;
    PreviewProjection projection = PreviewProjection::Orthographic;
    int width = 512; // output pixels
    int height = 512;
    int supersample = 3;  // 1..4: rendered at this multiple, then box-filtered
    double fov_deg = 25;  // vertical field of view (perspective only)
    double margin = 0.06; // free border around the framed box, fraction of the frame
    // What to frame: the mesh's bounding box when not given. A smaller box zooms in (docs
    // pictures of a patch of dots).
    std::optional<Box> frame;
    // Direction towards the light in camera space (x right, y up, z towards the viewer);
    // (0, 0, 1) is a headlight.
    glm::dvec3 light_dir{-0.35, 0.45, 1.0};
    double ambient = 0.18;               // share of light that does not depend on the normal
    glm::dvec3 albedo{0.82, 0.80, 0.76}; // surface colour, sRGB 0..1 (styrofoam white)
    // Empty, or one sRGB colour (0..1) per mesh vertex replacing `albedo`.
    std::vector<glm::vec3> vertex_colours;
    std::vector<PreviewDot> dots;
    glm::dvec3 background{1.0, 1.0, 1.0}; // sRGB 0..1
    bool transparent = false;             // RGBA output with coverage as alpha, else RGB
};

// Renders `mesh` (normals used when present, else face normals; both sides of each triangle
// are drawn and shaded as facing the viewer). Returns an RGB or RGBA image of
// options.width x options.height. Shading: albedo_linear * (ambient + (1 - ambient) *
// max(0, n . l)), encoded to sRGB. Throws stipple::Error for a size outside 1..8192, a
// supersample outside 1..4, vertex_colours of the wrong count, or an empty mesh with no dots.
Image8 renderPreview(const Mesh& mesh, const PreviewOptions& options);

} // namespace stipple
