# Test registration: every tests/unit/test_*.c is a cmocka program; every
# tests/e2e/test_*.py is a pytest module run against the real `tripod` binary;
# every tests/browser/*.test.mjs drives headless Chromium (normal build only).

file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE tripod_bench tripod_api tripod_app tripod_cal tripod_store tripod_core PkgConfig::CMOCKA)
  add_test(NAME unit_${name} COMMAND ${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 600)
endforeach()

set(PYTHON /usr/bin/python3)
file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.py)
foreach(src ${E2E_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME e2e_${name}
           COMMAND ${PYTHON} -m pytest -q -x -p no:cacheprovider ${src}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e)
  set_tests_properties(e2e_${name} PROPERTIES LABELS e2e TIMEOUT 900
      ENVIRONMENT "TRIPOD_BIN=$<TARGET_FILE:tripod>;TRIPOD_SANITIZE=${TRIPOD_SANITIZE};PYTHONDONTWRITEBYTECODE=1")
endforeach()

if(NOT TRIPOD_SANITIZE)
  file(GLOB BROWSER_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/browser/*.test.mjs)
  foreach(src ${BROWSER_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME browser_${name} COMMAND node ${src}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/browser)
    set_tests_properties(browser_${name} PROPERTIES LABELS browser TIMEOUT 900
        ENVIRONMENT "TRIPOD_BIN=$<TARGET_FILE:tripod>;TRIPOD_TEST_OUT=${CMAKE_BINARY_DIR}/browser-out")
  endforeach()
endif()

include(${CMAKE_SOURCE_DIR}/fuzz/fuzz.cmake)

# PostgreSQL: one throwaway cluster (tests/servers/pg.py, started and removed
# as a ctest fixture) serves the store tests and, in the normal build, the
# whole e2e suite a second time; each run gets databases of its own.
set(PG_TEST_DIR ${CMAKE_BINARY_DIR}/pg-test)
set(PG_HELPER ${PYTHON} ${CMAKE_SOURCE_DIR}/tests/servers/pg.py)
add_test(NAME pg_cluster_start COMMAND ${PG_HELPER} start ${PG_TEST_DIR})
add_test(NAME pg_cluster_stop COMMAND ${PG_HELPER} stop ${PG_TEST_DIR})
set_tests_properties(pg_cluster_start PROPERTIES FIXTURES_SETUP pg LABELS pg)
set_tests_properties(pg_cluster_stop PROPERTIES FIXTURES_CLEANUP pg LABELS pg)
set_tests_properties(unit_test_store_pg PROPERTIES FIXTURES_REQUIRED pg LABELS "unit;pg"
    ENVIRONMENT "TRIPOD_TEST_PG_DIR=${PG_TEST_DIR}")
foreach(t test_store test_booking)
  add_test(NAME unit_${t}_on_pg COMMAND ${PG_HELPER} run ${PG_TEST_DIR} -- $<TARGET_FILE:${t}>)
  set_tests_properties(unit_${t}_on_pg PROPERTIES FIXTURES_REQUIRED pg LABELS "unit;pg" TIMEOUT 600)
endforeach()
if(NOT TRIPOD_SANITIZE)
  foreach(src ${E2E_TESTS})
    get_filename_component(name ${src} NAME_WE)
    if(name MATCHES "^test_pg_")
      continue()
    endif()
    add_test(NAME e2e_pg_${name}
             COMMAND ${PG_HELPER} run ${PG_TEST_DIR} -- ${PYTHON} -m pytest -q -x -p no:cacheprovider ${src}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e)
    set_tests_properties(e2e_pg_${name} PROPERTIES LABELS "e2e;pg" TIMEOUT 900 FIXTURES_REQUIRED pg
        ENVIRONMENT "TRIPOD_BIN=$<TARGET_FILE:tripod>;TRIPOD_SANITIZE=${TRIPOD_SANITIZE};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
