;; tests/cli/inputs/depth.wat -- recursion of a given depth: down(n) calls itself n deep and returns n.
(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
