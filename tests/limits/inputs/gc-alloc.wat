;; tests/limits/inputs/gc-alloc.wat -- allocates and drops GC arrays of 1000 i64 (16 KB each as the store counts them)
;; N times: the collector frees them, so this runs under --max-memory far below N * 16 KB. `structs` does the same with
;; small structs, `exn` throws and catches exceptions. `keep` keeps every array (a list of structs holding them): the
;; allocation at the limit traps "out of memory".
(module
  (type $arr (array (mut i64)))
  (type $s (struct (field i64) (field i64)))
  (type $cell (struct (field (ref $arr)) (field (ref null $cell))))
  (func (export "keep") (param $n i32) (result i32)
    (local $i i32) (local $list (ref null $cell))
    (loop $l
      (local.set $list (struct.new $cell (array.new $arr (i64.const 7) (i32.const 1000)) (local.get $list)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (tag $e (param i64 i64))
  (func (export "arrays") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (drop (array.new $arr (i64.const 7) (i32.const 1000)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "structs") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (drop (struct.new $s (i64.const 1) (i64.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "exn") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (block $h (result i64 i64)
        (try_table (catch $e $h) (throw $e (i64.const 1) (i64.const 2))) (unreachable))
      (drop) (drop)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))
