;; tests/cli/inputs/oob.wat -- an out-of-bounds load caught by the guard pages (runtime/exec/signals.h): the trap
;; message and the backtrace come through the fault handler. `grow` first makes the address valid.
(module
  (memory (export "memory") 1)
  (func $load (param i32) (result i32) (i32.load offset=16 (local.get 0)))
  (func $middle (param i32) (result i32) (call $load (local.get 0)))
  (func (export "peek") (param i32) (result i32) (call $middle (local.get 0)))
  (func (export "grow_peek") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (call $middle (local.get 0))))
