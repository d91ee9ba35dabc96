#pragma once
// Versions a plugin is built against. The host compares these with its own before any C++
// object crosses the plugin boundary (see manifest.h).

// The plugin ABI: bumped on any change to a type or virtual interface that crosses the
// boundary. The CMake package's major version equals it (SameMajorVersion), so
// find_package(vigil_sdk 1) can only hand a plugin the headers of ABI 1.
#define VIGIL_PLUGIN_ABI 1

#define VIGIL_SDK_VERSION_MAJOR 1
#define VIGIL_SDK_VERSION_MINOR 0
#define VIGIL_SDK_VERSION_PATCH 0
#define VIGIL_SDK_VERSION_STRING "1.0.0"
