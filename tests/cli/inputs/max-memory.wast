;; `myrt wast --max-memory 2M`: the store counts linear memory by its size (this module's and spectest's page), so
;; growing by 32 pages fails at that limit while 16 fit (under the default 16 GiB both succeed).
(module
  (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
(assert_return (invoke "grow" (i32.const 32)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 16)) (i32.const 1))
