# Installs the C ABI into a temporary prefix and builds a consumer against it, in C and C++,
# with find_package(Stipple) and with pkg-config, then runs them. Run by ctest:
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... -DGENERATOR=... -DPKG_CONFIG=...
#         -DC_COMPILER=... -DCXX_COMPILER=... -P install_test.cmake
function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        string(REPLACE ";" " " command "${ARGN}")
        message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
    endif()
    message(STATUS "${out}")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component stipple_capi)
foreach(installed include/stipple/stipple.h lib/libstipple.so lib/libstipple.so.0
        lib/cmake/Stipple/StippleConfig.cmake lib/cmake/Stipple/StippleConfigVersion.cmake
        lib/pkgconfig/stipple.pc)
    if(NOT EXISTS ${prefix}/${installed})
        message(FATAL_ERROR "cmake --install did not install ${installed}")
    endif()
endforeach()

# find_package(Stipple) -> Stipple::stipple, C and C++.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_c)
run(${WORK_DIR}/build/consumer_cxx)

# pkg-config, the way a Makefile or a meson project would build against it.
if(PKG_CONFIG)
    set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
    execute_process(COMMAND ${PKG_CONFIG} --cflags --libs stipple OUTPUT_VARIABLE flags
        RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "pkg-config --cflags --libs stipple failed")
    endif()
    separate_arguments(flags UNIX_COMMAND "${flags}")
    run(${C_COMPILER} -std=c99 -Wall -Wextra -Werror ${CONSUMER_DIR}/consumer.c ${flags}
        -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/consumer_pkgconfig)
    run(${WORK_DIR}/consumer_pkgconfig)
else()
    message(STATUS "pkg-config not found: the pkg-config consumer is skipped")
endif()
