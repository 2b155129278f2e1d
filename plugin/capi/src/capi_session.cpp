// Session, head, edits, dots and layers of the C ABI: validate the arguments, convert, call the
// core (stipple::Session), copy out. No algorithm lives here.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "capi_internal.h"
#include "stipple/core/design.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#include "stipple/core/mesh_arrays.h"

namespace stipple::capi {
namespace {

namespace fs = std::filesystem;

static_assert(STIPPLE_ZONE_COUNT == kZoneCount, "stipple.h zone count");
static_assert(STIPPLE_LANDMARK_COUNT == kLandmarkNames.size(), "stipple.h landmark count");

// The path a design parsed from text is named by (messages, relative paths).
fs::path designSource(const char* base_path) {
    return base_path ? fs::path(base_path) : fs::path("design.json");
}

std::optional<Axis> axisArgument(const char* text, const char* name) {
    if (!text) return std::nullopt;
    const std::optional<Axis> axis = parseAxis(text);
    if (!axis)
        throw ArgumentError(name, std::string("is '") + text +
                                      "'; accepted \"+X\", \"-X\", \"+Y\", \"-Y\", \"+Z\", \"-Z\"");
    return axis;
}

HeadSpec arraysHeadSpec(double mm_per_unit, const char* up, const char* forward) {
    if (!std::isfinite(mm_per_unit) || mm_per_unit < 0)
        throw ArgumentError("mm_per_unit", "is " + formatFixed(mm_per_unit, 4) +
                                               "; accepted a finite number > 0, or 0 to infer");
    HeadSpec spec;
    spec.mesh = "mesh arrays";
    if (mm_per_unit > 0) spec.mm_per_unit = mm_per_unit;
    spec.up = axisArgument(up, "up");
    spec.forward = axisArgument(forward, "forward");
    if (spec.up || spec.forward) {
        const glm::dvec3 u = axisVector(spec.up.value_or(Axis::PosY));
        const glm::dvec3 f = axisVector(spec.forward.value_or(Axis::PosZ));
        if (std::abs(glm::dot(u, f)) > 0.5)
            throw ArgumentError("forward",
                                "is " + axisName(spec.forward.value_or(Axis::PosZ)) +
                                    (spec.forward ? "" : " (the default for NULL)") +
                                    ", along up " + axisName(spec.up.value_or(Axis::PosY)) +
                                    (spec.up ? "" : " (the default for NULL)") +
                                    "; expected an axis perpendicular to up: give both axes");
    }
    return spec;
}

// The landmark overrides a host gives with its arrays (host frame), by name.
std::map<std::string, glm::dvec3> landmarkOverrides(const double* landmarks, const int* given) {
    std::map<std::string, glm::dvec3> out;
    if (!landmarks) return out;
    for (size_t i = 0; i < kLandmarkNames.size(); ++i) {
        if (given && !given[i]) continue;
        glm::dvec3 p;
        for (size_t k = 0; k < 3; ++k) {
            p[int(k)] = landmarks[3 * i + k];
            if (!std::isfinite(p[int(k)]))
                throw ArgumentError("landmarks", "landmarks[" + std::to_string(3 * i + k) + "] (" +
                                                     std::string(kLandmarkNames[i]) +
                                                     ") is not finite; expected a coordinate "
                                                     "in the arrays' units");
        }
        out[std::string(kLandmarkNames[i])] = p;
    }
    return out;
}

// Host <-> head frame for positions and normals.
struct Frame {
    glm::dmat4 to_output{1}; // head frame -> output frame
    glm::dmat3 normals{1};   // head-frame normal -> output-frame normal (then normalised)
};

Frame outputFrame(const HeadModel& head, int frame) {
    Frame f;
    if (frame == STIPPLE_FRAME_HEAD) return f;
    if (frame != STIPPLE_FRAME_HOST)
        throw ArgumentError("frame",
                            "is " + std::to_string(frame) +
                                "; accepted STIPPLE_FRAME_HEAD (0) or STIPPLE_FRAME_HOST (1)");
    f.to_output = glm::inverse(head.file_to_head);
    // Normals go with the inverse transpose of the position map's linear part.
    f.normals = glm::transpose(glm::dmat3(head.file_to_head));
    return f;
}

void put3(float* out, size_t i, const glm::dvec3& v) {
    out[3 * i] = float(v.x), out[3 * i + 1] = float(v.y), out[3 * i + 2] = float(v.z);
}

// Throws ArgumentError when `capacity` < `needed`, after storing `needed` in *count.
void requireCapacity(size_t capacity, size_t needed, size_t* count, const char* name,
                     const char* what) {
    if (count) *count = needed;
    if (capacity < needed)
        throw ArgumentError(name, "is " + std::to_string(capacity) + " " + what + "; " +
                                      std::to_string(needed) + " are needed");
}

uint32_t changeFlags(const SessionChange& c) {
    uint32_t flags = 0;
    if (c.head) flags |= STIPPLE_CHANGED_HEAD;
    if (c.region) flags |= STIPPLE_CHANGED_REGION;
    if (c.chart) flags |= STIPPLE_CHANGED_CHART;
    if (c.zoneCount() > 0) flags |= STIPPLE_CHANGED_ZONES;
    if (c.dots) flags |= STIPPLE_CHANGED_DOTS;
    if (c.layers) flags |= STIPPLE_CHANGED_LAYERS;
    if (c.colour) flags |= STIPPLE_CHANGED_COLOUR;
    if (c.render) flags |= STIPPLE_CHANGED_RENDER;
    return flags;
}

uint32_t zoneMask(const SessionChange& c) {
    uint32_t mask = 0;
    for (size_t z = 0; z < kZoneCount; ++z)
        if (c.zones[z]) mask |= 1u << z;
    return mask;
}

void applyDesign(stipple_session* handle, Design design, uint32_t* changed, uint32_t* zones_mask) {
    Session& session = sessionOf(handle);
    const SessionChange change = session.apply(std::move(design));
    handle->warnings_text.clear();
    handle->manifest.clear();
    if (changed) *changed = changeFlags(change);
    if (zones_mask) *zones_mask = zoneMask(change);
}

stipple_session* newSession(Design design) {
    auto handle = std::make_unique<stipple_session>();
    handle->session = std::make_unique<Session>(std::move(design));
    return handle.release();
}

void checkLayer(int layer) {
    if (!stipple_layer_name(layer))
        throw ArgumentError("layer",
                            "is " + std::to_string(layer) +
                                "; accepted STIPPLE_LAYER_PIGMENT, _SCAR or _BEFORE (0..2)");
}

const Image16& layerImage(const LayerStack& layers, int layer) {
    if (layer == STIPPLE_LAYER_SCAR) return layers.scar;
    if (layer == STIPPLE_LAYER_BEFORE) return layers.before;
    return layers.pigment;
}

} // namespace
} // namespace stipple::capi

using namespace stipple;
using namespace stipple::capi;

extern "C" {

stipple_status stipple_session_create_from_file(const char* design_path, stipple_session** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        requireArgument(design_path, "design_path");
        requireArgument(out, "out");
        *out = newSession(loadDesign(design_path));
    });
}

stipple_status stipple_session_create_from_json(const char* json, const char* base_path,
                                                stipple_session** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        requireArgument(json, "json");
        requireArgument(out, "out");
        *out = newSession(parseDesign(json, designSource(base_path)));
    });
}

stipple_status stipple_session_destroy(stipple_session* session) {
    return guarded([&] { delete session; });
}

stipple_status stipple_session_load_head(stipple_session* handle, const char* mesh_path) {
    return guarded([&] {
        Session& session = sessionOf(handle);
        HeadSpec spec = session.design().head;
        if (mesh_path) spec.mesh = mesh_path;
        session.setHead(std::make_shared<const HeadModel>(loadHeadModel(spec)));
    });
}

stipple_status stipple_session_set_head_arrays(stipple_session* handle, const float* positions,
                                               size_t vertex_count, const uint32_t* indices,
                                               size_t triangle_count, const float* uvs,
                                               double mm_per_unit, const char* up,
                                               const char* forward) {
    return stipple_session_set_head_arrays_with_landmarks(handle, positions, vertex_count, indices,
                                                          triangle_count, uvs, mm_per_unit, up,
                                                          forward, nullptr, nullptr);
}

stipple_status stipple_session_set_head_arrays_with_landmarks(
    stipple_session* handle, const float* positions, size_t vertex_count, const uint32_t* indices,
    size_t triangle_count, const float* uvs, double mm_per_unit, const char* up,
    const char* forward, const double* landmarks, const int* given) {
    return guarded([&] {
        Session& session = sessionOf(handle);
        MeshArrays arrays;
        arrays.positions = positions;
        arrays.vertex_count = vertex_count;
        arrays.indices = indices;
        arrays.triangle_count = triangle_count;
        arrays.uvs = uvs;
        HeadSpec spec = arraysHeadSpec(mm_per_unit, up, forward);
        spec.landmarks = landmarkOverrides(landmarks, given);
        try {
            validateMeshArrays(arrays); // the caller's arrays: BAD_ARGUMENT, not BAD_INPUT
        } catch (const Error& e) {
            throw ArgumentError(e.problems().front().pointer, e.problems().front().message);
        }
        session.setHead(
            std::make_shared<const HeadModel>(buildHeadModel(importMeshArrays(arrays), spec)));
    });
}

int stipple_session_has_head(const stipple_session* handle) {
    return handle && handle->session && handle->session->hasHead() ? 1 : 0;
}

stipple_status stipple_session_head_info(stipple_session* handle, stipple_head_info* info) {
    return guarded([&] {
        requireArgument(info, "info");
        const HeadModel& head = sessionWithHead(handle, "stipple_session_head_info").head();
        *info = stipple_head_info{};
        info->vertex_count = head.mesh.vertexCount();
        info->triangle_count = head.mesh.triangleCount();
        info->mm_per_unit = head.units.mm_per_unit;
        info->units_inferred = head.units.source == "inferred" ? 1 : 0;
        info->breadth_mm = head.breadth_mm;
        info->length_mm = head.length_mm;
        info->height_mm = head.height_mm;
        std::snprintf(info->up, sizeof info->up, "%s", axisName(head.up).c_str());
        std::snprintf(info->forward, sizeof info->forward, "%s", axisName(head.forward).c_str());
    });
}

stipple_status stipple_session_landmarks(stipple_session* handle, double* head_mm, double* host,
                                         int* estimated) {
    return guarded([&] {
        const HeadModel& head = sessionWithHead(handle, "stipple_session_landmarks").head();
        const glm::dmat4 head_to_host = glm::inverse(head.file_to_head);
        for (size_t i = 0; i < kLandmarkNames.size(); ++i) {
            const glm::dvec3 p = head.landmarks[kLandmarkNames[i]];
            const glm::dvec3 q = glm::dvec3(head_to_host * glm::dvec4(p, 1));
            for (int k = 0; k < 3; ++k) {
                if (head_mm) head_mm[3 * i + size_t(k)] = p[k];
                if (host) host[3 * i + size_t(k)] = q[k];
            }
            if (estimated) {
                const auto it = head.landmarks.source.find(kLandmarkNames[i]);
                estimated[i] = it == head.landmarks.source.end() || it->second != "design";
            }
        }
    });
}

stipple_status stipple_session_file_to_head(stipple_session* handle, double* matrix) {
    return guarded([&] {
        requireArgument(matrix, "matrix");
        const HeadModel& head = sessionWithHead(handle, "stipple_session_file_to_head").head();
        for (int c = 0; c < 4; ++c)
            for (int r = 0; r < 4; ++r)
                matrix[4 * c + r] = head.file_to_head[c][r];
    });
}

stipple_status stipple_session_copy_head_mesh(stipple_session* handle, int frame, float* positions,
                                              float* normals, size_t vertex_capacity,
                                              size_t* vertex_count, uint32_t* indices,
                                              size_t triangle_capacity, size_t* triangle_count) {
    return guarded([&] {
        const HeadModel& head = sessionWithHead(handle, "stipple_session_copy_head_mesh").head();
        const Mesh& mesh = head.mesh;
        const Frame f = outputFrame(head, frame);
        if (vertex_count) *vertex_count = mesh.vertexCount();
        if (triangle_count) *triangle_count = mesh.triangleCount();
        if (positions || normals)
            requireCapacity(vertex_capacity, mesh.vertexCount(), vertex_count, "vertex_capacity",
                            "vertices");
        if (indices)
            requireCapacity(triangle_capacity, mesh.triangleCount(), triangle_count,
                            "triangle_capacity", "triangles");
        for (size_t v = 0; v < mesh.vertexCount(); ++v) {
            if (positions)
                put3(positions, v, glm::dvec3(f.to_output * glm::dvec4(mesh.positions[v], 1)));
            if (normals) put3(normals, v, glm::normalize(f.normals * glm::dvec3(mesh.normals[v])));
        }
        if (indices)
            std::memcpy(indices, mesh.triangles.data(),
                        mesh.triangleCount() * 3 * sizeof(uint32_t));
    });
}

stipple_status stipple_session_apply_json(stipple_session* handle, const char* json,
                                          const char* base_path, uint32_t* changed,
                                          uint32_t* zones_mask) {
    return guarded([&] {
        requireArgument(json, "json");
        const fs::path source = base_path ? fs::path(base_path) : sessionOf(handle).design().source;
        applyDesign(handle, parseDesign(json, source), changed, zones_mask);
    });
}

stipple_status stipple_session_apply_file(stipple_session* handle, const char* design_path,
                                          uint32_t* changed, uint32_t* zones_mask) {
    return guarded([&] {
        requireArgument(design_path, "design_path");
        sessionOf(handle);
        applyDesign(handle, loadDesign(design_path), changed, zones_mask);
    });
}

stipple_status stipple_session_design_json(stipple_session* handle, const char* relative_to,
                                           const char** json) {
    if (json) *json = "";
    return guarded([&] {
        requireArgument(json, "json");
        Session& session = sessionOf(handle);
        handle->design_text =
            designToText(session.design(), relative_to ? fs::path(relative_to) : fs::path());
        *json = handle->design_text.c_str();
    });
}

stipple_status stipple_session_warnings(stipple_session* handle, const char** text) {
    if (text) *text = "";
    return guarded([&] {
        requireArgument(text, "text");
        Session& session = sessionOf(handle);
        std::string out;
        for (const Problem& p : session.warnings())
            out += (out.empty() ? "" : "\n") + p.format();
        handle->warnings_text = std::move(out);
        *text = handle->warnings_text.c_str();
    });
}

stipple_status stipple_session_dot_count(stipple_session* handle, size_t* count) {
    return guarded([&] {
        requireArgument(count, "count");
        *count = sessionWithHead(handle, "stipple_session_dot_count")
                     .follicles(SessionLabels::Deferred)
                     .dots.size();
    });
}

stipple_status stipple_session_copy_dots(stipple_session* handle, int frame, size_t capacity,
                                         float* positions, float* normals, float* diameters_mm,
                                         float* shades, uint8_t* zones, uint64_t* ids,
                                         size_t* count) {
    return guarded([&] {
        Session& session = sessionWithHead(handle, "stipple_session_copy_dots");
        const Frame f = outputFrame(session.head(), frame);
        // The arrays carry no session: the labels are not needed.
        const std::vector<Dot>& dots = session.follicles(SessionLabels::Deferred).dots;
        requireCapacity(capacity, dots.size(), count, "capacity", "dots");
        for (size_t i = 0; i < dots.size(); ++i) {
            const Dot& d = dots[i];
            if (positions)
                put3(positions, i, glm::dvec3(f.to_output * glm::dvec4(d.position_mm, 1)));
            if (normals) put3(normals, i, glm::normalize(f.normals * glm::dvec3(d.normal)));
            if (diameters_mm) diameters_mm[i] = d.diameter_mm;
            if (shades) shades[i] = d.shade;
            if (zones) zones[i] = uint8_t(d.zone);
            if (ids) ids[i] = d.id;
        }
    });
}

stipple_status stipple_session_figures(stipple_session* handle, stipple_figures* figures) {
    return guarded([&] {
        requireArgument(figures, "figures");
        const FollicleSet& set = sessionWithHead(handle, "stipple_session_figures")
                                     .follicles(SessionLabels::Deferred);
        *figures = stipple_figures{};
        figures->dots = set.dots.size();
        figures->area_cm2 = set.area_cm2;
        figures->sessions = set.sessions;
        figures->nn_min_ratio = set.nn_min_ratio;
        figures->nn_mean_ratio = set.nn_mean_ratio;
        for (const ZoneStats& z : set.zones) {
            const size_t i = size_t(z.id);
            // Not input-reachable: i runs over the session's zones, kZoneCount of them.
            STIPPLE_ASSERT(i < kZoneCount, "stipple_session_figures(): zone id out of range");
            figures->zone_present[i] = 1;
            figures->zone_dots[i] = z.dots;
            figures->zone_area_cm2[i] = z.area_cm2;
            figures->zone_density_per_cm2[i] = z.density_per_cm2;
            figures->zone_target_density_per_cm2[i] = z.target_density_per_cm2;
        }
    });
}

stipple_status stipple_session_set_layer_size(stipple_session* handle, int size) {
    return guarded([&] {
        Session& session = sessionOf(handle);
        try {
            session.setLayerSize(size, "size");
        } catch (const Error& e) {
            throw ArgumentError("size", e.problems().front().message);
        }
    });
}

stipple_status stipple_session_set_provenance(stipple_session* handle, const char* mode) {
    return guarded([&] {
        sessionOf(handle);
        requireArgument(mode, "mode");
        try {
            handle->provenance = parseProvenanceMode(mode, "mode");
        } catch (const Error& e) {
            throw ArgumentError("mode", e.problems().front().message);
        }
    });
}

stipple_status stipple_session_set_shown_session(stipple_session* handle,
                                                 int treatment_session) {
    return guarded([&] {
        Session& session = sessionOf(handle);
        try {
            session.setShownSession(treatment_session, "treatment_session");
        } catch (const Error& e) {
            throw ArgumentError("treatment_session", e.problems().front().message);
        }
    });
}

stipple_status stipple_session_treatment_sessions(stipple_session* handle, int* count) {
    return guarded([&] {
        requireArgument(count, "count");
        *count = sessionWithHead(handle, "stipple_session_treatment_sessions")
                     .follicles(SessionLabels::Deferred)
                     .session_count;
    });
}

stipple_status stipple_session_layer_size(stipple_session* handle, int* size) {
    return guarded([&] {
        requireArgument(size, "size");
        *size = sessionOf(handle).layerSize();
    });
}

stipple_status stipple_session_layer_pixels(stipple_session* handle, int layer,
                                            const uint16_t** pixels, int* width, int* height) {
    if (pixels) *pixels = nullptr;
    return guarded([&] {
        requireArgument(pixels, "pixels");
        Session& session = sessionWithHead(handle, "stipple_session_layer_pixels");
        checkLayer(layer); // before any bake
        const Image16& image = layerImage(session.layers(), layer);
        // Not input-reachable: bakeLayers makes every layer RGBA16.
        STIPPLE_ASSERT(image.channels == 4, "stipple_session_layer_pixels(): layers are RGBA");
        *pixels = image.pixels.data();
        if (width) *width = image.width;
        if (height) *height = image.height;
    });
}

stipple_status stipple_session_live_layers(stipple_session* handle, float* exponents,
                                           int* colour_only, const uint16_t** pigment,
                                           const uint8_t** zone_map, int* size) {
    if (pigment) *pigment = nullptr;
    if (zone_map) *zone_map = nullptr;
    return guarded([&] {
        requireArgument(exponents, "exponents");
        Session& session = sessionWithHead(handle, "stipple_session_live_layers");
        const size_t recolourings = session.runs().colour;
        const LiveLayers live = session.liveLayers();
        for (size_t z = 0; z < live.colour.exponent.size(); ++z)
            for (int c = 0; c < 3; ++c)
                exponents[3 * z + size_t(c)] = live.colour.exponent[z][c];
        if (colour_only) *colour_only = session.runs().colour > recolourings ? 1 : 0;
        if (pigment) *pigment = live.baked->pigment.pixels.data();
        if (zone_map) *zone_map = live.baked->zone_map.pixels.data();
        if (size) *size = live.baked->size;
    });
}

stipple_status stipple_session_chart_uvs(stipple_session* handle, float* uvs, size_t uv_capacity,
                                         size_t* vertex_count, uint8_t* inside,
                                         size_t inside_capacity, size_t* triangle_count) {
    return guarded([&] {
        const ScalpChart& chart = sessionWithHead(handle, "stipple_session_chart_uvs").chart();
        if (vertex_count) *vertex_count = chart.uvs.size();
        if (triangle_count) *triangle_count = chart.inside.size();
        if (uvs)
            requireCapacity(uv_capacity, chart.uvs.size(), vertex_count, "uv_capacity", "vertices");
        if (inside)
            requireCapacity(inside_capacity, chart.inside.size(), triangle_count, "inside_capacity",
                            "triangles");
        if (uvs) std::memcpy(uvs, chart.uvs.data(), chart.uvs.size() * 2 * sizeof(float));
        if (inside) std::memcpy(inside, chart.inside.data(), chart.inside.size());
    });
}

} // extern "C"
