// stb_image's implementation, in a translation unit of its own so that it alone is built
// without UBSan's nonnull-attribute check (renderer/core/CMakeLists.txt): stb_image 2.27 copies
// a zero-length IDAT chunk with memcpy(NULL, p, 0) (stbi__getn), undefined by the letter of the
// C standard though it reads and writes nothing. fuzz_png_mask found it with a 66-byte mask;
// tests/core/fuzz_regressions_test.cpp replays it. Every other check stays on here, and all checks
// stay on in our own image code (image.cpp, design.cpp).

#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
#include <stb_image.h>
