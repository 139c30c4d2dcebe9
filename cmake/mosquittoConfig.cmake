# CMake package file for libmosquitto (the Rust drop-in replacement).
#
#   find_package(mosquitto REQUIRED)
#   target_link_libraries(app PRIVATE mosquitto::libmosquitto)
#
# Defines the imported target mosquitto::libmosquitto (the shared library
# libmosquitto.so.1 with its include directory), and for older scripts the
# variables MOSQUITTO_INCLUDE_DIRS and MOSQUITTO_LIBRARIES.
#
# The file is relocatable: the install prefix is found from this file's own
# place, <prefix>/lib/cmake/mosquitto/.

get_filename_component(_mosquitto_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET mosquitto::libmosquitto)
  if(NOT EXISTS "${_mosquitto_prefix}/lib/libmosquitto.so.1")
    set(mosquitto_FOUND FALSE)
    set(mosquitto_NOT_FOUND_MESSAGE
      "${_mosquitto_prefix}/lib/libmosquitto.so.1 is missing: reinstall libmosquitto")
    unset(_mosquitto_prefix)
    return()
  endif()
  add_library(mosquitto::libmosquitto SHARED IMPORTED)
  set_target_properties(mosquitto::libmosquitto PROPERTIES
    IMPORTED_LOCATION "${_mosquitto_prefix}/lib/libmosquitto.so.1"
    IMPORTED_SONAME "libmosquitto.so.1"
    INTERFACE_INCLUDE_DIRECTORIES "${_mosquitto_prefix}/include"
  )
endif()

set(MOSQUITTO_INCLUDE_DIRS "${_mosquitto_prefix}/include")
set(MOSQUITTO_LIBRARIES mosquitto::libmosquitto)
unset(_mosquitto_prefix)
