// bench/dwarf/measure_libdw.cpp -- elfutils' libdw on a wasm module's DWARF through an in-memory ELF image: time and
// peak RSS to read every unit's line table into one sorted table, then the cost of a lookup (binary search in our
// table; libdw's own dwarf_addrdie + dwarf_getsrc_die). Measurement only (docs/performance.md, "DWARF source
// locations"), built by hand:
//   g++ -O2 -std=c++20 bench/dwarf/measure_libdw.cpp -o /tmp/measure_libdw -ldw -lelf
//   /tmp/measure_libdw MODULE.wasm [LOOKUPS]     (LOOKUPS=0 for instruction counts of the parse alone)
#include "wasm_sections.h"
#include <elfutils/libdw.h>
#include <libelf.h>
#include <elf.h>
#include <algorithm>
#include <cstring>
#include <map>
int main(int argc, char** argv) {
  auto bytes = readFile(argv[1]); size_t code = 0;
  long rss0 = maxrssKb();
  double t0 = now();
  elf_version(EV_CURRENT);
  std::vector<Sec> dbgs; for (auto& s : sections(bytes, code)) if (s.name.rfind(".debug_", 0) == 0) dbgs.push_back(s);
  // in-memory ELF32: header, section data, shstrtab, section headers
  std::string shstr(1, '\0'); std::vector<size_t> nameOff;
  for (auto& s : dbgs) { nameOff.push_back(shstr.size()); shstr += s.name; shstr += '\0'; }
  size_t shstrName = shstr.size(); shstr += ".shstrtab"; shstr += '\0';
  std::vector<char> img(sizeof(Elf32_Ehdr)); std::vector<Elf32_Shdr> sh(1);
  for (size_t k = 0; k < dbgs.size(); ++k) { Elf32_Shdr h{}; h.sh_name = nameOff[k]; h.sh_type = SHT_PROGBITS; h.sh_offset = img.size(); h.sh_size = dbgs[k].size; h.sh_addralign = 1;
    img.insert(img.end(), bytes.begin() + dbgs[k].off, bytes.begin() + dbgs[k].off + dbgs[k].size); sh.push_back(h); }
  { Elf32_Shdr h{}; h.sh_name = shstrName; h.sh_type = SHT_STRTAB; h.sh_offset = img.size(); h.sh_size = shstr.size(); h.sh_addralign = 1; img.insert(img.end(), shstr.begin(), shstr.end()); sh.push_back(h); }
  while (img.size() % 4) img.push_back(0);
  Elf32_Ehdr eh{}; memcpy(eh.e_ident, ELFMAG, SELFMAG); eh.e_ident[EI_CLASS] = ELFCLASS32; eh.e_ident[EI_DATA] = ELFDATA2LSB; eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC; eh.e_machine = EM_NONE; eh.e_version = EV_CURRENT; eh.e_ehsize = sizeof eh; eh.e_shentsize = sizeof(Elf32_Shdr); eh.e_shnum = sh.size(); eh.e_shstrndx = sh.size() - 1; eh.e_shoff = img.size();
  memcpy(img.data(), &eh, sizeof eh); const char* p = (const char*)sh.data(); img.insert(img.end(), p, p + sh.size() * sizeof(Elf32_Shdr));
  Elf* elf = elf_memory(img.data(), img.size());
  Dwarf* dw = dwarf_begin_elf(elf, DWARF_C_READ, nullptr);
  if (!dw) { printf("libdw: dwarf_begin_elf failed: %s\n", dwarf_errmsg(-1)); return 1; }
  std::vector<Row> rows; std::vector<std::string> files; std::map<std::string, uint32_t> fileIds;
  Dwarf_Off off = 0, nextOff; size_t hsz; int cus = 0;
  while (dwarf_nextcu(dw, off, &nextOff, &hsz, nullptr, nullptr, nullptr) == 0) {
    ++cus; Dwarf_Die die;
    if (dwarf_offdie(dw, off + hsz, &die)) {
      Dwarf_Lines* lines; size_t n;
      if (dwarf_getsrclines(&die, &lines, &n) == 0) for (size_t k = 0; k < n; ++k) {
        Dwarf_Line* l = dwarf_onesrcline(lines, k); Dwarf_Addr a; int ln = 0, col = 0; bool es = false;
        dwarf_lineaddr(l, &a); dwarf_lineno(l, &ln); dwarf_linecol(l, &col); dwarf_lineendsequence(l, &es);
        const char* src = dwarf_linesrc(l, nullptr, nullptr); uint32_t fid = 0;
        if (src) { auto [it, ins] = fileIds.emplace(src, files.size()); if (ins) files.push_back(src); fid = it->second; }
        rows.push_back({a, (uint32_t)ln, (uint32_t)col, fid, es});
      }
    }
    off = nextOff;
  }
  std::stable_sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.addr < y.addr; });
  double t1 = now(); long rss1 = maxrssKb();
  uint64_t codeSize = rows.empty() ? 1 : rows.back().addr; uint64_t sum = 0;
  double t2 = now(); const int N = argc > 2 ? atoi(argv[2]) : 1000000;
  for (int k = 0; k < N; ++k) { uint64_t a = (uint64_t(k) * 2654435761u) % codeSize;
    auto it = std::upper_bound(rows.begin(), rows.end(), a, [](uint64_t v, const Row& r) { return v < r.addr; });
    if (it != rows.begin()) sum += (it - 1)->line; }
  double t3 = now();
  // and libdw's own lookup: dwarf_addrdie + dwarf_getsrc_die per address (no table of ours)
  double t4 = now(); const int M = argc > 2 ? atoi(argv[2]) : 100000; uint64_t sum2 = 0, hits = 0;
  for (int k = 0; k < M; ++k) { uint64_t a = (uint64_t(k) * 2654435761u) % codeSize; Dwarf_Die cu;
    if (dwarf_addrdie(dw, a, &cu)) { Dwarf_Line* l = dwarf_getsrc_die(&cu, a); int ln = 0; if (l) { dwarf_lineno(l, &ln); sum2 += ln; ++hits; } } }
  double t5 = now();
  printf("libdw: %d CUs, %zu rows, %zu files; ELF copy+parse+table %.1f ms, maxrss +%ld KB (total %ld KB); table lookup %.1f ns (sum %lu); dwarf_addrdie+getsrc_die %.0f ns (%lu of %d found)\n", cus, rows.size(), files.size(), (t1 - t0) * 1e3, rss1 - rss0, rss1, (t3 - t2) * 1e9 / (N ? N : 1), (unsigned long)sum, (t5 - t4) * 1e9 / (M ? M : 1), (unsigned long)hits, M);
  dwarf_end(dw); elf_end(elf);
}
