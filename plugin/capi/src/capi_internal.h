#pragma once

// The C ABI's shared plumbing: the session handle, the thread-local last error, and guarded(),
// which turns every exception into a status so that nothing crosses the C boundary.

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "stipple/core/error.h"
#include "stipple/core/provenance.h"
#include "stipple/core/session.h"
#include "stipple/stipple.h"

namespace stipple::capi {

// A caller's mistake in how it called us (a NULL pointer, a count, a buffer too small):
// STIPPLE_BAD_ARGUMENT, naming the argument.
class ArgumentError : public std::invalid_argument {
public:
    // field: the argument's name ("positions"); message: what was wrong and what is accepted.
    ArgumentError(const std::string& field, const std::string& message)
        : std::invalid_argument(field + ": " + message), m_field(field) {}
    const std::string& field() const { return m_field; }

private:
    std::string m_field;
};

// A call that needs a head on a session without one: STIPPLE_NO_HEAD.
class NoHeadError : public std::runtime_error {
public:
    explicit NoHeadError(const std::string& function)
        : std::runtime_error(function +
                             "(): the session has no head yet; call stipple_session_load_head() "
                             "or stipple_session_set_head_arrays() first") {}
};

// The render state a session keeps between stipple_session_render_view() calls (capi_render.cpp).
struct RenderCache;
struct RenderCacheDeleter {
    void operator()(RenderCache* cache) const;
};

} // namespace stipple::capi

struct stipple_cancel {
    std::atomic<bool> requested{false}; // stipple_cancel_request(), read by a render job
};

struct stipple_session {
    std::unique_ptr<stipple::Session> session;
    std::string warnings_text; // stipple_session_warnings()
    std::string manifest;      // stipple_session_last_manifest()
    std::string design_text;   // stipple_session_design_json()
    std::unique_ptr<stipple::capi::RenderCache, stipple::capi::RenderCacheDeleter> render;
    // stipple_session_set_provenance(): what bake_layers and render_folder write about the
    // design (private by default: its SHA-256 only).
    stipple::ProvenanceMode provenance = stipple::ProvenanceMode::Private;
};

namespace stipple::capi {

// Clears the thread's last error (every entry point starts with it).
void clearError();
// Records `message`/`field` as the thread's last error and returns `status`. Never throws.
stipple_status fail(stipple_status status, const char* message, const char* field) noexcept;
// The status for the exception being handled (call inside a catch block only); records it.
stipple_status failFromCurrentException() noexcept;

// Runs `body` and returns STIPPLE_OK, or the status of whatever it threw (see stipple.h).
template <typename Body> stipple_status guarded(Body&& body) noexcept {
    try {
        clearError();
        body();
        return STIPPLE_OK;
    } catch (...) {
        return failFromCurrentException();
    }
}

// Throws ArgumentError naming `name` when `pointer` is null.
inline void requireArgument(const void* pointer, const char* name) {
    if (!pointer) throw ArgumentError(name, "is NULL; expected a valid pointer");
}
// The session behind a handle (ArgumentError "session" when null).
Session& sessionOf(stipple_session* handle);
// sessionOf() and a head (NoHeadError naming `function` otherwise).
Session& sessionWithHead(stipple_session* handle, const char* function);

} // namespace stipple::capi
