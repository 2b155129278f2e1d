#pragma once

// `stipple render` as a library call: stills of named views (optionally before/after),
// turntables (PNG frames, MP4, GIF, contact sheet), several designs side by side, every image
// stamped with its provenance (PNG text chunks and manifest.json beside the outputs).
//
// Output layout in `out_dir` (one design; several designs get one sub-folder each, named
// after the design, plus designs_<view>.png sheets at the top):
//   <view>.png                         still, layers shown ("after")
//   <view>_before.png, <view>_before_after.png, <view>_split.png   with before_after
//   turntable_000.png ...              turntable frames (3+ digits), no duplicated end frame
//   turntable_top_000.png ...          the optional top-view pass (elevation 60 degrees)
//   turntable.mp4, turntable.gif, contact_sheet.png
//   manifest.json                      what was written, with SHA-256 and provenance

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/core/provenance.h"
#include "stipple/render/renderer.h"

namespace stipple::render {

struct Provenance {
    std::string design_name;
    std::filesystem::path design_file;
    std::string design_sha256;
    uint64_t seed = 0;
    std::filesystem::path mesh_file;
    std::string mesh_sha256;
};

struct RenderSubject {
    const HeadModel* head = nullptr;    // required
    const LayerStack* layers = nullptr; // null: the head alone (no SMP)
    Provenance provenance;
};

struct RenderJob {
    std::filesystem::path out_dir;
    RenderSettings settings;        // size, msaa, background, lighting; supersample: stills
    std::vector<std::string> views; // names from viewNames()
    int turntable_frames = 0;       // 0: no turntable; else 1..720
    double elevation_deg = 8;       // -30..60
    bool top_view_pass = false;     // a second turntable pass looking down at 60 degrees
    double fps = 24;                // 1..60
    bool before_after = false;
    bool mp4 = false;
    bool gif = false;
    bool contact_sheet = false;
    std::string watermark; // drawn on every image when not empty
    // Yes also replaces the whole output set: files an older run's manifest.json lists that
    // this run does not write are removed (output_set.h).
    Overwrite overwrite = Overwrite::No;
    // Private: images and manifest identify designs by SHA-256 only; Full adds names and paths.
    ProvenanceMode provenance = ProvenanceMode::Private;
    bool progress = false; // progress bar on stderr
    int writer_threads = 2;
    int png_compression = 1;
    int gif_max_width = 640;                   // GIFs are for web pages and chats: kept small
    const std::atomic<bool>* cancel = nullptr; // set (e.g. by SIGINT) to stop after a frame
    std::string date;                          // ISO 8601 UTC; empty: SOURCE_DATE_EPOCH or now
    std::vector<Problem> warnings; // found while building the job (renderJobFromDesign); listed
                                   // in the summary's "warnings"
};

// Largest turntable.
inline constexpr int kMaxTurntableFrames = 720;

// Checks a job before any work: views, frame count, size, fps, elevation, outputs that need a
// turntable. Throws stipple::Error naming the option by its neutral name ("views",
// "turntable_frames", "size", "fps", "elevation", "mp4", "gif", "contact_sheet", "top_view")
// and what is accepted; hosts map the names to their own words.
void validateRenderJob(const RenderJob& job);

// Renders everything and returns the summary (also written as manifest.json): files with
// their kind, view, angles and SHA-256, provenance (design_sha256 per file and design; names
// and paths only with ProvenanceMode::Full), renderer, timings. Refuses, before rendering
// anything, when an output exists and overwrite is No (stipple::Error naming the option
// "overwrite" and the first existing file). With overwrite Yes, refuses when a file of the
// older run is in the way and, at the end, removes the older run's files this run did not
// write (listed in "removed_from_older_run"; output_set.h).
// When `cancel` is set mid-way: frames already handed to the writers are finished, no partial
// file is left under a final name, the manifest records "interrupted": true, and a
// stipple::RuntimeFailure("interrupted ...") is thrown. Missing EGL/GL: RuntimeFailure.
nlohmann::json runRenderJob(const std::vector<RenderSubject>& subjects, const RenderJob& job);

// The PNG text chunks of one image: Software, stipple:version, stipple:date,
// stipple:design_sha256, stipple:seed, stipple:mesh_sha256; with ProvenanceMode::Full also
// stipple:design (the name), stipple:design_file and stipple:mesh_file; then `extra`.
TextChunks provenanceChunks(const Provenance& provenance, const std::string& date,
                            const TextChunks& extra = {},
                            ProvenanceMode mode = ProvenanceMode::Private);

// ISO 8601 UTC time: SOURCE_DATE_EPOCH when set (reproducible builds), else now.
std::string renderDate();

} // namespace stipple::render
