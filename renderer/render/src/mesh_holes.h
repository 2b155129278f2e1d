#pragma once

// Hidden back faces cost llvmpipe full shading under MSAA: its multisampled early depth test
// does not skip the shader for fragments that fail it (measured: a back-face pass behind the
// front faces costs as much as drawing it alone; without MSAA it is nearly free). Back faces
// can only be seen through a hole of an open mesh (a scan's neck), so they are culled whenever
// no hole can be in view. HoleInfo holds what that test needs.

#include <vector>

#include <glm/glm.hpp>
#include <osg/Matrixd>

#include "stipple/core/mesh.h"

namespace stipple::render {

struct HoleInfo {
    bool orientable = false;            // every edge used once each way (or once: a hole rim)
    std::vector<glm::dvec3> rim_points; // vertices on hole rims (empty: closed mesh)
    glm::dvec3 centre{0};               // bounding-box centre of the mesh
    double radius = 1;                  // largest vertex distance from `centre` (at least 1)
};

// Uses the mesh's welded position ids (mesh.h), or welds by exact position when it has none
// (UV seams split vertices without opening the surface), then classifies edges. An edge used
// twice in the same direction (inconsistent winding, or more than two faces) makes the mesh
// unsafe to cull.
HoleInfo findHoles(const Mesh& mesh);

// Whether a back face can be the nearest surface for a camera with these model-view and
// projection matrices (OSG row-vector convention, the mesh in model coordinates). False only
// when the whole mesh lies beyond the near plane and every hole rim lies outside one and the
// same side plane of the view frustum (then so does any cap spanning the rims, and no ray in
// the frustum crosses it).
bool backFacesMayShow(const HoleInfo& holes, const osg::Matrixd& model_view,
                      const osg::Matrixd& projection);

} // namespace stipple::render
