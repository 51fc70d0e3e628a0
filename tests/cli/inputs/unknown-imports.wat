;; tests/cli/inputs/unknown-imports.wat -- imports nothing provides (myrt run --unknown-imports-trap / -default).
(module
  (import "env" "get" (func $get (param i32) (result i32 i64 f64 externref)))
  (import "env" "log" (func $log (param i32)))
  (func (export "sum") (result i32)
    (local $r i32)
    (call $log (i32.const 1))
    (call $get (i32.const 7))
    (drop) (drop) (drop)
    (i32.add (i32.const 5)))
  (func (export "only_log") (result i32) (call $log (i32.const 2)) (i32.const 9)))
