#ifndef VIGIL_SDK_MANIFEST_H
#define VIGIL_SDK_MANIFEST_H
/* The plain C manifest every vigil plugin exports. The host reads it before it touches any C++
 * symbol of the library, so a plugin built for another ABI, compiler or libstdc++ string ABI is
 * refused with a message instead of crashing on a mismatched std::string layout.
 *
 * Only append fields; struct_size tells the host how much of the struct a plugin has. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_plugin_manifest {
  uint32_t struct_size;         /* sizeof(vigil_plugin_manifest) as the plugin saw it */
  uint32_t abi_version;         /* VIGIL_PLUGIN_ABI */
  const char* sdk_version;      /* VIGIL_SDK_VERSION_STRING, informational */
  const char* compiler_id;      /* "gcc" or "clang" */
  uint32_t compiler_major;      /* __GNUC__ / __clang_major__ */
  const char* compiler_version; /* __VERSION__, informational */
  int32_t cxx11_abi;            /* _GLIBCXX_USE_CXX11_ABI, -1 when not libstdc++ */
  const char* plugin_name;      /* e.g. "http_probe" */
  const char* plugin_version;   /* the plugin's own version, e.g. "1.2.0" */
  const char* description;      /* one line */
} vigil_plugin_manifest;

/* Names of the two entry points. Versioned so a future ABI can export both generations. */
#define VIGIL_PLUGIN_MANIFEST_SYMBOL "vigil_plugin_manifest_v1"
#define VIGIL_PLUGIN_INIT_SYMBOL "vigil_plugin_init_v1"

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_SDK_MANIFEST_H */
