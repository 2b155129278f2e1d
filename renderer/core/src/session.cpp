#include "stipple/core/session.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "stipple/core/design_writer.h"
#include "stipple/core/follicle_stages.h"
#include "stipple/core/scalp_chart.h"

// The Session: a design on a head with its stages cached. apply() diffs the old and new design
// as canonical JSON (designToJson), maps each differing field to the stages that read it
// (fieldStages(), the one table) and drops exactly those caches; the getters recompute lazily.

namespace stipple {
namespace {

using Json = nlohmann::ordered_json;

// Every leaf pointer where `a` and `b` differ (an array of another length, or a value of another
// type, is reported at its own pointer).
void diffJson(const Json& a, const Json& b, const std::string& at, std::vector<std::string>& out) {
    if (a.type() != b.type() || (!a.is_object() && !a.is_array())) {
        if (a != b) out.push_back(at);
        return;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) {
            out.push_back(at);
            return;
        }
        for (size_t i = 0; i < a.size(); ++i)
            diffJson(a[i], b[i], at + "/" + std::to_string(i), out);
        return;
    }
    for (auto it = a.begin(); it != a.end(); ++it) {
        const std::string key = at + "/" + it.key();
        if (!b.contains(it.key()))
            out.push_back(key);
        else
            diffJson(it.value(), b[it.key()], key, out);
    }
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!a.contains(it.key())) out.push_back(at + "/" + it.key());
}

bool startsWith(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0 &&
           (text.size() == prefix.size() || text[prefix.size()] == '/');
}

// The zone index of "/zones/<k>/..." (designToJson writes zone k at index k), or -1 for the
// whole array.
int zoneOfPointer(const std::string& pointer) {
    const std::string prefix = "/zones/";
    if (pointer.compare(0, prefix.size(), prefix) != 0) return -1;
    const size_t end = pointer.find('/', prefix.size());
    return std::stoi(pointer.substr(prefix.size(), end - prefix.size()));
}

void markRegion(SessionChange& c) {
    c.region = c.chart = c.dots = c.layers = true;
    c.zones.fill(true);
}

void markAllZones(SessionChange& c) {
    c.zones.fill(true);
    c.dots = c.layers = true;
}

// The one field -> stage table (documented in docs/architecture.md; fieldStages() lists it).
void markField(const std::string& p, DensityMode mode, SessionChange& c) {
    if (startsWith(p, "/head")) {
        c.head = true;
        markRegion(c);
    } else if (startsWith(p, "/seed") || startsWith(p, "/hairline")) {
        markRegion(c);
    } else if (startsWith(p, "/mode") || startsWith(p, "/total_dots") ||
               startsWith(p, "/density_mask")) {
        markAllZones(c);
    } else if (startsWith(p, "/zones")) {
        const int z = zoneOfPointer(p);
        const bool shade = p.size() > 6 && p.compare(p.size() - 6, 6, "/shade") == 0;
        if (shade) {
            c.dots = true; // the dots' shade attribute, no resampling
            c.colour = true;
        } else if (z < 0 || mode == DensityMode::Total) {
            markAllZones(c); // total mode shares one count among all zones
        } else {
            c.zones[size_t(z)] = true;
            c.dots = c.layers = true;
        }
    } else if (startsWith(p, "/scars")) {
        c.dots = c.layers = true;
    } else if (startsWith(p, "/pigment")) {
        c.colour = true;
    } else if (startsWith(p, "/impressions_per_session")) {
        c.dots = true; // the sessions figure only
    } else if (startsWith(p, "/render/layer_size")) {
        c.layers = true;
    } else if (startsWith(p, "/render") || startsWith(p, "/name")) {
        c.render = true; // /name is provenance in rendered files
    }
    // /stipple (the version) and /notes change no output.
}

} // namespace

bool SessionChange::any() const {
    return head || region || chart || dots || layers || colour || render || zoneCount() > 0;
}

size_t SessionChange::zoneCount() const {
    return size_t(std::count(zones.begin(), zones.end(), true));
}

const std::vector<FieldStages>& fieldStages() {
    static const std::vector<FieldStages> kTable = {
        {"/head", "head (reload by the host), then everything below"},
        {"/seed", "region, chart, every zone, dots, layers"},
        {"/hairline",
         "region, chart (UVs kept when the fit allows), the zones the new line reaches, dots, "
         "layers where the changed dots reach"},
        {"/mode", "every zone, dots, layers"},
        {"/total_dots", "every zone, dots, layers"},
        {"/density_mask", "every zone, dots, layers"},
        {"/zones/<z>/enabled, density_per_cm2, diameter_mm, diameter_spread_mm, weight",
         "zone z only (total mode: every zone), dots, layers"},
        {"/zones/<z>/shade", "the dots' shade attribute and the layer colour (no resampling)"},
        {"/scars", "dots (scar filter, figures), layers"},
        {"/pigment/ink, hair_colour, age_days (healed ages)",
         "layer colour, live (LayerColour); layers() re-bakes without resampling"},
        {"/pigment/fitzpatrick, skin_from_mesh, age_days (fresh)",
         "layers re-baked (skin, scar, before change), no resampling"},
        {"/impressions_per_session", "the sessions figure only"},
        {"/render/layer_size", "layers (re-bake at the new size)"},
        {"/render (everything else), /name", "nothing in core: render settings, provenance"},
        {"/stipple, /notes", "nothing"},
    };
    return kTable;
}

SessionChange diffDesigns(const Design& before, const Design& after) {
    SessionChange change;
    diffJson(designToJson(before), designToJson(after), "", change.fields);
    // A mask repainted under the same name: the JSON is the same, the pixels are not.
    if (before.density_mask && after.density_mask &&
        before.density_mask->sha256 != after.density_mask->sha256)
        change.fields.push_back("/density_mask/image");
    std::sort(change.fields.begin(), change.fields.end());
    change.fields.erase(std::unique(change.fields.begin(), change.fields.end()),
                        change.fields.end());
    // Total mode is judged on the new design (a mode switch marks every zone anyway).
    for (const std::string& p : change.fields)
        markField(p, after.mode, change);
    return change;
}

// ---------------------------------------------------------------------------------------------

struct Session::Impl {
    Design design;
    std::shared_ptr<const HeadModel> head;
    int layer_size_override = 0;
    int shown_session = 0;              // 0: the whole design (setShownSession())
    std::string shown_option = "session";

    // Caches: empty = stale.
    std::shared_ptr<const ScalpRegion> region;
    std::vector<Problem> region_warnings;
    std::optional<ScalpChart> chart;
    std::optional<ChartProjection> projection; // the head's (chartProjection): set once per head
    // The zone areas and density integrals (region + density mask), and what they were built
    // with (the mask's key: image, strength, sha256).
    std::optional<FollicleRegion> zone_areas;
    std::string zone_areas_mask;
    // After a hairline edit: the areas the cached zone dots were sampled on, so that the zones
    // the edit does not reach keep their dots (FollicleRegion::sampledAlike).
    std::optional<FollicleRegion> previous_areas;
    // Per zone: the dots, and the spec and peak density they were sampled with. A zone is
    // resampled when its spec (all but the shade) or its peak differs; a shade edit rescales the
    // cached dots' shade instead.
    PerZone<std::optional<ZoneDots>> zone_dots;
    PerZone<ZoneSpec> zone_spec{};
    PerZone<double> zone_peak{};
    SamplingScratch scratch;
    std::optional<FollicleSet> dots; // the merged set; empty = re-assemble
    // The set after shown_session (dotsAfterSession()), cut from `dots` as of dots_version.
    std::optional<FollicleSet> shown;
    size_t shown_version = 0, dots_version = 0;
    std::vector<Problem> dots_warnings;
    std::optional<LayerStack> layers;
    bool layers_colour_current = false; // the bake matches the design's colour fields
    // Only the dots changed since the bake (zones resampled): the pigment and zone map are
    // re-splatted (rebakePigment), the other layers kept.
    bool layers_dots_stale = false;
    // The hairline moved since the bake: if the new chart keeps the UVs, the layers are brought
    // to it in place (rechartLayers: only the tiles the changed dots reach), else re-baked.
    bool layers_rechart = false;
    PigmentSpec baked_pigment; // what the layers were baked with (re-colouring)
    ZoneShades baked_shades{};
    StageRuns runs;

    void dropAll() {
        projection.reset();
        region.reset();
        region_warnings.clear();
        chart.reset();
        dropZones();
        layers.reset();
        layers_colour_current = false;
        layers_dots_stale = layers_rechart = false;
    }

    void requireHead() const {
        // Not input-reachable: the C ABI checks hasHead() (NO_HEAD); the CLI and viewer load the
        // head first.
        STIPPLE_ASSERT(head != nullptr, "Session: no head (loadHead() or setHead() first)");
    }

    int layerSize() const {
        return layer_size_override != 0 ? layer_size_override : design.render.layer_size;
    }

    const ScalpRegion& ensureRegion() {
        requireHead();
        if (!region) {
            region_warnings.clear();
            region = std::make_shared<const ScalpRegion>(*head, design.hairline, design.seed,
                                                         design.source.string(), region_warnings);
            ++runs.region;
        }
        return *region;
    }

    const ScalpChart& ensureChart() {
        requireHead();
        if (!chart) {
            if (!projection) projection = chartProjection(*head);
            chart = computeScalpChart(*head, ensureRegion(), *projection);
            ++runs.chart;
        }
        return *chart;
    }

    void dropZones() {
        zone_areas.reset();
        previous_areas.reset();
        for (auto& z : zone_dots)
            z.reset();
        dots.reset();
    }

    static std::string maskKey(const Design& d) {
        if (!d.density_mask) return {};
        return d.density_mask->image.string() + "|" + formatFixed(d.density_mask->strength, 9) +
               "|" + d.density_mask->sha256;
    }

    const FollicleRegion& ensureZoneAreas() {
        const ScalpRegion& scalp = ensureRegion();
        (void)scalp;
        const std::string key = maskKey(design);
        if (!zone_areas || zone_areas_mask != key) {
            const DensityMaskSpec* mask = design.density_mask ? &*design.density_mask : nullptr;
            zone_areas.emplace(*head, region, design.hairline, design.seed, mask,
                               design.source.string());
            // Zones sampled on the previous hairline keep their dots where the edit did not
            // reach them (same mask only); the others resample.
            PerZone<bool> keep{};
            if (previous_areas && zone_areas_mask == key) {
                PerZone<double> reach{};
                for (size_t z = 0; z < kZoneCount; ++z)
                    reach[z] = zone_dots[z] ? zone_dots[z]->reach_mm : -1.0;
                keep = zone_areas->sampledAlike(*head, *previous_areas, reach);
            }
            previous_areas.reset();
            zone_areas_mask = key;
            for (size_t z = 0; z < kZoneCount; ++z)
                if (!keep[z]) zone_dots[z].reset();
            dots.reset();
            ++runs.zone_areas;
        }
        return *zone_areas;
    }

    static bool sameSampling(const ZoneSpec& a, const ZoneSpec& b) {
        return a.enabled == b.enabled && a.density_per_cm2 == b.density_per_cm2 &&
               a.diameter_mm == b.diameter_mm && a.diameter_spread_mm == b.diameter_spread_mm &&
               a.weight == b.weight;
    }

    // Rescales a zone's cached dots to the design's shade: a dot's shade is its zone's shade
    // times a factor of its own (the transition band's falloff), so it scales with it.
    static void reshade(HugeVector<Dot>& dots, double old_shade, double new_shade) {
        if (old_shade == new_shade || !(old_shade > 0)) return;
        for (Dot& dot : dots)
            dot.shade = float(double(dot.shade) * new_shade / old_shade);
    }

    // The set the host shows: the whole design, or the set after shown_session. The whole
    // design's sessions are labelled only when `labels` asks (a cut set needs them).
    const FollicleSet& ensureShownDots(SessionLabels labels) {
        const FollicleSet& full = ensureDots();
        if (shown_session == 0) {
            if (labels == SessionLabels::Now) ensureLabels();
            return full;
        }
        ensureLabels();
        if (!shown || shown_version != dots_version || shown->shown_session != shown_session) {
            shown = dotsAfterSession(full, shown_session, shown_option);
            shown_version = dots_version;
        }
        return *shown;
    }

    // The merged set's treatment sessions (labelSessions(): the costliest figure of a merge,
    // run only when a host reads sessions).
    void ensureLabels() {
        if (dots->sessions_labelled) return;
        labelSessions(*dots);
        ++runs.labels;
    }

    // Zone peaks from the cached areas, the zones whose dots are stale resampled in one pass,
    // shades brought up to date, the set re-assembled when anything changed.
    const FollicleSet& ensureDots() {
        const FollicleRegion& areas = ensureZoneAreas();
        const std::string file = design.source.string();
        std::vector<Problem> peak_warnings;
        const ZoneSettings settings = zoneSettings(design);
        const PerZone<double> peaks = zonePeaks(areas, settings, file, peak_warnings);
        PerZone<bool> which{};
        bool any = false;
        for (size_t z = 0; z < kZoneCount; ++z) {
            const ZoneSpec& spec = settings.zones[z];
            if (!spec.enabled) {
                if (zone_dots[z]) dots.reset();
                zone_dots[z].reset();
                zone_spec[z] = spec;
                continue;
            }
            which[z] =
                !zone_dots[z] || !sameSampling(zone_spec[z], spec) || zone_peak[z] != peaks[z];
            any = any || which[z];
            if (!which[z] && zone_spec[z].shade != spec.shade) {
                reshade(zone_dots[z]->dots, zone_spec[z].shade, spec.shade);
                zone_spec[z].shade = spec.shade;
                dots.reset();
            }
        }
        if (any) {
            PerZone<ZoneDots> fresh =
                sampleZones(*head, areas, settings.zones, peaks, which, &scratch);
            for (size_t z = 0; z < kZoneCount; ++z) {
                if (!which[z]) continue;
                zone_dots[z] = std::move(fresh[z]);
                zone_spec[z] = settings.zones[z];
                zone_peak[z] = peaks[z];
                ++runs.zone[z];
            }
            dots.reset();
        }
        if (!dots) {
            PerZone<const ZoneDots*> parts{};
            for (size_t z = 0; z < kZoneCount; ++z)
                parts[z] = zone_dots[z] ? &*zone_dots[z] : nullptr;
            // As generateFollicles(): the region's warnings, the zones', the scars'.
            dots_warnings = region_warnings;
            dots_warnings.insert(dots_warnings.end(), peak_warnings.begin(), peak_warnings.end());
            dots = assembleFollicles(*head, areas, parts, design.scars,
                                     design.impressions_per_session, file, dots_warnings,
                                     SessionLabels::Deferred);
            ++runs.dots;
            ++dots_version;
        }
        return *dots;
    }

    const LayerStack& ensureLayers() {
        if (!layers || !layers_colour_current) {
            const FollicleSet& set = ensureShownDots(SessionLabels::Deferred);
            layers = bakeLayers(*head, ensureChart(), set, layerSpec(design), layerSize());
            baked_pigment = design.pigment;
            baked_shades = zoneShades(design);
            layers_colour_current = true;
            layers_dots_stale = false;
            ++runs.layers;
        } else if (layers_rechart) {
            const FollicleSet& set = ensureDots();
            const ScalpChart& new_chart = ensureChart();
            if (new_chart.uvs == layers->chart.uvs)
                rechartLayers(*layers, *head, new_chart, set, layerSpec(design));
            else
                layers = bakeLayers(*head, new_chart, set, layerSpec(design), layerSize());
            layers_rechart = layers_dots_stale = false;
            ++runs.layers;
        } else if (layers_dots_stale) {
            rebakePigment(*layers, *head, ensureShownDots(SessionLabels::Deferred), layerSpec(design));
            layers_dots_stale = false;
            ++runs.layers;
        }
        return *layers;
    }

    // True when every field of `change` reaches the layers through the dots alone (zones
    // resampled: their counts, sizes, the mask, the mode), so the chart, size, skin and scar
    // layers stay as baked. Scars change the scar layer; shades and /pigment go through the
    // colour path.
    static bool dotsOnlyLayers(const SessionChange& change) {
        if (change.head || change.region || change.chart) return false;
        return onlyFields(change, {"/zones", "/mode", "/total_dots", "/density_mask"});
    }

    // True when the edit moved the hairline (or the seed) and otherwise only fields the dots
    // carry: the layers can follow through rechartLayers when the chart keeps its UVs.
    static bool hairlineLayers(const SessionChange& change) {
        if (change.head || !change.region) return false;
        return onlyFields(change, {"/hairline", "/seed", "/zones", "/mode", "/total_dots",
                                   "/density_mask", "/scars"});
    }

    // True when every changed field is under one of `prefixes` or changes no layer texel.
    static bool onlyFields(const SessionChange& change,
                           std::initializer_list<const char*> prefixes) {
        for (const std::string& p : change.fields) {
            bool zone_field = false;
            for (const char* prefix : prefixes)
                zone_field = zone_field || startsWith(p, prefix);
            const bool no_layers =
                startsWith(p, "/impressions_per_session") ||
                (startsWith(p, "/render") && !startsWith(p, "/render/layer_size")) ||
                startsWith(p, "/name") || startsWith(p, "/notes") || startsWith(p, "/stipple");
            if (!zone_field && !no_layers) return false;
        }
        return true;
    }

    // A new impressions_per_session: the sessions figure, and when the number of treatment
    // sessions changes with it, the labels (labelSessions() again, on demand). Returns true when
    // the labels were dropped (a shown session's dots change).
    bool refreshFigures() {
        if (!dots) return false;
        dots->impressions_per_session = size_t(design.impressions_per_session);
        dots->sessions = double(dots->dots.size()) / design.impressions_per_session;
        ++dots_version;
        const int count = sessionCount(dots->dots.size(), design.impressions_per_session);
        if (count == dots->session_count) return false;
        dots->session_count = count;
        dots->session_figures.clear();
        for (Dot& dot : dots->dots)
            dot.session = 0;
        const bool dropped = dots->sessions_labelled;
        dots->sessions_labelled = false;
        return dropped;
    }
};

Session::Session(Design design) : m_impl(std::make_unique<Impl>()) {
    m_impl->design = std::move(design);
}

Session::~Session() = default;

void Session::loadHead() {
    auto head = std::make_shared<const HeadModel>(loadHeadModel(m_impl->design.head));
    ++m_impl->runs.head;
    setHead(std::move(head));
}

void Session::setHead(std::shared_ptr<const HeadModel> head) {
    // Not input-reachable: loadHead() and the C ABI pass a head just built.
    STIPPLE_ASSERT(head != nullptr, "Session::setHead(): head must not be null");
    m_impl->head = std::move(head);
    m_impl->dropAll();
}

bool Session::hasHead() const {
    return m_impl->head != nullptr;
}

const HeadModel& Session::head() const {
    m_impl->requireHead();
    return *m_impl->head;
}

std::shared_ptr<const HeadModel> Session::sharedHead() const {
    return m_impl->head;
}

SessionChange Session::apply(Design design) {
    Impl& s = *m_impl;
    SessionChange change = diffDesigns(s.design, design);
    const Design before = std::move(s.design);
    s.design = std::move(design);
    const bool rechart =
        change.region && s.layers && s.layers_colour_current && Impl::hairlineLayers(change);
    if (change.region) {
        s.region.reset();
        s.region_warnings.clear();
        s.chart.reset(); // see the header: the chart follows the region only
        // The zones' dots stay until the new areas say which the edit reached (not across a
        // head change: setHead() drops everything).
        if (s.zone_areas && !s.previous_areas) s.previous_areas = std::move(s.zone_areas);
        s.zone_areas.reset();
        s.dots.reset();
    }
    // Zones compare their specs and peaks when the dots are next asked for (ensureDots); what
    // only the merged set reads (scars, shades) drops it; the sessions figure is refreshed here.
    bool only_figures = change.dots && !change.layers && !change.colour;
    for (const std::string& p : change.fields)
        if (!startsWith(p, "/impressions_per_session") && !startsWith(p, "/render") &&
            !startsWith(p, "/name") && !startsWith(p, "/notes"))
            only_figures = false;
    if (change.dots && !only_figures) s.dots.reset();
    if (only_figures) {
        if (s.refreshFigures() && s.layers && s.shown_session != 0) s.layers_dots_stale = true;
    }
    if (rechart)
        s.layers_rechart = true; // follow the new chart in place if it keeps the UVs
    else if (change.layers) {
        if (s.layers && Impl::dotsOnlyLayers(change))
            s.layers_dots_stale = true; // re-splat the pigment only (ensureLayers)
        else
            s.layers.reset();
    }
    if (change.colour) s.layers_colour_current = false;
    return change;
}

const Design& Session::design() const {
    return m_impl->design;
}

void Session::setLayerSize(int size, const std::string& option) {
    if (size != 0) validateLayerSize(size, option);
    if (size == m_impl->layer_size_override) return;
    const int before = m_impl->layerSize();
    m_impl->layer_size_override = size;
    if (m_impl->layerSize() != before) m_impl->layers.reset();
}

int Session::layerSize() const {
    return m_impl->layerSize();
}

void Session::setShownSession(int session, const std::string& option) {
    if (session < 0 || session > 4)
        throw Error("session " + std::to_string(session) +
                        " does not exist; accepted 1..4 (a design has 3 or 4 sessions), 0 for "
                        "the whole design",
                    "", option);
    Impl& s = *m_impl;
    s.shown_option = option;
    if (session == s.shown_session) return;
    s.shown_session = session;
    if (s.layers) s.layers_dots_stale = true; // re-splat the pigment with the session's dots
}

int Session::shownSession() const {
    return m_impl->shown_session;
}

const ScalpRegion& Session::region() {
    return m_impl->ensureRegion();
}
const ScalpChart& Session::chart() {
    return m_impl->ensureChart();
}
const FollicleSet& Session::follicles(SessionLabels labels) {
    return m_impl->ensureShownDots(labels);
}
const LayerStack& Session::layers() {
    return m_impl->ensureLayers();
}

LiveLayers Session::liveLayers() {
    Impl& s = *m_impl;
    // A colour-only edit since the bake (layers.h, colourOnly()) keeps the texels and hands the
    // host the exponents; anything else re-bakes.
    if (s.layers && !s.layers_colour_current && !s.layers_dots_stale && !s.layers_rechart &&
        colourOnly(s.baked_pigment, s.design.pigment)) {
        LiveLayers live;
        live.baked = &*s.layers;
        const glm::dvec3 skin(s.layers->skin_linear);
        live.colour = layerColour(s.baked_pigment, s.baked_shades, skin, s.design.pigment,
                                  zoneShades(s.design), skin);
        ++s.runs.colour;
        return live;
    }
    s.ensureLayers();
    LiveLayers live;
    live.baked = &*s.layers;
    return live;
}

std::vector<Problem> Session::warnings() {
    Impl& s = *m_impl;
    std::vector<Problem> out = s.design.warnings;
    if (s.head) {
        for (const std::string& w : s.head->import.warnings)
            out.push_back({s.head->import.file.string(), "/head/mesh", w, true});
        out.insert(out.end(), s.head->warnings.begin(), s.head->warnings.end());
    }
    if (s.dots) // the dots' warnings begin with the region's
        out.insert(out.end(), s.dots->warnings.begin(), s.dots->warnings.end());
    else
        out.insert(out.end(), s.region_warnings.begin(), s.region_warnings.end());
    if (s.layers && !s.layers_dots_stale && !s.layers_rechart) // the re-bake brings them
        out.insert(out.end(), s.layers->warnings.begin(), s.layers->warnings.end());
    return out;
}

const StageRuns& Session::runs() const {
    return m_impl->runs;
}

} // namespace stipple
