;; tests/cli/inputs/preload-main.wat -- imports `lib` (myrt run --preload lib=tests/cli/inputs/preload-lib.wat).
(module
  (import "lib" "twice" (func $twice (param i32) (result i32)))
  (import "lib" "greet" (func $greet))
  (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32)
    (call $greet)
    (call $twice (local.get 0))))
