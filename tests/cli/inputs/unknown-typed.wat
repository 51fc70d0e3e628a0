;; tests/cli/inputs/unknown-typed.wat -- an import whose type refers to the module's own types (no stub possible).
(module
  (type $f (func))
  (import "env" "make" (func $make (result (ref null $f))))
  (func (export "go") (result i32) (drop (call $make)) (i32.const 1)))
