# Test registration: every tests/unit/test_*.c is a cmocka program; every
# tests/e2e/test_*.py is a pytest module run against the real `tripod` binary;
# every tests/browser/*.test.mjs drives headless Chromium (normal build only).

file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE tripod_bench tripod_api tripod_cal tripod_store tripod_core PkgConfig::CMOCKA)
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
