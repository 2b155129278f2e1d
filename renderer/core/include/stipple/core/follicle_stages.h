#pragma once

// Follicle sampling as stages that a Session caches and reruns one zone at a time. Each stage
// takes a narrow spec, never the whole Design:
//
//   FollicleRegion   head, hairline, seed, density mask: the zone map, per-triangle zones,
//                    each zone's area and density integral (computed once)
//   zonePeaks()      zone settings, mode, total: each zone's peak density (validates the zones)
//   sampleZone()     one zone: candidates, Poisson-disk selection, dots
//   assembleFollicles()  zones merged in zone order, scars, figures -> FollicleSet
//
// generateFollicles() (follicles.h) is exactly their composition. In density mode the dots of
// zone z depend only on the region and zone z's own spec: sampleZone(z) gives the same dots,
// bit for bit, as zone z of generateFollicles(), whatever the other zones are.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/huge_pages.h"
#include "stipple/core/poisson_sampling.h"
#include "stipple/core/scalp_region.h"

namespace stipple {

// One value per zone, indexed by size_t(ZoneId).
template <typename T> using PerZone = std::array<T, size_t(ZoneId::Count)>;

// The zone section of a design, as zonePeaks() reads it.
struct ZoneSettings {
    DensityMode mode = DensityMode::Density;
    int64_t total_dots = 0;        // total mode only
    PerZone<ZoneSpec> zones;       // every zone, the design's spec or the default (Design::zone())
    PerZone<std::string> pointers; // "/zones/<index in Design::zones>", "/zones" when omitted
};
// The zone settings of `design` (no validation here: zonePeaks() validates).
ZoneSettings zoneSettings(const Design& design);

// The scalp region prepared for sampling: the ScalpRegion (zone map), and per triangle of the
// head's mesh the zones it may hold and a border margin, per welded vertex its zone and margin,
// per zone its area and the integral of its local density factor (transition falloff, mask),
// all from one pass over the mesh. Depends only on the head, the hairline, the seed and the
// density mask. Immutable after construction; sampleZone() may read one from several threads.
class FollicleRegion {
public:
    // Builds the ScalpRegion too. `mask` (may be null: no mask) must carry decoded pixels
    // (DensityMaskSpec::pixels, filled by parseDesign()/loadDesign()); nothing is read from
    // disk. `file` names the design in messages. Throws stipple::Error as ScalpRegion's
    // constructor does, for a mask strength outside 0..1 (/density_mask/strength) and for a
    // mask without pixels (/density_mask/image). Warnings are appended to `warnings`.
    FollicleRegion(const HeadModel& head, const HairlineSpec& hairline, uint64_t seed,
                   const DensityMaskSpec* mask, const std::string& file,
                   std::vector<Problem>& warnings);
    // The same on an existing ScalpRegion (not null: STIPPLE_ASSERT), which must have been built
    // from this (head, hairline, seed), so that a mask edit does not rebuild the zone map.
    // Throws as above for the mask.
    FollicleRegion(const HeadModel& head, std::shared_ptr<const ScalpRegion> scalp,
                   const HairlineSpec& hairline, uint64_t seed, const DensityMaskSpec* mask,
                   const std::string& file);
    ~FollicleRegion();
    // Movable; a moved-from region may only be assigned or destroyed.
    FollicleRegion(FollicleRegion&&) noexcept;
    FollicleRegion& operator=(FollicleRegion&&) noexcept;

    const ScalpRegion& scalp() const;
    std::shared_ptr<const ScalpRegion> sharedScalp() const;
    // Area of zone z on the surface, mm^2 (quadrature of 2.5 mm sub-triangles on borders).
    double areaMm2(ZoneId zone) const;
    // Integral over zone z of its local density factor (0..1: transition falloff, mask), mm^2:
    // a zone of peak density D per mm^2 expects D x this many dots.
    double densityIntegralMm2(ZoneId zone) const;
    // Whether a density mask scales the density (present and strength > 0).
    bool maskActive() const;
    uint64_t seed() const;
    // Triangles of the mesh the region was built on (sampleZone() checks its head against it).
    size_t triangleCount() const;

    // The zones whose dots sampleZone() gives bit for bit alike on this region and on
    // `before` (built on the same head with the same density mask, the caller's promise; another
    // hairline), whatever
    // the spec and peak, given how far from its triangles each zone's last sampling on `before`
    // looked (ZoneDots::reach_mm; a zone with reach < 0 is never alike). A zone is alike when its
    // area, density integral, triangle and vertex tables are equal and no point within reach of
    // its triangles is classified differently (ScalpRegion::lineChange): sampling then takes
    // the same path step for step. Conservative: a zone reported unlike may still come out the
    // same.
    // `head` is the head both were built on.
    PerZone<bool> sampledAlike(const HeadModel& head, const FollicleRegion& before,
                               const PerZone<double>& reach_mm) const;

    // The per-triangle and per-vertex tables, for the stage functions (the type is private to
    // follicle_stages.cpp).
    struct Data;
    const Data& data() const { return *m_data; }

private:
    std::unique_ptr<const Data> m_data;
};

// Peak density of each zone, dots per mm^2 before the local factors (0 for a zone that is off;
// in total mode also for a zone with no area on this head). Density mode: the zone's
// density_per_cm2 / 100, each zone alone. Total mode: total_dots shared out by weight x area, so
// every zone depends on all the others by definition. Validates each enabled zone: throws
// stipple::Error naming `settings.pointers[z]` + "/density_per_cm2" (not > 0, or above 1000),
// "/weight" (< 0),
// "/diameter_mm" (not in (0, 3]), "/diameter_spread_mm" (not in [0, 1]), "/total_dots" (total
// mode, <= 0) or "/zones" (total mode, no weighted area); densities outside the usual 5..150
// are appended to `warnings`.
PerZone<double> zonePeaks(const FollicleRegion& region, const ZoneSettings& settings,
                          const std::string& file, std::vector<Problem>& warnings);

// The dots of one zone, before scars (what assembleFollicles() merges).
struct ZoneDots {
    ZoneId zone = ZoneId::Front;
    bool sampled = false; // enabled with a positive peak density
    // On huge pages (huge_pages.h): a zone of 10^5 dots is ~5 MB, a thousand 4 KiB page faults.
    HugeVector<Dot> dots;                    // in selection order (candidate priority)
    HugeVector<float> local_density_per_mm2; // per dot: peak x local factor (spacing figure)
    double target_dots = 0;                  // peak x density integral: the count aimed at
    size_t candidates = 0;                   // candidates in the zone after the border inset
    size_t inset_dropped = 0; // of them, in the strip along other zones' borders (the merge
                              // drops some dots there: follicle_stages.cpp, kBorderLoss)
    int selection_rounds = 0;                // Poisson-disk selections run to match the count
    // How far from its triangles (mm) the sampling classified points: the widest border-inset
    // probe (FollicleRegion::sampledAlike reads it).
    double reach_mm = 0;
};

// Buffers sampleZone() reuses from one call to the next (the candidates, the Poisson-disk
// selector's grid and sorted copies: fresh buffers for every zone cost page faults worth about
// a tenth of the work at 10^5 dots). Results never depend on what a scratch held before. Not
// thread-safe: one per thread.
struct SamplingScratch {
    PerZone<HugeVector<SampleCandidate>> candidates;
    PoissonSelector selector;
};

// Samples zone `zone` with `spec` at peak density `peak_per_mm2` (from zonePeaks(); a zone
// that is off or has a peak <= 0 gives no dots and sampled == false). Every random choice
// derives from the region's seed. `head` must be the head `region` was built on
// (STIPPLE_ASSERT on the triangle count). Visits only the triangles whose zone bits include
// the zone and classifies only their candidates. Deterministic: a pure function of (head,
// region, zone, spec, peak); the dots equal zone `zone` of generateFollicles() exactly.
// `scratch` may be null (buffers of this call only).
ZoneDots sampleZone(const HeadModel& head, const FollicleRegion& region, ZoneId zone,
                    const ZoneSpec& spec, double peak_per_mm2, SamplingScratch* scratch = nullptr);

// Samples the zones with which[z] in one pass over the mesh, each candidate position
// classified once for all of them (what generateFollicles() does for every zone): zone z's dots
// are exactly sampleZone(head, region, z, specs[z], peaks[z])'s. Zones not asked for, off or
// with a peak <= 0 come back empty (sampled == false). Asserts as sampleZone().
PerZone<ZoneDots> sampleZones(const HeadModel& head, const FollicleRegion& region,
                              const PerZone<ZoneSpec>& specs, const PerZone<double>& peaks,
                              const PerZone<bool>& which, SamplingScratch* scratch = nullptr);

// Merges the zones in zone order (null or not sampled = zone off), realises the scars on the
// head (FUE scars placed from the region's seed; dots inside a scar without camouflage are
// removed) and computes the figures: zone statistics, dots re-classified outside their zone,
// nearest-neighbour spacing ratios, sessions, hairline. Throws stipple::Error for a scar that
// cannot be realised (/scars/<i>/...) or impressions_per_session <= 0
// (/impressions_per_session). Scar warnings are appended to `warnings`; the result's warnings
// are a copy of `warnings` afterwards (the caller passes the region's and zones' warnings in).
// With SessionLabels::Deferred the dots' sessions are left for labelSessions() (every
// Dot::session 0, session_figures empty); everything else is the same.
FollicleSet assembleFollicles(const HeadModel& head, const FollicleRegion& region,
                              const PerZone<const ZoneDots*>& zones,
                              const std::vector<ScarSpec>& scars, int impressions_per_session,
                              const std::string& file, std::vector<Problem>& warnings,
                              SessionLabels labels = SessionLabels::Now);

} // namespace stipple
