#pragma once
// Symbol visibility. Plugins build with -fvisibility=hidden so that only the two extern "C"
// entry points are exported; interfaces shared with the host stay visible so that their
// typeinfo is not duplicated in a way that trips UBSan's vptr check.
#if defined(__GNUC__)
#define VIGIL_PLUGIN_EXPORT __attribute__((visibility("default")))
#define VIGIL_SYMBOL_VISIBLE __attribute__((visibility("default")))
#else
#define VIGIL_PLUGIN_EXPORT
#define VIGIL_SYMBOL_VISIBLE
#endif
