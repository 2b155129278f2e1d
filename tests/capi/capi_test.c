/*
 * The C ABI end to end, compiled as C99 (what a C host sees): bad arguments and errors, the
 * mannequin from its design file, a shared real head handed over as memory arrays, edits, dots,
 * layers, bakes and rendering.
 *
 *   capi_test SECTION SOURCE_DIR SHARED_HEADS OUTPUT_DIR
 *   SECTION: errors | mannequin | arrays | render | no_gl
 *
 * Each section exits 0 when every check passed, 1 otherwise (ctest runs one test per section).
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, stat */
#include "stipple/stipple.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int g_failures = 0;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ++g_failures;                                                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n  last error [%s]: %s\n", stipple_last_error_field(),               \
                    stipple_last_error());                                                         \
        }                                                                                          \
    } while (0)

/* A call that must fail with `status`, a message, and `field` (NULL: any field). */
static void expectFailure(stipple_status got, stipple_status want, const char* field,
                          const char* message_part, const char* what) {
    const char* message = stipple_last_error();
    CHECK(got == want, "%s: status %s, expected %s", what, stipple_status_name(got),
          stipple_status_name(want));
    CHECK(message[0] != '\0', "%s: no error message", what);
    if (field) {
        CHECK(strcmp(stipple_last_error_field(), field) == 0, "%s: field '%s', expected '%s'", what,
              stipple_last_error_field(), field);
    }
    if (message_part) {
        CHECK(strstr(message, message_part) != NULL, "%s: message lacks '%s'", what, message_part);
    }
}

static char g_source[4096], g_heads[4096], g_output[4096];

static void pathJoin(char* out, size_t size, const char* a, const char* b) {
    snprintf(out, size, "%s/%s", a, b);
}

static char* readText(const char* path) {
    FILE* f = fopen(path, "rb");
    long size;
    char* text;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = (char*)malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size) size = 0;
    text[size] = '\0';
    fclose(f);
    return text;
}

/* `text` with the first `from` replaced by `to` (a new string; `text` is freed). */
static char* replaceOnce(char* text, const char* from, const char* to) {
    char* at = strstr(text, from);
    char* out;
    size_t head;
    if (!at) {
        fprintf(stderr, "replaceOnce: '%s' not found\n", from);
        ++g_failures;
        return text;
    }
    head = (size_t)(at - text);
    out = (char*)malloc(strlen(text) - strlen(from) + strlen(to) + 1);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    free(text);
    return out;
}

static stipple_session* mannequinSession(void) {
    char design[4200];
    stipple_session* session = NULL;
    pathJoin(design, sizeof design, g_source, "examples/natural.json");
    CHECK(stipple_session_create_from_file(design, &session) == STIPPLE_OK, "create natural.json");
    return session;
}

/* ---- errors ------------------------------------------------------------------------------ */

static void testErrors(void) {
    int major = -1, minor = -1, patch = -1;
    char version[64];
    stipple_session* session = NULL;
    size_t count = 0;
    int size = 0;
    const float tri_positions[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    const uint32_t tri_indices[] = {0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2};
    float bad_positions[12];
    uint32_t bad_indices[12];
    float bad_uvs[8] = {0, 0, 1, 0, 0, 1, 1, 1};
    uint8_t pixel[4];

    CHECK(stipple_version(&major, &minor, &patch) == STIPPLE_OK, "version");
    snprintf(version, sizeof version, "%d.%d.%d", major, minor, patch);
    CHECK(strcmp(version, stipple_version_string()) == 0, "version %s vs string %s", version,
          stipple_version_string());
    CHECK(stipple_abi_version() == STIPPLE_ABI_VERSION, "ABI %d", stipple_abi_version());
    CHECK(strcmp(stipple_status_name(STIPPLE_NO_HEAD), "NO_HEAD") == 0, "status name");
    CHECK(stipple_zone_name(3) && strcmp(stipple_zone_name(3), "crown") == 0, "zone 3");
    CHECK(stipple_zone_name(7) == NULL, "zone 7");
    CHECK(stipple_landmark_name(5) && strcmp(stipple_landmark_name(5), "occiput") == 0, "lm 5");

    /* Creating sessions: NULL arguments, bad designs. */
    expectFailure(stipple_session_create_from_json(NULL, NULL, &session), STIPPLE_BAD_ARGUMENT,
                  "json", NULL, "create NULL json");
    CHECK(session == NULL, "no session on failure");
    expectFailure(stipple_session_create_from_json("{\"stipple\": 1}", NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "out", NULL, "create NULL out");
    expectFailure(stipple_session_create_from_json("{\"stipple\": 1,", "bad.json", &session),
                  STIPPLE_BAD_INPUT, NULL, "bad.json", "invalid JSON");
    expectFailure(stipple_session_create_from_json(
                      "{\"stipple\": 1, \"head\": {\"mesh\": \"head.glb\"}, \"zones\": [{\"name\": "
                      "\"front\", \"density_per_cm2\": 500}]}",
                      "client.json", &session),
                  STIPPLE_BAD_INPUT, "/zones/0/density_per_cm2", "/zones/0/density_per_cm2",
                  "density out of range");
    CHECK(session == NULL, "no session on a bad design");
    expectFailure(stipple_session_create_from_file("/nonexistent/design.json", &session),
                  STIPPLE_BAD_INPUT, NULL, "/nonexistent/design.json", "missing design file");

    session = mannequinSession();
    if (!session) return;
    CHECK(stipple_last_error()[0] == '\0', "no error after success");
    CHECK(stipple_session_has_head(session) == 0, "no head yet");

    /* Everything that needs a head says so. */
    expectFailure(stipple_session_dot_count(session, &count), STIPPLE_NO_HEAD, NULL,
                  "stipple_session_dot_count", "dots before a head");
    expectFailure(stipple_session_render_view(session, "front", 16, 16, 1, NULL, pixel, 4),
                  STIPPLE_NO_HEAD, NULL, NULL, "render before a head");
    expectFailure(stipple_session_landmarks(session, NULL, NULL, NULL), STIPPLE_NO_HEAD, NULL, NULL,
                  "landmarks before a head");
    expectFailure(stipple_session_bake_layers(session, g_output, 0), STIPPLE_NO_HEAD, NULL, NULL,
                  "bake before a head");
    expectFailure(stipple_session_dot_count(NULL, &count), STIPPLE_BAD_ARGUMENT, "session", NULL,
                  "NULL session");

    /* Arrays: each bad argument is named, with the offending index. */
    expectFailure(
        stipple_session_set_head_arrays(session, NULL, 4, tri_indices, 4, NULL, 0, NULL, NULL),
        STIPPLE_BAD_ARGUMENT, "positions", NULL, "NULL positions");
    expectFailure(
        stipple_session_set_head_arrays(session, tri_positions, 4, NULL, 4, NULL, 0, NULL, NULL),
        STIPPLE_BAD_ARGUMENT, "indices", NULL, "NULL indices");
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 0, tri_indices, 4, NULL,
                                                  0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "vertex_count", NULL, "zero vertices");
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, tri_indices, 0, NULL,
                                                  0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "triangle_count", NULL, "zero triangles");
    memcpy(bad_indices, tri_indices, sizeof bad_indices);
    bad_indices[5] = 4;
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, bad_indices, 4, NULL,
                                                  0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "indices", "indices[5]", "index out of range");
    memcpy(bad_positions, tri_positions, sizeof bad_positions);
    bad_positions[4] = (float)NAN;
    expectFailure(stipple_session_set_head_arrays(session, bad_positions, 4, tri_indices, 4, NULL,
                                                  0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "positions", "positions[4] (vertex 1, y) is NaN",
                  "NaN coordinate");
    bad_positions[4] = (float)INFINITY;
    expectFailure(stipple_session_set_head_arrays(session, bad_positions, 4, tri_indices, 4, NULL,
                                                  0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "positions", "+Inf", "Inf coordinate");
    bad_uvs[7] = (float)NAN;
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, tri_indices, 4,
                                                  bad_uvs, 0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "uvs", "uvs[7]", "NaN uv");
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, tri_indices, 4, NULL,
                                                  0, "+W", NULL),
                  STIPPLE_BAD_ARGUMENT, "up", "+W", "unknown axis");
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, tri_indices, 4, NULL,
                                                  0, "+Z", "-z"),
                  STIPPLE_BAD_ARGUMENT, "forward", NULL, "parallel axes");
    expectFailure(stipple_session_set_head_arrays(session, tri_positions, 4, tri_indices, 4, NULL,
                                                  -1.0, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "mm_per_unit", NULL, "negative units");
    CHECK(stipple_session_has_head(session) == 0, "failed calls leave no head");

    /* Layer size. */
    expectFailure(stipple_session_set_layer_size(session, 3000), STIPPLE_BAD_ARGUMENT, "size",
                  "3000", "layer size not a power of two");
    CHECK(stipple_session_layer_size(session, &size) == STIPPLE_OK && size == 4096,
          "design layer size %d", size);

    /* A broken invariant returns INTERNAL with its message; the process goes on. */
    expectFailure(stipple_debug_trigger_assert(), STIPPLE_INTERNAL, NULL,
                  "stipple_debug_trigger_assert()", "throwing assertion");
    CHECK(stipple_session_layer_size(session, &size) == STIPPLE_OK, "alive after an assertion");

    CHECK(stipple_session_destroy(session) == STIPPLE_OK, "destroy");
    CHECK(stipple_session_destroy(NULL) == STIPPLE_OK, "destroy NULL");
}

/* ---- mannequin --------------------------------------------------------------------------- */

static int compareU64(const void* a, const void* b) {
    const uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

static void checkLandmarkFrames(stipple_session* session) {
    double head_mm[18], host[18], m[16];
    int estimated[6], i, k;
    CHECK(stipple_session_landmarks(session, head_mm, host, estimated) == STIPPLE_OK, "lm");
    CHECK(stipple_session_file_to_head(session, m) == STIPPLE_OK, "file_to_head");
    for (i = 0; i < STIPPLE_LANDMARK_COUNT; ++i) {
        for (k = 0; k < 3; ++k) {
            /* column-major: head = M * (host, 1) */
            const double mapped = m[0 * 4 + k] * host[3 * i] + m[1 * 4 + k] * host[3 * i + 1] +
                                  m[2 * 4 + k] * host[3 * i + 2] + m[3 * 4 + k];
            /* 1e-6 mm: both come from the same double matrix and its inverse */
            CHECK(fabs(mapped - head_mm[3 * i + k]) < 1e-6, "landmark %d axis %d: %g vs %g", i, k,
                  mapped, head_mm[3 * i + k]);
        }
        CHECK(estimated[i] == 1, "landmark %d estimated", i);
    }
    /* Head frame: ears at +-x (left is +X), vertex above the ear line, nose in front. */
    CHECK(head_mm[3 * 3] > 50 && head_mm[3 * 4] < -50, "ears at x %g / %g", head_mm[9],
          head_mm[12]);
    CHECK(head_mm[1] > 80, "vertex height %g mm", head_mm[1]);
    CHECK(head_mm[3 * 2 + 2] > 60, "nose tip z %g mm", head_mm[8]);
}

/* Issue 13: bake outputs identify the design by its SHA-256 only unless the host asks for full
   provenance (name and paths), as `stipple --provenance full` does. `bake_dir` holds a bake
   made with the default. The mannequin session's design is examples/natural.json. */
static void checkBakeProvenance(stipple_session* session, const char* bake_dir) {
    char file[4400], full_dir[4210];
    char* report;
    pathJoin(file, sizeof file, bake_dir, "bake.json");
    report = readText(file);
    CHECK(report != NULL, "read %s", file);
    if (report) {
        CHECK(strstr(report, "\"design_sha256\"") != NULL, "bake.json has the design's SHA-256");
        CHECK(strstr(report, "Natural restore") == NULL, "private bake.json names the design");
        CHECK(strstr(report, "natural.json") == NULL, "private bake.json has the design's path");
        free(report);
    }
    expectFailure(stipple_session_set_provenance(session, "public"), STIPPLE_BAD_ARGUMENT, "mode",
                  "private", "unknown provenance mode");
    expectFailure(stipple_session_set_provenance(session, NULL), STIPPLE_BAD_ARGUMENT, "mode", NULL,
                  "NULL provenance mode");
    expectFailure(stipple_session_set_provenance(NULL, "full"), STIPPLE_BAD_ARGUMENT, "session",
                  NULL, "NULL session");
    CHECK(stipple_session_set_provenance(session, "full") == STIPPLE_OK, "full provenance");
    snprintf(full_dir, sizeof full_dir, "%s_full", bake_dir);
    CHECK(stipple_session_bake_layers(session, full_dir, 1) == STIPPLE_OK, "bake (full)");
    pathJoin(file, sizeof file, full_dir, "bake.json");
    report = readText(file);
    CHECK(report != NULL, "read %s", file);
    if (report) {
        CHECK(strstr(report, "\"name\": \"Natural restore (demo)\"") != NULL,
              "full bake.json names the design");
        CHECK(strstr(report, "examples/natural.json") != NULL, "full bake.json has the path");
        free(report);
    }
    CHECK(stipple_session_set_provenance(session, "private") == STIPPLE_OK, "back to private");
}

static void testMannequin(void) {
    stipple_session* session = mannequinSession();
    stipple_head_info info;
    stipple_figures figures;
    size_t count = 0, needed = 0, i, zone_sum = 0, vertices = 0, triangles = 0;
    float *positions, *normals, *diameters, *shades, *uvs;
    uint8_t *zones, *inside;
    uint32_t* indices;
    size_t inside_triangles = 0;
    uint64_t* ids;
    uint32_t changed = 0, mask = 0;
    const uint16_t* pixels = NULL;
    int width = 0, height = 0, z;
    size_t covered = 0;
    char design_path[4200], bake_dir[4200];
    char *json, *edited;
    const char* warnings = NULL;
    if (!session) return;

    CHECK(stipple_session_load_head(session, NULL) == STIPPLE_OK, "load the design's head");
    CHECK(stipple_session_has_head(session) == 1, "has head");
    CHECK(stipple_session_head_info(session, &info) == STIPPLE_OK, "head info");
    CHECK(info.mm_per_unit == 1.0 && info.units_inferred == 0, "units mm (design)");
    CHECK(strcmp(info.up, "+Y") == 0 && strcmp(info.forward, "+Z") == 0, "axes %s %s", info.up,
          info.forward);
    /* adult head length glabella-occiput 175-205 mm; the mannequin is a stylised adult */
    CHECK(info.length_mm > 160 && info.length_mm < 220, "head length %g", info.length_mm);
    checkLandmarkFrames(session);

    CHECK(stipple_session_dot_count(session, &count) == STIPPLE_OK, "dot count");
    /* natural.json on the mannequin: about 40k dots (docs/benchmarks.md) */
    CHECK(count > 20000 && count < 80000, "dots %zu", count);

    /* Caller buffers: too small is refused with the needed count, nothing written. */
    expectFailure(stipple_session_copy_dots(session, STIPPLE_FRAME_HEAD, 10, NULL, NULL, NULL, NULL,
                                            NULL, NULL, &needed),
                  STIPPLE_BAD_ARGUMENT, "capacity", NULL, "capacity too small");
    CHECK(needed == count, "needed %zu vs %zu", needed, count);
    positions = (float*)malloc(count * 3 * sizeof(float));
    normals = (float*)malloc(count * 3 * sizeof(float));
    diameters = (float*)malloc(count * sizeof(float));
    shades = (float*)malloc(count * sizeof(float));
    zones = (uint8_t*)malloc(count);
    ids = (uint64_t*)malloc(count * sizeof(uint64_t));
    CHECK(stipple_session_copy_dots(session, STIPPLE_FRAME_HEAD, count, positions, normals,
                                    diameters, shades, zones, ids, &needed) == STIPPLE_OK,
          "copy dots");
    for (i = 0; i < count; ++i) {
        const double n = sqrt((double)normals[3 * i] * normals[3 * i] +
                              (double)normals[3 * i + 1] * normals[3 * i + 1] +
                              (double)normals[3 * i + 2] * normals[3 * i + 2]);
        /* unit normals in float: 1e-4 covers float rounding of a normalised vector */
        /* diameters: the sampler keeps a dot within 0.4..2x its zone's mean, and the
         * front_transition band shrinks the mean to 0.7x at the line (1RL: 0.125 -> 0.0875 mm),
         * so healed dots go down to ~0.035 mm */
        if (fabs(n - 1) > 1e-4 || zones[i] >= STIPPLE_ZONE_COUNT || !(diameters[i] > 0.02f) ||
            !(diameters[i] < 2.0f) || shades[i] < 1 || shades[i] > 10 ||
            !(positions[3 * i + 1] > -100)) {
            CHECK(0, "dot %zu: |n| %g zone %d diameter %g shade %g", i, n, zones[i], diameters[i],
                  shades[i]);
            break;
        }
    }
    qsort(ids, count, sizeof(uint64_t), compareU64);
    for (i = 1; i < count; ++i)
        if (ids[i] == ids[i - 1]) {
            CHECK(0, "duplicate dot id %llu", (unsigned long long)ids[i]);
            break;
        }

    /* Figures: the zones add up, and each zone's density is near its target. */
    CHECK(stipple_session_figures(session, &figures) == STIPPLE_OK, "figures");
    CHECK(figures.dots == count, "figures dots");
    for (z = 0; z < STIPPLE_ZONE_COUNT; ++z) {
        if (!figures.zone_present[z]) continue;
        zone_sum += figures.zone_dots[z];
        /* blue-noise sampling reaches its target within ~10% (edges of small zones lose
           dots); 20% leaves room for the smallest zones */
        if (figures.zone_area_cm2[z] > 5)
            CHECK(fabs(figures.zone_density_per_cm2[z] / figures.zone_target_density_per_cm2[z] -
                       1) < 0.2,
                  "zone %s density %g vs target %g", stipple_zone_name(z),
                  figures.zone_density_per_cm2[z], figures.zone_target_density_per_cm2[z]);
    }
    CHECK(zone_sum == count, "zone dots %zu vs %zu", zone_sum, count);
    CHECK(figures.sessions > 0 && figures.area_cm2 > 100, "sessions %g area %g", figures.sessions,
          figures.area_cm2);

    /* Chart UVs: one per vertex of the head mesh; the vertices of triangles that carry layers
       lie in [0,1]^2 (the others are projected too, and may fall outside). */
    CHECK(stipple_session_copy_head_mesh(session, STIPPLE_FRAME_HEAD, NULL, NULL, 0, &vertices,
                                         NULL, 0, &triangles) == STIPPLE_OK,
          "head mesh counts");
    CHECK(vertices == info.vertex_count && triangles == info.triangle_count, "counts");
    expectFailure(stipple_session_chart_uvs(session, positions, 1, &needed, NULL, 0, NULL),
                  STIPPLE_BAD_ARGUMENT, "uv_capacity", NULL, "uv capacity");
    uvs = (float*)malloc(vertices * 2 * sizeof(float));
    inside = (uint8_t*)malloc(triangles);
    indices = (uint32_t*)malloc(triangles * 3 * sizeof(uint32_t));
    CHECK(stipple_session_chart_uvs(session, uvs, vertices, &needed, inside, triangles, NULL) ==
              STIPPLE_OK,
          "chart uvs");
    CHECK(stipple_session_copy_head_mesh(session, STIPPLE_FRAME_HEAD, NULL, NULL, 0, NULL, indices,
                                         triangles, NULL) == STIPPLE_OK,
          "head mesh indices");
    for (i = 0; i < 3 * triangles; ++i) {
        const float* uv = uvs + 2 * indices[i];
        inside_triangles += inside[i / 3] && i % 3 == 0;
        if (inside[i / 3] && !(uv[0] >= 0 && uv[0] <= 1 && uv[1] >= 0 && uv[1] <= 1)) {
            CHECK(0, "corner %zu of an inside triangle at uv (%g, %g)", i, uv[0], uv[1]);
            break;
        }
    }
    CHECK(inside_triangles > triangles / 10, "inside triangles %zu of %zu", inside_triangles,
          triangles);

    /* Layers at 1024^2 (fast): RGBA16, some pigment coverage. */
    CHECK(stipple_session_set_layer_size(session, 1024) == STIPPLE_OK, "layer size");
    CHECK(stipple_session_layer_pixels(session, STIPPLE_LAYER_PIGMENT, &pixels, &width, &height) ==
              STIPPLE_OK,
          "pigment");
    CHECK(width == 1024 && height == 1024 && pixels, "pigment %dx%d", width, height);
    for (i = 0; pixels && i < (size_t)width * (size_t)height; ++i)
        covered += pixels[4 * i + 3] > 0;
    /* at 1024^2 a texel is ~0.3 mm, about a dot's size, so most texels of the treated region
       get some soft-edged coverage: measured 51%; none (a blank layer) or all (a flood) would
       be a failure */
    CHECK(covered > (size_t)width * (size_t)height / 10 &&
              covered < (size_t)width * (size_t)height * 9 / 10,
          "covered texels %zu", covered);
    expectFailure(stipple_session_layer_pixels(session, (stipple_layer)7, &pixels, NULL, NULL),
                  STIPPLE_BAD_ARGUMENT, "layer", NULL, "unknown layer");

    /* Bake to files: atomic, refuses to overwrite unless asked. */
    pathJoin(bake_dir, sizeof bake_dir, g_output, "capi_bake");
    CHECK(stipple_session_bake_layers(session, bake_dir, 1) == STIPPLE_OK, "bake");
    expectFailure(stipple_session_bake_layers(session, bake_dir, 0), STIPPLE_BAD_INPUT, "overwrite",
                  "pigment.png", "bake without overwrite");
    {
        char file[4300];
        struct stat st;
        pathJoin(file, sizeof file, bake_dir, "pigment.png");
        CHECK(stat(file, &st) == 0 && st.st_size > 1000, "pigment.png written");
    }
    checkBakeProvenance(session, bake_dir);

    /* Edits: what changed. */
    pathJoin(design_path, sizeof design_path, g_source, "examples/natural.json");
    json = readText(design_path);
    CHECK(json != NULL, "read %s", design_path);
    if (json) {
        edited = replaceOnce(json, "\"density_per_cm2\": 75", "\"density_per_cm2\": 60");
        CHECK(stipple_session_apply_json(session, edited, design_path, &changed, &mask) ==
                  STIPPLE_OK,
              "apply density edit");
        CHECK(changed & STIPPLE_CHANGED_ZONES, "zones flag 0x%x", changed);
        CHECK(changed & STIPPLE_CHANGED_DOTS, "dots flag 0x%x", changed);
        CHECK(mask == (1u << 2), "only zone mid resamples: mask 0x%x", mask);
        CHECK(!(changed & (STIPPLE_CHANGED_REGION | STIPPLE_CHANGED_HEAD)), "flags 0x%x", changed);
        CHECK(stipple_session_dot_count(session, &needed) == STIPPLE_OK && needed < count,
              "fewer dots after lowering mid's density: %zu vs %zu", needed, count);

        edited = replaceOnce(edited, "\"width\": 1920", "\"width\": 1280");
        CHECK(stipple_session_apply_json(session, edited, NULL, &changed, &mask) == STIPPLE_OK,
              "apply render edit");
        CHECK(changed == STIPPLE_CHANGED_RENDER && mask == 0, "render only: 0x%x 0x%x", changed,
              mask);

        /* A shade edit is colour-only: the last bake with per-zone exponents, no re-bake. */
        {
            float exponents[21];
            int colour_only = -1, size = 0;
            const uint16_t* pigment = NULL;
            const uint8_t* zone_map = NULL;
            CHECK(stipple_session_live_layers(session, exponents, &colour_only, &pigment, &zone_map,
                                              &size) == STIPPLE_OK,
                  "live layers (bake)");
            /* The front zone's entry (front_transition also has shade 5.5 in the demo). */
            edited = replaceOnce(edited, "\"diameter_mm\": 0.14, \"shade\": 5.5",
                                 "\"diameter_mm\": 0.14, \"shade\": 7.5");
            CHECK(stipple_session_apply_json(session, edited, NULL, &changed, &mask) == STIPPLE_OK,
                  "apply shade edit");
            CHECK((changed & STIPPLE_CHANGED_COLOUR) && mask == 0, "colour only: 0x%x 0x%x",
                  changed, mask);
            CHECK(stipple_session_live_layers(session, exponents, &colour_only, &pigment, &zone_map,
                                              &size) == STIPPLE_OK,
                  "live layers (re-colour)");
            CHECK(colour_only == 1 && pigment != NULL && zone_map != NULL && size > 0,
                  "re-coloured live: colour_only %d size %d", colour_only, size);
            /* front (zone 1) 5.5 -> 7.5 darkens: its optical density grows, exponents > 1;
             * mid (zone 2) keeps its shade: exponents 1. */
            CHECK(exponents[3] > 1.05f && exponents[4] > 1.05f && exponents[5] > 1.05f,
                  "front exponents %g %g %g", exponents[3], exponents[4], exponents[5]);
            CHECK(exponents[6] == 1.0f && exponents[7] == 1.0f && exponents[8] == 1.0f,
                  "mid exponents %g %g %g", exponents[6], exponents[7], exponents[8]);
            {
                size_t t, n = (size_t)size * (size_t)size, zoned = 0;
                int bad = 0;
                for (t = 0; t < n; ++t) {
                    if (zone_map[t] > 7) bad = 1;
                    if (zone_map[t] == 2) ++zoned; /* 1 + front */
                }
                CHECK(!bad && zoned > 1000, "zone map: values 0..7, %zu front texels", zoned);
            }
            expectFailure(stipple_session_live_layers(session, NULL, NULL, NULL, NULL, NULL),
                          STIPPLE_BAD_ARGUMENT, "exponents", NULL, "live layers without exponents");
        }

        edited = replaceOnce(edited, "\"shade\": 7.5", "\"shade\": 12");
        expectFailure(stipple_session_apply_json(session, edited, NULL, &changed, &mask),
                      STIPPLE_BAD_INPUT, "/zones/1/shade", "/zones/1/shade", "bad shade");
        free(edited);
    }
    CHECK(stipple_session_warnings(session, &warnings) == STIPPLE_OK && warnings != NULL,
          "warnings");

    free(positions);
    free(normals);
    free(diameters);
    free(shades);
    free(zones);
    free(ids);
    free(uvs);
    free(inside);
    free(indices);
    stipple_session_destroy(session);
}

/* ---- arrays: a shared head handed over from memory --------------------------------------- */

typedef struct ObjMesh {
    float* positions;
    size_t vertex_count;
    uint32_t* indices;
    size_t triangle_count;
} ObjMesh;

/* The v and f lines of an OBJ (polygons fanned into triangles; "f a/b/c" keeps a). */
static int readObj(const char* path, ObjMesh* mesh) {
    FILE* f = fopen(path, "r");
    char line[1024];
    size_t vcap = 1024, tcap = 1024;
    if (!f) return 0;
    memset(mesh, 0, sizeof *mesh);
    mesh->positions = (float*)malloc(vcap * 3 * sizeof(float));
    mesh->indices = (uint32_t*)malloc(tcap * 3 * sizeof(uint32_t));
    while (fgets(line, sizeof line, f)) {
        if (line[0] == 'v' && line[1] == ' ') {
            if (mesh->vertex_count == vcap)
                mesh->positions = (float*)realloc(mesh->positions, (vcap *= 2) * 3 * sizeof(float));
            sscanf(line + 2, "%f %f %f", &mesh->positions[3 * mesh->vertex_count],
                   &mesh->positions[3 * mesh->vertex_count + 1],
                   &mesh->positions[3 * mesh->vertex_count + 2]);
            ++mesh->vertex_count;
        } else if (line[0] == 'f' && line[1] == ' ') {
            uint32_t corner[16];
            int n = 0, k;
            char* p = line + 2;
            while (*p && n < 16) {
                char* end;
                long v = strtol(p, &end, 10);
                if (end == p) break;
                corner[n++] = (uint32_t)(v - 1);
                p = end;
                while (*p && *p != ' ')
                    ++p;
                while (*p == ' ')
                    ++p;
                if (*p == '\n' || *p == '\r') break;
            }
            for (k = 1; k + 1 < n; ++k) {
                if (mesh->triangle_count == tcap)
                    mesh->indices =
                        (uint32_t*)realloc(mesh->indices, (tcap *= 2) * 3 * sizeof(uint32_t));
                mesh->indices[3 * mesh->triangle_count] = corner[0];
                mesh->indices[3 * mesh->triangle_count + 1] = corner[k];
                mesh->indices[3 * mesh->triangle_count + 2] = corner[k + 1];
                ++mesh->triangle_count;
            }
        }
    }
    fclose(f);
    return mesh->vertex_count > 0 && mesh->triangle_count > 0;
}

/* Dots copied in the host frame map onto those in the head frame through file_to_head:
   positions by the affine map, normals by its linear part (a rotation times a scale). */
static void checkHostFrameDots(stipple_session* session) {
    size_t count = 0, i;
    int r, c;
    double m[16];
    float *head_p, *head_n, *host_p, *host_n;
    CHECK(stipple_session_dot_count(session, &count) == STIPPLE_OK && count > 0, "dots");
    CHECK(stipple_session_file_to_head(session, m) == STIPPLE_OK, "file_to_head");
    head_p = (float*)malloc(count * 3 * sizeof(float));
    head_n = (float*)malloc(count * 3 * sizeof(float));
    host_p = (float*)malloc(count * 3 * sizeof(float));
    host_n = (float*)malloc(count * 3 * sizeof(float));
    CHECK(stipple_session_copy_dots(session, STIPPLE_FRAME_HEAD, count, head_p, head_n, NULL, NULL,
                                    NULL, NULL, NULL) == STIPPLE_OK,
          "head frame dots");
    CHECK(stipple_session_copy_dots(session, STIPPLE_FRAME_HOST, count, host_p, host_n, NULL, NULL,
                                    NULL, NULL, NULL) == STIPPLE_OK,
          "host frame dots");
    expectFailure(
        stipple_session_copy_dots(session, 2, count, host_p, NULL, NULL, NULL, NULL, NULL, NULL),
        STIPPLE_BAD_ARGUMENT, "frame", NULL, "unknown frame");
    for (i = 0; i < count; ++i) {
        double p[3], n[3], len = 0;
        for (r = 0; r < 3; ++r) {
            p[r] = m[12 + r];
            n[r] = 0;
            for (c = 0; c < 3; ++c) {
                p[r] += m[4 * c + r] * host_p[3 * i + (size_t)c];
                n[r] += m[4 * c + r] * host_n[3 * i + (size_t)c];
            }
            len += n[r] * n[r];
        }
        len = sqrt(len);
        for (r = 0; r < 3; ++r) {
            /* float storage of metres: 1e-7 relative of ~0.1 m, times 1000 mm/m: < 0.01 mm */
            if (fabs(p[r] - head_p[3 * i + (size_t)r]) > 0.01 ||
                fabs(n[r] / len - head_n[3 * i + (size_t)r]) > 1e-4) {
                CHECK(0, "dot %zu axis %d: position %g vs %g, normal %g vs %g", i, r, p[r],
                      head_p[3 * i + (size_t)r], n[r] / len, head_n[3 * i + (size_t)r]);
                i = count;
                break;
            }
        }
    }
    free(head_p);
    free(head_n);
    free(host_p);
    free(host_n);
}

/* Vertex i of the head is vertex i of the host's arrays: the head mesh copied back in the host
   frame gives the host's positions again. */
static void checkHostMeshRoundTrip(stipple_session* session, const float* host, size_t n) {
    float* back = (float*)malloc(n * 3 * sizeof(float));
    size_t vertices = 0, i;
    double worst = 0;
    CHECK(stipple_session_copy_head_mesh(session, STIPPLE_FRAME_HOST, back, NULL, n, &vertices,
                                         NULL, 0, NULL) == STIPPLE_OK &&
              vertices == n,
          "head mesh in the host frame: %zu vertices", vertices);
    for (i = 0; i < 3 * n; ++i)
        worst = fmax(worst, fabs((double)back[i] - host[i]));
    /* metres through mm and back in float: a few ulp of ~0.2 m, < 1e-6 m */
    CHECK(worst < 1e-6, "worst host position round trip %g m", worst);
    free(back);
}

static void testArrays(void) {
    char obj_path[4200];
    ObjMesh obj;
    stipple_session* session = mannequinSession();
    stipple_head_info info;
    double head_a[18], host_a[18], head_b[18], host_b[18];
    size_t count = 0, vertices = 0, i;
    float* blender;
    int k;
    stipple_status status_;
    if (!session) return;
    pathJoin(obj_path, sizeof obj_path, g_heads,
             "ict_facekit_neutral/generic_neutral_mesh_skin_only.obj");
    if (!readObj(obj_path, &obj)) {
        CHECK(0, "cannot read %s", obj_path);
        return;
    }
    /* README: 11,248 vertices, 22,288 triangles */
    CHECK(obj.vertex_count == 11248 && obj.triangle_count == 22288, "OBJ %zu v %zu t",
          obj.vertex_count, obj.triangle_count);

    /* As the file gives it: centimetres (inferred), +Y up, +Z forward. */
    CHECK(stipple_session_set_head_arrays(session, obj.positions, obj.vertex_count, obj.indices,
                                          obj.triangle_count, NULL, 0, "+Y", "+Z") == STIPPLE_OK,
          "ICT head from arrays");
    CHECK(stipple_session_head_info(session, &info) == STIPPLE_OK, "info");
    /* the README measures breadth 15.8 / length 19.2 units: centimetres; inference picks a
       round unit, so 10 mm exactly */
    CHECK(info.units_inferred == 1 && fabs(info.mm_per_unit - 10) < 1e-9, "units %g",
          info.mm_per_unit);
    CHECK(info.vertex_count == obj.vertex_count, "vertices kept one to one: %zu",
          info.vertex_count);
    CHECK(stipple_session_landmarks(session, head_a, host_a, NULL) == STIPPLE_OK, "landmarks");
    /* README: nose tip at (0, 0.09, 13.09) cm; the estimate is the most forward point of the
       profile, so within 0.5 cm */
    CHECK(fabs(host_a[6]) < 0.5 && fabs(host_a[7] - 0.09) < 0.5 && fabs(host_a[8] - 13.09) < 0.5,
          "nose tip (%g, %g, %g) cm", host_a[6], host_a[7], host_a[8]);
    /* Issue 13: a flipped axis pair, or an inconsistent landmark set, was an assertion abort in
       the chart; now BAD_INPUT naming the field, and the previous head stays. */
    expectFailure(stipple_session_set_head_arrays(session, obj.positions, obj.vertex_count,
                                                  obj.indices, obj.triangle_count, NULL, 0, "-Y",
                                                  "-Z"),
                  STIPPLE_BAD_INPUT, "/head/up", "check head.up/head.forward", "flipped axes");
    {
        double moved[18];
        int given[6] = {0, 0, 0, 0, 1, 0};
        memcpy(moved, host_a, sizeof moved);
        /* the right ear given where the left one is (another frame's coordinates) */
        moved[12] = host_a[9], moved[13] = host_a[10], moved[14] = host_a[11];
        status_ = stipple_session_set_head_arrays_with_landmarks(
            session, obj.positions, obj.vertex_count, obj.indices, obj.triangle_count, NULL, 0,
            "+Y", "+Z", moved, given);
        expectFailure(status_, STIPPLE_BAD_INPUT, NULL, "ear", "right ear on the left");
        CHECK(strstr(stipple_last_error_field(), "/head/landmarks/ear_") != NULL,
              "field '%s' names an ear landmark", stipple_last_error_field());
    }
    CHECK(stipple_session_head_info(session, &info) == STIPPLE_OK &&
              info.vertex_count == obj.vertex_count && fabs(info.mm_per_unit - 10) < 1e-9,
          "the ICT head stays after the refused ones");
    CHECK(stipple_session_dot_count(session, &count) == STIPPLE_OK && count > 5000,
          "dots on the ICT head: %zu", count);
    CHECK(stipple_session_chart_uvs(session, NULL, 0, &vertices, NULL, 0, NULL) == STIPPLE_OK &&
              vertices == obj.vertex_count,
          "chart uv count %zu", vertices);

    /* The same head as Blender holds it: metres, +Z up, -Y forward (x, -z, y). */
    blender = (float*)malloc(obj.vertex_count * 3 * sizeof(float));
    for (i = 0; i < obj.vertex_count; ++i) {
        blender[3 * i] = obj.positions[3 * i] / 100.0f;
        blender[3 * i + 1] = -obj.positions[3 * i + 2] / 100.0f;
        blender[3 * i + 2] = obj.positions[3 * i + 1] / 100.0f;
    }
    CHECK(stipple_session_set_head_arrays(session, blender, obj.vertex_count, obj.indices,
                                          obj.triangle_count, NULL, 1000, "+Z", "-Y") == STIPPLE_OK,
          "ICT head in Blender's frame");
    CHECK(stipple_session_landmarks(session, head_b, host_b, NULL) == STIPPLE_OK, "landmarks b");
    for (i = 0; i < STIPPLE_LANDMARK_COUNT; ++i) {
        const double expected_host[3] = {host_a[3 * i] / 100, -host_a[3 * i + 2] / 100,
                                         host_a[3 * i + 1] / 100};
        for (k = 0; k < 3; ++k) {
            /* the same surface in another frame: landmarks agree up to float rounding of the
               converted coordinates (1e-7 m relative) and ties in the search: 0.5 mm */
            CHECK(fabs(head_b[3 * i + k] - head_a[3 * i + k]) < 0.5, "%s head %d: %g vs %g",
                  stipple_landmark_name((int)i), k, head_b[3 * i + k], head_a[3 * i + k]);
            CHECK(fabs(host_b[3 * i + k] - expected_host[k]) < 0.0005, "%s host %d: %g vs %g",
                  stipple_landmark_name((int)i), k, host_b[3 * i + k], expected_host[k]);
        }
    }
    checkHostFrameDots(session);
    checkHostMeshRoundTrip(session, blender, obj.vertex_count);
    free(blender);
    free(obj.positions);
    free(obj.indices);
    stipple_session_destroy(session);
}

/* ---- render ------------------------------------------------------------------------------ */

static void testRender(void) {
    const int w = 320, h = 180;
    uint8_t* after = (uint8_t*)malloc((size_t)w * h * 4);
    uint8_t* before = (uint8_t*)malloc((size_t)w * h * 4);
    char design_path[4200], out_dir[4200], file[4300];
    char* json;
    stipple_session* session = NULL;
    size_t files = 0, i, differing = 0;
    long darkening = 0;
    const char* manifest = NULL;
    struct stat st;
    stipple_status status;

    pathJoin(design_path, sizeof design_path, g_source, "examples/natural.json");
    json = readText(design_path);
    CHECK(json != NULL, "read design");
    if (!json) return;
    /* small and one view, so llvmpipe renders the folder in a few seconds */
    json = replaceOnce(json, "\"width\": 1920", "\"width\": 320");
    json = replaceOnce(json, "\"height\": 1080", "\"height\": 180");
    json =
        replaceOnce(json, "[\"front\", \"three_quarter_left\", \"left\", \"top\"]", "[\"front\"]");
    /* a turntable of the design's frame count: 3 frames, no top pass */
    json = replaceOnce(json, "\"turntable_frames\": 36", "\"turntable_frames\": 3");
    json = replaceOnce(json, "\"top_view\": true", "\"top_view\": false");
    CHECK(stipple_session_create_from_json(json, design_path, &session) == STIPPLE_OK, "create");
    free(json);
    if (!session) return;
    expectFailure(
        stipple_session_render_view(session, "front", w, h, 1, NULL, after, (size_t)w * h * 4),
        STIPPLE_NO_HEAD, NULL, NULL, "render before a head");
    CHECK(stipple_session_load_head(session, NULL) == STIPPLE_OK, "head");
    CHECK(stipple_session_set_layer_size(session, 1024) == STIPPLE_OK, "layer size");
    pathJoin(out_dir, sizeof out_dir, g_output, "capi_render");

    status = stipple_session_render_view(session, "front", w, h, 1, NULL, after, (size_t)w * h * 4);
    if (!stipple_has_renderer()) {
        expectFailure(status, STIPPLE_RUNTIME, NULL, "without the renderer", "no renderer");
        expectFailure(
            stipple_session_render_folder(session, out_dir, STIPPLE_RENDER_STILLS, &files),
            STIPPLE_RUNTIME, NULL, "without the renderer", "no renderer (folder)");
        stipple_session_destroy(session);
        free(after);
        free(before);
        return;
    }
    CHECK(status == STIPPLE_OK, "render front");
    CHECK(stipple_session_render_view(session, "front", w, h, 0, NULL, before, (size_t)w * h * 4) ==
              STIPPLE_OK,
          "render before");
    /* the corner is background: the design's #eeeef0, opaque (8-bit rounding: +-2) */
    CHECK(abs(after[0] - 0xee) <= 2 && abs(after[1] - 0xee) <= 2 && abs(after[2] - 0xf0) <= 2 &&
              after[3] == 255,
          "background %d %d %d %d", after[0], after[1], after[2], after[3]);
    for (i = 0; i < (size_t)w * h; ++i) {
        const int d = after[4 * i] - before[4 * i];
        differing += abs(d) > 8;
        darkening += -d;
    }
    /* the scalp above the hairline is a small part of a 320x180 front view: measured 0.85% of
       the pixels differ by more than 8 levels; 0.2% still proves the layers are drawn */
    CHECK(differing > (size_t)w * h / 500, "after/before differ in %zu pixels", differing);
    CHECK(darkening > 0, "ink darkens the scalp: summed red difference %ld", darkening);

    expectFailure(
        stipple_session_render_view(session, "sideways", w, h, 1, NULL, after, (size_t)w * h * 4),
        STIPPLE_BAD_ARGUMENT, "view", "three_quarter_left", "unknown view");
    expectFailure(stipple_session_render_view(session, "front", w, h, 1, NULL, after, 100),
                  STIPPLE_BAD_ARGUMENT, "capacity", NULL, "small buffer");
    expectFailure(
        stipple_session_render_view(session, "front", w, h, 1, "candle", after, (size_t)w * h * 4),
        STIPPLE_BAD_ARGUMENT, "lighting", "clinic", "unknown lighting");
    expectFailure(
        stipple_session_render_view(session, "front", 8, h, 1, NULL, after, (size_t)w * h * 4),
        STIPPLE_BAD_ARGUMENT, "width", NULL, "too narrow");
    CHECK(stipple_session_render_view(session, "top", w, h, 1, "clinic", after,
                                      (size_t)w * h * 4) == STIPPLE_OK,
          "clinic top");

    /* A folder: atomic, no overwrite unless asked, a manifest. */
    CHECK(stipple_session_render_folder(session, out_dir,
                                        STIPPLE_RENDER_STILLS | STIPPLE_RENDER_OVERWRITE,
                                        &files) == STIPPLE_OK,
          "render folder");
    CHECK(files >= 1, "files %zu", files);
    pathJoin(file, sizeof file, out_dir, "front.png");
    CHECK(stat(file, &st) == 0 && st.st_size > 1000, "front.png written");
    CHECK(stipple_session_last_manifest(session, &manifest) == STIPPLE_OK &&
              strstr(manifest, "front.png") != NULL,
          "manifest lists front.png");
    expectFailure(stipple_session_render_folder(session, out_dir, STIPPLE_RENDER_STILLS, &files),
                  STIPPLE_BAD_INPUT, NULL, "front.png", "no overwrite");
    /* Provenance: the design's SHA-256 only by default; its name and path on request. */
    CHECK(stipple_session_last_manifest(session, &manifest) == STIPPLE_OK, "manifest");
    CHECK(strstr(manifest, "design_sha256") != NULL, "manifest has the design's SHA-256");
    CHECK(strstr(manifest, "Natural restore") == NULL, "private manifest names the design");
    CHECK(strstr(manifest, "natural.json") == NULL, "private manifest has the design's path");
    CHECK(stipple_session_set_provenance(session, "full") == STIPPLE_OK, "full provenance");
    CHECK(stipple_session_render_folder(session, out_dir,
                                        STIPPLE_RENDER_STILLS | STIPPLE_RENDER_OVERWRITE,
                                        &files) == STIPPLE_OK,
          "render folder (full provenance)");
    CHECK(stipple_session_last_manifest(session, &manifest) == STIPPLE_OK &&
              strstr(manifest, "Natural restore (demo)") != NULL,
          "full manifest names the design");
    CHECK(stipple_session_set_provenance(session, "private") == STIPPLE_OK, "back to private");
    expectFailure(stipple_session_render_folder(session, out_dir, STIPPLE_RENDER_MP4, &files),
                  STIPPLE_BAD_ARGUMENT, "what", NULL, "mp4 without turntable");

    /* A turntable: the design's /render/turntable_frames frames, numbered from 000. */
    pathJoin(out_dir, sizeof out_dir, g_output, "capi_turntable");
    CHECK(stipple_session_render_folder(session, out_dir,
                                        STIPPLE_RENDER_TURNTABLE | STIPPLE_RENDER_CONTACT_SHEET |
                                            STIPPLE_RENDER_OVERWRITE,
                                        &files) == STIPPLE_OK,
          "turntable");
    for (i = 0; i < 3; ++i) {
        snprintf(file, sizeof file, "%s/turntable_%03d.png", out_dir, (int)i);
        CHECK(stat(file, &st) == 0 && st.st_size > 1000, "%s written", file);
    }
    snprintf(file, sizeof file, "%s/turntable_003.png", out_dir);
    CHECK(stat(file, &st) != 0, "no fourth frame");
    pathJoin(file, sizeof file, out_dir, "contact_sheet.png");
    CHECK(stat(file, &st) == 0, "contact sheet written");

    stipple_session_destroy(session);
    free(after);
    free(before);
}

/* ---- no_gl: run with an EGL that finds no driver ------------------------------------------ */

/* ctest runs this with __EGL_VENDOR_LIBRARY_FILENAMES pointing at no file, so libglvnd's EGL
   finds no driver: rendering must return RUNTIME naming EGL, and the session stays usable. */
static void testNoGl(void) {
    stipple_session* session = mannequinSession();
    uint8_t rgba[32 * 32 * 4];
    char out_dir[4200];
    size_t files = 0, count = 0;
    if (!session) return;
    CHECK(stipple_session_load_head(session, NULL) == STIPPLE_OK, "head");
    CHECK(stipple_session_set_layer_size(session, 1024) == STIPPLE_OK, "layer size");
    expectFailure(stipple_session_render_view(session, "front", 32, 32, 1, NULL, rgba, sizeof rgba),
                  STIPPLE_RUNTIME, NULL, "EGL", "render without a GL driver");
    pathJoin(out_dir, sizeof out_dir, g_output, "no_gl");
    expectFailure(stipple_session_render_folder(session, out_dir, STIPPLE_RENDER_STILLS, &files),
                  STIPPLE_RUNTIME, NULL, "EGL", "render folder without a GL driver");
    CHECK(files == 0, "no files");
    CHECK(stipple_session_dot_count(session, &count) == STIPPLE_OK && count > 0,
          "the session still works");
    stipple_session_destroy(session);
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: capi_test errors|mannequin|arrays|render|no_gl SOURCE_DIR "
                        "SHARED_HEADS OUTPUT_DIR\n");
        return 2;
    }
    snprintf(g_source, sizeof g_source, "%s", argv[2]);
    snprintf(g_heads, sizeof g_heads, "%s", argv[3]);
    snprintf(g_output, sizeof g_output, "%s", argv[4]);
    mkdir(g_output, 0777);
    if (strcmp(argv[1], "errors") == 0)
        testErrors();
    else if (strcmp(argv[1], "mannequin") == 0)
        testMannequin();
    else if (strcmp(argv[1], "arrays") == 0)
        testArrays();
    else if (strcmp(argv[1], "render") == 0)
        testRender();
    else if (strcmp(argv[1], "no_gl") == 0)
        testNoGl();
    else {
        fprintf(stderr, "unknown section '%s'\n", argv[1]);
        return 2;
    }
    if (g_failures)
        fprintf(stderr, "%d check(s) failed\n", g_failures);
    else
        printf("capi %s: all checks passed\n", argv[1]);
    return g_failures ? 1 : 0;
}
