#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace stipple {

// Lower-case hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);
// Lower-case hex SHA-256 of a file's contents. Throws stipple::Error if it cannot be read.
std::string sha256File(const std::filesystem::path& file);

// Largest file readFile() reads unless told otherwise: 1 GiB.
constexpr uint64_t kMaxReadBytes = uint64_t(1) << 30;

// Reads a whole regular file (a symlink to one is followed). Throws stipple::Error naming the
// file if it is missing, a directory, not a regular file (a device such as /dev/zero, a FIFO,
// a socket: checked with stat() before opening and fstat() after an O_NONBLOCK open, so
// neither hangs nor reads without end), larger than max_bytes, or unreadable.
std::string readFile(const std::filesystem::path& file, uint64_t max_bytes = kMaxReadBytes);

} // namespace stipple
