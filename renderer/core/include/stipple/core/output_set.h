#pragma once

// Replacing a whole output set. A run that may overwrite (Overwrite::Yes) and writes a manifest
// listing its files (render's manifest.json: "files"[].path; bake.json: "files"[].name) first
// reads the manifest an older run left in the same folder. Files that manifest lists and the
// new run will not write (the frames, GIF and MP4 of an older, larger render) are the older
// run's leftovers:
//   - before any work, a leftover that is not a regular file, or whose bytes no longer match
//     the SHA-256 the old manifest recorded (someone changed it since), is "in the way": the
//     run is refused with a message listing such files;
//   - just before the new manifest is written, every leftover that still has its recorded
//     SHA-256 and that the new manifest does not list is removed (in this order a crash in
//     between leaves an old manifest naming missing files, never unlisted leftovers).
// Nothing outside `dir` is touched: an entry that is absolute, contains "..", or is reached
// through a symbolic link is ignored (never opened, never removed), and files the old
// manifest does not list are never deleted.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace stipple {

struct OutputLeftovers {
    std::filesystem::path dir;
    struct File {
        std::string path; // relative to dir, '/'-separated
        std::string sha256;
    };
    std::vector<File> files;
};

// The older run's leftovers in `dir`: the files the manifest `dir`/`manifest_name` lists that
// are not in `planned` (paths relative to `dir`) and exist. No manifest, or one that cannot be
// parsed: none. Throws stipple::Error naming the folder, the option "overwrite" and the
// files in the way (see above).
OutputLeftovers findOutputLeftovers(const std::filesystem::path& dir,
                                    const std::string& manifest_name,
                                    const std::set<std::string>& planned);

// Removes each leftover that `listed` (the new manifest's paths) does not name and that still
// has its recorded SHA-256. Returns the paths removed. Never throws.
std::vector<std::string> removeOutputLeftovers(const OutputLeftovers& leftovers,
                                               const std::set<std::string>& listed);

} // namespace stipple
