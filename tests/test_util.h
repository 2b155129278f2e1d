#pragma once

// Shared helpers for the test suites.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stipple::test {

inline std::filesystem::path sourceDir() {
    return STIPPLE_SOURCE_DIR;
}
inline std::filesystem::path sharedHeads() {
    return STIPPLE_SHARED_HEADS;
}
// A fresh, empty folder under the build tree for one test's outputs.
inline std::filesystem::path outputDir(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(STIPPLE_TEST_OUTPUT_DIR) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// The bytes of `file` ("" when it cannot be read).
inline std::string readText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace stipple::test
