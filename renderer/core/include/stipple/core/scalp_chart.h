#pragma once

// The scalp chart: one seam-free parameterisation of the hair-bearing region of a head,
// independent of the mesh's own UVs (fragmented atlases, UDIM tiles, or none at all).

#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"

namespace stipple {

// Computes the chart of `head` (head frame, mm, landmarks set): picks the projection centre on
// the head's vertical axis that minimises distortion over the region, marks the region's
// triangles (the cranium above a line from brow + 40 mm down to the ear line at the sideburns
// and 80 mm below it at the nape, pinnae excluded) and fits it into [0,1]^2 with a margin. UVs are a function
// of the vertex position only, so welded copies of a vertex always get the same UV. Throws
// stipple::Error when no triangle lies in the region (not a head in the head frame).
ScalpChart computeScalpChart(const HeadModel& head);

// --- the region that follows the hairline (the chart never depends on the dots) ---

// Surface margin (mm, geodesic) the chart region reaches beyond the scalp above the hairline.
// It covers the widest dot's reach (radius + soft edge + fresh halo + the ink's shadow, < 2 mm,
// for a dot centred on the line itself) with room to spare, and stays small enough that face
// and ears stay clean and texels stay small (a wider margin costs resolution: the fit is the
// region's own). Scars: FUT strips and FUE donor areas lie in the hair-bearing donor zone
// above the nape line, so the usual ones are inside; the baker reports any scar that reaches
// beyond the region (a Problem naming /scars/<i>) instead of clipping it silently.
inline constexpr double kRegionMarginMm = 4.0;

class ScalpRegion;

// Triangles of `mesh` (one flag each, nonzero = in the region) that carry layers for the
// hairline of `region`: every triangle with a point that region.classify() puts inside (2:
// its vertices, or for any other triangle, a point found by a search its margins prune, so a coarse scan's
// triangle the line cuts into between its vertices counts), and every triangle within
// `margin_mm` of one, measured along the welded surface (Dijkstra over edges) (1), with the
// small holes this may leave (< 15 cm2) filled (1). Face, ears and neck are never holes. A
// function of the head and the hairline (and seed) only.
std::vector<uint8_t> hairRegion(const Mesh& mesh, const ScalpRegion& region, double margin_mm);

// The projection of the hairline charts of `head`, a function of the head alone: the LAEA
// centre with the least distortion over the scalp of the default hairline (HairlineSpec{},
// seed 0; the landmark region when that line cannot be drawn on this head), every vertex's
// LAEA coordinates from it, and the middle of that scalp's box, where a chart's fit box is
// placed when the region allows. Throws stipple::Error as computeScalpChart(head).
struct ChartProjection {
    glm::dvec3 centre_mm{0};
    glm::dvec2 middle{0};              // LAEA coordinates
    std::vector<glm::dvec2> raw;       // per vertex of the head's mesh
    std::vector<uint8_t> reachable;    // per vertex: away from the singular direction
    double lowest_y = 0;               // mm, the lowest vertex of that scalp
};
ChartProjection chartProjection(const HeadModel& head);

// The chart of `head` for a hairline: the region is hairRegion(region, kRegionMarginMm), the
// scalp above the design's hairline, whatever its height and nape, plus the margin; the
// projection is `projection` (chartProjection(head): the centre does not follow the
// hairline). The fit into [0,1]^2 keeps the aspect: its extent is the region's, rounded up to
// a multiple of 1/32 LAEA unit (at most ~1.5% of the resolution; a region spanning less than 1
// unit, about 90 mm, is fitted as if it spanned that), and the box sits at the projection's
// middle, moved only as far as needed to hold the region. So a hairline edit that neither
// widens the region past the next step nor pushes it out of the box keeps every UV byte for
// byte (only the inside flags change); the Session then re-splats only what the edit moved.
// A scalp reaching below the default one that the projection cannot chart in full (a
// triangle near its singular direction or folding over: a nape far down the neck) gets its
// own least-distortion centre and its own box instead, as every chart did before.
// Margin triangles that fold over in the chart are left out. Independent of the dots, zones,
// shades, scars and age: chart UVs and inside flags are byte-identical across those edits.
// Throws stipple::Error as computeScalpChart(head).
ScalpChart computeScalpChart(const HeadModel& head, const ScalpRegion& region,
                             const ChartProjection& projection);
// The same with chartProjection(head) computed here.
ScalpChart computeScalpChart(const HeadModel& head, const ScalpRegion& region);

// Chart UV of any head-frame point (mm) under `chart`'s projection (outside the region too).
glm::dvec2 chartUv(const ScalpChart& chart, const glm::dvec3& point_mm);

// The linear map of one triangle from its own plane to the chart. `frame_u`/`frame_v` are unit
// tangent vectors (frame_u along the edge p0->p1), `normal` the face normal, and
// `uv_per_mm` maps (a, b) mm along (frame_u, frame_v) to a chart-UV offset. A degenerate
// triangle gives valid = false.
struct TriangleMap {
    glm::dvec3 frame_u{1, 0, 0};
    glm::dvec3 frame_v{0, 1, 0};
    glm::dvec3 normal{0, 0, 1};
    glm::dmat2 uv_per_mm{1.0};
    bool valid = false;
};
TriangleMap triangleMap(const glm::dvec3& p0, const glm::dvec3& p1, const glm::dvec3& p2,
                        const glm::dvec2& uv0, const glm::dvec2& uv1, const glm::dvec2& uv2);

// The head mesh prepared for a renderer/exporter that samples the chart with one UV set and
// cannot skip triangles: vertices shared by an inside and an outside triangle are duplicated,
// and outside triangles' vertices get (kChartOutsideU, kChartOutsideV), where no layer paints.
struct ChartedMesh {
    Mesh mesh;                         // positions/normals/uvs/weld copied, vertices split
    std::vector<glm::vec2> chart_uvs;  // one per vertex of `mesh`
    std::vector<uint32_t> source_vertex; // vertex of the input mesh each vertex came from
};
ChartedMesh splitForChart(const Mesh& mesh, const ScalpChart& chart);

} // namespace stipple
