#include "stipple/core/hash.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "stipple/core/error.h"

namespace stipple {

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

namespace {

// stat() first, then open without blocking and fstat() the descriptor: a FIFO would block in
// open() and a device (/dev/zero) never ends, so only a regular file is read, and the
// descriptor is checked again because the path may change between the two calls.
void requireRegular(const struct stat& st, const std::string& name) {
    if (S_ISDIR(st.st_mode)) throw Error("is a directory, expected a file", name);
    if (!S_ISREG(st.st_mode))
        throw Error("is not a regular file (a device, FIFO or socket); expected a file", name);
}

} // namespace

std::string readFile(const std::filesystem::path& file, uint64_t max_bytes) {
    const std::string name = file.string();
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) throw Error("file not found", name);
        throw Error(std::string("cannot be opened for reading: ") + std::strerror(errno), name);
    }
    requireRegular(st, name);
    const int fd = ::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw Error(std::string("cannot be opened for reading: ") + std::strerror(errno), name);
    std::string out;
    try {
        if (::fstat(fd, &st) != 0)
            throw Error(std::string("cannot be read: ") + std::strerror(errno), name);
        requireRegular(st, name);
        if (uint64_t(st.st_size) > max_bytes)
            throw Error("is " + std::to_string(st.st_size) + " bytes; the limit is " +
                            std::to_string(max_bytes) + " bytes",
                        name);
        // Read what is there, but never more than the limit even if the file grows meanwhile.
        out.resize(size_t(st.st_size));
        size_t have = 0;
        for (;;) {
            if (have == out.size()) {
                if (out.size() >= max_bytes) break;
                out.resize(size_t(std::min<uint64_t>(max_bytes, out.size() + 65536)));
            }
            const ssize_t n = ::read(fd, out.data() + have, out.size() - have);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error(std::string("read failed: ") + std::strerror(errno), name);
            if (n == 0) break;
            have += size_t(n);
        }
        out.resize(have);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return out;
}

std::string sha256File(const std::filesystem::path& file) {
    return sha256Hex(readFile(file));
}

} // namespace stipple
