#include "stipple/core/error.h"

#include <gtest/gtest.h>

#include "stipple/core/hash.h"

namespace stipple {
namespace {

TEST(Error, FormatsFilePointerAndMessage) {
    const Error e("900 is out of range 5..150 dots/cm²", "demo.json", "/zones/1/density_per_cm2");
    EXPECT_STREQ(e.what(), "demo.json: /zones/1/density_per_cm2: 900 is out of range 5..150 dots/cm²");
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].pointer, "/zones/1/density_per_cm2");
}

TEST(Error, ListsEveryProblemOnItsOwnLine) {
    const Error e({Problem{"d.json", "/seed", "must be an integer", false},
                   Problem{"d.json", "/name", "must be a string", false}});
    EXPECT_STREQ(e.what(), "d.json: /seed: must be an integer\nd.json: /name: must be a string");
}

TEST(Hash, Sha256KnownAnswer) {
    // FIPS 180-2 test vector.
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, MissingFileNamesTheFile) {
    try {
        readFile("/nonexistent/head.obj");
        FAIL() << "expected stipple::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/head.obj: file not found"),
                  std::string::npos);
    }
}

} // namespace
} // namespace stipple
