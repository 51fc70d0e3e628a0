;; tests/cli/inputs/unknown-nondefault.wat -- imports nothing provides whose types a stub cannot serve by default:
;; a non-nullable reference result (no default value) and a type that refers to the module's own types.
(module
  (type $f (func))
  (import "env" "make" (func $make (result (ref extern))))
  (func (export "go") (result i32) (drop (call $make)) (i32.const 1)))
