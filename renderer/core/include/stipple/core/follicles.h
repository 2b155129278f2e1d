#pragma once

// Follicle dots: the impressions a practitioner would tattoo, sampled with blue noise on the
// real 3D surface of the head (head frame, millimetres).

#include <cstdint>
#include <string>
#include <vector>

#include "stipple/core/design.h"
#include "stipple/core/head_model.h"

namespace stipple {

struct Dot {
    glm::vec3 position_mm{0}; // on the surface, head frame
    glm::vec3 normal{0};      // unit surface normal
    float diameter_mm = 0.4f; // visible diameter
    float aspect = 1.0f;      // minor/major axis ratio of the impression, (0, 1]
    float angle_rad = 0.0f;   // orientation of the major axis in the tangent plane
    float shade = 6.0f;       // dilution 1..10
    ZoneId zone = ZoneId::Front;
    uint8_t session = 1; // the treatment session that places it, 1..FollicleSet::session_count;
                         // 0 while the set's sessions are not labelled (labelSessions())
    uint32_t triangle = 0;    // triangle of HeadModel::mesh the dot lies on
    uint64_t id = 0;          // stable id: the same design gives the same ids
};

struct ZoneStats {
    ZoneId id = ZoneId::Front;
    double area_cm2 = 0;
    size_t dots = 0;
    double density_per_cm2 = 0;
    double target_density_per_cm2 = 0;
};

// The scalp region and hairline the dots were sampled in (for layers and reports).
struct Hairline {
    std::vector<glm::dvec3> front_line_mm;  // the designed front line on the surface, L to R
    double frontal_height_mm = 0;           // measured on the result, above the glabella
    double asymmetry_mm = 0;                // measured
    // The whole closed line on the surface (front, around the ears, nape), 720 points in
    // azimuth order (theta from -180 deg, subject's right side first). Head frame, mm.
    std::vector<glm::dvec3> outline_mm;
};

// A scar as realised on this head (points projected onto the surface), kept for the layers.
struct ScarRegion {
    ScarType type = ScarType::Strip;
    size_t design_index = 0;              // index in Design::scars
    std::vector<glm::dvec3> points_mm;    // strip: polyline (densified to <= 5 mm steps);
                                          // polygon: outline; FUE: region centre
    double width_mm = 0;                  // strip width
    std::vector<glm::dvec4> discs_mm;     // FUE: one (x, y, z, diameter) per scar
    glm::dvec3 normal{0, 1, 0};           // mean outward direction (polygon test plane)
    bool camouflage = true;               // dots continue over the scar
    double area_cm2 = 0;                  // approximate (overlaps of FUE discs counted twice)
    size_t dots = 0;                      // dots whose centre lies inside

    // True when surface point p (head frame, mm) lies inside the scar.
    bool contains(const glm::dvec3& p) const;
};

// The set as it stands after one treatment session (the dots of sessions 1..session).
struct SessionFigures {
    int session = 1;
    size_t dots = 0;          // cumulative: every dot placed up to and including this session
    size_t new_dots = 0;      // placed in this session
    double share = 0;         // planned cumulative share of the final dots (sessionShare())
    double nn_min_ratio = 0;  // spacing against the hexagonal spacing at share x the density
    double nn_mean_ratio = 0;
};

struct FollicleSet {
    std::vector<Dot> dots;
    std::vector<ZoneStats> zones;
    Hairline hairline;
    double area_cm2 = 0;       // treated area
    double nn_min_ratio = 0;   // min nearest-neighbour distance / ideal hexagonal spacing
    double nn_mean_ratio = 0;
    size_t outside_region = 0; // dots outside the design region (must be 0)
    size_t border_dropped = 0; // zone dots dropped for a too close dot of another zone
    double sessions = 0;       // dots / impressions per session
    std::vector<Problem> warnings;
    std::vector<ScarRegion> scars; // the design's scars on this head
    size_t impressions_per_session = 12000;
    // Treatment sessions (sessionCount()); Dot::session tells each dot's. Per session, the set
    // after it (session_figures[k - 1] is session k; the last one is the whole set).
    // session_count is always set; the labels and session_figures only once sessions_labelled
    // (a merge may defer them: assembleFollicles(), labelSessions()).
    int session_count = 3;
    std::vector<SessionFigures> session_figures;
    bool sessions_labelled = false;
    // Per dot: the density its spacing is judged against (peak x local factor, per mm^2), what
    // labelSessions() thins by.
    std::vector<float> local_density_per_mm2;
    // The session the dots and figures stop at: 0 for the whole design, else a set cut by
    // dotsAfterSession().
    int shown_session = 0;
};

// Most clients need 3 sessions, about one in five a fourth (docs/follicles.md, "Sessions"):
// 3, or 4 when the design holds more than 3 x impressions_per_session dots. Requires
// impressions_per_session > 0 (asserted).
int sessionCount(size_t dots, int impressions_per_session);
// The planned cumulative share of the final dots after session `session` of `count` (3: 0.4,
// 0.7, 1; 4: 0.35, 0.6, 0.85, 1). Requires count in 3..4 and session in 1..count (asserted).
double sessionShare(int count, int session);
// Labels every dot of `set` with its treatment session and fills session_figures (Yuksel's
// weighted sample elimination, thinning from the last session back: follicles.cpp,
// assignSessions()). The most expensive figure of a merge (about 0.1 s at 40k dots), so a
// host that does not show sessions can leave it out (assembleFollicles(), SessionLabels).
// Idempotent. `set` must be a whole set with one local density per dot (asserted).
void labelSessions(FollicleSet& set);
// Whether a merge labels the sessions at once or leaves them for labelSessions().
enum class SessionLabels { Now, Deferred };
// The set after session `session`: the dots with Dot::session <= session, zone counts and
// densities recounted, nn figures from session_figures, shown_session = session. Throws
// stipple::Error naming `option` (a CLI option or a JSON pointer) when `session` is outside
// 1..set.session_count. `set` must be a whole, labelled set (shown_session 0,
// sessions_labelled; asserted).
FollicleSet dotsAfterSession(const FollicleSet& set, int session, const std::string& option);

// Generates the dots of `design` on `head`. Deterministic: a pure function of its inputs.
// In density mode the dots of a zone depend only on the head, the hairline, the seed, the mask
// and that zone's own settings: changing one zone leaves every other zone's dots identical.
// (In total mode the shares of all zones depend on each other by definition.)
// Each dot carries the session that places it: session k's dots are a blue-noise subset of
// session k + 1's, and the last session's are the whole design (labelSessions()).
// Throws stipple::Error for designs that cannot be realised on this head (hairline above the
// head, a scar outside the scalp, density 0 or absurd...), naming the field; findings that do
// not stop generation are in FollicleSet::warnings.
FollicleSet generateFollicles(const HeadModel& head, const Design& design);

} // namespace stipple
