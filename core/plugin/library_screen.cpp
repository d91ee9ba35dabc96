#include "core/plugin/library_screen.hpp"

#include <elf.h>

// Boost 1.74's library_info.hpp uses std::vector and std::string without including them.
#include <string>
#include <vector>

#include <boost/dll/library_info.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "vigil/sdk/manifest.h"

namespace vigil::core {

namespace {

namespace fs = std::filesystem;

class ElfReader {
 public:
  explicit ElfReader(const fs::path& file) : in_(file, std::ios::binary) {
    if (!in_)
      throw std::runtime_error("cannot be opened for reading");
    in_.seekg(0, std::ios::end);
    size_ = static_cast<std::uint64_t>(in_.tellg());
  }

  // Reads `count` objects of T at byte `offset`, refusing anything outside the file so that a
  // truncated or hostile header cannot make us allocate or read arbitrary amounts.
  template <class T>
  std::vector<T> read(std::uint64_t offset, std::uint64_t count) {
    if (count > size_ / sizeof(T) || offset > size_ - count * sizeof(T)) {
      throw std::runtime_error("is a truncated or malformed ELF file");
    }
    std::vector<T> out(static_cast<std::size_t>(count));
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(count * sizeof(T)));
    if (!in_)
      throw std::runtime_error("could not be read");
    return out;
  }

 private:
  std::ifstream in_;
  std::uint64_t size_ = 0;
};

template <class Ehdr, class Shdr, class Sym>
std::vector<std::string> dynamic_symbols(ElfReader& elf) {
  const Ehdr header = elf.read<Ehdr>(0, 1).front();
  if (header.e_shnum != 0 && header.e_shentsize != sizeof(Shdr)) {
    throw std::runtime_error("is a malformed ELF file (unexpected section header size)");
  }
  const std::vector<Shdr> sections = elf.read<Shdr>(header.e_shoff, header.e_shnum);
  std::vector<std::string> names;
  for (const Shdr& section : sections) {
    if (section.sh_type != SHT_DYNSYM)
      continue;
    if (section.sh_link >= sections.size()) {
      throw std::runtime_error("is a malformed ELF file (bad string table link)");
    }
    const Shdr& strings_section = sections[section.sh_link];
    std::vector<char> strings = elf.read<char>(strings_section.sh_offset, strings_section.sh_size);
    strings.push_back('\0');  // every name below ends inside the buffer
    for (const Sym& symbol : elf.read<Sym>(section.sh_offset, section.sh_size / sizeof(Sym))) {
      const unsigned binding = ELF64_ST_BIND(symbol.st_info);
      const unsigned visibility = ELF64_ST_VISIBILITY(symbol.st_other);
      const bool bindable =
          binding == STB_GLOBAL || binding == STB_WEAK || binding == STB_GNU_UNIQUE;
      const bool visible = visibility == STV_DEFAULT || visibility == STV_PROTECTED;
      if (symbol.st_shndx == SHN_UNDEF || !bindable || !visible)
        continue;
      if (symbol.st_name >= strings.size())
        continue;
      names.emplace_back(strings.data() + symbol.st_name);
    }
  }
  return names;
}

bool starts_with_elf_magic(const fs::path& file) {
  char magic[SELFMAG] = {};
  std::ifstream in(file, std::ios::binary);
  in.read(magic, SELFMAG);
  return in.gcount() == SELFMAG && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::vector<std::string> exported_dynamic_symbols(const fs::path& file) {
  ElfReader elf(file);
  const auto ident = elf.read<unsigned char>(0, EI_NIDENT);
  if (std::memcmp(ident.data(), ELFMAG, SELFMAG) != 0) {
    throw std::runtime_error("is not an ELF file");
  }
  if (ident[EI_DATA] != (std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB)) {
    throw std::runtime_error("is an ELF file for another byte order");
  }
  switch (ident[EI_CLASS]) {
    case ELFCLASS64:
      return dynamic_symbols<Elf64_Ehdr, Elf64_Shdr, Elf64_Sym>(elf);
    case ELFCLASS32:
      return dynamic_symbols<Elf32_Ehdr, Elf32_Shdr, Elf32_Sym>(elf);
    default:
      throw std::runtime_error("is an ELF file of an unknown class");
  }
}

std::optional<std::string> screen_plugin_library(const fs::path& file) {
  constexpr const char* kSkipped = ": skipped without loading it; ";
  if (!starts_with_elf_magic(file)) {
    return std::string("is not a shared library (not an ELF file)") + kSkipped +
           "remove it from the plugin directory";
  }
  // library_info is Boost.DLL's look-before-you-load; in 1.74 it reads only .symtab, which
  // `strip` removes, so a packaged (stripped) plugin is found through .dynsym, which is also
  // exactly what the dynamic loader will see.
  try {
    boost::dll::library_info info(file);
    if (contains(info.symbols(), VIGIL_PLUGIN_MANIFEST_SYMBOL))
      return std::nullopt;
  } catch (const std::exception&) {
    // Its messages ("basic_ios::clear: iostream error") say little; the reader below says more.
  }
  try {
    if (contains(exported_dynamic_symbols(file), VIGIL_PLUGIN_MANIFEST_SYMBOL)) {
      return std::nullopt;
    }
  } catch (const std::exception& e) {
    return e.what() + std::string(kSkipped) + "remove it from the plugin directory or rebuild it";
  }
  return std::string("exports no ") + VIGIL_PLUGIN_MANIFEST_SYMBOL +
         ", so it is not a vigil plugin" + kSkipped +
         "remove it from the plugin directory, or declare the plugin with VIGIL_PLUGIN(...)";
}

}  // namespace vigil::core
