;; tests/cli/inputs/runaway.wat -- runaway guests for `myrt run --fuel/--timeout`: an endless loop two calls deep (the
;; WASI command's _start), an endless recursion without loops (fib of a huge n), and a loop that ends.
(module
  (func $spin (loop $l (br $l)))
  (func $middle (call $spin))
  (func (export "_start") (call $middle))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "count") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1)))
