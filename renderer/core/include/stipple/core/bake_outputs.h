#pragma once

// The files of a bake: the layers as PNGs (with provenance text chunks), the composited albedo
// in the mesh's own UVs (one PNG per UDIM tile) and in chart space, the head with its chart
// UVs as a GLB, and bake.json, the report. What `stipple bake` writes, shared with the C ABI.
// Every file is written atomically; a failure half-way removes what the call wrote, so nothing
// is ever half-written.

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/core/output_set.h"
#include "stipple/core/provenance.h"

namespace stipple {

// Side of the flattened albedo images: the layer size, at most this.
inline constexpr int kBakeAlbedoSizeMax = 4096;

// The names of the files writeBakeOutputs() writes for a head with `mesh`, in order:
// pigment.png, scar.png, scar_roughness.png, before.png, albedo_chart.png, then
// albedo_flat.png (UVs in the unit square) or albedo_flat.<UDIM>.png per tile (mesh with UVs
// only), head_chart.glb and bake.json.
std::vector<std::string> bakeOutputNames(const Mesh& mesh);

// Throws stipple::Error naming the first of bakeOutputNames() in `dir` that exists when
// `overwrite` is No (the option is called "overwrite"), or that is not a regular file (a
// symbolic link, FIFO, device: checkOutputFile()). With Overwrite::Yes, also reads the
// bake.json an older bake left in `dir` and returns its leftovers, the files it lists that this
// bake will not write (findOutputLeftovers, output_set.h: throws naming the files in the way
// when one changed since or is not a regular file). Nothing is written. Call it before the long
// work.
OutputLeftovers checkBakeOutputs(const std::filesystem::path& dir, const Mesh& mesh,
                                 Overwrite overwrite);

// Wall times measured by the caller, reported in bake.json.
struct BakeTimes {
    double dots_seconds = 0;
    double bake_seconds = 0; // bakeLayers(); the albedo flattening is added here
};

// Flattens the albedo (flattenAlbedo and chartAlbedo at min(layers.size, kBakeAlbedoSizeMax)),
// encodes every file on its own thread, writes them atomically into `dir` (existing and
// writable: ensureWritableDir) with bake.json last, and returns the report written there:
// design_sha256 and mesh_sha256, sizes, dot counts, skin, recommended shade, chart figures
// (mean_texel_mm, distortion...), seconds (dots, bake, splat, encode), files (name, bytes,
// sha256) and warnings (the dots' and the layers' Problems, formatted). The PNGs' text chunks
// carry the same hashes. ProvenanceMode::Full adds the design's name and the design and mesh
// paths ("name", "design", "mesh"; chunks stipple:name, stipple:design, stipple:mesh).
// `cancel` (may be null) is polled between files: when set, the call stops, removes what it
// wrote and throws stipple::RuntimeFailure("interrupted ..."). Throws stipple::Error as
// checkBakeOutputs() and writeFileAtomic(); on any failure removes the files it created.
// With Overwrite::Yes the bake replaces a whole older bake in `dir`: the older bake's
// leftovers (checkBakeOutputs) still unchanged are removed after the new files are written and
// before bake.json, and listed in the report as "removed_from_older_run".
nlohmann::json writeBakeOutputs(const std::filesystem::path& dir, const Design& design,
                                const HeadModel& head, const FollicleSet& dots,
                                const LayerStack& layers, const BakeTimes& times,
                                Overwrite overwrite,
                                ProvenanceMode provenance = ProvenanceMode::Private,
                                const std::atomic<bool>* cancel = nullptr);

} // namespace stipple
