;; tests/cli/inputs/traps.wat -- one trap of each kind, each two or more calls deep, for the backtrace matrix in
;; tests/cli/CMakeLists.txt: every tier prints the same backtrace with the same wasm offsets (expected/trap-*.txt).
(module
  (type $v (func))
  (type $i (func (param i32) (result i32)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $do_unreachable $do_div)  ;; slot 0 has type $v, slot 1 type $i, slots 2 and 3 are null
  (func $do_unreachable (nop) (unreachable))
  (func $do_div (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $do_overflow (param i32) (result i32) (i32.div_s (i32.const 0x80000000) (local.get 0)))
  (func $load (param i32) (result i32) (i32.load offset=16 (local.get 0)))  ;; unchecked (guard pages) on 64-bit hosts
  (func $store (param i32) (i64.store (local.get 0) (i64.const 7)))
  (func $fill (param i32) (memory.fill (local.get 0) (i32.const 0) (i32.const 100)))  ;; checked by a runtime helper
  (func $indirect (param i32) (result i32) (call_indirect (type $i) (i32.const 5) (local.get 0)))
  (func $rec (param i32) (result i32) (i32.add (i32.const 1) (call $rec (local.get 0))))
  (func $hot (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
  (func $lane (param i32) (result i32)  ;; a SIMD access through the guard pages
    (i32x4.extract_lane 2 (v128.load32_lane 2 (local.get 0) (v128.const i32x4 1 2 3 4))))
  (func (export "unreachable") (call $do_unreachable))
  (func (export "div0") (result i32) (call $do_div (i32.const 0)))
  (func (export "overflow") (result i32) (call $do_overflow (i32.const -1)))
  (func (export "oob_load") (result i32) (call $load (i32.const 65530)))
  (func (export "oob_store") (call $store (i32.const 65532)))
  (func (export "oob_fill") (call $fill (i32.const 65500)))
  (func (export "null_entry") (result i32) (call $indirect (i32.const 2)))
  (func (export "type_mismatch") (result i32) (call $indirect (i32.const 0)))
  (func (export "table_oob") (result i32) (call $indirect (i32.const 9)))
  (func (export "oob_simd") (result i32) (call $lane (i32.const 65534)))
  (func (export "recursion") (result i32) (call $rec (i32.const 0)))
  ;; $hot runs 3000 times (the auto tier compiles it after 1000 calls) and divides by zero on the last call
  (func (export "tier_up") (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $hot (i32.sub (i32.const 3000) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (i32.const 3000))))
    (local.get $s)))
