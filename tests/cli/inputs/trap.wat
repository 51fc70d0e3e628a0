;; tests/cli/inputs/trap.wat -- traps for `myrt run`: division by zero two calls deep, and unbounded recursion.
(module
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0)))
  (func $rec (export "rec") (param i32) (result i32) (i32.add (i32.const 1) (call $rec (local.get 0))))
  (func (export "_start") (drop (call $outer (i32.const 0)))))
