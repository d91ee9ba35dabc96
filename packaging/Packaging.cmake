# Install rules for what the Debian packages ship beyond the binaries, and CPack's DEB generator
# making two packages of them (README.md, "Packaging", says why CPack and not debhelper):
#   vigil      components runtime (the binary), plugins (built-in plugins) and system (configs,
#              unit, default file, logrotate, sysusers/tmpfiles, docs)
#   vigil-dev  component sdk (headers, the vigil_sdk CMake package, the example plugin's source)
# packaging/build-debs drives it with Debian's hardening flags.
set(_pkg "${PROJECT_SOURCE_DIR}/packaging")

# With the prefix /usr, GNUInstallDirs puts SYSCONFDIR at /etc; the unit goes where Debian 12's
# systemd.pc says (systemdsystemunitdir=/lib/systemd/system), under any other prefix inside it.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(VIGIL_SYSTEMD_UNIT_DIR "/lib/systemd/system")
else()
  set(VIGIL_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(_etc "${CMAKE_INSTALL_FULL_SYSCONFDIR}")

install(FILES "${_pkg}/etc/vigil.yaml" DESTINATION "${_etc}/vigil" COMPONENT system)
install(DIRECTORY "${_pkg}/etc/environments" DESTINATION "${_etc}/vigil" COMPONENT system)
install(FILES "${_pkg}/etc/conf.d/README" DESTINATION "${_etc}/vigil/conf.d" COMPONENT system)
install(FILES "${_pkg}/default/vigil" DESTINATION "${_etc}/default" COMPONENT system)
install(FILES "${_pkg}/logrotate/vigil" DESTINATION "${_etc}/logrotate.d" COMPONENT system)
install(FILES "${_pkg}/systemd/vigil.service" DESTINATION "${VIGIL_SYSTEMD_UNIT_DIR}"
        COMPONENT system)
install(FILES "${_pkg}/sysusers/vigil.conf" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d"
        COMPONENT system)
install(FILES "${_pkg}/tmpfiles/vigil.conf" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d"
        COMPONENT system)
# The seed's 48-hour protocol names the seed host's services and paths, so it is an example, not
# the shipped /etc/vigil/vigil.yaml.
set(_doc "${CMAKE_INSTALL_DATAROOTDIR}/doc/vigil")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${_doc}" COMPONENT system)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${_doc}" COMPONENT system
        FILES_MATCHING PATTERN "*.md")
install(FILES "${PROJECT_SOURCE_DIR}/configs/vigil.yaml"
        DESTINATION "${_doc}/examples/seed-protocol" COMPONENT system)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/configs/environments"
        DESTINATION "${_doc}/examples/seed-protocol" COMPONENT system)
# Scrape config, alert rules and Grafana dashboard for vigil's /metrics (docs/operations.md).
install(FILES "${_pkg}/prometheus/scrape-vigil.yml" "${_pkg}/prometheus/vigil-alerts.yml"
              "${_pkg}/prometheus/grafana-dashboard.json"
        DESTINATION "${_doc}/examples/prometheus" COMPONENT system)

# Files Debian wants compressed, compressed as dh_compress does (gzip -9n: no name or time
# stamp, so the package is reproducible), at configure time: they change only with the source.
file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/packaging")
function(vigil_gzip source output)
  execute_process(COMMAND gzip -9n -c "${source}" OUTPUT_FILE "${output}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of ${source} failed: ${rc}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
endfunction()
set(_changelog_gz "${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.Debian.gz")
vigil_gzip("${_pkg}/deb/changelog" "${_changelog_gz}")
set(_man_gz "${CMAKE_CURRENT_BINARY_DIR}/packaging/vigil.1.gz")
vigil_gzip("${_pkg}/man/vigil.1" "${_man_gz}")

# Both packages carry the changelog and the DEP-5 copyright (the Apache-2.0 text is in Debian's
# /usr/share/common-licenses, so it is referenced, not copied).
foreach(_component_doc "system;${_doc}" "sdk;${CMAKE_INSTALL_DATAROOTDIR}/doc/vigil-dev")
  list(GET _component_doc 0 _component)
  list(GET _component_doc 1 _docdir)
  install(FILES "${_changelog_gz}" "${_pkg}/deb/copyright" DESTINATION "${_docdir}"
          COMPONENT ${_component})
endforeach()
install(FILES "${_man_gz}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT system)
install(FILES "${_pkg}/completion/vigil"
        DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions" COMPONENT system)
# Overrides for deviations that are the package's own (packaging/lintian/vigil says which).
install(FILES "${_pkg}/lintian/vigil" DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides"
        COMPONENT system)

set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "vigil")
set(CPACK_PACKAGE_CONTACT "vigil maintainers <vigil@example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Each package's first description line is its own synopsis; CPack prepends this summary unless it
# is CPack's default, so it is set to that default.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime plugins system sdk)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENT_RUNTIME_GROUP server)
set(CPACK_COMPONENT_PLUGINS_GROUP server)
set(CPACK_COMPONENT_SYSTEM_GROUP server)
set(CPACK_COMPONENT_SDK_GROUP dev)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The Debian revision; an upgrade test builds a second one (-DVIGIL_DEB_RELEASE=2).
set(VIGIL_DEB_RELEASE 1 CACHE STRING "Debian revision of the vigil packages")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${VIGIL_DEB_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(_deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME vigil)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SERVER_DESCRIPTION
    "post-deployment health checks with verdicts and rollback
vigil runs health checks after a deployment (HTTP probes, latency, error
rate, test pass rate, host resources, Nagios plugins), judges them against
thresholds and rules over an observation window, and notifies, rolls back or
promotes. This package holds the vigil command and daemon, its built-in
plugins and a systemd unit.")
# shlibdeps adds the libraries; adduser is the postinst's fallback when systemd-sysusers is not
# there; the shipped /etc/vigil/vigil.yaml runs two Monitoring Plugins.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "monitoring-plugins-basic")
set(CPACK_DEBIAN_SERVER_PACKAGE_PROVIDES "vigil-plugin-abi-${VIGIL_PLUGIN_ABI}")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${_pkg}/deb/conffiles;${_pkg}/deb/postinst;${_pkg}/deb/prerm;${_pkg}/deb/postrm")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME vigil-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "SDK for vigil check and action plugins
Header-only C++ SDK and the CMake package vigil_sdk (find_package(vigil_sdk
1), the targets vigil::sdk and vigil::sdk_testing and vigil_add_plugin())
for building vigil plugins outside the vigil source tree, with the file_age
example plugin's source.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "vigil (= ${_deb_version})")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake (>= 3.20), g++")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "libgtest-dev, libcurl4-openssl-dev")
include(CPack)
