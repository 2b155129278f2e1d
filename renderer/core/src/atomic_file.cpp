#include "stipple/core/atomic_file.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <utility>

#include "stipple/core/error.h"

namespace stipple {

namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_anonymous_allowed{true};

std::string errnoText(int err) {
    return std::strerror(err);
}

// "a symbolic link", "a FIFO", ... for messages.
std::string kindOf(mode_t mode) {
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISREG(mode)) return "a regular file";
    return "not a regular file";
}

// Opens `name` inside `parent` as a folder without following a symbolic link. Returns -1 with
// errno set when it cannot.
int openFolderAt(int parent, const std::string& name) {
    return ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// Why `name` in `parent` is not a folder we write into (after openFolderAt failed).
[[noreturn]] void refuseComponent(int parent, const std::string& name, const fs::path& dir,
                                  int err) {
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
        throw Error("output folder: '" + name + "' in this path is " + kindOf(st.st_mode) +
                        "; outputs are written only into real folders, never through symbolic "
                        "links, FIFOs or devices (accepted: a path of real folders)",
                    dir.string());
    if (err == ENOENT) throw Error("output folder does not exist", dir.string());
    throw Error("output folder cannot be opened ('" + name + "'): " + errnoText(err), dir.string());
}

// 16 unpredictable lower-case hex digits.
std::string randomHex() {
    uint64_t value = 0;
    if (::getrandom(&value, sizeof value, 0) != ssize_t(sizeof value)) {
        // No entropy source: still unique within the process and hard to guess in advance.
        static std::atomic<uint64_t> counter{0};
        value = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                (uint64_t(::getpid()) << 32) ^ (counter++ * 0x9e3779b97f4a7c15ULL);
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

std::string newTemporaryName() {
    return std::string(kTemporaryPrefix) + std::to_string(::getpid()) + "-" + randomHex();
}

// Linking an anonymous temporary needs /proc/self/fd (AT_EMPTY_PATH needs a capability).
bool procFdAvailable() {
    static const bool available = ::access("/proc/self/fd", X_OK) == 0;
    return available;
}

// Gives the anonymous file `fd` the name `name` in `dir`; fails (errno EEXIST) when taken.
int linkAnonymous(int fd, int dir, const std::string& name) {
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    return ::linkat(AT_FDCWD, proc.c_str(), dir, name.c_str(), AT_SYMLINK_FOLLOW);
}

// Sweeps each folder once per process. A folder is known by device, inode and birth time (an
// inode number is reused by a folder made after another was removed); without a birth time
// it is swept on every write.
void sweepOnce(const OutputDir& dir) {
    static std::mutex mutex;
    static std::set<std::tuple<uint64_t, uint64_t, int64_t, uint32_t>> swept;
    struct statx st {};
    if (::statx(dir.fd(), "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME, &st) == 0 &&
        (st.stx_mask & STATX_BTIME)) {
        const uint64_t dev = (uint64_t(st.stx_dev_major) << 32) | st.stx_dev_minor;
        std::lock_guard<std::mutex> lock(mutex);
        if (!swept.insert({dev, st.stx_ino, st.stx_btime.tv_sec, st.stx_btime.tv_nsec}).second)
            return;
    }
    removeStaleTemporaries(dir);
}

fs::path folderOf(const fs::path& file) {
    return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

// Refuses a final name that is not a regular file, or exists without overwrite.
void checkFinalName(const OutputDir& dir, const fs::path& file, Overwrite overwrite) {
    const std::string name = file.filename().string();
    if (name.empty() || name == "." || name == "..")
        throw Error("is a folder, expected a file name", file.string());
    struct stat st {};
    if (::fstatat(dir.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (S_ISDIR(st.st_mode)) throw Error("is a folder, expected a file name", file.string());
    if (!S_ISREG(st.st_mode))
        throw Error("is " + kindOf(st.st_mode) +
                        "; outputs are never written through or over it (accepted: a regular "
                        "file or a new name)",
                    file.string());
    if (overwrite == Overwrite::No)
        throw Error("exists; not replaced without overwrite", file.string(), "overwrite");
}

} // namespace

namespace detail {
void setAnonymousTemporaries(bool allowed) {
    g_anonymous_allowed.store(allowed);
}
} // namespace detail

OutputDir::OutputDir(const fs::path& dir, bool create) : m_path(dir) {
    const bool absolute = dir.is_absolute();
    int fd = ::open(absolute ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw Error("output folder cannot be opened: " + errnoText(errno), dir.string());
    for (const fs::path& part : dir.relative_path()) {
        const std::string name = part.string();
        if (name.empty() || name == ".") continue;
        int next = openFolderAt(fd, name);
        if (next < 0 && errno == ENOENT && create) {
            if (::mkdirat(fd, name.c_str(), 0777) != 0 && errno != EEXIST) {
                const int err = errno;
                ::close(fd);
                throw Error("folder cannot be created: " + errnoText(err), dir.string());
            }
            next = openFolderAt(fd, name);
        }
        if (next < 0) {
            const int err = errno;
            try {
                refuseComponent(fd, name, dir, err);
            } catch (...) {
                ::close(fd);
                throw;
            }
        }
        ::close(fd);
        fd = next;
    }
    m_fd = fd;
    if (::faccessat(m_fd, ".", W_OK, 0) != 0) {
        ::close(m_fd);
        m_fd = -1;
        throw Error("folder is not writable", dir.string());
    }
}

OutputDir::~OutputDir() {
    if (m_fd >= 0) ::close(m_fd);
}

OutputDir::OutputDir(OutputDir&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)) {}

OutputDir& OutputDir::operator=(OutputDir&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
    }
    return *this;
}

bool isTemporaryName(std::string_view name, long* pid) {
    if (name.substr(0, kTemporaryPrefix.size()) != kTemporaryPrefix) return false;
    name.remove_prefix(kTemporaryPrefix.size());
    const size_t dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash > 10) return false;
    long value = 0;
    for (char c : name.substr(0, dash)) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    const std::string_view hex = name.substr(dash + 1);
    if (hex.size() != 16) return false;
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    if (pid) *pid = value;
    return true;
}

bool isOlderTemporaryName(std::string_view name, long* pid) {
    if (name.size() < 2 || name[0] != '.') return false;
    // From the end: ".<pid>-<n>" digits, then ".partial-" or ".tmp-" before them.
    const size_t dash = name.rfind('-');
    if (dash == std::string_view::npos) return false;
    const std::string_view counter = name.substr(dash + 1);
    const size_t kind_end = name.rfind('-', dash - 1);
    if (kind_end == std::string_view::npos) return false;
    const std::string_view pid_text = name.substr(kind_end + 1, dash - kind_end - 1);
    const auto decimal = [](std::string_view t) {
        return !t.empty() && t.size() <= 10 &&
               std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!decimal(counter) || !decimal(pid_text)) return false;
    const std::string_view head = name.substr(0, kind_end);
    for (std::string_view kind : {std::string_view(".partial"), std::string_view(".tmp")}) {
        if (head.size() > kind.size() + 1 && head.substr(head.size() - kind.size()) == kind) {
            if (pid) *pid = std::stol(std::string(pid_text));
            return true;
        }
    }
    return false;
}

size_t removeStaleTemporaries(const OutputDir& dir) {
    // A fresh open file description: a DIR stream of its own, the OutputDir's fd untouched.
    const int list_fd = ::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list_fd < 0) return 0;
    DIR* listing = ::fdopendir(list_fd);
    if (!listing) {
        ::close(list_fd);
        return 0;
    }
    const std::time_t now = std::time(nullptr);
    size_t removed = 0;
    while (const dirent* entry = ::readdir(listing)) {
        long pid = 0;
        if (!isTemporaryName(entry->d_name, &pid) && !isOlderTemporaryName(entry->d_name, &pid))
            continue;
        struct stat st {};
        if (::fstatat(dir.fd(), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) continue;
        const bool gone = pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH);
        const bool old = now - st.st_mtime > kStaleTemporarySeconds;
        // unlinkat never follows a link: a file swapped for one meanwhile only loses its name.
        if ((gone || old) && ::unlinkat(dir.fd(), entry->d_name, 0) == 0) ++removed;
    }
    ::closedir(listing);
    return removed;
}

AtomicFile::AtomicFile(const fs::path& file, Overwrite overwrite)
    : m_dir(folderOf(file)), m_file(file), m_name(file.filename().string()),
      m_overwrite(overwrite) {
    checkFinalName(m_dir, file, overwrite);
    sweepOnce(m_dir);
    if (g_anonymous_allowed.load() && procFdAvailable()) {
        m_fd = ::openat(m_dir.fd(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
        if (m_fd >= 0) return;
        // EOPNOTSUPP / EISDIR / EINVAL: this file system has no O_TMPFILE; use a name.
    }
    for (int attempt = 0; attempt < 100 && m_fd < 0; ++attempt) {
        m_tmp_name = newTemporaryName();
        m_fd = ::openat(m_dir.fd(), m_tmp_name.c_str(),
                        O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (m_fd < 0 && errno != EEXIST) break;
    }
    if (m_fd < 0) {
        const int err = errno;
        m_tmp_name.clear();
        throw Error("cannot be written: " + errnoText(err), file.string());
    }
}

AtomicFile::~AtomicFile() {
    if (!m_committed) discard();
}

void AtomicFile::discard() noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    if (!m_tmp_name.empty()) ::unlinkat(m_dir.fd(), m_tmp_name.c_str(), 0);
    m_tmp_name.clear();
}

void AtomicFile::write(std::string_view bytes) {
    // Not input-reachable: the writers call write() between construction and commit() only.
    STIPPLE_ASSERT(m_fd >= 0 && !m_committed, "AtomicFile::write(): not open");
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(m_fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw RuntimeFailure("write failed: " + errnoText(errno), m_file.string());
        }
        written += size_t(n);
    }
}

void AtomicFile::placeWithoutReplacing(const std::string& tmp_name) {
    int rc =
        ::renameat2(m_dir.fd(), tmp_name.c_str(), m_dir.fd(), m_name.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
        // A file system without RENAME_NOREPLACE: link() refuses an existing name just the same.
        rc = ::linkat(m_dir.fd(), tmp_name.c_str(), m_dir.fd(), m_name.c_str(), 0);
        if (rc == 0) ::unlinkat(m_dir.fd(), tmp_name.c_str(), 0);
    }
    if (rc != 0) {
        const int err = errno;
        if (err == EEXIST)
            throw Error("exists; not replaced without overwrite", m_file.string(), "overwrite");
        throw RuntimeFailure("cannot be put in place: " + errnoText(err), m_file.string());
    }
}

void AtomicFile::commit() {
    // Not input-reachable: the writers call commit() once.
    STIPPLE_ASSERT(m_fd >= 0 && !m_committed, "AtomicFile::commit(): not open or committed");
    try {
        if (::fsync(m_fd) != 0)
            throw RuntimeFailure("write failed (disk full?): " + errnoText(errno), m_file.string());
        if (m_tmp_name.empty() && m_overwrite == Overwrite::No) {
            if (linkAnonymous(m_fd, m_dir.fd(), m_name) != 0) {
                const int err = errno;
                if (err == EEXIST)
                    throw Error("exists; not replaced without overwrite", m_file.string(),
                                "overwrite");
                throw RuntimeFailure("cannot be put in place: " + errnoText(err), m_file.string());
            }
        } else {
            if (m_tmp_name.empty()) {
                // Replacing needs a name to rename from: give the anonymous file one.
                std::string name = newTemporaryName();
                while (linkAnonymous(m_fd, m_dir.fd(), name) != 0) {
                    if (errno != EEXIST)
                        throw RuntimeFailure("cannot be put in place: " + errnoText(errno),
                                             m_file.string());
                    name = newTemporaryName();
                }
                m_tmp_name = name;
            }
            if (m_overwrite == Overwrite::No) {
                placeWithoutReplacing(m_tmp_name);
            } else if (::renameat(m_dir.fd(), m_tmp_name.c_str(), m_dir.fd(), m_name.c_str()) !=
                       0) {
                throw RuntimeFailure("cannot be put in place: " + errnoText(errno),
                                     m_file.string());
            }
            m_tmp_name.clear(); // the name now belongs to the final file
        }
    } catch (...) {
        discard();
        throw;
    }
    m_committed = true;
    ::close(m_fd);
    m_fd = -1;
    // The new directory entry survives a power cut only once the folder is flushed too.
    ::fsync(m_dir.fd());
}

void writeFileAtomic(const fs::path& file, std::string_view bytes, Overwrite overwrite) {
    AtomicFile out(file, overwrite);
    out.write(bytes);
    out.commit();
}

void checkOutputFile(const fs::path& file, Overwrite overwrite) {
    checkFinalName(OutputDir(folderOf(file), true), file, overwrite);
}

void ensureWritableDir(const fs::path& dir) {
    OutputDir(dir, true);
}

} // namespace stipple
