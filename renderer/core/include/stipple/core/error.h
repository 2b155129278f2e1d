#pragma once

// One error type for bad input and I/O failures (see STYLE.md, "Two error channels").
// A stipple::Error names the file, the field (a JSON pointer such as
// "/zones/2/density_per_cm2", or empty) and what would have been accepted. Broken internal
// invariants are STIPPLE_ASSERT, which aborts: a contract violation, not a status code.

#include <stdexcept>
#include <string>
#include <vector>

namespace stipple {

// One problem found in an input, for reports that list every problem (validate).
struct Problem {
    std::string file;    // path as the user gave it, may be empty
    std::string pointer; // JSON pointer of the field, may be empty
    std::string message; // what was found and what is accepted
    bool warning = false;

    // "file: /pointer: message" with the empty parts left out.
    std::string format() const;
};

class Error : public std::runtime_error {
public:
    // message: what is wrong and what is accepted. file/pointer may be empty.
    explicit Error(std::string message, std::string file = {}, std::string pointer = {});
    // An error that carries several problems (a design with three bad fields).
    // problems must not be empty; what() lists them one per line.
    explicit Error(std::vector<Problem> problems);

    const std::vector<Problem>& problems() const { return m_problems; }

private:
    std::vector<Problem> m_problems;
};

// `value` with exactly `precision` decimals ("82.0", "0.28"): numbers in messages.
std::string formatFixed(double value, int precision = 1);

// A failure that is not the user's input: a missing GL driver, a full disk, an encoder error.
// The command line exits 1 for these and 2 for every other stipple::Error.
class RuntimeFailure : public Error {
public:
    using Error::Error;
};

// What a broken invariant (STIPPLE_ASSERT) does, chosen at run time by the host (Filament's
// "THROW" mode): Abort prints the message and aborts (the default: a contract violation is a
// bug, and a core dump is its best report); Throw throws ContractViolation, so a host that must
// stay up (Blender, the C ABI) reports it and goes on. Process-wide; set it before any work.
enum class AssertMode { Abort, Throw };
void setAssertMode(AssertMode mode);
AssertMode assertMode();

// Thrown by STIPPLE_ASSERT in AssertMode::Throw. Not a stipple::Error: it is not the user's
// input but a bug, and hosts report it as an internal error.
class ContractViolation : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

[[noreturn]] void assertFailed(const char* condition, const char* message, const char* file,
                               int line);

} // namespace stipple

#define STIPPLE_ASSERT(cond, msg)                                                                  \
    do {                                                                                           \
        if (!(cond)) ::stipple::assertFailed(#cond, msg, __FILE__, __LINE__);                      \
    } while (false)
