;; tests/cli/inputs/traps64.wat -- an out-of-bounds access to a 64-bit memory, which every tier checks explicitly
;; (no guard pages), for the backtrace matrix in tests/cli/CMakeLists.txt.
(module
  (memory i64 1)
  (func $load (param i64) (result i64) (i64.load offset=8 (local.get 0)))
  (func $middle (param i64) (result i64) (call $load (local.get 0)))
  (func (export "oob") (result i64) (call $middle (i64.const 65530))))
