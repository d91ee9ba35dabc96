# vigil_add_plugin(<name> SOURCES <src>... [LINK_LIBRARIES <lib>...] [NO_INSTALL]
#                  [INSTALL_DIR <dir>] [COMPONENT <component>])
#
# Builds a vigil plugin: a MODULE library named vigil_<name>.so with hidden symbols (only the
# two extern "C" entry points are exported), linked with --no-undefined so a missing symbol
# fails the build rather than the load, and the shared libstdc++ (a static copy would give the
# plugin its own heap and RTTI, which breaks objects that cross into the host). Installs into
# <prefix>/<libdir>/vigil/plugins unless NO_INSTALL, in COMPONENT (default: the variable
# VIGIL_PLUGIN_DEFAULT_COMPONENT if set, else plugins).
include_guard(GLOBAL)
include(GNUInstallDirs)

function(vigil_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_INSTALL" "COMPONENT;INSTALL_DIR"
                        "SOURCES;LINK_LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "vigil_add_plugin(${name}): SOURCES is required")
  endif()
  set(target vigil_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE vigil::sdk ${ARG_LINK_LIBRARIES})
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "vigil_${name}"
                                             CXX_VISIBILITY_PRESET hidden
                                             VISIBILITY_INLINES_HIDDEN ON)
  if(VIGIL_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VIGIL_PLUGIN_OUTPUT_DIR}")
  endif()
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  get_target_property(_opts ${target} LINK_OPTIONS)
  foreach(_flag IN ITEMS ${CMAKE_SHARED_LINKER_FLAGS} ${CMAKE_MODULE_LINKER_FLAGS} ${_opts})
    if(_flag MATCHES "static-libstdc\\+\\+")
      message(FATAL_ERROR "vigil_add_plugin(${name}): -static-libstdc++ is not allowed; a plugin "
                          "must share the host's libstdc++")
    endif()
  endforeach()
  if(NOT ARG_NO_INSTALL)
    if(NOT ARG_INSTALL_DIR)
      set(ARG_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/vigil/plugins")
    endif()
    if(NOT ARG_COMPONENT AND VIGIL_PLUGIN_DEFAULT_COMPONENT)
      set(ARG_COMPONENT "${VIGIL_PLUGIN_DEFAULT_COMPONENT}")
    elseif(NOT ARG_COMPONENT)
      set(ARG_COMPONENT plugins)
    endif()
    install(TARGETS ${target} LIBRARY DESTINATION "${ARG_INSTALL_DIR}" COMPONENT ${ARG_COMPONENT})
  endif()
endfunction()
