#include "stipple/core/output_set.h"

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "stipple/core/atomic_file.h"
#include "stipple/core/error.h"
#include "stipple/core/hash.h"

namespace stipple {

namespace {

namespace fs = std::filesystem;

// Largest manifest read: a 720-frame, two-pass render lists ~1,500 files (~400 KB).
constexpr off_t kMaxManifestBytes = 64 << 20;

enum class Entry { Missing, Regular, Other };

// What `name` in the folder `dir_fd` is, and its bytes when it is a regular file (read
// without following a symbolic link and without blocking on a FIFO).
Entry readRegularAt(int dir_fd, const std::string& name, std::string* bytes, off_t max_bytes) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Entry::Missing;
    if (!S_ISREG(st.st_mode)) return Entry::Other;
    if (!bytes) return Entry::Regular;
    if (st.st_size > max_bytes) return Entry::Other;
    const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return Entry::Other;
    bytes->clear();
    char buffer[1 << 16];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) bytes->append(buffer, size_t(n));
    ::close(fd);
    return n < 0 ? Entry::Other : Entry::Regular;
}

// A manifest path that stays inside the folder: relative, no "..", ".", or empty parts.
bool staysInside(const std::string& path) {
    if (path.empty() || path.front() == '/') return false;
    for (const fs::path& part : fs::path(path))
        if (part.empty() || part == "." || part == "..") return false;
    return true;
}

// The folder holding `relative` inside `dir`, opened without following links; empty when it
// cannot be (missing, or reached through a link: then the file is not ours to touch).
std::optional<OutputDir> parentOf(const fs::path& dir, const std::string& relative) {
    try {
        return OutputDir(dir / fs::path(relative).parent_path());
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::vector<OutputLeftovers::File> listedFiles(const fs::path& dir,
                                               const std::string& manifest_name) {
    std::vector<OutputLeftovers::File> files;
    std::string text;
    if (readRegularAt(OutputDir(dir).fd(), manifest_name, &text, kMaxManifestBytes) !=
        Entry::Regular)
        return files;
    const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
    if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array())
        return files;
    for (const nlohmann::json& f : manifest["files"]) {
        if (!f.is_object() || !f.contains("sha256") || !f["sha256"].is_string()) continue;
        const char* key = f.contains("path") ? "path" : "name";
        if (!f.contains(key) || !f[key].is_string()) continue;
        const std::string path = f[key].get<std::string>();
        if (staysInside(path)) files.push_back({path, f["sha256"].get<std::string>()});
    }
    return files;
}

} // namespace

OutputLeftovers findOutputLeftovers(const fs::path& dir, const std::string& manifest_name,
                                    const std::set<std::string>& planned) {
    OutputLeftovers out;
    out.dir = dir;
    std::vector<std::string> in_the_way;
    for (const OutputLeftovers::File& f : listedFiles(dir, manifest_name)) {
        if (planned.count(f.path)) continue;
        const std::optional<OutputDir> parent = parentOf(dir, f.path);
        if (!parent) continue;
        std::string bytes;
        const Entry e = readRegularAt(parent->fd(), fs::path(f.path).filename().string(), &bytes,
                                      std::numeric_limits<off_t>::max());
        if (e == Entry::Missing) continue;
        if (e == Entry::Regular && sha256Hex(bytes) == f.sha256)
            out.files.push_back(f);
        else
            in_the_way.push_back(f.path);
    }
    if (!in_the_way.empty()) {
        std::string list;
        for (const std::string& p : in_the_way)
            list += (list.empty() ? "" : ", ") + p;
        throw Error(std::to_string(in_the_way.size()) + " file(s) of an older run that " +
                        manifest_name + " lists are in the way, changed since or not regular " +
                        "files: " + list + "; move or remove them (nothing was written)",
                    dir.string(), "overwrite");
    }
    return out;
}

std::vector<std::string> removeOutputLeftovers(const OutputLeftovers& leftovers,
                                               const std::set<std::string>& listed) {
    std::vector<std::string> removed;
    for (const OutputLeftovers::File& f : leftovers.files) {
        if (listed.count(f.path)) continue;
        const std::optional<OutputDir> parent = parentOf(leftovers.dir, f.path);
        if (!parent) continue;
        const std::string name = fs::path(f.path).filename().string();
        std::string bytes;
        if (readRegularAt(parent->fd(), name, &bytes, std::numeric_limits<off_t>::max()) !=
                Entry::Regular ||
            sha256Hex(bytes) != f.sha256)
            continue;
        if (::unlinkat(parent->fd(), name.c_str(), 0) == 0) removed.push_back(f.path);
    }
    return removed;
}

} // namespace stipple
