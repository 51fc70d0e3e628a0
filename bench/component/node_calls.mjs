// bench/component/node_calls.mjs -- the component-call benchmark on jco (node): `jco transpile calls.wasm -o DIR
// --name calls`, then `node node_calls.mjs DIR [SECONDS]`. Prints calls/s of len(string of 64 bytes) and of
// sum(list of 16 records), as bench/component/component_bench.cpp does for myrt.
const dir = process.argv[2];
const seconds = Number(process.argv[3] || 2);
const m = (await import(`${dir}/calls.js`)).calls;
const s = 'x'.repeat(64);
const pts = Array.from({ length: 16 }, (_, i) => ({ x: i, y: -2 * i }));
function measure(name, f, expect) {
  if (f() !== expect) throw new Error(`${name}: wrong result ${f()}`);
  for (let i = 0; i < 10000; ++i) f();  // warm up (JIT)
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 1000; ++i) f();
    n += 1000;
    t = process.hrtime.bigint();
  }
  const secs = Number(t - t0) / 1e9;
  console.log(`${name}: ${(n / secs).toFixed(0)} calls/s`);
}
measure('len(string)', () => m.len(s), 64);
measure('sum(list<record>)', () => m.sum(pts), -120n);
