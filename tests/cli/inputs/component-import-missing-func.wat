;; imports wasi:io/streams@0.2.3 (links to the host's 0.2.12 by semver) with a function the host does not have
(component
  (import "wasi:io/streams@0.2.3" (instance $s (export "nope" (func (param "x" u32)))))
)
