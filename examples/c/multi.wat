;; examples/c/multi.wat -- multiple results: `swap` returns its parameters swapped followed by the three results of a
;; host function.
(module
  (import "host" "split" (func $split (param i64) (result i32 i32 f32)))
  (func (export "swap") (param i32 i64) (result i64 i32 i32 i32 f32)
    (local.get 1)
    (local.get 0)
    (call $split (local.get 1))))
