#pragma once

// The design file, v1 ("stipple": 1): a plain value parsed and validated from JSON.
// Every field, its unit, range and default are documented in docs/design-file.md; this header
// is the in-memory form. All lengths are millimetres on the head unless the name says
// otherwise. Head-frame coordinates: millimetres, origin midway between the ears (tragus
// landmarks), +Y up, +Z forward (out of the face), +X to the subject's left.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "stipple/core/error.h"
#include "stipple/core/image.h"

namespace stipple {

// The design-file versions this build reads ("stipple": 1).
inline constexpr int kDesignVersion = 1;

enum class Axis { PosX, NegX, PosY, NegY, PosZ, NegZ };
// "+x" / "-z" / "+Y" ... ; throws nothing, returns nullopt for anything else.
std::optional<Axis> parseAxis(const std::string& text);
std::string axisName(Axis axis); // "+Y"
glm::dvec3 axisVector(Axis axis);

// The landmark names, in the order reports list them.
inline constexpr std::array<const char*, 6> kLandmarkNames = {
    "vertex", "glabella", "nose_tip", "ear_left", "ear_right", "occiput"};

struct HeadSpec {
    std::filesystem::path mesh;             // resolved: relative paths are against the design
    std::optional<double> mm_per_unit;      // nullopt: inferred from anthropometry
    std::optional<Axis> up;                 // nullopt: default +Y (with a sanity check)
    std::optional<Axis> forward;            // nullopt: default +Z
    std::vector<std::string> keep;          // mesh/material names to keep; empty: largest part
    // Landmark overrides in the mesh file's own coordinates and units (what a user reads off
    // a vertex in a 3D tool). Keys are from kLandmarkNames.
    std::map<std::string, glm::dvec3> landmarks;
    // Skip the head-shape checks (buildHeadModel refuses a sphere, a box or a triangle soup
    // otherwise); the head-frame checks still apply.
    bool accept_non_head = false;
    // An albedo image for a mesh whose file references none (a GLB or OBJ with separate JPEG
    // maps), sampled with the mesh's own UVs; replaces the texture the file names. Resolved
    // against the design's folder; empty: none. Decoded once by parseDesign()/loadDesign()
    // (PNG or JPEG, 8 bits, as in the file, row 0 at the top; shared and immutable); importing
    // the head reads only these pixels, never the file.
    std::filesystem::path albedo;
    std::shared_ptr<const Image8> albedo_pixels;
    std::string albedo_sha256; // of the file's bytes as decoded
};

enum class HairlineTemplate { Natural, Defined, Soft, Receded, WidowsPeak, Custom };
enum class SideProfile { Rounded, Sharp, Soft };

struct HairlineSpec {
    HairlineTemplate shape = HairlineTemplate::Natural;
    SideProfile side_profile = SideProfile::Rounded;
    double frontal_height_mm = 80;            // mid-frontal point above the glabella, 60..110
    double frontotemporal_recession_mm = 10;  // how far the temple corners recede, 0..40
    double temporal_peak_mm = 10;             // length of the temporal peaks, 0..25
    double transition_mm = 10;                // width of the soft front zone, 5..20
    double irregularity_amplitude_mm = 1.5;   // micro-irregularity of the line, 0..5
    double irregularity_scale_mm = 6;         // its wavelength along the line, 2..30
    double asymmetry_mm = 1.0;                // left/right difference, 0..5
    double nape_height_mm = -35;              // nape line above the ear line (below = negative), -90..40
    double ear_clearance_mm = 12;             // margin kept around the ears, 0..30
    // Custom hairline: points in the head frame (mm), left to right over the forehead, at
    // least 3, projected onto the scalp. Required when shape == Custom, rejected otherwise.
    std::vector<glm::dvec3> control_points;
};

enum class ZoneId : uint8_t { FrontTransition, Front, Mid, Crown, Temples, Sides, Back, Count };
inline constexpr std::array<const char*, 7> kZoneNames = {
    "front_transition", "front", "mid", "crown", "temples", "sides", "back"};
// "front_transition" ... ; id must not be ZoneId::Count.
const char* zoneName(ZoneId id);
// The zone called `name` (one of kZoneNames, exact spelling), or nullopt.
std::optional<ZoneId> parseZoneName(const std::string& name);

struct ZoneSpec {
    ZoneId id = ZoneId::Front;
    bool enabled = true;
    double density_per_cm2 = 70;   // 5..150
    double diameter_mm = 0.4;      // mean visible dot diameter, 0.05..1.2
    double diameter_spread_mm = 0.08; // standard deviation of the diameter, 0..0.3
    double shade = 6;              // dilution 1 (lightest) .. 10 (pure black)
    double weight = 1;             // "total" mode: relative density, 0..100 (see docs)
    std::string needle;            // "" or the needle as written, e.g. "1RL 0.25" (needleDot())
};

// The healed dot a needle leaves: the hole is the needle grouping's footprint and shrinks to
// about half on healing (DESIGN.md domain facts; docs/design-file.md, zones/needle).
struct NeedleDot {
    int points = 1;          // 1, 3 or 5 (round liner, "RL")
    double needle_mm = 0.25; // one needle's diameter
    double diameter_mm = 0;  // mean healed visible dot: 0.5 x footprint
    double spread_mm = 0;    // its standard deviation (pressure varies): 0.15 x diameter
};

// Parses "<k>RL" or "<k>RL <needle mm>" (k in 1, 3, 5; needle 0.18..0.35 mm, default 0.25)
// into the dot it makes. Returns nullopt for anything else (the design parser reports it).
std::optional<NeedleDot> needleDot(const std::string& needle);

enum class DensityMode { Density, Total };

struct DensityMaskSpec {
    std::filesystem::path image; // grey PNG in the scalp chart; white = 1, black = 0
    double strength = 1;         // 0..1: mix between 1 and the mask value
    // The image decoded once by parseDesign()/loadDesign(): one channel (the file's first:
    // grey, or red of a colour image), 8 bits, row 0 at the top. Shared and immutable, so
    // copies of the design share it; the sampler reads only this, never the file. Null only in
    // a spec built in code without decoding (the sampler then throws).
    std::shared_ptr<const Image8> pixels;
    std::string sha256; // of the PNG file's bytes as decoded (a repainted mask differs)
};

enum class ScarType { Strip, Fue, Polygon };
struct ScarSpec {
    ScarType type = ScarType::Strip;
    std::vector<glm::dvec3> points_mm; // head frame: strip polyline / polygon / FUE region centre
    double width_mm = 3;               // strip width, 0.5..30
    double radius_mm = 30;             // FUE region radius, 5..120
    int count = 200;                   // FUE scars in the region, 1..5000
    double scar_diameter_mm = 1.0;     // one FUE scar, 0.5..2
    bool camouflage = true;            // dots continue over the scar
};

enum class InkType { Permanent, Temporary };

struct PigmentSpec {
    InkType ink = InkType::Permanent;
    // Fitzpatrick skin type 1..6 (I..VI). The parser leaves it nullopt exactly when
    // skin_from_mesh is set and fills 3 when the file gives neither.
    std::optional<int> fitzpatrick;
    bool skin_from_mesh = false;             // take skin tone from the mesh albedo under the scalp
    glm::dvec3 hair_colour_srgb{0.1, 0.09, 0.08}; // "#1a1714" in the file
    double age_days = 30;                    // 0 fresh, 30 healed, 1825 five years; 0..3650
};

enum class Background { Transparent, Colour };

// One light of a custom rig ("lighting": "custom"). Directions turn with a turntable's camera
// azimuth, like the presets: azimuth 0 is from the camera, +90 from the camera's right.
struct LightSpec {
    double azimuth_deg = 30;      // -180..180
    double elevation_deg = 30;    // -90..90, above the horizon
    double intensity = 1;         // 0..10, albedo units
    glm::dvec3 colour_srgb{1, 1, 1};
    bool shadow = false;          // at most one light of the rig casts a shadow
};

inline constexpr std::array<const char*, 4> kLightingNames = {"studio", "clinic", "daylight",
                                                             "custom"};
inline constexpr std::array<const char*, 10> kViewNames = {
    "front", "back", "left", "right", "three_quarter_left", "three_quarter_right", "top",
    "top_back", "hairline_closeup", "crown_closeup"};

struct RenderSpec {
    int width = 1920;                  // 16..3840
    int height = 1080;                 // 16..2160
    std::string lighting = "studio";   // studio | clinic | daylight
    std::vector<LightSpec> lights;     // "custom" only: 1..4 lights
    double ambient = 0.2;              // "custom" only: hemisphere ambient, 0..1
    // Still views, each one of kViewNames, no repeats; may be empty (turntable only).
    std::vector<std::string> views{"front", "three_quarter_left", "top"};
    Background background = Background::Colour;
    glm::dvec3 background_srgb{0.93, 0.93, 0.94};
    int turntable_frames = 36;         // 1..720
    double elevation_deg = 8;          // -30..60
    bool top_view = true;
    double fps = 24;                   // 1..60
    int msaa = 4;                      // 0, 2, 4
    int supersample = 1;               // 1..4 for stills
    std::string watermark;             // empty: none
    int layer_size = 4096;             // scalp-chart resolution, power of two 1024..8192
};

struct Design {
    int version = 1;
    std::string name;
    std::string notes;                 // free text for the record (consent, client wishes)
    uint64_t seed = 1;
    std::filesystem::path source;      // the design file, when loaded from one
    std::string sha256;                // of the design file's bytes
    HeadSpec head;
    HairlineSpec hairline;
    DensityMode mode = DensityMode::Density;
    int64_t total_dots = 0;            // "total" mode only, 100..2,000,000
    std::vector<ZoneSpec> zones;       // one per ZoneId present; missing zones use defaults
    std::optional<DensityMaskSpec> density_mask;
    std::vector<ScarSpec> scars;
    PigmentSpec pigment;
    int impressions_per_session = 12000; // 1000..50000
    RenderSpec render;
    std::vector<Problem> warnings;     // non-fatal findings of the parser (warning == true)

    // The zone spec for `id`: the design's when given, else the default for that zone.
    ZoneSpec zone(ZoneId id) const;
};

// Default spec of each zone (front transition lighter/smaller, crown denser...).
ZoneSpec defaultZone(ZoneId id);

// Parses and validates a design. `source` is used for messages and to resolve relative paths.
// Reads no file unless the design has a density mask, which is decoded here (its pixels go to
// DensityMaskSpec::pixels): a missing, corrupt or truncated mask is an error at
// /density_mask/image.
// Collects every problem and throws one stipple::Error listing them all, each with the JSON
// pointer, the value found and what is accepted; invalid JSON is reported with line and
// column; unknown fields are errors with a did-you-mean suggestion.
Design parseDesign(const std::string& json_text, const std::filesystem::path& source);

// Reads and parses a design file. Throws stipple::Error (missing/unreadable file, or as above).
Design loadDesign(const std::filesystem::path& file);

} // namespace stipple
