#pragma once

// Per-vertex ambient occlusion of a mesh, baked once on the CPU so the renderer can darken
// creases (under the chin, behind the ears, the nostrils, the lid line) with no screen-space
// pass. The mesh's own surface is the only occluder; the ground and other objects are not.

#include <vector>

#include "stipple/core/mesh.h"

namespace stipple {

struct AmbientOcclusionOptions {
    double radius_mm = 36; // occluders farther than this are ignored (the AO's reach)
    double cell_mm = 3;    // occluders are clustered on a grid of this spacing
    int threads = 0;       // <= 0: hardware concurrency; the result does not depend on it
};

// Returns one accessibility per vertex of `mesh` (positions in mm): 1 for a vertex with an
// open hemisphere (a plane, a convex part), down to 0 for a fully covered one; the fraction of
// the cosine-weighted hemisphere above the vertex that the surface leaves open. The occluders
// are surface elements clustered per grid cell (area, area-weighted position and normal), each
// seen as a disc whose facing side points to the receiver (Bunnell 2005, "Dynamic ambient
// occlusion and indirect lighting", GPU Gems 2 ch. 14: the disc-to-point form factor
// A cos_e cos_r / (pi d^2 + A)); elements that turn their back to the receiver are hidden
// behind the ones that face it and are not counted, so a thin shell (an ear) is counted once.
// Uses the mesh's normals when it has one per vertex, else area-weighted face normals.
// Deterministic. Throws stipple::Error when radius_mm or cell_mm is not positive or
// cell_mm > radius_mm.
std::vector<float> vertexAmbientOcclusion(const Mesh& mesh,
                                          const AmbientOcclusionOptions& options = {});

} // namespace stipple
