// bench/dwarf/measure_libdwarf.cpp -- libdwarf (20210528, Debian bookworm's libdwarf-dev) on a wasm module's DWARF
// through its object-access interface (the custom sections handed over as they are, no copy): time and peak RSS to
// read every unit's line table into one sorted table, then the cost of a lookup. Measurement only
// (docs/performance.md, "DWARF source locations"), built by hand (apt-get install libdwarf-dev):
//   g++ -O2 -std=c++20 bench/dwarf/measure_libdwarf.cpp -o /tmp/measure_libdwarf -ldwarf
//   /tmp/measure_libdwarf MODULE.wasm [LOOKUPS]
#include "wasm_sections.h"
#include <libdwarf/libdwarf.h>
#include <libdwarf/dwarf.h>
#include <algorithm>
#include <map>
struct Obj { std::vector<uint8_t>* b; std::vector<Sec> secs; };
static int secInfo(void* o, Dwarf_Half i, Dwarf_Obj_Access_Section* s, int*) {
  auto* ob = (Obj*)o; if (i >= ob->secs.size()) return DW_DLV_NO_ENTRY;
  *s = {}; s->size = ob->secs[i].size; s->name = ob->secs[i].name.c_str(); return DW_DLV_OK; }
static Dwarf_Endianness order(void*) { return DW_OBJECT_LSB; }
static Dwarf_Small len(void*) { return 4; }
static Dwarf_Small ptr(void*) { return 4; }
static Dwarf_Unsigned count(void* o) { return ((Obj*)o)->secs.size(); }
static int load(void* o, Dwarf_Half i, Dwarf_Small** d, int*) { auto* ob = (Obj*)o; if (i >= ob->secs.size()) return DW_DLV_NO_ENTRY; *d = ob->b->data() + ob->secs[i].off; return DW_DLV_OK; }
static const Dwarf_Obj_Access_Methods methods = {secInfo, order, len, ptr, count, load, nullptr};
int main(int argc, char** argv) {
  auto bytes = readFile(argv[1]); size_t code = 0;
  long rss0 = maxrssKb();
  double t0 = now();
  Obj obj{&bytes, {}}; obj.secs.push_back({"", 0, 0});
  for (auto& s : sections(bytes, code)) if (s.name.rfind(".debug_", 0) == 0) obj.secs.push_back(s);
  Dwarf_Obj_Access_Interface iface{&obj, &methods};
  Dwarf_Debug dbg = nullptr; Dwarf_Error err = nullptr;
  if (dwarf_object_init_b(&iface, nullptr, nullptr, DW_GROUPNUMBER_ANY, &dbg, &err) != DW_DLV_OK) { printf("init failed\n"); return 1; }
  std::vector<Row> rows; std::vector<std::string> files; std::map<std::string, uint32_t> fileIds;
  Dwarf_Unsigned next = 0; Dwarf_Half ver, hdrType; Dwarf_Unsigned hlen, abbr, typeoff; Dwarf_Half asz, lsz, esz; Dwarf_Sig8 sig;
  int cus = 0;
  while (dwarf_next_cu_header_d(dbg, true, &hlen, &ver, &abbr, &asz, &lsz, &esz, &sig, &typeoff, &next, &hdrType, &err) == DW_DLV_OK) {
    ++cus; Dwarf_Die die = nullptr;
    if (dwarf_siblingof_b(dbg, nullptr, true, &die, &err) != DW_DLV_OK) continue;
    Dwarf_Unsigned lver; Dwarf_Small tc; Dwarf_Line_Context ctx;
    if (dwarf_srclines_b(die, &lver, &tc, &ctx, &err) == DW_DLV_OK) {
      Dwarf_Line* lines; Dwarf_Signed n;
      Dwarf_Unsigned lastFno = ~0ull; uint32_t lastFid = 0;
      if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &err) == DW_DLV_OK) for (Dwarf_Signed k = 0; k < n; ++k) {
        Dwarf_Addr a; Dwarf_Unsigned ln, col; Dwarf_Bool es; char* src = nullptr;
        dwarf_lineaddr(lines[k], &a, &err); dwarf_lineno(lines[k], &ln, &err); dwarf_lineoff_b(lines[k], &col, &err); dwarf_lineendsequence(lines[k], &es, &err);
        uint32_t fid = 0; Dwarf_Unsigned fno = 0; dwarf_line_srcfileno(lines[k], &fno, &err);
        if (k > 0 && fno == lastFno) fid = lastFid;
        else if (dwarf_linesrc(lines[k], &src, &err) == DW_DLV_OK) { auto [it, ins] = fileIds.emplace(src, files.size()); if (ins) files.push_back(src); fid = it->second; dwarf_dealloc(dbg, src, DW_DLA_STRING); }
        lastFno = fno; lastFid = fid; rows.push_back({a, (uint32_t)ln, (uint32_t)col, fid, (bool)es});
      }
      dwarf_srclines_dealloc_b(ctx);
    }
    dwarf_dealloc_die(die);
  }
  std::stable_sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.addr < y.addr; });
  double t1 = now(); long rss1 = maxrssKb();
  // lookups: 100k addresses spread over the code
  uint64_t codeSize = rows.empty() ? 1 : rows.back().addr; uint64_t sum = 0;
  double t2 = now();
  const int N = argc > 2 ? atoi(argv[2]) : 1000000;
  for (int k = 0; k < N; ++k) { uint64_t a = (uint64_t(k) * 2654435761u) % codeSize;
    auto it = std::upper_bound(rows.begin(), rows.end(), a, [](uint64_t v, const Row& r) { return v < r.addr; });
    if (it != rows.begin()) sum += (it - 1)->line; }
  double t3 = now();
  printf("libdwarf: %d CUs, %zu rows, %zu files; parse+table %.1f ms, maxrss +%ld KB (total %ld KB); lookup %.1f ns (sum %lu)\n", cus, rows.size(), files.size(), (t1 - t0) * 1e3, rss1 - rss0, rss1, (t3 - t2) * 1e9 / (N ? N : 1), (unsigned long)sum);
  dwarf_object_finish(dbg, &err);
}
