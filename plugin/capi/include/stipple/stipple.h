/*
 * stipple.h — the C ABI of Stipple (libstipple.so.0): a scalp micropigmentation (SMP) preview
 * engine as a library, for hosts such as a Blender add-on (Python ctypes) or any C/C++ program.
 * C99; every symbol starts with stipple_.
 *
 * ERRORS. Every function that can fail returns a stipple_status. Nothing crosses this boundary
 * as an exception, an abort or an exit: every entry point catches everything, and a broken
 * internal invariant returns STIPPLE_INTERNAL instead of aborting the host (the library sets
 * the engine's assertion mode to "throw" when it is loaded). After a call that did not return
 * STIPPLE_OK, stipple_last_error() says what was wrong and what is accepted, naming the file and
 * the field as a JSON pointer ("/zones/2/density_per_cm2") or the argument ("positions");
 * stipple_last_error_field() gives that field alone.
 *
 * OWNERSHIP AND LIFETIME. The caller owns every buffer it passes in; the library reads input
 * arrays only during the call and writes output buffers only up to the capacity given.
 * Pointers the library returns:
 *   - stipple_last_error(), stipple_last_error_field(): thread-local, valid until the next
 *     stipple_ call on the same thread;
 *   - stipple_version_string(), stipple_status_name(), stipple_zone_name(),
 *     stipple_landmark_name(), stipple_layer_name(): static, valid forever;
 *   - stipple_session_layer_pixels(), stipple_session_live_layers(), stipple_session_warnings(),
 *     stipple_session_last_manifest(): owned by the session, valid until the next call that
 *     changes it (apply, a new head, a new layer size, a render to a folder) or
 *     stipple_session_destroy(), whichever comes first (each function says which).
 * A stipple_session is created by stipple_session_create_*() and freed by
 * stipple_session_destroy() (NULL is accepted and ignored).
 *
 * THREADS. One session: one thread at a time (the library does not lock; calls on the same
 * session from two threads at once are undefined). Different sessions: any threads, in
 * parallel. Rendering (stipple_session_render_view): the offscreen GL context is created by the
 * first render of a session and is current on that thread only, so every later
 * stipple_session_render_view() of that session must come from the same thread
 * (STIPPLE_BAD_ARGUMENT otherwise), and stipple_session_destroy() of a session that rendered
 * should run there too. stipple_session_render_folder() makes and frees its own context within
 * the call, on any thread. Both may leave the library's EGL context current on the calling thread
 * and do not restore a context the host had current there: a host with GL contexts of its own
 * (Blender) renders from a worker thread of its own, one per session. The library starts worker
 * threads of its own during some calls (sampling, baking, PNG encoding) and joins them before
 * returning.
 *
 * ENUMS. Parameters that take one of the enums below are declared `int`, so that any value a
 * binding passes is well defined; values outside the enum are refused with BAD_ARGUMENT (or
 * give NULL / "UNKNOWN" for the name functions).
 *
 * COORDINATES. The head frame: millimetres, origin midway between the ears, +Y up, +Z forward
 * (out of the face), +X to the subject's left. The host frame: the mesh's own units and axes
 * (what the host handed over, or the mesh file's). file_to_head maps host to head frame.
 */
#ifndef STIPPLE_STIPPLE_H
#define STIPPLE_STIPPLE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define STIPPLE_API
#else
#define STIPPLE_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version: the SONAME's number (libstipple.so.0). Bumped when a signature changes. */
#define STIPPLE_ABI_VERSION 0

typedef enum stipple_status {
    STIPPLE_OK = 0,
    STIPPLE_BAD_ARGUMENT = 1, /* a NULL pointer, a count or size out of range, a buffer too
                                 small, a NaN coordinate, an unknown name */
    STIPPLE_BAD_INPUT = 2,    /* the design or the mesh is wrong (a file, a field) */
    STIPPLE_RUNTIME = 3,      /* not the input's fault: no EGL/GL driver, disk full, a build
                                 without the renderer, an interrupted render */
    STIPPLE_INTERNAL = 4,     /* a bug: a broken invariant or an unexpected exception */
    STIPPLE_NO_HEAD = 5,      /* the call needs a head: stipple_session_load_head() or
                                 stipple_session_set_head_arrays() first */
    STIPPLE_OUT_OF_MEMORY = 6
} stipple_status;

/* ---- Library ------------------------------------------------------------------------------ */

/* The last error of this thread ("" after success). Thread-local; valid until the next call. */
STIPPLE_API const char* stipple_last_error(void);
/* The field the last error names: a JSON pointer of the design ("/zones/2/shade"), an argument
 * name ("positions") or ""; thread-local, valid until the next call. */
STIPPLE_API const char* stipple_last_error_field(void);
/* "OK", "BAD_ARGUMENT", ... ; "UNKNOWN" for other values. Static. */
STIPPLE_API const char* stipple_status_name(int status);

/* The library's version (semantic versioning). Any pointer may be NULL. Always STIPPLE_OK. */
STIPPLE_API stipple_status stipple_version(int* major, int* minor, int* patch);
/* "0.1.0". Static. */
STIPPLE_API const char* stipple_version_string(void);
/* STIPPLE_ABI_VERSION of the loaded library (compare with the header's). */
STIPPLE_API int stipple_abi_version(void);
/* 1 when the library was built with the renderer (render calls work given an EGL driver),
 * 0 when not (render calls return STIPPLE_RUNTIME). */
STIPPLE_API int stipple_has_renderer(void);

/* FOR TESTS ONLY: runs a failing internal assertion, so a host can check that a broken
 * invariant returns STIPPLE_INTERNAL with its message instead of aborting. Always returns
 * STIPPLE_INTERNAL. Never call it in production code. */
STIPPLE_API stipple_status stipple_debug_trigger_assert(void);

/* ---- Session ------------------------------------------------------------------------------ */

typedef struct stipple_session stipple_session;

/* A session for the design file at `design_path` (UTF-8; relative paths inside it resolve
 * against its folder). No head yet. *out receives the session (NULL on failure).
 * BAD_INPUT: missing file, invalid JSON or fields (the message lists every problem). */
STIPPLE_API stipple_status stipple_session_create_from_file(const char* design_path,
                                                            stipple_session** out);
/* The same from design JSON text (NUL-terminated UTF-8). `base_path` names the design for
 * messages and resolves its relative paths: a (possibly non-existent) file path such as
 * "/designs/client.json" whose folder is used; NULL means the current folder. */
STIPPLE_API stipple_status stipple_session_create_from_json(const char* json, const char* base_path,
                                                            stipple_session** out);
/* Frees the session and everything it owns. NULL is ignored. Always STIPPLE_OK. */
STIPPLE_API stipple_status stipple_session_destroy(stipple_session* session);

/* ---- Head --------------------------------------------------------------------------------- */

/* Loads a head mesh file (OBJ, PLY, STL, glTF/GLB, FBX...) with the design's head section
 * (units, axes, parts to keep, landmarks). `mesh_path` NULL: the design's /head/mesh; else that
 * file instead (the design's units/axes still apply). The previous head stays on failure.
 * BAD_INPUT: unreadable mesh, not a head. */
STIPPLE_API stipple_status stipple_session_load_head(stipple_session* session,
                                                     const char* mesh_path);

/* Gives the session a head from arrays in the host's memory (read during the call only):
 *   positions      3 floats (x, y, z) per vertex, host units and axes, finite
 *   vertex_count   3 .. 2^32-1
 *   indices        3 per triangle (counter-clockwise seen from outside), each < vertex_count
 *   triangle_count 1 .. 2,000,000
 *   uvs            NULL, or 2 floats (u, v; v up) per vertex: the mesh's own UV set
 *   mm_per_unit    millimetres per host unit (Blender metres: 1000); 0 = infer from the size
 *   up, forward    "+X" "-X" "+Y" "-Y" "+Z" "-Z" (any case): the host's axes for the head's up
 *                  and the face's direction (Blender: "+Z", "-Y"); NULL = detect, else +Y/+Z
 * Vertex i of the head is vertex i of these arrays: per-vertex outputs (chart UVs, head mesh
 * positions) map back one to one. Positions are welded by exact equality; degenerate triangles
 * are dropped with a warning. The design's /head section is not used (its landmarks are in its
 * own file's coordinates). BAD_ARGUMENT (naming the argument and the index): a NULL pointer, a
 * count out of range, an index out of range, a NaN/Inf coordinate, an unknown axis, up and
 * forward not perpendicular, mm_per_unit negative or not finite. BAD_INPUT: not a head (too
 * flat, too small/large for the given units). The previous head stays on failure. */
STIPPLE_API stipple_status stipple_session_set_head_arrays(
    stipple_session* session, const float* positions, size_t vertex_count, const uint32_t* indices,
    size_t triangle_count, const float* uvs, double mm_per_unit, const char* up,
    const char* forward);

/* stipple_session_set_head_arrays() with landmark overrides: `landmarks` (NULL, or
 * 3 * STIPPLE_LANDMARK_COUNT doubles in the order of stipple_landmark_name(), in the host frame:
 * the arrays' units and axes) and `given` (STIPPLE_LANDMARK_COUNT ints; 1 where landmarks[i] is
 * an override, 0 where the landmark is estimated; NULL = all given when landmarks is not NULL).
 * What a host does with landmarks the user moved (Blender: empties). Errors as
 * set_head_arrays, plus BAD_ARGUMENT naming "landmarks" and the index for a NaN/Inf value. */
STIPPLE_API stipple_status stipple_session_set_head_arrays_with_landmarks(
    stipple_session* session, const float* positions, size_t vertex_count, const uint32_t* indices,
    size_t triangle_count, const float* uvs, double mm_per_unit, const char* up,
    const char* forward, const double* landmarks, const int* given);

/* 1 when the session has a head, else 0 (also 0 for a NULL session). */
STIPPLE_API int stipple_session_has_head(const stipple_session* session);

/* The head's figures. */
typedef struct stipple_head_info {
    size_t vertex_count;   /* of the head mesh (= the host's arrays for set_head_arrays) */
    size_t triangle_count; /* kept triangles */
    double mm_per_unit;    /* given or inferred */
    int units_inferred;    /* 1 when inferred from the size, 0 when given */
    double breadth_mm;     /* left-right width of the cranium */
    double length_mm;      /* glabella to occiput */
    double height_mm;      /* vertex to the lowest point of the mesh */
    char up[4];            /* the host axes used, "+Y" style, NUL-terminated */
    char forward[4];
} stipple_head_info;
/* NO_HEAD without a head; BAD_ARGUMENT for NULL pointers. */
STIPPLE_API stipple_status stipple_session_head_info(stipple_session* session,
                                                     stipple_head_info* info);

/* The six landmarks, in this order: vertex, glabella, nose_tip, ear_left, ear_right, occiput. */
#define STIPPLE_LANDMARK_COUNT 6
/* "vertex", ...; NULL outside 0..STIPPLE_LANDMARK_COUNT-1. Static. */
STIPPLE_API const char* stipple_landmark_name(int index);
/* Landmark positions, 3 doubles each in the order above: `head_mm` in the head frame (mm),
 * `host` in the host frame (the mesh's units and axes). Either may be NULL; each must hold
 * 3 * STIPPLE_LANDMARK_COUNT doubles. `estimated` (NULL or STIPPLE_LANDMARK_COUNT ints): 1 where
 * the landmark was estimated, 0 where the design gave it. */
STIPPLE_API stipple_status stipple_session_landmarks(stipple_session* session, double* head_mm,
                                                     double* host, int* estimated);
/* The 4x4 affine matrix taking host coordinates to the head frame (mm), 16 doubles,
 * column-major (OpenGL / glm / Blender's Matrix transposed: element [col * 4 + row]). */
STIPPLE_API stipple_status stipple_session_file_to_head(stipple_session* session, double* matrix);

/* Which frame copied positions and normals are in. */
typedef enum stipple_frame {
    STIPPLE_FRAME_HEAD = 0, /* head frame, millimetres */
    STIPPLE_FRAME_HOST = 1  /* the host's units and axes (inverse of file_to_head) */
} stipple_frame;

/* Copies the head mesh: `positions` and `normals` (NULL or 3 floats per vertex, in `frame`),
 * `indices` (NULL or 3 per triangle). `vertex_capacity`/`triangle_capacity` are the buffers'
 * sizes in vertices/triangles; when too small: BAD_ARGUMENT, nothing written, and the needed
 * counts in *vertex_count / *triangle_count (which may be NULL otherwise). */
STIPPLE_API stipple_status stipple_session_copy_head_mesh(
    stipple_session* session, int frame, float* positions, float* normals, size_t vertex_capacity,
    size_t* vertex_count, uint32_t* indices, size_t triangle_capacity, size_t* triangle_count);

/* ---- Edits -------------------------------------------------------------------------------- */

/* What an edit made stale (stipple_session_apply_*: the `changed` flags). */
enum {
    STIPPLE_CHANGED_HEAD = 1u << 0,   /* the design's head section: give a new head */
    STIPPLE_CHANGED_REGION = 1u << 1, /* hairline or seed */
    STIPPLE_CHANGED_CHART = 1u << 2,  /* chart UVs: refetch stipple_session_chart_uvs() */
    STIPPLE_CHANGED_ZONES = 1u << 3,  /* some zones resample (which: `zones_mask`) */
    STIPPLE_CHANGED_DOTS = 1u << 4,   /* the dots (refetch them) */
    STIPPLE_CHANGED_LAYERS = 1u << 5, /* layer texels are re-baked */
    STIPPLE_CHANGED_COLOUR = 1u << 6, /* only the layers' colour */
    STIPPLE_CHANGED_RENDER = 1u << 7  /* render settings only */
};

/* Replaces the design with `json` (NUL-terminated; `base_path` as in create_from_json, NULL =
 * the session's current design path) and marks stale only what the changed fields reach;
 * nothing is recomputed until asked for. `changed` (may be NULL) receives STIPPLE_CHANGED_*
 * flags, `zones_mask` (may be NULL) bit z for each zone z (STIPPLE_ZONE_*) that resamples.
 * Invalidates the session's layer pixel pointers, warnings and manifest. On BAD_INPUT the
 * session keeps its design. A design whose head section differs keeps the current head. */
STIPPLE_API stipple_status stipple_session_apply_json(stipple_session* session, const char* json,
                                                      const char* base_path, uint32_t* changed,
                                                      uint32_t* zones_mask);
/* The session's design as canonical design-file JSON (the library's one writer: every field
 * explicit, defaults included, a fixed order, two-space indent, final newline), so that writing
 * a design, reading it back and writing it again gives the same bytes. Paths (/head/mesh,
 * /density_mask/image) are written relative to the folder `relative_to` (NULL: as stored, i.e.
 * resolved). *json is owned by the session and valid until the next call of this function, an
 * apply or destroy. BAD_ARGUMENT for NULL session or json. Needs no head. */
STIPPLE_API stipple_status stipple_session_design_json(stipple_session* session,
                                                       const char* relative_to, const char** json);

/* The same from a design file. */
STIPPLE_API stipple_status stipple_session_apply_file(stipple_session* session,
                                                      const char* design_path, uint32_t* changed,
                                                      uint32_t* zones_mask);

/* The warnings found so far, one per line ("" when none): the design's, the head's, and those
 * of the stages computed since the last edit (dots, layers); nothing is computed here. *text is
 * owned by the session and valid until the next call of this function, an apply or destroy. */
STIPPLE_API stipple_status stipple_session_warnings(stipple_session* session, const char** text);

/* ---- Dots --------------------------------------------------------------------------------- */

/* The zones (Dot zone ids, zone masks and figure arrays use these numbers). */
#define STIPPLE_ZONE_COUNT 7
/* "front_transition", "front", "mid", "crown", "temples", "sides", "back"; NULL outside
 * 0..STIPPLE_ZONE_COUNT-1. Static. */
STIPPLE_API const char* stipple_zone_name(int zone);

/* The number of dots (samples the dots first when stale). NO_HEAD, BAD_INPUT (a design that
 * cannot be realised on this head: the message names the field). */
STIPPLE_API stipple_status stipple_session_dot_count(stipple_session* session, size_t* count);

/* Copies the dots into caller buffers of `capacity` dots each; any buffer may be NULL (not
 * copied): `positions` 3 floats (in `frame`), `normals` 3 floats (unit, in `frame`'s axes),
 * `diameters_mm` 1 float (visible diameter, mm on the head), `shades` 1 float (dilution
 * 1..10), `zones` 1 byte (0..STIPPLE_ZONE_COUNT-1), `ids` 1 uint64 (stable: the same design
 * gives the same ids). *count (may be NULL) receives the number of dots. When capacity is
 * smaller than that: BAD_ARGUMENT, nothing written, *count = the needed number. */
STIPPLE_API stipple_status stipple_session_copy_dots(stipple_session* session, int frame,
                                                     size_t capacity, float* positions,
                                                     float* normals, float* diameters_mm,
                                                     float* shades, uint8_t* zones, uint64_t* ids,
                                                     size_t* count);

typedef struct stipple_figures {
    size_t dots;
    double area_cm2;     /* treated area */
    double sessions;     /* dots / impressions per session */
    double nn_min_ratio; /* nearest-neighbour spacing / ideal hexagonal spacing */
    double nn_mean_ratio;
    int zone_present[STIPPLE_ZONE_COUNT]; /* 1 when the zone has figures (enabled, non-empty) */
    size_t zone_dots[STIPPLE_ZONE_COUNT];
    double zone_area_cm2[STIPPLE_ZONE_COUNT];
    double zone_density_per_cm2[STIPPLE_ZONE_COUNT];        /* achieved */
    double zone_target_density_per_cm2[STIPPLE_ZONE_COUNT]; /* designed */
} stipple_figures;
/* The figures of the dots (sampling them first when stale). */
STIPPLE_API stipple_status stipple_session_figures(stipple_session* session,
                                                   stipple_figures* figures);

/* ---- Layers ------------------------------------------------------------------------------- */

typedef enum stipple_layer {
    STIPPLE_LAYER_PIGMENT = 0, /* RGBA16: linear ink filter colour + coverage (after) */
    STIPPLE_LAYER_SCAR = 1,    /* RGBA16: linear scar colour + coverage (smaller, smooth) */
    STIPPLE_LAYER_BEFORE = 2   /* RGBA16: linear colour + coverage of the untreated look */
} stipple_layer;
/* "pigment", "scar", "before"; NULL for other values. Static. */
STIPPLE_API const char* stipple_layer_name(int layer);

/* Chart resolution of the layers: a power of two 1024..8192, or 0 for the design's
 * /render/layer_size. BAD_ARGUMENT for other sizes. Invalidates layer pixel pointers. */
STIPPLE_API stipple_status stipple_session_set_layer_size(stipple_session* session, int size);
/* The layer size in effect (the override, else the design's). Needs no head. */
STIPPLE_API stipple_status stipple_session_layer_size(stipple_session* session, int* size);

/* Which treatment session the dots, figures and layers show: 0 (the default) for the whole
 * design, else k for the dots placed in sessions 1..k (a design has 3 sessions, 4 when it holds
 * more than 3 x impressions_per_session dots). BAD_ARGUMENT for k outside 0..4; a k beyond the
 * design's count is reported by the next call that needs the dots. Invalidates dot and layer
 * pointers. */
STIPPLE_API stipple_status stipple_session_set_shown_session(stipple_session* session,
                                                             int treatment_session);
/* The treatment sessions of the design (3 or 4); needs a head (computes the dots). */
STIPPLE_API stipple_status stipple_session_treatment_sessions(stipple_session* session,
                                                              int* count);

/* Live re-colouring (no re-bake): the last baked layers, their zone map, and the per-zone
 * exponents that bring them to the current design. A host's shader applies, per pigment texel
 * of zone z = zone_map - 1 (zone_map 0: no zone, unchanged),
 *     rgb' = pow(rgb, exponents[3 z .. 3 z + 2])   (alpha unchanged)
 * exactly as the engine's own renderer does (layers.h, LayerColour). After an edit that is
 * colour-only (zone shade, ink, hair colour, healed age_days) this returns at once with
 * *colour_only = 1 and the pixels of the earlier bake; after any other edit it bakes first and
 * returns exponents of 1 (*colour_only = 0). `exponents` holds 21 floats (7 zones x RGB).
 * *pigment (RGBA16, as stipple_session_layer_pixels) and *zone_map (one byte per texel, same
 * size and orientation) are owned by the session, valid until the next apply, head, layer size
 * change or destroy. Any output pointer but `exponents` may be NULL. */
STIPPLE_API stipple_status stipple_session_live_layers(stipple_session* session, float* exponents,
                                                       int* colour_only, const uint16_t** pigment,
                                                       const uint8_t** zone_map, int* size);

/* The pixels of `layer`, baked for the current design (baking first when stale: may take a
 * second), RGBA, 16 bits per channel, row 0 at the chart's v = 1 edge, rows packed (stride =
 * width * 4 uint16). *pixels is owned by the session and valid until the next apply, head,
 * layer size change or destroy. `width`/`height` may be NULL. */
STIPPLE_API stipple_status stipple_session_layer_pixels(stipple_session* session, int layer,
                                                        const uint16_t** pixels, int* width,
                                                        int* height);

/* The chart UV of every vertex of the head mesh (2 floats each, [0,1]^2, v up) and, when
 * `inside` is not NULL, one byte per triangle: 1 where the triangle carries layers.
 * `uv_capacity` in vertices, `inside_capacity` in triangles; too small: BAD_ARGUMENT with the
 * needed counts in *vertex_count / *triangle_count (either may be NULL otherwise). */
STIPPLE_API stipple_status stipple_session_chart_uvs(stipple_session* session, float* uvs,
                                                     size_t uv_capacity, size_t* vertex_count,
                                                     uint8_t* inside, size_t inside_capacity,
                                                     size_t* triangle_count);

/* What the files of stipple_session_bake_layers() and stipple_session_render_folder() say about
 * the design (PNG text chunks, bake.json, manifest.json): "private" (the default) identifies the
 * design and the mesh by their SHA-256 only, since a design's name is often the client's and
 * its paths name the clinic's folders; "full" adds the design's name and the design and mesh
 * paths, as `stipple --provenance full` does. BAD_ARGUMENT ("mode") for NULL or another value.
 * Needs no head; applies to later calls. */
STIPPLE_API stipple_status stipple_session_set_provenance(stipple_session* session,
                                                          const char* mode);

/* Bakes the layers and writes pigment.png, scar.png, scar_roughness.png and before.png (16-bit
 * PNG; roughness 8-bit) into `out_dir` (created if missing), each atomically (never a partial
 * file under a final name). Without `overwrite`, an existing output is refused before anything
 * is written (BAD_INPUT naming it); a failure half-way removes what this call created. */
STIPPLE_API stipple_status stipple_session_bake_layers(stipple_session* session,
                                                       const char* out_dir, int overwrite);

/* ---- Rendering ---------------------------------------------------------------------------- */

/* Renders one still of the head with its layers into `rgba` (width * height * 4 bytes, row 0
 * at the top, straight alpha; `capacity` its size in bytes, BAD_ARGUMENT when smaller).
 *   view      "front", "back", "left", "right", "three_quarter_left", "three_quarter_right",
 *             "top", "top_back", "hairline_closeup", "crown_closeup"
 *   width, height  16..3840 x 16..2160
 *   after     1: with the SMP layers; 0: the untreated "before" state
 *   lighting  "studio", "clinic", "daylight", "custom" (the design's /render/lights), or NULL
 *             for the design's /render/lighting
 * Background, MSAA and elevation come from the design's render section. The session keeps its
 * GL context and scene between calls (re-uploaded when the layers or the lighting change); see
 * THREADS above. RUNTIME without an EGL/GL driver or in a build without the renderer. */
STIPPLE_API stipple_status stipple_session_render_view(stipple_session* session, const char* view,
                                                       int width, int height, int after,
                                                       const char* lighting, uint8_t* rgba,
                                                       size_t capacity);

/* What stipple_session_render_folder() writes. */
enum {
    STIPPLE_RENDER_STILLS = 1u << 0,        /* the design's /render/views */
    STIPPLE_RENDER_TURNTABLE = 1u << 1,     /* /render/turntable_frames frames (+ top pass when
                                               /render/top_view) */
    STIPPLE_RENDER_BEFORE_AFTER = 1u << 2,  /* stills also before, side by side and split */
    STIPPLE_RENDER_MP4 = 1u << 3,           /* turntable as MP4 (needs TURNTABLE) */
    STIPPLE_RENDER_GIF = 1u << 4,           /* turntable as GIF (needs TURNTABLE) */
    STIPPLE_RENDER_CONTACT_SHEET = 1u << 5, /* turntable frames on one sheet */
    STIPPLE_RENDER_OVERWRITE = 1u << 6      /* replace existing outputs (else refused) */
};
/* Renders stills and/or a turntable of the session's design into `out_dir` (created if
 * missing) with the design's render settings: every file written atomically, an existing
 * output refused before anything is rendered unless STIPPLE_RENDER_OVERWRITE, a manifest.json
 * beside them (see stipple_session_last_manifest). `what`: STIPPLE_RENDER_* flags, at least
 * STILLS or TURNTABLE. `files_written` (may be NULL) receives the number of files. */
STIPPLE_API stipple_status stipple_session_render_folder(stipple_session* session,
                                                         const char* out_dir, uint32_t what,
                                                         size_t* files_written);
/* A cancel flag for a render running on another thread: created and destroyed by the host,
 * requested from any thread (the one exception to "one session, one thread": the flag is
 * atomic and belongs to no session). */
typedef struct stipple_cancel stipple_cancel;
/* A new, unset flag in *out. BAD_ARGUMENT for NULL out. */
STIPPLE_API stipple_status stipple_cancel_create(stipple_cancel** out);
/* Sets the flag; any thread, any time (NULL is ignored). Always STIPPLE_OK. */
STIPPLE_API stipple_status stipple_cancel_request(stipple_cancel* cancel);
/* Frees the flag (NULL is ignored); not while a render still uses it. Always STIPPLE_OK. */
STIPPLE_API stipple_status stipple_cancel_destroy(stipple_cancel* cancel);
/* stipple_session_render_folder() that stops after the current frame once `cancel` (may be
 * NULL: never) is requested: frames already handed to the writers are finished, no partial
 * file is left under a final name, the manifest records "interrupted": true, and the call
 * returns STIPPLE_RUNTIME with a message starting "interrupted". */
STIPPLE_API stipple_status stipple_session_render_folder_cancellable(stipple_session* session,
                                                                     const char* out_dir,
                                                                     uint32_t what,
                                                                     stipple_cancel* cancel,
                                                                     size_t* files_written);
/* The JSON manifest of the last successful stipple_session_render_folder() ("" before any).
 * Owned by the session; valid until the next render_folder, apply or destroy. */
STIPPLE_API stipple_status stipple_session_last_manifest(stipple_session* session,
                                                         const char** json);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STIPPLE_STIPPLE_H */
