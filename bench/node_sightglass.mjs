// bench/node_sightglass.mjs -- runs one sightglass program under node's WASI (V8) in the current directory (preopened
// as "."), with bench.start/bench.end taking timestamps; prints `bench_ms=<ms between them>` on stderr last.
//   node bench/node_sightglass.mjs X.wasm
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const wasi = new WASI({ version: 'preview1', args: [process.argv[2]], preopens: { '.': '.' } });
const mod = await WebAssembly.compile(await readFile(process.argv[2]));
let t0 = 0n, t1 = 0n;
const bench = { start() { t0 = process.hrtime.bigint(); }, end() { t1 = process.hrtime.bigint(); } };
const inst = await WebAssembly.instantiate(mod, { ...wasi.getImportObject(), bench });
wasi.start(inst);
process.stderr.write(`bench_ms=${Number(t1 - t0) / 1e6}\n`);
