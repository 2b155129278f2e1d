#include "stipple/core/error.h"

#include <atomic>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace stipple {

std::string Problem::format() const {
    std::string out;
    if (!file.empty()) out += file + ": ";
    if (!pointer.empty()) out += pointer + ": ";
    if (warning) out += "warning: ";
    out += message;
    return out;
}

namespace {
std::string joinProblems(const std::vector<Problem>& problems) {
    std::string out;
    for (const Problem& p : problems) {
        if (!out.empty()) out += '\n';
        out += p.format();
    }
    return out;
}
} // namespace

Error::Error(std::string message, std::string file, std::string pointer)
    : std::runtime_error(Problem{file, pointer, message}.format()),
      m_problems{Problem{std::move(file), std::move(pointer), std::move(message)}} {}

Error::Error(std::vector<Problem> problems)
    : std::runtime_error(joinProblems(problems)), m_problems(std::move(problems)) {
    // Not input-reachable: callers build an Error from the problems they collected (1+).
    STIPPLE_ASSERT(!m_problems.empty(), "Error::Error(): a problem list must not be empty");
}

namespace {
std::atomic<AssertMode> g_assert_mode{AssertMode::Abort};
} // namespace

void setAssertMode(AssertMode mode) { g_assert_mode.store(mode); }
AssertMode assertMode() { return g_assert_mode.load(); }

void assertFailed(const char* condition, const char* message, const char* file, int line) {
    const std::string text = std::string(file) + ":" + std::to_string(line) +
                             ": assertion failed: " + message + " (" + condition + ")";
    if (g_assert_mode.load() == AssertMode::Throw) throw ContractViolation(text);
    std::fprintf(stderr, "%s\n", text.c_str());
    std::abort();
}

std::string formatFixed(double value, int precision) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(precision);
    out << value;
    return out.str();
}

} // namespace stipple
