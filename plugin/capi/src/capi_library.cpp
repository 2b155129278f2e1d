// Library-wide entry points of the C ABI: the last error, versions, names, and the assertion
// mode set at load time.

#include <cstdio>
#include <new>

#include "capi_internal.h"
#include "stipple/core/design.h"

namespace stipple::capi {
namespace {

thread_local std::string t_error;
thread_local std::string t_field;

// A broken invariant inside a host (Blender) must report and leave the host running: switch
// this library's copy of the engine to throwing assertions as soon as it is loaded.
struct ThrowingAsserts {
    ThrowingAsserts() { setAssertMode(AssertMode::Throw); }
} g_throwing_asserts;

} // namespace

void clearError() {
    t_error.clear();
    t_field.clear();
}

stipple_status fail(stipple_status status, const char* message, const char* field) noexcept {
    try {
        t_error = message ? message : "";
        t_field = field ? field : "";
    } catch (...) {
        // Out of memory for the message itself: keep the status, leave the text empty.
        t_error.clear();
        t_field.clear();
    }
    return status;
}

stipple_status failFromCurrentException() noexcept {
    try {
        throw;
    } catch (const ArgumentError& e) {
        return fail(STIPPLE_BAD_ARGUMENT, e.what(), e.field().c_str());
    } catch (const NoHeadError& e) {
        return fail(STIPPLE_NO_HEAD, e.what(), "");
    } catch (const RuntimeFailure& e) {
        return fail(STIPPLE_RUNTIME, e.what(), e.problems().front().pointer.c_str());
    } catch (const Error& e) {
        return fail(STIPPLE_BAD_INPUT, e.what(), e.problems().front().pointer.c_str());
    } catch (const ContractViolation& e) {
        return fail(STIPPLE_INTERNAL, e.what(), "");
    } catch (const std::bad_alloc&) {
        return fail(STIPPLE_OUT_OF_MEMORY, "out of memory", "");
    } catch (const std::exception& e) {
        return fail(STIPPLE_INTERNAL, (std::string("internal error: ") + e.what()).c_str(), "");
    } catch (...) {
        return fail(STIPPLE_INTERNAL, "internal error: an unknown exception", "");
    }
}

Session& sessionOf(stipple_session* handle) {
    requireArgument(handle, "session");
    // Not input-reachable: stipple_session_create* set the session before returning a handle.
    STIPPLE_ASSERT(handle->session, "sessionOf(): a session handle without a session");
    return *handle->session;
}

Session& sessionWithHead(stipple_session* handle, const char* function) {
    Session& session = sessionOf(handle);
    if (!session.hasHead()) throw NoHeadError(function);
    return session;
}

} // namespace stipple::capi

using namespace stipple::capi;

extern "C" {

const char* stipple_last_error(void) {
    return t_error.c_str();
}
const char* stipple_last_error_field(void) {
    return t_field.c_str();
}

const char* stipple_status_name(int status) {
    switch (status) {
    case STIPPLE_OK:
        return "OK";
    case STIPPLE_BAD_ARGUMENT:
        return "BAD_ARGUMENT";
    case STIPPLE_BAD_INPUT:
        return "BAD_INPUT";
    case STIPPLE_RUNTIME:
        return "RUNTIME";
    case STIPPLE_INTERNAL:
        return "INTERNAL";
    case STIPPLE_NO_HEAD:
        return "NO_HEAD";
    case STIPPLE_OUT_OF_MEMORY:
        return "OUT_OF_MEMORY";
    }
    return "UNKNOWN";
}

stipple_status stipple_version(int* major, int* minor, int* patch) {
    clearError();
    if (major) *major = STIPPLE_VERSION_MAJOR;
    if (minor) *minor = STIPPLE_VERSION_MINOR;
    if (patch) *patch = STIPPLE_VERSION_PATCH;
    return STIPPLE_OK;
}

const char* stipple_version_string(void) {
    return STIPPLE_VERSION;
}
int stipple_abi_version(void) {
    return STIPPLE_ABI_VERSION;
}

int stipple_has_renderer(void) {
#if STIPPLE_HAVE_RENDER
    return 1;
#else
    return 0;
#endif
}

stipple_status stipple_debug_trigger_assert(void) {
    return guarded([] {
        const bool invariant = false;
        // Deliberate: the host's test of the assert mode (stipple_set_assert_mode).
        STIPPLE_ASSERT(invariant, "stipple_debug_trigger_assert(): a deliberately broken "
                                  "invariant (test entry point)");
    });
}

const char* stipple_zone_name(int zone) {
    if (zone < 0 || zone >= STIPPLE_ZONE_COUNT) return nullptr;
    return stipple::kZoneNames[size_t(zone)];
}

const char* stipple_landmark_name(int index) {
    if (index < 0 || index >= STIPPLE_LANDMARK_COUNT) return nullptr;
    return stipple::kLandmarkNames[size_t(index)];
}

const char* stipple_layer_name(int layer) {
    switch (layer) {
    case STIPPLE_LAYER_PIGMENT:
        return "pigment";
    case STIPPLE_LAYER_SCAR:
        return "scar";
    case STIPPLE_LAYER_BEFORE:
        return "before";
    }
    return nullptr;
}

} // extern "C"
