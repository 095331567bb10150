# Fuzzing. Configured with -DTRIPOD_FUZZ=ON and clang, this build instruments
# the layers and adds one libFuzzer executable per parser (fuzz/fuzz_*.c):
# GeoJSON zones, the shared validators (hours, exceptions, ids, times), an
# address search answer (Nominatim jsonv2) and postal codes, the iCalendar
# parser, CalDAV home listings (discovery), the Google Calendar and Microsoft
# Graph JSON parsers, request JSON bodies and query strings (the last two
# through the real HTTP server). In the normal build, ctest builds that tree
# with clang and runs every target briefly on its committed corpus
# (fuzz/corpus/<target>/); `make fuzz` runs them longer. The ASan build
# registers nothing here (libFuzzer brings ASan).

set(FUZZ_TARGETS geo validate ics body query discover google graph geocode)
# These drive the real server over HTTP in-process (fuzz/harness.c).
set(FUZZ_HTTP_TARGETS body query)
set(FUZZ_SECONDS 12 CACHE STRING "seconds each fuzz target runs under ctest")

if(TRIPOD_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TRIPOD_FUZZ needs clang (-DCMAKE_C_COMPILER=clang)")
  endif()
  set(FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  foreach(lib tripod_core tripod_store tripod_cal tripod_app tripod_api)
    get_target_property(_t ${lib} TYPE)
    if(NOT _t STREQUAL "INTERFACE_LIBRARY")
      # Other layers are written for gcc; a clang-only warning must not stop fuzzing.
      target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link ${FUZZ_FLAGS} -Wno-error)
    endif()
  endforeach()
  add_custom_target(fuzz_all)
  foreach(t ${FUZZ_TARGETS})
    add_executable(fuzz_${t} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${t}.c)
    if(t IN_LIST FUZZ_HTTP_TARGETS)
      target_sources(fuzz_${t} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/harness.c)
    endif()
    target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer ${FUZZ_FLAGS})
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer ${FUZZ_FLAGS})
    target_link_libraries(fuzz_${t} PRIVATE tripod_api tripod_app tripod_cal tripod_store tripod_core)
    set_target_properties(fuzz_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    add_dependencies(fuzz_all fuzz_${t})
  endforeach()
elseif(NOT TRIPOD_SANITIZE)
  set(FUZZ_BUILD ${CMAKE_BINARY_DIR}/fuzz-build)
  add_test(NAME fuzz_build
           COMMAND bash ${CMAKE_SOURCE_DIR}/fuzz/run.sh build ${FUZZ_BUILD})
  set_tests_properties(fuzz_build PROPERTIES LABELS fuzz TIMEOUT 900 FIXTURES_SETUP fuzz_bin)
  foreach(t ${FUZZ_TARGETS})
    add_test(NAME fuzz_${t}
             COMMAND bash ${CMAKE_SOURCE_DIR}/fuzz/run.sh run ${FUZZ_BUILD} ${FUZZ_SECONDS} ${t})
    set_tests_properties(fuzz_${t} PROPERTIES LABELS fuzz TIMEOUT 300 FIXTURES_REQUIRED fuzz_bin)
  endforeach()
endif()
