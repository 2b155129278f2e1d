#pragma once

// Runs the built `stipple` executable (STIPPLE_EXE) for the end-to-end CLI tests.

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>

namespace stipple::test {

struct RunResult {
    int exit_code = -1; // -1 when the process could not be started or did not exit normally
    std::string out;    // stdout, with stderr unless it went to a file
};

// `env` is prefixed to the command line ("VAR=value ..."); stderr joins stdout unless
// `stderr_file` names a file for it (for --json runs whose stdout must stay pure JSON).
inline RunResult runStipple(const std::string& args, const std::string& env = "",
                            const std::filesystem::path& stderr_file = {}) {
    RunResult r;
    const std::string command =
        (env.empty() ? "" : env + " ") + std::string(STIPPLE_EXE) + " " + args +
        (stderr_file.empty() ? " 2>&1" : " 2>'" + stderr_file.string() + "'");
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        r.out.append(buffer.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

} // namespace stipple::test
