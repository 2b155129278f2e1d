/* The smallest C host of the installed library: version, a session, a status and a message. */
#include <stipple/stipple.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    int major = 0, minor = 0, patch = 0;
    size_t dots = 0;
    stipple_session* session = NULL;
    stipple_status status;
    int has_message;
    stipple_version(&major, &minor, &patch);
    if (stipple_abi_version() != STIPPLE_ABI_VERSION) {
        fprintf(stderr, "ABI %d, header %d\n", stipple_abi_version(), STIPPLE_ABI_VERSION);
        return 1;
    }
    status = stipple_session_create_from_json("{\"stipple\": 1, \"head\": {\"mesh\": \"h.glb\"}}",
                                              "consumer.json", &session);
    if (status != STIPPLE_OK) {
        fprintf(stderr, "create: %s: %s\n", stipple_status_name(status), stipple_last_error());
        return 1;
    }
    status = stipple_session_dot_count(session, &dots);
    /* the message is valid until the next call: read it before destroy */
    has_message = strlen(stipple_last_error()) > 0;
    stipple_session_destroy(session);
    if (status != STIPPLE_NO_HEAD || !has_message) {
        fprintf(stderr, "dot count without a head: %s\n", stipple_status_name(status));
        return 1;
    }
    printf("C consumer: libstipple %d.%d.%d (%s), NO_HEAD as expected\n", major, minor, patch,
           stipple_version_string());
    return 0;
}
