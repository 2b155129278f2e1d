#pragma once

// Helpers shared by the libFuzzer targets: a private scratch folder per fuzzing process (the
// mesh importer and the mask decoder take paths, so the input bytes go to a file there) and a
// failure that libFuzzer records as a crash.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace stipple::fuzz {

// A folder of this process only, created on first use and removed at exit. Under $TMPDIR (or
// /dev/shm when it exists, so writing each input costs no disk I/O).
inline const std::filesystem::path& scratchDir() {
    static const std::filesystem::path dir = [] {
        std::filesystem::path base = "/tmp";
        if (const char* t = std::getenv("TMPDIR"); t && *t)
            base = t;
        else if (std::filesystem::is_directory("/dev/shm"))
            base = "/dev/shm";
        std::filesystem::path d = base / ("stipple-fuzz-" + std::to_string(getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratchDir(), ec);
        });
        return d;
    }();
    return dir;
}

// Writes `bytes` to `file` (replacing it). Aborts if it cannot: a harness failure, not a finding.
inline void writeInput(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", file.c_str());
        std::abort();
    }
}

// Reports a broken property of the code under test; libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
    std::abort();
}

inline std::string_view bytesOf(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

} // namespace stipple::fuzz
