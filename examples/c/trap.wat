;; examples/c/trap.wat -- traps with a backtrace: a division by zero three calls deep, and a host function that fails.
(module
  (import "host" "fail" (func $fail))
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "divide") (param i32) (result i32) (call $middle (local.get 0)))
  (func (export "call_host") (call $fail))
  (func $start_trap (unreachable)))
