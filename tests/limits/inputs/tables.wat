;; tests/limits/inputs/tables.wat -- grows three tables by `step` elements at a time, round robin, until table.grow
;; fails (-1) on all of them or `max` grows succeeded; returns the number of successful grows. Table elements count
;; against --max-memory (8 bytes each): under --max-memory 16M with step 1048576 (8 MiB a grow) that is 2.
(module
  (table $a 0 externref)
  (table $b 0 externref)
  (table $c 0 externref)
  (func (export "grow") (param $step i32) (param $max i32) (result i32)
    (local $ok i32) (local $fails i32)
    (loop $l
      (local.set $fails (i32.const 0))
      (if (i32.eq (table.grow $a (ref.null extern) (local.get $step)) (i32.const -1))
        (then (local.set $fails (i32.add (local.get $fails) (i32.const 1))))
        (else (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (if (i32.eq (table.grow $b (ref.null extern) (local.get $step)) (i32.const -1))
        (then (local.set $fails (i32.add (local.get $fails) (i32.const 1))))
        (else (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (if (i32.eq (table.grow $c (ref.null extern) (local.get $step)) (i32.const -1))
        (then (local.set $fails (i32.add (local.get $fails) (i32.const 1))))
        (else (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (br_if $l (i32.and (i32.lt_u (local.get $fails) (i32.const 3)) (i32.lt_u (local.get $ok) (local.get $max)))))
    (local.get $ok)))
