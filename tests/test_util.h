#pragma once

// Shared helpers for the test suites.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

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

// The names of the entries of `dir` (symbolic links included), sorted.
inline std::vector<std::string> entriesOf(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A process id that no process has (a child that has exited and been reaped; until the
// kernel reuses it), or -1 when fork fails.
inline pid_t deadPid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    if (child > 0) ::waitpid(child, nullptr, 0);
    return child;
}

} // namespace stipple::test
