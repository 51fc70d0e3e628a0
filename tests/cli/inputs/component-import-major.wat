;; imports wasi:cli/environment@0.3.0: another minor of a 0.x version, not provided by the 0.2 host
(component
  (import "wasi:cli/environment@0.3.0" (instance $s (export "get-arguments" (func (result (list string))))))
)
