#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace stipple {

// Lower-case hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);
// Lower-case hex SHA-256 of a file's contents. Throws stipple::Error if it cannot be read.
std::string sha256File(const std::filesystem::path& file);

// Reads a whole file. Throws stipple::Error naming the file if missing, a directory or
// unreadable.
std::string readFile(const std::filesystem::path& file);

} // namespace stipple
