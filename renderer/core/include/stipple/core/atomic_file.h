#pragma once

// The one atomic writer for every output file of Stipple (PNG layers and frames, manifests,
// reports, dots, GLB, MP4, GIF). A file appears under its final name complete or not at all:
//
// - The output folder is opened one component at a time (openat with O_NOFOLLOW|O_DIRECTORY),
//   so no symbolic link, FIFO or device anywhere in the path is followed into writing; such a
//   path is refused with a message naming it and what is accepted (real folders only).
// - The temporary lives in the target folder: an anonymous O_TMPFILE where the file system
//   supports it (nothing is left behind by a crash or SIGKILL: the kernel frees it), else a
//   new name in ONE scheme, ".stipple-tmp-<pid>-<16 random hex digits>", created with
//   O_EXCL|O_NOFOLLOW|O_CLOEXEC (a symbolic link or file planted at that name is never
//   opened; an unpredictable name cannot be planted in advance).
// - commit(): fsync of the file, then into place with linkat/renameat2(RENAME_NOREPLACE) when
//   overwriting is not allowed (no check-then-write race) or renameat otherwise, then fsync of
//   the folder.
// - A final name that exists and is not a regular file (a symbolic link, FIFO, device, socket
//   or folder) is refused, never written through and never replaced.
//
// Stale temporaries. A folder is swept once per process, when the first file is written into
// it: an entry is removed when its name is in the scheme above, it is a regular file (not
// followed), it is owned by the current user, and either its process is gone (kill(pid, 0)
// fails with ESRCH) or it was last modified more than kStaleTemporarySeconds ago (a reused
// PID, or another machine sharing the folder). Temporaries in the two schemes of older
// versions, ".NAME.partial-<pid>-<n>" (images, manifests) and ".NAME.tmp-<pid>-<n>" (the MP4's
// ".turntable.mp4.tmp-<pid>-<n>"), with decimal <pid> and <n>, are swept by the same rule.
// Nothing else in the folder is ever touched.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace stipple {

// How a write treats an existing file.
enum class Overwrite { No, Yes };

// The prefix of every temporary name of this program (see above).
inline constexpr std::string_view kTemporaryPrefix = ".stipple-tmp-";
// A temporary whose process may still exist is removed after this long without a write.
inline constexpr long kStaleTemporarySeconds = 3600;

// A folder opened for writing outputs (a file descriptor held open, so later steps cannot be
// redirected by swapping a component of its path for a symbolic link).
class OutputDir {
public:
    // Opens `dir` ("" is the current folder) one component at a time from "/" (an absolute
    // path) or the current folder (a relative one) with O_NOFOLLOW|O_DIRECTORY; `create` makes
    // missing components (mode 0777 minus the umask). Throws stipple::Error naming the path
    // and the component when one is a symbolic link, is not a folder (a file, FIFO, device),
    // is missing (without `create`) or cannot be opened, or when the folder is not writable.
    explicit OutputDir(const std::filesystem::path& dir, bool create = false);
    ~OutputDir();
    OutputDir(OutputDir&& other) noexcept;
    OutputDir& operator=(OutputDir&& other) noexcept;
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    int fd() const { return m_fd; }
    // The path as given (for messages).
    const std::filesystem::path& path() const { return m_path; }

private:
    int m_fd = -1;
    std::filesystem::path m_path;
};

// One output file being written: a temporary in the target folder until commit().
class AtomicFile {
public:
    // Opens the folder of `file` (OutputDir, not created), sweeps it for stale temporaries
    // (once per process and folder), checks the final name and creates the temporary.
    // Throws stipple::Error naming `file` when the final name exists and is not a regular file
    // ("is a symbolic link", "is a FIFO", ...; accepted: a regular file or a new name), when it
    // exists and `overwrite` is No ("exists; not replaced without overwrite", pointer
    // "overwrite": hosts name their own option), or as OutputDir.
    AtomicFile(const std::filesystem::path& file, Overwrite overwrite);
    // Without commit(): the temporary is removed (an anonymous one simply vanishes).
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // The temporary, open read-write (the MP4 muxer seeks and reads back). Valid until
    // commit() or destruction; do not close it.
    int fd() const { return m_fd; }
    const std::filesystem::path& path() const { return m_file; }

    // Appends `bytes`. Throws stipple::RuntimeFailure naming the file on an I/O error (a full
    // disk).
    void write(std::string_view bytes);
    // Flushes the file to disk, moves it under its final name (readable like any new file:
    // 0666 minus the umask) and flushes the folder. With Overwrite::No a file that appeared
    // meanwhile is not replaced: stipple::Error "exists" (pointer "overwrite"). Other failures
    // are stipple::RuntimeFailure. On failure the temporary is removed. Once only.
    void commit();

private:
    void placeWithoutReplacing(const std::string& tmp_name);
    void discard() noexcept;

    OutputDir m_dir;
    std::filesystem::path m_file;
    std::string m_name;     // final name inside m_dir
    std::string m_tmp_name; // "" for an anonymous (O_TMPFILE) temporary
    Overwrite m_overwrite;
    int m_fd = -1;
    bool m_committed = false;
};

// Writes `bytes` to `file` through AtomicFile. Throws as AtomicFile and commit().
void writeFileAtomic(const std::filesystem::path& file, std::string_view bytes,
                     Overwrite overwrite);

// Checks before long work what AtomicFile(file, overwrite) would refuse: the folder of `file`
// (OutputDir, created when missing) and the final name (not a link, FIFO, device or folder;
// absent unless `overwrite` is Yes). Throws as AtomicFile; writes nothing else.
void checkOutputFile(const std::filesystem::path& file, Overwrite overwrite);

// Checks before long work that `dir` is a real folder (creating it when missing) and
// writable: OutputDir(dir, true). Throws stipple::Error naming the folder otherwise.
void ensureWritableDir(const std::filesystem::path& dir);

// Whether `name` is in this program's temporary scheme; `pid` (may be null) receives its
// process id.
bool isTemporaryName(std::string_view name, long* pid = nullptr);

// Whether `name` is a temporary of an older version (".NAME.partial-<pid>-<n>" or
// ".NAME.tmp-<pid>-<n>", NAME not empty, <pid> and <n> decimal); `pid` (may be null) receives
// its process id.
bool isOlderTemporaryName(std::string_view name, long* pid = nullptr);

// Removes the stale temporaries in `dir` (of this scheme and the older ones) by the rule above
// (whether or not it was swept before) and returns how many were removed. Never throws.
size_t removeStaleTemporaries(const OutputDir& dir);

namespace detail {
// Tests only: false makes AtomicFile use named temporaries even where O_TMPFILE works, so the
// fallback is tested on every machine. Process-wide.
void setAnonymousTemporaries(bool allowed);
} // namespace detail

} // namespace stipple
