;; The auto tier compiles only the functions that get hot (cli/run-auto-lazy): main (its loop) and $hot (called
;; 3000 times) reach the threshold; $cold is called once and $never not at all.
(module
  (func $never (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $cold (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
  (func $hot (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "main") (result i32) (local $i i32) (local $acc i32)
    (local.set $acc (call $cold (i32.const 7)))
    (loop $l
      (local.set $acc (call $hot (local.get $acc)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 3000))))
    (local.get $acc)))
