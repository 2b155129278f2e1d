#pragma once

// The follicle dots as files (CSV, PLY, JSON) and the figures of a follicle set as JSON: what
// `stipple generate` writes and prints, shared with the C ABI. Pure functions of the set and
// the design: identical designs give identical bytes (no timing in them).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/image.h"
#include "stipple/core/provenance.h"

namespace stipple {

// The figures of `set` (dots, area, zones with their densities and targets, blue-noise ratios,
// hairline, sessions, scars) and every warning of `design` and `set` as formatted Problems.
// The design is identified by "design_sha256"; ProvenanceMode::Full adds "design" (its path)
// and "name" (provenance.h).
nlohmann::json follicleSummary(const FollicleSet& set, const Design& design,
                               ProvenanceMode provenance = ProvenanceMode::Private);

enum class DotFormat { Csv, Ply, Json };

// The format named by `file`'s extension (.csv, .ply or .json, any case). Throws
// stipple::Error naming `file` and the accepted extensions otherwise.
DotFormat dotFormatOf(const std::filesystem::path& file);

// One line per dot: id, zone, position (mm), normal, diameter, aspect, angle, shade, triangle.
std::string dotsCsv(const FollicleSet& set);
// ASCII PLY, one vertex per dot with the same properties (zone as its number).
std::string dotsPly(const FollicleSet& set);
// follicleSummary() plus "dots_list", one object per dot.
std::string dotsJson(const FollicleSet& set, const Design& design,
                     ProvenanceMode provenance = ProvenanceMode::Private);
// The bytes of `format`.
std::string encodeDots(const FollicleSet& set, const Design& design, DotFormat format,
                       ProvenanceMode provenance = ProvenanceMode::Private);

// Writes the dots to `file` atomically, in the format its extension names. With
// Overwrite::No an existing file is refused (stipple::Error naming the file and the option
// "overwrite") before anything is encoded. Throws as dotFormatOf() and writeFileAtomic().
void writeDots(const std::filesystem::path& file, const FollicleSet& set, const Design& design,
               Overwrite overwrite, ProvenanceMode provenance = ProvenanceMode::Private);

} // namespace stipple
