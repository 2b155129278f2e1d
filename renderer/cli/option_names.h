#pragma once

// The library names host options neutrally ("overwrite", "layer_size", "views"), as a
// stipple::Error's pointer and as a word in its message; the CLI shows its own flags instead.
// One mapping for every subcommand: main() applies the common names (overwrite -> --force),
// a subcommand with flags of its own wraps its work in withFlagNames() with its table.

#include <map>
#include <string>

#include "stipple/core/error.h"

namespace stipple::cli {

using FlagTable = std::map<std::string, std::string>; // option name -> flag

// The options every subcommand shares.
const FlagTable& commonFlags();

// `error` with every problem whose pointer is an option of `table` renamed to the flag (and,
// with `in_text`, the option's name as a whole word in its message too: "not replaced without
// overwrite" -> "... without --force"). Problems with other pointers are unchanged. Returns
// false (and leaves `out` alone) when nothing was renamed.
bool renameOptions(const Error& error, const FlagTable& table, bool in_text,
                   std::vector<Problem>& out);

// Runs `work`, rethrowing a stipple::Error with the flags of `table` (RuntimeFailure keeps its
// type; other exceptions pass through).
template <typename Work>
auto withFlagNames(const FlagTable& table, Work&& work, bool in_text = false) {
    try {
        return work();
    } catch (const RuntimeFailure& e) {
        std::vector<Problem> problems;
        if (!renameOptions(e, table, in_text, problems)) throw;
        throw RuntimeFailure(std::move(problems));
    } catch (const Error& e) {
        std::vector<Problem> problems;
        if (!renameOptions(e, table, in_text, problems)) throw;
        throw Error(std::move(problems));
    }
}

} // namespace stipple::cli
