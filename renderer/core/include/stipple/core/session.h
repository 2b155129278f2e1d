#pragma once

// The engine every host drives (CLI, C ABI / Blender, osgDB plugin, viewer): one design on one
// head, with the pipeline's stages cached and recomputed lazily, only where an edit reaches.
//
//   head (HeadModel, shared, immutable)
//     └─ region   ScalpRegion: hairline, zones            reads /hairline, /seed
//          ├─ chart   ScalpChart (UVs + inside flags)      reads the region only: UVs never move
//          │                                               for zone, shade, scar or age edits
//          ├─ zone[z] the dots of zone z                   reads /zones/<z>, /mode, /total_dots,
//          │                                               /density_mask (and the region)
//          └─ dots    FollicleSet: zones merged (border    reads /scars, /impressions_per_session
//                     pairs resolved), scars, figures;
//                     sessions labelled on demand (follicles(SessionLabels::Now) or a shown
//                     session); the shown set is the dots after setShownSession()'s session
//               └─ layers  LayerStack baked at a size      reads /pigment, shades,
//               /render/layer_size
//                    └─ colour  LayerColour: re-colouring  reads shades, /pigment
//                               of the baked layers for a host's shader (no re-bake)
//
// The table from design fields to stages lives in one place (session.cpp, fieldStages()) and is
// documented in docs/architecture.md. Nothing here reads a file except loadHead(): the design
// arrives parsed (its density mask decoded by the parser) and the head arrives built.
//
// Threads: a Session is not thread-safe; one thread at a time may call it. Different sessions
// are independent. Stage getters return references that stay valid until the next apply(),
// setHead(), setLayerSize() or destruction.

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#include "stipple/core/scalp_region.h"

namespace stipple {

inline constexpr size_t kZoneCount = size_t(ZoneId::Count);

// Which stages an edit made stale (what apply() returns; also what a host should refresh).
struct SessionChange {
    bool head = false;   // the head section changed: the host must give a new head (setHead /
                         // loadHead); every stage is stale
    bool region = false; // hairline or seed: the region, the chart and every zone
    bool chart = false;  // chart UVs / inside flags (a host rebuilds its UV set)
    std::array<bool, kZoneCount> zones{}; // zones to resample
    bool dots = false;   // the merged follicle set (any zone, scars, report figures)
    bool layers = false; // layer texels must be re-baked (new dots, scars, size, skin)
    bool colour = false; // only the colour of the layers: live through LayerColour, no re-bake
    bool render = false; // render settings only (nothing in core)
    std::vector<std::string> fields; // JSON pointers of the fields that differ, sorted

    bool any() const;
    size_t zoneCount() const; // how many zones resample
};

// How many times each stage ran (tests prove what an edit recomputed; benchmarks report it).
struct StageRuns {
    size_t head = 0;
    size_t region = 0;
    size_t chart = 0;
    size_t zone_areas = 0; // zone areas and density integrals (region + density mask)
    std::array<size_t, kZoneCount> zone{};
    size_t dots = 0;   // merges into FollicleSet
    size_t labels = 0; // treatment-session labellings (labelSessions())
    size_t layers = 0; // bakes (splat + scar + before)
    size_t colour = 0; // re-colourings computed
};

// The baked layers as they stand, plus the re-colouring that brings them to the current design
// without a re-bake (identity when the bake is current). A host shows it on the next frame.
struct LiveLayers {
    const LayerStack* baked = nullptr;
    LayerColour colour;
};

class Session {
public:
    // A session for `design` (parsed and validated: parseDesign / loadDesign). No head yet.
    explicit Session(Design design);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Loads the design's head section (importMesh + buildHeadModel). Throws stipple::Error as
    // loadHeadModel() does; the session keeps its previous head on failure.
    void loadHead();
    // Uses `head` (built by the host, e.g. from arrays). Every stage becomes stale. `head` must
    // not be null (STIPPLE_ASSERT).
    void setHead(std::shared_ptr<const HeadModel> head);
    bool hasHead() const;
    // The head; STIPPLE_ASSERTs hasHead().
    const HeadModel& head() const;
    std::shared_ptr<const HeadModel> sharedHead() const;

    // Replaces the design and marks stale exactly the stages whose fields changed (nothing is
    // recomputed here: the getters below do it lazily). Returns what changed. A design whose
    // head section differs keeps the current head until the host gives the new one.
    SessionChange apply(Design design);
    const Design& design() const;

    // Chart resolution of the layers: the design's /render/layer_size unless overridden here
    // (a host option such as the CLI's --layer-size or a viewer's preview size); 0 = the
    // design's. Throws stipple::Error for a size validateLayerSize() rejects, naming
    // `option`.
    void setLayerSize(int size, const std::string& option = "layer_size");
    int layerSize() const;

    // Which treatment session to show: 0 (the default) for the whole design, else k for the
    // dots placed in sessions 1..k (follicles.h, dotsAfterSession()); follicles() and the layers
    // then hold those dots and the figures after session k. A host option such as the CLI's
    // --session; throws stipple::Error naming `option` for k outside 0..4, and follicles() /
    // layers() throw naming it when the design has fewer than k sessions.
    void setShownSession(int session, const std::string& option = "session");
    int shownSession() const;

    // The stages, computed on first use after they became stale. Each STIPPLE_ASSERTs hasHead()
    // and throws stipple::Error for a design that cannot be realised on this head (a hairline
    // above the head, a scar outside the scalp...), naming the field.
    const ScalpRegion& region();
    const ScalpChart& chart();
    // The shown set (setShownSession()). With SessionLabels::Deferred the whole design's
    // treatment sessions may be unlabelled (FollicleSet::sessions_labelled says; every other
    // figure is there): a host that shows no sessions skips their cost after each edit.
    const FollicleSet& follicles(SessionLabels labels = SessionLabels::Now);
    const LayerStack& layers(); // exact for the current design (re-bakes when stale)
    // The last baked layers with the re-colouring to the current design. Bakes only when
    // nothing was baked yet or the stale change needs new texels (dots, scars, size).
    LiveLayers liveLayers();

    // Every warning of the design, the head, the dots and the layers, as Problems.
    std::vector<Problem> warnings();
    const StageRuns& runs() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The design fields each stage reads (the table behind apply()). A field is a JSON pointer
// prefix ("/zones", "/hairline", "/render"). Exposed for docs and tests.
struct FieldStages {
    const char* pointer; // prefix of the design's JSON pointer
    const char* stages;  // "region chart zones dots layers" etc., for the docs
};
const std::vector<FieldStages>& fieldStages();

// The difference between two designs as a SessionChange (what Session::apply() uses).
SessionChange diffDesigns(const Design& before, const Design& after);

} // namespace stipple
