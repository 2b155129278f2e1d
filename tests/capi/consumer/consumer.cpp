// The smallest C++ host of the installed library: the header compiles as C++ (extern "C"),
// and a handle lives in a unique_ptr with stipple_session_destroy as its deleter.
#include <stipple/stipple.h>

#include <cstdio>
#include <memory>
#include <string>

int main() {
    stipple_session* raw = nullptr;
    const stipple_status status = stipple_session_create_from_json(
        R"({"stipple": 1, "head": {"mesh": "h.glb"}})", "consumer.json", &raw);
    if (status != STIPPLE_OK) {
        std::fprintf(stderr, "create: %s\n", stipple_last_error());
        return 1;
    }
    std::unique_ptr<stipple_session, decltype(&stipple_session_destroy)> session(
        raw, &stipple_session_destroy);
    int size = 0;
    if (stipple_session_layer_size(session.get(), &size) != STIPPLE_OK || size != 4096) {
        std::fprintf(stderr, "layer size %d: %s\n", size, stipple_last_error());
        return 1;
    }
    if (stipple_session_set_layer_size(session.get(), 1000) != STIPPLE_BAD_ARGUMENT ||
        std::string(stipple_last_error_field()) != "size") {
        std::fprintf(stderr, "layer size 1000 accepted\n");
        return 1;
    }
    std::printf("C++ consumer: libstipple %s, layer size %d, BAD_ARGUMENT as expected\n",
                stipple_version_string(), size);
    return 0;
}
