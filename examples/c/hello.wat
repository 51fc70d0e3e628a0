;; examples/c/hello.wat -- imports a host function and calls it from `run`.
(module
  (import "host" "greet" (func $greet (param i32) (result i32)))
  (func (export "run") (param i32) (result i32)
    (call $greet (i32.add (local.get 0) (i32.const 1)))))
